"""autofix.model.apis: what the API Gateway patches share, asked directly."""

from __future__ import annotations

from autofix.edits import SetKey, Skip
from autofix.model.apis import deployment_stage_skips, sam_method_settings
from autofix.view import TemplateView

SAM = "AWS::Serverless-2016-10-31"


def test_sam_method_settings_words_each_api_by_the_callers_function() -> None:
    view = TemplateView({"Transform": SAM, "Resources": {
        "OrdersApi": {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "prod"}},
        "UsersApi": {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "prod"}},
    }})
    edits = list(sam_method_settings(view, {"LoggingLevel": "ERROR"},
                                     lambda where: f"{where}: access logs to {where}Logs, execution logging"))
    assert [e.message for e in edits] == ["OrdersApi: access logs to OrdersApiLogs, execution logging",
                                          "UsersApi: access logs to UsersApiLogs, execution logging"]
    plain = list(sam_method_settings(view, {"LoggingLevel": "ERROR"}, "execution logging"))
    assert [e.message for e in plain] == ["OrdersApi: execution logging", "UsersApi: execution logging"]
    assert all(isinstance(e, SetKey) for e in edits + plain)


def test_deployment_stage_skip_offers_stage_description_and_is_quiet_once_it_is_set_there() -> None:
    view = TemplateView({"Resources": {
        "Traced": {"Type": "AWS::ApiGateway::Deployment",
                   "Properties": {"StageName": "a", "StageDescription": {"TracingEnabled": True}}},
        "Untraced": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"StageName": "b"}},
        "Computed": {"Type": "AWS::ApiGateway::Deployment",
                     "Properties": {"StageName": "c", "StageDescription": {"Fn::If": ["C", {}, {}]}}},
    }})
    skips = list(deployment_stage_skips(view, "tracing", ("TracingEnabled",)))
    assert [s.path[1] for s in skips] == ["Untraced", "Computed"]
    assert all(isinstance(s, Skip) and "set StageDescription.TracingEnabled by hand or move the stage to an "
               "AWS::ApiGateway::Stage resource" in s.reason for s in skips)
    # A caller that names no key gets the one route it can check.
    bare = list(deployment_stage_skips(view, "throttling"))
    assert len(bare) == 3 and "StageDescription." not in bare[0].reason
