"""APIGW002 and methods that answer per caller, defined in an OpenAPI Body or cached by the author."""

from __future__ import annotations

import json

from autofix.api import build_patches, fix_bytes
from autofix.fastload import load_data
from autofix.semantics import new_violations
from autofix.semantics.apigw import cached_authorized_methods_key_on_caller


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


def test_body_operation_with_cognito_security_is_left_uncached() -> None:
    data = _template({"Name": "t", "Body": COGNITO_BODY})
    result = _fix(data)
    settings = load_data(result.output, "json")["Resources"]["Stage"]["Properties"]["MethodSettings"]
    assert [(e["ResourcePath"], e["HttpMethod"], e["CachingEnabled"]) for e in settings] == [
        ("/*", "*", True), ("/~1me", "GET", False)]
    assert new_violations(data, load_data(result.output, "json"), (cached_authorized_methods_key_on_caller,)) == []


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
