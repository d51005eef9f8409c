"""New JSON fragments follow the file's expansion habit: small objects and arrays on one line or open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml.nodes import MappingNode, SequenceNode

from autofix.api import build_patches, fix_text
from autofix.dialect import Dialect
from autofix.document import parse, walk_nodes
from autofix.edits import AppendItem, ReplaceValue, SetKey
from autofix.render import json_value
from autofix.values import get_att, ref
from tests.test_splice import apply

FIXTURES = Path(__file__).resolve().parent / "patches"
PROPS = ("Resources", "Fn", "Properties")


def habit(source: str) -> tuple[bool, bool]:
    dialect = parse(source).dialect
    return dialect.json_expand_objects, dialect.json_expand_arrays


def template(properties: str) -> str:
    """A function whose properties are written as given (indented as its own lines)."""
    return ('{\n  "Resources": {\n    "Fn": {\n      "Type": "AWS::Lambda::Function",\n'
            '      "Properties": {\n' + properties + '\n      }\n    }\n  }\n}\n')


def props(*lines: str) -> str:
    return ",\n".join("        " + line.replace("\n", "\n        ") for line in lines)


OPEN_REF = '"Role": {\n  "Ref": "R"\n}'
OPEN_ARRAY = '"Layers": [\n  "L"\n]'
ONE_LINE_REF = '"Role": {"Ref": "R"}'
ONE_LINE_ARRAY = '"Layers": ["L"]'


def one_line_collections(text: str) -> list[str]:
    doc = parse(text)
    return [text[n.start_mark.index:n.end_mark.index] for n in walk_nodes(doc.root)
            if isinstance(n, MappingNode | SequenceNode) and n.value and n.start_mark.line == n.end_mark.line]


# ---------------------------------------------------------------- what the file is taken to write


def test_fully_expanded_file_expands_objects_and_arrays() -> None:
    assert habit(template(props(OPEN_REF, OPEN_ARRAY))) == (True, True)


def test_compact_file_writes_small_values_on_one_line() -> None:
    assert habit(template(props(ONE_LINE_REF, ONE_LINE_ARRAY))) == (False, False)


def test_each_kind_follows_its_own_majority() -> None:
    source = template(props(OPEN_REF.replace("Role", "A"), OPEN_REF.replace("Role", "B"), ONE_LINE_REF,
                            ONE_LINE_ARRAY, ONE_LINE_ARRAY.replace("Layers", "C"), OPEN_ARRAY.replace("Layers", "D")))
    assert habit(source) == (True, False)


def test_a_tie_keeps_small_values_on_one_line() -> None:
    assert habit(template(props(OPEN_REF, ONE_LINE_REF.replace("Role", "B")))) == (False, False)


def test_a_kind_the_file_never_writes_small_follows_the_other() -> None:
    assert habit(template(props(OPEN_REF))) == (True, True)
    assert habit(template(props(OPEN_ARRAY))) == (True, True)
    assert habit(template(props(ONE_LINE_ARRAY))) == (False, False)


def test_sections_and_declarations_do_not_vote() -> None:
    # Small, open, and still no habit: people open sections and resources whatever they do inside.
    source = '{\n  "Resources": {\n    "A": {\n      "Type": "X"\n    }\n  }\n}\n'
    assert habit(source) == (False, False)


def test_values_inside_a_one_line_value_do_not_vote() -> None:
    # The one-line Code votes once; the two objects inside it had no choice but one line.
    code = '"Code": {"A": {"Ref": "X"}, "B": {"Ref": "Y"}}'
    source = template(props(OPEN_REF.replace("Role", "C"), OPEN_REF.replace("Role", "D"), code))
    assert habit(source) == (True, True)


def test_large_values_do_not_vote() -> None:
    # An open object too long for one line says nothing about where the author puts small ones.
    large = '"Environment": {\n  "Variables": {\n    "FIRST_NAME": "a long value", "SECOND_NAME": "another long one"\n  }\n}'
    assert habit(template(props(large, ONE_LINE_REF))) == (False, False)


def test_yaml_has_no_json_habit() -> None:
    assert parse("Resources:\n  A:\n    Type: X\n    Properties: {B: {C: 1}}\n").dialect.json_expand_objects is False


# ---------------------------------------------------------------- how a value is written


@pytest.mark.parametrize("objects,arrays,expected", [
    (False, False, '{"Fn::GetAtt": ["A", "Arn"]}'),
    (True, True, '{\n  "Fn::GetAtt": [\n    "A",\n    "Arn"\n  ]\n}'),
    (True, False, '{\n  "Fn::GetAtt": ["A", "Arn"]\n}'),
    # An object opens when what it holds opens, whatever the file does with small objects.
    (False, True, '{\n  "Fn::GetAtt": [\n    "A",\n    "Arn"\n  ]\n}'),
])
def test_small_values_open_by_kind(objects: bool, arrays: bool, expected: str) -> None:
    dialect = Dialect(fmt="json", json_expand_objects=objects, json_expand_arrays=arrays)
    assert json_value(get_att("A", "Arn"), "", dialect) == expected


def test_an_inline_array_holding_an_open_kind_opens_too() -> None:
    dialect = Dialect(fmt="json", json_expand_objects=True)
    assert json_value([ref("A")], "", dialect) == '[\n  {\n    "Ref": "A"\n  }\n]'
    assert json_value(["A", "B"], "", dialect) == '["A", "B"]'


def test_empty_collections_and_scalars_stay_as_they_are() -> None:
    dialect = Dialect(fmt="json", json_expand_objects=True, json_expand_arrays=True)
    assert json_value({"A": {}, "B": []}, "", dialect) == '{\n  "A": {},\n  "B": []\n}'
    assert json_value("x", "", dialect) == '"x"'


def test_one_line_parent_keeps_its_new_entry_on_one_line() -> None:
    dialect = Dialect(fmt="json", json_expand_objects=True, json_expand_arrays=True)
    assert json_value(ref("A"), "", dialect, compact=True) == '{"Ref": "A"}'


# ---------------------------------------------------------------- edits in a file of each habit


def test_new_entry_in_expanded_file_is_expanded() -> None:
    src = template(props(OPEN_REF))
    out = apply(src, SetKey(PROPS, "Target", get_att("Q", "Arn")))
    assert out == src.replace('"R"\n        }', '"R"\n        },\n        "Target": {\n          "Fn::GetAtt": [\n'
                              '            "Q",\n            "Arn"\n          ]\n        }')


def test_replaced_value_in_expanded_file_is_expanded() -> None:
    src = template(props(OPEN_REF, '"Memory": 128'))
    out = apply(src, ReplaceValue(PROPS + ("Memory",), ref("Size")))
    assert out == src.replace('"Memory": 128', '"Memory": {\n          "Ref": "Size"\n        }')


def test_appended_item_in_expanded_file_is_expanded() -> None:
    src = template(props(OPEN_REF, '"Layers": [\n  {\n    "Ref": "L"\n  }\n]'))
    out = apply(src, AppendItem(PROPS + ("Layers",), ref("M")))
    assert out == src.replace('"L"\n          }', '"L"\n          },\n          {\n            "Ref": "M"\n          }')


def test_new_entry_in_compact_file_stays_compact() -> None:
    src = template(props(ONE_LINE_REF))
    out = apply(src, SetKey(PROPS, "Target", get_att("Q", "Arn")))
    assert out == src.replace('"R"}', '"R"},\n        "Target": {"Fn::GetAtt": ["Q", "Arn"]}')


def test_new_entry_in_a_one_line_object_of_an_expanded_file_stays_on_its_line() -> None:
    src = template(props(OPEN_REF, OPEN_REF.replace("Role", "B"), '"Code": {"ZipFile": "x"}'))
    out = apply(src, SetKey(PROPS + ("Code",), "Extra", ref("Q")))
    assert '"Code": {"ZipFile": "x", "Extra": {"Ref": "Q"}}' in out


# ---------------------------------------------------------------- whole repairs


def test_fully_expanded_template_stays_fully_expanded_through_a_repair() -> None:
    """APIGW004 adds Ref and GetAtt objects, a parameter and resources to a json.dumps(indent=2) file."""
    case = FIXTURES / "apigw-access-logging" / "rest_stage_expanded.in.json"
    source = case.read_text(encoding="utf-8")
    assert source == json.dumps(json.loads(source), indent=2) + "\n", "the fixture must be fully expanded"
    result = fix_text(source, build_patches(select=["APIGW004"], unsafe=True), str(case))
    assert result.status == "fixed"
    assert one_line_collections(result.output) == []
    assert result.output == json.dumps(json.loads(result.output), indent=2) + "\n"


def test_compact_template_keeps_its_new_intrinsics_on_one_line() -> None:
    case = FIXTURES / "apigw-access-logging" / "rest_stage.in.json"
    source = case.read_text(encoding="utf-8")
    result = fix_text(source, build_patches(select=["APIGW004"], unsafe=True), str(case))
    assert '"DestinationArn": {"Fn::GetAtt": ["FixedStageAccessLogGroup", "Arn"]}' in result.output
    assert '"CloudWatchRoleArn": {"Fn::GetAtt": ["ApiGatewayCloudWatchRole", "Arn"]}' in result.output


def test_open_objects_with_one_line_arrays_get_both_in_a_repair() -> None:
    """The habit of cfn-lint's quickstart templates: small objects open, small arrays on one line."""
    source = template(props('"Role": {\n  "Fn::GetAtt": ["R", "Arn"]\n}', '"Runtime": "python3.12"',
                            '"Handler": "index.handler"', '"Code": {\n  "ZipFile": "x"\n}', '"Layers": ["L"]'))
    result = fix_text(source, build_patches(select=["LAM009"], unsafe=True), "quickstart.json")
    assert result.status == "fixed", result.error
    assert '"LoggingConfig": {\n          "LogGroup": {\n            "Ref": "FnLogGroup"\n          }\n        }' \
        in result.output
    assert '"LogGroupName": {\n          "Fn::Sub": "/aws/lambda/${AWS::StackName}-fn"\n        },' in result.output
    assert '"guard": {\n          "SuppressedRules": ["CLOUDWATCH_LOG_GROUP_ENCRYPTED"]\n        }' in result.output
