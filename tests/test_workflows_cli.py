"""The command line in hooks, terminals and CI: quiet checks, errors that always show, colour per
stream, one run with several reports, and the small things a new user trips on."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.test_cli import CLEAN, NEEDS_FIX, ROOT, cfn_fix

RAISING = ("import sys, patches.log_group_retention as m\n"
           "def boom(self, view):\n"
           "    raise RuntimeError('boom')\n"
           "    yield\n"
           "m.LogGroupRetention.propose = boom\n"
           "sys.argv = ['cfn-fix', *sys.argv[1:]]\n"
           "from autofix.cli import main\n"
           "main()\n")


def test_quiet_never_hides_a_patch_error_and_it_exits_2(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(NEEDS_FIX)
    for args in (("-q", "--check"), ("-q",), ("--check",), ("-q", "--write")):
        run = subprocess.run([sys.executable, "-c", RAISING, *args, "--select", "LOG001,S3", "t.yaml"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
                             env={**os.environ, "NO_COLOR": "1"})
        assert run.returncode == 2, (args, run.stderr)
        assert "LOG001 error:" in run.stderr and "boom" in run.stderr, args


def test_quiet_check_prints_one_line_per_pending_file_and_nothing_for_non_templates(tmp_path: Path) -> None:
    (tmp_path / "fix.yaml").write_text(NEEDS_FIX)
    (tmp_path / "clean.yaml").write_text(CLEAN)
    (tmp_path / "notes.yaml").write_text("just: some yaml\n")
    run = cfn_fix("--check", "--quiet", "--select", "LOG001", "fix.yaml", "clean.yaml", "notes.yaml", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr == "fix.yaml: 1 fix pending (LOG001)\n"


def test_pre_commit_hooks_take_yaml_and_json_files_and_run_quietly() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"cfn-fix", "cfn-fix-write"}
    for hook in hooks.values():
        assert hook["types_or"] == ["yaml", "json"] and "--quiet" in hook["entry"]
    assert "--check" in hooks["cfn-fix"]["entry"] and "--write" in hooks["cfn-fix-write"]["entry"]


def _on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[bytes, bytes]:
    """Run with stdout on a pseudo-terminal and stderr to a file; returns both."""
    leader, follower = pty.openpty()
    err_path = cwd / "err.txt"
    try:
        with open(err_path, "wb") as err:
            subprocess.run([sys.executable, "-m", "autofix.cli", *args], cwd=cwd, stdout=follower, stderr=err,
                           stdin=subprocess.DEVNULL, env=env, timeout=120, check=False)
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    return b"".join(chunks), err_path.read_bytes()


def test_colour_is_decided_per_stream(tmp_path: Path) -> None:
    (tmp_path / "fix.yaml").write_text(NEEDS_FIX)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    out, err = _on_a_terminal(["--select", "LOG001", "fix.yaml"], tmp_path, env)
    assert b"\x1b[" in out  # the diff on the terminal is coloured
    assert b"\x1b[" not in err and b"LOG001" in err  # the file holds plain text
    out, err = _on_a_terminal(["--select", "LOG001", "fix.yaml"], tmp_path, {**env, "NO_COLOR": "1"})
    assert b"\x1b[" not in out and b"\x1b[" not in err


def test_force_color_and_no_color() -> None:
    from autofix.report import wants_colour

    class File:
        def isatty(self) -> bool:
            return False

    class Terminal:
        def isatty(self) -> bool:
            return True

    assert not wants_colour(File(), {}) and wants_colour(Terminal(), {})
    assert wants_colour(File(), {"FORCE_COLOR": "1"})
    assert not wants_colour(Terminal(), {"NO_COLOR": "1", "FORCE_COLOR": "1"})


def test_validate_without_cfn_lint_says_so_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(NEEDS_FIX)
    (tmp_path / "b.yaml").write_text(NEEDS_FIX)
    code = ("import sys; sys.modules['cfnlint'] = None; sys.argv = ['cfn-fix', '--validate', 'a.yaml', 'b.yaml'];"
            "from autofix.cli import main; main()")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         check=False, env={**os.environ, "NO_COLOR": "1"})
    assert run.returncode == 2
    assert run.stderr.count("pip install 'cfn-fix[validate]'") == 1


def test_check_and_write_together_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(NEEDS_FIX)
    run = cfn_fix("--check", "--write", str(tmp_path / "a.yaml"))
    assert run.returncode == 2 and "cannot be combined" in run.stderr
    assert (tmp_path / "a.yaml").read_text() == NEEDS_FIX


def test_a_mistyped_command_suggests_the_command(tmp_path: Path) -> None:
    run = cfn_fix("explian", "LOG001", cwd=tmp_path)
    assert run.returncode == 2 and "did you mean `cfn-fix explain`" in run.stderr
    (tmp_path / "explian").write_text(NEEDS_FIX)  # a file of that name is still a file
    assert cfn_fix("explian", "--select", "LOG001", cwd=tmp_path).returncode == 1


def test_the_same_path_twice_counts_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(NEEDS_FIX)
    run = cfn_fix("--select", "LOG001", "a.yaml", "a.yaml", "./a.yaml", cwd=tmp_path)
    assert "1 file: 1 would fix (1 change)" in run.stderr


def test_config_excludes_are_anchored_at_the_config_file_and_star_stays_in_one_folder(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name in ("legacy/old.yaml", "legacy/deep/kept.yaml", "app/legacy/kept2.yaml", "main.yaml"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(NEEDS_FIX)
    (project / ".cfn-fix.toml").write_text('exclude = ["legacy/*.yaml"]\nselect = ["LOG001"]\n')
    run = cfn_fix("--no-diff", str(project), cwd=tmp_path)  # run from outside the project
    fixed = sorted(line.split(":")[0] for line in run.stderr.splitlines() if "LOG001" in line)
    assert [Path(p).relative_to(project).as_posix() for p in fixed] == [
        "app/legacy/kept2.yaml", "legacy/deep/kept.yaml", "main.yaml"]


def test_diffs_have_git_prefixes_and_git_apply_takes_them(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=30)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_text(NEEDS_FIX)
    run = cfn_fix("--select", "LOG001", "./sub/a.yaml", cwd=tmp_path)
    assert run.stdout.startswith("--- a/sub/a.yaml\n+++ b/sub/a.yaml\n")
    (tmp_path / "fix.patch").write_text(run.stdout)
    applied = subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, capture_output=True, text=True, timeout=30,
                             check=False)
    assert applied.returncode == 0, applied.stderr
    assert "RetentionInDays: 30" in (tmp_path / "sub" / "a.yaml").read_text()


def test_rules_are_listed_in_id_order() -> None:
    ids = [line.split()[0] for line in cfn_fix("rules").stdout.splitlines()]
    assert ids == sorted(ids) and "LOG001" in ids


def test_help_is_sectioned_with_the_fix_flags_at_the_top_level() -> None:
    for flag in ("-h", "--help"):
        run = cfn_fix(flag)
        assert run.returncode == 0
        text = run.stdout
        for heading in ("Fix selection:", "Output:", "Files:", "Other commands:"):
            assert heading in text, (flag, heading)
        assert text.index("Fix selection:") < text.index("-w, --write") < text.index("Output:")
        assert "cfn-fix explain ID" in text
    assert "Fix selection:" in cfn_fix("fix", "-h").stdout


def test_stdin_filename_uses_the_real_paths_config_and_name(tmp_path: Path) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / ".cfn-fix.toml").write_text('select = ["LOG001"]\n[options.LOG001]\ndays = 90\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = cfn_fix("--stdin-filename", str(tmp_path / "stacks" / "t.yaml"), "-", cwd=elsewhere, stdin=NEEDS_FIX)
    assert run.returncode == 0
    assert run.stdout == NEEDS_FIX + "    Properties:\n      RetentionInDays: 90\n"
    assert f"{tmp_path / 'stacks' / 't.yaml'}:2: LOG001" in run.stderr
    assert cfn_fix("--stdin-filename", "x.yaml", "a.yaml", cwd=elsewhere).returncode == 2


def test_exit_zero_clears_pending_fixes_but_not_errors(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(NEEDS_FIX)
    assert cfn_fix("--exit-zero", "--check", "--select", "LOG001", "a.yaml", cwd=tmp_path).returncode == 0
    (tmp_path / "bad.yaml").write_text("Resources: [\n")
    assert cfn_fix("--exit-zero", "--select", "LOG001", "a.yaml", "bad.yaml", cwd=tmp_path).returncode == 2


def test_one_run_writes_several_reports(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(NEEDS_FIX)
    run = cfn_fix("--output-format", "sarif:out.sarif,markdown:pr.md,json:r.json", "--select", "LOG001", "a.yaml",
                  cwd=tmp_path)
    assert run.returncode == 1 and run.stdout == ""
    assert "a.yaml:2: LOG001" in run.stderr and "1 would fix" in run.stderr  # the CI log still tells
    assert json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"][0]["ruleId"] == "LOG001"
    assert "## cfn-fix report" in (tmp_path / "pr.md").read_text()
    assert json.loads((tmp_path / "r.json").read_text())["totals"]["changes"] == 1
    run = cfn_fix("--output-format", "text,sarif:out2.sarif", "--select", "LOG001", "a.yaml", cwd=tmp_path)
    assert "+      RetentionInDays: 30" in run.stdout and (tmp_path / "out2.sarif").is_file()
    run = cfn_fix("--output-format", "json", "--output-file", "only.json", "--select", "LOG001", "a.yaml",
                  cwd=tmp_path)
    assert run.stdout == "" and json.loads((tmp_path / "only.json").read_text())["totals"]["fixed"] == 1


@pytest.mark.parametrize("spec", ["sarif,json", "nope:x", "sarif:"])
def test_bad_output_format_lists_are_refused(tmp_path: Path, spec: str) -> None:
    (tmp_path / "a.yaml").write_text(NEEDS_FIX)
    run = cfn_fix("--output-format", spec, "a.yaml", cwd=tmp_path)
    assert run.returncode == 2 and "--output-format" in run.stderr


def test_github_actions_example_runs_cfn_fix_once() -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "github-actions.yml").read_text())
    scripts = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    invocations = [line for script in scripts for line in script.splitlines() if line.strip().startswith("cfn-fix ")]
    assert len(invocations) == 1
    assert "sarif:" in invocations[0] and "markdown:" in invocations[0]


def test_machine_reports_keep_real_file_names_beside_escaped_text(tmp_path: Path) -> None:
    (tmp_path / "tab\t.yaml").write_text(NEEDS_FIX)
    run = cfn_fix("--output-format", "text,json:r.json", "--select", "LOG001", "tab\t.yaml", cwd=tmp_path)
    assert "tab\\t.yaml:2: LOG001" in run.stderr
    assert json.loads((tmp_path / "r.json").read_text())["files"][0]["file"] == "tab\t.yaml"


def test_quiet_check_says_fixes_for_several() -> None:
    from autofix.report import _plural

    assert (_plural(1, "fix"), _plural(2, "fix"), _plural(2, "change")) == ("1 fix", "2 fixes", "2 changes")
