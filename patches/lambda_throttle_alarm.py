"""LAM003: a throttle alarm, notifying an SNS topic, for every Lambda function."""

from __future__ import annotations

import copy
from collections.abc import Iterator

from autofix.edits import Proposal, SetKey, Skip
from autofix.model.alarms import (
    ALARM,
    TopicSettings,
    alarm_topic,
    alarms_on,
    dimension,
    function_of_dimension,
    metrics,
    topics_notified,
    unpublishable_topics,
)
from autofix.model.lambdas import FUNCTION_TYPES
from autofix.model.serving import deploy_time_only, edge_reason
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.values import ref, ref_target
from autofix.view import TemplateView


def watched_functions(view: TemplateView) -> set[str]:
    """Functions some AWS/Lambda Throttles alarm already watches through its FunctionName dimension."""
    watched = set()
    for _, props in alarms_on(view, "AWS/Lambda", "Throttles"):
        for namespace, name, dimensions in metrics(props):
            found = dimension(dimensions, "FunctionName") if (namespace, name) == ("AWS/Lambda", "Throttles") else None
            target = function_of_dimension(view, found[1].get("Value")) if found else None
            if target:
                watched.add(target)
    return watched


# What a throttle alarm on a Lambda@Edge function misses (model.serving.edge_reason).
_EDGE_LOST = "an alarm here sees its throttles in this Region only; each Region that runs a replica has its own metrics"

class LambdaThrottleAlarm(Patch):
    id = "LAM003"
    name = "lambda-throttle-alarm"
    title = "Alarm on throttled invocations of every Lambda function"
    safety = UNSAFE
    resource_types = FUNCTION_TYPES + (ALARM, "AWS::Lambda::Alias", "AWS::Lambda::Version")
    # LAM004 first: a repaired alarm counts as present. LAM009 first: its log group goes
    # right after the function, the alarm after that.
    after = ("LAM004", "LAM009")
    resolves = ()
    explanation = (
        "Adds an AWS::CloudWatch::Alarm on AWS/Lambda Throttles (dimension FunctionName: !Ref <fn>)\n"
        "after each function on the request path that no throttle alarm watches yet: Sum over 60 s > 0\n"
        "in 2 of 3 periods, missing data not breaching. Functions only called at deploy time (custom-\n"
        "resource providers, macro handlers) and Lambda@Edge functions (metered per Region that runs\n"
        "them) are skipped. Alarms notify, in order: the 'topic' option;\n"
        "the one target existing alarms notify; a parameter or Fn::ImportValue the template already\n"
        "names an alarm topic with (AlarmTopicArn, SNSTopicArn...; an empty default makes it\n"
        "conditional); else a new AWS::SNS::Topic. CloudWatch cannot publish to a topic encrypted with\n"
        "alias/aws/sns, so the new topic is unencrypted (checkov CKV_AWS_26 / cfn_nag W47 skipped with\n"
        "that reason), or with 'customer_key' uses a new AWS::KMS::Key (rotation on, about $1 a month)\n"
        "whose policy allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*. An\n"
        "AWS::SNS::TopicPolicy lets cloudwatch.amazonaws.com publish, for alarms of this account only;\n"
        "it replaces the topic's default policy. The AlarmEmail parameter (default empty) adds an e-mail\n"
        "subscription when set ('email_parameter', \"\" for none); the address must confirm it.\n"
        "Existing topics alarms notify that CloudWatch cannot publish to get advice. Unsafe: each alarm\n"
        "costs about $0.10 a month; SNS e-mail beyond 1,000 a month is billed."
    )

    class Options(PatchOptions):
        topic: str = ""  # logical id of an AWS::SNS::Topic or a parameter holding a topic ARN
        email_parameter: str = TopicSettings.email_parameter
        customer_key: bool = TopicSettings.customer_key

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        yield from unpublishable_topics(view)
        if not view.has_any(FUNCTION_TYPES):
            return  # no function to watch
        notified = set(topics_notified(view))
        watched = watched_functions(view)
        todo = []
        for rid, res in view.of_type(*FUNCTION_TYPES):
            if rid in watched:
                continue
            reason = deploy_time_only(view, rid) or edge_reason(view, rid, _EDGE_LOST)
            if reason:
                yield Skip(("Resources", rid), reason)
            else:
                todo.append((rid, res))
        if not todo:
            return
        opts = self.options
        action, proposals = alarm_topic(view, opts.topic, topic=TopicSettings(opts.email_parameter, opts.customer_key))
        yield from proposals
        if action is None:
            return
        yield from unpublishable_topics(view, [t for t in (ref_target(action),) if t and t not in notified])
        for rid, res in todo:
            alarm = view.unique_id(f"{rid}ThrottleAlarm")
            yield SetKey(("Resources",), alarm, throttle_alarm(rid, res.get("Condition"), copy.deepcopy(action)),
                         f"{rid}: alarm {alarm} on throttled invocations", after=rid)


def throttle_alarm(function: str, condition: str | None, action: dict) -> dict:
    """cfn-facts §10: Sum > 0 for 2 of 3 one-minute periods."""
    resource: dict = {"Type": ALARM}
    if condition is not None:
        resource["Condition"] = condition  # the alarm refers to the function (W1001)
    resource["Properties"] = {
        "AlarmDescription": f"Throttled invocations of {function}",
        "Namespace": "AWS/Lambda",
        "MetricName": "Throttles",
        "Dimensions": [{"Name": "FunctionName", "Value": ref(function)}],
        "Statistic": "Sum",
        "Period": 60,
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": 2,
        "Threshold": 0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmActions": [action],
    }
    return resource
