"""LAM005: a function behind a REST API stops running longer than API Gateway waits for it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from autofix.edits import Proposal, ReplaceValue, SetKey, Skip
from autofix.model import lambdas as lam
from autofix.registry import UNSAFE, Patch
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

    @dataclass(frozen=True)
    class Options:
        seconds: int = 29

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        cap = self.options.seconds
        for rid, res in view.of_type(*lam.FUNCTION_TYPES):
            timeout = lam.literal_int(lam.effective_prop(view, rid, "Timeout"))
            if timeout is None or timeout <= cap or not lam.behind_rest_api(view, rid):
                continue
            reason = lam.timeout_skip_reason(view, rid, cap)
            if reason:
                yield Skip(("Resources", rid), f"{rid}: {reason}")
                continue
            props = ("Resources", rid, "Properties")
            message = f"{rid}: timeout {timeout} s -> {cap} s (API Gateway stops waiting at {cap} s)"
            if "Timeout" in view.props(res):
                yield ReplaceValue(props + ("Timeout",), cap, message)
            else:  # inherited from SAM Globals, which other functions share
                yield SetKey(props, "Timeout", cap, message)
