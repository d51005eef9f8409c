"""Which functions serve requests, and what tracing the request path costs.

Request-path fixes (reserved concurrency LAM001, throttle alarms LAM003, tracing LAM007) are
for functions that answer callers. A function whose only callers run while the stack deploys
(the provider of a custom resource, a macro handler) serves nothing: reserving concurrency for
it takes capacity from the account, and alarms and traces on it add cost and noise. A function
nothing in the template calls may be invoked from outside, so it stays on the request path.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from autofix.edits import Skip
from autofix.values import referenced_names
from autofix.view import TemplateView

from . import lambdas as lam

MACRO = "AWS::CloudFormation::Macro"
# Resources that name a function without calling it.
PASSIVE_TYPES = ("AWS::CloudWatch::Alarm", "AWS::Logs::LogGroup", "AWS::Logs::MetricFilter",
                 "AWS::Lambda::EventInvokeConfig", "AWS::CloudWatch::Dashboard")


def edge_reason(view: TemplateView, rid: str, lost: str) -> str | None:
    """Why a change to function `rid` would not reach what serves it, when it is a Lambda@Edge
    function (CloudFront runs a numbered version of it, replicated to the Regions near its
    viewers, and logs and meters each replica there), or None. `lost` says what the change
    would miss."""
    if not lam.is_edge_function(view, rid):
        return None
    return (f"{rid}: a Lambda@Edge function: CloudFront runs a published version of it in the Regions near "
            f"its viewers, so {lost}")


def _output_names(view: TemplateView) -> frozenset[str]:
    """Every name the Outputs refer to, once per run: read per function, it made the run
    quadratic in a template that outputs each function (2.3 ms a resource at 10,000)."""
    return frozenset(referenced_names(view.outputs))


def deploy_time_only(view: TemplateView, rid: str) -> str | None:
    """Why function `rid` is not on the request path (its only callers run at deploy time), or None."""
    if lam.sam_events(view, rid) or rid in view.memo(_output_names):
        return None  # triggered by events, or exported for other stacks to call
    names = lam.function_and_wrappers(view, rid)
    providers, macros = [], []
    for caller in lam.referrers_of(view, rid):
        kind = view.type_of(caller)
        if kind in PASSIVE_TYPES or _grants_cloudformation(view, caller):
            continue
        if not lam.is_deploy_time_caller(kind):
            return None
        field = "FunctionName" if kind == MACRO else "ServiceToken"
        if not names & set(referenced_names(view.props(view.resources[caller]).get(field))):
            return None  # handed to a provider as a property: the provider may call it
        (macros if kind == MACRO else providers).append(caller)
    if providers and macros:
        return (f"{rid}: only called at deploy time (ServiceToken of {', '.join(providers)}; macro "
                f"{', '.join(macros)}); not on the request path")
    if providers:
        return f"{rid}: only a custom-resource provider (ServiceToken of {', '.join(providers)}); not on the request path"
    if macros:
        return f"{rid}: only a CloudFormation macro handler ({', '.join(macros)}); not on the request path"
    return None


# Callers that answer a request while it waits: what a --target-rps plan sizes.
_REQUEST_CALLER_TYPES = ("AWS::Lambda::Url", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::AppSync::DataSource")
_REQUEST_PRINCIPALS = ("apigateway.amazonaws.com", "elasticloadbalancing.amazonaws.com")


def on_request_path(view: TemplateView, rid: str) -> bool:
    """Function `rid` answers requests: an API (API Gateway, SAM Api/HttpApi event, an authorizer
    in Globals), a function URL, a load balancer or an AppSync data source invokes it, or a
    permission grants API Gateway or a load balancer. Queue, stream, event, schedule and
    destination consumers do not: a request rate says nothing of their concurrency."""
    if lam.sam_event_apis(view, rid):
        return True
    if view.type_of(rid) == lam.SAM_FUNCTION and lam.effective_prop(view, rid, "FunctionUrlConfig") is not None:
        return True
    names = lam.function_and_wrappers(view, rid)
    if view.is_sam and any(names & set(referenced_names(view.globals(kind))) for kind in ("Api", "HttpApi")):
        return True
    for caller in lam.referrers_of(view, rid):
        kind = view.type_of(caller)
        if lam.is_api_type(kind) or kind in _REQUEST_CALLER_TYPES:
            return True
        if kind == lam.PERMISSION and lam.principal(view, caller) in _REQUEST_PRINCIPALS:
            return True
    return False


def _grants_cloudformation(view: TemplateView, rid: str) -> bool:
    """A Lambda permission that lets CloudFormation invoke the function (what a macro's handler
    needs): a grant to the deploy, not a caller on the request path."""
    return view.type_of(rid) == lam.PERMISSION and lam.principal(view, rid) == "cloudformation.amazonaws.com"


# ------------------------------------------------------------ what tracing every request costs

XRAY_RESERVOIR = 1  # default sampling rule: the first request each second ...
XRAY_RATE = 0.05  # ... and 5% of the others
XRAY_USD_PER_MILLION = 5.00  # traces recorded (us-east-1 list price)
XRAY_FREE_PER_MONTH = 100_000
SECONDS_PER_MONTH = 30 * 24 * 3600
SUGGESTED_RATE = 0.001


def traces_per_second(rps: float, rate: float = XRAY_RATE, reservoir: int = XRAY_RESERVOIR) -> float:
    return min(rps, reservoir + rate * max(0.0, rps - reservoir))


def monthly_cost(traces: float) -> float:
    """USD a month for recording `traces` traces per second."""
    return max(0.0, traces * SECONDS_PER_MONTH - XRAY_FREE_PER_MONTH) / 1_000_000 * XRAY_USD_PER_MILLION


def trace_volume(rps: float) -> str:
    """What the default sampling rule records at `rps`, and what that costs a month."""
    default = traces_per_second(rps)
    return (f"at {rps:,.0f} requests/s the default sampling rule (1 request/s plus 5%) records about "
            f"{math.ceil(default):,} traces/s, about ${monthly_cost(default):,.0f} a month at "
            f"${XRAY_USD_PER_MILLION:.2f} per million traces recorded (us-east-1)")


def sampling_rule_saving(rps: float) -> str:
    """What a lower-rate sampling rule would record at `rps`."""
    lower = traces_per_second(rps, SUGGESTED_RATE)
    return (f"an AWS::XRay::SamplingRule with FixedRate {SUGGESTED_RATE} records about {math.ceil(lower):,}/s "
            f"(about ${monthly_cost(lower):,.0f} a month); a rule applies to every service of the account and "
            "Region it matches, so scope it by ServiceName and URLPath")


def traced_by_globals(view: TemplateView, kind: str, key: str, types: tuple[str, ...],
                      implicit: bool = False) -> Iterator[Skip]:
    """Say, where it is set, which SAM resources Globals.<kind>'s tracing `key` reaches: a patch
    that sets `key` leaves them as the author decided (`implicit`: also SAM's implicit API)."""
    if not view.is_sam or key not in view.globals(kind):
        return
    reached = [rid for rid, res in view.of_type(*types) if key not in view.props(res)]
    reached += ["the implicit API"] if implicit else []
    if reached:
        value = view.globals(kind)[key]
        shown = str(value).lower() if isinstance(value, bool) else value if isinstance(value, str) else "computed"
        yield Skip(("Globals", kind, key), f"Globals.{kind}: its {key} ({shown}) applies to {', '.join(reached)}; "
                   "left as the author set it")
