"""The command line: exit codes, modes, formats, config, suppressions and writing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autofix import fileio

ROOT = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = ROOT.parent / "shared" / "reference" / "sarif-schema-2.1.0.json"

NEEDS_FIX = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup  # keep me\n"
FIXED = NEEDS_FIX + "    Properties:\n      RetentionInDays: 30\n"
CLEAN = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      RetentionInDays: 7\n"


def cfn_fix(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "autofix.cli", *args], cwd=cwd, input=stdin,
                           capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "fix.yaml").write_text(NEEDS_FIX)
    (tmp_path / "clean.yaml").write_text(CLEAN)
    (tmp_path / "notes.yaml").write_text("just: some yaml\n")
    return tmp_path


def test_dry_run_prints_diff_and_exits_1_without_writing(tree: Path) -> None:
    run = cfn_fix(str(tree / "fix.yaml"), "--select", "LOG001")
    assert run.returncode == 1
    assert "+      RetentionInDays: 30" in run.stdout
    assert f"{tree / 'fix.yaml'}:2: LOG001" in run.stderr
    assert (tree / "fix.yaml").read_text() == NEEDS_FIX


def test_total_line_counts_files_and_changes(tree: Path) -> None:
    run = cfn_fix(str(tree / "fix.yaml"), str(tree / "clean.yaml"), "--select", "LOG001", "--no-diff")
    assert run.stderr.splitlines()[-1] == (
        "2 files: 1 would fix (1 change), 1 unchanged, 0 skipped, 0 with suppressions, 0 failed")


def test_write_applies_and_exits_0_keeping_permissions(tree: Path) -> None:
    target = tree / "fix.yaml"
    target.chmod(0o640)
    run = cfn_fix(str(target), "--select", "LOG001", "--write")
    assert run.returncode == 0, run.stderr
    assert target.read_text() == FIXED
    assert (target.stat().st_mode & 0o777) == 0o640
    assert cfn_fix(str(target), "--select", "LOG001", "--check").returncode == 0


def test_check_mode_on_a_folder_skips_non_templates(tree: Path) -> None:
    run = cfn_fix("--check", str(tree), "--select", "LOG001")
    assert run.returncode == 1
    assert "RetentionInDays" in run.stdout
    assert "1 non-templates ignored" in run.stderr
    assert "notes.yaml" not in run.stderr.replace("non-templates", "")


def test_explicit_non_template_is_a_clear_skip(tree: Path) -> None:
    run = cfn_fix(str(tree / "notes.yaml"))
    assert run.returncode == 0
    assert "skipped: not a CloudFormation template" in run.stderr


def test_stdin_mode_prints_the_repaired_template() -> None:
    run = cfn_fix("-", "--select", "LOG001", stdin=NEEDS_FIX)
    assert run.stdout == FIXED
    assert run.returncode == 0  # a filter that wrote its repair succeeded


def test_bad_file_exits_2_and_the_others_are_processed(tree: Path) -> None:
    (tree / "bad.yaml").write_text("Resources:\n  A: [unclosed\n")
    run = cfn_fix(str(tree / "bad.yaml"), str(tree / "fix.yaml"), "--select", "LOG001")
    assert run.returncode == 2
    assert "bad.yaml:" in run.stderr and "error: invalid YAML" in run.stderr
    assert "RetentionInDays" in run.stdout
    assert "Traceback" not in run.stderr


def test_duplicate_keys_name_both_lines(tree: Path) -> None:
    (tree / "dup.yaml").write_text("Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n")
    run = cfn_fix(str(tree / "dup.yaml"))
    assert run.returncode == 2
    assert "dup.yaml:4:3: error: duplicate key 'A' (first at line 2)" in run.stderr


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    assert cfn_fix(str(tmp_path / "nope.yaml")).returncode == 2
    run = cfn_fix(str(tmp_path))
    assert run.returncode == 2 and "no templates found" in run.stderr


def test_rules_and_explain() -> None:
    rules = cfn_fix("rules")
    assert rules.returncode == 0 and "LOG001" in rules.stdout and "log-group-retention" in rules.stdout
    explain = cfn_fix("explain", "LOG001")
    assert "Resolves: CKV_AWS_66" in explain.stdout and "days=30" in explain.stdout
    assert cfn_fix("explain", "NOPE999").returncode == 2


def test_explain_names_the_phase() -> None:
    """Decorating patches list no `after`: the phase is what says they run after every repair."""
    tags = cfn_fix("explain", "TAG001").stdout
    assert "Runs after: -\nPhase: decorate (runs after every repairing patch)\n" in tags
    assert "Phase: repair (runs before every decorating patch)" in cfn_fix("explain", "LOG001").stdout


def test_select_ignore_and_unknown_ids(tree: Path) -> None:
    assert cfn_fix(str(tree / "fix.yaml"), "--select", "LOG001", "--ignore", "LOG").returncode == 0
    bad = cfn_fix(str(tree / "fix.yaml"), "--select", "ZZZ")
    assert bad.returncode == 2 and "unknown patch id" in bad.stderr


def test_unsafe_fixes_are_opt_in() -> None:
    from autofix.registry import UNSAFE, choose

    assert all(p.safety != UNSAFE for p in choose(None, [], unsafe=False))


def test_json_output(tree: Path) -> None:
    run = cfn_fix(str(tree / "fix.yaml"), "--select", "LOG001", "--output-format", "json")
    payload = json.loads(run.stdout)
    change = payload["changes"][0]
    assert change["patch_id"] == "LOG001" and change["line"] == 2 and change["safety"] == "safe"
    assert change["property_path"] == "Resources.Logs.Properties.RetentionInDays"
    assert change["resolves"] == ["CKV_AWS_66", "W86", "CW_LOGGROUP_RETENTION_PERIOD_CHECK"]
    assert payload["files"][0]["summary"] == ["added Resources.Logs.Properties"]


def test_sarif_output_validates_against_the_schema(tree: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the SARIF schema is not here ({SARIF_SCHEMA}); it lives in ../shared/reference")
    (tree / "bad.yaml").write_text("Resources: [\n")
    run = cfn_fix(str(tree), "--select", "LOG001", "--output-format", "sarif")
    sarif = json.loads(run.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.validate(sarif, schema)
    results = sarif["runs"][0]["results"]
    assert results[0]["ruleId"] == "LOG001"
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 2


def test_github_and_markdown_output(tree: Path) -> None:
    gh = cfn_fix(str(tree / "fix.yaml"), "--select", "LOG001", "--output-format", "github")
    assert gh.stdout.startswith("::warning file=") and "title=LOG001::Logs: keep logs 30 days" in gh.stdout
    md = cfn_fix(str(tree / "fix.yaml"), "--select", "LOG001", "--output-format", "markdown")
    assert "| 2 | LOG001 | safe | Logs: keep logs 30 days |" in md.stdout
    assert "<details><summary>Diff</summary>" in md.stdout and "```diff" in md.stdout


def test_stat_counts(tree: Path) -> None:
    run = cfn_fix(str(tree / "fix.yaml"), "--select", "LOG001", "--stat", "--no-diff")
    assert "LOG001: 1 change\n" in run.stderr and "1 changes" not in run.stderr and run.stdout == ""


def test_config_nearest_file_wins_and_flags_override(tree: Path) -> None:
    (tree / "pyproject.toml").write_text('[tool.cfn-fix]\nselect = ["LAM"]\n')
    sub = tree / "sub"
    sub.mkdir()
    (sub / "fix.yaml").write_text(NEEDS_FIX)
    (sub / ".cfn-fix.toml").write_text('select = ["LOG001"]\n[options.LOG001]\ndays = 90\n')
    near = cfn_fix(str(sub / "fix.yaml"))
    assert "RetentionInDays: 90" in near.stdout
    far = cfn_fix(str(tree / "fix.yaml"))
    assert far.returncode == 0 and far.stdout == ""
    flag = cfn_fix(str(tree / "fix.yaml"), "--select", "LOG001")
    assert "RetentionInDays: 30" in flag.stdout
    shown = cfn_fix("config", str(sub / "fix.yaml"))
    assert "select = ['LOG001']  # .cfn-fix.toml" in shown.stdout
    assert "options = {'LOG001': {'days': 90}}" in shown.stdout


def test_config_errors_name_file_and_key(tree: Path) -> None:
    (tree / ".cfn-fix.toml").write_text('selct = ["LOG001"]\n')
    run = cfn_fix(str(tree / "fix.yaml"))
    assert run.returncode == 2 and ".cfn-fix.toml: unknown key 'selct'" in run.stderr
    (tree / ".cfn-fix.toml").write_text('[options.LOG001]\ndays = "long"\n')
    run = cfn_fix(str(tree / "fix.yaml"), "--select", "LOG001")
    assert run.returncode == 2 and "option 'days' must be int" in run.stderr
    (tree / ".cfn-fix.toml").write_text('ignore = ["NOPE1"]\n')
    assert "unknown patch id, prefix or name: NOPE1" in cfn_fix(str(tree / "fix.yaml")).stderr


def test_per_path_overrides(tree: Path) -> None:
    (tree / ".cfn-fix.toml").write_text('select = ["LOG001"]\n[[overrides]]\npaths = ["legacy/*"]\nignore = ["LOG001"]\n')
    (tree / "legacy").mkdir()
    (tree / "legacy" / "old.yaml").write_text(NEEDS_FIX)
    run = cfn_fix(str(tree / "legacy" / "old.yaml"))
    assert run.returncode == 0
    assert cfn_fix(str(tree / "fix.yaml")).returncode == 1


def test_suppressions_in_metadata(tree: Path) -> None:
    src = NEEDS_FIX + "    Metadata:\n      checkov:\n        skip:\n          - id: CKV_AWS_66\n            comment: ours\n"
    (tree / "s.yaml").write_text(src)
    run = cfn_fix(str(tree / "s.yaml"), "--select", "LOG001")
    assert run.returncode == 0 and "suppressed: Logs suppresses CKV_AWS_66" in run.stderr
    top = "Metadata:\n  cfn-fix:\n    ignore: [LOG001]\n" + NEEDS_FIX
    (tree / "t.yaml").write_text(top)
    assert cfn_fix(str(tree / "t.yaml"), "--select", "LOG001").returncode == 0


def test_format_conversion_writes_a_sibling(tree: Path) -> None:
    run = cfn_fix(str(tree / "fix.yaml"), "--select", "LOG001", "--format", "json", "--write")
    assert run.returncode == 0, run.stderr
    data = json.loads((tree / "fix.json").read_text())
    assert data["Resources"]["Logs"]["Properties"]["RetentionInDays"] == 30
    assert (tree / "fix.yaml").read_text() == NEEDS_FIX


def test_validate_passes_a_clean_repair(tree: Path) -> None:
    run = cfn_fix(str(tree / "fix.yaml"), "--select", "LOG001", "--validate")
    assert run.returncode == 1 and "error" not in run.stderr


def test_version_is_quick_to_answer() -> None:
    run = cfn_fix("--version")
    assert run.returncode == 0 and run.stdout.startswith("cfn-fix ")


def test_crash_between_write_and_rename_leaves_the_original(tmp_path: Path) -> None:
    target = tmp_path / "t.yaml"
    target.write_bytes(b"original")

    def crash(tmp: str) -> None:
        raise KeyboardInterrupt  # the process dies after writing the temp file

    with pytest.raises(KeyboardInterrupt):
        fileio.replace_atomically(str(target), b"original", b"repaired", crash_hook=crash)
    assert target.read_bytes() == b"original"
    assert [p.name for p in tmp_path.iterdir()] == ["t.yaml"]


def test_write_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    target = tmp_path / "t.yaml"
    target.write_bytes(b"original")

    def edit_meanwhile(tmp: str) -> None:
        target.write_bytes(b"someone else's edit")

    with pytest.raises(fileio.WriteRefused, match="changed on disk"):
        fileio.replace_atomically(str(target), b"original", b"repaired", crash_hook=edit_meanwhile)
    assert target.read_bytes() == b"someone else's edit"


def test_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text(NEEDS_FIX)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    assert cfn_fix(str(link), "--select", "LOG001", "--write").returncode == 0
    assert link.is_symlink() and real.read_text() == FIXED
