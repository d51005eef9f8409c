"""LAM005: advice where a function behind a REST API may run longer than API Gateway waits for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import Advice, Proposal, Skip
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
from autofix.registry import ADVICE, Patch, PatchOptions
from autofix.view import TemplateView


class LambdaApiTimeout(Patch):
    id = "LAM005"
    name = "lambda-api-timeout"
    title = "Advise on functions behind a REST API whose timeout outlasts the 29 s integration timeout"
    safety = ADVICE
    resource_types = lam.FUNCTION_TYPES + ("AWS::ApiGateway::Method", lam.ALIAS, lam.VERSION)
    explanation = (
        "API Gateway REST integrations give up after 29 s (the default TimeoutInMillis): a function\n"
        "behind one that runs longer answers nobody, while it holds concurrency. Advice, not an edit:\n"
        "the author set that Timeout, and the work past 29 s may be worth finishing (a write, an index,\n"
        "a message sent), which a lower Timeout would kill midway; Regional and private REST APIs may\n"
        "also raise the integration timeout past 29 s (a quota increase, then TimeoutInMillis). The\n"
        "advice names the function's literal Timeout above 29 (its own or from SAM Globals) where a\n"
        "Method integrates it or it has a SAM Api event. Functions also fed by queues, schedules or\n"
        "other async sources, methods with a raised TimeoutInMillis, and non-literal timeouts are left\n"
        "alone."
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
            own = "Timeout" in view.props(res)
            where = ("Resources", rid, "Properties", "Timeout") if own else ("Resources", rid)
            source = "" if own else " (from SAM Globals)"
            yield Advice(where, f"{rid}: Timeout {timeout} s{source} outlasts API Gateway's {cap} s integration "
                         f"timeout: callers get a 504 at {cap} s while the function runs on, holding concurrency. "
                         f"Lower it to {cap} if nothing it does after that matters (the rest is killed midway), "
                         "or raise the integration timeout (Regional and private REST APIs: a quota increase, "
                         "then TimeoutInMillis)")


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
