"""S3004: access-log buckets expire old logs instead of keeping them forever."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Proposal, ReplaceValue, SetKey, Skip
from autofix.model.buckets import (
    BUCKET,
    POLICY,
    access_log_destinations,
    access_log_lifecycle,
    props_of,
)
from autofix.registry import SAFE, Patch, PatchOptions
from autofix.view import TemplateView


class S3LogBucketLifecycle(Patch):
    id = "S3004"
    name = "s3-log-bucket-lifecycle"
    title = "Expire old access logs in log buckets"
    safety = SAFE
    resource_types = (BUCKET,)
    after = ("S3001",)
    explanation = (
        "Adds a LifecycleConfiguration to every bucket that receives S3 access logs (named by\n"
        "another bucket's LoggingConfiguration.DestinationBucketName) and has none: expire objects\n"
        "after 90 days, noncurrent versions after 30, abort incomplete uploads after 7. Access logs\n"
        "are many small objects, so expiry, not storage-class transitions, is what bounds cost.\n"
        "Skipped: buckets with Object Lock (a retention the author chose) and buckets other\n"
        "resources also use (they may hold more than logs)."
    )

    class Options(PatchOptions):
        expiration_days: int = 90
        noncurrent_days: int = 30
        abort_upload_days: int = 7

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        opts = self.options
        if min(opts.expiration_days, opts.noncurrent_days, opts.abort_upload_days) < 1:
            raise ValueError("S3004: lifecycle days must be at least 1")
        if not view.has_any((BUCKET,)):
            return  # every proposal serves a bucket
        lifecycle = access_log_lifecycle(opts.expiration_days, opts.noncurrent_days, opts.abort_upload_days)
        expires = (f"expire access logs after {opts.expiration_days} days, noncurrent versions "
                   f"{opts.noncurrent_days} days after they are superseded, and unfinished uploads after "
                   f"{opts.abort_upload_days} days")
        for rid, sources in access_log_destinations(view).items():
            props = props_of(view, rid)
            if "LifecycleConfiguration" in props:
                if rid in view.created and props["LifecycleConfiguration"] != lifecycle:
                    # S3001's new log bucket comes with the default rule: these options win.
                    yield ReplaceValue(("Resources", rid, "Properties", "LifecycleConfiguration"), lifecycle,
                                       f"{rid}: {expires} (S3004's options, instead of the rule S3001 "
                                       "created it with)")
                continue
            reason = self._reason_to_skip(view, rid, sources, props)
            if reason:
                yield Skip(("Resources", rid), f"{rid}: {reason}; add a lifecycle rule by hand")
                continue
            yield SetKey(("Resources", rid, "Properties"), "LifecycleConfiguration", lifecycle, f"{rid}: {expires}")

    @staticmethod
    def _reason_to_skip(view: TemplateView, rid: str, sources: list[str], props: dict) -> str | None:
        if props.get("ObjectLockEnabled") not in (None, False) or "ObjectLockConfiguration" in props:
            return "Object Lock is on, so the author chose a retention period"
        others = [r for r in view.referrers(rid) if r not in sources and view.type_of(r) != POLICY]
        if others:
            return f"also used by {', '.join(others[:3])}, so it may hold more than access logs"
        return None
