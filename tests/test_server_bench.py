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
    delivered = next(line for line in done.stdout.splitlines() if "delivered: read" in line)
    assert "(2 runs)" in delivered, delivered  # one figure per change: each publish's read was timed


def test_server_latency_benchmark_splits_a_change_with_the_servers_timestamps():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "server_latency.py"), "--lines", "80",
                           "--changes", "2", "--timeline"], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          check=False)
    assert done.returncode == 0, done.stderr
    for stage in ("sent -> handled by the server", "analysis (engine thread)", "publish: JSON and write"):
        line = next(line for line in done.stdout.splitlines() if stage in line)
        assert "(2 runs)" in line, line  # one figure per change: every change's moments were written
