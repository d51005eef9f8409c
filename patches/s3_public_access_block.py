"""S3006: block public access on buckets that are not meant to be public."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import Proposal, SetKey, Skip
from autofix.model.buckets import BUCKET, POLICY, PUBLIC_ACLS, bucket_ids, policy_of, props_of
from autofix.registry import SAFE, Patch
from autofix.view import TemplateView

BLOCK_ALL = {"BlockPublicAcls": True, "BlockPublicPolicy": True,
             "IgnorePublicAcls": True, "RestrictPublicBuckets": True}


class S3PublicAccessBlock(Patch):
    id = "S3006"
    name = "s3-public-access-block"
    title = "Block public access on buckets that are not deliberately public"
    safety = SAFE
    resource_types = (BUCKET, POLICY)
    resolves = ("CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56")
    explanation = (
        "Adds PublicAccessBlockConfiguration with all four flags true to every bucket without one\n"
        "(the S3 default for new buckets since April 2023). Buckets that look deliberately public\n"
        "are skipped with the reason: a WebsiteConfiguration, a public AccessControl (PublicRead,\n"
        "PublicReadWrite, AuthenticatedRead), or a bucket policy allowing Principal '*' - blocking\n"
        "those would break the site or make the policy fail to attach at deploy time."
    )

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        for rid in bucket_ids(view):
            if "PublicAccessBlockConfiguration" in props_of(view, rid):
                continue
            reason = public_reason(view, rid)
            if reason:
                yield Skip(("Resources", rid), f"{reason}; public access left as is")
                continue
            yield SetKey(("Resources", rid, "Properties"), "PublicAccessBlockConfiguration", BLOCK_ALL,
                         f"{rid}: block all public access")


def _wildcard(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(_wildcard(v) for v in principal.values())
    return isinstance(principal, list) and any(_wildcard(v) for v in principal)


def _allows_anyone(value: Any) -> bool:
    """Some statement (in any branch of an !If) allows Principal '*'."""
    if isinstance(value, list):
        return any(_allows_anyone(v) for v in value)
    if not isinstance(value, dict):
        return False
    if "Principal" in value and value.get("Effect") != "Deny" and _wildcard(value["Principal"]):
        return True
    return any(_allows_anyone(v) for v in value.values())


def public_reason(view: TemplateView, rid: str) -> str | None:
    """Why this bucket looks deliberately public (or cannot be shown not to be), else None."""
    props = props_of(view, rid)
    if "WebsiteConfiguration" in props:
        return f"{rid}: hosts a static website (WebsiteConfiguration)"
    acl = props.get("AccessControl")
    if acl in PUBLIC_ACLS:
        return f"{rid}: AccessControl {acl} grants public access"
    if acl is not None and not isinstance(acl, str):
        return f"{rid}: AccessControl is computed; cannot tell whether it is public"
    pid, ambiguous = policy_of(view, rid)
    if ambiguous:
        return ambiguous
    if pid is None:
        return None
    document = props_of(view, pid).get("PolicyDocument")
    if not isinstance(document, dict):
        return f"{rid}: bucket policy {pid} is not a literal document; cannot tell whether it is public"
    if _allows_anyone(document):
        return f"{rid}: bucket policy {pid} allows Principal '*'"
    return None
