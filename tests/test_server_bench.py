"""The server latency benchmark runs (a smoke test on a small template; it asserts no figure)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")

ROOT = Path(__file__).resolve().parent.parent


def test_server_latency_benchmark_prints_its_figures():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "server_latency.py"), "--lines", "80",
                           "--changes", "2"], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert "diagnostics after a change" in done.stdout and "parse" in done.stdout
