"""The text edits of a repair: the engine's own splices, in the buffer's offsets.

The engine records where it splices each fragment into the source (`Result.splices`); those
are the edits, so an edit never covers more than the fix (never the whole document). An
engine without that record, or splices that do not rebuild the verified output, fall back
to a line diff of the output, each changed hunk trimmed to the characters that differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from itertools import accumulate

Replacement = tuple[int, int, str]  # replace text[start:end] with the string


def edits_for(text: str, output: str, splices: Sequence[Replacement] | None, bom: int = 0) -> list[Replacement]:
    """Replacements that turn the buffer `text` into `output`: the splices when they do it.

    Splices are offsets into the engine's source, which lacks the byte order mark (`bom`
    characters) and holds a CR-only file's line ends as LF (same length, so offsets hold)."""
    if splices is not None:
        found = _from_splices(text, splices, bom)
        if found is not None and apply(text, found) == output:
            return found
    return replacements(text, output)


def _from_splices(text: str, splices: Sequence[Replacement], bom: int) -> list[Replacement] | None:
    body = text[bom:]
    cr_only = "\r" in body and "\n" not in body
    found: list[Replacement] = []
    for start, end, new in sorted(splices, key=lambda s: s[0]):  # stable: inserts at one offset keep order
        if not 0 <= start <= end <= len(body):
            return None
        start, end, new = _trimmed(text, start + bom, end + bom, new.replace("\n", "\r") if cr_only else new)
        if start == end and not new:
            continue
        if found and start < found[-1][1]:
            return None  # overlapping: not splices of one source
        if found and start == found[-1][1]:  # touching: one edit, so no client reorders the two
            last = found.pop()
            start, new = last[0], last[2] + new
        found.append((start, end, new))
    return found


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
