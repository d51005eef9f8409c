"""The README's patch table is generated from the registry and cannot drift."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import gen_rules_table  # noqa: E402


def test_rules_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert gen_rules_table.render(readme) == readme, "run: python scripts/gen_rules_table.py"


def test_readme_has_the_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 -m pip install . && cfn-fix --unsafe-fixes examples/serverless-api.yaml" in readme
    test_command = "python3 -m pip install -e '.[test]' && python3 -m pytest -n auto"
    assert test_command in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test]' && python -m pytest -n auto" in ci


def test_readme_lists_every_semantic_invariant() -> None:
    from autofix.semantics import change_invariants, invariants

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- invariants:begin -->", 1)[1].split("<!-- invariants:end -->", 1)[0]
    listed = set(re.findall(r"`([a-z_]+)`", section))
    known = {check.__name__ for check in invariants() + change_invariants()}
    assert listed == known, f"README lists {sorted(listed - known)}, misses {sorted(known - listed)}"
