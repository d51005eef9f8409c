"""A mapping that is an intrinsic function call (`Properties: !If [...]`, long or short form) is
opaque: the view reads it as {} and the engine refuses every edit that would write a key
beside the function, as a skip note, while the patch's other edits still apply (issue 11 item 6)."""

from __future__ import annotations

import json
import textwrap

import pytest

from autofix import fastload
from autofix.api import build_patches, fix_text
from autofix.validate import new_findings
from autofix.view import TemplateView

ALL = build_patches(unsafe=True)

LONG = textwrap.dedent("""\
    AWSTemplateFormatVersion: '2010-09-09'
    Parameters:
      Env: {Type: String, Default: dev}
    Conditions:
      IsProd: !Equals [!Ref Env, prod]
    Resources:
      OpaqueFunction:
        Type: AWS::Lambda::Function
        Properties:
          Fn::If:
            - IsProd
            - Runtime: python3.12
              Handler: index.handler
              Role: arn:aws:iam::123456789012:role/prod
              Code: {ZipFile: "def handler(event, context): return 1"}
            - Runtime: python3.12
              Handler: index.handler
              Role: arn:aws:iam::123456789012:role/dev
              Code: {ZipFile: "def handler(event, context): return 2"}
      OpaqueLogs:
        Type: AWS::Logs::LogGroup
        Properties:
          Fn::If: [IsProd, {RetentionInDays: 30}, {Ref: AWS::NoValue}]
      OpaqueBucket:
        Type: AWS::S3::Bucket
        Properties:
          Fn::If: [IsProd, {BucketName: prod-bucket-4711}, {Ref: AWS::NoValue}]
    """)
SHORT = LONG.replace("      Fn::If:\n", "      !If\n").replace("Fn::If: [IsProd", "!If [IsProd")
OPAQUE = ("OpaqueFunction", "OpaqueLogs", "OpaqueBucket")


def _json(text: str) -> str:
    return json.dumps(fastload.load_data(text, "yaml"), indent=2) + "\n"


CASES = {"yaml-long": LONG, "yaml-short": SHORT, "json": _json(LONG)}


def _props(text: str, rid: str) -> object:
    fmt = "json" if text.lstrip().startswith("{") else "yaml"
    return fastload.load_data(text, fmt)["Resources"][rid].get("Properties")


@pytest.mark.parametrize("name", CASES)
def test_no_patch_writes_beside_an_intrinsic(name: str) -> None:
    source = CASES[name]
    result = fix_text(source, ALL)
    assert result.status in ("fixed", "unchanged"), result.error
    for rid in OPAQUE:
        assert _props(result.output, rid) == _props(source, rid), f"{rid} changed"
    assert new_findings(source, result.output) == []
    skips = {n.message for n in result.notes if n.kind == "skip"}
    assert "Resources.OpaqueLogs.Properties is an Fn::If; left alone" in skips
    assert "Resources.OpaqueFunction.Properties is an Fn::If; left alone" in skips


def test_other_resources_of_the_patch_are_still_fixed() -> None:
    source = LONG + textwrap.indent(textwrap.dedent("""\
        FixedLogs:
          Type: AWS::Logs::LogGroup
        FixedFunction:
          Type: AWS::Lambda::Function
          Properties:
            Runtime: python3.12
            Handler: index.handler
            Role: arn:aws:iam::123456789012:role/prod
            Code: {ZipFile: "def handler(event, context): return 3"}
        """), "  ")
    result = fix_text(source, build_patches(select=["LOG001", "LAM001"]))
    assert result.status == "fixed", result.error
    out = fastload.load_data(result.output, "yaml")
    assert "RetentionInDays" in out["Resources"]["FixedLogs"]["Properties"]
    assert "ReservedConcurrentExecutions" in out["Resources"]["FixedFunction"]["Properties"]
    assert "LambdaReservedConcurrency" in out["Parameters"]
    for rid in OPAQUE:
        assert _props(result.output, rid) == _props(source, rid)
    assert new_findings(source, result.output) == []


def test_names_added_only_for_a_refused_edit_are_dropped_too() -> None:
    """LAM001 on an opaque function alone: no parameter or condition left unused (W2001)."""
    result = fix_text(LONG, build_patches(select=["LAM001"]))
    assert result.status == "unchanged", [c.dotted for c in result.changes]
    assert [n.message for n in result.notes if n.kind == "skip"] == \
        ["Resources.OpaqueFunction.Properties is an Fn::If; left alone"]


def test_a_nested_intrinsic_mapping_takes_no_key() -> None:
    source = textwrap.dedent("""\
        Conditions:
          IsProd: !Equals [!Ref 'AWS::Region', us-east-1]
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              Role: arn:aws:iam::123456789012:role/prod
              Code: {ZipFile: "def handler(event, context): return 1"}
              LoggingConfig: !If [IsProd, {LogFormat: JSON}, !Ref 'AWS::NoValue']
        """)
    result = fix_text(source, build_patches(select=["LAM009"], unsafe=True))
    out = fastload.load_data(result.output, "yaml")
    assert out["Resources"]["Fn"]["Properties"]["LoggingConfig"] == \
        {"Fn::If": ["IsProd", {"LogFormat": "JSON"}, {"Ref": "AWS::NoValue"}]}
    assert new_findings(source, result.output) == []


def test_the_view_reads_an_intrinsic_as_no_mapping() -> None:
    data = fastload.load_data(SHORT, "yaml")
    data["Globals"] = {"Function": {"Fn::If": ["IsProd", {"Timeout": 3}, {"Timeout": 5}]}}
    view = TemplateView(data)
    assert view.props(view.resources["OpaqueFunction"]) == {}
    assert not view.has_prop(view.resources["OpaqueLogs"], "RetentionInDays")
    assert view.opaque("OpaqueBucket") == "Resources.OpaqueBucket.Properties is an Fn::If; left alone"
    assert view.opaque("Missing") is None
    assert view.globals("Function") == {}
    assert view.mapping({"Ref": "X"}) == {} and view.mapping({"Fn::Sub": "x"}) == {}
    assert view.mapping({"Ref": "X", "Other": 1}) == {"Ref": "X", "Other": 1}  # not a function call


SAM = textwrap.dedent("""\
    AWSTemplateFormatVersion: '2010-09-09'
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Env: {Type: String, Default: dev}
    Conditions:
      IsProd: !Equals [!Ref Env, prod]
    Resources:
      OpaqueSettingsFunction:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          InlineCode: "def handler(event, context): return 1"
          Tags: !If [IsProd, {Team: prod}, {Team: dev}]
          LoggingConfig: !If [IsProd, {LogFormat: JSON}, !Ref 'AWS::NoValue']
    """)


def test_sam_properties_that_are_intrinsics_stay_as_written() -> None:
    result = fix_text(SAM, ALL)
    assert result.status == "fixed", result.error
    before = _props(SAM, "OpaqueSettingsFunction")
    after = _props(result.output, "OpaqueSettingsFunction")
    assert isinstance(before, dict) and isinstance(after, dict)
    assert (after["Tags"], after["LoggingConfig"]) == (before["Tags"], before["LoggingConfig"])
    assert "Resources.OpaqueSettingsFunction.Properties.LoggingConfig is an Fn::If; left alone" in \
        {n.message for n in result.notes if n.kind == "skip"}
    assert new_findings(SAM, result.output) == []
