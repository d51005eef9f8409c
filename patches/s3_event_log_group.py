"""S3002: data-bucket object events reach a CloudWatch Logs group through EventBridge.

EventBridge writes to a log group only where an account-wide CloudWatch Logs resource policy
lets it, and an account has at most 10 of those per Region. So every stack's group sits below
one prefix, and one policy with a fixed name covers the prefix: the first stack creates it, the
others deploy with the parameter set to `exists`.
"""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Advice, AppendItem, Proposal, SetKey, Skip
from autofix.model.buckets import (
    BUCKET,
    LOG_DELIVERY_TYPES,
    RefPlan,
    data_buckets,
    new_resource,
    plan_refs,
    props_of,
)
from autofix.model.logs import GUARD_SAFE_DAYS, log_group
from autofix.model.parameters import condition, parameter
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.values import equals, get_att, getatt_target, ref, referenced_names, sub
from autofix.view import TemplateView

RULE, LOG_GROUP, LOGS_POLICY = "AWS::Events::Rule", "AWS::Logs::LogGroup", "AWS::Logs::ResourcePolicy"
POLICY_VALUES = ("create", "exists")
_POLICY = ('{{"Version":"2012-10-17","Statement":[{{"Sid":"EventBridgeToLogs","Effect":"Allow",'
           '"Principal":{{"Service":["events.amazonaws.com","delivery.logs.amazonaws.com"]}},'
           '"Action":["logs:CreateLogStream","logs:PutLogEvents"],'
           '"Resource":"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{prefix}*"}}]}}')


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
    resource_types = (BUCKET, RULE, LOG_GROUP, LOGS_POLICY) + LOG_DELIVERY_TYPES
    after = ("S3003",)
    explanation = (
        "S3 cannot write to CloudWatch Logs itself. Adds an AWS::Logs::LogGroup\n"
        "(/aws/events/cfn-fix/<stack>-s3, 30 days) and an AWS::Events::Rule sending Object\n"
        "Created/Deleted events of the data buckets to it. EventBridge needs a CloudWatch Logs\n"
        "resource policy allowing events.amazonaws.com and delivery.logs.amazonaws.com\n"
        "logs:CreateLogStream and logs:PutLogEvents on the group (without it events are dropped\n"
        "silently). That policy is account-wide, and an account has at most 10 per Region, so one\n"
        "per stack would make the 11th stack fail. Instead every stack uses one shared policy with a\n"
        "fixed name (cfn-fix-events-to-logs) covering the prefix /aws/events/cfn-fix/, created\n"
        "under a Condition on the new parameter EventsToLogsPolicy: 'create' (the default) in the\n"
        "first stack of an account and Region, 'exists' in every other one (a second 'create' fails:\n"
        "the name is taken). The policy is retained when its stack is deleted, so the other stacks\n"
        "keep logging. Only buckets with EventBridge notifications on are monitored: S3003 turns\n"
        "them on; if it is deselected, such buckets are skipped with a reason. A later run adds new\n"
        "data buckets to the same rule. Unsafe: per-event cost (EventBridge and log ingestion)."
    )

    class Options(PatchOptions):
        log_group_id: str = "S3EventsLogGroup"
        rule_id: str = "S3EventsRule"
        retention_days: int = 30
        # One policy per account and Region covers the log groups of every stack below the prefix.
        policy_name: str = "cfn-fix-events-to-logs"
        log_group_prefix: str = "/aws/events/cfn-fix/"

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        if self.options.retention_days not in GUARD_SAFE_DAYS:
            raise ValueError(f"S3002: retention {self.options.retention_days} is not one of {GUARD_SAFE_DAYS}")
        if not view.has_any((BUCKET,)):
            return  # every proposal serves a bucket
        buckets = []
        for rid in data_buckets(view):
            if view.suppressed(rid, self):
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
        if names is None:  # no bucket filter: the rule already takes every bucket's events
            yield Skip(("Resources", rule), f"{rule}: already sends every bucket's object events to a log group "
                       f"(no bucket filter), {', '.join(buckets)} included")
            return
        if not isinstance(names, list):
            yield Skip(("Resources", rule), f"{rule}: detail.bucket.name is not a list; add "
                       f"{', '.join(buckets)} by hand")
            return
        present = set(referenced_names(names))
        for rid in buckets:
            if rid not in present:
                yield AppendItem(path, plan.guard(rid, ref(rid)), f"{rule}: also log object events of {rid}")

    def _create(self, view: TemplateView, buckets: list[str], plan: RefPlan) -> Iterator[Proposal]:
        opts = self.options
        group = view.unique_id(opts.log_group_id)
        rule = view.unique_id(opts.rule_id)
        yield SetKey(("Resources",), group, log_group(
            opts.retention_days, plan.condition, sub(f"{opts.log_group_prefix}${{AWS::StackName}}-s3")),
            f"{group}: log group for S3 object events")
        yield from self._shared_policy(view)
        # No DependsOn on the policy: it may not exist in this stack (EventsToLogsPolicy=exists).
        yield SetKey(("Resources",), rule, new_resource(RULE, plan.condition, Properties={
            "Description": "Send S3 object events of the data buckets to CloudWatch Logs",
            "EventPattern": {
                "source": ["aws.s3"],
                "detail-type": ["Object Created", "Object Deleted"],
                "detail": {"bucket": {"name": [plan.guard(b, ref(b)) for b in buckets]}},
            },
            "Targets": [{"Id": "s3-events-log-group", "Arn": get_att(group, "Arn")}],
        }), f"{rule}: send object events of {', '.join(buckets)} to {group}")

    def _shared_policy(self, view: TemplateView) -> Iterator[Proposal]:
        opts = self.options
        for _, res in view.of_type(LOGS_POLICY):
            props = view.props(res)
            if isinstance(props, dict) and props.get("PolicyName") == opts.policy_name:
                return  # the template declares the shared policy already (two would collide)
        chosen = yield from view.need(parameter("EventsToLogsPolicy", {
            "Type": "String", "Default": POLICY_VALUES[0], "AllowedValues": list(POLICY_VALUES),
            "Description": f"create: this stack creates the account-wide CloudWatch Logs resource policy "
                           f"{opts.policy_name} that lets EventBridge write to {opts.log_group_prefix}* log "
                           "groups (one per account and Region); exists: another stack already did",
        }, "{name}: create the shared EventBridge-to-Logs policy, or use the one that exists"))
        created = yield from view.need(condition("CreateEventsToLogsPolicy", equals(ref(chosen), POLICY_VALUES[0]),
                                                 f"{{name}}: {chosen} is {POLICY_VALUES[0]}"))
        policy = view.unique_id("EventsToLogsResourcePolicy")
        yield SetKey(("Resources",), policy, new_resource(
            LOGS_POLICY, created, DeletionPolicy="Retain", UpdateReplacePolicy="Retain", Properties={
                "PolicyName": opts.policy_name,
                "PolicyDocument": sub(_POLICY.format(prefix=opts.log_group_prefix)),
            }), f"{policy}: one account-wide policy lets EventBridge write to {opts.log_group_prefix}*")
        yield Advice(("Resources", policy), f"{policy}: account-wide (CloudWatch Logs allows 10 resource "
                     f"policies per account and Region): deploy every other stack of this account and Region "
                     f"with {chosen}=exists; a second stack with {POLICY_VALUES[0]} fails because "
                     f"{opts.policy_name} exists. It is retained when this stack is deleted")
