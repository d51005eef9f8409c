"""APIGW002 and methods that answer per caller, defined in an OpenAPI Body or cached by the author."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from autofix.api import build_patches, fix_bytes
from autofix.fastload import load_data
from autofix.semantics import new_violations
from autofix.semantics.apigw import cached_authorized_methods_key_on_caller
from autofix.semantics.model import Deployed


def _template(api: dict, settings: list | None = None) -> dict:
    stage = {"RestApiId": {"Ref": "Api"}, "DeploymentId": "abc123", "StageName": "prod",
             "CacheClusterEnabled": True, "CacheClusterSize": "0.5"}
    if settings is not None:
        stage["MethodSettings"] = settings
    return {"Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": api},
                          "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": stage}}}


def _fix(data: dict):
    return fix_bytes(json.dumps(data, indent=2).encode(), "t.json", build_patches(select=["APIGW002"]))


COGNITO_BODY = {"swagger": "2.0", "info": {"title": "t", "version": "1"},
                "securityDefinitions": {"Users": {"type": "apiKey", "name": "Authorization", "in": "header",
                                                  "x-amazon-apigateway-authtype": "cognito_user_pools"}},
                "paths": {"/me": {"get": {"security": [{"Users": []}],
                                          "x-amazon-apigateway-integration": {"type": "mock"}}},
                          "/status": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}}}}


def _settings(result) -> list:
    return load_data(result.output, "json")["Resources"]["Stage"]["Properties"]["MethodSettings"]


def _skips(result) -> list[str]:
    return [n.message for n in result.notes if "not turned on stage-wide" in n.message]


def test_body_operation_with_cognito_security_leaves_the_stage_uncached() -> None:
    data = _template({"Name": "t", "Body": COGNITO_BODY})
    result = _fix(data)
    # Encrypted, nothing cached, and no per-method override for /me.
    assert _settings(result) == [{"ResourcePath": "/*", "HttpMethod": "*", "CacheDataEncrypted": True}]
    [skip] = _skips(result)
    assert "Api GET /me (authorized by the cognito_user_pools authorizer Users)" in skip
    assert "/status" not in skip and "method.request.header.Authorization for GET /me" in skip
    repaired = load_data(result.output, "json")
    assert new_violations(data, repaired, (cached_authorized_methods_key_on_caller,)) == []
    # What APIGW002 wrote before: '/*' '*' caching over the authorized GET, which the invariant flags.
    repaired["Resources"]["Stage"]["Properties"]["MethodSettings"][0]["CachingEnabled"] = True
    found = new_violations(data, repaired, (cached_authorized_methods_key_on_caller,))
    assert [v.resource for v in found] == ["Api GET /me"]


def test_operation_keyed_on_its_token_is_cached_stage_wide() -> None:
    body = json.loads(json.dumps(COGNITO_BODY))
    body["paths"]["/me"]["get"]["parameters"] = [{"name": "Authorization", "in": "header", "required": True,
                                                   "type": "string"}]
    body["paths"]["/me"]["get"]["x-amazon-apigateway-integration"]["cacheKeyParameters"] = [
        "method.request.header.Authorization"]
    result = _fix(_template({"Name": "t", "Body": body}))
    assert _settings(result) == [{"ResourcePath": "/*", "HttpMethod": "*", "CachingEnabled": True,
                                  "CacheTtlInSeconds": 300, "CacheDataEncrypted": True}]
    assert _skips(result) == []


def _method(resource: str, part: str, auth: str, **extra) -> dict:
    return {resource: {"Type": "AWS::ApiGateway::Resource", "Properties": {
                "RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": part}},
            f"{resource}Get": {"Type": "AWS::ApiGateway::Method", "Properties": {
                "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": resource}, "HttpMethod": "GET",
                "AuthorizationType": auth, "Integration": {"Type": "MOCK"}, **extra}}}


def test_on_an_uncached_stage_only_the_authors_entries_get_path_keys() -> None:
    data = _template({"Name": "t"}, [{"ResourcePath": "/~1{id}", "HttpMethod": "GET", "CachingEnabled": True}])
    data["Resources"].update({**_method("Signed", "signed", "AWS_IAM"), **_method("Item", "{id}", "NONE"),
                              **_method("Other", "{other}", "NONE")})
    result = _fix(data)
    out = load_data(result.output, "json")["Resources"]
    assert _settings(result) == [
        {"ResourcePath": "/~1{id}", "HttpMethod": "GET", "CachingEnabled": True, "CacheDataEncrypted": True},
        {"ResourcePath": "/*", "HttpMethod": "*", "CacheDataEncrypted": True}]
    # /{id} is cached by the author's entry: it keys on its path parameter; /{other} is not cached.
    assert out["ItemGet"]["Properties"]["Integration"]["CacheKeyParameters"] == ["method.request.path.id"]
    assert "CacheKeyParameters" not in out["OtherGet"]["Properties"]["Integration"]
    [skip] = _skips(result)
    assert "GET /signed (SignedGet, authorized by AWS_IAM)" in skip and "cannot be keyed" in skip


def test_definition_in_s3_is_not_cached() -> None:
    result = _fix(_template({"Name": "t", "BodyS3Location": {"Bucket": "b", "Key": "api.yaml"}}))
    assert "MethodSettings" not in result.output
    assert any("method caching not turned on: Api's OpenAPI definition is in S3" in n.message for n in result.notes)


def test_authors_stage_wide_caching_is_advised_not_overridden() -> None:
    data = _template({"Name": "t", "Body": COGNITO_BODY},
                     [{"ResourcePath": "/*", "HttpMethod": "*", "CachingEnabled": True, "CacheDataEncrypted": True,
                       "CacheTtlInSeconds": 60}])
    result = _fix(data)
    assert "/~1me" not in result.output
    assert any("your '/*' '*' entry caches GET /me" in n.message for n in result.notes)


def test_sam_stage_wide_caching_is_flagged_on_the_translated_template_and_the_repair_passes() -> None:
    case = Path(__file__).resolve().parent / "patches" / "apigw-caching" / "sam_default_authorizer_get_left_uncached"
    original = load_data(case.with_suffix(".in.yaml").read_text(encoding="utf-8"), "yaml")
    repaired = load_data(case.with_suffix(".out.yaml").read_text(encoding="utf-8"), "yaml")
    if not Deployed(repaired).translated:
        pytest.skip("aws-sam-translator is not installed")
    assert new_violations(original, repaired, (cached_authorized_methods_key_on_caller,)) == []
    # The leak: '/*' '*' caching on the repaired Api. Only /me: /health opts out (Authorizer: NONE),
    # /orders keys on the token.
    leaky = copy.deepcopy(repaired)
    leaky["Resources"]["UsersApi"]["Properties"]["MethodSettings"][0]["CachingEnabled"] = True
    found = new_violations(original, leaky, (cached_authorized_methods_key_on_caller,))
    assert [v.resource for v in found] == ["UsersApi GET /me"]
