"""Hover text on a diagnostic: what `cfn-fix explain ID` prints, for each patch under the cursor."""

from __future__ import annotations

from ..registry import by_id
from .analysis import Analysis
from .lines import LineIndex


def hover_text(found: Analysis, lines: LineIndex, line: int, character: int) -> str | None:
    offset = lines.offset(line, character) - found.bom
    ids = list(dict.fromkeys(item.patch_id for item, (start, end) in zip(found.items, found.spans)
                             if start <= offset <= end))
    parts = [explain(pid) for pid in ids]
    return "\n\n---\n\n".join(p for p in parts if p) or None


def explain(patch_id: str) -> str | None:
    """Markdown of one patch: id, name, safety, title, explanation, options and what it resolves."""
    cls = by_id(patch_id)
    if cls is None:
        return None
    defaults = ", ".join(f"`{k}={v!r}`" for k, v in cls.defaults().items()) or "none"
    lines = [f"**{cls.id}** `{cls.name}` ({cls.safety}): {cls.title}"]
    if cls.explanation:
        lines.append(cls.explanation.strip())
    lines.append(f"Options (defaults): {defaults}")
    lines.append(f"Resolves: {', '.join(cls.resolves) or '-'}")
    if cls.honours:
        lines.append(f"Also stopped by a skip of: {', '.join(cls.honours)}")
    return "\n\n".join(lines)
