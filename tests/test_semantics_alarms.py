"""Invariant: every SNS topic an alarm notifies is one CloudWatch can publish to (issue 11 item 1)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from autofix.api import build_patches, fix_text
from autofix.fastload import load_data
from autofix.semantics import new_violations
from autofix.semantics.alarms import alarm_topics_publishable, topic_problem
from autofix.semantics.model import Deployed

HERE = Path(__file__).resolve().parent / "patches"
ONLY = (alarm_topics_publishable,)

FUNCTION = {"Type": "AWS::Lambda::Function",
            "Properties": {"Runtime": "python3.12", "Handler": "index.handler", "Role": "arn:aws:iam::1:role/r",
                           "Code": {"ZipFile": "def handler(e, c): return 1"}}}
ALARM = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
    "Namespace": "AWS/Lambda", "MetricName": "Throttles", "Statistic": "Sum", "Period": 60,
    "EvaluationPeriods": 1, "Threshold": 0, "ComparisonOperator": "GreaterThanThreshold",
    "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": "Fn"}}],
    "AlarmActions": [{"Ref": "AlarmTopic"}]}}

# What LAM003 used to write: a topic on the AWS-managed key, which CloudWatch cannot use.
BROKEN = {"Resources": {
    "Fn": FUNCTION,
    "FnThrottleAlarm": ALARM,
    "AlarmTopic": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": "alias/aws/sns"}},
}}


def _with(**resources: dict) -> dict:
    data = copy.deepcopy(BROKEN)
    data["Resources"].update(copy.deepcopy(resources))
    return data


def _key(statements: list) -> dict:
    return {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": statements}}}


CLOUDWATCH_USES_KEY = {"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
                       "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}
ROOT_ONLY = {"Effect": "Allow", "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
             "Action": "kms:*", "Resource": "*"}


def test_old_lam003_output_violates() -> None:
    found = list(alarm_topics_publishable(Deployed(BROKEN)))
    assert [v.resource for v in found] == ["AlarmTopic"]
    assert "alias/aws/sns" in found[0].message
    before = {"Resources": {"Fn": FUNCTION}}
    assert [str(v) for v in new_violations(before, BROKEN, ONLY)] == [str(v) for v in found]


@pytest.mark.parametrize("key", [
    "alias/aws/sns",
    "arn:aws:kms:us-east-1:123456789012:alias/aws/sns",
    {"Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/sns"},
])
def test_every_spelling_of_the_aws_managed_key_violates(key: object) -> None:
    data = _with(AlarmTopic={"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": key}})
    assert [v.resource for v in alarm_topics_publishable(Deployed(data))] == ["AlarmTopic"]


def test_ok_and_insufficient_data_actions_count_too() -> None:
    data = copy.deepcopy(BROKEN)
    props = data["Resources"]["FnThrottleAlarm"]["Properties"]
    props["OKActions"] = [{"Fn::If": ["IsProd", {"Ref": "AlarmTopic"}, {"Ref": "AWS::NoValue"}]}]
    del props["AlarmActions"]
    assert [v.resource for v in alarm_topics_publishable(Deployed(data))] == ["AlarmTopic"]


def test_a_topic_no_alarm_notifies_is_not_judged() -> None:
    data = copy.deepcopy(BROKEN)
    del data["Resources"]["FnThrottleAlarm"]
    assert list(alarm_topics_publishable(Deployed(data))) == []


def test_customer_managed_key_must_let_cloudwatch_use_it() -> None:
    topic = {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": {"Ref": "Key"}}}
    assert list(alarm_topics_publishable(Deployed(_with(AlarmTopic=topic, Key=_key([ROOT_ONLY, CLOUDWATCH_USES_KEY]))))) == []
    found = list(alarm_topics_publishable(Deployed(_with(AlarmTopic=topic, Key=_key([ROOT_ONLY])))))
    assert [v.resource for v in found] == ["AlarmTopic"]
    assert "kms:Decrypt and kms:GenerateDataKey*" in found[0].message


def test_key_named_through_its_alias() -> None:
    topic = {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": "alias/alarms"}}
    alias = {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/alarms", "TargetKeyId": {"Ref": "Key"}}}
    data = _with(AlarmTopic=topic, Key=_key([ROOT_ONLY]), KeyAlias=alias)
    assert topic_problem(data["Resources"], "AlarmTopic") is not None
    data = _with(AlarmTopic=topic, Key=_key([ROOT_ONLY, CLOUDWATCH_USES_KEY]), KeyAlias=alias)
    assert topic_problem(data["Resources"], "AlarmTopic") is None


def test_a_key_outside_the_template_is_not_guessed_at() -> None:
    topic = {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": {"Ref": "KeyArnParameter"}}}
    assert list(alarm_topics_publishable(Deployed(_with(AlarmTopic=topic)))) == []


def test_topic_policy_must_let_cloudwatch_publish() -> None:
    topic = {"Type": "AWS::SNS::Topic"}
    only_s3 = {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": "AlarmTopic"}], "PolicyDocument": {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sns:Publish",
                       "Resource": {"Ref": "AlarmTopic"}}]}}}
    found = list(alarm_topics_publishable(Deployed(_with(AlarmTopic=topic, Policy=only_s3))))
    assert [v.resource for v in found] == ["AlarmTopic"]
    both = copy.deepcopy(only_s3)
    both["Properties"]["PolicyDocument"]["Statement"][0]["Principal"]["Service"] = [
        "s3.amazonaws.com", "cloudwatch.amazonaws.com"]
    assert list(alarm_topics_publishable(Deployed(_with(AlarmTopic=topic, Policy=both)))) == []


def test_sam_template_is_judged_after_translation() -> None:
    data = copy.deepcopy(BROKEN)
    data["Transform"] = "AWS::Serverless-2016-10-31"
    data["Resources"]["Fn"] = {"Type": "AWS::Serverless::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "index.handler", "InlineCode": "def handler(e, c): return 1"}}
    deployed = Deployed(data)
    assert deployed.translated, deployed.translation_error
    assert [v.resource for v in alarm_topics_publishable(deployed)] == ["AlarmTopic"]


REPAIRED = sorted(p for folder in ("lambda-throttle-alarm", "billing-alarm") for p in (HERE / folder).glob("*.out.*"))


@pytest.mark.parametrize("path", REPAIRED, ids=[f"{p.parent.name}/{p.name}" for p in REPAIRED])
def test_repaired_fixtures_pass(path: Path) -> None:
    data = load_data(path.read_text(), "json" if path.suffix == ".json" else "yaml")
    assert list(alarm_topics_publishable(Deployed(data))) == []


@pytest.mark.parametrize("options", [{}, {"LAM003": {"customer_key": True}}])
def test_lam003_never_creates_a_topic_the_invariant_rejects(options: dict) -> None:
    source = (HERE / "lambda-throttle-alarm" / "alarm_topic_publishable_by_cloudwatch.in.yaml").read_text()
    result = fix_text(source, build_patches(select=["LAM003"], unsafe=True, options=options))
    assert result.status == "fixed"
    assert new_violations(load_data(source, "yaml"), load_data(result.output, "yaml"), ONLY) == []


def test_lam003_advises_on_an_existing_topic_cloudwatch_cannot_use() -> None:
    source = (HERE / "lambda-throttle-alarm" / "noop_existing_topic_on_aws_managed_key.yaml").read_text()
    result = fix_text(source, build_patches(select=["LAM003"], unsafe=True))
    assert result.status == "unchanged"
    advice = [n.message for n in result.notes if n.kind == "advice"]
    assert len(advice) == 1 and advice[0].startswith("OpsTopic: alarms (FnThrottles) notify it")
    assert "alias/aws/sns" in advice[0]


# ------------------------------------------------------------ where new alarms notify (item 15)

def _lam003(parameters: dict, **resources: dict) -> tuple[dict, list[str]]:
    """The repaired data and advice of LAM003 on one function plus `parameters` and `resources`."""
    import json

    data = {"Parameters": parameters, "Resources": {"Fn": FUNCTION, **resources}}
    result = fix_text(json.dumps(data, indent=2), build_patches(select=["LAM003"], unsafe=True))
    assert result.status == "fixed", result.error
    return load_data(result.output, "json"), [n.message for n in result.notes if n.kind == "advice"]


def _actions(data: dict) -> list:
    return data["Resources"]["FnThrottleAlarm"]["Properties"]["AlarmActions"]


@pytest.mark.parametrize("name", ["SNSTopicArn", "AlarmTopicArn", "NotificationTopic", "OpsAlertsArn"])
def test_a_parameter_named_as_the_alarm_topic_is_notified(name: str) -> None:
    data, _ = _lam003({name: {"Type": "String"}})
    assert _actions(data) == [{"Ref": name}]
    assert "AlarmTopic" not in data["Resources"]


@pytest.mark.parametrize("name,spec", [
    ("ShopsTopicArn", {"Type": "String", "Default": "orders"}),  # not an SNS ARN
    ("AlarmTopicName", {"Type": "String"}),  # a name, not an ARN
    ("AlarmTopicArn", {"Type": "Number"}),
    ("KafkaTopic", {"Type": "String"}),
])
def test_parameters_that_are_not_an_alarm_topic_arn_are_not_notified(name: str, spec: dict) -> None:
    data, _ = _lam003({name: spec})
    assert _actions(data) == [{"Ref": "AlarmTopic"}]


def test_two_candidate_parameters_are_not_guessed_between() -> None:
    data, advice = _lam003({"AlarmTopicArn": {"Type": "String"}, "AlertsTopicArn": {"Type": "String"}})
    assert _actions(data) == [{"Ref": "AlarmTopic"}]
    assert any("AlarmTopicArn, AlertsTopicArn may name an alarm topic" in a for a in advice)


def test_the_conditional_target_existing_alarms_share_is_reused() -> None:
    target = {"Fn::If": ["HasTopic", {"Ref": "Ops"}, {"Ref": "AWS::NoValue"}]}
    errors = copy.deepcopy(ALARM)
    errors["Properties"].update(MetricName="Errors", AlarmActions=[target])
    data, _ = _lam003({"Ops": {"Type": "String", "Default": ""}}, Errors=errors)
    assert _actions(data) == [target]


@pytest.mark.parametrize("target", [
    {"Fn::ImportValue": "shared-topic"},
    {"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:ops"},
    "arn:aws:sns:us-east-1:123456789012:ops",
])
def test_the_topic_an_existing_alarm_notifies_by_import_or_arn_is_reused(target: object) -> None:
    errors = copy.deepcopy(ALARM)
    errors["Properties"].update(MetricName="Errors", AlarmActions=[target])
    data, _ = _lam003({}, Errors=errors)
    assert _actions(data) == [target]


def test_a_scaling_policy_an_alarm_triggers_is_no_topic() -> None:
    errors = copy.deepcopy(ALARM)
    errors["Properties"].update(MetricName="Errors", AlarmActions=[{"Fn::ImportValue": "web-ScaleUpPolicy"}])
    data, _ = _lam003({}, Errors=errors)
    assert _actions(data) == [{"Ref": "AlarmTopic"}]
