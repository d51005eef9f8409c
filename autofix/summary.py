"""A semantic summary of what a repair changed, computed by deepdiff on the data."""

from __future__ import annotations

import re

from . import fastload

_STEP = re.compile(r"\[(?:'((?:[^'\\]|\\.)*)'|(\d+))\]")


def semantic_summary(source: str, output: str, fmt: str, limit: int = 200) -> list[str]:
    """Lines like `added Resources.X` and `set Resources.Y.Properties.Z`, in path order."""
    from deepdiff import DeepDiff

    before = fastload.load_data(source, fmt)
    after = fastload.load_data(output, fmt)
    diff = DeepDiff(before, after, verbose_level=0, view="tree")
    lines = []
    for kind, verb in (("dictionary_item_added", "added"), ("iterable_item_added", "appended"),
                       ("values_changed", "set"), ("type_changes", "set"),
                       ("dictionary_item_removed", "removed"), ("iterable_item_removed", "removed")):
        for item in diff.get(kind, []):
            lines.append(f"{verb} {_dotted(item.path())}")
    return sorted(set(lines), key=lambda line: line.split(" ", 1)[1])[:limit]


def _dotted(path: str) -> str:
    parts = []
    for key, index in _STEP.findall(path):
        parts.append(f"[{index}]" if index else key.replace("\\'", "'"))
    return ".".join(parts).replace(".[", "[")
