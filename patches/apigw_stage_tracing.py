"""APIGW006: X-Ray tracing on REST API stages."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Advice, Proposal, SetKey
from autofix.model.apis import (
    DEPLOYMENT,
    REST_STAGE,
    SAM_API,
    deployment_stage_skips,
    has_implicit_api,
    nothing_to_configure,
    props_path,
    sam_property,
    sam_single_stage,
)
from autofix.model.serving import sampling_rule_saving, trace_volume, traced_by_globals
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.view import TemplateView


class ApigwStageTracing(Patch):
    id = "APIGW006"
    name = "apigw-stage-tracing"
    title = "Turn on X-Ray tracing for REST API stages"
    safety = UNSAFE  # X-Ray bills per trace recorded
    resource_types = (REST_STAGE, SAM_API, DEPLOYMENT, "AWS::Serverless::Function", "AWS::Serverless::StateMachine")
    resolves = ("CKV_AWS_73",)
    explanation = (
        "Sets TracingEnabled: true on every AWS::ApiGateway::Stage and SAM AWS::Serverless::Api\n"
        "(once in Globals.Api when that section exists or an implicit API needs it) that does not set\n"
        "it. Unsafe because X-Ray bills $5.00 per million traces recorded (beyond 100,000 a month): the\n"
        "default sampling rule records 1 request per second plus 5%, about 5,000 traces/s at 100k\n"
        "requests/s, about $65,000 a month. With --target-rps the advice gives the estimate at that rate\n"
        "and the cost with a lower-rate AWS::XRay::SamplingRule (account-wide in the Region, so it stays\n"
        "advice). HTTP APIs have no X-Ray support. Stages created by a Deployment's\n"
        "StageName/StageDescription are skipped."
    )

    class Options(PatchOptions):
        target_rps: float = 0.0  # set from --target-rps: adds the trace cost estimate

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        if nothing_to_configure(view, self.resource_types):
            return
        edits: list[Proposal] = []
        for rid, res in view.of_type(REST_STAGE):
            if "TracingEnabled" not in view.props(res):
                edits.append(SetKey(props_path(rid), "TracingEnabled", True, f"{rid}: trace requests with X-Ray"))
        edits += sam_property(view, "Api", "TracingEnabled", True, "trace requests with X-Ray")
        edits += sam_single_stage(view, edits)  # else SAM's extra 'Stage' stage stays untraced
        yield from edits
        yield from traced_by_globals(view, "Api", "TracingEnabled", (SAM_API,), has_implicit_api(view, "Api"))
        yield from deployment_stage_skips(view, "tracing", ("TracingEnabled",))
        first = next((e for e in edits if isinstance(e, SetKey)), None)
        if first is not None and self.options.target_rps > 0:
            rps = self.options.target_rps
            yield Advice(first.path + (first.key,), f"X-Ray cost: {trace_volume(rps)}; {sampling_rule_saving(rps)}")
