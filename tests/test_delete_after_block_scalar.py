"""Deleting the entry that follows a block scalar leaves that scalar's value as it was, and
leaves room for an entry added where the deleted one ended.

Every case was found by the long hypothesis profile of tests/test_editor_properties.py."""

from __future__ import annotations

from autofix import fastload
from autofix.document import parse
import pytest

from autofix.edits import DeleteKey, SetKey
from autofix.splice import Editor


def _deleted(source: str, path: tuple, key: str) -> str:
    doc = parse(source)
    editor = Editor(doc)
    editor.apply(DeleteKey(path=path, key=key))
    out = editor.output()
    assert fastload.load_data(out, doc.fmt) == doc.data
    assert parse(out).data == doc.data
    return out


def test_a_deeper_indented_blank_line_left_by_a_delete_does_not_join_a_folded_scalar():
    source = ("Description: >-\r\n  folded\r\n  text\r\nParameters:\r\n  Env:\r\n    Type: String\r\n"
              "    \r\nResources:\r\n  Thing:\r\n    Type: AWS::S3::Bucket\r\n")
    out = _deleted(source, (), "Parameters")
    assert parse(out).data["Description"] == "folded text"


def test_a_deleted_keep_scalars_blank_lines_do_not_join_the_keep_scalar_before_it():
    source = ("Resources:\r\n  Bucket:\r\n    Type: AWS::S3::Bucket\r\n    Properties:\r\n"
              "      'Name': |+\r\n        alpha\r\n\r\n"
              "      'Value':\r\n        'Prefix': |+\r\n          alpha\r\n\r\n\r\n"
              "      'Key': x\r\n")
    out = _deleted(source, ("Resources", "Bucket", "Properties"), "Value")
    assert parse(out).data["Resources"]["Bucket"]["Properties"]["Name"] == "alpha\n\n"


THING = ("Resources:\n  Thing:\n    Type: AWS::S3::Bucket\n    Properties:\n      'Name': |\n        alpha\n"
         "      'Key': # one\n        'Name': alpha\n  # two\nParameters:\n  Env:\n    Type: String\n")


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_an_entry_added_after_a_pair_deleted_below_a_block_scalar_goes_where_the_pair_ended(eol: str):
    """The comments below the deleted pair were one splice with it; the new entry (after the
    resource's last value, where the pair ended) fell inside it and the edits collided."""
    doc = parse(THING.replace("\n", eol))
    editor = Editor(doc)
    editor.apply(SetKey(path=("Resources", "Thing"), key="Added", value="alpha"))
    editor.apply(DeleteKey(path=("Resources", "Thing", "Properties"), key="Key"))
    out = editor.output()
    assert out == THING.replace("      'Key': # one\n        'Name': alpha\n", "    Added: alpha\n").replace("\n", eol)
    assert parse(out).data == doc.data
    assert fastload.load_data(out, "yaml") == doc.data


def test_the_blank_line_below_a_pair_deleted_after_a_keep_scalar_stays_below_the_comment():
    """The pair and the lines below it are two splices now; what they write together is as
    before: the blank line off the keep scalar (whose value it would join), after the comment."""
    source = ("Resources:\n  Thing:\n    Type: AWS::S3::Bucket\n    Properties:\n      'Name': |+\n        alpha\n"
              "      'Key': x\n\n      # note\n  Other:\n    Type: AWS::SNS::Topic\n")
    out = _deleted(source, ("Resources", "Thing", "Properties"), "Key")
    assert out == source.replace("      'Key': x\n\n      # note\n", "      # note\n\n")
