"""SARIF that GitHub code scanning accepts, and workflow annotations escaped as the runner expects."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from autofix import report
from autofix.edits import Change
from autofix.engine import FAILED, Result
from autofix.runner import Outcome, Run
from tests.test_cli import SARIF_SCHEMA, cfn_fix

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  UntouchedBucket:
    Type: AWS::S3::Bucket
  FixedLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: app
"""


def _sarif(cwd: Path, *args: str) -> tuple[dict, subprocess.CompletedProcess]:
    run = cfn_fix("--output-format", "sarif", *args, cwd=cwd)
    return json.loads(run.stdout), run


def _git(folder: Path) -> None:
    subprocess.run(["git", "init", "-q", str(folder)], check=True, timeout=30)


def test_sarif_uris_are_relative_to_the_repository_with_a_base_id(tmp_path: Path) -> None:
    _git(tmp_path)
    (tmp_path / ".stacks").mkdir()
    (tmp_path / ".stacks" / "app.yaml").write_text(TEMPLATE)
    sarif, _ = _sarif(tmp_path / ".stacks", "--select", "LOG001", "app.yaml")
    run = sarif["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": ".stacks/app.yaml", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"


def test_sarif_uris_outside_the_repository_are_absolute_file_uris(tmp_path: Path) -> None:
    inside, outside = tmp_path / "repo", tmp_path / "srv"
    inside.mkdir(), outside.mkdir()
    _git(inside)
    (outside / "x.yaml").write_text(TEMPLATE)
    sarif, _ = _sarif(inside, "--select", "LOG001", str(outside / "x.yaml"))
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": (outside / "x.yaml").resolve().as_uri()}


def test_sarif_results_sit_on_the_resource_concerned(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    sarif, _ = _sarif(tmp_path, "--select", "LOG001,S3006", "t.yaml")
    regions = {r["ruleId"]: r["locations"][0]["physicalLocation"]["region"] for r in sarif["runs"][0]["results"]}
    assert regions["S3006"]["startLine"] == 3 and regions["S3006"]["endLine"] == 3  # UntouchedBucket:
    assert regions["S3006"]["startColumn"] == 3 and regions["S3006"]["endColumn"] > 3
    assert regions["LOG001"]["startLine"] == 5  # FixedLogs, not `Resources:` or line 1


def test_sarif_carries_what_code_scanning_reads(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    sarif, _ = _sarif(tmp_path, "--select", "LOG001,LAM006", "t.yaml")
    run = sarif["runs"][0]
    assert run["automationDetails"]["id"].startswith("cfn-fix/")
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["LOG001"]["helpUri"].startswith("https://")
    assert "cfn-fix explain LOG001" in rules["LOG001"]["help"]["markdown"]
    result = run["results"][0]
    assert result["partialFingerprints"] and all(len(v) == 64 for v in result["partialFingerprints"].values())
    replacement = result["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert "RetentionInDays: 30" in replacement["insertedContent"]["text"]
    assert "charOffset" in replacement["deletedRegion"]


def test_sarif_fingerprints_survive_an_edit_above(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    before, _ = _sarif(tmp_path, "--select", "LOG001", "t.yaml")
    (tmp_path / "t.yaml").write_text("# a new comment\n" + TEMPLATE)
    after, _ = _sarif(tmp_path, "--select", "LOG001", "t.yaml")
    prints = [s["runs"][0]["results"][0]["partialFingerprints"] for s in (before, after)]
    assert prints[0] == prints[1]


def test_sarif_reports_advice_as_notes() -> None:
    advice = Change("LAM006", "advice", "advice", ("Resources", "Fn"), 3, "Fn: 128 MB gets a small CPU share")
    result = Result("t.yaml", "unchanged", source="Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n",
                    notes=[advice])
    sarif = json.loads(report.as_sarif(Run([Outcome(result)], []), root=str(Path.cwd())))
    results = sarif["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("LAM006", "note")]


def test_a_missing_path_is_reported_in_every_format(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    for fmt in ("sarif", "json", "github", "markdown"):
        run = cfn_fix("--output-format", fmt, "--select", "LOG001", "t.yaml", "gone.yaml", cwd=tmp_path)
        assert run.returncode == 2, fmt
        assert "gone.yaml: no such file or folder" in run.stdout, fmt
    sarif, _ = _sarif(tmp_path, "gone.yaml")
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_a_patch_error_makes_sarif_execution_unsuccessful() -> None:
    error = Change("LOG001", "safe", "error", ("Resources", "Logs"), 2, "refusing to edit anchored YAML")
    result = Result("t.yaml", "unchanged", source="Resources:\n  Logs: &a\n    Type: AWS::Logs::LogGroup\n",
                    notes=[error])
    sarif = json.loads(report.as_sarif(Run([Outcome(result)], []), root=str(Path.cwd())))
    invocation = sarif["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "anchored" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_new_sarif_validates_against_the_schema(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the SARIF schema is not here ({SARIF_SCHEMA})")
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    (tmp_path / "bad.yaml").write_text("Resources: [\n")
    sarif, _ = _sarif(tmp_path, "--unsafe-fixes", ".", "gone.yaml")
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    assert len(sarif["runs"][0]["results"]) > 3


def test_github_messages_escape_only_what_the_runner_unescapes() -> None:
    change = Change("LOG001", "safe", "set", ("Resources", "A"), 2, "keep 30 days, then 50%: done\nnext")
    failed = Result("dir,x/a:b.yaml", FAILED, error="bad, very: bad")
    fixed = Result("dir,x/a:b.yaml", "fixed", changes=[change])
    text = report.as_github(Run([Outcome(fixed), Outcome(failed)], []))
    lines = text.splitlines()
    assert lines[0] == "::warning file=dir%2Cx/a%3Ab.yaml,line=2,title=LOG001::keep 30 days, then 50%25: done%0Anext"
    assert lines[1] == "::error file=dir%2Cx/a%3Ab.yaml,line=1::bad, very: bad"
