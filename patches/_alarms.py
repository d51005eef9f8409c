"""Shared by the alarm patches (LAM003, LAM004, LOG002): reading alarms and choosing their topic."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import Advice, Proposal, SetKey, Skip
from autofix.values import getatt_target, ref, ref_target
from autofix.view import TemplateView

ALARM = "AWS::CloudWatch::Alarm"
TOPIC = "AWS::SNS::Topic"
FUNCTION_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")


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


def text_of(value: Any) -> str | None:
    """A string value as Fn::Sub text (literal, one-argument Sub, or Ref X as ${X}), to compare by."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Fn::Sub"), str):
        return value["Fn::Sub"]
    target = ref_target(value)
    return f"${{{target}}}" if target else None


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


def _usable_topic(view: TemplateView, name: str | None) -> bool:
    """A parameter, or an unconditional SNS topic of this template (a conditional one may not exist)."""
    if name in view.parameters:
        return True
    res = view.resources.get(name)
    return isinstance(res, dict) and res.get("Type") == TOPIC and "Condition" not in res


def _topic_of_existing_alarms(view: TemplateView) -> str | None:
    """The one topic every existing alarm that has actions notifies, if there is exactly one."""
    targets = set()
    for _, res in view.of_type(ALARM):
        actions = view.props(res).get("AlarmActions")
        for action in actions if isinstance(actions, list) else ():
            targets.add(ref_target(action))
    usable = {t for t in targets if _usable_topic(view, t)}
    return usable.pop() if len(usable) == 1 else None


def alarm_topic(view: TemplateView, option: str, condition: str | None = None
                ) -> tuple[dict | None, list[Proposal]]:
    """The AlarmActions entry for new alarms, and the proposals that create its topic.

    In order: the topic or parameter named by `option`; a topic added earlier in this run; the
    single topic existing alarms already notify; else a new encrypted topic (one per template,
    given `condition` when only a conditional alarm uses it).
    """
    if option:
        if option in view.parameters or view.type_of(option) == TOPIC:
            return ref(option), []
        return None, [Skip(("Resources",), f"alarm topic {option!r} (option 'topic') is neither an "
                           "AWS::SNS::Topic nor a parameter of this template")]
    created = sorted(rid for rid in view.created if view.type_of(rid) == TOPIC and _usable_topic(view, rid))
    existing = created[0] if created else _topic_of_existing_alarms(view)
    if existing:
        return ref(existing), []
    topic = view.unique_id("AlarmTopic")
    resource: dict[str, Any] = {"Type": TOPIC}
    if condition:
        resource["Condition"] = condition
    resource["Properties"] = {"KmsMasterKeyId": "alias/aws/sns"}
    return ref(topic), [
        SetKey(("Resources",), topic, resource, f"{topic}: new SNS topic (encrypted) for alarm notifications"),
        Advice(("Resources", topic), f"{topic}: subscribe an e-mail, chat or paging endpoint; "
               "the new alarms notify only this topic"),
    ]
