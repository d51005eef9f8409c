"""S3003: data buckets publish their object events to EventBridge."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Proposal, SetKey, Skip
from autofix.model.buckets import BUCKET, LOG_DELIVERY_TYPES, data_buckets, props_of
from autofix.registry import UNSAFE, Patch
from autofix.values import is_intrinsic
from autofix.view import TemplateView

ENABLED = {"EventBridgeEnabled": True}


class S3EventBridgeNotifications(Patch):
    id = "S3003"
    name = "s3-eventbridge-notifications"
    title = "Send data-bucket object events to EventBridge"
    safety = UNSAFE
    resource_types = (BUCKET,) + LOG_DELIVERY_TYPES
    explanation = (
        "Sets NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled: true on every\n"
        "data bucket (not on buckets that hold logs), merged into an existing literal\n"
        "NotificationConfiguration. EventBridge needs no destination permission and creates no\n"
        "dependency cycle, unlike Lambda/SQS/SNS targets; s3-event-log-group (S3002) routes the\n"
        "events to CloudWatch Logs. Unsafe: S3 then sends every event of the bucket to EventBridge,\n"
        "not only those a rule matches, and EventBridge prices S3's events as AWS opt-in data\n"
        "events, which are not the AWS management events its event bus ingests free; see\n"
        "https://aws.amazon.com/eventbridge/pricing/ for their rate. Skipped when\n"
        "NotificationConfiguration is an intrinsic or a custom resource manages the notifications\n"
        "(CloudFormation would overwrite what it wrote)."
    )

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        if not view.has_any((BUCKET,)):
            return  # every proposal serves a bucket
        for rid in data_buckets(view):
            if view.suppressed(rid, self):
                continue
            props_path = ("Resources", rid, "Properties")
            props = props_of(view, rid)
            current = props.get("NotificationConfiguration")
            if isinstance(current, dict) and "EventBridgeConfiguration" in current:
                continue
            manager = notifications_elsewhere(view, rid)
            if manager:
                yield Skip(("Resources", rid), f"{rid}: custom resource {manager} manages its notifications; "
                           "CloudFormation would overwrite them")
                continue
            message = f"{rid}: publish object events to EventBridge"
            if "NotificationConfiguration" not in props:
                yield SetKey(props_path, "NotificationConfiguration", {"EventBridgeConfiguration": ENABLED}, message)
            elif current is None or (isinstance(current, dict) and not is_intrinsic(current)):
                yield SetKey(props_path + ("NotificationConfiguration",), "EventBridgeConfiguration", ENABLED, message)
            else:
                yield Skip(props_path + ("NotificationConfiguration",),
                           f"{rid}: NotificationConfiguration is computed; enable EventBridge in it by hand")


def notifications_elsewhere(view: TemplateView, rid: str) -> str | None:
    """A custom resource that writes this bucket's notifications (CloudFormation would overwrite them)."""
    for other in view.referrers(rid):
        kind = str(view.type_of(other))
        if not (kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource"):
            continue
        if "notification" in (kind + repr(props_of(view, other))).lower():
            return other
    return None
