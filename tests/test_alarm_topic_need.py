"""The alarm topic is a need with parts: LAM003 and LOG002 ask for "an SNS topic CloudWatch can
publish to" (autofix/model/alarms.py `alarm_topic_need`); the engine names the topic once per run,
declares its policy, key and subscription with it, and drops them all when nothing kept uses it."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

from autofix import fastload
from autofix.api import build_patches, fix_text
from autofix.edits import Proposal, SetKey
from autofix.engine import Result
from autofix.model.alarms import ALARM, TOPIC, TOPIC_POLICY, alarm_topic
from autofix.registry import Patch
from autofix.semantics.alarms import KMS_KEY, alarm_topics_publishable
from autofix.semantics.model import Deployed
from autofix.values import ref
from autofix.view import TemplateView

HERE = Path(__file__).resolve().parent / "patches"
# One function, and a region condition LOG002 reuses: tests/patches/billing-alarm/with_throttle_alarms.
BOTH = (HERE / "billing-alarm" / "with_throttle_alarms.in.yaml").read_text()


def _run(source: str, options: dict | None = None) -> Result:
    """LAM003 and LOG002 in one run (LOG002 runs after LAM003), checked stable on a second run."""
    options = {**(options or {}), "LOG002": {"enabled": True, **(options or {}).get("LOG002", {})}}
    patches = build_patches(select=["LAM003", "LOG002"], unsafe=True, options=options)
    result = fix_text(source, patches)
    assert result.status == "fixed", result.error
    assert fix_text(result.output, patches).status == "unchanged"
    return result


def _of_type(resources: dict, kind: str) -> list[str]:
    return [rid for rid, res in resources.items() if res["Type"] == kind]


def _actions(resources: dict, alarm: str) -> list:
    return resources[alarm]["Properties"]["AlarmActions"]


def test_lam003_and_log002_in_one_run_share_one_topic_and_one_policy() -> None:
    result = _run(BOTH)
    data = fastload.load_data(result.output, "yaml")
    resources = data["Resources"]
    assert _of_type(resources, TOPIC) == ["AlarmTopic"]
    assert _of_type(resources, TOPIC_POLICY) == ["AlarmTopicPolicy"]
    assert _actions(resources, "FnThrottleAlarm") == _actions(resources, "EstimatedChargesAlarm") == [ref("AlarmTopic")]
    assert not [c for c in result.changes if c.patch_id == "LOG002" and c.path[:2] == ("Resources", "AlarmTopic")]
    assert list(alarm_topics_publishable(Deployed(data))) == []


def test_a_customer_key_only_log002_asks_for_gets_a_topic_of_its_own_saying_whose_did_not_serve() -> None:
    """LAM003's topic has no key; LOG002 (customer_key) declares AlarmTopic2 with AlarmTopic2Key, under
    LOG002's region condition, and reuses LAM003's e-mail parameter and its condition."""
    result = _run(BOTH, {"LOG002": {"customer_key": True}})
    data = fastload.load_data(result.output, "yaml")
    resources = data["Resources"]
    assert _of_type(resources, TOPIC) == ["AlarmTopic", "AlarmTopic2"]
    assert _of_type(resources, TOPIC_POLICY) == ["AlarmTopicPolicy", "AlarmTopic2Policy"]
    assert _of_type(resources, KMS_KEY) == ["AlarmTopic2Key"]
    assert resources["AlarmTopic2"]["Properties"] == {"KmsMasterKeyId": ref("AlarmTopic2Key")}
    assert resources["AlarmTopic2"]["Condition"] == "InNorthVirginia"
    assert _actions(resources, "FnThrottleAlarm") == [ref("AlarmTopic")]
    assert _actions(resources, "EstimatedChargesAlarm") == [ref("AlarmTopic2")]
    assert list(data["Parameters"]) == ["AlarmEmail", "MonthlyBudgetUsd"]
    topic = [c.message for c in result.changes if c.path == ("Resources", "AlarmTopic2")]
    assert topic == [("AlarmTopic2: new SNS topic for alarm notifications, publishable by CloudWatch (topic policy "
                      "AlarmTopic2Policy, customer-managed key AlarmTopic2Key, e-mail subscription when AlarmEmail "
                      "is set); AlarmTopic (added by LAM003) has no customer-managed key")]
    assert list(alarm_topics_publishable(Deployed(data))) == []


def test_a_topic_with_a_customer_key_serves_a_later_need_without_one() -> None:
    result = _run(BOTH, {"LAM003": {"customer_key": True}})
    resources = fastload.load_data(result.output, "yaml")["Resources"]
    assert _of_type(resources, TOPIC) == ["AlarmTopic"]
    assert _of_type(resources, KMS_KEY) == ["AlarmTopicKey"]
    assert _actions(resources, "EstimatedChargesAlarm") == [ref("AlarmTopic")]


def test_a_topic_name_a_parameter_holds_gives_the_topic_and_its_parts_the_next_name_and_says_why() -> None:
    """AlarmTopic is a Number parameter (not a topic ARN new alarms could notify): the topic is
    AlarmTopic2, its policy AlarmTopic2Policy, and both messages say why."""
    source = "Parameters:\n    AlarmTopic:\n        Type: Number\n        Default: 3\n" + BOTH
    result = _run(source)
    resources = fastload.load_data(result.output, "yaml")["Resources"]
    assert _of_type(resources, TOPIC) == ["AlarmTopic2"]
    assert _of_type(resources, TOPIC_POLICY) == ["AlarmTopic2Policy"]
    assert resources["AlarmTopic2EmailSubscription"]["Properties"]["TopicArn"] == ref("AlarmTopic2")
    assert _actions(resources, "EstimatedChargesAlarm") == [ref("AlarmTopic2")]
    messages = {c.message for c in result.changes if c.path[:2] in {("Resources", "AlarmTopic2"),
                                                                    ("Resources", "AlarmTopic2Policy")}}
    assert messages == {("AlarmTopic2: new SNS topic for alarm notifications, publishable by CloudWatch (topic policy "
                         "AlarmTopic2Policy, e-mail subscription when AlarmEmail is set); AlarmTopic is in Parameters")}


def test_a_topic_of_the_template_no_alarm_notifies_is_not_taken_for_the_new_one() -> None:
    """The need cannot vouch for a template's own AlarmTopic (its policy, its key): a new AlarmTopic2."""
    source = BOTH + "    AlarmTopic:\n        Type: AWS::SNS::Topic\n"
    resources = fastload.load_data(_run(source).output, "yaml")["Resources"]
    assert _of_type(resources, TOPIC) == ["AlarmTopic", "AlarmTopic2"]
    assert _actions(resources, "FnThrottleAlarm") == _actions(resources, "EstimatedChargesAlarm") == [ref("AlarmTopic2")]


# ---------------------------------------------------------------- no orphan topic


class NotifiesOldAlarm(Patch):
    """Points an existing alarm's OKActions at the alarm topic: the topic's only user."""

    id, name, title = "TEST931", "notifies-old-alarm", "OldAlarm notifies the alarm topic"
    resource_types = (ALARM,)

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        from autofix.model.alarms import TopicSettings

        if "OKActions" in view.props(view.resources["OldAlarm"]):
            return
        action, proposals = alarm_topic(view, "", topic=TopicSettings(customer_key=True))
        yield from proposals
        yield SetKey(("Resources", "OldAlarm", "Properties"), "OKActions", [action], "OldAlarm: notifies the topic")


OLD_ALARM = textwrap.dedent("""\
    Conditions:
      Never: !Equals [a, b]
    Resources:
      OldAlarm:
        Type: AWS::CloudWatch::Alarm
    """)
ALARM_PROPERTIES = ("{Namespace: AWS/Lambda, MetricName: Errors, Statistic: Sum, Period: 60, EvaluationPeriods: 1, "
                    "Threshold: 1, ComparisonOperator: GreaterThanThreshold}")


def _unchanged(source: str) -> Result:
    result = fix_text(source, [NotifiesOldAlarm()])
    assert result.status == "unchanged", [c.dotted for c in result.changes]
    assert not [n for n in result.notes if n.kind == "error"]
    result.notes = [n for n in result.notes if n.kind != "warning"]  # TEST931 is not a registered id
    return result


def test_no_topic_policy_key_or_subscription_when_the_only_user_is_refused() -> None:
    """The edit beside an Fn::If is refused: the topic, its policy, key, e-mail parameter, condition and
    subscription (which refer to the topic, not the other way round) all go, and so does the advice
    on subscribing to a topic that is not there."""
    result = _unchanged(OLD_ALARM + f"    Properties: !If [Never, {ALARM_PROPERTIES}, {ALARM_PROPERTIES}]\n")
    assert [n.kind for n in result.notes] == ["skip"]
    assert "Fn::If" in result.notes[0].message


def test_no_topic_policy_key_or_subscription_when_the_only_user_is_suppressed() -> None:
    result = _unchanged(OLD_ALARM + "    Metadata:\n      cfn-fix:\n        ignore: [TEST931]\n"
                        f"    Properties: {ALARM_PROPERTIES}\n")
    assert [n.kind for n in result.notes] == ["suppressed"]


def test_the_topic_the_old_alarm_notifies_comes_with_all_its_parts() -> None:
    """The same patch with its user kept: the parts the two tests above drop are there."""
    result = fix_text(OLD_ALARM + f"    Properties: {ALARM_PROPERTIES}\n", [NotifiesOldAlarm()])
    resources = fastload.load_data(result.output, "yaml")["Resources"]
    assert sorted(resources) == ["AlarmTopic", "AlarmTopicEmailSubscription", "AlarmTopicKey", "AlarmTopicPolicy",
                                 "OldAlarm"]
    assert resources["OldAlarm"]["Properties"]["OKActions"] == [ref("AlarmTopic")]


# A Conditions section that is an intrinsic (AWS::LanguageExtensions): no condition can be added to it.
FOR_EACH_CONDITIONS = textwrap.dedent("""\
    Transform: AWS::LanguageExtensions
    Conditions:
      Fn::ForEach::Stages:
        - Stage
        - [dev]
        - Is${Stage}: !Equals [!Ref AWS::Region, us-east-1]
    Resources:
    """) + BOTH.split("Resources:\n", 1)[1]


def test_an_alarm_whose_condition_or_topic_cannot_be_added_is_not_added_either() -> None:
    """LOG002's IsUsEast1 and the topic's HasAlarmEmail are refused (Conditions is an Fn::ForEach): the
    topic goes with its refused part, and the alarms that would refer to the missing condition or
    topic go too (once, LAM003 wrote a subscription under a condition that did not exist)."""
    patches = build_patches(select=["LAM003", "LOG002"], unsafe=True, options={"LOG002": {"enabled": True}})
    result = fix_text(FOR_EACH_CONDITIONS, patches)
    assert result.status == "unchanged", [c.dotted for c in result.changes]
    assert {(n.patch_id, n.kind, n.message) for n in result.notes} == {
        (pid, "skip", "Conditions is an Fn::ForEach::Stages; left alone") for pid in ("LAM003", "LOG002")}


def test_without_an_e_mail_subscription_the_topic_needs_no_condition_and_is_added() -> None:
    patches = build_patches(select=["LAM003"], unsafe=True, options={"LAM003": {"email_parameter": ""}})
    resources = fastload.load_data(fix_text(FOR_EACH_CONDITIONS, patches).output, "yaml")["Resources"]
    assert _of_type(resources, TOPIC) == ["AlarmTopic"]
    assert _actions(resources, "FnThrottleAlarm") == [ref("AlarmTopic")]
