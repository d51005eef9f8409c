"""Unified diffs that `patch` and `git apply` accept, including a missing final newline."""

from __future__ import annotations

import difflib
import os


def unified_diff(before: str, after: str, path: str) -> str:
    """`a/PATH` and `b/PATH` headers, as git writes them, so `git apply` needs no `-p0`."""
    a = _lines(before)
    b = _lines(after)
    absolute = path.startswith("/")
    name = path if absolute or path == "-" else os.path.normpath(path)  # no `./`, which git apply refuses
    separator = "" if absolute else "/"
    lines = difflib.unified_diff(a, b, f"a{separator}{name}", f"b{separator}{name}")
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines with their ends; a CR-only line end (classic Mac OS) is shown as a line break, since
    `patch` and `git apply` know no other (the diff is then for reading; --write keeps the CRs)."""
    lines = text.splitlines(keepends=True)
    return [line[:-1] + "\n" if line.endswith("\r") else line for line in lines]
