"""fastload's PyYAML way: libyaml's events through PyYAML's binding, else `yaml.load` itself.

The reference for what verification reads (autofix/verify_reader.py reads as this does), and
the reader of every text where ruamel.yaml.clibz is not installed or cannot answer.
"""

from __future__ import annotations

from typing import Any

import yaml
import yaml.events

from .fastload import Events, Unusual, build
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

CParser = getattr(getattr(yaml, "cyaml", None), "CParser", None)
_EVENTS = Events.of(yaml.events)


def load(text: str) -> Any:
    """Data of a YAML text as `yaml.load` with _Loader makes it; raises as it does."""
    if CParser is not None:
        try:
            return from_events(text)
        except Unusual:
            pass
    return load_by_nodes(text)


def load_by_nodes(text: str) -> Any:
    """Data of a YAML text as `yaml.load` makes it: the whole node tree, then the data."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader subclass


def from_events(text: str) -> Any:
    """What `yaml.load` with _Loader makes of `text`, built from the parser's events."""
    assert CParser is not None
    parser = CParser(text)
    try:
        parser.get_event()  # stream start
        if type(parser.get_event()) is _EVENTS.stream_end:  # else a document start
            return None
        return build(parser.get_event, _EVENTS)
    finally:
        parser.dispose()
