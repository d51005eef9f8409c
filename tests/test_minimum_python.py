"""The oldest Python that pyproject.toml allows really runs cfn-fix (tomllib came in 3.11).

Installs the project into a fresh virtual environment of that interpreter and repairs the
bundled example; skipped where no such interpreter is installed.
"""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _minimum() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'requires-python\s*=\s*">=(\d+\.\d+)"', text)
    assert found, "requires-python must name a minimum"
    return found.group(1)


def _interpreter(version: str) -> str | None:
    candidates = [shutil.which(f"python{version}")] + sorted(
        glob.glob(f"/root/.pyenv/versions/{version}.*/bin/python{version}"))
    for path in filter(None, candidates):
        run = subprocess.run([path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=30)
        if run.returncode == 0 and run.stdout.strip() == version:
            return path
    return None


def test_the_minimum_python_repairs_the_example(tmp_path: Path) -> None:
    version = _minimum()
    python = _interpreter(version)
    if python is None:
        pytest.skip(f"no Python {version} here")
    source = tmp_path / "src"  # a copy: building in the work tree would leave build/ there
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    for package in ("autofix", "patches"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(source)],
                         capture_output=True, text=True, timeout=600)
    if pip.returncode != 0 and "Could not find a version" in pip.stderr + pip.stdout:
        pytest.skip("the package index is out of reach")
    assert pip.returncode == 0, pip.stderr[-2000:]
    run = subprocess.run([str(venv / "bin" / "cfn-fix"), "--unsafe-fixes", str(ROOT / "examples" / "serverless-api.yaml")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr[-2000:]  # fixes pending, as on any supported Python
    assert run.stdout.startswith("--- a/") and "1 would fix" in run.stderr
