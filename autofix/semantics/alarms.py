"""Alarms that can notify: CloudWatch must be able to publish to every topic an alarm targets.

CloudWatch alarms publish to SNS as the service principal `cloudwatch.amazonaws.com`. A topic
encrypted with the AWS-managed key `alias/aws/sns` refuses them: that key's policy cannot be
edited to allow CloudWatch, so the alarm changes state and its action fails ("CloudWatch
Alarms does not have authorization to access the SNS topic encryption key", AWS knowledge
center "cloudwatch-configure-alarm-sns"). A customer-managed key works when its policy allows
CloudWatch kms:Decrypt and kms:GenerateDataKey*; a topic policy, where the template writes
one, must allow CloudWatch sns:Publish.

`topic_problem` is shared with the alarm patches (autofix/model/alarms.py), which advise on the
topics they find and must never create one this invariant rejects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..values import getatt_target, ref_target, referenced_names, sub_parts
from .model import Deployed, Violation

ALARM = "AWS::CloudWatch::Alarm"
TOPIC = "AWS::SNS::Topic"
KMS_KEY = "AWS::KMS::Key"
KMS_ALIAS = "AWS::KMS::Alias"
TOPIC_POLICIES = ("AWS::SNS::TopicPolicy", "AWS::SNS::TopicInlinePolicy")
ACTION_KEYS = ("AlarmActions", "OKActions", "InsufficientDataActions")
AWS_MANAGED_SNS_KEY = "alias/aws/sns"
CLOUDWATCH = "cloudwatch.amazonaws.com"
KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")


def _props(resource: Any) -> dict:
    return Deployed.props(resource)


def _text(value: Any) -> str | None:
    """A literal string, or the text of a Fn::Sub."""
    if isinstance(value, str):
        return value
    parts = sub_parts(value)
    return parts[0] if parts else None


def notified_topics(resources: dict) -> dict[str, list[str]]:
    """Template SNS topics that alarms notify, each with the alarms that notify it (file order)."""
    found: dict[str, list[str]] = {}
    for rid, res in resources.items():
        if not isinstance(res, dict) or res.get("Type") != ALARM:
            continue
        props = _props(res)
        for name in referenced_names([props.get(key) for key in ACTION_KEYS]):
            target = resources.get(name)
            if isinstance(target, dict) and target.get("Type") == TOPIC and rid not in found.get(name, []):
                found.setdefault(name, []).append(rid)
    return found


def is_aws_managed_sns_key(value: Any) -> bool:
    """`alias/aws/sns`, written as the alias or as its ARN (literal or Fn::Sub)."""
    text = _text(value)
    return text is not None and (text == AWS_MANAGED_SNS_KEY or text.endswith(":" + AWS_MANAGED_SNS_KEY))


def template_key(resources: dict, value: Any) -> str | None:
    """The AWS::KMS::Key of the template a KmsMasterKeyId names (directly or through an alias)."""
    name = ref_target(value) or (getatt_target(value) or (None, None))[0]
    kind = resources.get(name, {}).get("Type") if isinstance(resources.get(name), dict) else None
    if kind == KMS_KEY:
        return name
    text = _text(value)
    for rid, res in resources.items():
        if not isinstance(res, dict) or res.get("Type") != KMS_ALIAS:
            continue
        alias = _text(_props(res).get("AliasName"))
        if rid == name or (text is not None and alias is not None and text.endswith(alias)):
            return template_key(resources, _props(res).get("TargetKeyId"))
    return None


def _statements(document: Any) -> list[dict]:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    return [s for s in statements if isinstance(s, dict)] if isinstance(statements, list) else []


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _admits(principal: Any, service: str) -> bool:
    """The statement's Principal covers `service` (named, or everyone)."""
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return service in _listed(principal.get("Service")) or "*" in _listed(principal.get("AWS"))


def _grants(statement: dict, action: str) -> bool:
    service = action.split(":", 1)[0]
    wanted = {action.lower(), f"{service}:*", "*"}
    if action.endswith("*"):
        wanted.add(action[:-1].lower())  # kms:GenerateDataKey covers the call SNS makes
    return any(isinstance(a, str) and a.lower() in wanted for a in _listed(statement.get("Action")))


def allowed_actions(document: Any, service: str, actions: tuple[str, ...]) -> set[str]:
    """Which of `actions` the policy document's Allow statements grant to `service`."""
    granted = set()
    for statement in _statements(document):
        if statement.get("Effect") != "Allow" or not _admits(statement.get("Principal"), service):
            continue
        granted |= {a for a in actions if _grants(statement, a)}
    return granted


def topic_policies(resources: dict) -> dict[str, list[str]]:
    """The template's topic policies by each name their Topics (or TopicArn) refer to, in file
    order: built once for all the topics asked about, not scanned again for each."""
    found: dict[str, list[str]] = {}
    for rid, res in resources.items():
        if not isinstance(res, dict) or res.get("Type") not in TOPIC_POLICIES:
            continue
        props = _props(res)
        for name in dict.fromkeys(referenced_names([props.get("Topics"), props.get("TopicArn")])):
            found.setdefault(name, []).append(rid)
    return found


def topic_problem(resources: dict, topic: str, policies: dict[str, list[str]] | None = None) -> str | None:
    """Why CloudWatch alarms cannot publish to template topic `topic`, or None. `policies` is
    `topic_policies(resources)`, for a caller asking about several topics."""
    props = _props(resources.get(topic))
    key = props.get("KmsMasterKeyId")
    if is_aws_managed_sns_key(key):
        return (f"encrypted with the AWS-managed key {AWS_MANAGED_SNS_KEY}, whose key policy cannot allow "
                f"{CLOUDWATCH}: alarm actions fail with a KMS access error")
    own_key = template_key(resources, key) if key is not None else None
    if own_key is not None:
        document = _props(resources.get(own_key)).get("KeyPolicy")
        missing = [a for a in KEY_ACTIONS if a not in allowed_actions(document, CLOUDWATCH, KEY_ACTIONS)]
        if _statements(document) and missing:
            return f"its key {own_key} does not allow {CLOUDWATCH} {' and '.join(missing)}: alarm actions fail"
    policies = (topic_policies(resources) if policies is None else policies).get(topic, [])
    documents = [_props(resources[p]).get("PolicyDocument") for p in policies]
    if documents and all(_statements(d) for d in documents) \
            and not any(allowed_actions(d, CLOUDWATCH, ("sns:Publish",)) for d in documents):
        return f"its topic policy ({', '.join(policies)}) does not allow {CLOUDWATCH} sns:Publish"
    return None


def alarm_topics_publishable(t: Deployed) -> Iterator[Violation]:
    """Every SNS topic of the template that an alarm notifies can be published to by CloudWatch."""
    resources = t.resources
    policies = topic_policies(resources)
    for topic in notified_topics(resources):
        problem = topic_problem(resources, topic, policies)
        if problem:
            yield Violation("alarm-topic-publishable", topic, f"alarms notify this topic, but {problem}")


INVARIANTS = (alarm_topics_publishable,)
