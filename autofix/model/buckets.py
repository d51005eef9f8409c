"""Shared by the S3 patches: which buckets hold logs, how buckets and their policies meet."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from autofix.edits import AppendItem, Need, Proposal, ReplaceValue, SetKey, Skip
from autofix.record import field, record
from autofix.values import (NO_VALUE, first_free, get_att, getatt_target, if_, is_intrinsic,
                            ref_target, referenced_names, sub)
from autofix.view import TemplateView

from .indexes import ByValue

BUCKET = "AWS::S3::Bucket"
POLICY = "AWS::S3::BucketPolicy"
LOG_SERVICE = "logging.s3.amazonaws.com"
PUBLIC_ACLS = ("PublicRead", "PublicReadWrite", "AuthenticatedRead")
# Where other services name the bucket they deliver their own logs to.
_LOG_TARGETS = {
    "AWS::CloudTrail::Trail": ("S3BucketName",),
    "AWS::Config::DeliveryChannel": ("S3BucketName",),
    "AWS::CloudFront::Distribution": ("DistributionConfig", "Logging"),
    "AWS::ElasticLoadBalancing::LoadBalancer": ("AccessLoggingPolicy",),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("LoadBalancerAttributes",),
    "AWS::EC2::FlowLog": ("LogDestination",),
}
# What a patch that tells log buckets from data buckets reads (for its resource_types).
LOG_DELIVERY_TYPES = tuple(sorted(_LOG_TARGETS))


def bucket_ids(view: TemplateView) -> list[str]:
    """Buckets in file order, leaving out those whose whole Properties is an intrinsic (!If)."""
    return list(view.memo(_bucket_ids))


def _bucket_ids(view: TemplateView) -> list[str]:
    return [rid for rid, res in view.of_type(BUCKET) if not is_intrinsic(res.get("Properties"))]


def _buckets_by_name(view: TemplateView) -> ByValue:
    """The buckets of `bucket_ids` that set a BucketName, under that value."""
    index = ByValue()
    for rid in view.memo(_bucket_ids):
        name = props_of(view, rid).get("BucketName")
        if name is not None:
            index.add(name, rid)
    return index


def props_of(view: TemplateView, rid: str) -> dict:
    props = view.props(view.resources.get(rid) or {})
    return {} if is_intrinsic(props) else props


def condition_of(view: TemplateView, rid: str) -> Any:
    return (view.resources.get(rid) or {}).get("Condition")


# ------------------------------------------------------------------ log buckets


def destination_of(view: TemplateView, rid: str) -> Any:
    """LoggingConfiguration.DestinationBucketName of a bucket, when written literally."""
    logging = props_of(view, rid).get("LoggingConfiguration")
    return logging.get("DestinationBucketName") if isinstance(logging, dict) else None


def _bucket_named(view: TemplateView, value: Any) -> str | None:
    """The bucket of this template a value names: by Ref, or by the same BucketName value."""
    target = ref_target(value)
    if target is not None and view.type_of(target) == BUCKET:
        return target
    if value is None:
        return None
    return next(iter(view.memo(_buckets_by_name).find(value)), None)


def access_log_destinations(view: TemplateView) -> dict[str, list[str]]:
    """Buckets of this template that receive S3 access logs, with the buckets logging to them."""
    found: dict[str, list[str]] = {}
    for rid in bucket_ids(view):
        target = _bucket_named(view, destination_of(view, rid))
        if target is not None and target != rid:
            found.setdefault(target, []).append(rid)
    return found


def log_buckets(view: TemplateView) -> set[str]:
    """Buckets that hold logs: access-log targets, legacy log-delivery ACLs, other services' log targets."""
    buckets = set(bucket_ids(view))
    found = set(access_log_destinations(view))
    found |= {rid for rid in buckets if props_of(view, rid).get("AccessControl") == "LogDeliveryWrite"}
    for rid, res in view.of_type(*_LOG_TARGETS):
        value = view.get(("Resources", rid, "Properties") + _LOG_TARGETS[res["Type"]])
        found |= buckets & set(referenced_names(value))
    return found


def data_buckets(view: TemplateView) -> list[str]:
    logs = log_buckets(view)
    return [rid for rid in bucket_ids(view) if rid not in logs]


# ------------------------------------------------------------------ bucket policies


def _names_bucket(view: TemplateView, target: Any, rid: str) -> str:
    """'exact' when a policy's Bucket is this bucket, 'maybe' when it may be, else ''."""
    name = props_of(view, rid).get("BucketName")
    if ref_target(target) == rid or (name is not None and target == name):
        return "exact"
    return "maybe" if rid in referenced_names(target) else ""


@record
class _Policies:
    """Bucket policies by their Bucket value; entries are (file position, policy id, Bucket value)."""

    count: int
    by_ref: dict[str, list[tuple[int, str, Any]]]  # each name the value refers to
    by_value: ByValue  # the value itself, found by ==


def _policies(view: TemplateView) -> _Policies:
    index = _Policies(0, {}, ByValue())
    for pos, (pid, res) in enumerate(view.of_type(POLICY)):
        index.count += 1
        target = view.props(res).get("Bucket")
        for name in set(referenced_names(target)):
            index.by_ref.setdefault(name, []).append((pos, pid, target))
        index.by_value.add(target, (pos, pid, target))
    return index


def policies_of(view: TemplateView, rid: str) -> list[tuple[str, str]]:
    """(policy id, 'exact' or 'maybe') for bucket policies that name or may name this bucket."""
    # Candidates are the policies whose Bucket refers to the bucket or equals its BucketName:
    # every policy `_names_bucket` accepts, which still decides, in file order.
    index = view.memo(_policies)
    if not index.count:
        return []  # nothing to match: the resource itself is not read (it may not be a bucket)
    name = props_of(view, rid).get("BucketName")
    candidates = {pos: (pid, target) for pos, pid, target in index.by_ref.get(rid, ())}
    if name is not None:
        candidates.update({pos: (pid, target) for pos, pid, target in index.by_value.find(name)})
    found = []
    for pos in sorted(candidates):
        pid, target = candidates[pos]
        how = _names_bucket(view, target, rid)
        if how:
            found.append((pid, how))
    return found


def unmatched_policies(view: TemplateView) -> list[str]:
    """Bucket policies naming a bucket no resource here can be matched to."""
    return list(view.memo(_unmatched_policies))


def _unmatched_policies(view: TemplateView) -> list[str]:
    buckets = set(view.memo(_bucket_ids))
    by_name = view.memo(_buckets_by_name)
    unmatched = []
    for pid, res in view.of_type(POLICY):
        target = view.props(res).get("Bucket")
        # `_names_bucket` matches the buckets a value refers to, and those whose BucketName it equals.
        if not buckets.intersection(referenced_names(target)) and not by_name.find(target):
            unmatched.append(pid)
    return unmatched


def policy_of(view: TemplateView, rid: str) -> tuple[str | None, str | None]:
    """(the bucket's one policy or None, why that cannot be told for sure or None)."""
    found = policies_of(view, rid)
    if len(found) > 1:
        return None, f"{rid}: several bucket policies ({', '.join(p for p, _ in found)}) name this bucket"
    if found and found[0][1] != "exact":
        return None, f"{rid}: bucket policy {found[0][0]} names its bucket through a computed value"
    if found:
        return found[0][0], None
    stray = view.memo(_unmatched_policies)
    if stray and "BucketName" in props_of(view, rid):
        return None, f"{rid}: bucket policy {stray[0]} names a bucket that may be this one"
    return None, None


def statements(view: TemplateView, pid: str) -> list | None:
    """The literal Statement list of a bucket policy, else None."""
    document = props_of(view, pid).get("PolicyDocument")
    if not isinstance(document, dict) or any(str(k).startswith("Fn::") for k in document):
        return None
    value = document.get("Statement")
    return value if isinstance(value, list) else None


# ------------------------------------------------------------------ conditions


@record
class RefPlan:
    """How new resources may refer to existing, possibly conditional, resources."""

    condition: str | None = None  # give the new resources this Condition
    wrap: dict[str, str] = field(default_factory=dict)  # refer to these only inside !If [cond, ...]
    skipped: list[str] = field(default_factory=list)  # cannot be referred to safely

    def guard(self, rid: str, value: Any) -> Any:
        cond = self.wrap.get(rid)
        return if_(cond, value, NO_VALUE) if cond else value

    def inside_unconditional(self, rids: list[str]) -> RefPlan:
        """The same plan for references written into an existing, unconditional resource."""
        if not self.condition:
            return self
        return RefPlan(wrap={**self.wrap, **{r: self.condition for r in rids}}, skipped=self.skipped)


def plan_refs(view: TemplateView, rids: list[str]) -> RefPlan:
    """Shared condition when all are conditional on one; else wrap the conditional ones.

    A list whose every item is an !If could come out empty, which services reject, so
    when no reference is unconditional and conditions differ, nothing is referred to.
    """
    conds = {rid: condition_of(view, rid) for rid in rids}
    odd = [rid for rid, c in conds.items() if c is not None and not isinstance(c, str)]
    plain = [rid for rid, c in conds.items() if c is None]
    named = {c for c in conds.values() if isinstance(c, str)}
    if not plain and len(named) == 1:
        return RefPlan(condition=named.pop(), skipped=odd)
    if not plain:
        return RefPlan(skipped=list(rids))
    return RefPlan(wrap={r: c for r, c in conds.items() if isinstance(c, str)}, skipped=odd)


def new_resource(type_: str, condition: str | None, **rest: Any) -> dict:
    """A resource mapping with Type (and Condition) first, as authors write them."""
    head: dict[str, Any] = {"Type": type_}
    if condition:
        head["Condition"] = condition
    return {**head, **rest}


# ------------------------------------------------------------------ statements


def allow_access_logs(log_id: str, source_arns: list) -> dict:
    return {
        "Sid": "AllowS3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": LOG_SERVICE},
        "Action": "s3:PutObject",
        "Resource": sub(f"${{{log_id}.Arn}}/*"),
        "Condition": {
            "ArnLike": {"aws:SourceArn": source_arns},
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        },
    }


def is_access_log_grant(statement: Any) -> bool:
    if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
        return False
    principal = statement.get("Principal")
    service = principal.get("Service") if isinstance(principal, dict) else None
    return service == LOG_SERVICE or (isinstance(service, list) and LOG_SERVICE in service)


def unique_sid(existing: list, base: str) -> str:
    return first_free(base, {s.get("Sid") for s in existing if isinstance(s, dict)})


def iter_strings(value: Any) -> Iterator[str]:
    """Literal strings inside a value, through intrinsics (Sub templates, Join parts)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from iter_strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_strings(item)


# ------------------------------------------------------------------ access-log delivery


def access_log_lifecycle(expiration_days: int = 90, noncurrent_days: int = 30, abort_upload_days: int = 7) -> dict:
    """Rules for a bucket of access logs: many small objects, so expiry (not storage classes)
    bounds the cost; noncurrent versions expire too, or a versioned bucket grows for ever."""
    return {"Rules": [{
        "Id": "expire-access-logs",
        "Status": "Enabled",
        "ExpirationInDays": expiration_days,
        "NoncurrentVersionExpiration": {"NoncurrentDays": noncurrent_days},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": abort_upload_days},
    }]}


def log_bucket(condition: str | None) -> dict:
    """A dedicated access-log bucket, as in golden-stack.yaml, expiring its logs and old versions."""
    reason = "This is the access-log target; logging it to itself would loop"
    return new_resource(
        BUCKET, condition, DeletionPolicy="Retain", UpdateReplacePolicy="Retain",
        Properties={
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "VersioningConfiguration": {"Status": "Enabled"},
            "LifecycleConfiguration": access_log_lifecycle(),
        },
        Metadata={
            "cfn_nag": {"rules_to_suppress": [{"id": "W35", "reason": reason}]},
            "checkov": {"skip": [{"id": "CKV_AWS_18", "comment": reason}]},
            "guard": {"SuppressedRules": ["S3_BUCKET_LOGGING_ENABLED"]},
        })


def log_bucket_need(bucket_id: str, condition: str | None, message: str = "", after: str | None = None) -> Need:
    """The shared access-log bucket, declared once per run for every patch that logs to it
    (`log_id = yield from view.need(log_bucket_need(...))`).

    A bucket of that name serves when it is such a log bucket under the same condition: the same
    settings, whatever its lifecycle (S3004 applies its own days) and whatever it has besides
    (TAG001's tags)."""
    wanted = log_bucket(condition)

    def serves(found: Any) -> str | None:
        if not isinstance(found, dict) or (found.get("Type"), found.get("Condition")) != (BUCKET, condition):
            return "is another resource"
        have = TemplateView.mapping(found.get("Properties"))
        same = all(have.get(key) == value for key, value in wanted["Properties"].items()
                   if key != "LifecycleConfiguration")
        return None if same else "is another bucket"

    return Need("Resources", bucket_id, wanted, message, serves, after)


def source_arns(sources: list[str], plan: RefPlan) -> list:
    return [plan.guard(rid, get_att(rid, "Arn")) for rid in sources]


def _source_arn_condition(statement: dict) -> tuple[tuple, Any] | None:
    """(path inside the statement, value) of its aws:SourceArn condition, if any."""
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return None
    for operator, block in condition.items():
        if isinstance(block, dict):
            for key, value in block.items():
                if str(key).lower() == "aws:sourcearn":
                    return ("Condition", operator, key), value
    return None


def _covers_all_objects(resource: Any) -> bool:
    """The grant's Resource is the whole bucket's objects (`.../*`), not a prefix."""
    return any(text.endswith("/*") and text.count("/") == 1 for text in iter_strings(resource))


def grant_access_logs(view: TemplateView, dest: str, sources: list[str], plan: RefPlan) -> Iterator[Proposal]:
    """Edits letting S3 log delivery write to `dest` for `sources`, or one Skip saying why not."""
    if props_of(view, dest).get("AccessControl") == "LogDeliveryWrite":
        return  # the legacy ACL already lets the log-delivery group write
    pid, ambiguous = policy_of(view, dest)
    if ambiguous:
        yield Skip(("Resources", dest), ambiguous)
        return
    if pid is None:
        yield _new_grant_policy(view, dest, sources, plan)
        return
    current = statements(view, pid)
    if current is None:
        yield Skip(("Resources", pid), f"policy {pid} of {dest} has no literal Statement list")
        return
    yield from _extend_policy(pid, dest, current, sources, plan)


def _new_grant_policy(view: TemplateView, dest: str, sources: list[str], plan: RefPlan) -> SetKey:
    """A policy for `dest` naming the new sources and the unconditional ones already logging there."""
    earlier = [s for s in access_log_destinations(view).get(dest, [])
               if s not in sources and condition_of(view, s) is None]
    condition = None if earlier else plan.condition
    if earlier:
        plan = plan.inside_unconditional(sources)
    pid = view.unique_id(f"{dest}Policy")
    arns = source_arns(earlier, RefPlan()) + source_arns(sources, plan)
    policy = new_resource(POLICY, condition, Properties={
        "Bucket": {"Ref": dest},
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [allow_access_logs(dest, arns)]}})
    return SetKey(("Resources",), pid, policy, f"{pid}: let S3 log delivery write to {dest}", after=dest)


def _extend_policy(pid: str, dest: str, current: list, sources: list[str], plan: RefPlan) -> Iterator[Proposal]:
    path = ("Resources", pid, "Properties", "PolicyDocument", "Statement")
    message = f"{pid}: let S3 log delivery write to {dest} for {', '.join(sources)}"
    grants = [i for i, s in enumerate(current) if is_access_log_grant(s)]
    if not grants:
        statement: Any = allow_access_logs(dest, source_arns(sources, plan))
        statement["Sid"] = unique_sid(current, statement["Sid"])
        if plan.condition:  # every source is conditional on it: so is the whole statement
            statement = if_(plan.condition, statement, NO_VALUE)
        yield AppendItem(path, statement, message)
        return
    arns = source_arns(sources, plan.inside_unconditional(sources))
    statement = current[grants[0]]
    if not _covers_all_objects(statement.get("Resource")):
        yield Skip(("Resources", pid), f"the access-log grant in {pid} is limited to a prefix")
        return
    found = _source_arn_condition(statement)
    if found is None:
        return  # the grant is not limited to named source buckets
    where, value = found
    target = path + (grants[0],) + where
    if isinstance(value, list):
        yield from (AppendItem(target, arn, message) for arn in arns)
    elif isinstance(value, str) or ref_target(value) or getatt_target(value) or "Fn::Sub" in value:
        yield ReplaceValue(target, [copy.deepcopy(value), *arns], message)
    else:
        yield Skip(("Resources", pid), f"the aws:SourceArn condition in {pid} is computed")
