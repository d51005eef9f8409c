"""Where a change belongs in the source: the resource or property it concerns.

A change's path names where text goes, which for a new key is below anything in the file.
The diagnostic goes on the deepest key the file already has along that path; a change that
adds a whole resource (or a parameter, a condition) goes on the resource its message names,
else beside the patch's other changes, else on the section.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from ..document import Document
from ..edits import Change

Span = tuple[int, int]  # code-point offsets into the document's source
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def spans(doc: Document, changes: Sequence[Change]) -> list[Span]:
    """One span per change, in order."""
    resources = _resources(doc)
    ids = _ids(resources)
    found = [_concerned(doc, resources, ids, change) for change in changes]
    near: dict[str, Span] = {}
    for change, span in zip(changes, found):
        if span is not None:
            near.setdefault(change.patch_id, span)
    return [span or near.get(change.patch_id) or _walk(doc, change.path)[0] or _first_line(doc)
            for change, span in zip(changes, found)]


def _concerned(doc: Document, resources: MappingNode | None, ids: frozenset[str], change: Change) -> Span | None:
    path = change.path
    span, depth = _walk(doc, path)
    if span is not None and depth >= 2:
        if depth == 3 and len(path) > 3 and path[0] == "Resources" and path[2] == "Properties":
            return _walk(doc, path[:2])[0]  # a new property: the resource, not its `Properties:` key
        return span
    return _named(doc, resources, ids, change.message)


def _walk(doc: Document, path: tuple) -> tuple[Span | None, int]:
    """The span of the deepest key (or sequence item) of `path` the source holds, and its depth."""
    node: Node = doc.root
    span: Span | None = None
    depth = 0
    for step in path:
        if isinstance(node, MappingNode):
            pair = doc.entry(node, step)
            if pair is None:
                break
            key, node = pair
            span = (key.start_mark.index, key.end_mark.index)
        elif isinstance(node, SequenceNode):
            child = doc.child(node, step)
            if child is None:
                break
            node = child
            span = (child.start_mark.index, _line_end(doc.source, child.start_mark.index, child.end_mark.index))
        else:
            break
        depth += 1
    return span, depth


def _resources(doc: Document) -> MappingNode | None:
    pair = doc.entry(doc.root, "Resources")
    return pair[1] if pair and isinstance(pair[1], MappingNode) else None


def _ids(resources: MappingNode | None) -> frozenset[str]:
    """The logical ids the file holds: read once per document, not once per change."""
    return frozenset(k.value for k, _ in resources.value if isinstance(k.value, str)) if resources else frozenset()


def _named(doc: Document, resources: MappingNode | None, ids: frozenset[str], message: str) -> Span | None:
    """The key of the existing resource a message is about: its `Name:` prefix, else the first
    resource it names, else the one a new resource is named after (ApiStage for ApiStageLogGroup)."""
    if resources is None:
        return None
    head = message.split(":", 1)[0].strip() if ":" in message else ""
    words = ([head] if _WORD.fullmatch(head) else []) + _WORD.findall(message)
    for word in words:
        pair = doc.entry(resources, word)
        if pair is not None:
            return pair[0].start_mark.index, pair[0].end_mark.index
    for word in words:
        owner = _owner(word, ids)
        pair = doc.entry(resources, owner) if owner is not None else None
        if pair is not None:
            return pair[0].start_mark.index, pair[0].end_mark.index
    return None


def _owner(word: str, ids: frozenset[str]) -> str | None:
    """The longest logical id `word` starts with and goes beyond; a look-up per prefix, not a
    scan of every id per word (300 changes in a 1,000-line template made that the costliest part)."""
    return next((word[:n] for n in range(len(word) - 1, -1, -1) if word[:n] in ids), None)


def _line_end(text: str, start: int, limit: int) -> int:
    end = text.find("\n", start, max(limit, start))
    end = limit if end < 0 else end
    return end - 1 if end > start and text[end - 1] == "\r" else max(end, start)


def _first_line(doc: Document) -> Span:
    end = doc.source.find("\n")
    return 0, _line_end(doc.source, 0, len(doc.source) if end < 0 else end)
