"""Deleting the entry that follows a block scalar leaves that scalar's value as it was.

Both cases were found by the long hypothesis profile of tests/test_editor_properties.py."""

from __future__ import annotations

from autofix import fastload
from autofix.document import parse
from autofix.edits import DeleteKey
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
