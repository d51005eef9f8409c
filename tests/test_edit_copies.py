"""The editor writes copies of proposed values: one object proposed for many places stays many values."""

from __future__ import annotations

import textwrap

from autofix import fastload
from autofix.document import parse
from autofix.edits import AppendItem, ReplaceValue, SetKey
from autofix.splice import Editor
from autofix.values import NO_VALUE, if_, ref

SOURCE = textwrap.dedent("""\
    Resources:
      FixedFunction:
        Type: AWS::Lambda::Function
        Properties:
          Handler: index.handler
          Layers:
            - arn:aws:lambda:us-east-1:123456789012:layer:one:1
      UntouchedFunction:
        Type: AWS::Lambda::Function
        Properties:
          Handler: index.handler
          Layers:
            - arn:aws:lambda:us-east-1:123456789012:layer:one:1
    """)
FIXED = ("Resources", "FixedFunction", "Properties")
UNTOUCHED = ("Resources", "UntouchedFunction", "Properties")


def run(*edits) -> tuple[str, dict]:
    doc = parse(SOURCE)
    editor = Editor(doc)
    for edit in edits:
        editor.apply(edit)
    out = editor.output()
    data = fastload.load_data(out, doc.fmt)
    assert data == doc.data, "output data differs from the intended data"
    return out, data


def test_one_value_set_on_two_resources_is_two_values() -> None:
    shared = if_("HasReservedConcurrency", ref("LambdaReservedConcurrency"), NO_VALUE)
    _, data = run(SetKey(FIXED, "ReservedConcurrentExecutions", shared),
                  SetKey(UNTOUCHED, "ReservedConcurrentExecutions", shared),
                  ReplaceValue(FIXED + ("ReservedConcurrentExecutions", "Fn::If", 1), 5))
    assert data["Resources"]["FixedFunction"]["Properties"]["ReservedConcurrentExecutions"]["Fn::If"][1] == 5
    assert data["Resources"]["UntouchedFunction"]["Properties"]["ReservedConcurrentExecutions"] == \
        if_("HasReservedConcurrency", ref("LambdaReservedConcurrency"), NO_VALUE)
    assert shared == if_("HasReservedConcurrency", ref("LambdaReservedConcurrency"), NO_VALUE), \
        "the patch's own object must not change either"


def test_one_item_appended_to_two_lists_is_two_items() -> None:
    shared = {"Key": "Team", "Value": "core"}
    _, data = run(SetKey(FIXED, "Tags", [shared]), SetKey(UNTOUCHED, "Tags", [shared]),
                  ReplaceValue(FIXED + ("Tags", 0, "Value"), "payments"))
    assert data["Resources"]["UntouchedFunction"]["Properties"]["Tags"] == [{"Key": "Team", "Value": "core"}]
    layer = {"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:layer:two:1"}
    _, data = run(AppendItem(FIXED + ("Layers",), layer), AppendItem(UNTOUCHED + ("Layers",), layer),
                  ReplaceValue(FIXED + ("Layers", 1, "Fn::Sub"), "arn:aws:lambda:us-east-1:123456789012:layer:x:1"))
    assert data["Resources"]["UntouchedFunction"]["Properties"]["Layers"][1] == layer


def test_a_value_copied_from_the_template_is_not_the_template() -> None:
    doc = parse(SOURCE)
    editor = Editor(doc)
    read = doc.data["Resources"]["UntouchedFunction"]["Properties"]  # as a patch reads it through the view
    editor.apply(SetKey(("Resources", "FixedFunction"), "Metadata", {"Copied": read}))
    editor.apply(SetKey(("Resources", "FixedFunction", "Metadata", "Copied"), "Runtime", "python3.12"))
    out = editor.output()
    assert "Runtime" not in doc.data["Resources"]["UntouchedFunction"]["Properties"]
    assert out.count("Runtime: python3.12") == 1
    assert fastload.load_data(out, doc.fmt) == doc.data
