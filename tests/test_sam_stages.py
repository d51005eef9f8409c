"""SAM's own "Stage" stage: APIGW001/004/006 set OpenApiVersion (the version the Api's
DefinitionBody states) where they configure a SAM Api, and the SAM translator shows that this
drops the extra stage and changes nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from autofix.fastload import load_data
from autofix.semantics import new_violations, violations
from autofix.semantics.apigw import sam_stage_stage_not_beside_configured
from autofix.semantics.model import Deployed

PATCHES = Path(__file__).resolve().parent / "patches"
CASES = ("apigw-throttling/sam_api_has_no_unthrottled_stage", "apigw-throttling/sam_implicit",
         "apigw-access-logging/sam_implicit_api_has_no_unlogged_stage",
         "apigw-stage-tracing/sam_openapi3_body_keeps_its_version")
ONLY = (sam_stage_stage_not_beside_configured,)


def _load(case: str, suffix: str) -> dict:
    return load_data((PATCHES / f"{case}{suffix}").read_text(encoding="utf-8"), "yaml")


def _translated(data: dict) -> dict:
    deployed = Deployed(data)
    if not deployed.translated:
        pytest.skip(deployed.translation_error or "not translated")
    return deployed.resources


def _stage_stages(resources: dict) -> list[str]:
    return [rid for rid, res in resources.items() if res["Type"] == "AWS::ApiGateway::Deployment"
            and res["Properties"].get("StageName") == "Stage"]


def _of_type(resources: dict, kind: str) -> dict:
    return {rid: res for rid, res in resources.items() if res["Type"] == kind}


@pytest.mark.parametrize("case", CASES)
def test_repair_drops_the_extra_stage_and_nothing_else(case: str) -> None:
    before, after = _translated(_load(case, ".in.yaml")), _translated(_load(case, ".out.yaml"))
    assert _stage_stages(before), "the fixture should show the extra stage SAM adds"
    assert _stage_stages(after) == []
    # The API definitions SAM generates are the same ("2.0" keeps Swagger 2.0), and so are the stages.
    apis = "AWS::ApiGateway::RestApi"
    assert {r: v["Properties"].get("Body") for r, v in _of_type(before, apis).items()} == \
        {r: v["Properties"].get("Body") for r, v in _of_type(after, apis).items()}
    assert set(_of_type(before, "AWS::ApiGateway::Stage")) == set(_of_type(after, "AWS::ApiGateway::Stage"))


def test_authors_openapi_version_is_kept() -> None:
    after = _load("apigw-throttling/sam_api_has_no_unthrottled_stage", ".out.yaml")
    assert after["Resources"]["OpenApi3Api"]["Properties"]["OpenApiVersion"] == "3.0.1"
    assert after["Resources"]["ThrottledApi"]["Properties"]["OpenApiVersion"] == "2.0"


@pytest.mark.parametrize("case", CASES)
def test_invariant_catches_configured_stage_beside_stage_stage(case: str) -> None:
    original, repaired = _load(case, ".in.yaml"), _load(case, ".out.yaml")
    # What cfn-fix used to write: the settings, without OpenApiVersion.
    broken = _without_openapi_version(repaired, original)
    found = violations(Deployed(broken), ONLY)
    assert found and all("'Stage'" in v.message for v in found)
    assert violations(Deployed(repaired), ONLY) == []
    assert new_violations(original, repaired, ONLY) == []


def _without_openapi_version(data: dict, original: dict) -> dict:
    """`data` without the OpenApiVersion values the repair added (those `original` lacks)."""
    import copy

    def sections(template: dict) -> dict:
        found = {"Globals": template.get("Globals", {}).get("Api", {})}
        found.update({rid: r.get("Properties", {}) for rid, r in template["Resources"].items()
                      if r["Type"] == "AWS::Serverless::Api"})
        return found

    data = copy.deepcopy(data)
    before = sections(original)
    for name, section in sections(data).items():
        if "OpenApiVersion" in section and "OpenApiVersion" not in before.get(name, {}):
            del section["OpenApiVersion"]
    return data
