"""The edit ledger: the text splices edits recorded, by data path, with their undo; and the
names an edit left the keys of original mappings with.

A splice is recorded as an op under the path it writes (in the source's key names), so a
later edit that writes an ancestor anew can drop it (supersede), and its undo keep it again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node

from ..document import Document
from ..record import record

Undo = Callable[[], None]
Splice = tuple[int, int, str]  # replace source[start:end] with text


@record
class Op:
    path: tuple  # where in the data the op writes (original key names); a replacement of an ancestor drops it
    start: int
    end: int
    seq: int
    text: Callable[[], str]
    place: Callable[[], tuple[int, int]] | None = None  # for a span known only at the end (flow deletions)

    def span(self) -> tuple[int, int]:
        return self.place() if self.place else (self.start, self.end)


@record(frozen=True)
class KeyText:
    """Last step of the path of an op that rewrites a key's own text (RenameKey)."""

    name: Any


@record(frozen=True)
class NewKey:
    """A path step naming a key the source does not hold under that name now."""

    name: Any


@record
class Added:
    """A key an edit added to an original mapping; its insertion renders it by its current name."""

    key: Any
    alive: bool = True


GONE = NewKey(None)  # the name of an original entry that was deleted or renamed away
_ABSENT = object()


def both(first: Undo, second: Undo) -> Undo:
    """One undo for two steps: the second is undone first."""
    def undo() -> None:
        second()
        first()

    return undo


class Ledger:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.ops: dict[int, Op] = {}  # by seq
        self._under: defaultdict[tuple, dict[int, Op]] = defaultdict(dict)  # path prefix -> {seq: op}
        self._seq = 0
        # Keys of original mappings as edits left them, by (id(mapping node), current name):
        self._names: dict[tuple[int, Any], Any] = {}  # -> the source's name, or GONE
        self._added: dict[tuple[int, Any], Added] = {}  # -> the insertion of a key an edit added

    def clear(self) -> None:
        """Forget every op and name. An op's text closes over the layout that renders it, which
        holds this ledger: without this the cycle waits for the collector, paused while a run lasts."""
        self.ops.clear()
        self._under.clear()
        self._names.clear()
        self._added.clear()

    # ------------------------------------------------------------ ops

    def add(self, path: tuple, start: int, end: int, text: Callable[[], str],
            place: Callable[[], tuple[int, int]] | None = None) -> Undo:
        self._seq += 1
        op = Op(self.canonical(path), start, end, self._seq, text, place)
        self._keep([op])
        return lambda: self._drop([op])

    def supersede(self, path: tuple) -> Undo:
        """Drop the ops inside `path`, whose value is about to be written anew."""
        dropped = list(self._under.get(self.canonical(path), {}).values())
        self._drop(dropped)
        return lambda: self._keep(dropped)

    def placed(self) -> list[tuple[int, int, Op]]:
        """(start, end, op) of every op, in the order their texts go into the output.

        At one offset, text for a deeper container goes first: that container ends there and
        the shallower one continues after it (a new resource after X vs a key added to X).
        """
        return sorted(((*op.span(), op) for op in self.ops.values()),
                      key=lambda p: (p[0], p[1] != p[0], -len(p[2].path), p[2].seq))

    def canonical(self, path: tuple) -> tuple:
        """`path` with the source's key names: ops stay findable after their keys are renamed."""
        if not self._names:
            return path
        data: Any = self.doc.data
        steps = []
        for step in path:
            node = self.doc.node_of.get(id(data)) if isinstance(data, dict) else None
            name = self._names.get((id(node), step), step) if node is not None else step
            steps.append(NewKey(step) if name is GONE else name)
            try:
                data = data[step]
            except (KeyError, IndexError, TypeError):
                data = None
        return tuple(steps)

    def _keep(self, ops: Iterable[Op]) -> None:
        """Record ops, indexed under every prefix of their path (O(path depth) each)."""
        for op in ops:
            self.ops[op.seq] = op
            for size in range(len(op.path) + 1):
                self._under[op.path[:size]][op.seq] = op

    def _drop(self, ops: Iterable[Op]) -> None:
        for op in ops:
            self.ops.pop(op.seq, None)
            for size in range(len(op.path) + 1):
                prefix = op.path[:size]
                bucket = self._under.get(prefix)
                if bucket is not None:
                    bucket.pop(op.seq, None)
                    if not bucket:
                        del self._under[prefix]

    # ------------------------------------------------------------ keys as edits left them

    def source_name(self, node: MappingNode, key: Any) -> Any:
        """The source's name of the entry now called `key`, or GONE if the source has none."""
        return self._names.get((id(node), key), key)

    def pair(self, node: MappingNode, key: Any) -> tuple[Node, Node] | None:
        """The original (key node, value node) of the entry now called `key`, if it is one."""
        name = self.source_name(node, key)
        return None if name is GONE else self.doc.entry(node, name)

    def position(self, node: MappingNode, key: Any) -> int | None:
        name = self.source_name(node, key)
        return None if name is GONE else self.doc.position(node, name)

    def child(self, node: Node, step: Any) -> Node | None:
        if isinstance(node, MappingNode):
            pair = self.pair(node, step)
            return pair[1] if pair else None
        return self.doc.child(node, step)

    def rename_entries(self, node: MappingNode, names: dict) -> Undo:
        """Record current names of original entries (current name -> source name or GONE)."""
        before = {key: self._names.get((id(node), key), _ABSENT) for key in names}
        self._names.update({(id(node), key): name for key, name in names.items()})

        def undo() -> None:
            for key, name in before.items():
                if name is _ABSENT:
                    del self._names[(id(node), key)]
                else:
                    self._names[(id(node), key)] = name

        return undo

    def track_added(self, node: MappingNode, key: Any) -> tuple[Added, Undo]:
        added = Added(key)
        self._added[(id(node), key)] = added
        return added, lambda: self._added.pop((id(node), key), None)

    def forget_added(self, node: MappingNode, key: Any) -> Undo:
        added = self._added.pop((id(node), key), None)
        if added is None:
            return lambda: None
        added.alive = False

        def undo() -> None:
            added.alive = True
            self._added[(id(node), key)] = added

        return undo

    def rename_added(self, node: MappingNode, old: Any, new: Any) -> Undo:
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
