"""The semantic verification engine: deployed-template model, SAM translation, --validate."""

from __future__ import annotations

from pathlib import Path

import pytest

from autofix.engine import FAILED, FIXED, Result
from autofix.runner import _validate
from autofix.semantics import Deployed, invariants, new_violations
from autofix.semantics import _sam
from autofix.semantics.model import target_of
from autofix.semantics.translation import sam_translates
from autofix.validate import new_violations as new_violations_text

needs_sam = pytest.mark.skipif(_sam.translate({"Transform": "AWS::Serverless-2016-10-31", "Resources": {}})[1]
                               == "aws-sam-translator is not installed", reason="aws-sam-translator is not installed")

SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  LocalCodeFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      AutoPublishAlias: live
"""

# A repair that breaks the SAM transform: AutoPublishAlias must be a string or a Ref.
SAM_BROKEN = SAM.replace("AutoPublishAlias: live", "AutoPublishAlias: !Sub '${AWS::StackName}-live'")

PLAIN = """\
Parameters:
  Env: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  InAccount: !Equals [!Ref 'AWS::AccountId', '123456789012']
Resources:
  Role:
    Type: AWS::IAM::Role
  DevFunction:
    Type: AWS::Lambda::Function
    Condition: IsDev
    Properties:
      Role: !GetAtt Role.Arn
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Sub '${DevFunction.Arn}'
      SourceArn: !Sub ['arn:${AWS::Partition}:execute-api:${Api}', {Api: !Ref Role}]
Outputs:
  Name:
    Value: !Ref DevFunction
"""


def _data(text: str) -> dict:
    from autofix.fastload import load_data

    return load_data(text, "yaml")


# ---------------------------------------------------------------- the model


def test_references_resolve_ref_getatt_and_sub_to_logical_ids() -> None:
    t = Deployed(_data(PLAIN))
    to_function = [(r.source, r.attribute) for r in t.references_to("DevFunction")]
    assert to_function == [("Permission", "Arn"), ("Outputs.Name", None)]
    to_role = [(r.source, r.path[-1]) for r in t.references_to("Role")]
    assert to_role == [("DevFunction", "Role"), ("Permission", "Api")]
    assert target_of({"Fn::Sub": "${DevFunction.Arn}"}) == ("DevFunction", "Arn")
    assert target_of({"Fn::Sub": "arn:${DevFunction.Arn}"}) is None


def test_conditions_are_evaluated_at_parameter_defaults() -> None:
    t = Deployed(_data(PLAIN))
    assert (t.condition_value("IsProd"), t.condition_value("IsDev")) == (True, False)
    assert t.condition_value("InAccount") is None  # a pseudo parameter: cannot be told
    assert (t.exists_by_default("DevFunction"), t.exists_by_default("Role")) == (False, True)


@needs_sam
def test_sam_with_local_code_is_translated_as_packaged() -> None:
    t = Deployed(_data(SAM))
    assert t.translated, t.translation_error
    code = t.props(t.resource("LocalCodeFunction"))["Code"]
    assert code == {"S3Bucket": "local-artifacts", "S3Key": "src/"}
    assert any(kind == "AWS::Lambda::Alias" for _, kind in ((r, t.type_of(r)) for r in t.resources))
    assert "CodeUri" in Deployed(_data(SAM)).raw["Resources"]["LocalCodeFunction"]["Properties"]


@needs_sam
def test_a_changed_code_path_is_a_changed_version() -> None:
    def version(text: str) -> str:
        return next(rid for rid, _ in Deployed(_data(text)).of_type("AWS::Lambda::Version"))

    assert version(SAM) != version(SAM.replace("CodeUri: src/", "CodeUri: other/"))


@needs_sam
def test_translations_are_cached_and_private() -> None:
    data = _data(SAM)
    first, _ = _sam.translate(data)
    first["Resources"].clear()
    second, _ = _sam.translate(data)
    assert second["Resources"], "a caller changed the cached translation"


# ---------------------------------------------------------------- the translation invariant


@needs_sam
def test_sam_translates_fails_on_a_repair_the_transform_rejects() -> None:
    found = new_violations(_data(SAM), _data(SAM_BROKEN), only=[sam_translates])
    assert [v.invariant for v in found] == ["sam_translates"]
    assert "AutoPublishAlias" in found[0].message


@needs_sam
def test_sam_translates_passes_on_a_repaired_fixture() -> None:
    case = Path(__file__).parent / "patches" / "lambda-log-group" / "new_log_group_passes_kms_scan_with_reason_sam"
    before = _data(case.with_suffix(".in.yaml").read_text(encoding="utf-8"))
    after = _data(case.with_suffix(".out.yaml").read_text(encoding="utf-8"))
    assert list(sam_translates(Deployed(after))) == []
    assert new_violations(before, after) == []


def test_every_invariant_is_a_named_function() -> None:
    names = [check.__name__ for check in invariants()]
    assert "sam_translates" in names and len(names) == len(set(names))


# ---------------------------------------------------------------- --validate


def _result(source: str, output: str) -> Result:
    return Result("t.yaml", FIXED, source=source, output=output, fmt="yaml")


@needs_sam
def test_validate_fails_a_repair_that_breaks_an_invariant_and_names_it() -> None:
    pytest.importorskip("cfnlint")
    result = _result(SAM, SAM_BROKEN)
    _validate(result)
    assert result.status == FAILED
    assert "sam_translates" in result.error and "repair would break" in result.error


def test_validate_names_an_invariant_other_than_lint() -> None:
    pytest.importorskip("cfnlint")
    # An export of a pseudo parameter: cfn-lint accepts it, the exports invariant does not.
    source = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
    output = source + "Outputs:\n  Region:\n    Value: !Ref AWS::Region\n    Export:\n      Name: region\n"
    broken = new_violations_text(source, output)
    if not broken:
        pytest.skip("no invariant judges exports yet")
    result = _result(source, output)
    _validate(result)
    assert result.status == FAILED and broken[0].split(":")[0] in result.error


def test_validate_passes_a_repair_that_keeps_the_invariants() -> None:
    pytest.importorskip("cfnlint")
    source = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n"
    result = _result(source, source.replace("LogGroup\n", "LogGroup\n    Properties:\n      RetentionInDays: 30\n"))
    _validate(result)
    assert result.status == FIXED, result.error


@needs_sam
def test_a_sam_application_translates_without_calling_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "none")  # a call would now fail with bad credentials
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "none")
    text = ("Transform: AWS::Serverless-2016-10-31\nResources:\n  App:\n    Type: AWS::Serverless::Application\n"
            "    Properties:\n      Location:\n        ApplicationId: arn:aws:serverlessrepo:us-east-1:1:applications/x\n"
            "        SemanticVersion: 1.0.0\n")
    t = Deployed(_data(text))
    assert t.translated, t.translation_error
    assert t.type_of("App") == "AWS::CloudFormation::Stack"


def test_an_invariant_that_raises_is_reported_not_fatal() -> None:
    def broken(t: Deployed):
        raise KeyError("Properties")

    found = new_violations({"Resources": {}}, {"Resources": {"X": {"Type": "AWS::SNS::Topic"}}},
                           only=[broken])
    assert found == []  # raised on both: not new
    from autofix.semantics import violations

    assert [v.invariant for v in violations(Deployed({"Resources": {}}), only=[broken])] == ["broken"]


def test_validate_keeps_a_file_that_breaks_an_invariant_unwritten(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("cfnlint")
    import autofix.validate
    from autofix.runner import Job, run

    target = tmp_path / "t.yaml"
    source = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n"
    target.write_text(source)
    monkeypatch.setattr(autofix.validate, "new_violations",
                        lambda original, repaired: ["some_invariant: Logs: what AWS would do"])
    outcome, = run([str(target)], Job(write=True, validate=True, cli={"select": ["LOG001"]})).outcomes
    assert outcome.result.status == FAILED and not outcome.written
    assert "some_invariant: Logs" in outcome.result.error
    assert target.read_text() == source
