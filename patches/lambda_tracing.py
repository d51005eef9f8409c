"""LAM007: active X-Ray tracing on functions, with the role permission to send the traces."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import Advice, AppendItem, Proposal, SetKey, Skip
from autofix.model import lambdas as lam
from autofix.model.lambdas import POLICY_TYPES, XRAY_MANAGED
from autofix.model.serving import (
    deploy_time_only,
    sampling_rule_saving,
    trace_volume,
    traced_by_globals,
)
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.values import referenced_names, sub
from autofix.view import TemplateView

XRAY_POLICY = "arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
MANAGED_POLICY_QUOTA = 10  # default managed policies per role; more needs a quota increase


class LambdaTracing(Patch):
    id = "LAM007"
    name = "lambda-tracing"
    title = "Turn on active X-Ray tracing for Lambda functions"
    safety = UNSAFE
    resource_types = lam.FUNCTION_TYPES + ("AWS::IAM::Role", "AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", lam.ALIAS,
                                           lam.VERSION)
    explanation = (
        "Sets TracingConfig: {Mode: Active} on functions without a TracingConfig (SAM: Tracing: Active,\n"
        "once in Globals.Function when the template has that section). A function sends traces only if\n"
        "its role may call xray:PutTraceSegments, so a role defined in the template gets the managed\n"
        "policy AWSXRayDaemonWriteAccess unless it already grants X-Ray; roles outside the template get\n"
        "advice. SAM adds the policy itself to roles it creates. Functions only called at deploy time\n"
        "(custom-resource providers, macro handlers) are skipped (and keep Globals out of it). X-Ray\n"
        "bills $5.00 per million traces recorded beyond 100,000 a month; the default sampling rule\n"
        "records 1 request per second plus 5%, about 5,000 traces/s at 100k requests/s (about $65,000\n"
        "a month). Lambda's own sampling cannot be lowered by a sampling rule; behind a traced API it\n"
        "follows the API's decision, and mode PassThrough traces only what a caller sampled. With\n"
        "--target-rps the advice gives the estimate at that rate."
    )

    class Options(PatchOptions):
        mode: str = "Active"
        target_rps: float = 0.0  # set from --target-rps: adds the trace cost estimate

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        mode = self.options.mode
        yield from traced_by_globals(view, "Function", "Tracing", (lam.SAM_FUNCTION,))
        plain = [rid for rid, res in view.of_type(lam.FUNCTION) if "TracingConfig" not in view.props(res)]
        serverless = [rid for rid, res in view.of_type(lam.SAM_FUNCTION)
                      if not view.has_prop(res, "Tracing", "Function")]
        helpers = []
        for rid in plain + serverless:
            reason = deploy_time_only(view, rid)
            if reason:
                helpers.append(rid)
                yield Skip(("Resources", rid), reason)
        plain = [rid for rid in plain if rid not in helpers]
        # Globals would trace the deploy-time helpers too.
        sam_global = view.is_sam and isinstance(view.section("Globals").get("Function"), dict) \
            and not any(rid in helpers for rid in serverless)
        serverless = [rid for rid in serverless if rid not in helpers]
        for rid in plain:
            yield SetKey(("Resources", rid, "Properties"), "TracingConfig", {"Mode": mode},
                         f"{rid}: X-Ray tracing {mode}")
        if serverless and sam_global:
            yield SetKey(("Globals", "Function"), "Tracing", mode, f"Globals.Function: X-Ray tracing {mode}")
        else:
            for rid in serverless:
                yield SetKey(("Resources", rid, "Properties"), "Tracing", mode, f"{rid}: X-Ray tracing {mode}")
        roles: set[str] = set()
        for rid in plain + serverless:
            yield from self._role_access(view, rid, roles)
        if (plain or serverless) and self.options.target_rps > 0 and mode == "Active":
            rps = self.options.target_rps
            yield Advice(("Resources", (plain + serverless)[0]), (
                f"X-Ray cost: {trace_volume(rps)}. Lambda samples invocations no traced caller sampled at "
                "that default rate, which sampling rules do not lower; behind a traced API the function "
                f"follows the API's decision, so lower the rate there: {sampling_rule_saving(rps)}. Or set "
                "LAM007's mode option to PassThrough to trace only requests a caller sampled"))

    def _role_access(self, view: TemplateView, rid: str, done: set[str]) -> Iterator[Proposal]:
        """Let the function's role write traces, once per role."""
        value = view.props(view.resources[rid]).get("Role")
        if value is None and view.type_of(rid) == lam.SAM_FUNCTION:
            return  # SAM creates the role and attaches its X-Ray policy
        role = lam.template_role(view, value)
        if role is None:
            yield Advice(("Resources", rid, "Properties", "Role"), f"{rid}: its role is not defined in this "
                         "template; make sure it allows xray:PutTraceSegments and xray:PutTelemetryRecords")
            return
        if role in done or role_grants_xray(view, role):
            return
        done.add(role)
        props = ("Resources", role, "Properties")
        arns = view.get(props + ("ManagedPolicyArns",))
        message = f"{role}: allow {rid} to send X-Ray traces"
        if arns is None:
            yield SetKey(props, "ManagedPolicyArns", [sub(XRAY_POLICY)], message)
        elif not isinstance(arns, list):
            yield Advice(props + ("ManagedPolicyArns",), f"{role}: add AWSXRayDaemonWriteAccess to its "
                         f"ManagedPolicyArns so {rid} can send traces")
        elif len(arns) >= MANAGED_POLICY_QUOTA:
            yield Skip(props + ("ManagedPolicyArns",), f"{role}: already has {len(arns)} managed policies "
                       f"(the default quota); grant xray:PutTraceSegments inline for {rid}")
        else:
            yield AppendItem(props + ("ManagedPolicyArns",), sub(XRAY_POLICY), message)


def role_grants_xray(view: TemplateView, role: str) -> bool:
    """The role (or a policy attached to it here) already allows writing X-Ray traces."""
    props = view.props(view.resources[role])
    arns = props.get("ManagedPolicyArns")
    if any(name in str(arns) for name in XRAY_MANAGED):
        return True
    documents = [p.get("PolicyDocument") for p in props.get("Policies") or [] if isinstance(p, dict)]
    for rid, res in view.of_type(*POLICY_TYPES):
        if role in set(referenced_names(view.props(res).get("Roles"))):
            documents.append(view.props(res).get("PolicyDocument"))
    return any(_allows_xray(doc) for doc in documents)


def _allows_xray(document: Any) -> bool:
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements if isinstance(statements, list) else []:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action")
        actions = [actions] if isinstance(actions, str) else actions if isinstance(actions, list) else []
        if any(isinstance(a, str) and a.lower() in ("*", "xray:*", "xray:puttracesegments") for a in actions):
            return True
    return False
