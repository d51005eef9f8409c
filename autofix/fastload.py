"""A data-only loader for verification: libyaml's C parser with our scalar rules.

Verification needs the data of the spliced output, not its comments or positions, so it
uses the much faster C parser and resolves scalars with the same rules as the main
loader (YAML 1.2 core, intrinsic tags in long form) so the two always agree.

The data is built from the parser's events as they come: composing the whole node tree first,
as `yaml.load` does, held about 25 KB of nodes and marks per resource at once (half the peak
memory of a 10,000-resource run). Anything out of the ordinary for a template (a tag other
than the core scalars' and the intrinsics', an alias of an unfinished or unknown anchor, an
anchor used twice, a key that is a collection, a second document) is read again the node
way, so it reads, or fails, exactly as `yaml.load` would.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from .scalars import STD_TAG, explicit_scalar, resolve_plain, tagged

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Every plain scalar arrives as str; we resolve it ourselves."""

    yaml_implicit_resolvers: dict = {}


def _scalar(loader: _Loader, node: yaml.ScalarNode) -> Any:
    if not node.style:  # the C parser reports plain style as "" rather than None
        return resolve_plain(node.value)
    return node.value


def _explicit(loader: _Loader, node: yaml.ScalarNode) -> Any:
    return explicit_scalar(node.tag, node.value)


def _intrinsic(loader: _Loader, suffix: str, node: yaml.Node) -> Any:
    tag = "!" + suffix
    if isinstance(node, yaml.ScalarNode):
        value: Any = node.value
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return tagged(tag, value)


_Loader.add_constructor(STD_TAG + "str", _scalar)
for _kind in ("int", "float", "bool", "null", "timestamp"):
    _Loader.add_constructor(STD_TAG + _kind, _explicit)
_Loader.add_multi_constructor("!", _intrinsic)


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def load_data(text: str, fmt: str) -> Any:
    """Data of a template's text; raises on anything unparseable."""
    if fmt == "json":
        try:
            # NaN and Infinity are not JSON: Python's reader makes floats of them, YAML (the
            # main loader) and cfn-lint read the strings "NaN" and "Infinity". Read them as YAML.
            return json.loads(text, parse_constant=_not_json)
        except ValueError:
            pass  # JSON-looking YAML (comments, trailing commas...): read it as YAML
    if _CParser is not None:
        try:
            return _from_events(text)
        except _Unusual:
            pass
    return load_by_nodes(text)


def load_by_nodes(text: str) -> Any:
    """Data of a YAML text as `yaml.load` makes it: the whole node tree, then the data."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader subclass


_CParser = getattr(getattr(yaml, "cyaml", None), "CParser", None)
_PLAIN_TAGS = (None, "!")  # no tag, or the non-specific `!`: resolved as untagged
_SCALAR_TAGS = frozenset(STD_TAG + kind for kind in ("int", "float", "bool", "null", "timestamp"))
_STR, _MAP, _SEQ = STD_TAG + "str", STD_TAG + "map", STD_TAG + "seq"


class _Unusual(Exception):
    """Something no template holds: read the text the node way instead."""


def _from_events(text: str) -> Any:
    """What `yaml.load` with _Loader makes of `text`, built from the parser's events."""
    assert _CParser is not None
    parser = _CParser(text)
    try:
        return _build(parser.get_event)
    finally:
        parser.dispose()


def _build(next_event: Any) -> Any:
    next_event()  # stream start
    if isinstance(next_event(), StreamEndEvent):  # else a document start
        return None
    anchors: dict[str, Any] = {}
    # Open collections: [container, tag, anchor, the key waiting for its value (or _NO_KEY)].
    stack: list[list[Any]] = []
    while True:
        event = next_event()
        kind = type(event)
        if kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None:
                if event.anchor in anchors:
                    raise _Unusual
                anchors[event.anchor] = _OPEN  # an alias of it inside it would make a cycle
            stack.append([{} if kind is MappingStartEvent else [], _collection_tag(event, kind), event.anchor,
                          _NO_KEY])
            continue
        if kind is MappingEndEvent or kind is SequenceEndEvent:
            container, tag, anchor, _ = stack.pop()
            value = container if tag is None else tagged(tag, container)
        elif kind is ScalarEvent:
            if event.anchor is not None and event.anchor in anchors:
                raise _Unusual
            value, anchor = _scalar_value(event), event.anchor
        elif kind is AliasEvent:
            value, anchor = anchors.get(event.anchor, _OPEN), None
            if value is _OPEN:
                raise _Unusual
        else:
            raise _Unusual
        if anchor is not None:
            anchors[anchor] = value
        if not stack:
            break
        _add(stack[-1], value)
    next_event()  # document end
    if not isinstance(next_event(), StreamEndEvent):
        raise _Unusual  # a second document: yaml.load says so
    return value


def _add(frame: list[Any], value: Any) -> None:
    container, key = frame[0], frame[3]
    if type(container) is list:
        container.append(value)
    elif key is _NO_KEY:
        if isinstance(value, dict | list):
            raise _Unusual  # an unhashable key
        frame[3] = value
    else:
        container[key] = value
        frame[3] = _NO_KEY


def _scalar_value(event: ScalarEvent) -> Any:
    tag = event.tag
    if tag in _PLAIN_TAGS or tag == _STR:
        return resolve_plain(event.value) if not event.style else event.value
    if tag in _SCALAR_TAGS:
        return explicit_scalar(tag, event.value)
    if tag.startswith("!"):
        return tagged(tag, event.value)
    raise _Unusual


def _collection_tag(event: MappingStartEvent | SequenceStartEvent, kind: type) -> str | None:
    """None for a plain mapping or sequence, else the intrinsic's tag."""
    tag = event.tag
    if tag in _PLAIN_TAGS or tag == (_MAP if kind is MappingStartEvent else _SEQ):
        return None
    if tag.startswith("!"):
        return tag
    raise _Unusual


_OPEN = object()
_NO_KEY = object()
