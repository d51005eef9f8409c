"""A data-only loader for verification: libyaml's C parser with our scalar rules.

Verification needs the data of the spliced output, not its comments or positions, so it
uses a C parser and resolves scalars with the same rules as the main loader (YAML 1.2 core,
intrinsic tags in long form) so the two always agree.

What it makes of a text is what PyYAML's libyaml binding (`yaml.load` with the loader in
autofix/fastload_pyyaml.py) makes of it, or the same error. Two parsers give the events:

- ruamel.yaml.clibz's, when it is installed (autofix/verify_reader.py): the main loader has
  imported it already, so a run verifies without importing PyYAML (~16 ms of a one-file run).
  It hands over to PyYAML every text it might read differently, and every text it refuses,
  so that a refusal keeps PyYAML's wording;
- PyYAML's, otherwise, and for what the first hands over.

The data is built from the parser's events as they come: composing the whole node tree first,
as `yaml.load` does, held about 25 KB of nodes and marks per resource at once (half the peak
memory of a 10,000-resource run). Anything out of the ordinary for a template (a tag other
than the core scalars' and the intrinsics', an alias of an unfinished or unknown anchor, an
anchor used twice, a key that is a collection, a second document) is read again the node
way, so it reads, or fails, exactly as `yaml.load` would.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from .scalars import STD_TAG, explicit_scalar, resolve_plain, tagged


def load_data(text: str, fmt: str) -> Any:
    """Data of a template's text; raises on anything unparseable."""
    if fmt == "json":
        try:
            # NaN and Infinity are not JSON: Python's reader makes floats of them, YAML (the
            # main loader) and cfn-lint read the strings "NaN" and "Infinity". Read them as YAML.
            return json.loads(text, parse_constant=_not_json)
        except ValueError:
            pass  # JSON-looking YAML (comments, trailing commas...): read it as YAML
    from . import verify_reader  # here: it builds on this module

    if verify_reader.AVAILABLE:
        try:
            return verify_reader.read(text)
        except verify_reader.HandedOver:
            pass
    from . import fastload_pyyaml  # PyYAML: only where the clibz parser cannot answer

    return fastload_pyyaml.load(text)


def load_by_nodes(text: str) -> Any:
    """Data of a YAML text as `yaml.load` makes it: the whole node tree, then the data."""
    from . import fastload_pyyaml

    return fastload_pyyaml.load_by_nodes(text)


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class Events(NamedTuple):
    """A parser's event classes (PyYAML's and ruamel.yaml's are distinct)."""

    mapping_start: type
    mapping_end: type
    sequence_start: type
    sequence_end: type
    scalar: type
    alias: type
    stream_end: type

    @classmethod
    def of(cls, module: Any) -> Events:
        """The classes of an events module that names them as PyYAML's does (ruamel.yaml's does)."""
        return cls(*(getattr(module, name + "Event") for name in (
            "MappingStart", "MappingEnd", "SequenceStart", "SequenceEnd", "Scalar", "Alias", "StreamEnd")))


class Unusual(Exception):
    """Something no template holds: read the text the node way instead."""


_PLAIN_TAGS = (None, "!")  # no tag, or the non-specific `!`: resolved as untagged
_SCALAR_TAGS = frozenset(STD_TAG + kind for kind in ("int", "float", "bool", "null", "timestamp"))
_STR, _MAP, _SEQ = STD_TAG + "str", STD_TAG + "map", STD_TAG + "seq"


def build(next_event: Any, kinds: Events, standins: str = "") -> Any:
    """What `yaml.load` makes of the one document whose events `next_event` gives, from its
    first node on (the document's start is read): the data, or Unusual. `standins`: a
    character that stands for a colon in the text the parser read, put back in every value."""
    mapping_start, sequence_start, scalar, alias = kinds.mapping_start, kinds.sequence_start, kinds.scalar, kinds.alias
    anchors: dict[str, Any] = {}
    # Open collections: [container, tag, anchor, the key waiting for its value (or _NO_KEY)].
    stack: list[list[Any]] = []
    while True:
        event = next_event()
        kind = type(event)
        if kind is mapping_start or kind is sequence_start:
            if event.anchor is not None:
                if event.anchor in anchors:
                    raise Unusual
                anchors[event.anchor] = _OPEN  # an alias of it inside it would make a cycle
            is_mapping = kind is mapping_start
            stack.append([{} if is_mapping else [], _collection_tag(event.tag, is_mapping), event.anchor, _NO_KEY])
            continue
        if kind is kinds.mapping_end or kind is kinds.sequence_end:
            container, tag, anchor, _ = stack.pop()
            value = container if tag is None else tagged(tag, container)
        elif kind is scalar:
            if event.anchor is not None and event.anchor in anchors:
                raise Unusual
            value, anchor = _scalar_value(event, standins), event.anchor
        elif kind is alias:
            value, anchor = anchors.get(event.anchor, _OPEN), None
            if value is _OPEN:
                raise Unusual
        else:
            raise Unusual
        if anchor is not None:
            anchors[anchor] = value
        if not stack:
            break
        _add(stack[-1], value)
    next_event()  # document end
    if type(next_event()) is not kinds.stream_end:
        raise Unusual  # a second document: yaml.load says so
    return value


def _add(frame: list[Any], value: Any) -> None:
    container, key = frame[0], frame[3]
    if type(container) is list:
        container.append(value)
    elif key is _NO_KEY:
        if isinstance(value, dict | list):
            raise Unusual  # an unhashable key
        frame[3] = value
    else:
        container[key] = value
        frame[3] = _NO_KEY


def _scalar_value(event: Any, standins: str) -> Any:
    tag, text = event.tag, event.value
    if standins and standins in text:
        text = text.replace(standins, ":")
    if tag in _PLAIN_TAGS or tag == _STR:
        return resolve_plain(text) if not event.style else text
    if tag in _SCALAR_TAGS:
        return explicit_scalar(tag, text)
    if tag.startswith("!"):
        return tagged(tag, text)
    raise Unusual


def _collection_tag(tag: str | None, is_mapping: bool) -> str | None:
    """None for a plain mapping or sequence, else the intrinsic's tag."""
    if tag in _PLAIN_TAGS or tag == (_MAP if is_mapping else _SEQ):
        return None
    if tag.startswith("!"):
        return tag
    raise Unusual


_OPEN = object()
_NO_KEY = object()
