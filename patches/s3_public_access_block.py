"""S3006: block public access on buckets that are not meant to be public."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Proposal, SetKey, Skip
from autofix.model.buckets import BUCKET, POLICY, bucket_ids, props_of, public_reason
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
