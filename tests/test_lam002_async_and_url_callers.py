"""LAM002 and the SAM settings AutoPublishAlias moves to the alias, checked against what
aws-sam-translator really generates: an EventInvokeConfig (Qualifier) and a function URL
(TargetFunctionArn) would be replaced, and an AWS_IAM Api event's integration credentials make
IAM, not the permission SAM moves, authorise the invoke. Each is skipped with a reason."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from autofix.api import build_patches, fix_text
from autofix.model.lambdas import sam_integration_credentials
from autofix.semantics._sam import translate
from autofix.view import TemplateView

TRANSFORM = "AWS::Serverless-2016-10-31"
CODE = {"CodeUri": "src/", "Handler": "app.handler", "Runtime": "python3.12"}


def _function(**props: Any) -> dict:
    return {"Type": "AWS::Serverless::Function", "Properties": {**CODE, **props}}


def _run(template: dict) -> tuple[bool, list[str]]:
    """(whether LAM002 changed the template, its skip messages)."""
    result = fix_text(json.dumps(template, indent=2), build_patches(select=["LAM002"], unsafe=True), "t.json")
    assert not result.error, result.error
    return result.changed, [n.message for n in result.notes if n.kind == "skip"]


def _skips(template: dict) -> list[str]:
    changed, skips = _run(template)
    assert not changed, "LAM002 changed a template it should skip"
    return skips


def _translated(template: dict) -> dict:
    out, err = translate(copy.deepcopy(template))
    assert out is not None, err
    return out["Resources"]


def _aliased(template: dict, fn: str) -> dict:
    """The template as LAM002 would have left it: AutoPublishAlias on the function."""
    done = copy.deepcopy(template)
    done["Resources"][fn]["Properties"]["AutoPublishAlias"] = "live"
    return done


# ------------------------------------------------------------ EventInvokeConfig and FunctionUrlConfig

ASYNC = {"MaximumRetryAttempts": 2}
URL = {"AuthType": "NONE"}


@pytest.mark.parametrize("where", ["function", "globals"])
def test_sam_event_invoke_config_kept_unqualified(where: str) -> None:
    fn = _function(**({"EventInvokeConfig": ASYNC} if where == "function" else {}))
    template = {"Transform": TRANSFORM, "Resources": {"AsyncFunction": fn}}
    if where == "globals":
        template["Globals"] = {"Function": {"EventInvokeConfig": ASYNC}}
    # the premise, from SAM: the alias would requalify it (create-only: CloudFormation replaces it)
    assert _translated(template)["AsyncFunctionEventInvokeConfig"]["Properties"]["Qualifier"] == "$LATEST"
    assert _translated(_aliased(template, "AsyncFunction"))["AsyncFunctionEventInvokeConfig"]["Properties"][
        "Qualifier"] == "live"
    (skip,) = _skips(template)
    assert skip.startswith("AsyncFunction: its EventInvokeConfig") and "retries and destinations" in skip
    assert ("Globals.Function" in skip) == (where == "globals")


@pytest.mark.parametrize("where", ["function", "globals"])
def test_sam_function_url_kept(where: str) -> None:
    fn = _function(**({"FunctionUrlConfig": URL} if where == "function" else {}))
    template = {"Transform": TRANSFORM, "Resources": {"UrlFunction": fn}}
    if where == "globals":
        template["Globals"] = {"Function": {"FunctionUrlConfig": URL}}
    url = "UrlFunctionUrl"
    assert _translated(template)[url]["Properties"]["TargetFunctionArn"] == {"Ref": "UrlFunction"}
    assert _translated(_aliased(template, "UrlFunction"))[url]["Properties"]["TargetFunctionArn"] != {
        "Ref": "UrlFunction"}
    (skip,) = _skips(template)
    assert skip.startswith("UrlFunction: its FunctionUrlConfig") and "https URL changes" in skip


def test_sam_function_with_auto_publish_alias_keeps_the_alias_path() -> None:
    """SAM already qualifies them: only ProvisionedConcurrencyConfig is added (the DONE/alias path)."""
    template = {"Transform": TRANSFORM, "Resources": {"AsyncFunction": _function(
        AutoPublishAlias="live", EventInvokeConfig=ASYNC, FunctionUrlConfig=URL)}}
    result = fix_text(json.dumps(template, indent=2), build_patches(select=["LAM002"], unsafe=True), "t.json")
    assert result.changed and '"ProvisionedConcurrencyConfig"' in result.output
    assert not [n for n in result.notes if n.kind == "skip"]


# ------------------------------------------------------------ AWS_IAM: SAM's integration credentials

def _iam_template(api_auth: Any = None, event_auth: Any = None, globals_auth: Any = None,
                  explicit: bool = True) -> dict:
    event: dict = {"Path": "/x", "Method": "GET"}
    if explicit:
        event["RestApiId"] = {"Ref": "Api"}
    if event_auth is not None:
        event["Auth"] = event_auth
    resources: dict = {"Fn": _function(Events={"Get": {"Type": "Api", "Properties": event}})}
    if explicit:
        resources["Api"] = {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "p"}}
        if api_auth is not None:
            resources["Api"]["Properties"]["Auth"] = api_auth
    template: dict = {"Transform": TRANSFORM, "Resources": resources}
    if globals_auth is not None:
        template["Globals"] = {"Api": {"Auth": globals_auth}}
    return template


def _sam_credentials(template: dict) -> list:
    found = []
    for res in _translated(template).values():
        if res["Type"] == "AWS::ApiGateway::RestApi":
            for methods in res["Properties"]["Body"]["paths"].values():
                found += [m.get("x-amazon-apigateway-integration", {}).get("credentials") for m in methods.values()]
    return found


IAM = {"DefaultAuthorizer": "AWS_IAM"}
ROLE = "arn:aws:iam::123456789012:role/invoke"
VARIANTS = {
    "api_default_authorizer": dict(api_auth=IAM),
    "api_invoke_role_none": dict(api_auth={**IAM, "InvokeRole": "NONE"}),
    "api_invoke_role": dict(api_auth={**IAM, "InvokeRole": ROLE}),
    "globals_api_implicit": dict(globals_auth=IAM, explicit=False),
    "globals_api_explicit": dict(globals_auth=IAM),
    "globals_invoke_role_none": dict(api_auth=IAM, globals_auth={"InvokeRole": "NONE"}),
    "event_authorizer": dict(event_auth={"Authorizer": "AWS_IAM"}, explicit=False),
    "event_authorizer_invoke_role_none": dict(event_auth={"Authorizer": "AWS_IAM", "InvokeRole": "NONE"},
                                              explicit=False),
    "event_authorizer_invoke_role": dict(event_auth={"Authorizer": "AWS_IAM", "InvokeRole": ROLE}),
    "event_authorizer_none": dict(api_auth=IAM, event_auth={"Authorizer": "NONE"}),
    "event_invoke_role_without_iam": dict(event_auth={"InvokeRole": ROLE}),
    "event_auth_overrides_default": dict(api_auth=IAM, event_auth={"ApiKeyRequired": True}),
    "no_auth": dict(),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_sam_iam_api_invoke_role_predicted_as_sam_writes_it(variant: str) -> None:
    template = _iam_template(**VARIANTS[variant])
    (written,) = _sam_credentials(template)
    event = template["Resources"]["Fn"]["Properties"]["Events"]["Get"]["Properties"]
    predicted = sam_integration_credentials(TemplateView(template), event)
    assert (predicted is None) == (written is None)
    if written == "arn:aws:iam::*:user/*":
        assert predicted == "CALLER_CREDENTIALS"
    elif written is not None:
        assert predicted == written
    changed, skips = _run(template)
    if written is None:
        assert changed and not skips
    else:
        assert not changed
        (skip,) = skips
        assert skip.startswith("Fn: its event Get uses AWS_IAM authorization") and "InvokeFunction" in skip
