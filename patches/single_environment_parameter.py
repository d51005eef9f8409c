"""PARAM001: one environment parameter instead of EnvironmentSuffix and Environment side by side."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from autofix.edits import Advice, Proposal, SetKey, Skip
from autofix.registry import UNSAFE, Patch
from autofix.view import TemplateView

from ._env import (
    ENV_NAMES,
    carried_constraints,
    parameter_conflict,
    reference_count,
    rename_problems,
    rename_references,
)


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
        "metadata at it, then deletes the other. Kept: option `keep`, else the most referenced one\n"
        "(ties: EnvironmentSuffix first); it takes over constraints (AllowedPattern ...) only the\n"
        "removed one had. Refuses when the two differ in Type or in a constraint both declare, or\n"
        "when the removed one has a Default the kept one does not share (stacks deployed with\n"
        "defaults would rename their resources). Unsafe: pipelines that pass the removed\n"
        "parameter must stop passing it, or the deployment fails."
    )

    @dataclass(frozen=True)
    class Options:
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
        yield from self._carry_constraints(view, renames)
        yield from rename_references(view, renames)
        for old, new in renames.items():
            yield Advice(("Parameters", new),
                         f"{new}: replaces {old}; deploy pipelines, parameter files and samconfig "
                         f"parameter_overrides that pass {old} must pass {new} instead "
                         "(CloudFormation rejects parameters the template does not declare)")

    def _merge_group(self, view: TemplateView, present: list[str], renames: dict[str, str]) -> Iterator[Skip]:
        if len(present) < 2 or any(n in renames or n in renames.values() for n in present):
            return
        keep = self._keep(view, present)
        spec = view.parameters[keep]
        merged = dict(spec) if isinstance(spec, dict) else {}  # with the constraints it takes over
        for name in present:
            if name == keep:
                continue
            conflict = parameter_conflict(merged, view.parameters[name])
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

    def _keep(self, view: TemplateView, present: list[str]) -> str:
        if self.options.keep in present:
            return self.options.keep
        counts = {name: reference_count(view, name) for name in present}
        return max(present, key=lambda n: (counts[n], -present.index(n)))
