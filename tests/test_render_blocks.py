"""Block YAML of a new fragment is what the renderer wrote as first written (before its one-call
ways for scalars, empty collections, sequences and mappings of several keys)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from autofix import render
from autofix.dialect import Dialect
from autofix.render import _inline, _long_intrinsic_args_inline, _nested, block_lines, scalar, short_form
from autofix.scalars import LONG_TO_SHORT


def reference_entry_lines(key, value, col: int, dialect: Dialect) -> list[str]:
    """entry_lines as first written: every value through short_form and _inline."""
    pad = " " * col
    head = f"{pad}{scalar(key, dialect)}:"
    short = short_form(value, dialect)
    one = _inline(value, short, dialect)
    if one is not None:
        return [f"{head} {one}"]
    if short is not None:
        tag, arg = short
        return [f"{head} {tag}"] + _nested(arg, col + max(dialect.map_indent, 2), dialect, tagged=True)
    if _long_intrinsic_args_inline(value, dialect):
        ((k, arg),) = value.items()
        return [head, f"{' ' * (col + dialect.map_indent)}{scalar(k, dialect)}: {render.flow(arg, dialect)}"]
    if isinstance(value, dict):
        return [head] + block_lines(value, col + dialect.map_indent, dialect)
    return [head] + block_lines(value, col + dialect.seq_indent, dialect)


def reference_value_lines(value, col: int, dialect: Dialect) -> list[str]:
    """value_lines as first written."""
    short = short_form(value, dialect)
    one = _inline(value, short, dialect)
    if one is not None:
        return [" " * col + one]
    if short is not None:
        tag, arg = short
        return [" " * col + tag] + _nested(arg, col + max(dialect.map_indent, 2), dialect, tagged=True)
    return block_lines(value, col, dialect)


SCALARS = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) \
    | st.text(max_size=12) | st.sampled_from(["AWS::Region", "Arn", "x" * 110, "a: b", "yes", "1.5", "-"])
KEYS = st.sampled_from(["Key", "Value", "Ref", "Fn::GetAtt", "Fn::Sub", "Fn::If", "Condition", "Name", "1"]) \
    | st.text(max_size=8)


def _intrinsic(inner):
    return st.builds(lambda name, arg: {name: arg}, st.sampled_from(sorted(LONG_TO_SHORT)), inner)


VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4) | _intrinsic(inner)
    | st.builds(lambda a, b: {"Fn::GetAtt": [a, b]}, st.sampled_from(["Fn", "A.B"]), st.sampled_from(["Arn", "X"])),
    max_leaves=25)
DIALECTS = st.builds(Dialect, map_indent=st.sampled_from([2, 4]), seq_indent=st.sampled_from([0, 2, 4]),
                     item_offset=st.sampled_from([2, 4]), quote=st.sampled_from(["'", '"']),
                     short_tags=st.booleans(), force_quote=st.booleans())


@settings(max_examples=800, deadline=None)
@given(KEYS, VALUES, st.sampled_from([0, 2, 6]), DIALECTS)
def test_entry_lines_are_what_they_were_as_first_written(key, value, col: int, dialect: Dialect) -> None:
    assert render.entry_lines(key, value, col, dialect) == reference_entry_lines(key, value, col, dialect)


@settings(max_examples=400, deadline=None)
@given(VALUES, st.sampled_from([0, 4]), DIALECTS)
def test_value_and_item_lines_are_what_they_were_as_first_written(value, col: int, dialect: Dialect) -> None:
    assert render.value_lines(value, col, dialect) == reference_value_lines(value, col, dialect)
    expected = reference_value_lines(value, col + dialect.item_offset, dialect)
    expected[0] = " " * col + "-" + " " * (dialect.item_offset - 1) + expected[0][col + dialect.item_offset:]
    assert render.item_lines(value, col, dialect) == expected


def test_a_scalar_an_empty_collection_and_a_block_stay_written_as_before() -> None:
    d = Dialect()
    assert render.entry_lines("Name", "x", 2, d) == ["  Name: x"]
    assert render.entry_lines("Tags", [], 2, d) == ["  Tags: []"]
    assert render.entry_lines("Config", {}, 2, d) == ["  Config: {}"]
    assert render.entry_lines("Tags", [{"Key": "a", "Value": {"Ref": "B"}}], 2, d) == \
        ["  Tags:", "    - Key: a", "      Value: !Ref B"]
    assert render.entry_lines("P", {"A": 1, "B": {"Fn::Sub": "${X}"}}, 0, d) == ["P:", "  A: 1", "  B: !Sub ${X}"]
