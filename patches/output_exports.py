"""OUT001: the author's outputs are exported under stack-prefixed names (new resources only on request)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import Proposal, SetKey, Skip
from autofix.kinds import Phase
from autofix.registry import SAFE, Patch, PatchOptions
from autofix.semantics.exports import changing_attribute, frozen_reason
from autofix.values import (
    ref,
    ref_target,
    referenced_names,
    sub,
    sub_parts,
    sub_variables,
    text_of,
)
from autofix.view import TemplateView

MAX_OUTPUTS = 200  # E6010
MAX_EXPORT_NAME, MAX_STACK_NAME = 255, 128
# Types whose new instances (made by cfn-fix in this run) other stacks are likely to need.
SHARED_TYPES = {"AWS::Logs::LogGroup": "log group", "AWS::S3::Bucket": "bucket"}
_LIST_FUNCTIONS = ("Fn::Split", "Fn::GetAZs", "Fn::Cidr")


class OutputExports(Patch):
    id = "OUT001"
    name = "output-exports"
    title = "Export the template's outputs under stack-prefixed names"
    safety = SAFE
    resource_types = tuple(SHARED_TYPES)
    phase = Phase.DECORATE  # after every patch that creates what is output here
    resolves = ()
    explanation = (
        "Every output the author wrote without Export gets Export: {Name: !Sub\n"
        "'${AWS::StackName}-<OutputId>'}; the stack name prefix keeps export names unique per\n"
        "account and Region. An export freezes its value: while another stack imports it,\n"
        "CloudFormation refuses any update that changes or removes the output, so the exporting\n"
        "stack's callers (importers) decide when it may change. Hence never exported: pseudo\n"
        "parameters (Ref AWS::Region and the like: every stack can read them itself), state-like\n"
        "attributes (.State, .Status) and other values that change on their own (a Config rule's\n"
        "Compliance.Type; an EC2 instance's PublicIp and PublicDnsName, new after a stop and start\n"
        "without an Elastic IP), outputs of resources cfn-fix\n"
        "created in this run, list values, export names already in use, and anything beyond\n"
        "CloudFormation's 200 outputs. Option export_new_resources (off by default) also outputs\n"
        "and exports the log groups and buckets other cfn-fix patches created in this run (Ref,\n"
        "with the resource's Condition). Nothing is billed; nothing account-wide is set."
    )

    class Options(PatchOptions):
        export_new_resources: bool = False

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        outputs = view.outputs
        names = {text_of(out["Export"].get("Name")) for out in outputs.values()
                 if isinstance(out, dict) and isinstance(out.get("Export"), dict)}
        for oid, out in outputs.items():
            if not isinstance(out, dict) or "Export" in out or not str(oid).isalnum():
                continue
            reason = _not_exportable(view, out.get("Value"))
            created = sorted(set(referenced_names(out.get("Value"))) & view.created)
            if reason is None and created:
                reason = f"it refers to {', '.join(created)}, which cfn-fix created in this run"
            name = export_name(oid)
            if reason is None and name in names:
                reason = f"export name {name} is already used"
            if reason is None and len(oid) > MAX_EXPORT_NAME - MAX_STACK_NAME - 1:
                reason = f"with a {MAX_STACK_NAME}-character stack name the export name would pass {MAX_EXPORT_NAME}"
            if reason:
                yield Skip(("Outputs", oid), f"{oid}: not exported: {reason}")
                continue
            names.add(name)
            yield SetKey(("Outputs", oid), "Export", {"Name": sub(name)}, f"{oid}: export as {name}")
        if self.options.export_new_resources:
            yield from self._new_resources(view, names)

    @staticmethod
    def _new_resources(view: TemplateView, names: set) -> Iterator[Proposal]:
        count = len(view.outputs)
        output_refs = {ref_target(o.get("Value")) for o in view.outputs.values() if isinstance(o, dict)}
        for rid, res in view.resources.items():
            if rid not in view.created or view.type_of(rid) not in SHARED_TYPES or rid in output_refs:
                continue
            oid = view.unique_id(f"{rid}Name")
            if count >= MAX_OUTPUTS or export_name(oid) in names:
                why = f"the template has {count} outputs" if count >= MAX_OUTPUTS else f"{export_name(oid)} is taken"
                yield Skip(("Resources", rid), f"{rid}: no output added ({why})")
                continue
            count += 1
            output: dict[str, Any] = {"Description": f"Name of the {SHARED_TYPES[res['Type']]} {rid}"}
            if "Condition" in res:
                output["Condition"] = res["Condition"]  # W1001: same condition as what it refers to
            output.update({"Value": ref(rid), "Export": {"Name": sub(export_name(oid))}})
            yield SetKey(("Outputs",), oid, output, f"{rid}: output and export {oid}")


def export_name(oid: str) -> str:
    return f"${{AWS::StackName}}-{oid}"


def _not_exportable(view: TemplateView, value: Any) -> str | None:
    """Why an output value cannot be exported (exports hold one string), or None."""
    if value is None or isinstance(value, list):
        return "its value is missing or a list"
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _LIST_FUNCTIONS:
        return f"its value is a list ({next(iter(value))})"
    frozen = frozen_reason(value)
    pseudo = _pseudo_parameters(value) if frozen else []
    if pseudo:
        return f"its value is {_listed_pseudo(pseudo)}, {_nothing_to_share(pseudo)}"
    if frozen:
        return f"its value is {frozen}, which changes on its own, and an export cannot change while " \
               "another stack imports it"
    changing = changing_attribute(value, view.type_of)
    if changing:
        return f"it holds {changing}; an export cannot change while another stack imports it, so importers " \
               "would hold a stale value or block this stack's updates"
    target = ref_target(value)
    param = view.parameters.get(target) if target else None
    kind = param.get("Type") if isinstance(param, dict) else None
    if isinstance(kind, str) and (kind.startswith("List<") or kind == "CommaDelimitedList"):
        return f"its value is a list parameter ({target})"
    return None


# The same in every stack that can import from this one (imports stay in one account and Region).
_SHARED_BY_ALL = ("AWS::Region", "AWS::Partition", "AWS::AccountId", "AWS::URLSuffix")


def _pseudo_parameters(value: Any) -> list[str]:
    """The pseudo parameters a value is made of (Ref, or a Sub of nothing else), else []."""
    target = ref_target(value)
    parts = sub_parts(value)
    names = [target] if target else list(dict.fromkeys(sub_variables(parts[0]))) if parts else []
    return names if names and all(n.startswith("AWS::") for n in names) else []


def _listed_pseudo(names: list[str]) -> str:
    if len(names) == 1:
        return f"the pseudo parameter {names[0]}"
    return f"made of the pseudo parameters {', '.join(names)}"


def _nothing_to_share(names: list[str]) -> str:
    if all(n in _SHARED_BY_ALL for n in names):
        return "which an importing stack (same account and Region) reads itself: there is nothing to share"
    also = " or reads itself" if any(n in _SHARED_BY_ALL for n in names) else ""
    return f"which an importing stack already knows (export names start with it){also}: there is nothing to share"
