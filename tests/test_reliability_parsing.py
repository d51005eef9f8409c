"""Legal input that once got "internal error" or a wrong message: line ends, JSON oddities, encodings."""

from __future__ import annotations

import json

import pytest

from autofix.api import build_patches
from autofix.document import decode, load
from autofix.engine import FIXED, fix_document
from autofix.errors import TemplateError

LOG001 = build_patches(select=["LOG001"])

CR_TEMPLATE = (
    "AWSTemplateFormatVersion: '2010-09-09'\r"
    "# groups\r"
    "Resources:\r"
    "  FixedGroup:\r"
    "    Type: AWS::Logs::LogGroup\r"
    "    Properties:\r"
    "      LogGroupName: first\r"
    "\r"
    "  # the second one\r"
    "  OtherFixedGroup:\r"
    "    Type: AWS::Logs::LogGroup\r"
    "    Properties:\r"
    "      LogGroupName: second # trailing\r"
    "Outputs:\r"
    "  Name:\r"
    "    Value: !Ref FixedGroup\r"
)


def _fix(raw: bytes):
    return fix_document(load(raw, "t"), LOG001)


def test_cr_only_line_ends_are_kept_and_new_lines_use_them() -> None:
    result = _fix(CR_TEMPLATE.encode())
    assert result.status == FIXED, result.error
    assert "\n" not in result.output
    assert result.source == CR_TEMPLATE
    expected = CR_TEMPLATE.replace("first\r", "first\r      RetentionInDays: 30\r") \
        .replace("# trailing\r", "# trailing\r      RetentionInDays: 30\r")
    assert result.output == expected


def test_lone_cr_among_lf_line_ends_is_refused_with_its_line() -> None:
    raw = b"Resources:\n  G:\r    Type: AWS::Logs::LogGroup\n"
    with pytest.raises(TemplateError, match="CR alone") as caught:
        load(raw, "t")
    assert caught.value.line == 2


def test_cr_inside_a_quoted_string_of_an_lf_file_is_data() -> None:
    raw = b'Resources:\n  G:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: "a\rb"\n'
    result = _fix(raw)
    assert result.status == FIXED, result.error


def test_json_nan_and_infinity_are_read_as_strings_as_yaml_and_cfn_lint_read_them() -> None:
    raw = (b'{"Resources": {"G": {"Type": "AWS::Logs::LogGroup", "Properties": '
           b'{"LogGroupName": "x", "A": NaN, "B": Infinity, "C": -Infinity}}}}\n')
    doc = load(raw, "t")
    assert doc.data["Resources"]["G"]["Properties"]["A"] == "NaN"
    assert doc.data["Resources"]["G"]["Properties"]["C"] == "-Infinity"
    result = fix_document(doc, LOG001)
    assert result.status == FIXED, result.error
    assert '"A": NaN, "B": Infinity, "C": -Infinity, "RetentionInDays": 30}' in result.output


def test_json_key_longer_than_yamls_implicit_key_limit_is_read() -> None:
    long_key = "K" * 3000
    template = {"Metadata": {long_key: {long_key + "x": [1, {long_key: 2}]}},
                "Resources": {"G": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "x"}}}}
    for indent in (None, 2):
        result = _fix(json.dumps(template, indent=indent).encode())
        assert result.status == FIXED, result.error
        assert json.loads(result.output)["Metadata"] == template["Metadata"]
        assert json.loads(result.output)["Resources"]["G"]["Properties"]["RetentionInDays"] == 30


def test_long_key_in_yaml_is_still_yamls_error() -> None:
    with pytest.raises(TemplateError, match="invalid YAML"):
        load(("Resources: {" + "K" * 1100 + ": 1}\n").encode(), "t")


TEXT = "Resources:\n  G:\n    Type: AWS::Logs::LogGroup\n"


@pytest.mark.parametrize("codec,expected", [
    ("utf-16", "UTF-16 with a byte order mark (little-endian)"),
    ("utf-16-le", "UTF-16 without a byte order mark (little-endian)"),
    ("utf-16-be", "UTF-16 without a byte order mark (big-endian)"),
    ("utf-32", "UTF-32 with a byte order mark (little-endian)"),
    ("utf-32-le", "UTF-32 without a byte order mark (little-endian)"),
    ("utf-32-be", "UTF-32 without a byte order mark (big-endian)"),
])
def test_wide_encodings_are_named(codec: str, expected: str) -> None:
    with pytest.raises(TemplateError) as caught:
        decode(TEXT.encode(codec))
    assert caught.value.message == f"file is {expected}; CloudFormation templates must be UTF-8"


@pytest.mark.parametrize("raw", [bytes(range(256)) * 8, b"Resources: {}\x00\x00garbage\x01\x02"])
def test_nul_bytes_that_are_no_wide_text_are_binary(raw: bytes) -> None:
    with pytest.raises(TemplateError, match="binary file"):
        decode(raw)


def test_an_anchored_or_aliased_scalar_is_skipped_and_the_patch_fixes_the_rest() -> None:
    from autofix.edits import ReplaceValue
    from tests.test_create_only import Edits

    source = (
        "Resources:\n"
        "  UntouchedAnchorTopic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: &name old\n"
        "  UntouchedAliasTopic:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: *name\n"
        "  FixedTopic:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: old\n"
    )
    patch = Edits(*(ReplaceValue(("Resources", rid, "Properties", key), "new") for rid, key in (
        ("UntouchedAnchorTopic", "TopicName"), ("UntouchedAliasTopic", "DisplayName"), ("FixedTopic", "DisplayName"))))
    result = fix_document(load(source.encode(), "t"), [patch])
    assert result.status == FIXED, result.error
    assert result.output == source.replace("DisplayName: old", "DisplayName: new")
    assert [(n.kind, n.path[1]) for n in result.notes] == [("skip", "UntouchedAnchorTopic"),
                                                          ("skip", "UntouchedAliasTopic")]
    assert "anchored or aliased content (&name)" in result.notes[0].message


def test_diff_of_a_cr_only_file_reads_line_by_line() -> None:
    from autofix.diff import unified_diff

    diff = unified_diff("a: 1\rb: 2\r", "a: 1\rb: 3\r", "t.yaml")
    assert "No newline" not in diff
    assert "-b: 2\n+b: 3\n" in diff
