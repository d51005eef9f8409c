"""A string is written plain only where YAML reads it back as the same string."""

from __future__ import annotations

import pytest

from autofix import render
from autofix.dialect import Dialect


@pytest.mark.parametrize("char", ["\n", "\r", "\t", "\x85", "\u2028", "\u2029", "\x00", "\x7f"], ids=repr)
def test_a_string_holding_a_line_break_tab_or_control_character_is_quoted(char: str) -> None:
    text = f"a{char}b"
    assert not render.is_plain_safe(text, flow=False)
    assert render.scalar(text, Dialect()) != text


@pytest.mark.parametrize("char", list(",[]{}"))
def test_a_flow_indicator_is_plain_in_block_context_only(char: str) -> None:
    text = f"a{char}b"
    assert render.is_plain_safe(text, flow=False)
    assert not render.is_plain_safe(text, flow=True)


@pytest.mark.parametrize("text", ["arn:aws:s3:::bucket/*", "é ü 中文", "a-b_c.d"])
def test_printable_text_without_indicators_stays_plain(text: str) -> None:
    assert render.is_plain_safe(text, flow=False)
    assert render.scalar(text, Dialect()) == text


class _Named(str):
    def __str__(self) -> str:
        return "as-named"


@pytest.mark.parametrize("value, text", [(_Named("raw"), "as-named"), (1.5, "1.5"), (7, "7"), (True, "true"),
                                         (None, "null"), (float("inf"), ".inf"), (float("-inf"), "-.inf")],
                         ids=repr)
def test_a_scalar_is_written_as_its_text_and_a_string_subclass_as_its_own_str(value: object, text: str) -> None:
    """Plain strings are written as they are; anything else, a str subclass too, as str() gives it."""
    assert render.scalar(value, Dialect()) == text
