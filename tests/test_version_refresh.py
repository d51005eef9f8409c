"""A code change to a template cfn-fix repaired is caught by a safe run: LAM011 renames the version
LAM002 published, so `cfn-fix --check` and the bundled workflow (safe fixes only) report it.

Before, LAM002 (unsafe) did the rename, so a pull request that changed the code passed a safe
check clean while the deployed alias kept serving the first code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from autofix.api import build_patches, fix_text
from autofix.registry import SAFE, all_patches, by_id, choose

ROOT = Path(__file__).resolve().parent.parent
FIXED = ROOT / "examples" / "serverless-api.fixed.yaml"
CODE = '"body": json.dumps({"orders": []})'


def _code_changed() -> str:
    text = FIXED.read_text(encoding="utf-8")
    assert CODE in text
    return text.replace(CODE, '"body": json.dumps({"orders": [], "sorted": True})', 1)


def _check(path: Path, *flags: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "autofix.cli", "--check", str(path), *flags], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=120)


def test_lam011_is_safe_and_chosen_without_unsafe_fixes() -> None:
    cls = by_id("LAM011")
    assert cls is not None and cls.safety == SAFE
    assert cls in choose(None, [], unsafe=False)


def test_check_with_safe_fixes_reports_the_stale_version(tmp_path: Path) -> None:
    template = tmp_path / "api.yaml"
    template.write_text(_code_changed(), encoding="utf-8")
    run = _check(template)
    assert run.returncode == 1, run.stderr
    assert "LAM011" in run.stderr and "renamed to OrdersFunctionVersion" in run.stderr
    template.write_text(FIXED.read_text(encoding="utf-8"), encoding="utf-8")
    assert _check(template).returncode == 0  # unchanged code: nothing pending


def test_lam002_alone_no_longer_renames() -> None:
    result = fix_text(_code_changed(), build_patches(select=["LAM002"], unsafe=True))
    assert not any(c.kind == "rename" for c in result.changes)


def test_safe_and_unsafe_runs_rename_to_the_same_name() -> None:
    safe = fix_text(_code_changed(), build_patches())
    every = fix_text(_code_changed(), build_patches(unsafe=True))
    assert safe.status == every.status == "fixed"
    [renamed] = [c.message for c in safe.changes if c.kind == "rename"]
    assert [c.message for c in every.changes if c.kind == "rename"] == [renamed]
    assert fix_text(every.output, build_patches(unsafe=True)).status == "unchanged"


def test_lam011_runs_after_the_patches_that_edit_what_a_version_snapshots() -> None:
    position = {cls.id: i for i, cls in enumerate(all_patches())}
    for pid in ("LAM002", "LAM007", "LAM009", "PARAM001"):
        assert position[pid] < position["LAM011"], pid
