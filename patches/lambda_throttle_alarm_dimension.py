"""LAM004: Lambda throttle alarms that miss their function get the FunctionName dimension they need."""

from __future__ import annotations

import re
from collections.abc import Iterator

from autofix.edits import AppendItem, Proposal, ReplaceValue, SetKey, Skip
from autofix.model.alarms import ALARM, alarms_on, dimension
from autofix.model.lambdas import FUNCTION_TYPES
from autofix.registry import SAFE, Patch
from autofix.values import getatt_target, ref, text_of
from autofix.view import TemplateView

DIMENSION = "FunctionName"


class LambdaThrottleAlarmDimension(Patch):
    id = "LAM004"
    name = "lambda-throttle-alarm-dimension"
    title = "Point Lambda throttle alarms at their function with a FunctionName dimension"
    safety = SAFE
    resource_types = (ALARM, "AWS::Lambda::Function", "AWS::Serverless::Function")
    resolves = ()
    explanation = (
        "An AWS/Lambda Throttles alarm whose FunctionName dimension is !GetAtt Fn.Arn watches a metric\n"
        "that does not exist and never fires (Lambda publishes the function *name*): the value becomes\n"
        "!Ref Fn. Other dimensions without FunctionName (Resource alone) match no metric either: the\n"
        "alarm gets the FunctionName of the template's only function, or of the one its id, name or\n"
        "description names. An alarm with no dimensions counts the throttles of every function in the\n"
        "account and Region, a legitimate choice: it gets a FunctionName only when its id, name or\n"
        "description names exactly one function (its id, or its words: \"Orders function\"), and is\n"
        "otherwise left account-wide with a note."
    )

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        if not view.has_any((ALARM,)):
            return  # it repairs alarms only
        functions = {rid: res for rid, res in view.of_type(*FUNCTION_TYPES)}
        for rid, props in alarms_on(view, "AWS/Lambda", "Throttles"):
            if props.get("Namespace") != "AWS/Lambda" or props.get("MetricName") != "Throttles":
                continue  # metric-math alarms: too varied to repair blindly
            yield from self._repair(view, rid, props, functions)

    @staticmethod
    def _repair(view: TemplateView, rid: str, props: dict, functions: dict) -> Iterator[Proposal]:
        dimensions = props.get("Dimensions")
        if dimensions is not None and not isinstance(dimensions, list):
            return
        found = dimension(dimensions, DIMENSION)
        if found is None:
            yield from _add_dimension(view, rid, props, functions)
            return
        index, entry = found
        target = getatt_target(entry.get("Value"))
        if target and target[0] in functions and target[1] == "Arn":
            yield ReplaceValue(("Resources", rid, "Properties", "Dimensions", index, "Value"), ref(target[0]),
                               f"{rid}: FunctionName is the function name (!Ref {target[0]}), not its ARN")


def _add_dimension(view: TemplateView, rid: str, props: dict, functions: dict) -> Iterator[Proposal]:
    """A FunctionName dimension for an alarm without one, or a skip that says why it stays as it is."""
    path = ("Resources", rid, "Properties")
    dimensions = props.get("Dimensions")
    # No dimension at all: the alarm counts every function's throttles, a legitimate choice unless
    # its id, AlarmName or AlarmDescription names the function it is for. Other dimensions without
    # FunctionName match no metric Lambda publishes: there the template's only function is the alarm's.
    others = ", ".join(str(d.get("Name")) for d in dimensions or () if isinstance(d, dict))
    named = _named_functions(rid, props, functions, only_one_counts=bool(others))
    if len(named) != 1:
        yield Skip(path, f"{rid}: {others} without FunctionName matches no Lambda metric, and "
                   f"{_unnamed(named, functions)}; add a FunctionName dimension by hand" if others else
                   f"{rid}: no dimensions, so it alarms on the throttles of every function in the account "
                   f"and Region; left account-wide ({_unnamed(named, functions)})")
        return
    function = named[0]
    own, fn_condition = view.resources[rid].get("Condition"), functions[function].get("Condition")
    if fn_condition is not None and fn_condition != own:
        alarm = "has no Condition" if own is None else f"has Condition {own}"
        yield Skip(path, f"{rid}: left {'as is' if others else 'account-wide'}: {function} exists only under "
                   f"Condition {fn_condition} and the alarm {alarm}; give the alarm Condition {fn_condition} "
                   f"to watch {function}")
        return
    entry = {"Name": DIMENSION, "Value": ref(function)}
    message = (f"{rid}: watch {function} (FunctionName dimension; {others} alone matches no Lambda metric)"
               if others else f"{rid}: watch {function}, named in its {_naming(rid, props, function)}, "
               "instead of every function in the account and Region (FunctionName dimension)")
    if dimensions is None:
        yield SetKey(path, "Dimensions", [entry], message)
    else:
        yield AppendItem(path + ("Dimensions",), entry, message)


def _texts(rid: str, props: dict) -> dict[str, str]:
    """What names an alarm's purpose: its id, AlarmName and AlarmDescription, by what they are."""
    texts = {"id": rid}
    texts.update((k, t) for k in ("AlarmName", "AlarmDescription") if (t := text_of(props.get(k))))
    return texts


def _named_functions(rid: str, props: dict, functions: dict, only_one_counts: bool) -> list[str]:
    """The functions the alarm's id, AlarmName or AlarmDescription names (or the only one, if it counts)."""
    if only_one_counts and len(functions) == 1:
        return list(functions)
    texts = _texts(rid, props).values()
    named = [f for f in functions if any(_names(text, f) for text in texts)]
    # "ApiAuthorizer" also contains "Api": the longer, more specific match wins.
    return [f for f in named if not any(f != g and f in g for g in named)]


def _names(text: str, function: str) -> bool:
    """`text` names `function`: its id (OrdersFunctionThrottles), or its words as a phrase
    ("Orders function is throttled", orders-function-errors)."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", function)
    phrase = r"[\s_-]*".join(map(re.escape, words))
    return function in text or bool(words and re.search(rf"\b{phrase}\b", text, re.IGNORECASE))


def _naming(rid: str, props: dict, function: str) -> str:
    """Which of the alarm's texts name `function`: 'id', 'AlarmName', 'id and AlarmDescription'..."""
    which = [k for k, text in _texts(rid, props).items() if _names(text, function)]
    return " and ".join(which)


def _unnamed(named: list[str], functions: dict) -> str:
    """Why no one function is the alarm's: its texts name none, or several."""
    if not functions:
        return "the template has no function"
    if named:
        return f"its id, AlarmName and AlarmDescription name {len(named)} functions ({', '.join(named)})"
    if len(functions) == 1:
        return f"its id, AlarmName and AlarmDescription do not name {next(iter(functions))}"
    return f"its id, AlarmName and AlarmDescription name none of the {len(functions)} functions here"
