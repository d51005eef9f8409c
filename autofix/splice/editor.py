"""Apply edits: change the data at once, and record text splices rendered at the end.

Every splice is anchored in the original source. A value created by an earlier edit is
live data: later edits inside it only change that data, and it is rendered once, when
the output is produced, so edits compose without positions ever going stale.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from .. import render
from ..dialect import Dialect
from ..document import Document
from ..edits import AppendItem, DeleteKey, Edit, RenameKey, ReplaceValue, SetKey
from ..errors import EditError
from .block_layout import BlockLayout
from .block_scalars import BlockScalarPass
from .flow_layout import FlowLayout
from .geometry import Geometry, in_flow, is_block_scalar, last_leaf
from .ledger import GONE, KeyText, Ledger, Splice, Undo, both


class Editor:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.src = doc.source
        self._json = doc.fmt == "json"
        self._ledger = Ledger(doc)
        self._splices: list[Splice] | None = None  # as last computed; any edit or undo clears it

    # The file's dialect is read when an edit first needs it: the engine makes an editor for
    # every template, and most patches on most templates apply nothing.

    @cached_property
    def d(self) -> Dialect:
        return self.doc.dialect

    @cached_property
    def _geo(self) -> Geometry:
        return Geometry(self.src, self.d.eol)

    @cached_property
    def _block(self) -> BlockLayout:
        return BlockLayout(self._geo, self._ledger, self.d)

    @cached_property
    def _flow(self) -> FlowLayout:
        return FlowLayout(self._geo, self._ledger, self.d, self._json)

    @cached_property
    def _scalars(self) -> BlockScalarPass:
        return BlockScalarPass(self._geo, self.doc.root)

    # ------------------------------------------------------------ public

    def apply(self, edit: Edit) -> Undo:
        """Apply one edit to the data and record its splice; returns its undo.

        The value written is a copy of the proposed one: a patch may propose one object for
        many places (LAM001's value for every function), and a later edit into one of them
        must not change the others, nor reach back into the template a patch read it from.
        """
        self._splices = None
        undo = self._apply(edit)

        def undo_and_forget() -> None:
            self._splices = None
            undo()

        return undo_and_forget

    def splices(self) -> list[Splice]:
        """The text edits that make the output: (start, end, text) replacing source[start:end],
        in source order (insertions at one offset in the order given), no two overlapping.

        Offsets are into `doc.source`, the text as parsed: without a byte-order mark, and with a
        CR-only file's line ends read as LF (the same length). Empty insertions are left out.
        """
        if self._splices is None:
            self._flow.start_output()
            placed = [(start, end, op.text()) for start, end, op in self._ledger.placed()]
            splices = self._scalars.apply(placed)
            pos = 0
            for start, end, _ in splices:
                if start < pos:
                    raise EditError("overlapping edits")
                pos = end
            self._splices = [s for s in splices if s[0] != s[1] or s[2]]
        return list(self._splices)

    def close(self) -> None:
        """Free what the edits recorded (the splices stay as last computed): an editor closed
        and dropped is freed at once, with no help from the cyclic collector."""
        self.splices()
        self._ledger.clear()

    def output(self) -> str:
        out: list[str] = []
        pos = 0
        for start, end, text in self.splices():
            out.append(self.src[pos:start])
            out.append(text)
            pos = end
        out.append(self.src[pos:])
        return "".join(out)

    def _content_end(self, node: Node, keep_breaks: bool = True) -> int:
        """Where a node's text ends (tests/test_corpus.py reads spans with it)."""
        return self._geo.content_end(node, keep_breaks)

    # ------------------------------------------------------------ edits

    def _apply(self, edit: Edit) -> Undo:
        # What a value-writing edit writes is a copy of its value (see `apply`), passed beside it.
        if isinstance(edit, SetKey):
            return self._set_key(edit, fresh(edit.value))
        if isinstance(edit, ReplaceValue):
            return self._replace(edit.path, fresh(edit.value))
        if isinstance(edit, AppendItem):
            return self._append(edit, fresh(edit.value))
        if isinstance(edit, DeleteKey):
            return self._delete(edit)
        if isinstance(edit, RenameKey):
            return self._rename(edit)
        raise EditError(f"unknown edit {edit!r}")

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

    # ------------------------------------------------------------ SetKey

    def _set_key(self, edit: SetKey, written: Any) -> Undo:
        data: Any = self.doc.data
        path = edit.path
        for depth, step in enumerate(path):
            if isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
                data = data[step]  # an existing sequence item on the way (e.g. MethodSettings[1])
                continue
            if not isinstance(data, dict):
                raise EditError(f"{_show(path[:depth])} is not a mapping")
            if step not in data:
                value: Any = {edit.key: written}
                for name in reversed(path[depth + 1:]):
                    value = {name: value}
                return self._insert(data, path[:depth], step, value, None)
            if data[step] is None:
                value = {edit.key: written}
                for name in reversed(path[depth + 1:]):
                    value = {name: value}
                return self._replace(path[:depth + 1], value)
            data = data[step]
        if not isinstance(data, dict):
            raise EditError(f"{_show(path)} is not a mapping")
        return self._insert(data, path, edit.key, written, edit.after)

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
            return both(undo_data, self._rerender(path, mapping, node))
        added, untrack = self._ledger.track_added(node, key)
        undo_data = both(undo_data, untrack)
        if node.flow_style or self._json:
            return both(undo_data, self._flow.insert_entry(path, node, added, mapping, after))
        return both(undo_data, self._block.insert_entry(node, path, added, mapping, after))

    # ------------------------------------------------------------ AppendItem

    def _append(self, edit: AppendItem, written: Any) -> Undo:
        seq = self._walk(edit.path)
        if not isinstance(seq, list):
            raise EditError(f"{_show(edit.path)} is not a sequence")
        node = self._node(seq)
        seq.append(written)
        index = len(seq) - 1

        def undo_data() -> None:
            seq.pop()

        if node is None:
            return undo_data
        assert isinstance(node, SequenceNode)
        if not node.value:
            return both(undo_data, self._rerender(edit.path, seq, node))
        if node.flow_style or self._json:
            return both(undo_data, self._flow.insert_item(edit.path, node, lambda: seq[index]))
        return both(undo_data, self._block.append_item(edit.path, node, lambda: seq[index]))

    # ------------------------------------------------------------ ReplaceValue

    def _replace(self, path: tuple, value: Any) -> Undo:
        if not path:
            raise EditError("cannot replace the whole template")
        parent = self._walk(path[:-1])
        last = path[-1]
        try:
            old = parent[last]
        except (KeyError, IndexError, TypeError):
            raise EditError(f"path {_show(path)} does not exist") from None
        node = self._node(parent)
        parent[last] = value

        def undo_data() -> None:
            parent[last] = old

        if node is None or self._ledger.child(node, last) is None:
            return undo_data  # the value was added by an earlier edit and renders from data
        try:
            return both(undo_data, self._replace_child(path, node, lambda: value))
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
            pair = self._ledger.pair(parent, step)
            if pair is None:
                raise EditError(f"no key {step!r} in the source")
            key_node, target = pair
        else:
            key_node, target = None, parent.value[step]
        if target.start_mark.index < (key_node.end_mark.index if key_node else 0):
            raise EditError("refusing to replace a YAML alias")
        if getattr(target, "anchor", None):
            raise EditError("refusing to replace an anchored value")
        start, end = target.start_mark.index, self._geo.content_end(target, keep_breaks=False)
        restore = self._ledger.supersede(path)
        if self._json or in_flow(parent):
            one_line = isinstance(target, MappingNode | SequenceNode) and target.start_mark.line == target.end_mark.line \
                and parent.start_mark.line == parent.end_mark.line
            undo = self._ledger.add(path, start, end, lambda: self._flow.value(value(), start, one_line))
        else:
            undo = self._ledger.add(path, *self._block.replacement(key_node, target, start, end, value))
        return both(restore, undo)

    # ------------------------------------------------------------ DeleteKey / RenameKey

    def _delete(self, edit: DeleteKey) -> Undo:
        mapping = self._walk(edit.path)
        if not isinstance(mapping, dict) or edit.key not in mapping:
            raise EditError(f"path {_show(edit.path + (edit.key,))} does not exist")
        if len(mapping) == 1:
            raise EditError(f"refusing to delete the only key of {_show(edit.path)}")
        node = self._node(mapping)
        index = self._ledger.position(node, edit.key) if node is not None else None
        if node is not None and index is not None and not self._flow.is_flow(node):
            self._block.check_own_line(node.value[index][0])
        old = mapping.pop(edit.key)

        def undo_data() -> None:
            mapping[edit.key] = old

        if node is None:
            return undo_data
        if index is None:  # a key an earlier edit added: its insertion renders nothing now
            return both(undo_data, self._ledger.forget_added(node, edit.key))
        target = edit.path + (edit.key,)
        name = self._ledger.source_name(node, edit.key)
        restore = both(self._ledger.supersede(target), self._ledger.supersede(edit.path + (KeyText(name),)))
        if self._flow.is_flow(node):
            cut = self._flow.cut_pair(target, node, index, mapping)
        else:
            after_scalar = index > 0 and is_block_scalar(last_leaf(node.value[index - 1][1]))
            cut = self._block.cut_pair(target, node.value[index], after_scalar)
        forget = self._ledger.rename_entries(node, {edit.key: GONE})
        return both(both(undo_data, restore), both(cut, forget))

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
        pair = self._ledger.pair(node, edit.old)
        if pair is None:  # a key an earlier edit added: its insertion follows the new name
            return both(undo_data, self._ledger.rename_added(node, edit.old, edit.new))
        name = self._ledger.source_name(node, edit.old)
        key_path = edit.path + (KeyText(name),)
        restore = self._ledger.supersede(key_path)  # an earlier rename of the same key
        names = self._ledger.rename_entries(node, {edit.old: GONE, edit.new: name})
        key_node = pair[0]
        if self._json or key_node.style == '"':
            new_text = render.json_key(edit.new)
        elif key_node.style == "'":
            new_text = "'" + edit.new.replace("'", "''") + "'"
        else:
            new_text = render.scalar(edit.new, self.d, flow=bool(node.flow_style))
        op = self._ledger.add(key_path, key_node.start_mark.index, key_node.end_mark.index, lambda: new_text)
        return both(both(undo_data, restore), both(names, op))


def fresh(value: Any) -> Any:
    """A copy of template data (dicts, lists, tuples of scalars) that shares no container with `value`."""
    if type(value) is str:  # most leaves: said before the three questions below
        return value
    if isinstance(value, dict):
        return {key: fresh(item) for key, item in value.items()}
    if isinstance(value, list):
        return [fresh(item) for item in value]
    if isinstance(value, tuple):
        return tuple(fresh(item) for item in value)
    return value  # scalars are immutable


def _show(path: tuple) -> str:
    return ".".join(str(p) for p in path) or "<top>"
