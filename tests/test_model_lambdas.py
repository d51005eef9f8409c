"""LAM002's plans ask of each API caller whether it can move (three plans per function: two
probes and the move); the answer is computed once per caller until the data changes."""

from __future__ import annotations

from pathlib import Path

from autofix.api import build_patches, fix_text
from autofix.model import lambdas
from autofix.view import TemplateView

CASE = Path(__file__).parent / "patches" / "lambda-provisioned-concurrency" / "api_sub.in.yaml"


def test_each_api_caller_is_judged_once_per_pass_and_the_repair_is_unchanged(monkeypatch) -> None:
    patches = build_patches(select=["LAM002"], unsafe=True)
    asked: list[tuple[str, str]] = []
    real = lambdas._stuck_caller

    def counting(view: TemplateView, fn: str, rid: str) -> bool:
        asked.append((fn, rid))
        return real(view, fn, rid)

    monkeypatch.setattr(lambdas, "_stuck_caller", counting)
    result = fix_text(CASE.read_text(encoding="utf-8"), patches, str(CASE))
    assert result.output == CASE.with_name("api_sub.out.yaml").read_text(encoding="utf-8")
    # The repair's three plans judge its one caller once; the verification pass finds the alias done.
    assert asked == [("FixedFunction", "ItemsGet")]


def test_memo_with_arguments_is_one_answer_per_arguments_until_invalidate() -> None:
    view = TemplateView({"Resources": {"A": {"Type": "AWS::S3::Bucket"}}})
    calls = []

    def typed(v: TemplateView, rid: str) -> str | None:
        calls.append(rid)
        return v.type_of(rid)

    assert [view.memo(typed, "A"), view.memo(typed, "A"), view.memo(typed, "B")] == ["AWS::S3::Bucket",
                                                                                     "AWS::S3::Bucket", None]
    assert calls == ["A", "B"]
    view.invalidate()
    assert view.memo(typed, "A") == "AWS::S3::Bucket" and calls == ["A", "B", "A"]


def _view(**resources: dict) -> TemplateView:
    fn = {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Handler": "i.h"}}
    return TemplateView({"Resources": {"Fn": fn, **resources}})


def test_event_invoke_config_invokes_its_destinations_not_the_function_it_configures() -> None:
    own = {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
        "FunctionName": {"Ref": "Fn"}, "Qualifier": "$LATEST", "MaximumRetryAttempts": 0}}
    as_destination = {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
        "FunctionName": "other", "Qualifier": "$LATEST",
        "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": ["Fn", "Arn"]}}}}}
    view = _view(Own=own, Destination=as_destination)
    assert not lambdas.invokes_unqualified(view, "Own", "Fn")
    assert lambdas.invokes_unqualified(view, "Destination", "Fn")


def test_function_url_invokes_the_unqualified_function_only_without_a_qualifier() -> None:
    def url(**props: object) -> dict:
        return {"Type": "AWS::Lambda::Url", "Properties": {"AuthType": "NONE", **props}}
    view = _view(Plain=url(TargetFunctionArn={"Fn::GetAtt": ["Fn", "Arn"]}),
                 Qualified=url(TargetFunctionArn={"Ref": "Fn"}, Qualifier="live"))
    assert lambdas.invokes_unqualified(view, "Plain", "Fn")
    assert not lambdas.invokes_unqualified(view, "Qualified", "Fn")


def test_plain_function_whose_only_caller_is_a_function_url_gets_no_alias() -> None:
    view = _view(Url={"Type": "AWS::Lambda::Url", "Properties": {
        "AuthType": "NONE", "TargetFunctionArn": {"Fn::GetAtt": ["Fn", "Arn"]}}})
    reason = lambdas.provisioned_skip_reason(view, "Fn")
    assert reason is not None and reason.startswith("its only invokers here (Url) call the unqualified function")


def test_template_role_reads_a_sub_of_the_role_arn():
    from autofix.model.lambdas import template_role
    from autofix.view import TemplateView

    view = TemplateView({"Resources": {"SharedRole": {"Type": "AWS::IAM::Role", "Properties": {}}}})
    assert template_role(view, {"Fn::Sub": "${SharedRole.Arn}"}) == "SharedRole"
    assert template_role(view, {"Fn::Sub": " ${SharedRole.Arn} "}) == "SharedRole"
    assert template_role(view, {"Fn::GetAtt": ["SharedRole", "Arn"]}) == "SharedRole"
    assert template_role(view, {"Fn::Sub": "${SharedRole.RoleId}"}) is None
    assert template_role(view, {"Fn::Sub": "${Other.Arn}"}) is None
