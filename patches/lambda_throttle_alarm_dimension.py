"""LAM004: throttle alarms that can never fire get the FunctionName dimension they need."""

from __future__ import annotations

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
        "!Ref Fn. An alarm with no FunctionName dimension gets one when the function is unambiguous\n"
        "(the only function in the template, or the one the alarm's id, name or description names);\n"
        "otherwise it is skipped with a reason."
    )

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        functions = {rid: res for rid, res in view.of_type(*FUNCTION_TYPES)}
        for rid, props in alarms_on(view, "AWS/Lambda", "Throttles"):
            if props.get("Namespace") != "AWS/Lambda" or props.get("MetricName") != "Throttles":
                continue  # metric-math alarms: too varied to repair blindly
            yield from self._repair(view, rid, props, functions)

    @staticmethod
    def _repair(view: TemplateView, rid: str, props: dict, functions: dict) -> Iterator[Proposal]:
        path = ("Resources", rid, "Properties")
        dimensions = props.get("Dimensions")
        if dimensions is not None and not isinstance(dimensions, list):
            return
        found = dimension(dimensions, DIMENSION)
        if found is not None:
            index, entry = found
            target = getatt_target(entry.get("Value"))
            if target and target[0] in functions and target[1] == "Arn":
                yield ReplaceValue(path + ("Dimensions", index, "Value"), ref(target[0]),
                                   f"{rid}: FunctionName is the function name (!Ref {target[0]}), not its ARN")
            return
        function = _named_function(view, rid, props, functions)
        if function is None:
            yield Skip(path, f"{rid}: throttle alarm without a FunctionName dimension, and the function "
                       f"it watches is not clear ({len(functions)} functions); add the dimension by hand")
            return
        own, fn_condition = view.resources[rid].get("Condition"), functions[function].get("Condition")
        if fn_condition is not None and fn_condition != own:
            yield Skip(path, f"{rid}: {function} is conditional ({fn_condition}) and the alarm is not; "
                       "add the dimension by hand")
            return
        entry = {"Name": DIMENSION, "Value": ref(function)}
        message = f"{rid}: watch {function} (FunctionName dimension)"
        if dimensions is None:
            yield SetKey(path, "Dimensions", [entry], message)
        else:
            yield AppendItem(path + ("Dimensions",), entry, message)


def _named_function(view: TemplateView, rid: str, props: dict, functions: dict) -> str | None:
    """The only function, or the one the alarm's id, AlarmName or AlarmDescription names."""
    if len(functions) == 1:
        return next(iter(functions))
    texts = [rid] + [t for t in (text_of(props.get(k)) for k in ("AlarmName", "AlarmDescription")) if t]
    named = [f for f in functions if any(f in text for text in texts)]
    # "ApiAuthorizer" also contains "Api": the longer, more specific match wins.
    named = [f for f in named if not any(f != g and f in g for g in named)]
    return named[0] if len(named) == 1 else None
