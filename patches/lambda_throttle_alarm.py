"""LAM003: a throttle alarm, notifying an SNS topic, for every Lambda function."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from autofix.edits import Proposal, SetKey
from autofix.registry import UNSAFE, Patch
from autofix.values import ref
from autofix.view import TemplateView

from ._alarms import ALARM, FUNCTION_TYPES, alarm_topic, alarms_on, dimension, function_of_dimension, metrics


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


class LambdaThrottleAlarm(Patch):
    id = "LAM003"
    name = "lambda-throttle-alarm"
    title = "Alarm on throttled invocations of every Lambda function"
    safety = UNSAFE
    resource_types = FUNCTION_TYPES + (ALARM,)
    # LAM004 first: a repaired alarm counts as present. LAM009 first: its log group goes
    # right after the function, the alarm after that.
    after = ("LAM004", "LAM009")
    resolves = ()
    explanation = (
        "Adds an AWS::CloudWatch::Alarm on AWS/Lambda Throttles (dimension FunctionName: !Ref <fn>)\n"
        "after each function that no throttle alarm watches yet: Sum over 60 s > 0 in 2 of 3 periods,\n"
        "missing data not breaching. Alarms notify the topic named by the 'topic' option, else the one\n"
        "topic existing alarms notify, else a new SNS topic (encrypted with alias/aws/sns) that you\n"
        "must subscribe to. Unsafe: new billable alarms and a new topic."
    )

    @dataclass(frozen=True)
    class Options:
        topic: str = ""  # logical id of an AWS::SNS::Topic or a parameter holding a topic ARN

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        watched = watched_functions(view)
        todo = [(rid, res) for rid, res in view.of_type(*FUNCTION_TYPES) if rid not in watched]
        if not todo:
            return
        action, proposals = alarm_topic(view, self.options.topic)
        yield from proposals
        if action is None:
            return
        for rid, res in todo:
            alarm = view.unique_id(f"{rid}ThrottleAlarm")
            yield SetKey(("Resources",), alarm, throttle_alarm(rid, res.get("Condition"), action),
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
