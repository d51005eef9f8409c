"""Shared by PARAM001 and TAG001: the environment parameter, and renaming a parameter everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import DeleteKey, Proposal, RenameKey, ReplaceValue, dotted
from autofix.values import (
    is_intrinsic,
    referenced_names,
    renamed,
    sub_names,
    sub_parts,
    sub_variables,
)
from autofix.view import TemplateView

# Parameter names that mean "which environment is this stack", most specific first.
ENV_NAMES = ("EnvironmentSuffix", "Environment", "Env", "Stage", "EnvironmentName")
# Parameter types whose Ref is a plain string (usable as a tag value or in a name).
STRING_TYPES = ("String", "AWS::SSM::Parameter::Value<String>")
INTERFACE = "AWS::CloudFormation::Interface"


DEPRECATED = "Deprecated"  # how a Description marks a parameter kept only so callers may still pass it


def is_deprecated(spec: Any) -> bool:
    return isinstance(spec, dict) and str(spec.get("Description", "")).startswith(DEPRECATED)


# ---------------------------------------------------------------- rewriting values


def _sub_problems(value: Any, path: tuple, renames: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(renamed name, reason) for Fn::Sub strings under `path` that cannot be rewritten well."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _sub_problems(item, path + (index,), renames)
        return
    if not isinstance(value, dict):
        return
    parts = sub_parts(value)
    if parts is not None:
        text, local = parts
        for name in sorted(set(sub_variables(text)) & set(renames) - set(local)):
            if renames[name] in local:
                yield name, (f"{_place(path)} has a Fn::Sub local variable named {renames[name]}, which would "
                             f"hide the renamed ${{{name}}}")
            elif "\n" in text:
                yield name, (f"{_place(path)} uses it in a multi-line Fn::Sub string, which would lose its "
                             "block style; rename it there by hand")
    for key, item in value.items():
        yield from _sub_problems(item, path + (key,), renames)


def _place(path: tuple) -> str:
    """Where a value is, as an author names it: `Fn.Code.ZipFile`, `Outputs.Url.Value`."""
    if path[:1] == ("Resources",) and path[2:3] == ("Properties",):
        path = path[1:2] + path[3:]
    elif path[:1] == ("Resources",):
        path = path[1:]
    return dotted(path)


def _mentions(value: Any, names: dict[str, str]) -> bool:
    return any(n in names for n in referenced_names(value))


def _plan(value: Any, path: tuple, renames: dict[str, str], out: list[tuple[tuple, Any]]) -> None:
    """Smallest editable places to replace: intrinsics, or items of an intrinsic's argument list."""
    if not _mentions(value, renames):
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _plan(item, path + (index,), renames, out)
        return
    if not isinstance(value, dict):
        return
    if not is_intrinsic(value):
        for key, item in value.items():
            _plan(item, path + (key,), renames, out)
        return
    key, arg = next(iter(value.items()))
    if key == "Fn::Sub" and isinstance(arg, list) and arg and isinstance(arg[0], str):
        # Two-argument form: the text and the variable map are nodes of their own.
        new_text = renamed(value, renames)["Fn::Sub"][0]
        if new_text != arg[0]:
            out.append((path + (key, 0), new_text))
        for index, item in enumerate(arg[1:], start=1):
            _plan(item, path + (key, index), renames, out)
        return
    if key in ("Ref", "Fn::Sub") or not isinstance(arg, list):
        out.append((path, renamed(value, renames)))
        return
    # A short-form intrinsic has no text of its own, but its argument list does.
    for index, item in enumerate(arg):
        _plan(item, path + (key, index), renames, out)


# ---------------------------------------------------------------- renaming a parameter


def rename_problems(view: TemplateView, renames: dict[str, str]) -> dict[str, str]:
    """Renamed name -> why it cannot be renamed safely."""
    problems: dict[str, str] = {}
    for key, section in view.data.items():
        if key != "Parameters":
            for name, reason in _sub_problems(section, (key,), renames):
                problems.setdefault(name, reason)
    return problems


def rename_references(view: TemplateView, renames: dict[str, str]) -> Iterator[Proposal]:
    """Edits pointing every reference to a key of `renames` at its value (the old names stay declared)."""
    places: list[tuple[tuple, Any]] = []
    for key, section in view.data.items():
        if key != "Parameters":
            _plan(section, (key,), renames, places)
    for path, value in places:
        old_value = view.get(path)
        names = sub_names(old_value) if isinstance(old_value, str) else referenced_names(old_value)
        olds = sorted({n for n in names if n in renames})
        swaps = ", ".join(f"{renames[o]} instead of {o}" for o in olds)
        yield ReplaceValue(path, value, f"{_where(path)}: use {swaps}")
    yield from _interface_edits(view, renames)


def _where(path: tuple) -> str:
    return ".".join(str(p) for p in path[:2]) if path[0] in ("Resources", "Outputs", "Conditions") else str(path[0])


def _interface_edits(view: TemplateView, renames: dict[str, str]) -> Iterator[Proposal]:
    base = ("Metadata", INTERFACE)
    message = f"{INTERFACE}: list " + ", ".join(f"{new} instead of {old}" for old, new in renames.items())
    groups = view.get(base + ("ParameterGroups",))
    if isinstance(groups, list):
        yield from _group_edits(groups, base + ("ParameterGroups",), renames, message)
    labels = view.get(base + ("ParameterLabels",))
    if isinstance(labels, dict):
        present = set(labels)
        for old, new in renames.items():
            if old not in labels:
                continue
            if new in present:
                yield DeleteKey(base + ("ParameterLabels",), old, message)
            else:
                yield RenameKey(base + ("ParameterLabels",), old, new, message)
                present.add(new)


def _group_edits(groups: list, path: tuple, renames: dict[str, str], message: str) -> Iterator[Proposal]:
    """Rename in ParameterGroups, listing each parameter once (the first place it appears)."""
    seen: set[str] = set()
    new_groups: list[Any] = []
    changed: list[int] = []
    for index, group in enumerate(groups):
        names = group.get("Parameters") if isinstance(group, dict) else None
        if not isinstance(names, list):
            new_groups.append(group)
            continue
        kept = []
        for name in names:
            if isinstance(name, str):
                name = renames.get(name, name)
                if name in seen:
                    continue
                seen.add(name)
            kept.append(name)
        if kept != names:
            changed.append(index)
        if kept:
            new_groups.append({**group, "Parameters": kept})
    if not changed:
        return
    if len(new_groups) != len(groups):  # a group emptied out: rewrite the list without it
        yield ReplaceValue(path, new_groups, message)
        return
    for index in changed:
        yield ReplaceValue(path + (index, "Parameters"), new_groups[index]["Parameters"], message)


CONSTRAINTS = ("AllowedValues", "AllowedPattern", "MinLength", "MaxLength", "MinValue", "MaxValue",
               "ConstraintDescription")
