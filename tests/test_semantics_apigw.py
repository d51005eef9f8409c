"""API Gateway invariants: cached methods key on their path parameters, the account-wide
Account has a deploy-time opt-out, SAM's own 'Stage' stage is not left beside a configured one
(what caching, which does not count, and OpenAPI 3 bodies mean for it here; the rest in
tests/test_sam_stages.py)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from autofix.fastload import load_data
from autofix.semantics import new_violations, violations
from autofix.semantics.apigw import (INVARIANTS, account_singleton_has_opt_out,
                                     cached_authorized_methods_key_on_caller,
                                     cached_methods_key_on_path_parameters,
                                     sam_stage_stage_not_beside_configured)
from autofix.semantics.model import Deployed
from tests.test_sam_stages import _translated  # the translated resources, or a skip

PATCHES = Path(__file__).resolve().parent / "patches"
FOLDERS = ("apigw-access-logging", "apigw-caching", "apigw-throttling", "apigw-redeploy", "apigw-tls-policy",
           "apigw-stage-tracing")


def _load(path: Path) -> dict:
    return load_data(path.read_text(encoding="utf-8"), "json" if path.suffix == ".json" else "yaml")


def _found(check, data: dict) -> list[tuple[str, str]]:
    return sorted((v.resource, v.message) for v in check(Deployed(data)))


# ------------------------------------------------------------------ cache keys


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_cached_get_without_path_key_violates_and_repair_keys_it(suffix: str) -> None:
    case = PATCHES / "apigw-caching" / "cached_get_keys_on_path_parameter"
    broken = _load(case.with_suffix(".in" + suffix))  # caching on, as cfn-fix used to leave it
    found = _found(cached_methods_key_on_path_parameters, broken)
    assert [r for r, _ in found] == ["KeyedFilesGet", "KeyedOrderGet"]
    assert "one cached response serves every id" in found[1][1]
    assert "id, proxy" in found[0][1]
    assert _found(cached_methods_key_on_path_parameters, _load(case.with_suffix(".out" + suffix))) == []


def test_sam_events_are_judged_on_the_translated_openapi_body() -> None:
    case = PATCHES / "apigw-caching" / "sam_event_keys_on_path_parameter"
    broken = _load(case.with_suffix(".in.yaml"))
    if not Deployed(broken).translated:
        pytest.skip("aws-sam-translator is not installed")
    found = _found(cached_methods_key_on_path_parameters, broken)
    assert [r for r, _ in found] == ["OrdersApi GET /orders/{id}", "OrdersApi GET /orders/{id}/lines/{line}"]
    assert "path parameter(s) line " in found[1][1]  # id is a cache key there already
    assert _found(cached_methods_key_on_path_parameters, _load(case.with_suffix(".out.yaml"))) == []


def _stage_with(entries: list | None, verb: str = "GET") -> dict:
    stage = {"Type": "AWS::ApiGateway::Stage",
             "Properties": {"RestApiId": {"Ref": "Api"}, "CacheClusterEnabled": True}}
    if entries is not None:
        stage["Properties"]["MethodSettings"] = entries
    return {"Resources": {
        "Api": {"Type": "AWS::ApiGateway::RestApi"},
        "Item": {"Type": "AWS::ApiGateway::Resource", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "{id}"}},
        "Method": {"Type": "AWS::ApiGateway::Method", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Item"}, "HttpMethod": verb,
            "Integration": {"Type": "MOCK"}}},
        "Stage": stage}}


@pytest.mark.parametrize(("entries", "verb", "cached"), [
    (None, "GET", True),  # the stage cache serves GET by default
    (None, "PUT", False),  # other verbs only by an override
    ([{"ResourcePath": "/*", "HttpMethod": "*", "CachingEnabled": False}], "GET", False),
    ([{"ResourcePath": "/*", "HttpMethod": "*", "CachingEnabled": False},
      {"ResourcePath": "/~1{id}", "HttpMethod": "GET", "CachingEnabled": True}], "GET", True),
    ([{"ResourcePath": "/~1{id}", "HttpMethod": "PUT", "CachingEnabled": True}], "PUT", True),
])
def test_which_methods_a_stage_caches(entries: list | None, verb: str, cached: bool) -> None:
    assert bool(_found(cached_methods_key_on_path_parameters, _stage_with(entries, verb))) is cached


def test_a_stage_without_cache_cluster_caches_nothing() -> None:
    data = _stage_with(None)
    data["Resources"]["Stage"]["Properties"]["CacheClusterEnabled"] = False
    assert _found(cached_methods_key_on_path_parameters, data) == []


# ------------------------------------------------------------------ cached methods that answer per caller

CALLER_CASE = PATCHES / "apigw-caching" / "authorized_get_left_uncached"


def _old_repair(data: dict) -> dict:
    """What APIGW002 used to write: '/*' '*' caching on, no per-method entry for the authorized GET."""
    old = copy.deepcopy(data)
    old["Resources"]["Stage"]["Properties"]["MethodSettings"] = [
        {"ResourcePath": "/*", "HttpMethod": "*", "CachingEnabled": True, "CacheTtlInSeconds": 300,
         "CacheDataEncrypted": True}]
    return old


def test_cognito_get_cached_on_its_path_only_violates_and_the_repair_leaves_it_uncached() -> None:
    original = _load(CALLER_CASE.with_suffix(".in.yaml"))
    added = new_violations(original, _old_repair(original), (cached_authorized_methods_key_on_caller,))
    assert [(v.resource, v.message) for v in added] == [(
        "MeGet", "GET /me is authorized by the COGNITO_USER_POOLS authorizer Authorizer and cached without its "
        "identity source (method.request.header.Authorization) as a cache key: one caller's answer is served "
        "to every other")]
    assert _found(cached_authorized_methods_key_on_caller, _load(CALLER_CASE.with_suffix(".out.yaml"))) == []


def test_cache_cluster_alone_caches_no_authorized_method() -> None:
    # CloudFormation: "To activate a method-level cache, set CachingEnabled to true for a method."
    assert _found(cached_authorized_methods_key_on_caller, _load(CALLER_CASE.with_suffix(".in.yaml"))) == []


def test_identity_source_as_cache_key_is_a_cache_per_caller() -> None:
    data = _old_repair(_load(CALLER_CASE.with_suffix(".in.yaml")))
    method = data["Resources"]["MeGet"]["Properties"]
    method["RequestParameters"] = {"method.request.header.Authorization": True}
    method["Integration"]["CacheKeyParameters"] = ["method.request.header.Authorization"]
    assert _found(cached_authorized_methods_key_on_caller, data) == []


def test_aws_iam_get_has_no_cache_key_for_its_caller() -> None:
    data = _stage_with([{"ResourcePath": "/*", "HttpMethod": "*", "CachingEnabled": True}])
    data["Resources"]["Method"]["Properties"]["AuthorizationType"] = "AWS_IAM"
    found = _found(cached_authorized_methods_key_on_caller, data)
    assert [r for r, _ in found] == ["Method"] and "AWS_IAM" in found[0][1]
    data["Resources"]["Stage"]["Properties"]["MethodSettings"].append(
        {"ResourcePath": "/~1{id}", "HttpMethod": "GET", "CachingEnabled": False})
    assert _found(cached_authorized_methods_key_on_caller, data) == []


def test_sam_default_authorizer_is_judged_on_the_translated_template() -> None:
    case = PATCHES / "apigw-caching" / "sam_default_authorizer_get_left_uncached"
    repaired = _load(case.with_suffix(".out.yaml"))
    if not Deployed(repaired).translated:
        pytest.skip("aws-sam-translator is not installed")
    assert _found(cached_authorized_methods_key_on_caller, repaired) == []
    old = copy.deepcopy(repaired)  # the leak: the stage-wide entry caches, as APIGW002 once wrote it
    settings = old["Resources"]["UsersApi"]["Properties"]["MethodSettings"]
    settings[:] = [e for e in settings if e["ResourcePath"] == "/*"]
    settings[0]["CachingEnabled"] = True
    found = _found(cached_authorized_methods_key_on_caller, old)
    # Only /me: /health opts out (Authorizer: NONE), /orders keys on the token.
    assert [r for r, _ in found] == ["UsersApi GET /me"]


# ------------------------------------------------------------------ SAM's own 'Stage' stage


def _stage_stage_apis(resources: dict) -> list[str]:
    return sorted(res["Properties"]["RestApiId"]["Ref"] for res in resources.values()
                  if res["Type"] == DEPLOYMENT and res["Properties"].get("StageName") == "Stage")


def _bodies(resources: dict) -> dict:
    return {rid: res["Properties"].get("Body") for rid, res in resources.items()
            if res["Type"] == "AWS::ApiGateway::RestApi"}


DEPLOYMENT = "AWS::ApiGateway::Deployment"
CACHE_ONLY = PATCHES / "apigw-caching" / "sam_caching_keeps_stage_stage"


def test_caching_settings_do_not_make_the_stage_stage_a_violation() -> None:
    repaired = _load(CACHE_ONLY.with_suffix(".out.yaml"))
    assert _stage_stage_apis(_translated(repaired)) == ["CachedApi"]  # kept: its URL still answers, uncached
    assert _found(sam_stage_stage_not_beside_configured, repaired) == []


@pytest.mark.parametrize("settings", [{"ThrottlingRateLimit": 100}, {"LoggingLevel": "ERROR"}])
def test_throttling_or_logging_beside_the_stage_stage_violates(settings: dict) -> None:
    data = _load(CACHE_ONLY.with_suffix(".out.yaml"))
    data["Resources"]["CachedApi"]["Properties"]["MethodSettings"][0].update(settings)
    assert [r for r, _ in _found(sam_stage_stage_not_beside_configured, data)] == ["CachedApi"]


@pytest.mark.parametrize("case", ["apigw-throttling/sam_openapi3_body_keeps_its_version",
                                  "apigw-throttling/sam_globals_openapi3_api_gets_own_version",
                                  "apigw-stage-tracing/sam_openapi3_body_keeps_its_version"])
def test_openapi3_body_keeps_its_security_schemes_and_loses_the_stage_stage(case: str) -> None:
    before = _translated(_load(PATCHES / f"{case}.in.yaml"))
    after = _translated(_load(PATCHES / f"{case}.out.yaml"))
    assert _stage_stage_apis(before) and _stage_stage_apis(after) == []
    assert _bodies(after) == _bodies(before)  # the definitions SAM generates are unchanged
    body = next(b for b in _bodies(after).values() if b.get("openapi"))
    assert body["openapi"] == "3.0.1" and "api_key" in body["components"]["securitySchemes"]
    assert "securityDefinitions" not in body


def test_openapi_version_2_over_an_openapi3_body_loses_its_security_schemes() -> None:
    """What cfn-fix once wrote: OpenApiVersion '2.0' whatever the body said."""
    data = _load(PATCHES / "apigw-throttling" / "sam_openapi3_body_keeps_its_version.out.yaml")
    data["Resources"]["OpenApi3Api"]["Properties"]["OpenApiVersion"] = "2.0"
    body = _bodies(_translated(data))["OpenApi3Api"]
    assert body["openapi"] == "3.0.1" and "components" not in body and "api_key" in body["securityDefinitions"]


# ------------------------------------------------------------------ the account-wide Account

# What APIGW004 used to add: the Account (and its role) with no way to leave it out.
BROKEN_ACCOUNT = {
    "Resources": {
        "ApiGatewayCloudWatchRole": {"Type": "AWS::IAM::Role", "DeletionPolicy": "Retain", "Properties": {}},
        "ApiGatewayAccount": {"Type": "AWS::ApiGateway::Account", "DeletionPolicy": "Retain", "Properties": {
            "CloudWatchRoleArn": {"Fn::GetAtt": ["ApiGatewayCloudWatchRole", "Arn"]}}},
    },
}


def test_unconditional_account_violates() -> None:
    found = _found(account_singleton_has_opt_out, BROKEN_ACCOUNT)
    assert [r for r, _ in found] == ["ApiGatewayAccount"]
    assert new_violations({"Resources": {}}, BROKEN_ACCOUNT, (account_singleton_has_opt_out,))


def test_condition_must_come_from_a_parameter() -> None:
    data = copy.deepcopy(BROKEN_ACCOUNT)
    data["Resources"]["ApiGatewayAccount"]["Condition"] = "InProd"
    data["Conditions"] = {"InProd": {"Fn::Equals": [{"Ref": "AWS::AccountId"}, "123456789012"]}}
    assert _found(account_singleton_has_opt_out, data)  # not an opt-out the deployer controls
    data["Parameters"] = {"Role": {"Type": "String"}}
    data["Conditions"]["Create"] = {"Fn::Equals": [{"Ref": "Role"}, "create"]}
    data["Conditions"]["InProd"] = {"Fn::And": [{"Condition": "Create"}, data["Conditions"]["InProd"]]}
    assert _found(account_singleton_has_opt_out, data) == []


@pytest.mark.parametrize("name", ["rest_stage.out.yaml", "rest_stage.out.json", "sam_api.out.yaml",
                                  "http.out.yaml", "sam_implicit_api_has_no_unlogged_stage.out.yaml"])
def test_repaired_account_has_an_opt_out(name: str) -> None:
    data = _load(PATCHES / "apigw-access-logging" / name)
    assert any(r.get("Type") == "AWS::ApiGateway::Account" for r in data["Resources"].values())
    assert _found(account_singleton_has_opt_out, data) == []


# ------------------------------------------------------------------ every fixture of these patches


def _pairs() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (PATCHES / folder).glob("*.in.*"))


@pytest.mark.parametrize("source", _pairs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_fixture_repair_adds_an_apigw_violation(source: Path) -> None:
    repaired = source.with_name(source.name.replace(".in.", ".out."))
    added = new_violations(_load(source), _load(repaired), INVARIANTS)
    assert [str(v) for v in added] == []
    assert [str(v) for v in violations(Deployed(_load(repaired)), (account_singleton_has_opt_out,))
            if v.resource not in _load(source).get("Resources", {})] == []
