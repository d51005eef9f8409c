"""Crashes and races during `--write`: every file is always exactly its original or exactly
its repaired version; temporary files are hidden and marked; a file changed on disk after
it was read is never overwritten."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from autofix import fileio
from autofix.api import build_patches, fix_bytes
from autofix.cli import app
from autofix.discover import TEMPLATE_SUFFIXES
from autofix.runner import output_bytes

HERE = Path(__file__).resolve().parent
FIXTURES = sorted(p for p in (HERE / "patches" / "log-group-retention").iterdir() if ".in." in p.name)
NOOP = HERE / "patches" / "log-group-retention" / "noop_retention_set.yaml"
PATCHES = build_patches(select=["LOG001"])
COPIES = 40
# A leftover temporary file: hidden, carries the mark, and never ends like a template.
TMP_NAME = re.compile(r"^\..+" + re.escape(fileio.TMP_MARK) + r"[A-Za-z0-9_]+$")
CMD = [sys.executable, "-m", "autofix.cli", "--write", "--select", "LOG001", "--quiet"]
ENV = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(HERE.parent)}


def _tree(root: Path) -> dict[Path, tuple[bytes, bytes]]:
    """40 fixable copies (and a few that need nothing) in 5 folders: path -> (original, repaired)."""
    files = {}
    for i in range(COPIES + 4):
        source = FIXTURES[i % len(FIXTURES)] if i < COPIES else NOOP
        folder = root / f"d{i % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"t{i:02d}{source.suffix}"
        raw = source.read_bytes()
        path.write_bytes(raw)
        result = fix_bytes(raw, str(path), PATCHES)
        assert result.status in ("fixed", "unchanged"), result.error
        files[path] = (raw, output_bytes(result) if result.status == "fixed" else raw)
    return files


def _check(root: Path, files: dict[Path, tuple[bytes, bytes]]) -> tuple[int, list[str]]:
    """Every file whole; returns (number repaired, leftover temporary files)."""
    repaired = 0
    for path, (original, fixed) in files.items():
        now = path.read_bytes()
        assert now in (original, fixed), f"{path.name} is neither its original nor its repair"
        repaired += now == fixed != original
    extra = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p not in files)
    for name in extra:
        base = Path(name).name
        assert TMP_NAME.match(base) and not base.endswith(TEMPLATE_SUFFIXES), f"stray file {name}"
    return repaired, extra


def _start(root: Path, jobs: int) -> subprocess.Popen:
    return subprocess.Popen([*CMD, "--jobs", str(jobs), str(root)], env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def _calibrate(root: Path, files: dict[Path, tuple[bytes, bytes]]) -> tuple[float, float]:
    """Seconds from start to the first file written, and to the end, of one whole run."""
    start = time.monotonic()
    proc = _start(root, jobs=1)
    first = None
    while proc.poll() is None:
        if first is None and any(path.read_bytes() != original for path, (original, _) in files.items()):
            first = time.monotonic() - start
        time.sleep(0.002)
    end = time.monotonic() - start
    proc.communicate()
    for path, (original, _) in files.items():
        path.write_bytes(original)
    return (first if first is not None else end / 2), end


def test_cli_writes_what_the_api_computes(tmp_path) -> None:
    files = _tree(tmp_path)
    run = subprocess.run([*CMD, str(tmp_path)], env=ENV, capture_output=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr.decode()
    repaired, extra = _check(tmp_path, files)
    assert repaired == COPIES and extra == []


def test_sigkill_at_random_points(tmp_path) -> None:
    """Kill the whole process group (workers too) at random moments of `--write` runs."""
    rng = random.Random(int(os.environ.get("CRASH_SEED", "0")) or None)
    files = _tree(tmp_path)
    first_write, end = _calibrate(tmp_path, files)
    rounds = int(os.environ.get("CRASH_ROUNDS", "12"))
    delay = (first_write + end) / 2
    states = []
    for round_ in range(rounds):
        fresh = round_ % 2 == 0
        if fresh:
            for path, (original, _) in files.items():
                path.write_bytes(original)  # start again from the originals every other round
        proc = _start(tmp_path, jobs=rng.choice([1, 2]))
        time.sleep(delay * rng.uniform(0.7, 1.3))
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had finished
        proc.communicate(timeout=60)
        repaired, _ = _check(tmp_path, files)
        states.append(repaired)
        if fresh and repaired in (0, COPIES):  # aim the next kills into the writing phase
            delay *= 1.25 if repaired == 0 else 0.8
    # Whatever was left behind, a normal run finishes the job and ignores the leftovers.
    final = subprocess.run([*CMD, "--output-format", "json", "--jobs", "2", str(tmp_path)], env=ENV,
                           capture_output=True, timeout=120, check=False)
    assert final.returncode == 0, final.stderr.decode()
    import json

    report = json.loads(final.stdout)
    assert len(report["files"]) == len(files), [f["file"] for f in report["files"]]
    repaired, _ = _check(tmp_path, files)
    print("repaired after each kill:", states)
    assert repaired == COPIES, states


def test_sigkill_between_temp_write_and_rename(tmp_path) -> None:
    """The worst moment: the new text is on disk in the temp file, the rename has not happened."""
    target = tmp_path / "t.yaml"
    original = FIXTURES[0].read_bytes()
    target.write_bytes(original)
    fixed = output_bytes(fix_bytes(original, str(target), PATCHES))
    script = (
        "import os, signal, sys\n"
        "from autofix.fileio import replace_atomically\n"
        "path = sys.argv[1]\n"
        "raw = open(path, 'rb').read()\n"
        "new = open(sys.argv[2], 'rb').read()\n"
        "replace_atomically(path, raw, new, crash_hook=lambda tmp: os.kill(os.getpid(), signal.SIGKILL))\n"
    )
    new_file = tmp_path.parent / f"{tmp_path.name}-new.bin"
    new_file.write_bytes(fixed)
    run = subprocess.run([sys.executable, "-c", script, str(target), str(new_file)], env=ENV, timeout=60, check=False)
    assert run.returncode == -signal.SIGKILL
    assert target.read_bytes() == original
    leftovers = [p for p in tmp_path.iterdir() if p != target]
    assert len(leftovers) == 1 and TMP_NAME.match(leftovers[0].name)
    assert leftovers[0].name.startswith(".t.yaml" + fileio.TMP_MARK)
    # The next run repairs the file and does not take the leftover for a template.
    again = subprocess.run([*CMD, str(tmp_path)], env=ENV, capture_output=True, timeout=120, check=False)
    assert again.returncode == 0 and target.read_bytes() == fixed
    assert b"1 file:" in again.stderr


def test_exception_before_rename_removes_the_temp_file(tmp_path) -> None:
    target = tmp_path / "t.yaml"
    target.write_bytes(b"old")

    def boom(tmp: str) -> None:
        assert Path(tmp).read_bytes() == b"new"
        raise OSError("disk on fire")

    with pytest.raises(OSError):
        fileio.replace_atomically(str(target), b"old", b"new", crash_hook=boom)
    assert target.read_bytes() == b"old" and list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("jobs", [1, 2])
def test_two_processes_on_one_tree(tmp_path, jobs) -> None:
    """Both write the same files at once: no mixed file, each file repaired exactly once,
    the loser of a race says the file changed on disk."""
    files = _tree(tmp_path)
    first, second = _start(tmp_path, jobs), _start(tmp_path, jobs)
    errors = []
    for proc in (first, second):
        _, err = proc.communicate(timeout=180)
        assert proc.returncode in (0, 2), err.decode()
        errors += [ln for ln in err.decode().splitlines() if ": error: " in ln]
    print("race losers:", len(errors))
    assert "Traceback" not in "\n".join(errors)
    assert all(ln.endswith("file changed on disk after it was read; not written (run again)") for ln in errors), errors
    repaired, extra = _check(tmp_path, files)
    assert repaired == COPIES and extra == []


def test_file_changed_after_it_was_read_is_not_overwritten(tmp_path, monkeypatch) -> None:
    """Someone saves the file while cfn-fix works on it: their version stays, exit code 2."""
    from autofix import runner

    target = tmp_path / "t.yaml"
    target.write_bytes(FIXTURES[0].read_bytes())
    theirs = FIXTURES[0].read_bytes() + b"# saved by someone else meanwhile\n"
    real_replace = runner.replace_atomically

    def replace_during_edit(path, expected, new, crash_hook=None, **checks):
        def their_save(tmp: str) -> None:
            Path(path).write_bytes(theirs)

        return real_replace(path, expected, new, crash_hook=their_save, **checks)

    monkeypatch.setattr(runner, "replace_atomically", replace_during_edit)
    monkeypatch.chdir(tmp_path)
    outcome = CliRunner().invoke(app, ["fix", "--write", "--jobs", "1", "--select", "LOG001", "t.yaml"])
    assert outcome.exit_code == 2
    assert "t.yaml: error: file changed on disk after it was read; not written (run again)" in outcome.output
    assert target.read_bytes() == theirs
    assert list(tmp_path.iterdir()) == [target]
