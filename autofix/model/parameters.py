"""Shared by patches: template parameters and conditions they need, added once.

Both helpers return the name to use, which is the asked-for name unless the template holds
that name for something else: `name = yield from ensure_parameter(view, "P", spec)`. A
parameter of that name is reused only when it fits the intended use (same Type, and its
Default, AllowedValues and bounds within what `spec` allows); a condition only when it is
the very condition wanted. Otherwise the first free name among `P2`, `P3`... is used (or the
first of them that is a fitting parameter already, as on a second run), so two patches
asking for the same parameter agree, and a run stays idempotent. Names are free when no
section (Parameters, Resources, Conditions, Mappings, Outputs) holds them.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from typing import Any

from autofix.edits import SetKey
from autofix.values import equals, not_, ref
from autofix.view import TemplateView

Proposals = Generator[SetKey, None, str]


def ensure_parameter(view: TemplateView, name: str, spec: dict[str, Any], message: str = "") -> Proposals:
    """Declare parameter `name` (or a free variant of it) unless a fitting one exists; return its name.
    `{name}` in `message` becomes the name chosen, so the message never names the one not taken."""
    chosen, new, why = _parameter_choice(view, name, spec)
    if new:
        view.pending[("Parameters", chosen)] = spec
        text = message.replace("{name}", chosen) if message else f"add parameter {chosen}"
        yield SetKey(("Parameters",), chosen, spec, f"{text} ({why})" if why else text)
    return chosen


def ensure_not_equals_condition(view: TemplateView, name: str, parameter: str, sentinel: Any) -> Proposals:
    """Add `name: !Not [!Equals [!Ref parameter, sentinel]]` unless that condition exists; return its name."""
    chosen, new, why = _condition_choice(view, name, parameter, sentinel)
    if new:
        wanted = not_(equals(ref(parameter), sentinel))
        view.pending[("Conditions", chosen)] = wanted
        text = f"add condition {chosen} ({parameter} not {sentinel})"
        yield SetKey(("Conditions",), chosen, wanted, f"{text}; {why}" if why else text)
    return chosen


def ensure_condition(view: TemplateView, name: str, value: Any, message: str = "") -> Proposals:
    """Add condition `name: value` unless a condition of that name is exactly `value`; return its name."""
    chosen, new, why = _choose(view, "Conditions", name, lambda found: None if found == value else "is another condition")
    if new:
        view.pending[("Conditions", chosen)] = value
        text = message.replace("{name}", chosen) if message else f"add condition {chosen}"
        yield SetKey(("Conditions",), chosen, value, f"{text} ({why})" if why else text)
    return chosen


def parameter_name(view: TemplateView, name: str, spec: dict[str, Any]) -> str:
    """The name `ensure_parameter(view, name, spec)` would use, without proposing anything
    (for a patch that builds its edits first and declares the parameter only if they use it)."""
    return _parameter_choice(view, name, spec)[0]


def condition_name(view: TemplateView, name: str, parameter: str, sentinel: Any) -> str:
    """The name `ensure_not_equals_condition(view, name, parameter, sentinel)` would use."""
    return _condition_choice(view, name, parameter, sentinel)[0]


def _parameter_choice(view: TemplateView, name: str, spec: dict[str, Any]) -> tuple[str, bool, str]:
    return _choose(view, "Parameters", name, lambda found: _unfit(found, spec))


def _condition_choice(view: TemplateView, name: str, parameter: str, sentinel: Any) -> tuple[str, bool, str]:
    return _choose(view, "Conditions", name,
                   lambda found: None if _same_test(found, parameter, sentinel) else "is another condition")


def _choose(view: TemplateView, section: str, name: str, unfit: Any) -> tuple[str, bool, str]:
    """(the name to use, whether to add it, why it is not `name`, or "")."""
    reason = ""
    for candidate in _candidates(name):
        if (section, candidate) in view.pending:  # proposed by this patch already: the same entry
            return candidate, False, ""
        holder = view.name_holder(candidate)
        if holder is None:
            return candidate, True, reason
        if holder == section:
            why = unfit(view.section(section)[candidate])
            if why is None:
                return candidate, False, ""
        else:
            why = "names a resource" if holder == "Resources" else \
                "is a name this run reserved" if holder == "reserved" else f"is in {holder}"
        reason = reason or f"{candidate} {why}"
    raise AssertionError("unreachable")  # pragma: no cover - _candidates never ends


def _candidates(name: str) -> Iterator[str]:
    yield name
    n = 2
    while True:
        yield f"{name}{n}"
        n += 1


# ---------------------------------------------------------------- fitting parameters


def _unfit(found: Any, spec: dict[str, Any]) -> str | None:
    """Why parameter declaration `found` cannot serve where `spec` is intended, or None."""
    if not isinstance(found, dict):
        return "is not a parameter declaration"
    kind = found.get("Type")
    if kind != spec.get("Type"):
        return f"is a {kind} parameter" if isinstance(kind, str) else "has no Type"
    values = ([found["Default"]] if "Default" in found else []) + \
        (found["AllowedValues"] if isinstance(found.get("AllowedValues"), list) else [])
    for value in values:
        if not _admits(spec, value):
            return f"allows {value!r}"
    for bound, worse in (("MinValue", lambda mine, wanted: mine < wanted),
                         ("MaxValue", lambda mine, wanted: mine > wanted)):
        mine, wanted = _number(found.get(bound)), _number(spec.get(bound))
        if mine is not None and wanted is not None and worse(mine, wanted):
            return f"has {bound} {found[bound]}"
    return None


def _admits(spec: dict[str, Any], value: Any) -> bool:
    """Whether `spec` allows `value` (as CloudFormation compares: numbers by value, else as text)."""
    allowed = spec.get("AllowedValues")
    if isinstance(allowed, list) and str(value) not in {str(v) for v in allowed}:
        return False
    if spec.get("Type") == "Number":
        number = _number(value)
        if number is None:
            return False
        low, high = _number(spec.get("MinValue")), _number(spec.get("MaxValue"))
        return (low is None or number >= low) and (high is None or number <= high)
    pattern = spec.get("AllowedPattern")
    return not isinstance(pattern, str) or re.fullmatch(pattern, str(value)) is not None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _same_test(found: Any, parameter: str, sentinel: Any) -> bool:
    """Whether condition `found` is `!Not [!Equals [!Ref parameter, sentinel]]` (either order)."""
    inner = found.get("Fn::Not") if isinstance(found, dict) and len(found) == 1 else None
    if not (isinstance(inner, list) and len(inner) == 1 and isinstance(inner[0], dict) and len(inner[0]) == 1):
        return False
    pair = inner[0].get("Fn::Equals")
    if not (isinstance(pair, list) and len(pair) == 2):
        return False
    return any(a == ref(parameter) and str(b) == str(sentinel) and not isinstance(b, dict | list)
               for a, b in (pair, pair[::-1]))
