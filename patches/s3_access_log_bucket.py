"""S3001: buckets write server access logs to one dedicated log bucket."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from autofix.edits import Advice, Proposal, SetKey, Skip
from autofix.model.buckets import (
    BUCKET,
    POLICY,
    access_log_destinations,
    allow_access_logs,
    bucket_ids,
    condition_of,
    destination_of,
    grant_access_logs,
    log_bucket_need,
    new_resource,
    plan_refs,
    props_of,
    source_arns,
)
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.values import is_intrinsic, ref, referenced_names
from autofix.view import TemplateView

KMS_ALGORITHMS = {"aws:kms": "SSE-KMS", "aws:kms:dsse": "DSSE-KMS"}


class S3AccessLogBucket(Patch):
    id = "S3001"
    name = "s3-access-log-bucket"
    title = "Log every bucket's requests to a dedicated access-log bucket"
    safety = UNSAFE
    resource_types = (BUCKET, POLICY)
    resolves = ("CKV_AWS_18", "W35", "S3_BUCKET_LOGGING_ENABLED")
    explanation = (
        "Sets LoggingConfiguration (DestinationBucketName, LogFilePrefix '<bucket-id>/') on every\n"
        "bucket without one. The destination is the template's existing access-log bucket if it\n"
        "has one (its policy is extended to the new sources), else a new AccessLogBucket: SSE-S3\n"
        "(log delivery cannot use SSE-KMS), public access blocked, ACLs off (BucketOwnerEnforced),\n"
        "versioned, logs expiring after 90 days and old versions after 30 (as S3004 does for other\n"
        "log buckets), retained on delete, scanner suppressions for not logging itself, and a bucket\n"
        "policy letting logging.s3.amazonaws.com put objects for these buckets and this account\n"
        "only. Log buckets are never logged (no loops or chains). An existing log bucket is not\n"
        "reused when S3 cannot deliver to it: Object Lock, SSE-KMS or DSSE-KMS default encryption,\n"
        "or encryption that cannot be read. Unsafe: a new billable bucket, retained after stack\n"
        "deletion. Skipped: buckets with the legacy LogDeliveryWrite ACL, and conditional buckets\n"
        "that one unconditional policy cannot name safely."
    )

    class Options(PatchOptions):
        bucket_id: str = "AccessLogBucket"

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        if not view.has_any((BUCKET,)):
            return  # every proposal serves a bucket
        sources = yield from self._sources(view)
        if not sources:
            return
        destinations = access_log_destinations(view)
        unfit = {d: why for d in destinations if (why := unfit_destination(view, d))}
        fit = [d for d in destinations if d not in unfit]
        # The most used unconditional destination; a conditional one cannot take every source.
        usable = sorted((d for d in fit if condition_of(view, d) is None), key=lambda d: -len(destinations[d]))
        if usable:
            yield from self._reuse(view, usable[0], sources)
            return
        if fit:
            yield from (Skip(("Resources", s), f"{s}: the template's access-log buckets are all conditional; "
                             "add LoggingConfiguration by hand") for s in sources)
            return
        yield from (Skip(("Resources", d), f"{d}: not reused for new access logs: {why}") for d, why in unfit.items())
        if (external := _external_destination(view)) is not None:
            yield from _log_to(sources, external, "the existing external log bucket")
            yield Advice(("Resources", sources[0]), f"{', '.join(sources)}: now log to a bucket outside this "
                         "template; its policy must let logging.s3.amazonaws.com write for them")
        else:
            yield from self._new_bucket(view, sources)

    def _sources(self, view: TemplateView) -> Iterator[Proposal]:
        """Yield skips; return the buckets that should start logging."""
        destinations = access_log_destinations(view)
        found = []
        for rid in bucket_ids(view):
            if "LoggingConfiguration" in props_of(view, rid) or view.suppressed(rid, self):
                continue
            if rid in destinations:
                yield Skip(("Resources", rid), f"{rid}: receives access logs itself; not logged, to avoid "
                           "a loop (suppress CKV_AWS_18/W35 on it)")
            elif props_of(view, rid).get("AccessControl") == "LogDeliveryWrite":
                yield Skip(("Resources", rid), f"{rid}: the legacy LogDeliveryWrite ACL marks a log bucket; "
                           "not logged, to avoid a chain of log buckets")
            else:
                found.append(rid)
        return found

    def _new_bucket(self, view: TemplateView, sources: list[str]) -> Iterator[Proposal]:
        plan = plan_refs(view, sources)
        yield from _skip_conditional(plan.skipped)
        sources = [s for s in sources if s not in plan.skipped]
        if not sources:
            return
        log_id = yield from view.need(log_bucket_need(
            self.options.bucket_id, plan.condition, "{name}: dedicated access-log bucket (SSE-S3, private, versioned, "
            "logs and old versions expiring, retained)", after=sources[0]))
        policy_id = view.unique_id(f"{log_id}Policy")
        policy = new_resource(POLICY, plan.condition, Properties={
            "Bucket": ref(log_id),
            "PolicyDocument": {"Version": "2012-10-17",
                               "Statement": [allow_access_logs(log_id, source_arns(sources, plan))]},
        })
        yield SetKey(("Resources",), policy_id, policy, f"{policy_id}: let S3 log delivery write to {log_id}",
                     after=sources[0])
        yield from _log_to(sources, ref(log_id), log_id)

    def _reuse(self, view: TemplateView, dest: str, sources: list[str]) -> Iterator[Proposal]:
        looping = [s for s in sources if view.depends_transitively(dest, s)]
        yield from (Skip(("Resources", s), f"{s}: {dest} depends on it; logging to {dest} would be a "
                         "circular dependency") for s in looping)
        plan = plan_refs(view, [s for s in sources if s not in looping])
        yield from _skip_conditional(plan.skipped)
        sources = [s for s in sources if s not in looping and s not in plan.skipped]
        if not sources:
            return
        grant = list(grant_access_logs(view, dest, sources, plan))
        refusal = next((g for g in grant if isinstance(g, Skip)), None)
        if refusal:
            yield from (Skip(("Resources", s), f"{s}: cannot grant log delivery to {dest}: {refusal.reason}; "
                             "add LoggingConfiguration by hand") for s in sources)
            return
        yield from grant
        yield from _log_to(sources, ref(dest), dest)


def _skip_conditional(rids: list[str]) -> Iterator[Skip]:
    for rid in rids:
        yield Skip(("Resources", rid), f"{rid}: its Condition is not shared by the other buckets, so the "
                   "log bucket policy cannot name it safely; add LoggingConfiguration by hand")


def _log_to(sources: list[str], destination: Any, label: str) -> Iterator[SetKey]:
    for rid in sources:
        config = {"DestinationBucketName": copy.deepcopy(destination), "LogFilePrefix": f"{kebab(rid)}/"}
        yield SetKey(("Resources", rid, "Properties"), "LoggingConfiguration", config,
                     f"{rid}: server access logs to {label}")


def unfit_destination(view: TemplateView, rid: str) -> str | None:
    """Why S3 cannot deliver server access logs to this bucket (Object Lock, SSE-KMS or DSSE-KMS
    default encryption), or cannot be seen not to; None when it can."""
    props = props_of(view, rid)
    lock = props.get("ObjectLockEnabled", False)
    if lock is not False and str(lock).lower() != "false":
        return ("it has Object Lock enabled, which a server-access-log destination cannot have" if
                str(lock).lower() == "true" else "its ObjectLockEnabled cannot be read, and a server-access-log "
                "destination cannot have Object Lock")
    if props.get("ObjectLockConfiguration") is not None:
        return "it has an ObjectLockConfiguration, and a server-access-log destination cannot have Object Lock"
    encryption = props.get("BucketEncryption")
    if encryption is None:
        return None  # SSE-S3, the default
    rules = None if is_intrinsic(encryption) or not isinstance(encryption, dict) \
        else encryption.get("ServerSideEncryptionConfiguration")
    if not isinstance(rules, list):
        return _unreadable_encryption()
    for rule in rules:
        if not isinstance(rule, dict) or is_intrinsic(rule):
            return _unreadable_encryption()
        default = rule.get("ServerSideEncryptionByDefault")
        if default is None:
            continue
        algorithm = default.get("SSEAlgorithm") if isinstance(default, dict) and not is_intrinsic(default) else None
        if not isinstance(algorithm, str):
            return _unreadable_encryption()
        if algorithm.lower() in KMS_ALGORITHMS:
            return (f"its default encryption is {algorithm} ({KMS_ALGORITHMS[algorithm.lower()]}), which a "
                    "server-access-log destination cannot use")
    return None


def _unreadable_encryption() -> str:
    return ("its BucketEncryption cannot be read, and a server-access-log destination cannot use SSE-KMS or "
            "DSSE-KMS default encryption")


def _external_destination(view: TemplateView) -> Any:
    """A destination other buckets already use that names no resource of this template."""
    for rid in bucket_ids(view):
        value = destination_of(view, rid)
        if value is None or "Fn::If" in repr(value):
            continue
        if all(n in view.parameters or n.startswith("AWS::") for n in referenced_names(value)):
            return value
    return None


def kebab(rid: str) -> str:
    """DataBucket -> data-bucket, for log prefixes."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", rid)
    return re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", text).lower()
