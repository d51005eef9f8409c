"""Exports freeze their value: CloudFormation refuses to change or remove an exported output
while another stack imports it (Fn::ImportValue docs). So nothing exported may be a value
that is not the stack's to pin: a pseudo parameter (the same for every stack in the Region;
an importer can read it itself), or a state-like attribute (State, Status ...) that changes
on its own while every importer holds the exporting stack's updates hostage, or another
attribute whose value changes without CloudFormation (CHANGING: a Config rule's compliance, an
instance's public address)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Callable
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


# Attributes whose value changes without CloudFormation, which the state-like name filter
# (.State, .Status) does not catch: what each one is.
CHANGING = {
    ("AWS::Config::ConfigRule", "Compliance.Type"): "the rule's current compliance result (AWS Config "
                                                    "re-evaluates it)",
    ("AWS::EC2::Instance", "PublicIp"): "the instance's public IPv4 address, which EC2 releases when the "
                                        "instance stops and replaces when it starts (unless an Elastic IP "
                                        "is associated)",
    ("AWS::EC2::Instance", "PublicDnsName"): "the instance's public DNS name, which follows its public IPv4 "
                                             "address: a new one after a stop and start (unless an Elastic "
                                             "IP is associated)",
}


def changing_attribute(value: Any, type_of: Callable[[str], str | None]) -> str | None:
    """`Resource.Attribute, what it is` for the first CHANGING attribute anywhere in `value`, else None."""
    for rid, att in _attributes(value):
        what = CHANGING.get((type_of(rid), att))
        if what:
            return f"{rid}.{att}, {what}"
    return None


def _attributes(value: Any) -> Iterator[tuple[str, str]]:
    """(resource, attribute) of every Fn::GetAtt and ${Resource.Attribute} anywhere in `value`."""
    if isinstance(value, list):
        for item in value:
            yield from _attributes(item)
        return
    if not isinstance(value, dict):
        return
    att = getatt_target(value)
    if att is not None:
        yield att
        return
    parts = sub_parts(value)
    if parts is not None:
        text, local = parts
        for name in sub_variables(text):
            if "." in name and name not in local:
                resource, _, attribute = name.partition(".")
                yield resource, attribute
        value = local
    for item in value.values():
        yield from _attributes(item)


def no_frozen_pseudo_or_state_exports(t: Deployed) -> Iterator[Violation]:
    """No output exports a pseudo parameter, a state-like attribute or a CHANGING one."""
    outputs = t.section("Outputs")
    for oid, out in outputs.items():
        if not isinstance(out, dict) or not isinstance(out.get("Export"), dict):
            continue
        changing = changing_attribute(out.get("Value"), t.type_of)
        reason = frozen_reason(out.get("Value")) or changing
        if reason:
            yield Violation("no_frozen_pseudo_or_state_exports", str(oid),
                            f"exports {reason}; an imported export cannot change, so every importer "
                            "would block this stack's updates")


INVARIANTS = (no_frozen_pseudo_or_state_exports,)
