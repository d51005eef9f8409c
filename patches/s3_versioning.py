"""S3008: versioning on every bucket that does not declare it."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Advice, Proposal, SetKey
from autofix.registry import UNSAFE, Patch
from autofix.view import TemplateView

from ._s3 import BUCKET, bucket_ids, props_of


def _expires_old_versions(value: object) -> bool:
    """Some lifecycle rule (in any !If branch) expires noncurrent versions."""
    if isinstance(value, list):
        return any(_expires_old_versions(v) for v in value)
    if not isinstance(value, dict):
        return False
    if "NoncurrentVersionExpiration" in value or "NoncurrentVersionExpirationInDays" in value:
        return True
    return any(_expires_old_versions(v) for v in value.values())


class S3Versioning(Patch):
    id = "S3008"
    name = "s3-versioning"
    title = "Enable versioning on buckets without VersioningConfiguration"
    safety = UNSAFE
    resource_types = (BUCKET,)
    resolves = ("CKV_AWS_21", "S3_BUCKET_VERSIONING_ENABLED")
    explanation = (
        "Adds VersioningConfiguration Status Enabled to every bucket that does not declare it, so\n"
        "overwritten and deleted objects can be recovered. Unsafe: every overwrite and delete now\n"
        "keeps a billable old version, and versioning can later only be suspended, never removed.\n"
        "Buckets whose lifecycle rules do not expire noncurrent versions get advice to add\n"
        "NoncurrentVersionExpiration. A declared Status (Enabled, Suspended, !Ref ...) is left alone."
    )

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        for rid in bucket_ids(view):
            props = props_of(view, rid)
            if "VersioningConfiguration" in props:
                continue
            yield SetKey(("Resources", rid, "Properties"), "VersioningConfiguration", {"Status": "Enabled"},
                         f"{rid}: versioning enabled")
            if not _expires_old_versions(props.get("LifecycleConfiguration")):
                yield Advice(("Resources", rid), f"{rid}: old object versions are now kept forever; add a "
                             "lifecycle rule with NoncurrentVersionExpiration to bound their cost")
