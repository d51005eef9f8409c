"""What a repair changed, as lines like `added Resources.X` and `set Resources.Y.Properties.Z`.

Built from the engine's changes, not by loading both texts and diffing them: each change
says where it wrote, so only those places are compared, the template as it was against the
document's data after the edits. The template as it was is read from the document's node
tree (edits never touch it), which tells where keys and items were; its data is loaded, once,
only when a value must be compared (a replaced value, a key written where one was). The lines
are those deepdiff gives over the two whole trees (tests/test_summary.py proves it on every
fixture and the corpus): a place's first missing mapping is `added`, a vanished key or item
`removed`, a changed leaf or type `set`, new sequence items `appended`, with deepdiff's
pairing of sequence items.
"""

from __future__ import annotations

import math
from itertools import zip_longest
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .document import Document
from .edits import Change, Path, dotted
from .kinds import Kind
from .scalars import STD_TAG

_ABSENT: Any = object()
_MAP, _SEQ = STD_TAG + "map", STD_TAG + "seq"
ADDED, APPENDED, SET, REMOVED = "added", "appended", "set", "removed"
Lines = set[tuple[str, Path]]


def semantic_summary(doc: Document, changes: list[Change], limit: int = 200) -> list[str]:
    """The summary lines of a repair of `doc` (whose data the edits changed), in path order."""
    places = _places(changes)
    try:
        lines = _Compare(_Nodes(doc)).run(places, doc.root, doc.data)
    except _NeedsData:
        from . import fastload  # rarely needed: the nodes answer for almost every change

        lines = _Compare(_Data()).run(places, fastload.load_data(doc.source, doc.fmt), doc.data)
    return ordered(f"{verb} {dotted(path)}" for verb, path in lines)[:limit]


def ordered(lines: Any) -> list[str]:
    """Distinct lines sorted by their path (then verb)."""
    return sorted(set(lines), key=lambda line: (line.split(" ", 1)[1], line))


class _Place:
    """A step of a path some change wrote at or below."""

    __slots__ = ("children", "keys", "kinds")

    def __init__(self) -> None:
        self.children: dict[Any, _Place] = {}
        self.kinds: set[str] = set()  # the kinds of the changes written exactly here
        self.keys = False  # a key of this mapping was renamed: compare its key sets


def _places(changes: list[Change]) -> _Place:
    top = _Place()
    for change in changes:
        place = parent = top
        for step in change.path:
            parent, place = place, place.children.setdefault(step, _Place())
        place.kinds.add(change.kind)
        if change.kind == Kind.RENAME:  # the change names the new key only; the old one went
            parent.keys = True
    return top


class _NeedsData(Exception):
    """The node tree cannot answer without the value: compare with the loaded data instead."""


class _Nodes:
    """The template as it was, read from its node tree: kinds, keys and lengths, no values."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def kind(self, node: Node) -> type:
        if isinstance(node, MappingNode) and node.tag == _MAP:
            return dict
        if isinstance(node, SequenceNode) and node.tag == _SEQ:
            return list
        if isinstance(node, ScalarNode) and _standard(node):
            return object  # some scalar: which one needs its value
        raise _NeedsData  # an intrinsic function (`!Ref x`, `!If [...]`): data of another shape

    def get(self, node: Node, step: Any) -> Any:
        child = self.doc.child(node, step)
        return _ABSENT if child is None else child

    def length(self, node: SequenceNode) -> int:
        return len(node.value)

    def has_container(self, node: SequenceNode) -> bool:
        return any(not isinstance(item, ScalarNode) or not _standard(item) for item in node.value)

    def value(self, node: Node) -> Any:
        raise _NeedsData

    def keys(self, node: MappingNode) -> Any:
        raise _NeedsData


def _standard(node: Node) -> bool:
    """A node of the YAML core schema, not an intrinsic function's short form."""
    return (node.tag or "").startswith(STD_TAG)


class _Data:
    """The template as it was, as data."""

    def kind(self, value: Any) -> type:
        return dict if type(value) is dict else list if type(value) is list else object

    def get(self, value: Any, step: Any) -> Any:
        if type(value) is dict:
            return value.get(step, _ABSENT)
        if type(value) is list and type(step) is int and 0 <= step < len(value):
            return value[step]
        return _ABSENT

    def length(self, value: list) -> int:
        return len(value)

    def has_container(self, value: list) -> bool:
        return _has_container(value)

    def value(self, value: Any) -> Any:
        return value

    def keys(self, value: dict) -> Any:
        return value.keys()


class _Compare:
    """Walks the places changes wrote, the template as it was (`before`) beside the data now."""

    def __init__(self, before: _Nodes | _Data) -> None:
        self.before = before
        self.lines: Lines = set()

    def run(self, top: _Place, before: Any, after: dict) -> Lines:
        self._walk(top, before, after, ())
        return self.lines

    def _walk(self, place: _Place, before: Any, after: Any, path: Path) -> None:
        if before is _ABSENT or after is _ABSENT:
            self._presence(before, after, path)
            return
        if place.kinds:  # written here: all of it is compared (below it, deeper places are inside)
            self._written(place, before, after, path)
            return
        kind = self.before.kind(before)
        if kind is not _kind(after):
            self.lines.add((SET, path))
        elif kind is dict:
            self._mapping(place, before, after, path)
        elif kind is list:
            self._sequence(place, before, after, path)
        else:
            diff(self.before.value(before), after, path, self.lines)

    def _presence(self, before: Any, after: Any, path: Path) -> None:
        if before is _ABSENT and after is not _ABSENT:
            self.lines.add((ADDED, path))
        elif after is _ABSENT and before is not _ABSENT:
            self.lines.add((REMOVED, path))

    def _written(self, place: _Place, before: Any, after: Any, path: Path) -> None:
        if place.kinds == {Kind.APPEND} and not place.children and self.before.kind(before) is list \
                and type(after) is list and len(after) >= self.before.length(before):
            # Only appended to: the items it had are the items it starts with, so deepdiff,
            # whichever way it pairs them, reports the new ones.
            for index in range(self.before.length(before), len(after)):
                self.lines.add((APPENDED, path + (index,)))
            return
        diff(self.before.value(before), after, path, self.lines)

    def _mapping(self, place: _Place, before: Any, after: dict, path: Path) -> None:
        if place.keys:
            old = self.before.keys(before)
            self.lines.update((ADDED, path + (key,)) for key in after if key not in old)
            self.lines.update((REMOVED, path + (key,)) for key in old if key not in after)
        for step, child in place.children.items():
            self._walk(child, self.before.get(before, step), after.get(step, _ABSENT), path + (step,))

    def _sequence(self, place: _Place, before: Any, after: list, path: Path) -> None:
        if not (self.before.has_container(before) or _has_container(after)):
            diff(self.before.value(before), after, path, self.lines)  # deepdiff aligns scalars with difflib
            return
        # Items paired one by one: the extra ones are added or removed whole, the others
        # differ only where a change wrote (no edit inserts into or deletes from a sequence).
        size, now = self.before.length(before), len(after)
        self.lines.update((APPENDED, path + (i,)) for i in range(size, now))
        self.lines.update((REMOVED, path + (i,)) for i in range(now, size))
        for step, child in place.children.items():
            if type(step) is int and 0 <= step < min(size, now):
                self._walk(child, self.before.get(before, step), after[step], path + (step,))


def _kind(value: Any) -> type:
    return dict if type(value) is dict else list if type(value) is list else object


def _has_container(items: list) -> bool:
    return any(type(item) is dict or type(item) is list for item in items)


# ---------------------------------------------------------------- deepdiff's comparison, on values


def diff(before: Any, after: Any, path: Path, lines: Lines) -> None:
    """Add what deepdiff (tree view, default options) reports between two values at `path`."""
    if before is after:
        return
    if type(before) is not type(after):
        lines.add((SET, path))
    elif type(before) is dict:
        lines.update((ADDED, path + (key,)) for key in after if key not in before)
        for key, value in before.items():
            if key in after:
                diff(value, after[key], path + (key,), lines)
            else:
                lines.add((REMOVED, path + (key,)))
    elif type(before) is list:
        lines.update(_sequence_diff(before, after, path))
    elif before != after and not (type(before) is float and math.isnan(before) and math.isnan(after)):
        lines.add((SET, path))  # (deepdiff reports NaN against NaN, unequal to itself, as set)


def _sequence_diff(before: list, after: list, path: Path) -> Lines:
    """deepdiff's in-order sequence diff: items paired by index, or, when every item of both is a
    scalar, aligned by difflib unless pairing by index reports no more."""
    if _has_container(before) or _has_container(after):
        return _paired(before, after, 0, 0, path)[0]
    aligned, count = _aligned(before, after, path)
    paired, paired_count = _paired(before, after, 0, 0, path)
    if count >= paired_count:
        aligned = paired
    # An index both removed and added (difflib's delete beside an insert) is a value changed.
    added = {p for verb, p in aligned if verb == APPENDED}
    both = {p for verb, p in aligned if verb == REMOVED} & added
    return {(SET, p) if p in both else (verb, p) for verb, p in aligned}


def _aligned(before: list, after: list, path: Path) -> tuple[Lines, int]:
    import difflib  # only for a replaced sequence of scalars

    lines: Lines = set()
    count = 0
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace":
            chunk, found = _paired(before[i1:i2], after[j1:j2], i1, j1, path)
            lines |= chunk
            count += found
        elif tag == "delete":
            lines.update((REMOVED, path + (i,)) for i in range(i1, i2))
            count += i2 - i1
        elif tag == "insert":
            lines.update((APPENDED, path + (j,)) for j in range(j1, j2))
            count += j2 - j1
    return lines, count


def _paired(before: list, after: list, first: int, second: int, path: Path) -> tuple[Lines, int]:
    """Items paired by position (from index `first` of `before` and `second` of `after`), with the
    number of reports. (In difflib's replaced runs no two items are equal, so deepdiff's
    `iterable_item_moved` never arises.)"""
    lines: Lines = set()
    count = 0
    for k, (old, new) in enumerate(zip_longest(before, after, fillvalue=_ABSENT)):
        i, j = first + k, second + k
        if new is _ABSENT:
            lines.add((REMOVED, path + (i,)))
        elif old is _ABSENT:
            lines.add((APPENDED, path + (j,)))
        else:
            found: Lines = set()
            diff(old, new, path + (i,), found)
            lines |= found
            count += len(found)
            continue
        count += 1
    return lines, count
