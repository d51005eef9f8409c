"""Apply edits: change the data at once, and record text splices rendered at the end.

Every splice is anchored in the original source. A value created by an earlier edit is
live data: later edits inside it only change that data, and it is rendered once, when
the output is produced, so edits compose without positions ever going stale.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import render
from .document import Document, walk_nodes
from .edits import AppendItem, DeleteKey, Edit, RenameKey, ReplaceValue, SetKey
from .errors import EditError

_KEEP_HEADER = re.compile(r"[|>][1-9]?\+")
_TRAILING_COMMENT = re.compile(r"[ \t]+#[^\r\n]*")  # after a value, to the end of its line
TOP_LEVEL_ORDER = ("AWSTemplateFormatVersion", "Description", "Metadata", "Transform", "Parameters",
                   "Rules", "Mappings", "Conditions", "Globals", "Resources", "Outputs")


@dataclass
class _Op:
    path: tuple  # where in the data the op writes (original key names); a replacement of an ancestor drops it
    start: int
    end: int
    seq: int
    text: Callable[[], str]
    place: Callable[[], tuple[int, int]] | None = None  # for a span known only at the end (flow deletions)

    def span(self) -> tuple[int, int]:
        return self.place() if self.place else (self.start, self.end)


@dataclass(frozen=True)
class _KeyText:
    """Last step of the path of an op that rewrites a key's own text (RenameKey)."""

    name: Any


@dataclass(frozen=True)
class _NewKey:
    """A path step naming a key the source does not hold under that name now."""

    name: Any


@dataclass
class _Added:
    """A key an edit added to an original mapping; its insertion renders it by its current name."""

    key: Any
    alive: bool = True


_GONE = _NewKey(None)  # the name of an original entry that was deleted or renamed away
_ABSENT = object()
Undo = Callable[[], None]
Splice = tuple[int, int, str]  # replace source[start:end] with text


class Editor:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.src = doc.source
        self.d = doc.dialect
        self.ops: dict[int, _Op] = {}  # by seq
        self._under: defaultdict[tuple, dict[int, _Op]] = defaultdict(dict)  # path prefix -> {seq: op}
        self._seq = 0
        self._keep_ends: set[int] | None = None
        self._json = doc.fmt == "json"
        # Keys of original mappings as edits left them, by (id(mapping node), current name):
        self._names: dict[tuple[int, Any], Any] = {}  # -> the source's name, or _GONE
        self._added: dict[tuple[int, Any], _Added] = {}  # -> the insertion of a key an edit added
        self._gone_pairs: defaultdict[int, set[int]] = defaultdict(set)  # id(flow node) -> deleted pairs
        self._kept_pairs: dict[int, list[int]] = {}  # the others, found once per output

    # ------------------------------------------------------------ public

    def apply(self, edit: Edit) -> Undo:
        """Apply one edit to the data and record its splice; returns its undo.

        The value written is a copy of the proposed one: a patch may propose one object for
        many places (LAM001's value for every function), and a later edit into one of them
        must not change the others, nor reach back into the template a patch read it from.
        """
        if isinstance(edit, SetKey | ReplaceValue | AppendItem):
            edit = replace(edit, value=fresh(edit.value))
        if isinstance(edit, SetKey):
            return self._set_key(edit)
        if isinstance(edit, ReplaceValue):
            return self._replace(edit)
        if isinstance(edit, AppendItem):
            return self._append(edit)
        if isinstance(edit, DeleteKey):
            return self._delete(edit)
        if isinstance(edit, RenameKey):
            return self._rename(edit)
        raise EditError(f"unknown edit {edit!r}")

    def output(self) -> str:
        # At one offset, text for a deeper container goes first: that container ends there and
        # the shallower one continues after it (a new resource after X vs a key added to X).
        self._kept_pairs.clear()
        placed = sorted(((*op.span(), op) for op in self.ops.values()),
                        key=lambda p: (p[0], p[1] != p[0], -len(p[2].path), p[2].seq))
        splices = [(start, end, op.text()) for start, end, op in placed]
        splices = self._keep_last_scalar_unbroken(self._keep_blank_lines_off_keep_scalars(splices))
        out: list[str] = []
        pos = 0
        for start, end, text in splices:
            if start < pos:
                raise EditError("overlapping edits")
            out.append(self.src[pos:start])
            out.append(text)
            pos = end
        out.append(self.src[pos:])
        return "".join(out)

    # ------------------------------------------------------------ block scalars next to edits

    def _keep_blank_lines_off_keep_scalars(self, splices: list[Splice]) -> list[Splice]:
        """Blank lines right after a keep-chomped block scalar (`|+`) are part of its value.

        Where an edit starts right after one, the text that now follows it must not begin with
        a blank line: a new entry's blank separator goes after the entry, and blank lines left
        behind by a removal (an entry deleted after the scalar) are removed with it.
        """
        ends = self._keep_scalar_ends()
        if not ends:
            return splices
        out = list(splices)
        for i, (start, _, _) in enumerate(splices):
            if start in ends:
                self._no_blank_line_from(out, i)
        return out

    def _no_blank_line_from(self, splices: list[Splice], i: int) -> None:
        """Make the text from splice `i` on (right after a keep scalar) start with a non-blank line."""
        for j in range(i, len(splices)):
            start, end, text = splices[j]
            if text.startswith(("\n", "\r\n")) and (start == 0 or self.src[start - 1] == "\n"):
                first_break = "\r\n" if text.startswith("\r\n") else "\n"
                splices[j] = (start, end, text[len(first_break):] + first_break)
                return
            if text:
                return  # a line with content follows the scalar
            next_start = splices[j + 1][0] if j + 1 < len(splices) else len(self.src)
            if next_start > end:  # the source text after the removal must not start blank
                splices[j] = (start, self._blank_lines_end(end, next_start), text)
                return

    def _blank_lines_end(self, pos: int, limit: int) -> int:
        """Offset past the whitespace-only lines starting at `pos` (a line start), up to `limit`."""
        while pos < limit:
            line_end = self.src.find("\n", pos, limit)
            if line_end < 0 or self.src[pos:line_end].strip():
                return pos
            pos = line_end + 1
        return pos

    def _keep_scalar_ends(self) -> set[int]:
        """Offsets where the text after each keep-chomped block scalar of the source begins."""
        if self._keep_ends is None:
            self._keep_ends = set()
            if _KEEP_HEADER.search(self.src):
                self._keep_ends = {self._content_end(node) for node in walk_nodes(self.doc.root)
                                   if isinstance(node, ScalarNode) and node.style in ("|", ">")
                                   and self._keeps_breaks(node)}
        return self._keep_ends

    def _keep_last_scalar_unbroken(self, splices: list[Splice]) -> list[Splice]:
        """A block scalar that ends the file without a line break has no final break in its
        value; text added after it gives it one, so its header must say strip (`|-`)."""
        size = len(self.src)
        if self.src.endswith("\n") or not any(start == size and text for start, _, text in splices):
            return splices
        last = _last_leaf(self.doc.root)
        if not isinstance(last, ScalarNode) or last.style not in ("|", ">") or last.value.endswith("\n"):
            return splices
        start, end, indicators = self._block_header(last)
        if any(s <= start < e for s, e, _ in splices):
            return splices  # the scalar itself is rewritten
        strip = (start, end, "-" + indicators.replace("+", "").replace("-", ""))
        return sorted([*splices, strip], key=lambda splice: splice[0])

    def _block_header(self, scalar: ScalarNode) -> tuple[int, int, str]:
        """Span and text of a block scalar's indicators (`2-` of `|2-`), after its `|` or `>`."""
        style_at = self.src.index(scalar.style, scalar.start_mark.index)
        end = style_at + 1
        while end < len(self.src) and self.src[end] in "123456789+-":
            end += 1
        return style_at + 1, end, self.src[style_at + 1:end]

    # ------------------------------------------------------------ walking

    def _walk(self, path: tuple) -> Any:
        node: Any = self.doc.data
        for step in path:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                raise EditError(f"path {_show(path)} does not exist") from None
        return node

    def _node(self, container: Any) -> Node | None:
        if id(container) in self.doc.frozen:
            raise EditError("refusing to edit aliased or anchored YAML content")
        return self.doc.node_of.get(id(container))

    # ------------------------------------------------------------ keys as edits left them

    def _source_name(self, node: MappingNode, key: Any) -> Any:
        """The source's name of the entry now called `key`, or _GONE if the source has none."""
        return self._names.get((id(node), key), key)

    def _pair(self, node: MappingNode, key: Any) -> tuple[Node, Node] | None:
        """The original (key node, value node) of the entry now called `key`, if it is one."""
        name = self._source_name(node, key)
        return None if name is _GONE else self.doc.entry(node, name)

    def _position(self, node: MappingNode, key: Any) -> int | None:
        name = self._source_name(node, key)
        return None if name is _GONE else self.doc.position(node, name)

    def _child(self, node: Node, step: Any) -> Node | None:
        if isinstance(node, MappingNode):
            pair = self._pair(node, step)
            return pair[1] if pair else None
        return self.doc.child(node, step)

    def _rename_entries(self, node: MappingNode, names: dict) -> Undo:
        """Record current names of original entries (current name -> source name or _GONE)."""
        before = {key: self._names.get((id(node), key), _ABSENT) for key in names}
        self._names.update({(id(node), key): name for key, name in names.items()})

        def undo() -> None:
            for key, name in before.items():
                if name is _ABSENT:
                    del self._names[(id(node), key)]
                else:
                    self._names[(id(node), key)] = name

        return undo

    def _track_added(self, node: MappingNode, key: Any) -> tuple[_Added, Undo]:
        added = _Added(key)
        self._added[(id(node), key)] = added
        return added, lambda: self._added.pop((id(node), key), None)

    # ------------------------------------------------------------ ops

    def _add_op(self, path: tuple, start: int, end: int, text: Callable[[], str],
                place: Callable[[], tuple[int, int]] | None = None) -> Undo:
        self._seq += 1
        op = _Op(self._canonical(path), start, end, self._seq, text, place)
        self._keep([op])
        return lambda: self._drop([op])

    def _supersede(self, path: tuple) -> Undo:
        """Drop the ops inside `path`, whose value is about to be written anew."""
        dropped = list(self._under.get(self._canonical(path), {}).values())
        self._drop(dropped)
        return lambda: self._keep(dropped)

    def _canonical(self, path: tuple) -> tuple:
        """`path` with the source's key names: ops stay findable after their keys are renamed."""
        if not self._names:
            return path
        data: Any = self.doc.data
        steps = []
        for step in path:
            node = self.doc.node_of.get(id(data)) if isinstance(data, dict) else None
            name = self._names.get((id(node), step), step) if node is not None else step
            steps.append(_NewKey(step) if name is _GONE else name)
            try:
                data = data[step]
            except (KeyError, IndexError, TypeError):
                data = None
        return tuple(steps)

    def _keep(self, ops: Iterable[_Op]) -> None:
        """Record ops, indexed under every prefix of their path (O(path depth) each)."""
        for op in ops:
            self.ops[op.seq] = op
            for size in range(len(op.path) + 1):
                self._under[op.path[:size]][op.seq] = op

    def _drop(self, ops: Iterable[_Op]) -> None:
        for op in ops:
            self.ops.pop(op.seq, None)
            for size in range(len(op.path) + 1):
                prefix = op.path[:size]
                bucket = self._under.get(prefix)
                if bucket is not None:
                    bucket.pop(op.seq, None)
                    if not bucket:
                        del self._under[prefix]

    # ------------------------------------------------------------ SetKey

    def _set_key(self, edit: SetKey) -> Undo:
        data: Any = self.doc.data
        path = edit.path
        for depth, step in enumerate(path):
            if isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
                data = data[step]  # an existing sequence item on the way (e.g. MethodSettings[1])
                continue
            if not isinstance(data, dict):
                raise EditError(f"{_show(path[:depth])} is not a mapping")
            if step not in data:
                value: Any = {edit.key: edit.value}
                for name in reversed(path[depth + 1:]):
                    value = {name: value}
                return self._insert(data, path[:depth], step, value, None)
            if data[step] is None:
                value = {edit.key: edit.value}
                for name in reversed(path[depth + 1:]):
                    value = {name: value}
                return self._replace(ReplaceValue(path[:depth + 1], value))
            data = data[step]
        if not isinstance(data, dict):
            raise EditError(f"{_show(path)} is not a mapping")
        return self._insert(data, path, edit.key, edit.value, edit.after)

    def _insert(self, mapping: dict, path: tuple, key: Any, value: Any, after: Any) -> Undo:
        if key in mapping:
            raise EditError(f"{_show(path + (key,))} already exists")
        node = self._node(mapping)
        mapping[key] = value

        def undo_data() -> None:
            del mapping[key]

        if node is None:
            return undo_data
        assert isinstance(node, MappingNode)
        if not node.value:
            return _both(undo_data, self._rerender(path, mapping, node))
        added, untrack = self._track_added(node, key)
        undo_data = _both(undo_data, untrack)
        if node.flow_style or self._json:
            return _both(undo_data, self._insert_flow_entry(path, node, added, mapping, after))
        return _both(undo_data, self._insert_block_entry(node, path, added, mapping, after))

    def _insert_block_entry(self, node: MappingNode, path: tuple, added: _Added, mapping: dict, after: Any) -> Undo:
        col = node.value[0][0].start_mark.column
        before = self._top_level_successor(path, added.key, node)
        blank_before = path == ("Resources",) and self.d.blank_between_resources
        if before is not None:
            pos = self._leading_start(before)
            blank_after = pos >= 2 and self.src[:pos].endswith(("\n\n", "\n\r\n"))
            blank_before = False
        else:
            anchor = self._pair(node, after) if after is not None else None
            pos = self._after_value(anchor) if anchor else self._after_value(node.value[-1])
            blank_after = False

        def text() -> str:
            if not added.alive or added.key not in mapping:
                return ""
            lines = render.entry_lines(added.key, mapping[added.key], col, self.d)
            if blank_before:
                lines.insert(0, "")
            if blank_after:
                lines.append("")
            return self._lines_at(pos, lines)

        return self._add_op(path, pos, pos, text)

    def _top_level_successor(self, path: tuple, key: Any, node: MappingNode) -> tuple | None:
        if path or key not in TOP_LEVEL_ORDER:
            return None
        rank = TOP_LEVEL_ORDER.index(key)
        for pair in node.value:
            name = pair[0].value
            if name in TOP_LEVEL_ORDER and TOP_LEVEL_ORDER.index(name) > rank:
                return pair
        return None

    # ------------------------------------------------------------ AppendItem

    def _append(self, edit: AppendItem) -> Undo:
        seq = self._walk(edit.path)
        if not isinstance(seq, list):
            raise EditError(f"{_show(edit.path)} is not a sequence")
        node = self._node(seq)
        seq.append(edit.value)
        index = len(seq) - 1

        def undo_data() -> None:
            seq.pop()

        if node is None:
            return undo_data
        assert isinstance(node, SequenceNode)
        if not node.value:
            return _both(undo_data, self._rerender(edit.path, seq, node))
        if node.flow_style or self._json:
            return _both(undo_data, self._insert_flow_item(edit.path, node, lambda: seq[index]))
        last = node.value[-1]
        dash = self._dash_column(node)
        pos = self._after_node(last)

        def text() -> str:
            return self._lines_at(pos, render.item_lines(seq[index], dash, self.d, self._item_offset(last)))

        return _both(undo_data, self._add_op(edit.path, pos, pos, text))

    def _dash_column(self, seq: SequenceNode) -> int:
        """Column of a block sequence's dashes; the node starts at its tag or anchor if it has one."""
        at = seq.start_mark.index
        if self.src[at] == "-":
            return seq.start_mark.column
        line_start = self.src.find("\n", at) + 1  # the dashes start below `key: !Tag`
        while line_start:
            line_end = self.src.find("\n", line_start)
            line = self.src[line_start:line_end if line_end >= 0 else len(self.src)]
            text = line.lstrip(" ")
            if text.startswith("-"):
                return len(line) - len(text)
            if text.strip() and not text.startswith("#"):
                break
            line_start = line_end + 1
        raise EditError("cannot find where the items of this sequence start")

    def _item_offset(self, item: Node) -> int | None:
        """Columns from an existing item's dash to its content, when both share a line."""
        dash_at = self.src.rfind("-", 0, item.start_mark.index)
        between = self.src[dash_at + 1:item.start_mark.index]
        if dash_at < 0 or between.strip():
            return None
        return len(between) + 1 if "\n" not in between and len(between) >= 1 else None

    # ------------------------------------------------------------ ReplaceValue

    def _replace(self, edit: ReplaceValue) -> Undo:
        if not edit.path:
            raise EditError("cannot replace the whole template")
        parent = self._walk(edit.path[:-1])
        last = edit.path[-1]
        try:
            old = parent[last]
        except (KeyError, IndexError, TypeError):
            raise EditError(f"path {_show(edit.path)} does not exist") from None
        node = self._node(parent)
        parent[last] = edit.value

        def undo_data() -> None:
            parent[last] = old

        if node is None or self._child(node, last) is None:
            return undo_data  # the value was added by an earlier edit and renders from data
        try:
            return _both(undo_data, self._replace_child(edit.path, node, lambda: edit.value))
        except EditError:
            undo_data()  # a refused edit leaves the data as it found it
            raise

    def _rerender(self, path: tuple, container: Any, node: Node) -> Undo:
        """Render an empty original collection anew from its live data."""
        if not path:
            raise EditError("the template's top level is empty")
        parent = self._walk(path[:-1])
        parent_node = self.doc.node_of.get(id(parent))
        if parent_node is None:
            raise EditError(f"{_show(path)} cannot be re-rendered")
        # Later edits into this container are folded into the one rendering.
        del self.doc.node_of[id(container)]
        undo = self._replace_child(path, parent_node, lambda: container)

        def undo_all() -> None:
            self.doc.node_of[id(container)] = node
            undo()

        return undo_all

    def _replace_child(self, path: tuple, parent: Node, value: Callable[[], Any]) -> Undo:
        step = path[-1]
        if isinstance(parent, MappingNode):
            pair = self._pair(parent, step)
            if pair is None:
                raise EditError(f"no key {step!r} in the source")
            key_node, target = pair
        else:
            key_node, target = None, parent.value[step]
        if target.start_mark.index < (key_node.end_mark.index if key_node else 0):
            raise EditError("refusing to replace a YAML alias")
        if getattr(target, "anchor", None):
            raise EditError("refusing to replace an anchored value")
        start, end = target.start_mark.index, self._content_end(target, keep_breaks=False)
        restore = self._supersede(path)
        if self._json or _in_flow(parent):
            one_line = isinstance(target, MappingNode | SequenceNode) and target.start_mark.line == target.end_mark.line \
                and parent.start_mark.line == parent.end_mark.line
            undo = self._add_op(path, start, end, lambda: self._flow_value(value(), start, one_line))
        else:
            undo = self._add_op(path, *self._block_replacement(key_node, target, start, end, value))
        return _both(restore, undo)

    def _block_replacement(self, key_node: Node | None, target: Node, start: int, end: int,
                           value: Callable[[], Any]) -> tuple[int, int, Callable[[], str]]:
        if isinstance(target, MappingNode | SequenceNode) and target.flow_style and target.value:
            # A flow collection stays a flow collection: never reflow the author's style.
            return start, end, lambda: render.flow(value(), self.d)
        span_start, span_end, text = self._block_text(key_node, target, start, end, value)
        one_line = isinstance(target, ScalarNode) and end > start and "\n" not in self.src[start:end]
        comment = _TRAILING_COMMENT.match(self.src, end) if one_line and span_end == end else None
        if comment is None:
            return span_start, span_end, text
        # `value  # note` becoming a block: the note stays on the line it was on, the first.
        return span_start, comment.end(), lambda: _after_first_line(text(), comment.group(), self.d.eol)

    def _block_text(self, key_node: Node | None, target: Node, start: int, end: int,
                    value: Callable[[], Any]) -> tuple[int, int, Callable[[], str]]:
        if key_node is None:
            # An empty item (`-` and nothing) starts right after its dash: add the space.
            space = " " if self.src[start - 1:start] == "-" else ""
            item_col = target.start_mark.column + len(space)

            def item_text() -> str:
                lines = render.value_lines(value(), item_col, self.d)
                lines[0] = space + lines[0][item_col:]
                return self.d.eol.join(lines)

            return start, end, item_text
        colon_end = self.src.find(":", key_node.end_mark.index) + 1
        comment_between = "#" in self.src[colon_end:start]
        key_col = key_node.start_mark.column
        line_start = self.src.rfind("\n", 0, start) + 1
        span_start = line_start if comment_between else colon_end

        one_line = isinstance(target, ScalarNode) and "\n" not in self.src[start:end]
        quoted = one_line and target.style in ("'", '"')
        dialect = replace(self.d, quote=target.style, force_quote=True) if quoted else self.d

        def entry_text() -> str:
            new = value()
            if one_line and not comment_between:
                # A one-line scalar stays one line, however long: the diff shows only what changed.
                keep_quotes = isinstance(new, str) or (isinstance(new, dict) and "Fn::Sub" in new)
                text = render.inline(new, dialect if keep_quotes else self.d, limit=None)
                if text is not None:
                    return " " + text
            lines = render.entry_lines("k", new, key_col, self.d)
            first = lines[0][key_col + 2:]  # after "k:"
            rest = lines[1:]
            if comment_between:
                if first:  # an inline value, or a short tag and its block, goes under the comment
                    return self.d.eol.join(render.value_lines(new, key_col + self.d.map_indent, self.d))
                return self.d.eol.join(rest)
            return first + "".join(self.d.eol + ln for ln in rest)

        return span_start, end, entry_text

    def _flow_value(self, value: Any, start: int, compact: bool = False) -> str:
        if self._json:
            return render.json_value(value, self._line_lead(start), self.d, compact)
        return render.flow(value, self.d)

    # ------------------------------------------------------------ DeleteKey / RenameKey

    def _delete(self, edit: DeleteKey) -> Undo:
        mapping = self._walk(edit.path)
        if not isinstance(mapping, dict) or edit.key not in mapping:
            raise EditError(f"path {_show(edit.path + (edit.key,))} does not exist")
        if len(mapping) == 1:
            raise EditError(f"refusing to delete the only key of {_show(edit.path)}")
        node = self._node(mapping)
        index = self._position(node, edit.key) if node is not None else None
        if node is not None and index is not None and not self._is_flow(node):
            self._check_own_line(node.value[index][0])
        old = mapping.pop(edit.key)

        def undo_data() -> None:
            mapping[edit.key] = old

        if node is None:
            return undo_data
        if index is None:  # a key an earlier edit added: its insertion renders nothing now
            return _both(undo_data, self._forget_added(node, edit.key))
        target = edit.path + (edit.key,)
        name = self._source_name(node, edit.key)
        restore = _both(self._supersede(target), self._supersede(edit.path + (_KeyText(name),)))
        if self._is_flow(node):
            cut = self._cut_flow_pair(target, node, index, mapping)
        else:
            after_scalar = index > 0 and _is_block_scalar(_last_leaf(node.value[index - 1][1]))
            cut = self._cut_block_pair(target, node.value[index], after_scalar)
        forget = self._rename_entries(node, {edit.key: _GONE})
        return _both(_both(undo_data, restore), _both(cut, forget))

    def _check_own_line(self, key_node: Node) -> None:
        line_start = self.src.rfind("\n", 0, key_node.start_mark.index) + 1
        if self.src[line_start:key_node.start_mark.index].strip():
            raise EditError("refusing to delete a key that shares its line with a dash")

    def _cut_block_pair(self, target: tuple, pair: tuple, after_scalar: bool) -> Undo:
        start = self.src.rfind("\n", 0, pair[0].start_mark.index) + 1
        end = self._after_value(pair, keep_breaks=False)  # blank lines stay (see output)
        kept = [ln for ln in self.src[start:end].splitlines(keepends=True) if ln.lstrip().startswith("#")]
        if after_scalar:
            # Comments indented deeper than the key would become the scalar's text: those of
            # the pair, and those below it up to the next entry, now right below the scalar.
            below = self._blank_and_comment_lines_end(end)
            kept += self.src[end:below].splitlines(keepends=True)
            end = below
            column = pair[0].start_mark.column
            kept = [" " * min(column, len(ln) - len(ln.lstrip(" \t"))) + ln.lstrip(" \t")
                    if ln.lstrip().startswith("#") else ln for ln in kept]
        return self._add_op(target, start, end, lambda: "".join(kept))

    def _blank_and_comment_lines_end(self, pos: int) -> int:
        """Where the blank and comment-only lines from line start `pos` on end."""
        while pos < len(self.src):
            newline = self.src.find("\n", pos)
            line_end = len(self.src) if newline < 0 else newline + 1
            text = self.src[pos:line_end].strip()
            if text and not text.startswith("#"):
                break
            pos = line_end
        return pos

    def _forget_added(self, node: MappingNode, key: Any) -> Undo:
        added = self._added.pop((id(node), key), None)
        if added is None:
            return lambda: None
        added.alive = False

        def undo() -> None:
            added.alive = True
            self._added[(id(node), key)] = added

        return undo

    def _rename(self, edit: RenameKey) -> Undo:
        mapping = self._walk(edit.path)
        if not isinstance(mapping, dict) or edit.old not in mapping or edit.new in mapping:
            raise EditError(f"cannot rename {edit.old!r} to {edit.new!r} in {_show(edit.path)}")
        node = self._node(mapping)
        mapping[edit.new] = mapping.pop(edit.old)

        def undo_data() -> None:
            mapping[edit.old] = mapping.pop(edit.new)

        if node is None:
            return undo_data
        pair = self._pair(node, edit.old)
        if pair is None:  # a key an earlier edit added: its insertion follows the new name
            return _both(undo_data, self._rename_added(node, edit.old, edit.new))
        name = self._source_name(node, edit.old)
        key_path = edit.path + (_KeyText(name),)
        restore = self._supersede(key_path)  # an earlier rename of the same key
        names = self._rename_entries(node, {edit.old: _GONE, edit.new: name})
        key_node = pair[0]
        if self._json or key_node.style == '"':
            new_text = render.json_key(edit.new)
        elif key_node.style == "'":
            new_text = "'" + edit.new.replace("'", "''") + "'"
        else:
            new_text = render.scalar(edit.new, self.d, flow=bool(node.flow_style))
        op = self._add_op(key_path, key_node.start_mark.index, key_node.end_mark.index, lambda: new_text)
        return _both(_both(undo_data, restore), _both(names, op))

    def _rename_added(self, node: MappingNode, old: Any, new: Any) -> Undo:
        added = self._added.pop((id(node), old), None)
        if added is None:
            return lambda: None
        added.key = new
        self._added[(id(node), new)] = added

        def undo() -> None:
            del self._added[(id(node), new)]
            added.key = old
            self._added[(id(node), old)] = added

        return undo

    # ------------------------------------------------------------ flow / JSON mappings
    #
    # Deleting pairs of a flow mapping removes each with one separator: the one before it when
    # a pair before it is kept, else the one after it. Which pairs are kept is known only when
    # the output is made, so deletions and the entries added to such a mapping are placed then.

    def _is_flow(self, node: Node) -> bool:
        return bool(node.flow_style) or self._json

    def _cut_flow_pair(self, target: tuple, node: MappingNode, index: int, mapping: dict) -> Undo:
        gone = self._gone_pairs[id(node)]
        gone.add(index)

        def text() -> str:
            if self._all_pairs_gone(node) and index == 0:
                return self._flow_entries(node, mapping)  # no original pair is left: the live ones
            return ""

        undo = self._add_op(target, 0, 0, text, place=lambda: self._flow_cut_span(node, index))
        return _both(lambda: gone.discard(index), undo)

    def _all_pairs_gone(self, node: MappingNode) -> bool:
        return len(self._gone_pairs.get(id(node), ())) == len(node.value)

    def _kept_pair(self, node: MappingNode, index: int, step: int) -> int | None:
        """The first original pair not deleted, from `index` on in direction `step` (+1 / -1)."""
        kept = self._kept_pairs.get(id(node))
        if kept is None:  # asked only while the output is made, when deletions are all known
            gone = self._gone_pairs.get(id(node), ())
            kept = self._kept_pairs[id(node)] = [i for i in range(len(node.value)) if i not in gone]
        if step > 0:
            at = bisect_left(kept, index)
            return kept[at] if at < len(kept) else None
        at = bisect_right(kept, index)
        return kept[at - 1] if at > 0 else None

    def _flow_cut_span(self, node: MappingNode, index: int) -> tuple[int, int]:
        pairs = node.value
        if self._all_pairs_gone(node):  # one span holds the live entries
            start, end = pairs[0][0].start_mark.index, self._content_end(pairs[-1][1])
            return (start, end) if index == 0 else (end, end)
        if index > 0 and self._kept_pair(node, index - 1, -1) is not None:
            return self._content_end(pairs[index - 1][1]), self._content_end(pairs[index][1])
        return pairs[index][0].start_mark.index, pairs[index + 1][0].start_mark.index

    def _insert_flow_entry(self, path: tuple, node: MappingNode, added: _Added, mapping: dict, after: Any) -> Undo:
        before = self._top_level_successor(path, added.key, node)
        if before is not None:
            slot = (node.value.index(before), False)
        else:
            anchor = self._position(node, after) if after is not None else None
            slot = (len(node.value) - 1 if anchor is None else anchor, True)

        def entry() -> tuple | None:
            return (added.key, mapping[added.key]) if added.alive and added.key in mapping else None

        return self._add_op(path, 0, 0, lambda: self._flow_insertion(node, entry, *slot, True),
                            place=lambda: (self._flow_slot(node, *slot)[0],) * 2)

    def _flow_slot(self, node: MappingNode, index: int, after: bool) -> tuple[int, bool]:
        """(offset, whether the new entry follows a kept pair there) of an insertion after (or
        before) pair `index`, moved to the nearest kept pair if that one was deleted."""
        first = (self._kept_pair(node, index, -1), True) if after else (self._kept_pair(node, index, 1), False)
        slot = first if first[0] is not None else \
            ((self._kept_pair(node, index, 1), False) if after else (self._kept_pair(node, index, -1), True))
        kept, follows = slot
        if kept is None:  # nothing left to stand beside: the deletion renders the live entries
            return self._content_end(node.value[-1][1]), True
        key_node, value_node = node.value[kept]
        return (self._content_end(value_node), True) if follows else (key_node.start_mark.index, False)

    def _flow_insertion(self, node: Node, entry: Callable[[], tuple | None], index: int, after: bool,
                        is_map: bool) -> str:
        pair = entry()
        if pair is None or is_map and self._all_pairs_gone(node):
            return ""
        sep, lead, multiline = self._flow_layout(node, is_map)
        text = self._flow_entry(*pair, lead, multiline, is_map)
        follows = self._flow_slot(node, index, after)[1] if is_map else True
        return sep + text if follows else text + sep

    def _flow_entries(self, node: MappingNode, mapping: dict) -> str:
        sep, lead, multiline = self._flow_layout(node, True)
        return sep.join(self._flow_entry(key, value, lead, multiline, True) for key, value in mapping.items())

    def _flow_layout(self, node: Node, is_map: bool) -> tuple[str, str, bool]:
        """(separator, line lead, one entry per line?) of a flow collection's entries."""
        first_item = node.value[0][0] if is_map else node.value[0]
        if first_item.start_mark.line != node.start_mark.line:
            lead = self._line_lead(first_item.start_mark.index)
            return "," + self.d.eol + lead, lead, True
        return ", ", self._line_lead(node.start_mark.index), False

    def _flow_entry(self, key: Any, value: Any, lead: str, multiline: bool, is_map: bool) -> str:
        if self._json:
            head = render.json_key(key) + self.d.json_colon if is_map else ""
            return head + render.json_value(value, lead, self.d, compact=not multiline)
        head = render.scalar(key, self.d, flow=True) + ": " if is_map else ""
        return head + render.flow(value, self.d)

    def _insert_flow_item(self, path: tuple, node: SequenceNode, item: Callable[[], Any]) -> Undo:
        pos = self._content_end(node.value[-1])
        return self._add_op(path, pos, pos, lambda: self._flow_insertion(node, lambda: (None, item()), 0, True, False))

    # ------------------------------------------------------------ positions

    def _content_end(self, node: Node, keep_breaks: bool = True) -> int:
        """Offset just past the node's last meaningful character.

        The line breaks that end a keep-chomped block scalar (`|+`) are part of its value, so
        text inserted after it goes after them; a replacement (`keep_breaks=False`) ends at its
        last character and leaves them, as the line breaks of the text that follows.
        """
        last = _last_leaf(node)
        end = last.end_mark.index
        if isinstance(last, ScalarNode) and last.style in ("|", ">"):
            if keep_breaks and self._keeps_breaks(last):
                while self.src[end - 1] in " \t":  # a last line of spaces, at the end of the file
                    end -= 1
                return end
            while end > 0 and self.src[end - 1] in " \t\r\n":
                end -= 1
        return end

    def _keeps_breaks(self, scalar: ScalarNode) -> bool:
        """Whether a block scalar's header says keep (`|+`, `>2+`)."""
        start = scalar.start_mark.index
        line_end = self.src.find("\n", start)
        header = self.src[start:line_end if line_end >= 0 else len(self.src)]
        return "+" in header.split("#", 1)[0]

    def _after_node(self, node: Node, keep_breaks: bool = True) -> int:
        """Offset of the start of the line after the node's last content line."""
        end = self._content_end(node, keep_breaks)
        if end > 0 and self.src[end - 1] == "\n":
            return end
        newline = self.src.find("\n", end)
        return len(self.src) if newline < 0 else newline + 1

    def _after_value(self, pair: tuple, keep_breaks: bool = True) -> int:
        key_node, value_node = pair
        if value_node.start_mark.index < key_node.end_mark.index:
            # An alias (`key: *name`): its node sits at the anchor, so use the key's line.
            line_end = self.src.find("\n", key_node.end_mark.index)
            rest = self.src[key_node.end_mark.index:line_end if line_end >= 0 else len(self.src)]
            if not rest.split("#", 1)[0].strip().lstrip(":").strip().startswith("*"):
                raise EditError("refusing to edit next to a YAML alias")
            return len(self.src) if line_end < 0 else line_end + 1
        return self._after_node(value_node, keep_breaks)

    def _leading_start(self, pair: tuple) -> int:
        """Start of the own-line comments directly above an entry (or of its line)."""
        pos = self.src.rfind("\n", 0, pair[0].start_mark.index) + 1
        while pos > 0:
            prev = self.src.rfind("\n", 0, pos - 1) + 1
            if not self.src[prev:pos].lstrip().startswith("#"):
                break
            pos = prev
        return pos

    def _lines_at(self, pos: int, lines: list[str]) -> str:
        eol = self.d.eol
        body = eol.join(lines)
        if pos >= len(self.src) and not self.src.endswith("\n"):
            return eol + body
        return body + eol

    def _line_lead(self, index: int) -> str:
        start = self.src.rfind("\n", 0, index) + 1
        text = self.src[start:index]
        return text[: len(text) - len(text.lstrip(" \t"))]


def fresh(value: Any) -> Any:
    """A copy of template data (dicts, lists, tuples of scalars) that shares no container with `value`."""
    if isinstance(value, dict):
        return {key: fresh(item) for key, item in value.items()}
    if isinstance(value, list):
        return [fresh(item) for item in value]
    if isinstance(value, tuple):
        return tuple(fresh(item) for item in value)
    return value  # scalars are immutable


def _last_leaf(node: Node) -> Node:
    """The node whose text ends a block collection's text (the node itself otherwise)."""
    while isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
        node = node.value[-1][1] if isinstance(node, MappingNode) else node.value[-1]
    return node


def _is_block_scalar(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.style in ("|", ">")


def _in_flow(node: Node) -> bool:
    return bool(getattr(node, "flow_style", False))


def _after_first_line(text: str, comment: str, eol: str) -> str:
    first, sep, rest = text.partition(eol)
    return first + comment + sep + rest


def _both(first: Undo, second: Undo) -> Undo:
    def undo() -> None:
        second()
        first()

    return undo


def _show(path: tuple) -> str:
    return ".".join(str(p) for p in path) or "<top>"
