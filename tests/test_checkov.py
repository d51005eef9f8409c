"""checkov as a judge: no new failure on a resource of the original, none on a new resource
without a skip and reason; over every fixture pair and the bundled example."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("checkov.cloudformation.runner", reason="checkov is not installed (pip install -e '.[test]')")

from autofix.semantics._checkov import new_failures, scan_text  # noqa: E402

ROOT = Path(__file__).resolve().parent
FIXTURES = ROOT / "patches"
EXAMPLES = ROOT.parent / "examples"

FUNCTION = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  LoggedFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "def handler(e, c): return 1"}
"""

# What LAM009 used to add: a log group with a retention and nothing said about its key.
GROUP = """\
  LoggedFunctionLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 30
"""

SKIPPED = GROUP + """\
    Metadata:
      checkov:
        skip:
          - id: CKV_AWS_158
"""



def test_catches_a_new_log_group_without_the_skip() -> None:
    found = new_failures(FUNCTION, FUNCTION + GROUP)
    assert [v.resource for v in found] == ["LoggedFunctionLogGroup"]
    assert "CKV_AWS_158" in found[0].message


def test_catches_a_skip_without_a_reason() -> None:
    found = new_failures(FUNCTION, FUNCTION + SKIPPED)
    assert [(v.resource, "without a reason" in v.message) for v in found] == [("LoggedFunctionLogGroup", True)]


def test_catches_a_resource_of_the_original_that_now_fails() -> None:
    # The repair dropped the function's reserved concurrency: CKV_AWS_115 now fails there.
    original = FUNCTION + "      ReservedConcurrentExecutions: 5\n"
    found = new_failures(original, FUNCTION)
    assert [(v.resource, "CKV_AWS_115" in v.message) for v in found] == [("LoggedFunction", True)]


def test_a_failure_the_original_had_is_not_new() -> None:
    with_group = FUNCTION + GROUP
    assert new_failures(with_group, with_group + "      # unchanged\n") == []


def test_passes_on_the_repaired_fixture() -> None:
    case = FIXTURES / "lambda-log-group" / "new_log_group_passes_kms_scan_with_reason"
    source = case.with_suffix(".in.yaml").read_text(encoding="utf-8")
    repaired = case.with_suffix(".out.yaml").read_text(encoding="utf-8")
    assert "CKV_AWS_158" in scan_text(repaired).skipped["ScannedFunctionLogGroup"]
    assert new_failures(source, repaired) == []


def _pairs() -> list[tuple[Path, Path]]:
    pairs = []
    for case in sorted(FIXTURES.glob("*/*.in.*")):
        out = case.with_name(case.name.replace(".in.", ".out."))
        if out.exists():
            pairs.append((case, out))
    return pairs


PAIRS = _pairs()


@pytest.mark.parametrize("case,out", PAIRS, ids=[f"{c.parent.name}/{c.name}" for c, _ in PAIRS])
def test_fixture_output_adds_no_checkov_failure(case: Path, out: Path) -> None:
    fmt = "json" if case.suffix == ".json" else "yaml"
    found = new_failures(case.read_text(encoding="utf-8"), out.read_text(encoding="utf-8"), fmt)
    assert [str(v) for v in found] == []


def test_fixed_example_adds_no_checkov_failure() -> None:
    found = new_failures((EXAMPLES / "serverless-api.yaml").read_text(encoding="utf-8"),
                         (EXAMPLES / "serverless-api.fixed.yaml").read_text(encoding="utf-8"))
    assert [str(v) for v in found] == []


def test_a_renamed_resource_keeps_the_failures_of_the_one_it_replaces() -> None:
    # APIGW003 renames resources; the new id is judged against the one that is gone.
    renamed = FUNCTION.replace("LoggedFunction:", "LoggedFunctionV2:")
    assert new_failures(FUNCTION, renamed) == []


def test_a_repair_checkov_cannot_read_is_a_violation() -> None:
    found = new_failures(FUNCTION, "Resources: [not, a, mapping\n")
    assert found and found[0].resource == "<template>"
