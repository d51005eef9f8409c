"""Shared by the table generators: write a generated module, or check that it is current."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


class SourceRefused(Exception):
    """The generator's source is not in a shape it knows; the message says what it expected."""


def write_or_check(target: Path, render: Callable[[], str]) -> int:
    """`--check`: exit 1 when `target` differs from what `render` makes; else (re)write it.

    Exit 2, writing nothing, when the source is refused."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="compare with the committed table instead of writing")
    check = parser.parse_args().check
    try:
        text = render()
    except SourceRefused as refusal:
        print(f"{target.name} not generated: {refusal}", file=sys.stderr)
        return 2
    if check:
        stale = not target.exists() or target.read_text(encoding="utf-8") != text
        print(f"{target} is {'stale' if stale else 'up to date'}")
        return 1 if stale else 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0
