"""LAM002 names a Version after its function's code; a code change renames it (issue 11, item 3)."""

from __future__ import annotations

import re

import pytest
from cfnlint.decode import decode_str

from autofix.api import build_patches, fix_text
from autofix.semantics import Deployed, violations
from autofix.semantics.versions import code_hash, stale_version

LAM002 = build_patches(select=["LAM002", "LAM011"], unsafe=True)

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
{code}
      Role: arn:aws:iam::123456789012:role/fn
      Timeout: 10
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {{Name: api}}
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
        Uri: !Sub arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Fn.Arn}}/invocations
  Grant:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !GetAtt Fn.Arn
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Api}}/*
"""
ZIP = "      Runtime: python3.12\n      Handler: index.handler\n      Code:\n        ZipFile: 'def handler(e, c): return 1'"
S3 = ("      Runtime: python3.12\n      Handler: index.handler\n      Code:\n        S3Bucket: artifacts\n"
      "        S3Key: fn/v1.zip\n        S3ObjectVersion: abc")
IMAGE = ("      PackageType: Image\n      Code:\n"
         "        ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/fn@sha256:1111")

CHANGES = [
    (ZIP, "return 1", "return 2"),
    (S3, "fn/v1.zip", "fn/v2.zip"),
    (S3, "S3ObjectVersion: abc", "S3ObjectVersion: def"),
    (IMAGE, "sha256:1111", "sha256:2222"),
]


def _versions(text: str) -> list[str]:
    return re.findall(r"^  (FnVersion[0-9A-F]{8}):$", text, re.MULTILINE)


def _repair(text: str) -> str:
    result = fix_text(text, LAM002)
    assert result.status == "fixed", result.error
    return result.output


@pytest.mark.parametrize("code,old,new", CHANGES, ids=["ZipFile", "S3Key", "S3ObjectVersion", "ImageUri"])
def test_a_code_change_renames_the_version(code: str, old: str, new: str) -> None:
    repaired = _repair(TEMPLATE.format(code=code))
    [first] = _versions(repaired)
    assert fix_text(repaired, LAM002).status == "unchanged"  # unchanged code: nothing to do

    edited = repaired.replace(old, new, 1)
    assert edited != repaired
    stale = decode_str(edited)[0]
    assert [v.resource for v in violations(Deployed(stale), (stale_version,))] == [first]

    again = _repair(edited)
    [second] = _versions(again)
    assert second != first and first not in again
    assert f"!GetAtt {second}.Version" in again
    assert any(c.kind == "rename" for c in fix_text(edited, LAM002).changes)
    assert violations(Deployed(decode_str(again)[0]), (stale_version,)) == []
    assert fix_text(again, LAM002).status == "unchanged"


def test_a_version_cfn_fix_did_not_name_is_not_judged() -> None:
    text = _repair(TEMPLATE.format(code=ZIP))
    [name] = _versions(text)
    hand_made = text.replace(name, "FnVersion").replace("return 1", "return 2")
    assert violations(Deployed(decode_str(hand_made)[0]), (stale_version,)) == []
    assert not any(c.kind == "rename" for c in fix_text(hand_made, LAM002).changes)


def test_unlocked_properties_keep_the_hash() -> None:
    props = {"Code": {"ZipFile": "x"}, "Runtime": "python3.12"}
    assert code_hash(props) == code_hash({**props, "Tags": [{"Key": "a", "Value": "b"}],
                                          "ReservedConcurrentExecutions": 5})
    assert code_hash(props) != code_hash({**props, "MemorySize": 512})
    assert code_hash({"Role": {"Fn::GetAtt": "R.Arn"}}) == code_hash({"Role": {"Fn::GetAtt": ["R", "Arn"]}})
    # YAML 1.1 loaders read `yes` as true, YAML 1.2 loaders as a string: one hash either way
    assert code_hash({"Environment": {"Variables": {"DEBUG": "yes"}}}) == \
        code_hash({"Environment": {"Variables": {"DEBUG": True}}})
