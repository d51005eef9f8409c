"""LOG002: an estimated-charges alarm (opt-in), gated to us-east-1 where billing metrics live."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Advice, Need, Proposal, SetKey
from autofix.model.alarms import (
    ALARM,
    TopicSettings,
    alarm_topic,
    alarms_on,
    unpublishable_topics,
)
from autofix.model.parameters import parameter
from autofix.record import replace
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.values import equals, ref, ref_target
from autofix.view import TemplateView

REGION = ref("AWS::Region")


class BillingAlarm(Patch):
    id = "LOG002"
    name = "billing-alarm"
    title = "Alarm when estimated monthly charges exceed a budget (opt-in)"
    safety = UNSAFE
    resource_types = (ALARM,)
    after = ("LAM003",)  # share the topic LAM003 adds
    resolves = ()
    default_enabled = False  # a budget alarm is a choice, not a defect: --unsafe-fixes alone adds none
    explanation = (
        "Off unless asked for: selected by id or name (--select LOG002), or its 'enabled' option is\n"
        "true. Adds an AWS/Billing EstimatedCharges alarm (Maximum over 6 h > !Ref MonthlyBudgetUsd,\n"
        "default 1000) with Condition IsUsEast1, because billing metrics exist only in us-east-1. It\n"
        "notifies the same target as the throttle alarms (LAM003): the 'topic' option, the topic LAM003\n"
        "added in this run (unless 'customer_key' asks for a key that topic lacks: then a topic of its\n"
        "own, and the message says whose did not serve), the one target existing alarms notify, a\n"
        "parameter or import the template already names an alarm topic with, else a new\n"
        "AWS::SNS::Topic (only in us-east-1). CloudWatch cannot publish to a topic encrypted\n"
        "with alias/aws/sns, so a new topic is unencrypted (checkov CKV_AWS_26 / cfn_nag W47 skipped\n"
        "with that reason) or, with 'customer_key', encrypted by a new AWS::KMS::Key (about $1 a month)\n"
        "that allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*; an\n"
        "AWS::SNS::TopicPolicy (replacing the default one) lets this account's alarms publish. The\n"
        "AlarmEmail parameter (default empty) subscribes an address when set. Billing alerts must also\n"
        "be enabled in the account's billing preferences. The alarm costs about $0.10 a month. An\n"
        "account-wide budget (AWS::Budgets::Budget, once per account) is the alternative."
    )

    class Options(PatchOptions):
        enabled: bool = False
        parameter: str = "MonthlyBudgetUsd"
        default_usd: int = 1000
        topic: str = ""  # logical id of an AWS::SNS::Topic or a parameter holding a topic ARN
        email_parameter: str = TopicSettings.email_parameter
        customer_key: bool = TopicSettings.customer_key

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        opts = self.options
        if next(alarms_on(view, "AWS/Billing", "EstimatedCharges"), None):
            return
        if not opts.enabled:  # off unless asked for: says nothing, as an unselected patch
            return
        region = _us_east_1_condition(view)
        condition = view.need_name(region)
        alarm = view.unique_id("EstimatedChargesAlarm")
        budget_need = parameter(opts.parameter, {
            "Type": "Number", "Default": opts.default_usd, "MinValue": 1,
            "Description": "Estimated monthly charges (USD) above which the billing alarm fires"})
        message = f"{alarm}: alarm when estimated charges exceed {view.need_name(budget_need)} (us-east-1 only)"
        # A topic made only for this alarm lives where the alarm does.
        action, proposals = alarm_topic(view, opts.topic, condition,
                                        TopicSettings(opts.email_parameter, opts.customer_key))
        if action is None:
            yield from proposals
            return
        budget = yield from view.need(replace(budget_need, message=message))
        yield from view.need(replace(region, message=message))
        yield from proposals
        yield from unpublishable_topics(view, [t for t in (ref_target(action),) if t])
        yield SetKey(("Resources",), alarm, {
            "Type": ALARM,
            "Condition": condition,
            "Properties": {
                "AlarmDescription": "Estimated monthly charges above budget",
                "Namespace": "AWS/Billing",
                "MetricName": "EstimatedCharges",
                "Dimensions": [{"Name": "Currency", "Value": "USD"}],
                "Statistic": "Maximum",
                "Period": 21600,
                "EvaluationPeriods": 1,
                "Threshold": ref(budget),
                "ComparisonOperator": "GreaterThanThreshold",
                "TreatMissingData": "notBreaching",
                "AlarmActions": [action],
            },
        }, message)
        yield Advice(("Resources", alarm), f"{alarm}: enable 'Receive billing alerts' in the account's "
                     "billing preferences and deploy the stack in us-east-1, or there is no data")


def _us_east_1_condition(view: TemplateView) -> Need:
    """`Region == us-east-1`: a condition of the template that tests it (of any name), else a new one."""
    tests = (equals(REGION, "us-east-1"), equals("us-east-1", REGION))
    name = next((name for name, value in view.conditions.items() if value in tests), "IsUsEast1")
    return Need("Conditions", name, tests[0], serves=lambda found: None if found in tests else "is another condition")
