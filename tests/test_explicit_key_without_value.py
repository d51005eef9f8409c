"""An explicit key with no value (`? key` and no `:` line) ends its mapping where the key ends.

The composer places the missing value at the next token, the following resource's key: an
entry added after the mapping went in below that key, inside the next resource, and
verification failed the file. Found by the long hypothesis profile of tests/test_fuzz.py."""

from __future__ import annotations

import pytest

from autofix import fastload
from autofix.document import parse
from autofix.edits import SetKey
from autofix.splice import Editor

SOURCE = ("Resources:\n  First:\n    Type: AWS::SNS::Topic\n    ? an odd key\n      on two lines\n\n"
          "  Second:\n    Type: AWS::SNS::Topic\n")


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_an_entry_added_after_an_explicit_key_without_value_goes_below_the_key(eol: str) -> None:
    doc = parse(SOURCE.replace("\n", eol))
    editor = Editor(doc)
    editor.apply(SetKey(path=("Resources", "First"), key="Added", value=1))
    out = editor.output()
    assert parse(out).data == doc.data
    assert fastload.load_data(out, "yaml") == doc.data
    assert out == SOURCE.replace("      on two lines\n", "      on two lines\n    Added: 1\n").replace("\n", eol)
