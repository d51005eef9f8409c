"""LAM007: active X-Ray tracing on functions, with the role permission to send the traces."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import Advice, AppendItem, Proposal, SetKey, Skip
from autofix.model import lambdas as lam
from autofix.model.lambdas import XRAY_MANAGED
from autofix.model.role_policies import policies_naming_role
from autofix.model.serving import (
    deploy_time_only,
    edge_reason,
    sampling_rule_saving,
    trace_volume,
    traced_by_globals,
)
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.values import sub
from autofix.view import TemplateView

XRAY_POLICY = "arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
MANAGED_POLICY_QUOTA = 10  # default managed policies per role; more needs a quota increase


# What tracing set on a Lambda@Edge function misses (model.serving.edge_reason).
_EDGE_LOST = "tracing set on the function reaches the edge only with a newly published version, and is traced per Region"

class LambdaTracing(Patch):
    id = "LAM007"
    name = "lambda-tracing"
    title = "Turn on active X-Ray tracing for Lambda functions"
    safety = UNSAFE
    resource_types = lam.FUNCTION_TYPES + ("AWS::IAM::Role", "AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", lam.ALIAS,
                                           lam.VERSION)
    explanation = (
        "Sets TracingConfig: {Mode: Active} on functions without a TracingConfig (SAM: Tracing: Active,\n"
        "once in Globals.Function when the template has that section and every SAM function may be\n"
        "traced). Lambda refuses to create or update a function with active tracing when its role lacks\n"
        "xray:PutTraceSegments and xray:PutTelemetryRecords (InvalidParameterValueException), so a\n"
        "function is traced only where its role will allow them: a role defined in the template (!GetAtt\n"
        "Role.Arn, also on both branches of an !If) gets the managed policy AWSXRayDaemonWriteAccess\n"
        "unless it already grants X-Ray, and SAM adds an X-Ray policy itself to the roles it creates. On a\n"
        "deployed stack that policy and tracing arrive in one update, and Lambda may check the role before\n"
        "IAM has it (an intermittent refusal): the advice says how to deploy them in two steps. A\n"
        "function whose role is outside the template (a parameter, an import, a literal ARN,\n"
        "Globals.Function.Role), whose role cannot take the policy (computed ManagedPolicyArns, 10\n"
        "managed policies already) or has a permissions boundary not seen to allow X-Ray (the role's\n"
        "permissions are what both allow; SAM's PermissionsBoundary too) is skipped, saying what to grant first (with mode PassThrough,\n"
        "Lambda's default, which nothing checks, it gets advice). Functions only called at deploy time\n"
        "(custom-resource providers, macro handlers) and Lambda@Edge functions (CloudFront runs a\n"
        "published version) are skipped (and keep Globals out of it). X-Ray\n"
        "bills $5.00 per million traces recorded beyond 100,000 a month; the default sampling rule\n"
        "records 1 request per second plus 5%, about 5,000 traces/s at 100k requests/s (about $65,000 a\n"
        "month). Lambda's own sampling cannot be lowered by a sampling rule; behind a traced API it\n"
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
        left = []
        for rid in plain + serverless:
            reason, path = deploy_time_only(view, rid) or edge_reason(view, rid, _EDGE_LOST), ("Resources", rid)
            if not reason and mode == "Active":  # PassThrough is Lambda's default: it checks no role
                reason, path = untraceable(view, rid), _role_path(view, rid)
            if reason:
                left.append(rid)
                yield Skip(path, reason)
        plain = [rid for rid in plain if rid not in left]
        # Globals would trace the functions left out too.
        sam_global = view.is_sam and isinstance(view.section("Globals").get("Function"), dict) \
            and not any(rid in left for rid in serverless)
        serverless = [rid for rid in serverless if rid not in left]
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
        if mode == "Active":
            yield from _propagation_advice(view, plain + serverless, roles)
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
        roles = template_roles(view, value)
        if roles is None and (value is not None or view.type_of(rid) != lam.SAM_FUNCTION):
            # only with mode PassThrough (Active left the function untraced): traces a caller sampled are lost
            yield Advice(_role_path(view, rid), f"{rid}: its role is not defined in this template; make sure "
                         "it allows xray:PutTraceSegments and xray:PutTelemetryRecords")
        for role in roles or []:
            if role in done or role_grants_xray(view, role) or _cannot_take_policy(view, role):
                continue  # a role that cannot take it left its functions untraced (mode Active)
            done.add(role)
            props = ("Resources", role, "Properties")
            message = f"{role}: allow {rid} to send X-Ray traces"
            if view.get(props + ("ManagedPolicyArns",)) is None:
                yield SetKey(props, "ManagedPolicyArns", [sub(XRAY_POLICY)], message)
            else:
                yield AppendItem(props + ("ManagedPolicyArns",), sub(XRAY_POLICY), message)


def _propagation_advice(view: TemplateView, traced: list[str], attached: set[str]) -> Iterator[Proposal]:
    """Tracing and the X-Ray policy it needs arrive in one update: Lambda may check the role first."""
    racing = [rid for rid in traced
              if (view.type_of(rid) == lam.SAM_FUNCTION and "Role" not in view.props(view.resources[rid]))
              or any(role in attached for role in template_roles(view, view.props(view.resources[rid]).get("Role")) or [])]
    if racing:
        yield Advice(("Resources", racing[0]), (
            f"{', '.join(racing)}: on a stack already deployed, the role gets its X-Ray policy in the same "
            "update that turns tracing on, and Lambda may check the role before IAM has the policy and refuse "
            "('The provided execution role does not have permissions to call PutTraceSegments on XRAY'; "
            "intermittent, aws/serverless-application-model#225). If it does, deploy the role's policy first "
            "(this repair without the tracing lines), then the tracing"))


def untraceable(view: TemplateView, rid: str) -> str | None:
    """Why active tracing would make Lambda refuse function `rid` (its role may lack X-Ray access), or None."""
    props = view.props(view.resources[rid])
    sam = view.type_of(rid) == lam.SAM_FUNCTION
    if "Role" not in props and sam and "Role" in view.globals("Function"):
        shown = f"{_shown(view.globals('Function')['Role'])} from Globals.Function.Role, which SAM does not accept"
        return _refusal(rid, f"its role ({shown}) is not one cfn-fix can see", ATTACH, sam)
    if "Role" not in props and sam:  # SAM creates the role and attaches its X-Ray policy, within any boundary
        boundary = props.get("PermissionsBoundary", view.globals("Function").get("PermissionsBoundary"))
        problem = _boundary_problem(view, boundary)
        return _refusal(rid, f"the role SAM creates for it {problem}", BOUNDARY, sam) if problem else None
    value = props.get("Role")
    if value is None:
        return _refusal(rid, "it names no role (CloudFormation requires one)", ATTACH, sam)
    roles = template_roles(view, value)
    if roles is None:
        conditional = isinstance(value, dict) and "Fn::If" in value
        where = "may be a role outside this template" if conditional else "is not a role defined in this template"
        return _refusal(rid, f"its role ({_shown(value)}) {where}", ATTACH, sam)
    for role in roles:
        boundary = _boundary_problem(view, view.props(view.resources[role]).get("PermissionsBoundary"))
        problem = (boundary, BOUNDARY) if boundary else None if role_grants_xray(view, role) \
            else _cannot_take_policy(view, role)
        if problem:
            return _refusal(rid, f"its role {role} {problem[0]}", problem[1], sam)
    return None


def _boundary_problem(view: TemplateView, boundary: Any) -> str | None:
    """Why a role's permissions boundary may keep it from writing traces (the role's permissions
    are what both its policies and its boundary allow), or None: no boundary, or one that allows
    X-Ray (a policy of this template that does, or an AWS managed policy that does)."""
    if boundary is None:
        return None
    named = boundary.get("Ref") if isinstance(boundary, dict) and len(boundary) == 1 else None
    if isinstance(named, str) and view.type_of(named) == "AWS::IAM::ManagedPolicy":
        if _allows_xray(view.props(view.resources[named]).get("PolicyDocument")):
            return None
    arn = boundary.get("Fn::Sub") if isinstance(boundary, dict) and len(boundary) == 1 else boundary
    if isinstance(arn, str) and ":iam::aws:policy/" in arn and arn.rsplit("/", 1)[-1] in BOUNDARIES_WITH_XRAY:
        return None
    return f"has a permissions boundary ({_shown(boundary)}) that may not allow X-Ray"


# AWS managed policies that allow writing traces, as a permissions boundary.
BOUNDARIES_WITH_XRAY = (*XRAY_MANAGED, "AdministratorAccess", "PowerUserAccess")


ATTACH = f"attach {XRAY_POLICY} to that role"
BOUNDARY = "allow both actions in that permissions boundary too"
INLINE = "allow both actions in an inline policy of that role (or raise its managed-policy quota)"


def _refusal(rid: str, why: str, fix: str, sam: bool) -> str:
    setting = "Tracing: Active" if sam else "TracingConfig: {Mode: Active}"
    return (f"{rid}: left untraced: {why}, and Lambda refuses active tracing (InvalidParameterValueException) "
            f"when the role lacks xray:PutTraceSegments and xray:PutTelemetryRecords; {fix}, then set {setting}")


def _cannot_take_policy(view: TemplateView, role: str) -> tuple[str, str] | None:
    """(why, what to do instead) when LAM007 cannot add the managed policy to template role `role`."""
    if view.opaque(role):
        return "has computed Properties, which cfn-fix cannot add the policy to", ATTACH
    arns = view.props(view.resources[role]).get("ManagedPolicyArns")
    if arns is not None and not isinstance(arns, list):
        return "has a computed ManagedPolicyArns, which cfn-fix cannot add the policy to", ATTACH
    if isinstance(arns, list) and len(arns) >= MANAGED_POLICY_QUOTA:
        return f"already has {len(arns)} managed policies (the default quota)", INLINE
    return None


def template_roles(view: TemplateView, value: Any) -> list[str] | None:
    """The template's AWS::IAM::Role resources a Role value may name (each branch of an !If), or
    None when any branch names a role outside the template: tracing must hold on every branch."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Fn::If"), list):
        branches = value["Fn::If"][1:]
        found = [template_roles(view, branch) for branch in branches]
        if len(branches) != 2 or any(roles is None for roles in found):
            return None
        return list(dict.fromkeys(role for roles in found for role in roles or []))
    role = lam.template_role(view, value)
    return [role] if role else None


def _role_path(view: TemplateView, rid: str) -> tuple:
    in_props = "Role" in view.props(view.resources[rid])
    return ("Resources", rid, "Properties", "Role") if in_props else ("Resources", rid)


def _shown(value: Any) -> str:
    """A Role value as the user wrote it, short: `!Ref ExecRoleArn`, a literal ARN, `!ImportValue X`."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or len(value) != 1:
        return "a computed value" if value is not None else "none"
    (name, arg), = value.items()
    tag = "!" + name.removeprefix("Fn::")
    if name == "Fn::GetAtt" and isinstance(arg, list):
        arg = ".".join(str(a) for a in arg)
    if name == "Fn::If" and isinstance(arg, list) and arg:
        return f"!If on condition {arg[0]}"
    if isinstance(arg, dict):
        return f"{tag} {_shown(arg)}"
    return f"{tag} {arg}" if isinstance(arg, str) else f"{tag} (computed)"


def role_grants_xray(view: TemplateView, role: str) -> bool:
    """The role (or a policy attached to it here) already allows writing X-Ray traces."""
    props = view.props(view.resources[role])
    arns = props.get("ManagedPolicyArns")
    if any(name in str(arns) for name in XRAY_MANAGED):
        return True
    documents = [p.get("PolicyDocument") for p in props.get("Policies") or [] if isinstance(p, dict)]
    documents += [view.props(res).get("PolicyDocument") for res in policies_naming_role(view, role)]
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
