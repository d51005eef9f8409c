"""APIGW001: stage-wide throttling on every API Gateway stage, from two parameters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import Advice, Proposal, SetKey, Skip
from autofix.model.apis import (
    REST_STAGE,
    SAM_API,
    SAM_HTTP_API,
    V2_STAGE,
    deployment_stage_skips,
    merge_default_entry,
    nothing_to_configure,
    props_path,
    sam_method_settings,
    sam_scope,
    sam_single_stage,
)
from autofix.model.parameters import parameter
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.values import ref, referenced_names
from autofix.view import TemplateView

USAGE_PLAN = "AWS::ApiGateway::UsagePlan"
SAM_CREATES_PLAN = ("PER_API", "SHARED")


class ApigwThrottling(Patch):
    id = "APIGW001"
    name = "apigw-throttling"
    title = "Throttle API Gateway stages and usage plans, tunable by parameters"
    safety = UNSAFE
    resource_types = (
        REST_STAGE,
        SAM_API,
        V2_STAGE,
        SAM_HTTP_API,
        USAGE_PLAN,
        "AWS::ApiGateway::Deployment",
        "AWS::Serverless::Function",
        "AWS::Serverless::StateMachine",
    )
    resolves = ()
    explanation = (
        "Adds ThrottlingRateLimit / ThrottlingBurstLimit to the '/*' '*' MethodSettings entry of REST\n"
        "stages and SAM Apis (merged into an existing entry; Globals.Api counts), to DefaultRouteSettings\n"
        "of HTTP/WebSocket stages and SAM HttpApis, and a Throttle to usage plans without one. Values come\n"
        "from ApiThrottlingRateLimit (default 10000) and ApiThrottlingBurstLimit (default 5000), the\n"
        "default account quota. Unsafe: it changes behaviour, since requests above the stage limit get\n"
        "429 Too Many Requests, also where the account's quota was raised above the default (raise the\n"
        "parameters to match it); above the account quota a stage limit has no effect: request the\n"
        "increase (e.g. 100k RPS) before raising the parameters. Stages created by a Deployment's\n"
        "StageName/StageDescription are skipped. A SAM Api it throttles gets OpenApiVersion (in Globals.Api\n"
        "where that reaches it) when it has none: otherwise SAM also deploys the API to a stage named\n"
        "'Stage' that no setting reaches. The version is the one its DefinitionBody states ('2.0' without\n"
        "one, keeping the definition SAM generates), since SAM rewrites the definition to OpenApiVersion;\n"
        "a DefinitionUri or an AWS::Include body is skipped. This changes the API's interface: callers of\n"
        ".../Stage/ must move to the API's own stage."
    )

    class Options(PatchOptions):
        rate_parameter: str = "ApiThrottlingRateLimit"
        burst_parameter: str = "ApiThrottlingBurstLimit"
        rate_default: int = 10000
        burst_default: int = 5000

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        if nothing_to_configure(view, self.resource_types):
            return
        opts = self.options
        rate_need = parameter(opts.rate_parameter, {
            "Type": "Number", "Default": opts.rate_default, "MinValue": 0,
            "Description": "API Gateway steady-state requests per second per stage (within the account quota)"})
        burst_need = parameter(opts.burst_parameter, {
            "Type": "Number", "Default": opts.burst_default, "MinValue": 0,
            "Description": "API Gateway burst (token bucket size) per stage"})
        # The values are built before it is known which of them an edit uses, so the names are
        # asked for first and declared only when used.
        rate_name, burst_name = view.need_name(rate_need), view.need_name(burst_need)
        rate, burst = ref(rate_name), ref(burst_name)
        method = {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}
        plan = {"RateLimit": rate, "BurstLimit": burst}
        message = f"throttle from {rate_name} / {burst_name}"
        edits = list(self._stages(view, method, message))
        edits += sam_method_settings(view, method, message)
        edits += sam_nested(view, "HttpApi", "DefaultRouteSettings", method, message)
        edits += self._usage_plans(view, plan, message)
        edits += sam_single_stage(view, edits)
        yield from deployment_stage_skips(view, "throttling", ("ThrottlingRateLimit", "ThrottlingBurstLimit"))
        used = {name for e in edits if not isinstance(e, Skip) for name in referenced_names(e.value)}
        for name, need in ((rate_name, rate_need), (burst_name, burst_need)):
            if name in used:
                declared = yield from view.need(need)
                assert declared == name, "names chosen before and after declaring differ"
        yield from edits
        names = [name for name in (rate_name, burst_name) if name in used]
        if names:
            yield Advice(("Parameters", names[0]),
                         f"{' / '.join(names)}: API Gateway allows 10,000 RPS with a 5,000 burst per account and "
                         "Region (shared by all APIs); stage limits above that have no effect. For 100k RPS "
                         "request a Service Quotas increase first, then raise the throttling parameters")

    @staticmethod
    def _stages(view: TemplateView, method: dict, message: str) -> Iterator[Proposal]:
        for rid, _ in view.of_type(REST_STAGE):
            yield from merge_default_entry(view, props_path(rid), method, f"{rid}: {message}", rid)
        for rid, res in view.of_type(V2_STAGE):
            current = view.props(res).get("DefaultRouteSettings")
            if current is not None and not isinstance(current, dict):
                yield Skip(props_path(rid) + ("DefaultRouteSettings",),
                           f"{rid}: DefaultRouteSettings is computed; add throttling by hand")
                continue
            for key, value in method.items():
                if key not in (current or {}):
                    yield SetKey(props_path(rid) + ("DefaultRouteSettings",), key, value, f"{rid}: {message}")

    @staticmethod
    def _usage_plans(view: TemplateView, plan: dict, message: str) -> Iterator[Proposal]:
        for rid, res in view.of_type(USAGE_PLAN):
            if "Throttle" not in view.props(res):
                yield SetKey(props_path(rid), "Throttle", plan, f"{rid}: {message}")
        # SAM Auth.UsagePlan: only when SAM creates the plan; a Globals plan counts per key.
        global_plan = view.get(("Globals", "Api", "Auth", "UsagePlan"))
        global_plan = global_plan if isinstance(global_plan, dict) else {}
        for rid, res in view.of_type(SAM_API):
            own = view.get(props_path(rid) + ("Auth", "UsagePlan"))
            if not isinstance(own, dict) or own.get("CreateUsagePlan") not in SAM_CREATES_PLAN:
                continue
            if "Throttle" not in own and "Throttle" not in global_plan:
                yield SetKey(props_path(rid) + ("Auth", "UsagePlan"), "Throttle", plan, f"{rid}: {message}")


def sam_nested(view: TemplateView, kind: str, container: str, settings: dict[str, Any],
               message: str) -> Iterator[Proposal]:
    """Missing keys of a mapping property (e.g. DefaultRouteSettings) on SAM APIs of `kind`.

    SAM merges Globals mappings key by key, so a key in Globals.<kind>.<container> counts.
    """
    in_globals = view.globals(kind).get(container)
    if in_globals is not None and not isinstance(in_globals, dict):
        yield Skip(("Globals", kind, container), f"Globals.{kind}: {container} is computed; set "
                   f"{', '.join(settings)} by hand")
        return
    in_globals = in_globals or {}
    chosen, use_globals, implicit_wanted = sam_scope(view, kind, lambda res: True)
    to_globals: dict[str, Any] = {}
    if implicit_wanted:
        to_globals.update({k: v for k, v in settings.items() if k not in in_globals})
    for rid in chosen:
        own = view.props(view.resources[rid]).get(container)
        if own is not None and not isinstance(own, dict):
            yield Skip(props_path(rid) + (container,), f"{rid}: {container} is computed; set "
                       f"{', '.join(settings)} by hand")
            continue
        missing = {k: v for k, v in settings.items() if k not in (own or {}) and k not in in_globals}
        if use_globals:
            to_globals.update(missing)
            continue
        for key, value in missing.items():
            yield SetKey(props_path(rid) + (container,), key, value, f"{rid}: {message}")
    for key, value in to_globals.items():
        yield SetKey(("Globals", kind, container), key, value, f"Globals.{kind}: {message}")
