"""The file's own writing style, detected once so new fragments look like their neighbours."""

from __future__ import annotations

from collections import Counter

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .record import record
from .scalars import SHORT_TAGS

_SAMPLE = 20_000  # nodes looked at; style is uniform enough that a sample decides it
JSON_INLINE_WIDTH = 60  # a JSON value up to this long is "small": writers put it on one line or not
_COLLECTIONS = (MappingNode, SequenceNode)


@record(frozen=True)
class Dialect:
    fmt: str = "yaml"
    eol: str = "\n"
    final_newline: bool = True
    map_indent: int = 2  # columns from a key to its nested mapping's keys
    seq_indent: int = 2  # columns from a key to the dashes of its nested sequence
    item_offset: int = 2  # columns from a dash to the item's content
    quote: str = "'"
    short_tags: bool = True
    json_indent: str = "  "
    json_colon: str = ": "
    json_expand_objects: bool = False  # small JSON objects written over several lines
    json_expand_arrays: bool = False  # small JSON arrays written over several lines
    blank_between_resources: bool = False
    force_quote: bool = False  # set when re-writing a value the author had quoted


def detect_dialect(text: str, root: MappingNode, fmt: str) -> Dialect:
    first_break = text.find("\n")
    eol = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"
    final_newline = text.endswith("\n")
    if fmt == "json":
        indent, colon = _json_style(text, root)
        objects, arrays = _json_expansion(root)
        return Dialect(fmt="json", eol=eol, final_newline=final_newline, short_tags=False,
                       json_indent=indent, json_colon=colon, quote='"',
                       json_expand_objects=objects, json_expand_arrays=arrays)
    counts = _Counts()
    counts.walk(root)
    return Dialect(
        fmt="yaml",
        eol=eol,
        final_newline=final_newline,
        map_indent=_most(counts.map_indent, 2),
        seq_indent=_most(counts.seq_indent, 2),
        item_offset=_most(counts.item_offset, 2),
        quote='"' if counts.quotes['"'] > counts.quotes["'"] else "'",
        short_tags=counts.short >= counts.long,
        blank_between_resources=_blank_between_resources(text, root),
    )


def _most(counter: Counter, default: int) -> int:
    return counter.most_common(1)[0][0] if counter else default


class _Counts:
    def __init__(self) -> None:
        self.map_indent: Counter = Counter()
        self.seq_indent: Counter = Counter()
        self.item_offset: Counter = Counter()
        self.quotes: Counter = Counter()
        self.short = 0
        self.long = 0

    def walk(self, root: Node) -> None:
        """Count the habits of the first _SAMPLE nodes, last child first."""
        stack = [root]
        seen = 0
        while stack and seen < _SAMPLE:
            node = stack.pop()
            seen += 1
            tag = node.ctag  # node.tag, without the two calls that make it a str
            if tag is not None and tag.trval in SHORT_TAGS:
                self.short += 1
            if isinstance(node, ScalarNode):
                if node.style in ("'", '"'):
                    self.quotes[node.style] += 1
            elif isinstance(node, SequenceNode):
                self._sequence(node)
                stack.extend(node.value)
            elif isinstance(node, MappingNode):
                self._mapping(node, stack)

    def _mapping(self, node: MappingNode, stack: list[Node]) -> None:
        """Count a mapping's long-form intrinsics and the indents of its block values; stack
        the values to walk."""
        block = not node.flow_style
        col = node.start_mark.column
        for key, value in node.value:
            stack.append(value)
            if isinstance(key, ScalarNode) and (key.value == "Ref" or key.value.startswith("Fn::")):
                self.long += 1
            if block and isinstance(value, _COLLECTIONS) and not value.flow_style \
                    and key.start_mark.line != value.start_mark.line:
                indents = self.map_indent if isinstance(value, MappingNode) else self.seq_indent
                indents[value.start_mark.column - col] += 1

    def _sequence(self, node: SequenceNode) -> None:
        if node.flow_style:
            return
        dash = node.start_mark.column
        for item in node.value[:3]:
            if isinstance(item, _COLLECTIONS) and item.flow_style:
                continue
            if item.start_mark.line == node.start_mark.line or item.start_mark.column > dash:
                offset = item.start_mark.column - dash
                if 1 < offset <= 8:
                    self.item_offset[offset] += 1
            break


def _json_style(text: str, root: MappingNode) -> tuple[str, str]:
    indent, colon = "  ", ": "
    if not root.value:
        return indent, colon
    key = root.value[0][0]
    line_start = text.rfind("\n", 0, key.start_mark.index) + 1
    lead = text[line_start:key.start_mark.index]
    root_line_start = text.rfind("\n", 0, root.start_mark.index) + 1
    root_lead = text[root_line_start:root.start_mark.index]
    if lead.strip() == "" and key.start_mark.line != root.start_mark.line:
        unit = lead.removeprefix(root_lead)
        if unit:
            indent = unit
    after = text[key.end_mark.index:key.end_mark.index + 3]
    if after.startswith(":") and not after.startswith(": "):
        colon = ":"
    elif after.startswith(" :"):
        colon = " : "
    return indent, colon


def _json_expansion(root: MappingNode) -> tuple[bool, bool]:
    """Whether the file writes small objects, and small arrays, over several lines.

    Each small collection (one-line JSON of at most JSON_INLINE_WIDTH characters) inside a
    declaration (a resource's, parameter's or output's entries, and below) votes with its own
    layout; one inside a one-line collection had no choice and does not vote. Sections,
    declarations and a resource's Properties do not vote: even authors who write `{"Ref": "X"}`
    on one line open those over several lines. The majority of each kind wins; a kind with no
    vote follows the other; a tie, or no vote at all, keeps small values on one line.

    The walk goes down through collections written over several lines, last child first, and
    looks at the first _SAMPLE nodes it meets; a collection's size is its children's, summed on
    the way back up, so no subtree is measured twice.
    """
    votes: dict[type, Counter] = {MappingNode: Counter(), SequenceNode: Counter()}
    structural = _property_blocks(root)
    left = _SAMPLE

    def visit(node: Node, depth: int) -> int:
        """The node's _json_size, after its votes and those below it (in the sample)."""
        nonlocal left
        if left <= 0:  # past the sample: measured for its parent, not looked at
            return _json_size(node, JSON_INLINE_WIDTH)
        left -= 1
        if isinstance(node, ScalarNode):
            return node.end_mark.index - node.start_mark.index
        items = node.value
        if not items:
            return 2
        one_line = node.start_mark.line == node.end_mark.line
        if one_line:
            size = _json_size(node, JSON_INLINE_WIDTH)
        else:
            pairs = isinstance(node, MappingNode)
            size = (4 if pairs else 2) * len(items)  # brackets, ", " between items, ": " in pairs
            for item in reversed(items):
                if pairs:
                    key, item = item
                    size += (key.end_mark.index - key.start_mark.index if isinstance(key, ScalarNode)
                             else _json_size(key, JSON_INLINE_WIDTH))
                if isinstance(item, ScalarNode):  # looked at here: a call per scalar costs
                    left -= 1
                    size += item.end_mark.index - item.start_mark.index
                else:
                    size += visit(item, depth + 1)
        if depth >= 3 and size <= JSON_INLINE_WIDTH and id(node) not in structural:
            votes[type(node)][not one_line] += 1
        return size

    for _, section in reversed(root.value):
        visit(section, 1)
    objects, arrays = (_majority(votes[kind]) for kind in (MappingNode, SequenceNode))
    return (objects if objects is not None else bool(arrays),
            arrays if arrays is not None else bool(objects))


def _property_blocks(root: MappingNode) -> set[int]:
    """Ids of the Properties mappings of the template's resources."""
    blocks: set[int] = set()
    for key, section in root.value:
        if key.value != "Resources" or not isinstance(section, MappingNode):
            continue
        for _, resource in section.value:
            if isinstance(resource, MappingNode):
                blocks.update(id(value) for name, value in resource.value if name.value == "Properties")
    return blocks


def _json_size(node: Node, limit: int) -> int:
    """Length of the node's one-line JSON (`{"k": v, ...}`), counted only up to past `limit`."""
    if isinstance(node, ScalarNode):
        return node.end_mark.index - node.start_mark.index
    size = 2 * max(len(node.value), 1)  # the brackets, and ", " between items
    for item in node.value:
        if isinstance(item, tuple):  # a mapping's (key, value): `"k": v`
            size += _json_size(item[0], limit) + 2 + _json_size(item[1], limit)
        else:
            size += _json_size(item, limit)
        if size > limit:
            break
    return size


def _majority(votes: Counter) -> bool | None:
    return votes[True] > votes[False] if votes else None


def _blank_between_resources(text: str, root: MappingNode) -> bool:
    for key, value in root.value:
        if key.value != "Resources" or not isinstance(value, MappingNode) or len(value.value) < 2:
            continue
        second = value.value[1][0]
        line_start = text.rfind("\n", 0, second.start_mark.index)
        # Walk back over own-line comments to the line before them.
        prev_end = line_start
        while prev_end > 0:
            prev_start = text.rfind("\n", 0, prev_end) + 1
            line = text[prev_start:prev_end].strip()
            if line.startswith("#"):
                prev_end = prev_start - 1
                continue
            return line == ""
    return False
