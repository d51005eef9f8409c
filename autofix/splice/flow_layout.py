"""Where text goes in flow collections (`{k: v}`, `[a, b]`) and JSON: commas, brackets, one line
or one entry per line, as each collection already is.

Deleting pairs of a flow mapping removes each with one separator: the one before it when a pair
before it is kept, else the one after it. Which pairs are kept is known only when the output is
made, so deletions and the entries added to such a mapping are placed then.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from .. import render
from ..dialect import Dialect
from .geometry import Geometry, top_level_successor
from .ledger import Added, Ledger, Undo, both


class FlowLayout:
    def __init__(self, geometry: Geometry, ledger: Ledger, dialect: Dialect, json: bool) -> None:
        self.geo = geometry
        self.ledger = ledger
        self.d = dialect
        self.json = json
        self._gone_pairs: defaultdict[int, set[int]] = defaultdict(set)  # id(flow node) -> deleted pairs
        self._kept_pairs: dict[int, list[int]] = {}  # the others, found once per output

    def is_flow(self, node: Node) -> bool:
        return bool(node.flow_style) or self.json

    def start_output(self) -> None:
        """Forget which pairs were kept: edits since the last output may have deleted more."""
        self._kept_pairs.clear()

    # ------------------------------------------------------------ deleting pairs

    def cut_pair(self, target: tuple, node: MappingNode, index: int, mapping: dict) -> Undo:
        gone = self._gone_pairs[id(node)]
        gone.add(index)

        def text() -> str:
            if self._all_pairs_gone(node) and index == 0:
                return self._entries(node, mapping)  # no original pair is left: the live ones
            return ""

        undo = self.ledger.add(target, 0, 0, text, place=lambda: self._cut_span(node, index))
        return both(lambda: gone.discard(index), undo)

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

    def _cut_span(self, node: MappingNode, index: int) -> tuple[int, int]:
        pairs = node.value
        if self._all_pairs_gone(node):  # one span holds the live entries
            start, end = pairs[0][0].start_mark.index, self.geo.content_end(pairs[-1][1])
            return (start, end) if index == 0 else (end, end)
        if index > 0 and self._kept_pair(node, index - 1, -1) is not None:
            return self.geo.content_end(pairs[index - 1][1]), self.geo.content_end(pairs[index][1])
        return pairs[index][0].start_mark.index, pairs[index + 1][0].start_mark.index

    # ------------------------------------------------------------ adding entries and items

    def insert_entry(self, path: tuple, node: MappingNode, added: Added, mapping: dict, after: Any) -> Undo:
        before = top_level_successor(path, added.key, node)
        if before is not None:
            slot = (node.value.index(before), False)
        else:
            anchor = self.ledger.position(node, after) if after is not None else None
            slot = (len(node.value) - 1 if anchor is None else anchor, True)

        def entry() -> tuple | None:
            return (added.key, mapping[added.key]) if added.alive and added.key in mapping else None

        return self.ledger.add(path, 0, 0, lambda: self._insertion(node, entry, *slot, True),
                               place=lambda: (self._slot(node, *slot)[0],) * 2)

    def insert_item(self, path: tuple, node: SequenceNode, item: Callable[[], Any]) -> Undo:
        pos = self.geo.content_end(node.value[-1])
        return self.ledger.add(path, pos, pos, lambda: self._insertion(node, lambda: (None, item()), 0, True, False))

    def _slot(self, node: MappingNode, index: int, after: bool) -> tuple[int, bool]:
        """(offset, whether the new entry follows a kept pair there) of an insertion after (or
        before) pair `index`, moved to the nearest kept pair if that one was deleted."""
        first = (self._kept_pair(node, index, -1), True) if after else (self._kept_pair(node, index, 1), False)
        slot = first if first[0] is not None else \
            ((self._kept_pair(node, index, 1), False) if after else (self._kept_pair(node, index, -1), True))
        kept, follows = slot
        if kept is None:  # nothing left to stand beside: the deletion renders the live entries
            return self.geo.content_end(node.value[-1][1]), True
        key_node, value_node = node.value[kept]
        return (self.geo.content_end(value_node), True) if follows else (key_node.start_mark.index, False)

    def _insertion(self, node: Node, entry: Callable[[], tuple | None], index: int, after: bool,
                   is_map: bool) -> str:
        pair = entry()
        if pair is None or is_map and self._all_pairs_gone(node):
            return ""
        sep, lead, multiline = self._layout(node, is_map)
        text = self._entry(*pair, lead, multiline, is_map)
        follows = self._slot(node, index, after)[1] if is_map else True
        return sep + text if follows else text + sep

    def _entries(self, node: MappingNode, mapping: dict) -> str:
        sep, lead, multiline = self._layout(node, True)
        return sep.join(self._entry(key, value, lead, multiline, True) for key, value in mapping.items())

    def _layout(self, node: Node, is_map: bool) -> tuple[str, str, bool]:
        """(separator, line lead, one entry per line?) of a flow collection's entries."""
        first_item = node.value[0][0] if is_map else node.value[0]
        if first_item.start_mark.line != node.start_mark.line:
            lead = self.geo.line_lead(first_item.start_mark.index)
            return "," + self.d.eol + lead, lead, True
        return ", ", self.geo.line_lead(node.start_mark.index), False

    def _entry(self, key: Any, value: Any, lead: str, multiline: bool, is_map: bool) -> str:
        if self.json:
            head = render.json_key(key) + self.d.json_colon if is_map else ""
            return head + render.json_value(value, lead, self.d, compact=not multiline)
        head = render.scalar(key, self.d, flow=True) + ": " if is_map else ""
        return head + render.flow(value, self.d)

    # ------------------------------------------------------------ replacing values

    def value(self, value: Any, start: int, compact: bool = False) -> str:
        """Text of a value replacing the one at `start` inside a flow collection or JSON."""
        if self.json:
            return render.json_value(value, self.geo.line_lead(start), self.d, compact)
        return render.flow(value, self.d)
