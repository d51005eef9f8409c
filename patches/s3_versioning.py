"""S3008: versioning on every bucket that does not declare it, with old versions expiring."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Advice, AppendItem, Proposal, SetKey
from autofix.model.buckets import BUCKET, bucket_ids, props_of
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.values import first_free, is_intrinsic
from autofix.view import TemplateView

RULE_ID = "expire-noncurrent-versions"


def _expires_old_versions(value: object) -> bool:
    """Some lifecycle rule (in any !If branch) expires noncurrent versions."""
    if isinstance(value, list):
        return any(_expires_old_versions(v) for v in value)
    if not isinstance(value, dict):
        return False
    if "NoncurrentVersionExpiration" in value or "NoncurrentVersionExpirationInDays" in value:
        return True
    return any(_expires_old_versions(v) for v in value.values())


def _free_rule_id(rules: list) -> str:
    return first_free(RULE_ID, {r.get("Id") for r in rules if isinstance(r, dict)}, sep="-")


class S3Versioning(Patch):
    id = "S3008"
    name = "s3-versioning"
    title = "Enable versioning on buckets without VersioningConfiguration, expiring old versions"
    safety = UNSAFE
    resource_types = (BUCKET,)
    resolves = ("CKV_AWS_21", "S3_BUCKET_VERSIONING_ENABLED")
    explanation = (
        "Adds VersioningConfiguration Status Enabled to every bucket that does not declare it, so\n"
        "overwritten and deleted objects can be recovered, and a lifecycle rule that deletes\n"
        "noncurrent (old) versions after `noncurrent_days` (default 90) so storage does not grow\n"
        "without end. The rule is appended to the bucket's own LifecycleConfiguration rules (they are\n"
        "never replaced), or is a new LifecycleConfiguration; no rule is added where one already\n"
        "expires noncurrent versions, and a computed LifecycleConfiguration (!If) gets advice instead.\n"
        "Unsafe: every overwrite and delete now keeps a billable old version for that long, an old\n"
        "version can only be recovered within it, and versioning can later only be suspended, never\n"
        "turned off. A declared Status (Enabled, Suspended, !Ref ...) is left alone."
    )

    class Options(PatchOptions):
        noncurrent_days: int = 90

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        days = self.options.noncurrent_days
        if days < 1:
            raise ValueError("S3008: noncurrent_days must be at least 1")
        for rid in bucket_ids(view):
            props = props_of(view, rid)
            if "VersioningConfiguration" in props:
                continue
            props_path = ("Resources", rid, "Properties")
            yield SetKey(props_path, "VersioningConfiguration", {"Status": "Enabled"},
                         f"{rid}: versioning enabled (it can later only be suspended, never turned off)")
            lifecycle = props.get("LifecycleConfiguration")
            if _expires_old_versions(lifecycle):
                continue
            if lifecycle is None:
                yield SetKey(props_path, "LifecycleConfiguration", {"Rules": [self._rule(RULE_ID)]},
                             f"{rid}: delete noncurrent versions after {days} days")
                continue
            rules = lifecycle.get("Rules") if isinstance(lifecycle, dict) and not is_intrinsic(lifecycle) else None
            if isinstance(rules, list):
                yield AppendItem(props_path + ("LifecycleConfiguration", "Rules"), self._rule(_free_rule_id(rules)),
                                 f"{rid}: also delete noncurrent versions after {days} days")
                continue
            yield Advice(("Resources", rid), f"{rid}: old object versions are now kept forever; its "
                         "LifecycleConfiguration is computed, so add a rule with NoncurrentVersionExpiration "
                         "to it by hand to bound their cost")

    def _rule(self, rule_id: str) -> dict:
        return {"Id": rule_id, "Status": "Enabled",
                "NoncurrentVersionExpiration": {"NoncurrentDays": self.options.noncurrent_days}}
