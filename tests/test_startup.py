"""Start-up stays light: which modules a command imports (never how long it takes).

`cfn-fix --version` must not import the CLI framework or either YAML library; a dry run must
not import cfn-lint or cfn-flip, nor (with -q, which skips the change summary) deepdiff or
pydantic. Each command runs in a fresh interpreter through the console script's own entry
point, `autofix.entry:main`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ONE_RESOURCE = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n"  # LOG001 fixes it: exit 1
WATCHED = ("typer", "click", "rich", "ruamel", "yaml", "cfnlint", "deepdiff", "cfn_flip", "pydantic")

# Runs the entry point as the console script does, then reports the exit code and which of the
# watched top-level packages ended up in sys.modules, on a line of its own on stderr.
PROBE = """
import json, sys
watched = set(json.loads(sys.argv[1]))
sys.argv = ["cfn-fix", *sys.argv[2:]]
from autofix.entry import main
try:
    main()
    code = 0
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
loaded = sorted({name.split(".")[0] for name in sys.modules} & watched)
sys.stderr.write("\\nPROBE " + json.dumps({"code": code, "loaded": loaded}) + "\\n")
"""


def probe(*args: str, cwd: Path) -> tuple[int, set[str], str]:
    """(exit code, watched packages imported, stdout) of `cfn-fix ARGS` in a fresh interpreter."""
    env = {**os.environ, "NO_COLOR": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, "-c", PROBE, json.dumps(WATCHED), *args], cwd=cwd,
                         capture_output=True, text=True, env=env, timeout=120)
    lines = [line for line in run.stderr.splitlines() if line.startswith("PROBE ")]
    assert lines, f"probe did not finish (exit {run.returncode}): {run.stderr[-2000:]}"
    report = json.loads(lines[-1][len("PROBE "):])
    return report["code"], set(report["loaded"]), run.stdout


@pytest.fixture
def one(tmp_path: Path) -> Path:
    path = tmp_path / "one.yaml"
    path.write_text(ONE_RESOURCE)
    return path


def test_console_script_is_the_light_entry_point() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["cfn-fix"] == "autofix.entry:main"


def test_version_imports_nothing_heavy(tmp_path: Path) -> None:
    code, loaded, out = probe("--version", cwd=tmp_path)
    assert code == 0 and out.startswith("cfn-fix ")
    assert loaded == set(), f"`cfn-fix --version` imported {sorted(loaded)}"


def test_quiet_dry_run_imports_no_linter_converter_differ_or_pydantic(one: Path) -> None:
    code, loaded, _ = probe("-q", "--no-diff", str(one), cwd=one.parent)
    assert code == 1  # the fix is pending: the run really went through the engine
    assert "ruamel" in loaded and "typer" in loaded
    assert not loaded & {"cfnlint", "cfn_flip", "deepdiff", "pydantic"}, sorted(loaded)


def test_default_dry_run_does_not_import_cfn_lint(one: Path) -> None:
    code, loaded, out = probe(str(one), cwd=one.parent)
    assert code == 1 and "RetentionInDays" in out
    # deepdiff (and, through it, pydantic and numpy) is loaded here for the change summary.
    assert not loaded & {"cfnlint", "cfn_flip"}, sorted(loaded)


@pytest.mark.skipif(importlib.util.find_spec("cfnlint") is None, reason="cfn-lint not installed")
def test_validate_does_import_cfn_lint(one: Path) -> None:
    """The control: the probe does see a lazily imported package once it is asked for."""
    code, loaded, _ = probe("-q", "--no-diff", "--validate", str(one), cwd=one.parent)
    assert code == 1 and "cfnlint" in loaded


def test_python_dash_m_autofix_is_the_console_script(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, "-m", "autofix", "--version"], cwd=tmp_path,
                         capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0 and run.stdout.startswith("cfn-fix ")
