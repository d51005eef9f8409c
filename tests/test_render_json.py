"""JSON fragments are written exactly as json.dumps writes them (render keeps one encoder per colon)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autofix import render
from autofix.dialect import JSON_INLINE_WIDTH, Dialect

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


# ---------------------------------------------------------------- open JSON, against a plain reading


def reference_json_value(value: object, base: str, dialect: Dialect, compact: bool = False) -> str:
    """json_value as first written: every entry of an open collection encoded whole again."""
    one = json.dumps(value, ensure_ascii=False, separators=(", ", dialect.json_colon))
    if compact or not isinstance(value, dict | list) or not value:
        return one
    if len(one) <= JSON_INLINE_WIDTH and not reference_expands(value, dialect):
        return one
    inner = base + dialect.json_indent
    if isinstance(value, dict):
        parts = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}{dialect.json_colon}"
                 f"{reference_json_value(v, inner, dialect)}" for k, v in value.items()]
        return "{" + dialect.eol + ("," + dialect.eol).join(parts) + dialect.eol + base + "}"
    parts = [inner + reference_json_value(v, inner, dialect) for v in value]
    return "[" + dialect.eol + ("," + dialect.eol).join(parts) + dialect.eol + base + "]"


def reference_expands(value: object, dialect: Dialect) -> bool:
    if isinstance(value, dict):
        return bool(value) and dialect.json_expand_objects or any(reference_expands(v, dialect) for v in value.values())
    if isinstance(value, list):
        return bool(value) and dialect.json_expand_arrays or any(reference_expands(v, dialect) for v in value)
    return False


JSON_SCALARS = st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats() \
    | st.text(max_size=30) | st.sampled_from(["AWS::Region", "Arn", "x" * 70, "é 中文", 'a "q"'])
# `{"Ref": "xx..."}` and `["xx..."]` of one-line lengths around JSON_INLINE_WIDTH
NEAR_THE_WIDTH = st.builds(lambda n, pair: {"Ref": "x" * n} if pair else ["x" * n], st.integers(40, 60), st.booleans())
JSON_VALUES = st.recursive(
    JSON_SCALARS | st.tuples(JSON_SCALARS) | NEAR_THE_WIDTH,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=40)
DIALECTS = st.builds(lambda objects, arrays, indent, colon, eol: Dialect(
    fmt="json", json_expand_objects=objects, json_expand_arrays=arrays, json_indent=indent,
    json_colon=colon, eol=eol), st.booleans(), st.booleans(), st.sampled_from(["  ", "    ", "\t"]),
    st.sampled_from([": ", ":", " : "]), st.sampled_from(["\n", "\r\n"]))


@settings(max_examples=600, deadline=None)
@given(JSON_VALUES, DIALECTS, st.sampled_from(["", "  ", "\t\t"]), st.booleans())
def test_json_value_writes_what_the_plain_reading_writes(value, dialect, base, compact) -> None:
    assert render.json_value(value, base, dialect, compact) == reference_json_value(value, base, dialect, compact)


@pytest.mark.parametrize("objects", [False, True])
def test_a_value_json_cannot_hold_is_refused_whole_even_where_it_would_be_written_open(objects: bool) -> None:
    """A key JSON has no text for, or a value that holds itself, deep in a value the file would
    write open: refused as json.dumps refuses the whole value, not written entry by entry."""
    dialect = Dialect(fmt="json", json_expand_objects=objects, json_expand_arrays=objects)
    looped: list = ["x" * 70]
    looped.append({"In": looped})
    for value, error in (({"A": {"B": {(1, 2): "tuple key"}}, "C": "x" * 70}, TypeError),
                         ({"A": [looped]}, ValueError)):
        with pytest.raises(error):
            json.dumps(value)
        with pytest.raises(error):
            render.json_value(value, "", dialect)
