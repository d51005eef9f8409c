"""What a plain (non-editable) install ships: every package of the source tree."""

from __future__ import annotations

import fnmatch
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    tomllib = pytest.importorskip("tomli")


def _packages() -> list[str]:
    found = []
    for init in sorted(ROOT.glob("*/**/__init__.py")):
        rel = init.parent.relative_to(ROOT)
        if rel.parts[0] in ("autofix", "patches"):
            found.append(".".join(rel.parts))
    return found


def test_every_package_is_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    include = config["packages"]["find"]["include"]
    missing = [p for p in _packages() if not any(fnmatch.fnmatch(p, pattern) for pattern in include)]
    assert "autofix.semantics" in _packages() and missing == []
