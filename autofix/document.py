"""A loaded template: its source text, its parsed node tree with positions, and its data."""

from __future__ import annotations

import codecs
import gc
import json
import os
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import accumulate
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import (
    MarkedYAMLError,
    ReusedAnchorWarning,
    StreamMark,
    YAMLError,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scanner import Scanner

from . import ccompose
from .dialect import Dialect, detect_dialect
from .errors import NotATemplate, TemplateError
from .record import field, record
from .scalars import STD_TAG, resolve_plain, tagged

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# CFN_FIX_COMPOSER=pure composes with ruamel.yaml's pure-Python composer even where the C one
# is installed (to compare the two, or to rule the C parser out when a file reads oddly).
COMPOSER_VARIABLE = "CFN_FIX_COMPOSER"
_UTF8_BOM = b"\xef\xbb\xbf"
# Longest first: a UTF-32 little-endian BOM starts with the UTF-16 one.
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"), (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
              (b"\xff\xfe", "UTF-16 (little-endian)"), (b"\xfe\xff", "UTF-16 (big-endian)"))
# Without a BOM, a wide encoding shows in the text it decodes to: tried on a prefix, widest first.
_WIDE_CODECS = (("utf-32-le", "UTF-32 (little-endian)"), ("utf-32-be", "UTF-32 (big-endian)"),
                ("utf-16-le", "UTF-16 (little-endian)"), ("utf-16-be", "UTF-16 (big-endian)"))
_SNIFF_BYTES = 4096
# An alias-heavy document may expand to at most this many nodes beyond its own size.
_EXPANSION_ALLOWANCE = 200_000
# Brackets nested deeper than this are refused before parsing: the YAML scanner slows to a
# crawl on long runs of `[[[[` (quadratic), long before the composer's recursion gives up.
_MAX_BRACKET_DEPTH = 1_000
# Node density refused while composing (see _BudgetComposer).
_NODE_FLOOR = 10_000
_MIN_BYTES_PER_NODE = 4
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# Found by search, not by splitting: a huge file of short lines must not become a huge list.
_FIRST_CHAR = re.compile(r"\S")
_CONTENT_LINE = re.compile(r"^[^\S\n]*[^\s#]", re.MULTILINE)
_ODD_BREAK = re.compile("[\x85\u2028\u2029]|\r(?!\n)")
_ODD_BREAK_CHARS = "\x85\u2028\u2029"
_LONE_CR = re.compile("\r(?!\n)")
# Standard tags a template may use explicitly (`!!str`...), with the types their value may have.
_MERGE_TAG = STD_TAG + "merge"
_COLLECTION_TAGS = (STD_TAG + "map", STD_TAG + "seq")
_CORE_TAGS: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "float": (int, float), "bool": (bool,), "null": (type(None),)}


@record
class Document:
    """One template. `data` is the engine's working copy and is changed by edits."""

    path: str
    source: str
    bom: bool
    fmt: str  # "yaml" or "json"
    root: MappingNode
    data: dict
    node_of: dict[int, Node] = field(default_factory=dict)
    frozen: set[int] = field(default_factory=set)
    # node_of and frozen are keyed by id(): the containers they name are kept alive here, so an
    # edit that drops one from `data` cannot let a new container reuse its id and its node.
    originals: list = field(default_factory=list, repr=False)
    _index: dict[int, dict] = field(default_factory=dict)
    # A file whose lines end in CR alone (classic Mac OS) is read, edited and verified with LF
    # line ends, which every part of the editor knows; its text goes back to CR when written.
    cr_only: bool = False
    # Containers that are an anchored node, an alias of one or inside either: an edit there
    # would change every copy, so the engine refuses it up front, for that resource only.
    shared: set[int] = field(default_factory=set)
    # (id of a container, key or index) -> anchor, for scalars that are anchored or aliased.
    shared_scalars: dict[tuple[int, Any], str] = field(default_factory=dict)
    _dialect: Dialect | None = field(default=None, repr=False, compare=False)

    @property
    def dialect(self) -> Dialect:
        """The file's writing habits, detected when first read: only an edit's rendering needs
        them, and most runs leave a good share of templates unchanged."""
        if self._dialect is None:
            self._dialect = detect_dialect(self.source, self.root, self.fmt)
        return self._dialect

    def shared_at(self, path: tuple) -> tuple[tuple, str] | None:
        """The first prefix of `path` that is anchored or aliased content, with its anchor name."""
        if not self.shared and not self.shared_scalars:
            return None  # most documents: nothing anchored, no walk
        value: Any = self.data
        for depth, step in enumerate(path):
            anchor = self.shared_scalars.get((id(value), step)) if isinstance(value, dict | list) else None
            if anchor is not None:
                return path[:depth + 1], anchor
            try:
                value = value[step]
            except (KeyError, IndexError, TypeError):
                return None
            if isinstance(value, dict | list) and id(value) in self.shared:
                node = self.node_of.get(id(value))
                return path[:depth + 1], getattr(node, "anchor", None) or ""
        return None

    def as_written(self, text: str) -> str:
        """`text` (the source or a repair of it) with the file's own line ends."""
        return text.replace("\n", "\r") if self.cr_only else text

    def entry(self, node: MappingNode, key: Any) -> tuple[Node, Node] | None:
        """The (key node, value node) pair of `key` in a mapping node, in O(1)."""
        at = self.position(node, key)
        return None if at is None else node.value[at]

    def position(self, node: MappingNode, key: Any) -> int | None:
        """The index of `key`'s pair in a mapping node's pairs, in O(1)."""
        index = self._index.get(id(node))
        if index is None:
            index = {_key_data(k): i for i, (k, _) in enumerate(node.value)}
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
    wide = _wide_encoding(raw)
    if wide:
        raise TemplateError(f"file is {wide}; CloudFormation templates must be UTF-8")
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


def _wide_encoding(raw: bytes) -> str | None:
    """The UTF-16 or UTF-32 flavour `raw` is written in, with or without a BOM, or None."""
    for bom, name in _WIDE_BOMS:
        if raw.startswith(bom):
            return f"{name[:6]} with a byte order mark{name[6:]}"
    if b"\x00" not in raw[:_SNIFF_BYTES]:
        return None
    for codec, name in _WIDE_CODECS:
        try:
            sample = codecs.getincrementaldecoder(codec)().decode(raw[:_SNIFF_BYTES], final=False)
        except UnicodeDecodeError:
            continue
        # A template is mostly ASCII (its keys are); NULs in binary data decode to anything.
        if sample and all(ch.isprintable() or ch in "\t\n\r" for ch in sample) \
                and sum(ch < "\x80" for ch in sample) >= 0.9 * len(sample):
            return f"{name[:6]} without a byte order mark{name[6:]}"
    return None


def load(raw: bytes, path: str = "<string>", max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    text, bom = decode(raw, max_bytes)
    with gc_paused():
        return parse(text, path, bom)


def parse(text: str, path: str = "<string>", bom: bool = False) -> Document:
    # CR alone is a YAML line break as good as LF; with no LF in the file it maps one to one
    # (same length, so every position holds). A lone CR among LF line ends is refused below.
    cr_only = "\r" in text and "\n" not in text
    if cr_only:
        text = text.replace("\r", "\n")
    first = _FIRST_CHAR.search(text)
    if first is None or not _CONTENT_LINE.search(text):
        raise TemplateError("empty template (no YAML or JSON content)")
    fmt = "json" if first.group() == "{" else "yaml"
    if "\ufeff" in text:  # ruamel.yaml skips it, libyaml (verification) refuses it: never safe to edit
        line = text.count("\n", 0, text.index("\ufeff")) + 1
        raise TemplateError("byte order mark (U+FEFF) inside the file; only the very start may have one", line)
    _check_brackets(text)
    root = compose(_untab_json_margins(text, first.start()), fmt) if fmt == "json" else compose(text)
    if not isinstance(root, MappingNode):
        raise NotATemplate("not a CloudFormation template (top level is not a mapping)")
    _check_odd_breaks(text, root)
    # An `&` in prose (`a && b`) starts no anchor: only a tree with one is walked for them.
    anchored = "&" in text and not ccompose.only_prose_marks(root, text) and _check_anchors(root)
    builder = _Builder(text)
    data = builder.build_root(root, aliased=anchored)
    if not _looks_like_template(data):
        raise NotATemplate("not a CloudFormation template (no Resources section)")
    _check_resources(root, data)
    return Document(path, text, bom, fmt, root, data, builder.node_of, builder.frozen, builder.originals,
                    cr_only=cr_only, shared=builder.shared, shared_scalars=builder.shared_scalars)


class _JsonScanner(Scanner):
    """YAML keeps an implicit key to one line of at most 1,024 characters; JSON has no such
    limit. For text that is strict JSON, flow keys are kept as keys until a `,` or a bracket."""

    def stale_possible_simple_keys(self) -> None:
        if not self.flow_level:
            super().stale_possible_simple_keys()


class _BudgetComposer(Composer):
    """Refuses, while composing, a document far denser in nodes than any template.

    Each node costs about 1 KB by the end of a run (node, marks, tag, data, views), so 1 MB of
    `[0,0,0,...]` once took 560 MB. Templates hold one node per 8 bytes or more, even minified
    JSON; past _NODE_FLOOR nodes, one per fewer than _MIN_BYTES_PER_NODE bytes of the text read
    so far is refused at once, so such a file costs a few MB before it is refused.
    """

    nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.nodes += 1
        if self.nodes > _NODE_FLOOR and not self.nodes % 1024:
            at = self.parser.peek_event().start_mark.index
            if self.nodes * _MIN_BYTES_PER_NODE > at:
                raise TemplateError(f"{self.nodes:,} YAML nodes in the first {at:,} characters, more than one per "
                                    f"{_MIN_BYTES_PER_NODE} bytes: no template is that dense; refused before it "
                                    "fills memory")
        return super().compose_node(parent, index)


def compose(text: str, fmt: str = "yaml") -> Node | None:
    """The root node of `text`: by libyaml where ruamel.yaml.clibz is installed and reads the
    text as the pure composer does (see autofix.ccompose), else by the pure composer."""
    if os.environ.get(COMPOSER_VARIABLE, "c") != "pure":
        try:
            return ccompose.compose(text, _NODE_FLOOR, _MIN_BYTES_PER_NODE)
        except ccompose.Declined:
            pass
    return compose_pure(text, fmt)


def compose_pure(text: str, fmt: str = "yaml") -> Node | None:
    """The root node of `text` by ruamel.yaml's pure-Python composer."""
    try:
        return _compose(text, json_keys=False)
    except TemplateError as exc:
        if not exc.message.startswith("invalid YAML") or fmt != "json" or not _strict_json(text):
            raise
    return _compose(text, json_keys=True)


def _strict_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _compose(text: str, json_keys: bool) -> Node | None:
    # The node tree (tags, values, styles, anchors, positions) is what the engine needs; the
    # round-trip loader's comment bookkeeping is not (edits splice the source text, which
    # keeps every comment). The plain pure-Python scanner composes the same nodes about 20%
    # faster, and it does not give up (NotImplementedError) on comments in odd places.
    yaml = YAML(typ="safe", pure=True)
    yaml.Composer = _BudgetComposer
    if json_keys:
        yaml.Scanner = _JsonScanner
    try:
        with warnings.catch_warnings():  # a reused anchor is refused by _check_anchors, in one line
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            return yaml.compose(text)
    except TemplateError:
        raise
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
    except Exception as exc:  # noqa: BLE001 - ruamel.yaml gives up on some valid layouts (NotImplementedError)
        detail = (str(exc).splitlines() or [""])[0].split("[")[0].strip()[:100] or type(exc).__name__
        raise TemplateError(f"the YAML parser cannot read this file (ruamel.yaml: {detail})") from None


def _check_odd_breaks(text: str, root: Node) -> None:
    """Refuse NEL, U+2028 and U+2029 outside quoted strings: YAML 1.1 readers (libyaml, which
    verifies every repair) take them for line breaks, YAML 1.2 readers (ruamel.yaml) do not.
    Refuse a lone CR there too in a file with LF line ends: the editor finds lines by LF."""
    if (text.isascii() or not any(ch in text for ch in _ODD_BREAK_CHARS)) and not ("\r" in text and _LONE_CR.search(text)):
        return  # O(1) and plain `in` tests: many times faster than the search below, which finds none
    hits = [m.start() for m in _ODD_BREAK.finditer(text)]
    quoted = [(n.start_mark.index, n.end_mark.index) for n in walk_nodes(root)
              if isinstance(n, ScalarNode) and n.style in ("'", '"')]
    for at in hits:
        if not any(start <= at < end for start, end in quoted):
            line = text.count("\n", 0, at) + 1
            if text[at] == "\r":
                raise TemplateError("a line ends in CR alone among lines ending in LF; make the line ends "
                                    "consistent (LF or CRLF)", line)
            name = {"\x85": "NEL (U+0085)", "\u2028": "U+2028", "\u2029": "U+2029"}[text[at]]
            raise TemplateError(f"a {name} line separator outside a quoted string; YAML readers disagree on it",
                                line)


def _check_anchors(root: Node) -> bool:
    """Whether there is an anchor. Refuse one defined twice: libyaml, which verifies every
    repair, refuses it too."""
    first: dict[str, Node] = {}
    for node in walk_nodes(root):
        name = getattr(node, "anchor", None)
        if not name:
            continue
        other = first.setdefault(name, node)
        if other is not node:
            early, late = sorted((other, node), key=lambda n: n.start_mark.index)
            raise TemplateError(f"duplicate anchor &{name} (first at line {early.start_mark.line + 1})", *_where(late))
    return bool(first)


def walk_nodes(root: Node) -> Iterator[Node]:
    """Every node under `root` once (an aliased node is met once), in no particular order."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(_children(node))


def _untab_json_margins(text: str, start: int) -> str:
    """YAML forbids tabs before the top-level node and after it, JSON allows them: for strict
    JSON (which verification reads with the JSON parser), read them as spaces. Same length:
    positions hold. (Only the text composed: the source, and so the output, keeps its tabs.)"""
    end = len(text.rstrip())
    if "\t" not in text[:start] and "\t" not in text[end:]:
        return text
    try:
        json.loads(text)
    except ValueError:
        return text  # JSON-like YAML: let the YAML parser report the tab
    return text[:start].replace("\t", " ") + text[start:end] + text[end:].replace("\t", " ")


def _check_brackets(text: str) -> None:
    # Counts brackets in strings and comments too; those are balanced in any real template.
    if text.count("[") + text.count("{") <= _MAX_BRACKET_DEPTH:
        return  # fewer opening brackets than the limit cannot nest past it
    steps = map(_BRACKET_STEP.__getitem__, _NOT_BRACKET.sub("", text))
    if max(accumulate(steps), default=0) > _MAX_BRACKET_DEPTH:
        raise TemplateError(f"document is nested too deeply to process (over {_MAX_BRACKET_DEPTH:,} levels)")


def _check_resources(root: MappingNode, data: dict) -> None:
    """Refuse a Resources section CloudFormation would reject, rather than half-fix it."""
    resources = data.get("Resources")
    key_node, node = next(((k, v) for k, v in root.value if isinstance(k, ScalarNode) and k.value == "Resources"),
                          (root, root))
    if not isinstance(resources, dict):
        kind = type(resources).__name__ if resources is not None else "empty"
        raise TemplateError(f"Resources must be a mapping, found {kind}", key_node.start_mark.line + 1)
    entries = {k.value: (k, v) for k, v in node.value} if isinstance(node, MappingNode) else {}
    for rid, resource in resources.items():
        if isinstance(rid, str) and rid.startswith("Fn::ForEach::"):
            continue  # a language-extension loop: its value is a list
        rid_node, _ = entries.get(rid, (key_node, node))
        where = rid_node.start_mark.line + 1, rid_node.start_mark.column + 1
        if resource is None:
            raise TemplateError(f"resource {rid} is empty", *where)
        if not isinstance(resource, dict):
            raise TemplateError(f"resource {rid} must be a mapping, found {type(resource).__name__}", *where)
        if "Type" in resource and not isinstance(resource["Type"], str):
            raise TemplateError(f"resource {rid}: Type must be a string", *where)
        props = resource.get("Properties")
        if props is not None and not isinstance(props, dict):
            raise TemplateError(f"resource {rid}: Properties must be a mapping, found {type(props).__name__}", *where)


def _looks_like_template(data: dict) -> bool:
    if "Resources" in data:
        return True
    return "AWSTemplateFormatVersion" in data


def _key_data(node: Node) -> Any:
    if isinstance(node, ScalarNode):
        return _scalar(node)
    return None


def _scalar(node: ScalarNode) -> Any:
    style = node.style
    if style == '"' and not node.value.isascii() and not _encodable(node.value):  # isascii: O(1)
        raise TemplateError("invalid escape in a double-quoted string (a lone surrogate)", *_where(node))
    if node.ctag.handles is None:
        # A resolved tag (none written): a plain scalar's value is the core schema's reading
        # (the tag the resolver gave says the same), any other style's is its text.
        if style is None:
            return resolve_plain(node.value)
        return node.value.replace("\a", "") if style == ">" else node.value  # ruamel marks fold points with BEL
    tag = str(node.ctag.trval)
    if tag.startswith(STD_TAG):
        return _core_scalar(node, tag[len(STD_TAG):])
    text = node.value.replace("\a", "") if style == ">" else node.value
    return tagged(tag, text, _where(node))


def _core_scalar(node: ScalarNode, kind: str) -> Any:
    """A scalar with an explicit standard tag, which both loaders must read alike."""
    allowed = _CORE_TAGS.get(kind)
    if allowed is None:
        raise TemplateError(f"unsupported YAML tag !!{kind}", *_where(node))
    text = node.value.replace("\a", "") if node.style == ">" else node.value
    if kind == "str" and node.style is not None:
        return text
    value = resolve_plain(text)
    if type(value) not in allowed and kind == "str":
        raise TemplateError(f"!!str on the unquoted value {text!r} is not supported; quote it instead", *_where(node))
    if type(value) not in allowed:
        raise TemplateError(f"!!{kind} {text!r} is not a valid {kind}", *_where(node))
    return value


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _where(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    """Turns composed nodes into plain data, remembering which node made each container."""

    def __init__(self, text: str = "") -> None:
        self.text = text
        self.node_of: dict[int, Node] = {}
        self.frozen: set[int] = set()
        self.originals: list = []
        self.shared: set[int] = set()
        self.shared_scalars: dict[tuple[int, Any], str] = {}
        self._sizes: dict[int, int] = {}
        self._seen: set[int] = set()
        self._aliased = True

    def build_root(self, root: MappingNode, aliased: bool = True) -> dict:
        # Without an anchor no node is shared: the tree expands to itself, and no node needs
        # the bookkeeping of aliases (met twice, frozen, shared scalars).
        self._aliased = aliased
        if aliased:
            self._check_expansion(root)
        try:
            data = self._build(root, inside_alias=False)
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
        sizing: set[int] = set()  # nodes whose children are being sized
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            if id(node) in sizes:
                continue
            kids = _children(node)
            if done:
                sizes[id(node)] = min(1 + sum(sizes[id(k)] for k in kids), 1 << 40)
                continue
            if id(node) in sizing:  # met again below itself: `&a [*a]`, which has no size at all
                raise TemplateError(f"an alias inside its own anchor &{node.anchor}: a recursive structure, which no "
                                    "template can hold", *_where(node))
            sizing.add(id(node))
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in sizes)
        return sizes[id(root)]

    def _build(self, node: Node, inside_alias: bool) -> Any:
        if type(node) is ScalarNode:
            return self._scalar(node)
        again = inside_alias
        if self._aliased:
            # A node met a second time is an alias; its copy is frozen against edits. So is all
            # of an anchored node: an edit inside it would change every alias of it as well.
            again = again or id(node) in self._seen or bool(node.anchor)
            self._seen.add(id(node))
        if type(node) is SequenceNode:
            items = [self._scalar(item) if type(item) is ScalarNode else self._build(item, again) for item in node.value]
            if self._aliased:
                for index, item in enumerate(node.value):
                    self._note_shared_scalar(items, index, item)
            return self._finish(node, items, again)
        if type(node) is MappingNode:
            return self._finish(node, self._mapping(node, again), again)
        raise TemplateError(f"unsupported YAML node {type(node).__name__}")

    def _scalar(self, node: ScalarNode) -> Any:
        value = _scalar(node)
        if type(value) is dict:
            # `!Ref X` and friends: no mapping text to edit, nor list text (`!GetAtt A.B`).
            # Kept alive like every container named by id: once an edit drops this value,
            # a new container could get its id and be taken for frozen.
            parts = [part for part in (value, *value.values()) if isinstance(part, dict | list)]
            self.frozen.update(map(id, parts))
            self.originals.extend(parts)
        return value

    def _mapping(self, node: MappingNode, again: bool) -> dict:
        result: dict = {}
        block = not node.flow_style
        for key_node, value_node in node.value:
            key = _key(key_node)
            if key in result:
                raise TemplateError(f"duplicate key {key!r} (first at line {_first_line(node, key)})", *_where(key_node))
            if type(value_node) is not ScalarNode:
                result[key] = self._build(value_node, again)
            elif value_node.ctag.handles is None:  # no tag written: never an intrinsic
                result[key] = _scalar(value_node)
            else:
                result[key] = self._scalar(value_node)
            if self._aliased:
                self._note_shared_scalar(result, key, value_node)
            if block and type(value_node) is ScalarNode and value_node.value == "" and value_node.style is None:
                _place_empty_value(self.text, key_node, value_node)
        return result

    def _note_shared_scalar(self, container: dict | list, step: Any, node: Node) -> None:
        if type(node) is ScalarNode and node.anchor:  # `&name value`, or an alias of it
            self.shared_scalars[(id(container), step)] = node.anchor

    def _finish(self, node: Node, value: Any, frozen: bool) -> Any:
        tag = None if node.ctag.handles is None else node.ctag.trval  # None: resolved, so `map` or `seq`
        if tag is not None and tag.startswith(STD_TAG) and tag not in _COLLECTION_TAGS:
            raise TemplateError(f"unsupported YAML tag !!{tag[len(STD_TAG):]}", *_where(node))
        self.node_of[id(value)] = node
        self.originals.append(value)
        if frozen or node.anchor:
            self.frozen.add(id(value))
            self.shared.add(id(value))
        if tag is None or tag in _COLLECTION_TAGS:
            return value
        wrapped = tagged(tag, value, _where(node))
        self.frozen.add(id(wrapped))  # the intrinsic wrapper has no text of its own
        self.originals.append(wrapped)
        return wrapped


def _key(node: Node) -> Any:
    """A mapping key's data, refused where a template's key cannot be that."""
    if _merge_key(node):
        raise TemplateError("YAML merge keys (<<) are not supported in templates", *_where(node))
    if type(node) is not ScalarNode:
        raise TemplateError("mapping keys must be scalars", *_where(node))
    if node.value == "" and node.style is None:  # `: value`, or `?` with no key
        raise TemplateError("a mapping key is empty", *_where(node))
    key = _scalar(node)
    if type(key) is dict:  # `!Ref x: value` (a scalar's data is a dict only then, never a list)
        raise TemplateError("mapping keys must be plain scalars, not intrinsic functions", *_where(node))
    return key


def _merge_key(node: Node) -> bool:
    """Whether a key is `<<` resolved as a merge key (the resolver's only reading of that
    tag: `^(?:<<)$`), or has the merge tag written."""
    return (node.value == "<<" or node.ctag.handles is not None) and node.ctag.trval == _MERGE_TAG


def _first_line(node: MappingNode, key: Any) -> int:
    """The line of `key`'s first entry in a mapping node (the key is there more than once).
    Matched as a dict matches keys (`1` is `1.0`; `.nan` is itself)."""
    wanted = {key: None}
    return next(k.start_mark.line + 1 for k, _ in node.value if _scalar(k) in wanted)


def _place_empty_value(text: str, key: Node, value: Node) -> None:
    """Position an empty block value (`key:` and nothing) right after its colon.

    The composer gives it the position of the next token, often lines further on (the next
    key, past comments and blank lines), where an edit that ends at the value would land.
    """
    if not (isinstance(value, ScalarNode) and value.style is None and value.value == ""):
        return
    at = value.start_mark.index
    if at != value.end_mark.index:
        return
    colon = text.find(":", key.end_mark.index, at + 1)
    if colon >= 0 and text[key.end_mark.index:colon].strip():
        return  # a tag or an anchor (`key: !Ref`)
    # After the colon; or, for an explicit key with none (`? key` and no `:` line), where the
    # key ends (the value is missing, not empty).
    after = colon + 1 if colon >= 0 else key.end_mark.index
    if any(line.split("#", 1)[0].strip() for line in text[after:at].split("\n")):
        return
    end = key.end_mark  # libyaml's marks are read-only: make new ones
    line, column = end.line, end.column + after - end.index
    value.start_mark, value.end_mark = (StreamMark(end.name, after, line, column) for _ in range(2))


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


# ---------------------------------------------------------------- garbage collector

_gc_lock = threading.Lock()
_gc_depth = 0
_gc_restore = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (reference counting still frees memory).

    Parsing and patching allocate millions of small objects that all stay alive (tokens,
    nodes, marks, data); every full collection traverses all of them and finds nothing, so
    with the collector on, a 10,000-resource template paid for the same heap many times.
    Nested and concurrent pauses are counted; the collector is switched back on, if it was
    on, when the last one ends. Cycles made meanwhile are collected afterwards as usual.
    """
    global _gc_depth, _gc_restore
    with _gc_lock:
        if _gc_depth == 0:
            _gc_restore = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_restore:
                gc.enable()
