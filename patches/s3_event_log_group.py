"""S3002: data-bucket object events reach a CloudWatch Logs group through EventBridge."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from autofix.edits import Advice, AppendItem, Proposal, SetKey, Skip
from autofix.registry import UNSAFE, Patch
from autofix.values import get_att, getatt_target, ref, referenced_names, sub
from autofix.view import TemplateView

from ._s3 import BUCKET, RefPlan, data_buckets, new_resource, plan_refs, props_of, suppressed
from .log_group_retention import GUARD_SAFE_DAYS

RULE, LOG_GROUP = "AWS::Events::Rule", "AWS::Logs::LogGroup"
_POLICY = ('{{"Version":"2012-10-17","Statement":[{{"Sid":"EventBridgeToLogs","Effect":"Allow",'
           '"Principal":{{"Service":["events.amazonaws.com","delivery.logs.amazonaws.com"]}},'
           '"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"${{{group}.Arn}}"}}]}}')


def _eventbridge_on(view: TemplateView, rid: str) -> bool:
    """EventBridge delivery is on, or set by an intrinsic that may turn it on."""
    config = props_of(view, rid).get("NotificationConfiguration")
    bridge = config.get("EventBridgeConfiguration") if isinstance(config, dict) else None
    return isinstance(bridge, dict) and bridge.get("EventBridgeEnabled", False) not in (False, "false")


def _log_rule(view: TemplateView) -> str | None:
    """A rule that already sends S3 events to a log group of this template."""
    groups = {rid for rid, _ in view.of_type(LOG_GROUP)}
    for rid, _ in view.of_type(RULE):
        pattern = props_of(view, rid).get("EventPattern")
        targets = props_of(view, rid).get("Targets")
        if not isinstance(pattern, dict) or "aws.s3" not in (pattern.get("source") or []):
            continue
        arns = [t.get("Arn") for t in targets if isinstance(t, dict)] if isinstance(targets, list) else []
        if any((getatt_target(arn) or ("",))[0] in groups for arn in arns):
            return rid
    return None


class S3EventLogGroup(Patch):
    id = "S3002"
    name = "s3-event-log-group"
    title = "Log data-bucket object events to CloudWatch Logs through EventBridge"
    safety = UNSAFE
    resource_types = (BUCKET, RULE, LOG_GROUP)
    after = ("S3003",)
    explanation = (
        "S3 cannot write to CloudWatch Logs itself. Adds an AWS::Logs::LogGroup\n"
        "(/aws/events/<stack>-s3, 30 days), an AWS::Events::Rule sending Object Created/Deleted\n"
        "events of the data buckets to it, and the AWS::Logs::ResourcePolicy that lets\n"
        "events.amazonaws.com and delivery.logs.amazonaws.com write there (without it events are\n"
        "dropped silently). Only buckets with EventBridge notifications on are monitored: S3003\n"
        "turns them on; if it is deselected, such buckets are skipped with a reason rather than\n"
        "changed behind the user's back. A later run adds new data buckets to the same rule.\n"
        "Unsafe: per-event cost, and resource policies are limited to 10 per account and Region."
    )

    @dataclass(frozen=True)
    class Options:
        log_group_id: str = "S3EventsLogGroup"
        rule_id: str = "S3EventsRule"
        retention_days: int = 30

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        if self.options.retention_days not in GUARD_SAFE_DAYS:
            raise ValueError(f"S3002: retention {self.options.retention_days} is not one of {GUARD_SAFE_DAYS}")
        buckets = []
        for rid in data_buckets(view):
            if suppressed(view, rid, self):
                continue
            if _eventbridge_on(view, rid):
                buckets.append(rid)
            else:
                yield Skip(("Resources", rid), f"{rid}: EventBridge notifications are off; turn them on "
                           "(S3003 s3-eventbridge-notifications) to log its object events")
        if not buckets:
            return
        rule = _log_rule(view)
        plan = plan_refs(view, buckets)
        if rule is not None:
            plan = plan.inside_unconditional(buckets)
        for rid in plan.skipped:
            yield Skip(("Resources", rid), f"{rid}: its Condition is not shared by the other buckets; "
                       "add it to the S3 events rule by hand")
        buckets = [b for b in buckets if b not in plan.skipped]
        if buckets:
            yield from self._extend(view, rule, buckets, plan) if rule else self._create(view, buckets, plan)

    def _extend(self, view: TemplateView, rule: str, buckets: list[str], plan: RefPlan) -> Iterator[Proposal]:
        path = ("Resources", rule, "Properties", "EventPattern", "detail", "bucket", "name")
        names = view.get(path)
        if names is None:
            return  # no bucket filter: the rule already takes every bucket's events
        if not isinstance(names, list):
            yield Skip(("Resources", rule), f"{rule}: detail.bucket.name is not a list; add "
                       f"{', '.join(buckets)} by hand")
            return
        present = set(referenced_names(names))
        for rid in buckets:
            if rid not in present:
                yield AppendItem(path, plan.guard(rid, ref(rid)), f"{rule}: also log object events of {rid}")

    def _create(self, view: TemplateView, buckets: list[str], plan: RefPlan) -> Iterator[Proposal]:
        group = view.unique_id(self.options.log_group_id)
        policy = view.unique_id(f"{group}Policy")
        rule = view.unique_id(self.options.rule_id)
        yield SetKey(("Resources",), group, new_resource(
            LOG_GROUP, plan.condition, DeletionPolicy="Delete", UpdateReplacePolicy="Delete", Properties={
                "LogGroupName": sub("/aws/events/${AWS::StackName}-s3"),
                "RetentionInDays": self.options.retention_days,
            }), f"{group}: log group for S3 object events")
        yield SetKey(("Resources",), policy, new_resource("AWS::Logs::ResourcePolicy", plan.condition, Properties={
            "PolicyName": sub("${AWS::StackName}-s3-events-to-logs"),
            "PolicyDocument": sub(_POLICY.format(group=group)),
        }), f"{policy}: let EventBridge write to {group}")
        yield SetKey(("Resources",), rule, new_resource(RULE, plan.condition, DependsOn=policy, Properties={
            "Description": "Send S3 object events of the data buckets to CloudWatch Logs",
            "EventPattern": {
                "source": ["aws.s3"],
                "detail-type": ["Object Created", "Object Deleted"],
                "detail": {"bucket": {"name": [plan.guard(b, ref(b)) for b in buckets]}},
            },
            "Targets": [{"Id": "s3-events-log-group", "Arn": get_att(group, "Arn")}],
        }), f"{rule}: send object events of {', '.join(buckets)} to {group}")
        yield Advice(("Resources", policy), f"{policy}: CloudWatch Logs allows 10 resource policies per "
                     "account and Region; at high object rates events cost per event")
