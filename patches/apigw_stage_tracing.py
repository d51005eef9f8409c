"""APIGW006: X-Ray tracing on REST API stages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from autofix.edits import Proposal, SetKey
from autofix.registry import UNSAFE, Patch
from autofix.view import TemplateView

from ._apigw import DEPLOYMENT, REST_STAGE, SAM_API, deployment_stage_skips, props_path, sam_property


class ApigwStageTracing(Patch):
    id = "APIGW006"
    name = "apigw-stage-tracing"
    title = "Turn on X-Ray tracing for REST API stages"
    safety = UNSAFE  # X-Ray bills per trace recorded
    resource_types = (REST_STAGE, SAM_API, DEPLOYMENT)
    resolves = ("CKV_AWS_73",)
    explanation = (
        "Sets TracingEnabled: true on every AWS::ApiGateway::Stage and SAM AWS::Serverless::Api\n"
        "(once in Globals.Api when that section exists or an implicit API needs it) that does not set\n"
        "it. Unsafe because X-Ray bills per recorded trace: at 100k RPS keep the default sampling rule\n"
        "(1 request per second plus 5%) or add a sampling rule. HTTP APIs have no X-Ray support.\n"
        "Stages created by a Deployment's StageName/StageDescription are skipped."
    )

    @dataclass(frozen=True)
    class Options:
        pass

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        for rid, res in view.of_type(REST_STAGE):
            if "TracingEnabled" not in view.props(res):
                yield SetKey(props_path(rid), "TracingEnabled", True, f"{rid}: trace requests with X-Ray")
        yield from sam_property(view, "Api", "TracingEnabled", True, "trace requests with X-Ray")
        yield from deployment_stage_skips(view, "tracing")
