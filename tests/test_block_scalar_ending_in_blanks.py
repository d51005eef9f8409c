"""A block scalar whose last lines hold only blanks, more than its indentation, has them as its
text (`"code\n \n"`): an entry added after it goes after them, and a delete takes them along.

Found by the long hypothesis profile of tests/test_fuzz.py (a corpus template cut off inside a
function's InlineCode): the new entries went in above the last line, the scalar lost it, and
verification failed the whole file as an internal error."""

from __future__ import annotations

import pytest

from autofix import fastload
from autofix.document import parse
from autofix.edits import DeleteKey, SetKey
from autofix.errors import EditError
from autofix.splice import Editor

PROPS = ("Resources", "Fn", "Properties")


def _source(style: str, last: str) -> str:
    return ("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n"
            f"      Code: {style}\n        def handler(event, context):\n            return 1\n" + last)


def _applied(source: str, *edits) -> tuple[str, dict]:
    doc = parse(source)
    editor = Editor(doc)
    for edit in edits:
        editor.apply(edit)
    out = editor.output()
    assert parse(out).data == doc.data
    assert fastload.load_data(out, "yaml") == doc.data
    return out, doc.data


@pytest.mark.parametrize("last", ["         ", "         \n", "         \n\n", "\n          \n", "         \r\n"],
                         ids=["at the end of the file", "with a line break", "then an empty line",
                              "after an empty line", "CRLF"])
def test_an_entry_added_after_a_literal_scalar_ending_in_blanks_goes_after_them(last: str) -> None:
    source = _source("|", last)
    if "\r" in last:
        source = source.replace("\n", "\r\n").replace("\r\r\n", "\r\n")
    before = parse(source).data["Resources"]["Fn"]["Properties"]["Code"]
    assert before.rstrip("\n").endswith(" ")  # the blanks are the value's text
    out, data = _applied(source, SetKey(PROPS, "Timeout", 10))
    assert data["Resources"]["Fn"]["Properties"]["Code"] == before


def test_a_pair_deleted_after_its_blank_last_lines_goes_with_them() -> None:
    source = _source("|", "         \n") + "      Timeout: 3\n"
    out, data = _applied(source, DeleteKey(PROPS, "Code"))
    assert "Code" not in data["Resources"]["Fn"]["Properties"]
    assert out == source.replace(
        "      Code: |\n        def handler(event, context):\n            return 1\n         \n", "")


def test_an_edit_beside_a_folded_scalar_ending_in_blanks_is_refused() -> None:
    """A folded scalar folds its lines: where its text ends is not worked out, and the edit is
    refused rather than the value changed."""
    doc = parse(_source(">", "         \n"))
    with pytest.raises(EditError, match="folded block scalar"):
        Editor(doc).apply(SetKey(PROPS, "Timeout", 10))
