"""Shared by the IAM patches: which roles serve Lambda functions, what those functions touch,
and whether a new reference would close a dependency cycle."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from autofix.edits import AppendItem, Edit, SetKey
from autofix.record import record
from autofix.values import getatt_target, is_intrinsic, ref_target, referenced_names, sub
from autofix.view import TemplateView

from .lambdas import FUNCTION_TYPES
from .logs import log_groups
from .role_policies import POLICY_TYPES

LAMBDA_PRINCIPALS = {"lambda.amazonaws.com", "edgelambda.amazonaws.com"}
# Resource types that may refer to a function role without using it themselves.
ROLE_USERS = FUNCTION_TYPES + POLICY_TYPES
LOG_ARN = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
S3_ARN = "arn:${AWS::Partition}:s3:::"


# ---------------------------------------------------------------- roles and functions


def function_role(view: TemplateView, res: dict) -> str | None:
    """The template role a function runs as (`Role: !GetAtt R.Arn`), else None."""
    value = view.props(res).get("Role")
    if value is None and res.get("Type") == "AWS::Serverless::Function" and view.is_sam:
        value = view.globals("Function").get("Role")
    att = getatt_target(value)
    if att and att[1] == "Arn" and view.type_of(att[0]) == "AWS::IAM::Role":
        return att[0]
    return None


def lambda_roles(view: TemplateView) -> dict[str, list[str]]:
    """Role id -> the functions that run as it, in file order."""
    roles: dict[str, list[str]] = {}
    for fid, res in view.of_type(*FUNCTION_TYPES):
        role = function_role(view, res)
        if role:
            roles.setdefault(role, []).append(fid)
    return roles


def role_problem(view: TemplateView, rid: str) -> str | None:
    """Why a role's permissions may serve more than its Lambda functions ('is also assumed by
    ec2.amazonaws.com', said of the role), else None."""
    trust = view.get(("Resources", rid, "Properties", "AssumeRolePolicyDocument"))
    return _trust_problem(trust) or _users_problem(view, rid)


def generated_role_problem(view: TemplateView, fid: str) -> str | None:
    """Why the role SAM generates for a function (`<fid>Role`) may serve more than it, else None."""
    trust = function_settings(view, fid).get("AssumeRolePolicyDocument")
    return (_trust_problem(trust) if trust is not None else None) or _users_problem(view, f"{fid}Role")


def _trust_problem(trust: Any) -> str | None:
    services = set()
    for stmt in _as_list(trust.get("Statement")) if isinstance(trust, dict) else [None]:
        principal = stmt.get("Principal") if isinstance(stmt, dict) else None
        names = principal.get("Service") if isinstance(principal, dict) and len(principal) == 1 else None
        if not all(isinstance(n, str) for n in _as_list(names)) or not names:
            return "has a trust policy that is not a plain service principal"
        services.update(_as_list(names))
    if not services <= LAMBDA_PRINCIPALS:
        return f"is also assumed by {', '.join(sorted(services - LAMBDA_PRINCIPALS))}"
    return None


def _users_problem(view: TemplateView, rid: str) -> str | None:
    others = [r for r in view.referrers(rid) if view.type_of(r) not in ROLE_USERS]
    return f"is also used by {', '.join(sorted(others))}" if others else None


# ---------------------------------------------------------------- what a function touches


def function_settings(view: TemplateView, fid: str) -> dict:
    """A function's properties, with SAM Globals.Function under them (maps merged one level deep)."""
    props = view.props(view.resources[fid])
    if view.type_of(fid) != "AWS::Serverless::Function" or not view.is_sam:
        return props
    merged = dict(view.globals("Function"))
    for key, value in props.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict) and not is_intrinsic(old) and not is_intrinsic(value):
            value = {**old, **value}
        merged[key] = value
    shared, own, environment = _variables(view.globals("Function")), _variables(props), merged.get("Environment")
    if isinstance(shared, dict) and isinstance(own, dict) and isinstance(environment, dict):
        merged["Environment"] = {**environment, "Variables": {**shared, **own}}
    return merged


def _variables(props: dict) -> Any:
    environment = props.get("Environment")
    return environment.get("Variables") if isinstance(environment, dict) else None


def function_buckets(view: TemplateView, fid: str) -> tuple[set[str], str | None]:
    """Template buckets a function reads or writes, and why that set may be incomplete."""
    settings = function_settings(view, fid)
    props = {k: v for k, v in settings.items() if k not in ("Code", "CodeUri", "Role")}
    buckets = {n for n in referenced_names(props) if view.type_of(n) == "AWS::S3::Bucket"}
    # Buckets that notify the function: it reads what they announce.
    buckets |= {b for b in view.referrers(fid) if view.type_of(b) == "AWS::S3::Bucket"}
    variables = _variables(settings)
    for name, value in variables.items() if isinstance(variables, dict) else ():
        if any(view.type_of(n) == "AWS::S3::Bucket" for n in referenced_names(value)):
            continue
        if "BUCKET" in str(name).upper():
            return buckets, f"{fid}: environment variable {name} names a bucket the template does not define"
        source = _outside_bucket(value)
        if source:
            return buckets, f"{fid}: environment variable {name} takes {source}, a bucket the template does not define"
    return buckets, None


def _outside_bucket(value: Any) -> str | None:
    """What in an environment variable's value names a bucket the template does not hold (a
    parameter or import with "bucket" in its name, an S3 ARN or URL), or None: a variable named
    SOURCE fed by !Ref SourceBucketName is read as a bucket as much as one named BUCKET."""
    named = next((n for n in referenced_names(value) if "bucket" in n.lower()), None)
    if named:
        return named
    text = str(value)
    if ":s3:::" in text or "s3://" in text:
        return "an S3 address"
    if "Fn::ImportValue" in text and "bucket" in text.lower():
        return "an imported value"
    return None


@record(frozen=True)
class LogTarget:
    arn: Any  # a value for Resource
    group: str | None  # the template log group, when there is one
    precreated: bool


def function_log_target(view: TemplateView, fid: str) -> LogTarget | None:
    """Where a function writes its logs, when the template says so; else None."""
    settings = function_settings(view, fid)
    config = settings.get("LoggingConfig")
    group = config.get("LogGroup") if isinstance(config, dict) else None
    target = ref_target(group)
    if target and view.type_of(target) == "AWS::Logs::LogGroup":
        return LogTarget({"Fn::GetAtt": [target, "Arn"]}, target, True)
    if isinstance(group, str):
        return LogTarget(sub(f"{LOG_ARN}{group}:*"), None, False)
    if group is not None:
        return None
    name = settings.get("FunctionName")
    literal = name if isinstance(name, str) and "${" not in name else None
    # The group Lambda would create, declared in the template.
    default_names = [{"Fn::Sub": f"/aws/lambda/${{{fid}}}"}, {"Fn::Join": ["", ["/aws/lambda/", {"Ref": fid}]]}]
    if literal:
        default_names.append(f"/aws/lambda/{literal}")
    by_name = view.memo(log_groups).by_name
    hits = [found[0] for found in map(by_name.find, default_names) if found]
    if hits:
        lid = min(hits)[1]  # the first such group in file order
        return LogTarget({"Fn::GetAtt": [lid, "Arn"]}, lid, True)
    if literal:
        return LogTarget(sub(f"{LOG_ARN}/aws/lambda/{literal}:*"), None, False)
    return None


_POLLED_EVENTS = {"SQS", "Kinesis", "DynamoDB", "MSK", "MQ", "SelfManagedKafka", "DocumentDB"}
_NEEDS_MORE = ("VpcConfig", "DeadLetterConfig", "DeadLetterQueue", "KmsKeyArn", "TracingConfig", "Tracing",
               "FileSystemConfigs", "EventInvokeConfig", "Policies", "Connectors")
_CODE_SERVICE = re.compile(r"""(?:client|resource)\(\s*['"]([a-z0-9-]+)['"]|client-([a-z0-9-]+)|new AWS\.(\w+)""")
_FUNCTION_REFERRERS = ("AWS::Lambda::Permission", "AWS::Lambda::Version", "AWS::Lambda::Alias",
                       "AWS::S3::Bucket", "AWS::Logs::LogGroup", "AWS::CloudWatch::Alarm",
                       "AWS::ApiGateway::Method", "AWS::ApiGatewayV2::Integration", "AWS::Events::Rule",
                       "AWS::Lambda::Url")


def other_services(view: TemplateView, fid: str) -> str | None:
    """Evidence that a function needs more than S3 and CloudWatch Logs, else None."""
    props = function_settings(view, fid)
    used = [k for k in _NEEDS_MORE if k in props]
    if used:
        return f"{fid} sets {', '.join(used)}"
    events = props.get("Events")
    events = events if isinstance(events, dict) else {}
    polled = [e for e, spec in events.items() if isinstance(spec, dict) and spec.get("Type") in _POLLED_EVENTS]
    if polled:
        return f"{fid} polls an event source ({', '.join(polled)})"
    own = {k: v for k, v in props.items() if k not in ("Role", "LoggingConfig")}
    foreign = sorted(n for n in set(referenced_names(own)) if view.type_of(n)
                     and view.type_of(n) not in ("AWS::S3::Bucket", "AWS::Logs::LogGroup"))
    if foreign:
        return f"{fid} refers to {', '.join(foreign)}"
    callers = sorted(r for r in view.referrers(fid) if view.type_of(r) not in _FUNCTION_REFERRERS)
    if callers:
        return f"{fid} is used by {', '.join(callers)}"
    code = str(props.get("Code", "")) + str(props.get("InlineCode", ""))
    services = {s.lower() for m in _CODE_SERVICE.finditer(code) for s in m.groups() if s}
    if services - {"s3", "logs", "cloudwatchlogs", "cloudwatch-logs"}:
        return f"{fid}'s code calls {', '.join(sorted(services))}"
    return None


# S3 calls in a function's inline code, by operation name (boto3 `put_object_tagging(`, SDK v2
# `putObjectTagging(`, SDK v3 `PutObjectTaggingCommand`), and the IAM action each needs where it
# is not s3:<operation>. Only operations naming an object or a bucket are read: the others are
# not S3's, or (multipart parts) need PutObject, which the rewrite grants.
_S3_CALL = re.compile(r"\.([a-z]+(?:_[a-z0-9]+)+)\s*\(|\.([a-z]+(?:[A-Z][a-z0-9]*)+)\s*\(|\b([A-Z][A-Za-z0-9]+)Command\b")
_S3_ACTIONS = {
    "ListBuckets": ("s3:ListAllMyBuckets",), "ListObjects": ("s3:ListBucket",), "ListObjectsV2": ("s3:ListBucket",),
    "HeadObject": ("s3:GetObject",), "HeadBucket": ("s3:ListBucket",), "SelectObjectContent": ("s3:GetObject",),
    "DownloadFile": ("s3:GetObject",), "DownloadFileobj": ("s3:GetObject",), "UploadFile": ("s3:PutObject",),
    "UploadFileobj": ("s3:PutObject",), "CopyObject": ("s3:GetObject", "s3:PutObject"),
    "DeleteObjects": ("s3:DeleteObject",), "ListObjectVersions": ("s3:ListBucketVersions",),
}


def code_s3_actions(view: TemplateView, fid: str) -> dict[str, tuple[str, ...]]:
    """The S3 operations the function's inline code calls, with the IAM actions each needs."""
    props = function_settings(view, fid)
    code = str(props.get("Code", "")) + str(props.get("InlineCode", ""))
    found: dict[str, tuple[str, ...]] = {}
    for match in _S3_CALL.finditer(code):
        snake, camel, command = match.groups()
        if snake:
            name = "".join(part.capitalize() for part in snake.split("_"))
        else:
            name = command or camel[0].upper() + camel[1:]
        if "Object" in name or "Bucket" in name:
            found[name] = _S3_ACTIONS.get(name, (f"s3:{name}",))
    return found


# ---------------------------------------------------------------- dependency cycles


class Graph:
    """Which resource waits for which: references, DependsOn and SAM S3 events (bucket -> function).

    Read on first use: most templates IAM001 runs on have no statement it rewrites."""

    def __init__(self, view: TemplateView) -> None:
        self._view = view
        self._edges: dict[str, set[str]] | None = None

    @classmethod
    def of(cls, view: TemplateView) -> Graph:
        return cls(view)

    @property
    def edges(self) -> dict[str, set[str]]:
        if self._edges is None:
            self._edges = _edges(self._view)
        return self._edges

    def reaches(self, start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(self.edges.get(node, ()))
        return False


def _edges(view: TemplateView) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    names = view.resources.keys()
    for rid, res in view.resources.items():
        if not isinstance(res, dict):
            continue
        targets = (view.references(rid) | set(view.depends_on(res))) & names
        edges.setdefault(rid, set()).update(targets - {rid})
        if res.get("Type") == "AWS::Serverless::Function":
            for bucket in _sam_s3_event_buckets(view.props(res)):
                edges.setdefault(bucket, set()).add(rid)
    return edges


def _sam_s3_event_buckets(props: dict) -> Iterator[str]:
    events = props.get("Events")
    for spec in events.values() if isinstance(events, dict) else ():
        if isinstance(spec, dict) and spec.get("Type") == "S3" and isinstance(spec.get("Properties"), dict):
            target = ref_target(spec["Properties"].get("Bucket"))
            if target:
                yield target


def bucket_arns(view: TemplateView, bid: str, holder: str, graph: Graph) -> tuple[Any, Any] | None:
    """(bucket ARN, objects ARN) the holder may refer to without a cycle, else None."""
    if not graph.reaches(bid, holder):
        return {"Fn::GetAtt": [bid, "Arn"]}, sub(f"${{{bid}.Arn}}/*")
    # Build the ARN from the bucket's name when that name needs no resource (cfn-facts item 7).
    name = view.props(view.resources[bid]).get("BucketName")
    if isinstance(name, str) and "${" not in name:
        return sub(S3_ARN + name), sub(S3_ARN + name + "/*")
    param = ref_target(name)
    if param and param in view.parameters:
        return sub(f"{S3_ARN}${{{param}}}"), sub(f"{S3_ARN}${{{param}}}/*")
    arg = name.get("Fn::Sub") if isinstance(name, dict) and is_intrinsic(name) else None
    if isinstance(arg, str) and not any(n in view.resources for n in referenced_names(name)):
        return sub(S3_ARN + arg), sub(S3_ARN + arg + "/*")
    return None


# ---------------------------------------------------------------- policy statements


@record(frozen=True)
class Document:
    holder: str  # the resource that holds the policy document
    path: tuple  # path of the PolicyDocument
    roles: tuple[str, ...]  # the template roles it applies to; () for a SAM function's own Policies
    functions: tuple[str, ...] = ()  # the functions it serves when not through `roles`


def policy_documents(view: TemplateView, roles: dict[str, list[str]]) -> Iterator[Document | tuple[str, str]]:
    """Policy documents that apply to function roles, or (holder, reason) when one applies to more."""
    for rid in roles:
        policies = view.get(("Resources", rid, "Properties", "Policies"))
        for index, policy in enumerate(policies if isinstance(policies, list) else []):
            if isinstance(policy, dict) and isinstance(policy.get("PolicyDocument"), dict):
                yield Document(rid, ("Resources", rid, "Properties", "Policies", index, "PolicyDocument"), (rid,))
    for pid, res in view.of_type(*POLICY_TYPES):
        props = view.props(res)
        attached = [ref_target(r) for r in _as_list(props.get("Roles"))]
        attached += [r for r in view.referrers(pid) if pid in _managed_refs(view, r)]
        mine = [r for r in attached if r in roles]
        if not mine or not isinstance(props.get("PolicyDocument"), dict):
            continue
        if props.get("Users") or props.get("Groups") or len(mine) != len(attached):
            yield pid, f"{pid}: also attached to principals other than function roles"
            continue
        yield Document(pid, ("Resources", pid, "Properties", "PolicyDocument"), tuple(dict.fromkeys(mine)))
    if view.is_sam:
        for fid, res in view.of_type("AWS::Serverless::Function"):
            yield from _sam_documents(view, fid, res)


def _sam_documents(view: TemplateView, fid: str, res: dict) -> Iterator[Document]:
    """Inline documents in a SAM function's `Policies`, which SAM puts on the role it generates."""
    if "Role" in view.props(res) or "Role" in view.globals("Function"):
        return  # SAM ignores Policies when the function names its role
    base = ("Resources", fid, "Properties", "Policies")
    policies = view.get(base)
    items = enumerate(policies) if isinstance(policies, list) else [(None, policies)]
    for index, policy in items:
        # Strings are managed policies and one-key maps are SAM policy templates: not ours to edit.
        if isinstance(policy, dict) and not is_intrinsic(policy) and "Statement" in policy:
            yield Document(fid, base if index is None else base + (index,), (), (fid,))


def _managed_refs(view: TemplateView, rid: str) -> set[str]:
    if view.type_of(rid) != "AWS::IAM::Role":
        return set()
    arns = view.get(("Resources", rid, "Properties", "ManagedPolicyArns"))
    return {ref_target(a) for a in _as_list(arns)} - {None}  # type: ignore[return-value]


_ANY_ARN = {"s3:*": re.compile(r"^arn:(aws|\$\{AWS::Partition\}):s3:::\*$"),
            "logs:*": re.compile(r"^arn:(aws|\$\{AWS::Partition\}):logs:\*:\*:\*(:\*)?$")}


def covers_everything(stmt: dict, action: str) -> bool:
    """True when the statement grants `action` on every resource it can apply to."""
    resource = stmt.get("Resource")
    if isinstance(resource, list) and len(resource) == 1:
        resource = resource[0]
    if isinstance(resource, dict) and is_intrinsic(resource) and isinstance(resource.get("Fn::Sub"), str):
        resource = resource["Fn::Sub"]
    if resource == "*":
        return True
    pattern = _ANY_ARN.get(action.lower())
    return bool(pattern and isinstance(resource, str) and pattern.match(resource))


def actions(stmt: dict) -> list[str] | None:
    value = stmt.get("Action")
    items = _as_list(value)
    return items if items and all(isinstance(a, str) for a in items) else None


WILDCARDS = ("s3:*", "logs:*", "*")


def statements(view: TemplateView, doc_path: tuple) -> list:
    value = view.get(doc_path + ("Statement",))
    return value if isinstance(value, list) else [value] if isinstance(value, dict) else []


def wildcard_actions(stmt: Any) -> list[str]:
    """`s3:*`, `logs:*` and `*` actions an Allow statement grants on every resource."""
    if not isinstance(stmt, dict) or stmt.get("Effect") != "Allow" or "NotResource" in stmt:
        return []
    return [a for a in actions(stmt) or [] if a.lower() in WILDCARDS and covers_everything(stmt, a)]


# ---------------------------------------------------------------- what a rewrite resolves

# The checkov checks an Allow of each wildcard on Resource '*' fails: CKV_AWS_62 (admin) and 63
# (`*` action) read the action itself; CKV_AWS_108-111 (data exfiltration, permissions
# management, privilege escalation, unconstrained write) are cloudsplaining's classes of the
# actions it stands for (tests/test_iam_claims.py asks cloudsplaining again).
WILDCARD_CHECKS = {
    "*": ("CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_110", "CKV_AWS_111"),
    "s3:*": ("CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_111"),
    "logs:*": ("CKV_AWS_111",),
}
_NAG_WILDCARD = re.compile(r"\*|.+:\*")  # what cfn_nag F3/F4 call a wildcard action


def rewrite_claims(stmt: dict, done: list[str], kept: list[str]) -> tuple[str, ...]:
    """The scanner ids rewriting a statement resolves, when its wildcard actions `done` give way
    to scoped statements and the actions `kept` stay on its resources. The resource checks (cfn_nag
    W11/W12, cfn-guard, checkov's but CKV_AWS_63) read a literal '*' only, not an ARN pattern such
    as arn:aws:logs:*:*:*, and fail while any action is still granted on it."""
    ids = {check for action in done for check in WILDCARD_CHECKS.get(action.lower(), ())}
    resource = stmt.get("Resource")
    if resource != "*" and resource != ["*"]:
        ids &= {"CKV_AWS_63"}
    elif kept:
        ids &= {"CKV_AWS_62", "CKV_AWS_63"}
    else:
        ids |= {"W11", "W12", "IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE"}
    if not any(_NAG_WILDCARD.fullmatch(action) for action in kept):
        ids |= {"F3", "F4"}
    return tuple(sorted(ids))


# ---------------------------------------------------------------- replacement statements

Built = tuple[list[dict], str | None]  # statements, or why they cannot be built


def s3_statements(view: TemplateView, graph: Graph, holder: str, functions: list[str],
                  object_actions: list[str], list_bucket: bool, optional: bool) -> Built:
    """Object access on the functions' buckets (and ListBucket on the buckets themselves)."""
    buckets: set[str] = set()
    granted = {a.lower() for a in object_actions} | ({"s3:listbucket"} if list_bucket else set())
    for fid in functions:
        found, reason = function_buckets(view, fid)
        if reason:
            return [], reason
        calls = code_s3_actions(view, fid)
        denied = sorted({a for needs in calls.values() for a in needs if a.lower() not in granted})
        if denied:
            return [], (f"{fid}'s code calls {', '.join(n for n, needs in calls.items() if set(needs) & set(denied))}, "
                        f"which need {', '.join(denied)} beyond the object actions this would leave")
        buckets |= found
    if not buckets:
        return [], None if optional else f"no template bucket is used by {', '.join(functions)}"
    arns, objects = [], []
    for bid in sorted(buckets):
        pair = bucket_arns(view, bid, holder, graph) if view.may_refer(holder, bid) else None
        if pair is None:
            return [], (f"a reference to {bid} would create a circular dependency ({bid} -> function -> "
                        f"{holder}) or cross a Condition; give {bid} a fixed BucketName or use EventBridge")
        arns.append(pair[0])
        objects.append(pair[1])
    graph.edges.setdefault(holder, set()).update(buckets)
    out = [_allow(object_actions, objects)]
    if list_bucket:
        out.append(_allow("s3:ListBucket", arns))
    return out, None


def log_statements(view: TemplateView, graph: Graph, holder: str, functions: list[str]) -> Built:
    """CreateLogStream + PutLogEvents on the functions' log groups."""
    targets = []
    for fid in functions:
        target = function_log_target(view, fid)
        if target is None:
            return [], (f"the log group of {fid} is unknown; set LoggingConfig.LogGroup to a template "
                        "log group or give it a literal FunctionName")
        if target.group and (graph.reaches(target.group, holder) or not view.may_refer(holder, target.group)):
            return [], f"a reference to {target.group} would create a circular dependency or cross a Condition"
        targets.append(target)
    graph.edges.setdefault(holder, set()).update(t.group for t in targets if t.group)
    names = ["logs:CreateLogStream", "logs:PutLogEvents"]
    if not all(t.precreated for t in targets):
        names.insert(0, "logs:CreateLogGroup")  # Lambda creates a group it does not find
    unique = list({repr(t.arn): t.arn for t in targets}.values())
    return [_allow(names, unique)], None


W58_REASON = "the role writes only to this function's pre-created log group, so it needs no logs:CreateLogGroup"


def suppress_w58(view: TemplateView, fid: str) -> Iterator[Edit]:
    """cfn_nag W58 wants logs:CreateLogGroup; without it by design, say so on the function (cfn-facts 14).
    A suppression resolves none of the patch's ids: it says why a check that is not among them may be ignored."""
    entry = {"id": "W58", "reason": W58_REASON}
    path: tuple = ("Resources", fid)
    for key, value in (("Metadata", {"cfn_nag": {"rules_to_suppress": [entry]}}),
                       ("cfn_nag", {"rules_to_suppress": [entry]}), ("rules_to_suppress", [entry])):
        current = view.get(path + (key,))
        if current is None:
            yield SetKey(path, key, value, f"{fid}: suppress cfn_nag W58 ({W58_REASON})", resolves=())
            return
        if key == "rules_to_suppress" and isinstance(current, list):
            if not any(isinstance(r, dict) and r.get("id") == "W58" for r in current):
                yield AppendItem(path + (key,), entry, f"{fid}: suppress cfn_nag W58 ({W58_REASON})", ())
            return
        if not isinstance(current, dict) or is_intrinsic(current):
            return
        path += (key,)


def _allow(action: Any, resources: list) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resources[0] if len(resources) == 1 else resources}


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
