"""APIGW002 on SAM Api events: the SAM translator really turns `Caching: true` into cache keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CASE = Path(__file__).resolve().parent / "patches" / "apigw-caching" / "sam_event_cache_keys"


def _translated(path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The template aws-sam-translator makes of the SAM template at `path`."""
    transform = pytest.importorskip("samtranslator.translator.transform").transform
    from cfnlint.decode import decode_str

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the translator fills in pseudo parameters
    template, errors = decode_str(path.read_text(encoding="utf-8"))
    assert not errors

    class NoManagedPolicies:
        def load(self) -> dict:
            return {}

    return transform(json.loads(json.dumps(template, default=str)), {}, NoManagedPolicies())


def _cache_keys(path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[tuple[str, str, str], list[str] | None]:
    out = _translated(path, monkeypatch)
    keys = {}
    for rid, res in out["Resources"].items():
        if res["Type"] != "AWS::ApiGateway::RestApi":
            continue
        for route, operations in res["Properties"]["Body"]["paths"].items():
            for verb, operation in operations.items():
                integration = operation.get("x-amazon-apigateway-integration", {})
                keys[(rid, route, verb)] = integration.get("cacheKeyParameters")
    return keys


def test_cached_api_methods_get_cache_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _cache_keys(CASE.with_suffix(".in.yaml"), monkeypatch)
    after = _cache_keys(CASE.with_suffix(".out.yaml"), monkeypatch)
    get = ("CachedApi", "/items", "get")
    assert before[get] is None
    assert after[get] == ["method.request.querystring.page", "method.request.querystring.sort"]
    # Unchanged: a caching key said already, a POST, and a method on an API that does not cache.
    for key in (("CachedApi", "/items/{id}", "x-amazon-apigateway-any-method"), ("CachedApi", "/items", "post"),
                ("PlainApi", "/plain", "get")):
        assert after[key] == before[key]


def _stage_settings(path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """Stage id -> the MethodSettings aws-sam-translator gives it."""
    out = _translated(path, monkeypatch)
    return {rid: res["Properties"].get("MethodSettings") for rid, res in out["Resources"].items()
            if res["Type"] == "AWS::ApiGateway::Stage"}


@pytest.mark.parametrize(("case", "stage"), [
    ("sam_default_authorizer_get_left_uncached", "UsersApiprodStage"),
    ("sam_event_authorizer_implicit_api_stage_left_uncached", "ServerlessRestApiProdStage"),
])
def test_authorized_event_leaves_the_generated_stage_uncached(case: str, stage: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = CASE.parent
    settings = _stage_settings(folder / f"{case}.out.yaml", monkeypatch)[stage]
    # Encrypted, and no method cached: no CachingEnabled, no TTL, and no per-method override
    # (what an override inherits from '/*' '*' is not documented).
    assert settings == [{"ResourcePath": "/*", "HttpMethod": "*", "CacheDataEncrypted": True}]
    assert _stage_settings(folder / f"{case}.in.yaml", monkeypatch)[stage] is None
