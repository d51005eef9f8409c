"""Render new fragments (values, entries, items) in the file's own dialect."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from functools import cache, lru_cache
from json.encoder import encode_basestring
from typing import Any

from .dialect import JSON_INLINE_WIDTH, Dialect
from .scalars import LONG_TO_SHORT, resolve_plain

_INDICATORS = set("?:,[]{}#&*!|>'\"%@`-")
_FLOW_UNSAFE = set(",[]{}")
_INLINE_LIMIT = 100
_COLLECTIONS = (dict, list)  # built once: `dict | list` makes a new union at every isinstance
_NUMBERISH = re.compile(r"^[-+.]?[0-9]")
_YAML11_WORDS = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")


# ---------------------------------------------------------------- scalars


@lru_cache(maxsize=4096)
def is_plain_safe(text: str, flow: bool) -> bool:
    """Whether `text` may be written unquoted (in a flow collection with `flow`). Cached: the
    same names and values (tag keys, parameter names) are written again and again."""
    if not text or text != text.strip() or text[0] in _INDICATORS:
        return False
    if not text.isprintable():  # line breaks and tabs included
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and (":" in text or not _FLOW_UNSAFE.isdisjoint(text)):
        return False
    if _NUMBERISH.match(text) or _YAML11_WORDS.match(text):
        return False  # keep YAML 1.1 readers (cfn-lint, the CLI) from seeing a number or bool
    return isinstance(resolve_plain(text), str)


def quote(text: str, dialect: Dialect) -> str:
    single_ok = text.isprintable()
    prefer_single = dialect.quote == "'" or ('"' in text and "'" not in text)
    if single_ok and prefer_single:
        return "'" + text.replace("'", "''") + "'"
    return _json_string(text)


def scalar(value: Any, dialect: Dialect, flow: bool = False) -> str:
    if type(value) is str:  # most scalars written are strings
        text = value
    elif value is None:
        return "null"
    elif value is True:
        return "true"
    elif value is False:
        return "false"
    elif isinstance(value, int):
        return str(value)
    elif isinstance(value, float):
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return ".nan" if math.isnan(value) else repr(value)
    else:
        text = str(value)
    return text if is_plain_safe(text, flow) and not dialect.force_quote else quote(text, dialect)


def is_scalar(value: Any) -> bool:
    return not isinstance(value, _COLLECTIONS)


# ---------------------------------------------------------------- intrinsics


def short_form(value: Any, dialect: Dialect) -> tuple[str, Any] | None:
    """(tag, argument) when `value` is an intrinsic to be written with a short tag."""
    if not dialect.short_tags or not isinstance(value, dict) or len(value) != 1:
        return None
    key, arg = next(iter(value.items()))
    tag = LONG_TO_SHORT.get(key)
    if tag is None or isinstance(arg, dict):
        return None  # one YAML node holds one tag: `!Base64 !Sub x` is not YAML
    if tag == "!GetAtt":
        if isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg):
            # "A.B" splits at its first dot: a name with a dot keeps the list (`!GetAtt [A, B]`)
            return tag, (f"{arg[0]}.{arg[1]}" if "." not in arg[0] else list(arg))
        return None  # a "A.B" string reads back as a list in short form
    if not isinstance(arg, str | list):
        return None  # a tagged scalar is a string: `!Ref 5` would not read back as 5
    return tag, arg


def flow(value: Any, dialect: Dialect) -> str:
    """Single-line flow rendering, valid inside any flow collection."""
    short = short_form(value, dialect)
    if short is not None:
        tag, arg = short
        return f"{tag} {flow(arg, dialect)}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k, dialect, True)}: {flow(v, dialect)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v, dialect) for v in value) + "]"
    return scalar(value, dialect, True)


def _args_inline_ok(arg: Any, dialect: Dialect) -> bool:
    if is_scalar(arg):
        return True
    if isinstance(arg, list):
        return all(_args_inline_ok(a, dialect) for a in arg)
    return short_form(arg, dialect) is not None and _args_inline_ok(next(iter(arg.values())), dialect)


def inline(value: Any, dialect: Dialect, limit: int | None = _INLINE_LIMIT) -> str | None:
    """One-line rendering for block context when the value reads well on one line."""
    return _inline(value, short_form(value, dialect), dialect, limit)


def _inline(value: Any, short: tuple[str, Any] | None, dialect: Dialect,
            limit: int | None = _INLINE_LIMIT) -> str | None:
    """inline(value, dialect, limit), `short` being short_form(value, dialect)."""
    if not isinstance(value, _COLLECTIONS):
        return scalar(value, dialect)
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    if short is None or not _args_inline_ok(short[1], dialect):
        return None
    tag, arg = short
    text = f"{tag} {scalar(arg, dialect) if is_scalar(arg) else flow(arg, dialect)}"
    return text if limit is None or len(text) <= limit else None


# ---------------------------------------------------------------- block YAML


def entry_lines(key: Any, value: Any, col: int, dialect: Dialect) -> list[str]:
    """Lines of `key: value` with the key at column `col`."""
    head = f"{' ' * col}{scalar(key, dialect)}:"
    # What the general way below comes to, without its calls, for all but a one-key mapping
    # (which may be an intrinsic): a scalar or an empty collection on the key's line, else a
    # block below it (see test_render_blocks).
    if not isinstance(value, _COLLECTIONS):
        return [f"{head} {scalar(value, dialect)}"]
    if not value:
        return [f"{head} {{}}" if isinstance(value, dict) else f"{head} []"]
    if isinstance(value, list):
        return [head, *block_lines(value, col + dialect.seq_indent, dialect)]
    if len(value) > 1:
        return [head, *block_lines(value, col + dialect.map_indent, dialect)]
    short = short_form(value, dialect)
    one = _inline(value, short, dialect)
    if one is not None:
        return [f"{head} {one}"]
    if short is not None:
        tag, arg = short
        return [f"{head} {tag}"] + _nested(arg, col + max(dialect.map_indent, 2), dialect, tagged=True)
    if _long_intrinsic_args_inline(value, dialect):
        ((k, arg),) = value.items()
        return [head, f"{' ' * (col + dialect.map_indent)}{scalar(k, dialect)}: {flow(arg, dialect)}"]
    if isinstance(value, dict):
        return [head] + block_lines(value, col + dialect.map_indent, dialect)
    return [head] + block_lines(value, col + dialect.seq_indent, dialect)


def _long_intrinsic_args_inline(value: Any, dialect: Dialect) -> bool:
    if dialect.short_tags or not isinstance(value, dict) or len(value) != 1:
        return False
    key, arg = next(iter(value.items()))
    if key not in LONG_TO_SHORT or not isinstance(arg, list):
        return False
    return all(is_scalar(a) for a in arg) and len(flow(arg, dialect)) <= _INLINE_LIMIT


def _nested(arg: Any, col: int, dialect: Dialect, tagged: bool) -> list[str]:
    if isinstance(arg, _COLLECTIONS) and arg:
        return block_lines(arg, col, dialect)
    return [" " * col + (inline(arg, dialect) or flow(arg, dialect))]


def block_lines(value: dict | list, col: int, dialect: Dialect) -> list[str]:
    """A non-empty mapping (keys at `col`) or sequence (dashes at `col`) in block style."""
    if isinstance(value, dict):
        lines: list[str] = []
        for key, item in value.items():
            lines.extend(entry_lines(key, item, col, dialect))
        return lines
    out: list[str] = []
    for item in value:
        out.extend(item_lines(item, col, dialect))
    return out


def item_lines(value: Any, dash_col: int, dialect: Dialect, offset: int | None = None) -> list[str]:
    """Lines of one sequence item with its dash at `dash_col`."""
    offset = offset or dialect.item_offset
    prefix = " " * dash_col + "-" + " " * (offset - 1)
    lines = value_lines(value, dash_col + offset, dialect)
    lines[0] = prefix + lines[0][dash_col + offset:]
    return lines


def value_lines(value: Any, col: int, dialect: Dialect) -> list[str]:
    """A value whose first line starts at column `col` (as after a dash)."""
    if not isinstance(value, _COLLECTIONS):  # as in entry_lines
        return [" " * col + scalar(value, dialect)]
    if not value:
        return [" " * col + ("{}" if isinstance(value, dict) else "[]")]
    if isinstance(value, list) or len(value) > 1:
        return block_lines(value, col, dialect)
    short = short_form(value, dialect)
    one = _inline(value, short, dialect)
    if one is not None:
        return [" " * col + one]
    if short is not None:
        tag, arg = short
        return [" " * col + tag] + _nested(arg, col + max(dialect.map_indent, 2), dialect, tagged=True)
    return block_lines(value, col, dialect)


# ---------------------------------------------------------------- JSON

# What json.dumps(value, ensure_ascii=False, ...) writes, without the encoder it makes per call
# (most of its cost on the small values rendered here).
_json_string = encode_basestring


@cache
def _json_encoder(colon: str) -> Callable[[Any], str]:
    return json.JSONEncoder(ensure_ascii=False, separators=(", ", colon)).encode



def json_value(value: Any, base: str, dialect: Dialect, compact: bool = False) -> str:
    """JSON text of a value whose first line continues a line indented by `base`.

    Small values (intrinsics, tags, short lists) stay on one line, as most people write them,
    unless the file writes small objects or arrays over several lines (Dialect.json_expand_*).
    """
    one = _json_encoder(dialect.json_colon)(value)  # refuses, as a whole, what JSON cannot hold
    if compact or not isinstance(value, _COLLECTIONS) or not value:
        return one
    if len(one) <= JSON_INLINE_WIDTH and not _expands(value, dialect):
        return one
    return _json_open(value, base, dialect)


def _json_open(value: dict | list, base: str, dialect: Dialect) -> str:
    """A non-empty collection, once encoded whole, over several lines: each entry as json_value
    writes it, but encoded again only where it may stay on one line."""
    inner = base + dialect.json_indent
    if isinstance(value, dict):
        parts = [f"{inner}{json_key(k)}{dialect.json_colon}{_json_entry(v, inner, dialect)}" for k, v in value.items()]
        return "{" + dialect.eol + ("," + dialect.eol).join(parts) + dialect.eol + base + "}"
    parts = [inner + _json_entry(v, inner, dialect) for v in value]
    return "[" + dialect.eol + ("," + dialect.eol).join(parts) + dialect.eol + base + "]"


def _json_entry(value: Any, base: str, dialect: Dialect) -> str:
    """json_value(value, base, dialect) of a part of a value already encoded without error."""
    if isinstance(value, str):
        return _json_string(value)  # what the encoder does with a string
    collection = isinstance(value, _COLLECTIONS) and bool(value)
    if collection and _expands(value, dialect):
        return _json_open(value, base, dialect)
    one = _json_encoder(dialect.json_colon)(value)
    return _json_open(value, base, dialect) if collection and len(one) > JSON_INLINE_WIDTH else one


def _expands(value: Any, dialect: Dialect) -> bool:
    """Whether the value holds a non-empty collection of a kind the file writes expanded."""
    if not (dialect.json_expand_objects or dialect.json_expand_arrays):
        return False  # without a walk: most files expand neither
    if isinstance(value, dict):
        return bool(value) and dialect.json_expand_objects or any(_expands(v, dialect) for v in value.values())
    if isinstance(value, list):
        return bool(value) and dialect.json_expand_arrays or any(_expands(v, dialect) for v in value)
    return False


def json_key(key: Any) -> str:
    return _json_string(str(key))
