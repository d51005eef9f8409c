"""A change claims only the scanner ids that judge what it changed (autofix/scanner_scope.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autofix.api import build_patches, fix_text
from autofix.registry import all_patches
from autofix.scanner_scope import OTHERS, in_scope
from autofix.scanner_types import CHECKOV

ROOT = Path(__file__).resolve().parent.parent

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: api
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
  RestStage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      DeploymentId: !Ref Deployment
      StageName: prod
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: http
      ProtocolType: HTTP
  HttpStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Http
      StageName: prod
"""


def _claims() -> dict[tuple, tuple[str, ...]]:
    result = fix_text(TEMPLATE, build_patches(select=["APIGW004"], unsafe=True))
    assert result.status == "fixed", result.error
    return {tuple(change.path[:2]): change.resolves for change in result.changes}


def test_a_rest_stage_claims_the_rest_checks_and_an_http_stage_the_http_ones() -> None:
    claims = _claims()
    rest, http = claims[("Resources", "RestStage")], claims[("Resources", "HttpStage")]
    assert {"CKV_AWS_76", "W69", "API_GW_STAGE_ACCESS_LOGGING_RULE"} <= set(rest)
    assert not {"CKV_AWS_95", "W46"} & set(rest)
    assert {"CKV_AWS_95", "W46"} <= set(http)
    assert not {"CKV_AWS_76", "W69", "API_GW_STAGE_ACCESS_LOGGING_RULE"} & set(http)


def test_what_a_fix_adds_beside_the_stage_claims_no_check_of_the_stage() -> None:
    claims = _claims()
    helpers = [path for path in claims if path[0] == "Resources" and path[1] not in ("RestStage", "HttpStage")]
    assert helpers, "APIGW004 adds log groups and the account role"
    assert all(claims[path] == () for path in helpers), {p: claims[p] for p in helpers}


def test_a_change_outside_resources_keeps_every_id_of_its_patch() -> None:
    claims = _claims()
    parameters = [path for path in claims if path[0] == "Parameters"]
    assert parameters
    assert all(len(claims[path]) == 5 for path in parameters)


def test_an_id_of_unknown_scope_is_kept() -> None:
    assert in_scope(("SOME_RULE", "CKV_AWS_76"), "AWS::Logs::LogGroup") == ("SOME_RULE",)
    assert in_scope(("CKV_AWS_76",), None) == ("CKV_AWS_76",)


def test_checkov_ids_judge_a_sam_type_only_where_the_check_names_it_others_by_what_sam_makes() -> None:
    # checkov reads SAM as written: its IAM checks do not judge a function's Policies.
    assert in_scope(("CKV_AWS_111", "W11"), "AWS::Serverless::Function") == ("W11",)
    assert in_scope(("CKV_AWS_115", "W92"), "AWS::Serverless::Function") == ("CKV_AWS_115", "W92")
    assert in_scope(("W69",), "AWS::Serverless::Api") == ("W69",)
    assert in_scope(("W69",), "AWS::Serverless::HttpApi") == ()


def test_every_id_a_patch_names_has_a_known_scope() -> None:
    unknown = {(cls.id, check) for cls in all_patches() for check in cls.resolves
               if check not in CHECKOV and check not in OTHERS}
    assert not unknown, "add the id's resource types to OTHERS in autofix/scanner_scope.py"


def test_the_checkov_table_is_what_the_pinned_checkov_says() -> None:
    pytest.importorskip("checkov.cloudformation.checks.resource.registry",
                        reason="checkov is not installed (pip install -e '.[test]')")
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_scanner_types.py"), "--check"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_default_encryption_claims_no_checkov_check_a_bare_bucket_already_passes() -> None:
    pytest.importorskip("checkov.cloudformation.runner", reason="checkov is not installed (pip install -e '.[test]')")
    from autofix.semantics._checkov import scan_text

    bare = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
    passing = scan_text(bare)
    result = fix_text(bare, build_patches(select=["S3007"]))
    assert result.status == "fixed"
    claimed = {check for change in result.changes for check in change.resolves}
    assert claimed == {"S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"}
    assert "CKV_AWS_19" not in passing.failed.get("Bucket", {}) and passing.error is None


def test_a_resource_the_fix_tells_a_scanner_to_skip_claims_none_of_the_skipped_ids() -> None:
    source = "Resources:\n  Data:\n    Type: AWS::S3::Bucket\n"
    result = fix_text(source, build_patches(select=["S3001"], unsafe=True))
    assert result.status == "fixed", result.error
    by_resource: dict[str, set[str]] = {}
    for change in result.changes:
        if change.resource:
            by_resource.setdefault(change.resource, set()).update(change.resolves)
    logging_ids = {"CKV_AWS_18", "W35", "S3_BUCKET_LOGGING_ENABLED"}
    assert by_resource.pop("Data") >= logging_ids
    assert by_resource, "S3001 adds the log bucket"
    assert all(not ids & logging_ids for ids in by_resource.values()), by_resource  # it skips them, with reasons
