"""Request-path fixes skip deploy-time helpers (issue 11 item 15); tracing is priced at the target rate (item 11)."""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace

import pytest

from autofix.api import build_patches, fix_text
from autofix.capacity import planned_options
from autofix.model.serving import deploy_time_only, monthly_cost, traces_per_second
from autofix.view import TemplateView

HERE = Path(__file__).resolve().parent / "patches"


def _fn(**props: object) -> dict:
    base = {"Runtime": "python3.12", "Handler": "index.handler", "Role": "arn:aws:iam::1:role/r",
            "Code": {"ZipFile": "def handler(e, c): return 1"}}
    return {"Type": "AWS::Lambda::Function", "Properties": {**base, **props}}


PROVIDER = {"Resources": {
    "CustomResourceFn": _fn(),
    "SeedData": {"Type": "Custom::Seed", "Properties": {"ServiceToken": {"Fn::GetAtt": ["CustomResourceFn", "Arn"]}}},
}}


def _reason(data: dict, rid: str = "CustomResourceFn") -> str | None:
    return deploy_time_only(TemplateView(data), rid)


def _plus(**resources: dict) -> dict:
    data = copy.deepcopy(PROVIDER)
    data["Resources"].update(resources)
    return data


def test_custom_resource_provider_is_not_on_the_request_path() -> None:
    assert _reason(PROVIDER) == ("CustomResourceFn: only a custom-resource provider (ServiceToken of SeedData); "
                                 "not on the request path")


def test_macro_handler_is_not_on_the_request_path() -> None:
    data = {"Resources": {"MacroFn": _fn(), "Macro": {"Type": "AWS::CloudFormation::Macro", "Properties": {
        "Name": "Expand", "FunctionName": {"Fn::GetAtt": ["MacroFn", "Arn"]}}}}}
    assert _reason(data, "MacroFn") == "MacroFn: only a CloudFormation macro handler (Macro); not on the request path"


def test_alarms_and_log_groups_do_not_call_a_function() -> None:
    data = _plus(
        Logs={"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/${CustomResourceFn}"}}},
        Errors={"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": "CustomResourceFn"}}]}})
    assert _reason(data) is not None


@pytest.mark.parametrize("extra", [
    # also invoked by API Gateway
    {"ApiPermission": {"Type": "AWS::Lambda::Permission", "Properties": {
        "FunctionName": {"Ref": "CustomResourceFn"}, "Action": "lambda:InvokeFunction",
        "Principal": "apigateway.amazonaws.com"}}},
    # handed to another provider as a property: that provider may call it
    {"Warmer": {"Type": "Custom::Warm", "Properties": {
        "ServiceToken": "arn:aws:lambda:us-east-1:1:function:warmer", "Target": {"Ref": "CustomResourceFn"}}}},
    # an IAM policy that names it may let anything invoke it
    {"Invoker": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Statement": [{
        "Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": {"Fn::GetAtt": ["CustomResourceFn", "Arn"]}}]}}}},
])
def test_another_caller_keeps_it_on_the_request_path(extra: dict) -> None:
    assert _reason(_plus(**extra)) is None


def test_a_function_nobody_here_calls_stays_on_the_request_path() -> None:
    assert _reason({"Resources": {"Fn": _fn()}}, "Fn") is None


def test_an_exported_function_may_be_called_by_other_stacks() -> None:
    data = copy.deepcopy(PROVIDER)
    data["Outputs"] = {"Arn": {"Value": {"Fn::GetAtt": ["CustomResourceFn", "Arn"]}}}
    assert _reason(data) is None


def test_a_sam_function_with_events_serves_them() -> None:
    data = copy.deepcopy(PROVIDER)
    data["Transform"] = "AWS::Serverless-2016-10-31"
    data["Resources"]["CustomResourceFn"] = {"Type": "AWS::Serverless::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "index.handler", "InlineCode": "x",
        "Events": {"Nightly": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)"}}}}}
    assert _reason(data) is None


@pytest.mark.parametrize("patch_id,folder,case", [
    ("LAM001", "lambda-reserved-concurrency", "reserved_concurrency_only_on_request_path.in.yaml"),
    ("LAM003", "lambda-throttle-alarm", "throttle_alarm_only_on_request_path.in.yaml"),
    ("LAM007", "lambda-tracing", "tracing_only_on_request_path.in.yaml"),
    ("LAM001", "lambda-reserved-concurrency", "reserved_concurrency_only_on_request_path_sam.in.yaml"),
    ("LAM003", "lambda-throttle-alarm", "throttle_alarm_only_on_request_path_sam.in.yaml"),
    ("LAM007", "lambda-tracing", "tracing_only_on_request_path_sam.in.yaml"),
])
def test_request_path_fixes_skip_the_provider_and_say_why(patch_id: str, folder: str, case: str) -> None:
    result = fix_text((HERE / folder / case).read_text(), build_patches(select=[patch_id], unsafe=True))
    assert result.status == "fixed"
    skips = [n.message for n in result.notes if n.kind == "skip"]
    assert skips == ["CustomResourceFn: only a custom-resource provider (ServiceToken of SeedData); "
                     "not on the request path"]
    assert not any("CustomResourceFn" in str(c.path) for c in result.changes)
    assert any("ApiFunction" in c.message for c in result.changes)


# ------------------------------------------------------------ item 11: what tracing costs

def test_default_sampling_at_100k_rps_is_about_5000_traces_per_second() -> None:
    assert traces_per_second(100_000) == pytest.approx(5_001, abs=1)
    assert traces_per_second(0.5) == 0.5  # never more traces than requests
    # 5,001 traces/s for 30 days at $5.00 per million, the first 100,000 free
    assert monthly_cost(traces_per_second(100_000)) == pytest.approx(64_812, abs=1)
    assert monthly_cost(0.03) == 0.0  # within the free tier


STAGE = (HERE / "apigw-stage-tracing" / "basic.in.yaml").read_text()
FUNCTION = (HERE / "lambda-tracing" / "basic.in.yaml").read_text()


@pytest.mark.parametrize("patch_id,source", [("APIGW006", STAGE), ("LAM007", FUNCTION)])
def test_target_rate_prices_the_traces(patch_id: str, source: str) -> None:
    plain = fix_text(source, build_patches(select=[patch_id], unsafe=True))
    planned = fix_text(source, build_patches(select=[patch_id], unsafe=True,
                                             options={patch_id: {"target_rps": 100_000}}))
    assert planned.output == plain.output  # advice only: the template is the same
    assert not [n for n in plain.notes if "X-Ray cost" in n.message]
    advice = [n.message for n in planned.notes if n.kind == "advice" and "X-Ray cost" in n.message]
    assert len(advice) == 1
    assert "5,001 traces/s" in advice[0] and "$64,812 a month" in advice[0]
    assert "AWS::XRay::SamplingRule" in advice[0] and "FixedRate 0.001" in advice[0]
    if patch_id == "LAM007":  # a sampling rule does not lower Lambda's own sampling
        assert "sampling rules do not lower" in advice[0] and "PassThrough" in advice[0]


def test_target_rps_reaches_the_tracing_patches() -> None:
    settings = SimpleNamespace(target_rps=100_000, p99_latency_ms=80, options={"LAM007": {"mode": "Active"}})
    options = planned_options(settings)
    assert options["APIGW006"]["target_rps"] == 100_000
    assert options["LAM007"] == {"mode": "Active", "target_rps": 100_000}
    unplanned = SimpleNamespace(target_rps=None, p99_latency_ms=None, options={})
    assert "APIGW006" not in planned_options(unplanned)
