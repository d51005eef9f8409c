"""The smallest text replacements that turn a buffer into the engine's output.

The engine splices a few fragments into the source; a line diff finds them again, and each
changed hunk is trimmed to the characters that differ, so an edit never covers more than
the fix (and never the whole document).
"""

from __future__ import annotations

from difflib import SequenceMatcher
from itertools import accumulate

Replacement = tuple[int, int, str]  # replace text[start:end] with the string


def replacements(old: str, new: str) -> list[Replacement]:
    if old == new:
        return []
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    starts = [0, *accumulate(len(line) for line in a)]
    found = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        start, end = starts[i1], starts[i2]
        found.append(_trimmed(old, start, end, "".join(b[j1:j2])))
    return [r for r in found if r[0] != r[1] or r[2]]


def _trimmed(old: str, start: int, end: int, text: str) -> Replacement:
    was = old[start:end]
    prefix = _common_prefix(was, text)
    suffix = _common_prefix(was[prefix:][::-1], text[prefix:][::-1])
    start, end, text = start + prefix, end - suffix, text[prefix:len(text) - suffix]
    # An LSP position cannot fall between the \r and the \n of one line break.
    if 0 < start < len(old) and old[start - 1] == "\r" and old[start] == "\n":
        start, text = start - 1, "\r" + text
    if 0 < end < len(old) and old[end - 1] == "\r" and old[end] == "\n":
        end, text = end + 1, text + "\n"
    return start, end, text


def _common_prefix(x: str, y: str) -> int:
    n = min(len(x), len(y))
    i = 0
    while i < n and x[i] == y[i]:
        i += 1
    return i


def apply(text: str, edits: list[Replacement]) -> str:
    """The text with non-overlapping replacements applied (last first, so offsets hold)."""
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text
