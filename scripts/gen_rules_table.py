"""Regenerate the README's table of patches from the registry (a test keeps it in sync).

    python scripts/gen_rules_table.py          # rewrite README.md in place
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BEGIN, END = "<!-- rules-table:begin -->", "<!-- rules-table:end -->"


def table() -> str:
    from autofix.registry import all_patches

    rows = ["| Id | Name | Safety | What it fixes | Resolves |", "| --- | --- | --- | --- | --- |"]
    for cls in all_patches():
        rows.append(f"| {cls.id} | `{cls.name}` | {cls.safety} | {cls.title} | {', '.join(cls.resolves) or '-'} |")
    return "\n".join(rows)


def render(readme: str) -> str:
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n" + table() + "\n" + readme[end:]


if __name__ == "__main__":
    path = ROOT / "README.md"
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
