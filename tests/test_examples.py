"""The bundled example: its repaired twin is what cfn-fix produces today, and it is clean."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from autofix.api import build_patches, fix_text
from autofix.validate import findings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BROKEN = EXAMPLES / "serverless-api.yaml"
FIXED = EXAMPLES / "serverless-api.fixed.yaml"


def _repair() -> str:
    result = fix_text(BROKEN.read_text(encoding="utf-8"), build_patches(unsafe=True), str(BROKEN))
    assert result.status == "fixed", result.error
    return result.output


def test_fixed_example_is_in_sync(update_fixtures: bool) -> None:
    output = _repair()
    if update_fixtures:
        FIXED.write_text(output, encoding="utf-8")
    assert FIXED.read_text(encoding="utf-8") == output, "run pytest --update-fixtures and review the diff"


def test_fixed_example_is_cfn_lint_clean() -> None:
    assert findings(FIXED.read_text(encoding="utf-8")) == {}


def test_fixed_example_needs_nothing_more() -> None:
    again = fix_text(FIXED.read_text(encoding="utf-8"), build_patches(unsafe=True), str(FIXED))
    assert again.status == "unchanged", [c.message for c in again.changes]


@pytest.mark.skipif(shutil.which("checkov") is None, reason="checkov is not installed")
def test_checkov_passes_what_the_patches_claim_to_resolve(tmp_path: Path) -> None:
    import json

    from autofix.registry import all_patches

    claimed = {rid for cls in all_patches() for rid in cls.resolves if rid.startswith("CKV_")}
    run = subprocess.run(["checkov", "-f", str(FIXED), "--framework", "cloudformation", "-o", "json", "--quiet"],
                         capture_output=True, text=True, timeout=600)
    report = json.loads(run.stdout or "{}")
    failed = {c["check_id"] for c in report.get("results", {}).get("failed_checks", [])}
    assert failed & claimed == set()
