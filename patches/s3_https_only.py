"""S3005: every bucket's policy denies requests that do not use TLS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import AppendItem, Proposal, SetKey, Skip
from autofix.model.buckets import (
    BUCKET,
    POLICY,
    bucket_ids,
    condition_of,
    new_resource,
    policy_of,
    props_of,
    statements,
    unique_sid,
)
from autofix.model.cloudfront import DISTRIBUTION, http_via_cloudfront
from autofix.registry import SAFE, Patch
from autofix.values import get_att, ref, sub
from autofix.view import TemplateView



def _has_deny(value: Any) -> bool:
    """A SecureTransport deny anywhere in the statements, including !If branches."""
    if isinstance(value, list):
        return any(_has_deny(v) for v in value)
    if not isinstance(value, dict):
        return False
    return is_secure_transport_deny(value) or any(_has_deny(v) for v in value.values())


class S3HttpsOnly(Patch):
    id = "S3005"
    name = "s3-https-only"
    title = "Deny non-TLS requests in every bucket's policy"
    safety = SAFE
    resource_types = (BUCKET, POLICY, DISTRIBUTION)
    after = ("S3001",)
    resolves = ("S3_BUCKET_SSL_REQUESTS_ONLY", "W51")
    explanation = (
        "Appends a Deny statement for aws:SecureTransport false (a boolean, which the guard rule\n"
        "requires) on the bucket ARN and its objects to the bucket's AWS::S3::BucketPolicy, or adds\n"
        "a <Bucket>Policy when it has none: a bucket has one policy, and a second BucketPolicy would\n"
        "overwrite the first. Skipped: website buckets (their endpoint is HTTP only); buckets a\n"
        "CloudFront distribution of the template may reach over HTTP (CloudFront forwards to an S3\n"
        "origin in the protocol the viewer used, so a cache behaviour for the bucket's origin with\n"
        "ViewerProtocolPolicy allow-all, one that cannot be read, or an http-only custom origin would\n"
        "get 403s); policies that are not literal documents; and buckets whose policy cannot be told\n"
        "apart. Runs after S3001 so the access-log bucket's policy gets the statement too."
    )

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        for rid in bucket_ids(view):
            if view.suppressed(rid, self):
                continue
            if "WebsiteConfiguration" in props_of(view, rid):
                yield Skip(("Resources", rid), f"{rid}: website endpoints serve HTTP only; a TLS-only policy "
                           "would take the site down")
                continue
            pid, ambiguous = policy_of(view, rid)
            if ambiguous:
                yield Skip(("Resources", rid), f"{ambiguous}; add the TLS-only statement by hand")
            elif pid is not None and _has_deny(statements(view, pid)):
                continue
            elif (http := http_via_cloudfront(view).get(rid)) is not None:
                yield Skip(("Resources", rid), f"{rid}: {http}")
            elif pid is None:
                yield from self._new_policy(view, rid)
            else:
                yield from self._append(view, rid, pid)

    def _new_policy(self, view: TemplateView, rid: str) -> Iterator[Proposal]:
        condition = condition_of(view, rid)
        if condition is not None and not isinstance(condition, str):
            yield Skip(("Resources", rid), f"{rid}: Condition is not a name; add a bucket policy by hand")
            return
        pid = view.unique_id(f"{rid}Policy")
        policy = new_resource(POLICY, condition, Properties={
            "Bucket": ref(rid),
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [deny_insecure_transport(rid)]},
        })
        yield SetKey(("Resources",), pid, policy, f"{pid}: deny non-TLS requests to {rid}", after=rid)

    def _append(self, view: TemplateView, rid: str, pid: str) -> Iterator[Proposal]:
        current = statements(view, pid)
        if current is None:
            yield Skip(("Resources", pid), f"{rid}: policy {pid} has no literal Statement list; "
                       "add the TLS-only statement by hand")
            return
        if _has_deny(current):
            return
        statement = deny_insecure_transport(rid, unique_sid(current, "DenyInsecureTransport"))
        yield AppendItem(("Resources", pid, "Properties", "PolicyDocument", "Statement"), statement,
                         f"{pid}: deny non-TLS requests to {rid}")


def deny_insecure_transport(rid: str, sid: str = "DenyInsecureTransport") -> dict:
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [get_att(rid, "Arn"), sub(f"${{{rid}.Arn}}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": False}},
    }


def is_secure_transport_deny(statement: Any) -> bool:
    """Any Deny keyed on aws:SecureTransport, whatever its spelling of false."""
    if not isinstance(statement, dict) or statement.get("Effect") != "Deny":
        return False
    condition = statement.get("Condition")
    return isinstance(condition, dict) and any(
        isinstance(block, dict) and any(str(k).lower() == "aws:securetransport" for k in block)
        for block in condition.values())
