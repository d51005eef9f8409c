"""Start-up stays light: which modules a command imports (never how long it takes).

`cfn-fix --version` must not import the CLI framework or either YAML library; a plain dry run,
as an editor or a pre-commit hook starts it, with its diff and change summary or with -q, must
import neither the CLI framework (typer reads only what the plain reader hands over) nor
cfn-lint, cfn-flip, deepdiff, pydantic, the process pool, nor cfn-fix's own SARIF, conversion,
validation and server modules, nor subprocess, secrets, traceback, tomllib (where no config
file is) and signal (only Ctrl-C, writing and the workers use it); with -q and --no-diff, not
difflib either. Such a run imports with Python's cyclic collector paused, then freezes what the
imports made and resumes it before the files. Each command runs in a fresh interpreter through
the console script's own entry point, `autofix.entry:main`. Where ruamel.yaml.clibz is
installed, a dry run verifies its repairs with that parser, which the loader has imported
already: it imports no PyYAML either.
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
WATCHED = ("typer", "click", "rich", "ruamel", "yaml", "cfnlint", "deepdiff", "cfn_flip", "pydantic", "numpy",
           "samtranslator", "checkov", "multiprocessing", "concurrent", "pathspec")
# Modules of cfn-fix itself (and of the standard library) that a plain dry run needs none of.
WATCHED_MODULES = ("concurrent.futures.process", "autofix.sarif", "autofix.convert", "autofix.validate",
                   "autofix.server", "autofix.semantics._sam", "autofix.semantics._checkov",
                   "autofix.semantics.translation",
                   # Standard library modules only some runs need: git (folder discovery), a
                   # temporary file's name (writing), a config file's TOML, a patch that raised,
                   # a function's version hash (LAM002), Ctrl-C or a write (signal), a diff (difflib).
                   "subprocess", "secrets", "tomllib", "traceback", "hashlib", "signal", "difflib")
SHOWS_A_DIFF = {"difflib"}  # what a run that prints its diff does import
# The clibz parser verifies repairs where it is installed; PyYAML's binding otherwise.
CLIBZ = importlib.util.find_spec("_ruamel_yaml_clibz") is not None
HEAVY = {"typer", "click", "rich", "cfnlint", "cfn_flip", "deepdiff", "pydantic", "numpy", "samtranslator", "checkov",
         "multiprocessing", "concurrent"}

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
loaded = sorted({name.split(".")[0] for name in sys.modules} & watched | set(sys.modules) & watched)
import gc
collector = {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}
sys.stderr.write("\\nPROBE " + json.dumps({"code": code, "loaded": loaded, "collector": collector}) + "\\n")
"""


def probe(*args: str, cwd: Path) -> tuple[int, set[str], str]:
    """(exit code, watched packages imported, stdout) of `cfn-fix ARGS` in a fresh interpreter."""
    report = _probe(args, cwd)
    return report["code"], set(report["loaded"]), report["stdout"]


def _probe(args: tuple[str, ...], cwd: Path) -> dict:
    env = {**os.environ, "NO_COLOR": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, "-c", PROBE, json.dumps(WATCHED + WATCHED_MODULES), *args], cwd=cwd,
                         capture_output=True, text=True, env=env, timeout=120)
    lines = [line for line in run.stderr.splitlines() if line.startswith("PROBE ")]
    assert lines, f"probe did not finish (exit {run.returncode}): {run.stderr[-2000:]}"
    return {**json.loads(lines[-1][len("PROBE "):]), "stdout": run.stdout}


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


def test_quiet_dry_run_imports_nothing_heavy(one: Path) -> None:
    code, loaded, _ = probe("-q", "--no-diff", str(one), cwd=one.parent)
    assert code == 1  # the fix is pending: the run really went through the engine
    assert "ruamel" in loaded and ("yaml" in loaded) is not CLIBZ  # PyYAML verifies without clibz
    assert not loaded & (HEAVY | set(WATCHED_MODULES)), sorted(loaded)


def test_default_dry_run_with_its_diff_and_summary_imports_nothing_heavy(one: Path) -> None:
    code, loaded, out = probe(str(one), cwd=one.parent)
    assert code == 1 and "RetentionInDays" in out
    assert loaded & set(WATCHED_MODULES) == SHOWS_A_DIFF  # the control: difflib does come with a diff
    assert not loaded & (HEAVY | set(WATCHED_MODULES) - SHOWS_A_DIFF), sorted(loaded)


def test_a_run_with_nothing_to_repair_does_not_import_pyyaml(tmp_path: Path) -> None:
    """PyYAML (libyaml's binding) reads back a repaired text to verify it; a file no patch
    changes is never verified, so a pre-commit run over clean templates does without it."""
    clean = tmp_path / "clean.yaml"
    clean.write_text("Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n"
                     "      RetentionInDays: 365\n")
    code, loaded, _ = probe("-q", "--no-diff", "--select", "LOG001", str(clean), cwd=tmp_path)
    assert code == 0 and "ruamel" in loaded
    assert "yaml" not in loaded, sorted(loaded)
    code, loaded, _ = probe("-q", "--no-diff", "--select", "LOG001", str(tmp_path / "clean.yaml"),
                            str(_write(tmp_path / "one.yaml", ONE_RESOURCE)), cwd=tmp_path)
    assert code == 1 and ("yaml" in loaded) is not CLIBZ  # the control: without clibz, a repair is verified with it


@pytest.mark.skipif(not CLIBZ, reason="ruamel.yaml.clibz is not installed: PyYAML verifies")
def test_a_dry_run_that_repairs_verifies_without_pyyaml(tmp_path: Path) -> None:
    """The clibz parser reads back every repair, `x:y` in flow included (a stand-in for the
    colon), and the change summary's data; what it hands over is read by PyYAML."""
    flow = ONE_RESOURCE + "    DependsOn: [s3:GetObject, AWS::Region]\n"
    code, loaded, out = probe("--select", "LOG001", str(_write(tmp_path / "flow.yaml", flow)), cwd=tmp_path)
    assert code == 1 and "RetentionInDays" in out and "ruamel" in loaded
    assert "yaml" not in loaded, sorted(loaded)
    handed_over = ONE_RESOURCE + "    DependsOn: [x?y]\n"  # `?` in a word: the clibz parser refuses it
    code, loaded, out = probe("-q", "--select", "LOG001", str(_write(tmp_path / "other.yaml", handed_over)),
                              cwd=tmp_path)
    assert code == 1 and "yaml" in loaded, out  # the control: the probe sees PyYAML when it is needed


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_a_plain_run_freezes_what_its_imports_made_and_leaves_the_collector_on(one: Path) -> None:
    """The collector is paused while a plain run imports, and must be on again for the files."""
    report = _probe(("-q", "--no-diff", str(one)), one.parent)
    assert report["code"] == 1
    assert report["collector"]["enabled"] is True
    assert report["collector"]["frozen"] > 1000  # the imported modules' objects, never traversed again
    assert _probe(("--help",), one.parent)["collector"] == {"enabled": True, "frozen": 0}  # typer's path


def test_a_two_file_dry_run_with_jobs_imports_nothing_heavy(one: Path) -> None:
    """Under four files the runner works in process: no pool, so no multiprocessing."""
    (one.parent / "two.yaml").write_text(ONE_RESOURCE)
    code, loaded, _ = probe("-j", "2", "--unsafe-fixes", str(one), str(one.parent / "two.yaml"), cwd=one.parent)
    assert code == 1
    assert not loaded & (HEAVY | set(WATCHED_MODULES) - SHOWS_A_DIFF), sorted(loaded)


def test_help_and_unusual_flags_go_to_typer(one: Path) -> None:
    """The control for the plain reader: what it does not read, typer does."""
    code, loaded, out = probe("--help", cwd=one.parent)
    assert code == 0 and "--write" in out and "typer" in loaded
    code, loaded, _ = probe("-qj1", str(one), cwd=one.parent)
    assert code == 1 and "typer" in loaded


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
