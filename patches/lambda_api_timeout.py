"""LAM005: a function behind a REST API stops running longer than API Gateway waits for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import Proposal, ReplaceValue, SetKey, Skip
from autofix.model import lambdas as lam
from autofix.model.lambdas import (
    API_EVENT_TYPES,
    APIGW_PRINCIPAL,
    OTHER_INVOKER_TYPES,
    PERMISSION,
    effective_prop,
    is_deploy_time_caller,
    literal_int,
    principal,
    referrers_of,
    rest_methods_calling,
    sam_events,
)
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.view import TemplateView


class LambdaApiTimeout(Patch):
    id = "LAM005"
    name = "lambda-api-timeout"
    title = "Cap the timeout of functions behind a REST API at the 29 s integration timeout"
    safety = UNSAFE
    resource_types = lam.FUNCTION_TYPES + ("AWS::ApiGateway::Method", lam.ALIAS, lam.VERSION)
    explanation = (
        "API Gateway REST integrations give up after 29 s (the default TimeoutInMillis), so a function\n"
        "behind one that may run longer only holds concurrency for answers nobody receives. A literal\n"
        "Timeout above 29 on a function a Method integrates (or a SAM function with an Api event) becomes\n"
        "29. Functions also fed by queues, schedules or other async sources, methods with a raised\n"
        "TimeoutInMillis, and non-literal timeouts are left alone."
    )

    class Options(PatchOptions):
        seconds: int = 29

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        cap = self.options.seconds
        for rid, res in view.of_type(*lam.FUNCTION_TYPES):
            timeout = lam.literal_int(lam.effective_prop(view, rid, "Timeout"))
            if timeout is None or timeout <= cap or not behind_rest_api(view, rid):
                continue
            reason = timeout_skip_reason(view, rid, cap)
            if reason:
                yield Skip(("Resources", rid), f"{rid}: {reason}")
                continue
            props = ("Resources", rid, "Properties")
            message = f"{rid}: timeout {timeout} s -> {cap} s (API Gateway stops waiting at {cap} s)"
            if "Timeout" in view.props(res):
                yield ReplaceValue(props + ("Timeout",), cap, message)
            else:  # inherited from SAM Globals, which other functions share
                yield SetKey(props, "Timeout", cap, message)


def behind_rest_api(view: TemplateView, rid: str) -> bool:
    """A Method integrates the function, or (SAM) the function has an Api event."""
    if rest_methods_calling(view, rid):
        return True
    return any(e.get("Type") == "Api" for e in sam_events(view, rid).values())


def timeout_skip_reason(view: TemplateView, rid: str, cap: int) -> str | None:
    """Why capping the timeout of function `rid` at `cap` seconds would be wrong, or None."""
    if effective_prop(view, rid, "DurableConfig") is not None:
        return "a durable function runs past the API response by design"
    for method in rest_methods_calling(view, rid):
        headers = view.get(("Resources", method, "Properties", "Integration", "RequestParameters"))
        if isinstance(headers, dict) and any("x-amz-invocation-type" in str(k).lower() for k in headers):
            return (f"{method} may invoke it asynchronously (X-Amz-Invocation-Type), which the {cap} s "
                    "limit does not bound")
        waits = view.get(("Resources", method, "Properties", "Integration", "TimeoutInMillis"))
        if _waits_longer(waits, cap):
            return f"{method} raises Integration.TimeoutInMillis; size the function timeout to it by hand"
    for name, event in sam_events(view, rid).items():
        props = event.get("Properties")
        waits = props.get("TimeoutInMillis") if isinstance(props, dict) else None
        if event.get("Type") not in API_EVENT_TYPES:
            return f"also triggered by its {event.get('Type')} event {name}, which may need the longer timeout"
        if _waits_longer(waits, cap):
            return f"event {name} raises TimeoutInMillis; size the function timeout to it by hand"
    others = [r for r in referrers_of(view, rid) if _invokes_outside_api(view, r)]
    if others:
        return f"also invoked by {', '.join(others)}, which may need the longer timeout"
    return None


def _waits_longer(millis: Any, cap: int) -> bool:
    """An integration timeout that is set and not provably within `cap` seconds."""
    if millis is None:
        return False
    value = literal_int(millis)
    return value is None or value > cap * 1000


def _invokes_outside_api(view: TemplateView, rid: str) -> bool:
    kind = view.type_of(rid)
    if kind == PERMISSION:
        return principal(view, rid) != APIGW_PRINCIPAL
    return kind in OTHER_INVOKER_TYPES or is_deploy_time_caller(kind)
