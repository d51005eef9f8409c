"""A data-only loader for verification: libyaml's C parser with our scalar rules.

Verification needs the data of the spliced output, not its comments or positions, so it
uses the much faster C parser and resolves scalars with the same rules as the main
loader (YAML 1.2 core, intrinsic tags in long form) so the two always agree.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

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
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader subclass
