"""PARAM001: one environment parameter instead of EnvironmentSuffix and Environment side by side.

The other one stays declared, deprecated: deploy commands that pass it keep working, and a
template Rule rejects a value that differs from the kept one (names built from it would change).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from autofix.edits import Advice, DeleteKey, Proposal, ReplaceValue, SetKey, Skip
from autofix.model.environment import (
    CONSTRAINTS,
    DEPRECATED,
    ENV_NAMES,
    is_deprecated,
    rename_problems,
    rename_references,
)
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.values import equals, ref, referenced_names
from autofix.view import TemplateView


class SingleEnvironmentParameter(Patch):
    id = "PARAM001"
    name = "single-environment-parameter"
    title = "Merge duplicate environment parameters into one"
    safety = UNSAFE
    resolves = ()
    explanation = (
        "When a template declares two parameters for the same thing (EnvironmentSuffix and\n"
        "Environment, Env, Stage, EnvironmentName), keeps one and points every Ref, ${X} in Fn::Sub,\n"
        "Condition, FindInMap key, Output, SAM Globals value and the AWS::CloudFormation::Interface\n"
        "metadata at it; it takes over constraints (AllowedPattern ...) only the other had. Kept:\n"
        "option `keep`, else the one create-only names (FunctionName, BucketName, TableName ...) are\n"
        "built from, so they keep their value, else the most referenced (ties: EnvironmentSuffix).\n"
        "Not merged (a skip says why) when create-only names are built from the other one too, when\n"
        "the two differ in Type or in a constraint both declare, or when their Defaults differ.\n"
        "The other one stays declared, described as deprecated and unused, so deploy commands,\n"
        "parameter files and samconfig parameter_overrides that still pass it do not fail\n"
        "(CloudFormation rejects parameters a template does not declare). A template Rule, checked\n"
        "on the resolved values before anything changes, stops a deploy that passes it with a value\n"
        "other than '' or the kept one's: there names built from it would change. So that a deploy\n"
        "passing only the kept one meets the Rule, the other gets Default '' and loses its\n"
        "constraints (the kept one has them); only String parameters are merged. A stack update that\n"
        "reuses its stored value (UsePreviousValue, as aws cloudformation deploy does for parameters\n"
        "it is not given) keeps that value: such an update that changes the kept one must pass the\n"
        "other as '' once. Unsafe: callers should move to the kept parameter; nothing is billed."
    )

    class Options(PatchOptions):
        keep: str = ""
        # Each group lists names that mean the same thing; ties go to the earlier name.
        groups: tuple = (ENV_NAMES,)

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        renames: dict[str, str] = {}
        for group in self.options.groups:
            yield from self._merge_group(view, [n for n in group if n in view.parameters], renames)
        if not renames:
            return
        if "AWS::LanguageExtensions" in str(view.data.get("Transform")):
            # Fn::ForEach writes names into keys and identifiers we cannot safely rewrite.
            yield Skip(("Parameters",), f"{', '.join(renames)}: not merged; AWS::LanguageExtensions "
                       "templates may use the names in Fn::ForEach keys")
            return
        for name, reason in rename_problems(view, renames).items():
            yield Skip(("Parameters", name), f"{name}: not merged into {renames.pop(name)}: {reason}")
        if not renames:
            return
        if "Rules" in view.data and not isinstance(view.data["Rules"], dict):
            yield Skip(("Rules",), f"{', '.join(renames)}: not merged; the Rules section is not a mapping")
            return
        yield from self._carry_constraints(view, renames)
        yield from rename_references(view, renames)
        for old, new in renames.items():
            rule = view.unique_id(f"{old}Deprecated")
            while rule in (view.data.get("Rules") or {}):  # Rules names are not in unique_id's sections
                rule = view.unique_id(f"{old}Deprecated")
            yield from _deprecate(view, old, new, rule)
            yield SetKey(("Rules",), rule, _rule(old, new), f"Rules.{rule}: a deploy that passes {old} "
                         f"must pass the same value as {new}")
            yield Advice(("Parameters", old), _callers_message(old, new, rule))

    def _merge_group(self, view: TemplateView, present: list[str], renames: dict[str, str]) -> Iterator[Skip]:
        present = [n for n in present if not is_deprecated(view.parameters[n])]
        if len(present) < 2 or any(n in renames or n in renames.values() for n in present):
            return
        frozen = {name: frozen_uses(view, name) for name in present}
        keep = self._keep(view, present, frozen)
        spec = view.parameters[keep]
        merged = dict(spec) if isinstance(spec, dict) else {}  # with the constraints it takes over
        for name in present:
            if name == keep:
                continue
            conflict = parameter_conflict(merged, view.parameters[name])
            if not conflict and frozen[name]:
                conflict = (f"{_listed(frozen[name])} {'is' if len(frozen[name]) == 1 else 'are'} "
                            f"built from {name}; where a deploy passes another value for it than for {keep}, "
                            "the merge would change that name: a create-only name replaces its resource, "
                            "an export name breaks the stacks that import it")
            if conflict:
                yield Skip(("Parameters", name), f"{name}: not merged into {keep}: {conflict}")
                continue
            merged.update(carried_constraints(merged, view.parameters[name]))
            renames[name] = keep

    def _carry_constraints(self, view: TemplateView, renames: dict[str, str]) -> Iterator[SetKey]:
        """The kept parameter takes over the constraints that guarded names built from the other."""
        added: set[tuple[str, str]] = set()
        for old, new in renames.items():
            for key, value in carried_constraints(view.parameters[new], view.parameters[old]).items():
                if (new, key) not in added:
                    added.add((new, key))
                    yield SetKey(("Parameters", new), key, value, f"{new}: takes {key} from {old}")

    def _keep(self, view: TemplateView, present: list[str], frozen: dict[str, list[str]]) -> str:
        """Option `keep`; else the one create-only and export names are built from (they must not change);
        else the most referenced one."""
        if self.options.keep in present:
            return self.options.keep
        counts = {name: reference_count(view, name) for name in present}
        return max(present, key=lambda n: (bool(frozen[n]), counts[n], -present.index(n)))

def _deprecate(view: TemplateView, old: str, new: str, rule: str) -> Iterator[Proposal]:
    """Keep `old` declared for callers that pass it; a deploy that leaves it out must pass the Rule."""
    spec = view.parameters[old]
    path = ("Parameters", old)
    text = (f"{DEPRECATED} and unused: {new} replaces it. Still declared so that deploy commands passing it "
            f"work; Rule {rule} accepts only an empty value (its Default) or the value of {new}.")
    if "Description" in spec:
        yield ReplaceValue(path + ("Description",), text, f"{old}: deprecated, unused, still accepted")
    else:
        yield SetKey(path, "Description", text, f"{old}: deprecated, unused, still accepted")
    # Rules see resolved values: a Default other than '' would make every deploy that passes only `new`
    # (with another value) fail the Rule. Its constraints went to `new`, and some would refuse ''.
    for key in CONSTRAINTS:
        if key in spec:
            yield DeleteKey(path, key, f"{old}: {key} moved to {new}")
    if "Default" not in spec:
        yield SetKey(path, "Default", "", f"{old}: optional now, Default ''")
    elif spec["Default"] != "":
        yield ReplaceValue(path + ("Default",), "", f"{old}: Default '' so that a deploy passing only {new} "
                           f"meets Rule {rule}")


def _rule(old: str, new: str) -> dict[str, Any]:
    return {"Assertions": [{
        "Assert": {"Fn::Or": [equals(ref(old), ""), equals(ref(old), ref(new))]},
        "AssertDescription": f"{old} is deprecated: pass {new} instead, and {old} as an empty string where an "
                             f"update reuses its stored value. A different value of {old} would change every name built "
                             "from it and replace resources with create-only names.",
    }]}


def _at(value: Any, path: tuple) -> list:
    """The values at `path` below `value` ("*": every item of a list)."""
    if not path:
        return [value]
    if path[0] == "*":
        return [v for item in value for v in _at(item, path[1:])] if isinstance(value, list) else []
    return _at(value[path[0]], path[1:]) if isinstance(value, dict) and path[0] in value else []


def frozen_uses(view: TemplateView, name: str) -> list[str]:
    """Names built from `name` that must not change: create-only properties (FunctionName,
    BucketName ...: a new value replaces the resource) and export names (importers break)."""
    exports = [f"export {oid}" for oid, output in view.outputs.items()
               if isinstance(output, dict) and isinstance(output.get("Export"), dict)
               and name in referenced_names(output["Export"].get("Name"))]
    return create_only_uses(view, name) + exports


def create_only_uses(view: TemplateView, name: str) -> list[str]:
    """Resource.Property of create-only properties (FunctionName, BucketName ...) built from `name`."""
    from autofix.create_only import CREATE_ONLY

    found = []
    for rid, res in view.resources.items():
        rtype = res.get("Type") if isinstance(res, dict) else None
        paths = CREATE_ONLY.get(rtype, ()) if isinstance(rtype, str) else ()  # SAM types included
        props = view.props(res) if paths else None
        if not isinstance(props, dict):
            continue
        for path in paths:
            if any(name in referenced_names(v) for v in _at(props, path)):
                found.append(f"{rid}.{'.'.join(path)}")
    return found


def _listed(names: list[str]) -> str:
    return ", ".join(names[:3]) + (" ..." if len(names) > 3 else "")


def _callers_message(old: str, new: str, rule: str) -> str:
    return (f"{old}: every name built from it now uses {new}. Deploy pipelines, parameter files and samconfig "
            f"parameter_overrides that pass {old} should pass {new} instead; {old} stays declared so they do "
            f"not fail meanwhile. Where one passes another value for {old} than for {new}, the names built from "
            f"{old} would change (a create-only name such as FunctionName or BucketName replaces its resource): "
            f"Rule {rule} stops such a deploy before anything changes. A deploy that leaves {old} out gets its "
            f"Default ''; but a stack update that reuses the value stored for {old} (UsePreviousValue: "
            f"aws cloudformation deploy does so for every parameter it is not given) keeps the old value, and a "
            f"new value of {new} then fails Rule {rule}: pass {old}='' on that update (later ones reuse '')")


def carried_constraints(keep: dict, drop: dict) -> dict[str, Any]:
    """Constraints of the dropped parameter the kept one lacks; names built from it stay valid."""
    return {k: drop[k] for k in CONSTRAINTS if k in drop and k not in keep}


def parameter_conflict(keep: Any, drop: Any) -> str | None:
    """Why merging parameter spec `drop` into `keep` would change what the template means."""
    if not isinstance(keep, dict) or not isinstance(drop, dict):
        return "a parameter is not a mapping"
    if keep.get("Type") != drop.get("Type"):
        return f"types differ ({keep.get('Type')} vs {drop.get('Type')})"
    if drop.get("Type") != "String":
        # Kept for callers, it needs Default '' so that a deploy leaving it out meets the Rule.
        return (f"its Type is {drop.get('Type')}: kept for callers, it would need Default '' so that a deploy "
                "leaving it out passes the template Rule, and '' is no number, list or resource id")
    for key in CONSTRAINTS[:-1]:
        if key in keep and key in drop and keep[key] != drop[key]:
            return f"{key} differ"
    if "Default" in drop and str(drop["Default"]) != str(keep.get("Default")):
        # Stacks deployed with defaults would see every name built from the dropped one change.
        return f"defaults differ ({drop['Default']!r} vs {keep.get('Default', 'none')!r})"
    if "Default" in keep and not _satisfies(str(keep["Default"]), drop):
        return f"the default {keep['Default']!r} breaks the other parameter's constraints"
    return None


def _satisfies(value: str, spec: dict) -> bool:
    allowed = spec.get("AllowedValues")
    if isinstance(allowed, list) and value not in [str(a) for a in allowed]:
        return False
    pattern = spec.get("AllowedPattern")
    try:
        if isinstance(pattern, str) and not re.fullmatch(pattern, value):
            return False
    except re.error:
        return False  # a pattern Python cannot read: do not guess
    low, high = spec.get("MinLength"), spec.get("MaxLength")
    return not (isinstance(low, int) and len(value) < low or isinstance(high, int) and len(value) > high)


def reference_count(view: TemplateView, name: str) -> int:
    """How often `name` is referred to (Ref, Sub) outside the Parameters section."""
    return sum(1 for key, section in view.data.items() if key != "Parameters"
               for found in referenced_names(section) if found == name)
