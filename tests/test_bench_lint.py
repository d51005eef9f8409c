"""The benchmark names the cfn-lint it measures by asking the executable on PATH (bench/_lint.py)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

BENCH_LINT = Path(__file__).resolve().parent.parent / "bench" / "_lint.py"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fake executables are shell scripts")


def _cfn_lint():
    return runpy.run_path(str(BENCH_LINT))["cfn_lint"]()


def _fake(folder: Path, script: str) -> Path:
    exe = folder / "cfn-lint"
    exe.write_text(f"#!/bin/sh\n{script}\n")
    exe.chmod(0o755)
    return exe


def test_the_version_is_the_one_the_executable_on_path_reports(tmp_path, monkeypatch) -> None:
    exe = _fake(tmp_path, 'echo "cfn-lint 9.8.7"')
    monkeypatch.setenv("PATH", str(tmp_path))
    assert _cfn_lint() == (str(exe), "9.8.7")


def test_an_executable_that_will_not_say_is_unknown(tmp_path, monkeypatch) -> None:
    exe = _fake(tmp_path, "echo broken >&2; exit 3")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert _cfn_lint() == (str(exe), "unknown")


def test_no_cfn_lint_on_path_is_none(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert _cfn_lint() is None
