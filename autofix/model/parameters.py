"""The parameters and conditions patches need, as `Need`s the engine declares once per run.

    name = yield from view.need(parameter("P", spec))

A parameter of that name serves only when it fits the intended use (same Type, and its Default,
AllowedValues and bounds within what `spec` allows); a condition only when it is the very
condition wanted. Otherwise the engine uses the first free name among `P2`, `P3`... (or the first
of them that serves already, as on a second run), so two patches needing the same parameter
agree, and a run stays idempotent (see `TemplateView.need`).
"""

from __future__ import annotations

import re
from typing import Any

from autofix.edits import Need
from autofix.values import equals, not_, ref


def parameter(name: str, spec: dict[str, Any], message: str = "") -> Need:
    """Parameter `name` declared as `spec`; an existing one serves when it fits `spec`.
    `{name}` in `message` becomes the name chosen, so the message never names the one not taken."""
    return Need("Parameters", name, spec, message, lambda found: _unfit(found, spec))


def not_equals_condition(name: str, parameter: str, sentinel: Any) -> Need:
    """Condition `name: !Not [!Equals [!Ref parameter, sentinel]]` (either order serves)."""
    return Need("Conditions", name, not_(equals(ref(parameter), sentinel)),
                f"add condition {{name}} ({parameter} not {sentinel})",
                lambda found: None if _same_test(found, parameter, sentinel) else "is another condition")


def condition(name: str, value: Any, message: str = "") -> Need:
    """Condition `name: value`; only a condition that is exactly `value` serves."""
    return Need("Conditions", name, value, message or "add condition {name}",
                lambda found: None if found == value else "is another condition")


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
