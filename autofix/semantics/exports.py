"""Exports freeze their value: CloudFormation refuses to change or remove an exported output
while another stack imports it (Fn::ImportValue docs). So nothing exported may be a value
that is not the stack's to pin: a pseudo parameter (the same for every stack in the Region;
an importer can read it itself), or a state-like attribute (State, Status ...) that changes
on its own while every importer holds the exporting stack's updates hostage."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..values import getatt_target, ref_target, sub_parts, sub_replace, sub_variables
from .model import Deployed, Violation

_STATE_ATTRIBUTE = re.compile(r"(State|Status)(Reason|Message|Code)?$")


def _frozen_part(name: str) -> str | None:
    """What is wrong with exporting `${name}` (a Sub variable) or Ref/GetAtt of it, or None."""
    if name.startswith("AWS::"):
        return f"the pseudo parameter {name}"
    if "." in name and _STATE_ATTRIBUTE.search(name.rsplit(".", 1)[1]):
        return f"the state-like attribute {name}"
    return None


def frozen_reason(value: Any) -> str | None:
    """Why an output value must not be exported (it is a pseudo parameter or a state), else None."""
    target = ref_target(value)
    if target is not None:
        return _frozen_part(target)
    att = getatt_target(value)
    if att is not None:
        return _frozen_part(f"{att[0]}.{att[1]}")
    parts = sub_parts(value)
    if parts is None:
        return None
    text, local = parts
    names = list(sub_variables(text))
    if any(n in local for n in names):
        return None
    reasons = [_frozen_part(n) for n in names]
    state = next((r for r in reasons if r and "state" in r), None)
    if state:
        return state  # a state anywhere in the text changes the exported value
    if names and all(reasons) and not sub_replace(text, lambda _: "").strip("-_:/. "):
        return reasons[0]  # nothing but pseudo parameters
    return None


def no_frozen_pseudo_or_state_exports(t: Deployed) -> Iterator[Violation]:
    """No output exports a pseudo parameter or a state-like attribute."""
    outputs = t.section("Outputs")
    for oid, out in outputs.items():
        if not isinstance(out, dict) or not isinstance(out.get("Export"), dict):
            continue
        reason = frozen_reason(out.get("Value"))
        if reason:
            yield Violation("no_frozen_pseudo_or_state_exports", str(oid),
                            f"exports {reason}; an imported export cannot change, so every importer "
                            "would block this stack's updates")


INVARIANTS = (no_frozen_pseudo_or_state_exports,)
