"""A loaded template: its source text, its parsed node tree with positions, and its data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .dialect import Dialect, detect_dialect
from .errors import NotATemplate, TemplateError
from .scalars import STD_TAG, explicit_scalar, resolve_plain, tagged

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_IMPLICIT = {STD_TAG + k for k in ("str", "int", "float", "bool", "null", "timestamp")}
# An alias-heavy document may expand to at most this many nodes beyond its own size.
_EXPANSION_ALLOWANCE = 200_000


@dataclass
class Document:
    """One template. `data` is the engine's working copy and is changed by edits."""

    path: str
    source: str
    bom: bool
    fmt: str  # "yaml" or "json"
    root: MappingNode
    data: dict
    dialect: Dialect
    node_of: dict[int, Node] = field(default_factory=dict)
    frozen: set[int] = field(default_factory=set)
    _index: dict[int, dict] = field(default_factory=dict)

    def entry(self, node: MappingNode, key: Any) -> tuple[Node, Node] | None:
        """The (key node, value node) pair of `key` in a mapping node, in O(1)."""
        index = self._index.get(id(node))
        if index is None:
            index = {_key_data(k): (k, v) for k, v in node.value}
            self._index[id(node)] = index
        return index.get(key)

    def line_of(self, path: tuple) -> int:
        """1-based line of the deepest original node along `path`."""
        node: Node = self.root
        line = node.start_mark.line
        for step in path:
            if isinstance(node, MappingNode):
                pair = self.entry(node, step)
                if pair is None:
                    break
                line, node = pair[0].start_mark.line, pair[1]
                continue
            child = self.child(node, step)
            if child is None:
                break
            line, node = child.start_mark.line, child
        return line + 1

    def child(self, node: Node, step: Any) -> Node | None:
        if isinstance(node, MappingNode):
            pair = self.entry(node, step)
            return pair[1] if pair else None
        if isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            return node.value[step]
        return None


def decode(raw: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, bool]:
    """Bytes to text, refusing what is not a UTF-8 text template."""
    if len(raw) > max_bytes:
        raise TemplateError(f"file is {len(raw):,} bytes, over the size limit of {max_bytes:,}")
    if raw.startswith(_UTF16_BOMS):
        raise TemplateError("file is UTF-16; CloudFormation templates must be UTF-8")
    bom = raw.startswith(_UTF8_BOM)
    if bom:
        raw = raw[len(_UTF8_BOM):]
    if b"\x00" in raw:
        raise TemplateError("binary file (contains NUL bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TemplateError(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line) from None
    return text, bom


def load(raw: bytes, path: str = "<string>", max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    text, bom = decode(raw, max_bytes)
    return parse(text, path, bom)


def parse(text: str, path: str = "<string>", bom: bool = False) -> Document:
    stripped = text.lstrip()
    if not stripped or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise TemplateError("empty template (no YAML or JSON content)")
    fmt = "json" if stripped.startswith("{") else "yaml"
    root = compose(text)
    if not isinstance(root, MappingNode):
        raise NotATemplate("not a CloudFormation template (top level is not a mapping)")
    builder = _Builder()
    data = builder.build_root(root)
    if not _looks_like_template(data):
        raise NotATemplate("not a CloudFormation template (no Resources section)")
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        kind = type(resources).__name__ if resources is not None else "empty"
        line = root.start_mark.line + 1
        raise TemplateError(f"Resources must be a mapping, found {kind}", line)
    dialect = detect_dialect(text, root, fmt)
    return Document(path, text, bom, fmt, root, data, dialect, builder.node_of, builder.frozen)


def compose(text: str) -> Node | None:
    yaml = YAML(typ="rt")
    try:
        return yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in str(exc):
            problem = "several YAML documents in one file; a template is one document"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise TemplateError(f"invalid YAML: {problem}", line, col) from None
    except YAMLError as exc:
        raise TemplateError(f"invalid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise TemplateError("document is nested too deeply to process") from None


def _looks_like_template(data: dict) -> bool:
    if "Resources" in data:
        return True
    return "AWSTemplateFormatVersion" in data


def _key_data(node: Node) -> Any:
    if isinstance(node, ScalarNode):
        return _scalar(node)
    return None


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    if node.style is None and tag in _IMPLICIT:
        return resolve_plain(node.value)
    text = node.value
    if node.style == ">":
        text = text.replace("\a", "")  # ruamel marks fold points with BEL in round-trip mode
    if tag.startswith(STD_TAG):
        return explicit_scalar(tag, text)
    return tagged(tag, text, (node.start_mark.line + 1, node.start_mark.column + 1))


class _Builder:
    """Turns composed nodes into plain data, remembering which node made each container."""

    def __init__(self) -> None:
        self.node_of: dict[int, Node] = {}
        self.frozen: set[int] = set()
        self._sizes: dict[int, int] = {}

    def build_root(self, root: MappingNode) -> dict:
        self._check_expansion(root)
        try:
            data = self._build(root, inside_alias=False, seen=set())
        except RecursionError:
            raise TemplateError("document is nested too deeply to process") from None
        assert isinstance(data, dict)
        return data

    def _check_expansion(self, root: Node) -> None:
        distinct = self._count_distinct(root)
        expanded = self._expanded_size(root)
        if expanded > distinct + _EXPANSION_ALLOWANCE:
            raise TemplateError(
                f"YAML aliases expand to over {expanded:,} nodes; refusing (alias expansion attack?)")

    def _count_distinct(self, root: Node) -> int:
        seen: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.extend(_children(node))
        return len(seen)

    def _expanded_size(self, root: Node) -> int:
        # Post-order over distinct nodes with memoised sizes: linear in distinct nodes.
        sizes = self._sizes
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            if id(node) in sizes:
                continue
            kids = _children(node)
            if done:
                sizes[id(node)] = min(1 + sum(sizes[id(k)] for k in kids), 1 << 40)
                continue
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in sizes)
        return sizes[id(root)]

    def _build(self, node: Node, inside_alias: bool, seen: set[int]) -> Any:
        # A node met a second time is an alias; its copy is frozen against edits.
        again = id(node) in seen or inside_alias
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            value = _scalar(node)
            if isinstance(value, dict):
                self.frozen.add(id(value))  # `!Ref X` and friends: no mapping text to edit
            return value
        if isinstance(node, SequenceNode):
            items = [self._build(item, again, seen) for item in node.value]
            return self._finish(node, items, again)
        if isinstance(node, MappingNode):
            return self._finish(node, self._mapping(node, again, seen), again)
        raise TemplateError(f"unsupported YAML node {type(node).__name__}")

    def _mapping(self, node: MappingNode, again: bool, seen: set[int]) -> dict:
        result: dict = {}
        lines: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise TemplateError("YAML merge keys (<<) are not supported in templates",
                                    key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key_node, ScalarNode):
                raise TemplateError("mapping keys must be scalars",
                                    key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            key = _scalar(key_node)
            line = key_node.start_mark.line + 1
            if key in lines:
                raise TemplateError(f"duplicate key {key!r} (first at line {lines[key]})",
                                    line, key_node.start_mark.column + 1)
            lines[key] = line
            result[key] = self._build(value_node, again, seen)
        return result

    def _finish(self, node: Node, value: Any, frozen: bool) -> Any:
        self.node_of[id(value)] = node
        if frozen or node.anchor:
            self.frozen.add(id(value))
        if node.tag not in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
            where = (node.start_mark.line + 1, node.start_mark.column + 1)
            wrapped = tagged(node.tag, value, where)
            self.frozen.add(id(wrapped))  # the intrinsic wrapper has no text of its own
            return wrapped
        return value


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []
