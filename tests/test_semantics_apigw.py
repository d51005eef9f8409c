"""API Gateway invariants: cached methods key on their path parameters, the account-wide
Account has a deploy-time opt-out (SAM's own 'Stage' stage: tests/test_sam_stages.py)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from autofix.fastload import load_data
from autofix.semantics import new_violations, violations
from autofix.semantics.apigw import (INVARIANTS, account_singleton_has_opt_out,
                                     cached_methods_key_on_path_parameters)
from autofix.semantics.model import Deployed

PATCHES = Path(__file__).resolve().parent / "patches"
FOLDERS = ("apigw-access-logging", "apigw-caching", "apigw-throttling", "apigw-redeploy", "apigw-tls-policy")


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
