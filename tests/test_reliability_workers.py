"""Parallel workers: they die with the cfn-fix process that started them and never write
after it is gone; Ctrl-C stops a run cleanly and says what was written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autofix.api import build_patches, fix_bytes
from autofix.runner import output_bytes

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

GROUPS = 300  # log groups per file: each file takes a worker a good fraction of a second
FILES = 40
SOURCE = ("Resources:\n" + "".join(f"  Logs{i}:\n    Type: AWS::Logs::LogGroup  # keep me\n"
                                   for i in range(GROUPS))).encode()
ENV = {**os.environ, "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def repaired() -> bytes:
    return output_bytes(fix_bytes(SOURCE, "t.yaml", build_patches(select=["LOG001"])))


def _tree(root: Path) -> list[Path]:
    paths = []
    for i in range(FILES):
        path = root / f"t{i:02d}.yaml"
        path.write_bytes(SOURCE)
        paths.append(path)
    return paths


def _start(root: Path, jobs: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "autofix.cli", "--write", "--select", "LOG001", "-q",
                             "--jobs", str(jobs), str(root)], env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if state[state.rindex(")") + 2] != "Z":
            alive.append(pid)
    return alive


def _wait_for_first_write(proc: subprocess.Popen, paths: list[Path], deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while not any(p.read_bytes() != SOURCE for p in paths):
        assert proc.poll() is None, "the run ended before writing anything"
        assert time.monotonic() < end, "no file written in time"
        time.sleep(0.01)


def _snapshot(paths: list[Path]) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in paths}


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_die_with_their_parent_and_write_nothing_after(tmp_path, repaired, how) -> None:
    paths = _tree(tmp_path)
    proc = _start(tmp_path, jobs=2)
    workers: list[int] = []
    try:
        _wait_for_first_write(proc, paths)
        workers = _children(proc.pid)
        assert workers, "no worker processes found"
        os.kill(proc.pid, how)  # the parent only, as subprocess.run(timeout=) does
        proc.wait(timeout=30)
        end = time.monotonic() + 5
        while _alive(workers) and time.monotonic() < end:
            time.sleep(0.01)
        assert not _alive(workers), "workers outlived their parent"
        before = _snapshot(paths)
        time.sleep(1.0)
        assert _snapshot(paths) == before, "a file was written after cfn-fix was killed"
        assert all(data in (SOURCE, repaired) for data in before.values())
        leftovers = [p.name for p in tmp_path.iterdir() if p not in before]
        assert all(".cfnfix-tmp-" in name for name in leftovers), leftovers
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        for pid in _alive(workers):  # orphans (a regression) must not outlive the test
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("jobs,presses", [(1, 1), (2, 1), (2, 2)])
def test_ctrl_c_exits_130_and_says_what_was_written(tmp_path, repaired, jobs, presses) -> None:
    paths = _tree(tmp_path)
    proc = _start(tmp_path, jobs=jobs)
    try:
        _wait_for_first_write(proc, paths)
        for _ in range(presses):
            os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole group
            time.sleep(0.05)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    err_text = err.decode()
    assert proc.returncode == 130, err_text
    assert "Traceback" not in err_text
    assert err_text.startswith("cfn-fix: interrupted; "), err_text
    said = {Path(line.split("written: ", 1)[1]) for line in err_text.splitlines() if line.startswith("  written: ")}
    changed = {p for p in paths if p.read_bytes() != SOURCE}
    assert changed == said and changed, err_text
    assert all(p.read_bytes() == repaired for p in changed)
    assert f"; {len(said)} file{'s' if len(said) != 1 else ''} written" in err_text.splitlines()[0]
    assert "not processed; every other file is exactly as it was" in err_text
    assert all(p.suffix == ".yaml" for p in tmp_path.iterdir()), "temporary file left behind"


def test_jobs_never_exceed_the_number_of_files(tmp_path) -> None:
    from autofix import runner

    seen = {}
    real = runner.ProcessPoolExecutor

    def counting(*args, **kwargs):
        seen["workers"] = kwargs["max_workers"]
        return real(*args, **kwargs)

    for i in range(5):
        (tmp_path / f"t{i}.yaml").write_bytes(SOURCE[:200])
    mp = pytest.MonkeyPatch()
    mp.setattr(runner, "ProcessPoolExecutor", counting)
    try:
        job = runner.Job(cli={"select": ["LOG001"]})
        runner.run([str(tmp_path)], job, jobs=16)
    finally:
        mp.undo()
    assert seen["workers"] == 5


def test_ctrl_c_right_after_a_rename_still_lists_that_file(tmp_path, monkeypatch) -> None:
    """Ctrl-C between the rename and its bookkeeping: the file is named as written all the same."""
    from typer.testing import CliRunner

    from autofix import runner
    from autofix.cli import app

    class InterruptedOnRecord(list):
        def append(self, item) -> None:
            os.kill(os.getpid(), signal.SIGINT)  # the moment after the file was renamed into place
            super().append(item)

    (tmp_path / "t.yaml").write_bytes(SOURCE[:200])
    monkeypatch.setattr(runner, "_WRITTEN", InterruptedOnRecord())
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["fix", "--write", "-j", "1", "--select", "LOG001", "t.yaml"])
    assert result.exit_code == 130, result.output
    assert "cfn-fix: interrupted; 1 file written:\n  written: t.yaml\n" in result.output
    assert "0 files not processed" in result.output
    assert (tmp_path / "t.yaml").read_bytes() != SOURCE[:200]
