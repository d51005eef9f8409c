"""JSON fragments are written exactly as json.dumps writes them (render keeps one encoder per colon)."""

from __future__ import annotations

import json

import pytest

from autofix import render
from autofix.dialect import Dialect

TRICKY = ["plain", "é ü 中文 🙂", 'quote " and \\ backslash', "tab\tnew\nline\r\x00\x1f", "\u2028\u2029", ""]
VALUES = [*TRICKY, 0, -1, 2.5, 1e300, float("inf"), float("nan"), True, False, None, [], {},
          {"Ref": "A"}, {"Fn::GetAtt": ["A", "Arn"]}, ["é", 1, None, {"k": ["v", 2.0]}], ("t", 1)]


@pytest.mark.parametrize("colon", [": ", ":", " : "])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_one_line_json_value_is_what_json_dumps_writes(value: object, colon: str) -> None:
    dialect = Dialect(fmt="json", json_colon=colon)
    assert render.json_value(value, "", dialect, compact=True) == json.dumps(
        value, ensure_ascii=False, separators=(", ", colon))


@pytest.mark.parametrize("key", [*TRICKY, 1, None, True], ids=repr)
def test_a_json_key_is_its_text_as_json_dumps_writes_it(key: object) -> None:
    assert render.json_key(key) == json.dumps(str(key), ensure_ascii=False)


@pytest.mark.parametrize("text", [t for t in TRICKY if '"' not in t], ids=repr)
def test_a_double_quoted_yaml_string_is_its_json(text: str) -> None:
    assert render.quote(text, Dialect(quote='"')) == json.dumps(text, ensure_ascii=False)


def test_an_unserialisable_value_still_raises_as_json_dumps_does() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        render.json_value({"A": object()}, "", Dialect(fmt="json"), compact=True)
