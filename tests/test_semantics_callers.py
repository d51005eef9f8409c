"""Invariants of autofix/semantics/callers.py: every caller reaches what it invokes, warm aliases are used."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfnlint.decode import decode_str

from autofix.api import build_patches, fix_text
from autofix.semantics import Deployed, new_violations, violations
from autofix.semantics.callers import provisioned_alias_bypassed, unauthorised_caller

LAM002 = Path(__file__).resolve().parent / "patches" / "lambda-provisioned-concurrency"
SAM_BODY = LAM002 / "sam_openapi_body_invokes_alias.in.yaml"


def _data(text: str) -> dict:
    data, errors = decode_str(text)
    assert data is not None, errors
    return data


def _found(text: str, check) -> list[str]:
    return [str(v) for v in violations(Deployed(_data(text)), (check,))]


def _sam_alias_only(text: str) -> str:
    """The repair cfn-fix used to make: AutoPublishAlias, the OpenAPI URI left on the function."""
    return text.replace('      Events:\n', '      AutoPublishAlias: live\n      Events:\n', 1)


def test_sam_alias_with_unqualified_openapi_uri_is_caught() -> None:
    broken = _sam_alias_only(SAM_BODY.read_text(encoding="utf-8"))
    found = _found(broken, unauthorised_caller)
    assert len(found) == 1 and "Api: " in found[0] and "FixedFunction:live" in found[0], found


def test_sam_repair_keeps_the_api_authorised() -> None:
    source = SAM_BODY.read_text(encoding="utf-8")
    result = fix_text(source, build_patches(select=["LAM002"], unsafe=True), str(SAM_BODY))
    assert result.status == "fixed"
    assert "FixedFunctionAlias: !Ref FixedFunction.Alias" in result.output  # the form cfn-lint 1.58 accepts
    assert Deployed(_data(result.output)).translated
    assert new_violations(_data(source), _data(result.output)) == []


PLAIN = """
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code: {ZipFile: "def handler(e, c): return 1"}
  FnVersion:
    Type: AWS::Lambda::Version
    Properties: {FunctionName: !Ref Fn}
  FnAlias:
    Type: AWS::Lambda::Alias
    Properties:
      FunctionName: !Ref Fn
      FunctionVersion: !GetAtt FnVersion.Version
      Name: live
      ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 5}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: api}
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/URI/invocations
  Grant:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: GRANT
      Principal: apigateway.amazonaws.com
"""


@pytest.mark.parametrize("uri,grant,expected", [
    ("${Fn.Arn}", "!Ref Fn", []),
    ("${FnAlias}", "!Ref FnAlias", []),
    ("${Fn.Arn}:live", "!Ref FnAlias", []),
    ("${FnAlias}", "!Ref Fn", ["Fn:live"]),  # the URI moved, the permission did not
    ("${Fn.Arn}", "!Ref FnAlias", ["Fn,"]),  # the permission moved, the URI did not
])
def test_caller_needs_a_permission_on_the_same_target(uri: str, grant: str, expected: list[str]) -> None:
    found = _found(PLAIN.replace("URI", uri).replace("GRANT", grant), unauthorised_caller)
    assert len(found) == len(expected) and all(e in f for e, f in zip(expected, found)), found


def test_an_unreadable_permission_is_not_judged() -> None:
    text = PLAIN.replace("URI", "${Fn.Arn}").replace("GRANT", "!ImportValue shared-function")
    assert _found(text, unauthorised_caller) == []


def test_a_warm_alias_bypassed_by_the_api_is_caught() -> None:
    text = PLAIN.replace("URI", "${Fn.Arn}").replace("GRANT", "!Ref Fn")
    found = _found(text, provisioned_alias_bypassed)
    assert len(found) == 1 and "FnAlias" in found[0], found
    assert _found(PLAIN.replace("URI", "${FnAlias}").replace("GRANT", "!Ref FnAlias"), provisioned_alias_bypassed) == []


def test_sns_s3_and_rule_callers_need_their_service_permission() -> None:
    text = PLAIN.replace("URI", "${Fn.Arn}").replace("GRANT", "!Ref Fn") + """
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription: [{Protocol: lambda, Endpoint: !Ref FnAlias}]
  Rule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 hour)
      Targets: [{Id: t, Arn: !GetAtt Fn.Arn}]
  RuleGrant:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: !GetAtt Fn.Arn, Principal: events.amazonaws.com}
"""
    found = _found(text, unauthorised_caller)
    assert len(found) == 1 and found[0].startswith("unauthorised_caller: Topic:"), found
