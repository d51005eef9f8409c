"""Shared by the alarm patches (LAM003, LAM004, LOG002): reading alarms, and the topic new alarms notify."""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterable, Iterator
from typing import Any

from autofix.edits import Advice, Need, Proposal, Skip
from autofix.record import record, replace
from autofix.semantics.alarms import (CLOUDWATCH, KEY_ACTIONS, KMS_KEY, notified_topics, topic_policies,
                                      topic_problem)
from autofix.semantics.model import plain
from autofix.values import NO_VALUE, equals, getatt_target, if_, not_, ref, ref_target, sub, sub_parts, text_of
from autofix.view import TemplateView

from .lambdas import FUNCTION_TYPES
from .parameters import condition as condition_need
from .parameters import not_equals_condition, parameter

ALARM = "AWS::CloudWatch::Alarm"
TOPIC = "AWS::SNS::Topic"
TOPIC_POLICY = "AWS::SNS::TopicPolicy"
SUBSCRIPTION = "AWS::SNS::Subscription"


def metrics(props: dict) -> Iterator[tuple[Any, Any, Any]]:
    """(namespace, metric name, dimensions) of an alarm: its single metric or each MetricStat."""
    if "MetricName" in props:
        yield props.get("Namespace"), props.get("MetricName"), props.get("Dimensions")
    queries = props.get("Metrics")
    for query in queries if isinstance(queries, list) else ():
        metric = query.get("MetricStat", {}).get("Metric") if isinstance(query, dict) else None
        if isinstance(metric, dict):
            yield metric.get("Namespace"), metric.get("MetricName"), metric.get("Dimensions")


def alarms_on(view: TemplateView, namespace: str, metric: str) -> Iterator[tuple[str, dict]]:
    """(logical id, properties) of every alarm that watches `namespace`/`metric`."""
    for rid, res in view.of_type(ALARM):
        props = view.props(res)
        if any(ns == namespace and name == metric for ns, name, _ in metrics(props)):
            yield rid, props


def dimension(dimensions: Any, name: str) -> tuple[int, dict] | None:
    """(index, entry) of the dimension called `name` in a literal Dimensions list."""
    for index, entry in enumerate(dimensions if isinstance(dimensions, list) else ()):
        if isinstance(entry, dict) and entry.get("Name") == name:
            return index, entry
    return None


def _functions(view: TemplateView) -> tuple[set[str], dict[str, str]]:
    """The template's functions, and the first (in file order) with each FunctionName text."""
    ids: set[str] = set()
    by_name: dict[str, str] = {}
    for rid, res in view.of_type(*FUNCTION_TYPES):
        ids.add(rid)
        text = text_of(view.props(res).get("FunctionName"))
        if text is not None:
            by_name.setdefault(text, rid)
    return ids, by_name


def function_of_dimension(view: TemplateView, value: Any) -> str | None:
    """The template function a FunctionName dimension value points at (by Ref, GetAtt or name)."""
    ids, by_name = view.memo(_functions)
    target = ref_target(value) or (getatt_target(value) or (None, None))[0]
    if target in ids:
        return target
    text = text_of(value)
    return by_name.get(text) if text is not None else None  # the same explicit name


# ------------------------------------------------------------ where new alarms notify

# Words of parameter and import names (AlarmTopicArn, shared-ops-alerts-sns) that say "this is
# where alarms go" ...
_ALERTING = {"alarm", "alarms", "alert", "alerts", "alerting", "notification", "notifications", "notify",
             "notifier", "oncall", "pager", "monitoring", "ops", "operations"}
# ... or only "an SNS topic" (maybe one the application publishes to).
_CHANNEL = {"topic", "topics", "sns"}
_NOT_AN_ARN = re.compile(r"(name|e-?mail|endpoint|protocol|subscription|threshold|period|enabled|count|display)$", re.I)
_OTHER_SERVICES = {"kafka", "msk", "kinesis", "sqs", "queue", "iot", "mqtt", "eventbridge"}
_STRING_TYPES = ("String", "AWS::SSM::Parameter::Value<String>")


@record(frozen=True)
class TopicSettings:
    """How a new alarm topic is made: options shared by LAM003 and LOG002."""

    email_parameter: str = "AlarmEmail"  # "" adds no subscription
    customer_key: bool = False  # encrypt with a new customer-managed key (about $1 a month)


def _usable_topic(view: TemplateView, name: str | None) -> bool:
    """A parameter, or an unconditional SNS topic of this template (a conditional one may not exist)."""
    if name in view.parameters:
        return True
    res = view.resources.get(name)
    return isinstance(res, dict) and res.get("Type") == TOPIC and "Condition" not in res


def _existing_action(view: TemplateView, action: Any) -> bool:
    """An alarm action new alarms may share: a usable topic or parameter, an SNS topic ARN or an
    import named as a topic (not, say, a scaling policy), or an `!If` whose branches each are one
    (or no action: `!If [C, that, !Ref AWS::NoValue]`)."""
    if ref_target(action) is not None:
        return _usable_topic(view, ref_target(action))
    if isinstance(action, dict) and len(action) == 1 and "Fn::ImportValue" in action:
        name = action["Fn::ImportValue"]
        text = name if isinstance(name, str) else (sub_parts(name) or ("",))[0]
        return bool(_words(text) & (_ALERTING | _CHANNEL))
    text = action if isinstance(action, str) else (sub_parts(action) or (None,))[0]
    if isinstance(text, str):
        return ":sns:" in text
    branches = action.get("Fn::If") if isinstance(action, dict) and len(action) == 1 else None
    if not (isinstance(branches, list) and len(branches) == 3) or branches[1:] == [NO_VALUE, NO_VALUE]:
        return False
    condition, chosen, other = branches
    return _usable_branch(view, condition, chosen, True) and _usable_branch(view, condition, other, False)


def _usable_branch(view: TemplateView, condition: Any, branch: Any, holds: bool) -> bool:
    """A branch of `!If [condition, ...]` new alarms may share: no action, a usable action, or
    (where the condition holds) a topic created under that very condition
    (`!If [CreateTopic, !Ref Topic, !Ref TopicArnParameter]`)."""
    if branch == NO_VALUE:
        return True
    res = view.resources.get(ref_target(branch) or "")
    if holds and isinstance(res, dict) and res.get("Type") == TOPIC and res.get("Condition") == condition:
        return True
    return _existing_action(view, branch)


def _action_of_existing_alarms(view: TemplateView) -> dict | None:
    """The one notification target every existing alarm that notifies one shares, if there is exactly one."""
    found: dict[str, Any] = {}
    for _, res in view.of_type(ALARM):
        actions = view.props(res).get("AlarmActions")
        for action in actions if isinstance(actions, list) else ():
            if _existing_action(view, action):
                found.setdefault(json.dumps(plain(action), sort_keys=True), action)
    return plain(next(iter(found.values()))) if len(found) == 1 else None


def _words(text: str) -> set[str]:
    """Lower-case words of a name: SNSTopicArn gives sns, topic, arn."""
    return {w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+", text)}


def _names_alarm_topic(text: str) -> bool:
    words = _words(text)
    return bool(words & _ALERTING and words & (_CHANNEL | {"arn"}))


def _alerting_import(value: dict) -> bool:
    """`!ImportValue` of a name that says it is an alarm topic (ops-AlarmTopicArn, ${Shared}-alerts-sns)."""
    name = value.get("Fn::ImportValue")
    text = name if isinstance(name, str) else (sub_parts(name) or ("",))[0]
    return _names_alarm_topic(text)


def _imports(value: Any) -> Iterator[dict]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if len(item) == 1 and "Fn::ImportValue" in item:
                yield item
            else:
                stack.extend(reversed(item.values()))


def _topic_parameter(view: TemplateView, name: str, spec: Any) -> str | None:
    """'strong' for a String parameter named as an alarm topic, 'weak' for one named only as a topic."""
    if not isinstance(spec, dict) or spec.get("Type") not in _STRING_TYPES or _NOT_AN_ARN.search(name):
        return None
    if _words(f"{name} {spec.get('Description', '')}") & _OTHER_SERVICES:
        return None
    default, allowed = spec.get("Default"), spec.get("AllowedValues")
    if default not in (None, "") and not (isinstance(default, str) and ":sns:" in default):
        return None
    if isinstance(allowed, list) and not all(isinstance(v, str) and (v == "" or ":sns:" in v) for v in allowed):
        return None
    if _names_alarm_topic(name):
        return "strong"
    if not _words(name) & _CHANNEL:
        return None
    # Only a topic: it is the alarm topic if nothing but alarms uses it (the application does
    # not publish to it).
    users = [r for r in view.referrers(name) if view.type_of(r) != ALARM]
    return None if users else "weak"


def _notification_channel(view: TemplateView) -> tuple[Any, list[Proposal]] | None:
    """A parameter or import through which this template already reaches an alarm topic."""
    ranked: dict[str, list[str]] = {"strong": [], "weak": []}
    for name, spec in view.parameters.items():
        rank = _topic_parameter(view, name, spec)
        if rank:
            ranked[rank].append(name)
    if len(ranked["strong"]) == 1:
        return _parameter_action(view, ranked["strong"][0])
    # Read only now: the walk of every resource and output is most of a run's cost here.
    imports = {json.dumps(plain(v), sort_keys=True): plain(v)
               for v in _imports([view.resources, view.outputs]) if _alerting_import(v)}
    if not ranked["strong"] and len(imports) == 1:
        return next(iter(imports.values())), []
    if not ranked["strong"] and not imports and len(ranked["weak"]) == 1:
        return _parameter_action(view, ranked["weak"][0])
    candidates = ranked["strong"] + list(imports) + ranked["weak"]
    if len(candidates) > 1:
        return None, [Advice(("Parameters",), f"parameters or imports {', '.join(candidates)} may name an "
                             "alarm topic; set the 'topic' option to the one new alarms should notify")]
    return None


def _parameter_action(view: TemplateView, name: str) -> tuple[Any, list[Proposal]]:
    """!Ref of the parameter, only while it is set when it may be left empty."""
    if view.parameters[name].get("Default") != "":
        return ref(name), []
    is_set = not_(equals(ref(name), ""))
    for cond, value in view.conditions.items():
        if value in (is_set, not_(equals("", ref(name)))):
            return if_(cond, ref(name), NO_VALUE), []
        if value in (equals(ref(name), ""), equals("", ref(name))):
            return if_(cond, NO_VALUE, ref(name)), []
    edits: list[Proposal] = []
    cond = view.need_into(replace(not_equals_condition(f"Has{name}", name, ""),
                                  message=f"add condition {{name}}: new alarms notify {name} when it is set"), edits)
    return if_(cond, ref(name), NO_VALUE), edits


def alarm_topic(view: TemplateView, option: str, condition: str | None = None,
                topic: TopicSettings | None = None) -> tuple[Any, list[Proposal]]:
    """The AlarmActions entry for new alarms, and the proposals that create what it needs.

    In order: the topic or parameter named by `option`; once this run added an alarm topic, the
    alarm topic need (that topic when it serves these settings, else one of their own whose
    message says whose topic did not serve); the single target existing alarms already notify; a
    parameter or import the template already uses to reach an alarm topic; else the need (a new
    topic CloudWatch can publish to, given `condition` when only a conditional alarm uses it).
    """
    if option:
        if option in view.parameters or view.type_of(option) == TOPIC:
            return ref(option), []
        return None, [Skip(("Resources",), f"alarm topic {option!r} (option 'topic') is neither an "
                           "AWS::SNS::Topic nor a parameter of this template")]
    settings = topic or TopicSettings()
    need = alarm_topic_need(view, condition, settings)
    if any(section == "Resources" and view.type_of(name) == TOPIC for section, name in view.declared):
        return _declared(view, need, settings)
    existing = _action_of_existing_alarms(view)
    if existing is not None:
        return existing, []
    channel = _notification_channel(view)
    if channel is not None and channel[0] is not None:
        return channel
    action, proposals = _declared(view, need, settings)
    return action, (channel[1] if channel else []) + proposals


def _declared(view: TemplateView, need: Need, settings: TopicSettings) -> tuple[dict, list[Proposal]]:
    """!Ref of the topic `need` gets, and (when it is new) its edits and advice on reaching it."""
    proposals: list[Proposal] = []
    topic = view.need_into(need, proposals)
    if proposals:
        email = _email_parameter(settings.email_parameter)
        reach = f"set {view.need_name(email)} to an e-mail address (and confirm the subscription) or subscribe" \
            if email else "subscribe"
        proposals.append(Advice(("Resources", topic), f"{topic}: {reach} a chat or paging endpoint; "
                                "the new alarms notify only this topic"))
    return ref(topic), proposals


# ------------------------------------------------------------ a topic CloudWatch can publish to

SKIP_REASON = ("Alarm notifications: CloudWatch alarms cannot publish to a topic encrypted with "
               "alias/aws/sns (the LAM003/LOG002 option customer_key adds a key that allows them)")


def alarm_topic_need(view: TemplateView, condition: str | None, settings: TopicSettings) -> Need:
    """An SNS topic for alarm notifications that CloudWatch can publish to, declared once per run:
    its parts are a topic policy for CloudWatch, with `customer_key` a key that lets CloudWatch use
    it, and with `email_parameter` an e-mail subscription while that parameter is set.

    A topic this run added serves when it exists wherever the alarm does (no condition, or
    `condition`) and has a customer-managed key if `customer_key` asks for one; its subscription
    is as its first user set it."""
    def serves(found: Any) -> str | None:
        kind = found.get("Type") if isinstance(found, dict) else None
        if kind != TOPIC:
            return f"is an {kind}" if isinstance(kind, str) else "is another resource"
        if found.get("Condition") not in (None, condition):
            return f"exists only when {found['Condition']}"
        if settings.customer_key and "KmsMasterKeyId" not in view.props(found):
            return "has no customer-managed key"
        return None

    return Need("Resources", "AlarmTopic", None, serves=serves,
                parts=lambda topic: _topic_parts(view, topic, condition, settings))


def _topic_parts(view: TemplateView, topic: str, condition: str | None,
                 settings: TopicSettings) -> Generator[Need, str, None]:
    """The topic `topic`, its key (first: the topic refers to it), policy and e-mail subscription."""
    key_need = _resource(f"{topic}Key", condition, {
        "Type": KMS_KEY,
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {
            "Description": f"Encrypts {topic}; lets CloudWatch alarms publish to it",
            "EnableKeyRotation": True,
            "KeyPolicy": _key_policy(),
        }}) if settings.customer_key else None
    policy_need = _resource(f"{topic}Policy", condition, {
        "Type": TOPIC_POLICY,
        "Properties": {"Topics": [ref(topic)], "PolicyDocument": _topic_policy(topic)}})
    email = _email_parameter(settings.email_parameter)
    names = [f"topic policy {view.need_name(policy_need)}"] \
        + ([f"customer-managed key {view.need_name(key_need)}"] if key_need else []) \
        + ([f"e-mail subscription when {view.need_name(email)} is set"] if email else [])
    message = f"{topic}: new SNS topic for alarm notifications, publishable by CloudWatch ({', '.join(names)})"
    resource: dict[str, Any] = {"Type": TOPIC}
    if condition:
        resource["Condition"] = condition
    if key_need:
        key = yield replace(key_need, message=message)
        resource["Properties"] = {"KmsMasterKeyId": ref(key)}
    else:
        resource["Metadata"] = {
            "checkov": {"skip": [{"id": "CKV_AWS_26", "comment": SKIP_REASON}]},
            "cfn_nag": {"rules_to_suppress": [{"id": "W47", "reason": SKIP_REASON}]},
            "guard": {"SuppressedRules": ["SNS_ENCRYPTED_KMS"]},
        }
    yield Need("Resources", topic, resource, message)
    yield replace(policy_need, message=message)
    if email is None:
        return
    address = yield replace(email, message=message)
    has = yield replace(not_equals_condition(f"Has{address}", address, ""), message=message)
    subscribed = has
    if condition:
        both = {"Fn::And": [{"Condition": has}, {"Condition": condition}]}
        subscribed = yield condition_need(f"{has}And{condition}", both, message)
    yield Need("Resources", f"{topic}EmailSubscription", {
        "Type": SUBSCRIPTION, "Condition": subscribed,
        "Properties": {"TopicArn": ref(topic), "Protocol": "email", "Endpoint": ref(address)}}, message)


def _resource(name: str, condition: str | None, resource: dict) -> Need:
    """A resource of a new alarm topic, under `condition` when only a conditional alarm uses it."""
    return Need("Resources", name, _with_condition(condition, resource))


def _with_condition(condition: str | None, resource: dict) -> dict:
    return {"Type": resource["Type"], "Condition": condition, **resource} if condition else resource


def _key_policy() -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowAccountAdministration", "Effect": "Allow",
         "Principal": {"AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "AllowCloudWatchAlarms", "Effect": "Allow", "Principal": {"Service": CLOUDWATCH},
         "Action": list(KEY_ACTIONS), "Resource": "*"},
    ]}


def _topic_policy(topic: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "AllowCloudWatchAlarms", "Effect": "Allow", "Principal": {"Service": CLOUDWATCH},
        "Action": "sns:Publish", "Resource": ref(topic),
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")},
            "ArnLike": {"aws:SourceArn": sub("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*")},
        }}]}


def _email_parameter(name: str) -> Need | None:
    """The parameter an e-mail subscription's address comes from ("" for none)."""
    if not name:
        return None
    return parameter(name, {
        "Type": "String", "Default": "", "AllowedPattern": r"^$|^[^\s@]+@[^\s@]+$",
        "Description": "E-mail address that receives alarm notifications; empty adds no subscription"})


# ------------------------------------------------------------ existing topics

def topics_notified(view: TemplateView) -> dict[str, list[str]]:
    """`notified_topics` of the template, read once until the data changes (not to be mutated)."""
    return view.memo(_notified)


def _notified(view: TemplateView) -> dict[str, list[str]]:
    return notified_topics(view.resources)


def _topic_policies(view: TemplateView) -> dict[str, list[str]]:
    return topic_policies(view.resources)


def unpublishable_topics(view: TemplateView, topics: Iterable[str] | None = None) -> Iterator[Advice]:
    """Advice on each template topic alarms notify (or `topics`) that CloudWatch cannot publish to."""
    notified = topics_notified(view)
    for topic in notified if topics is None else topics:
        problem = topic_problem(view.resources, topic, view.memo(_topic_policies)) \
            if view.type_of(topic) == TOPIC else None
        if problem is None:
            continue
        who = f"alarms ({', '.join(notified[topic])}) notify it" if topic in notified else "new alarms notify it"
        path = ("Resources", topic, "Properties", "KmsMasterKeyId")
        yield Advice(path if view.get(path) is not None else ("Resources", topic),
                     f"{topic}: {who}, but {problem}; use no encryption or a customer-managed key whose "
                     f"policy allows {CLOUDWATCH} kms:Decrypt and kms:GenerateDataKey*")
