"""Standard streams: closed or broken ones change neither what is checked or written nor the
exit code; standard input has a size limit; as a filter, cfn-fix passes through what it does
not repair; and it runs where only `tomli` parses TOML (Python 3.10)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

NEEDS_FIX = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup  # keep me\n"
FIXED = NEEDS_FIX + "    Properties:\n      RetentionInDays: 30\n"
CLEAN = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      RetentionInDays: 7\n"
ENV = {**os.environ, "NO_COLOR": "1"}
CLI = [sys.executable, "-m", "autofix.cli"]


def _shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """`cfn-fix ARGS` run by sh, so redirections such as `2>&-` close a stream before start."""
    return subprocess.run(["sh", "-c", command.replace("cfn-fix", " ".join(CLI))], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "clean.yaml").write_text(CLEAN)
    (tmp_path / "dirty.yaml").write_text(NEEDS_FIX)
    return tmp_path


@pytest.mark.parametrize("closed", ["2>&-", ">&-", ">&- 2>&-", "<&-"])
@pytest.mark.parametrize("name,expected_code", [("clean.yaml", 0), ("dirty.yaml", 1)])
def test_check_with_a_closed_stream_checks_and_exits_as_usual(files, closed, name, expected_code) -> None:
    run = _shell(f"cfn-fix --check --select LOG001 {name} {closed}", files)
    assert run.returncode == expected_code, run.stderr
    assert "Traceback" not in run.stderr and "AttributeError" not in run.stderr


@pytest.mark.parametrize("closed", ["2>&-", ">&-", ">&- 2>&-"])
def test_write_with_a_closed_stream_writes_and_exits_0(files, closed) -> None:
    run = _shell(f"cfn-fix --write --select LOG001 dirty.yaml clean.yaml {closed}", files)
    assert run.returncode == 0, run.stderr
    assert (files / "dirty.yaml").read_text() == FIXED
    assert (files / "clean.yaml").read_text() == CLEAN
    assert sorted(p.name for p in files.iterdir()) == ["clean.yaml", "dirty.yaml"]


@pytest.mark.parametrize("write,expected_code", [(False, 1), (True, 0)])
def test_broken_output_pipe_keeps_the_exit_code(files, write, expected_code) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody reads: every write to stdout fails with EPIPE
    try:
        run = subprocess.run([*CLI, "--select", "LOG001", *(["--write", "--diff"] if write else []), "dirty.yaml"],
                             cwd=files, env=ENV, stdout=write_end, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(write_end)
    assert run.returncode == expected_code, run.stderr
    assert b"Traceback" not in run.stderr and b"Exception ignored" not in run.stderr
    assert (files / "dirty.yaml").read_text() == (FIXED if write else NEEDS_FIX)


def test_standard_input_is_read_only_up_to_the_size_limit(tmp_path) -> None:
    """An endless input is refused after --max-bytes + 1 bytes; it is not read to the end."""
    cap = 32 * 1024 * 1024  # what this test offers at most (the bound on a regression)
    proc = subprocess.Popen([*CLI, "-", "--max-bytes", "1000"], cwd=tmp_path, env=ENV, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    offered = [0]

    def feed() -> None:
        chunk = b"\0" * 65536
        try:
            while offered[0] < cap:
                proc.stdin.write(chunk)
                offered[0] += len(chunk)
            proc.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    try:
        out, err = proc.stdout.read(), proc.stderr.read()
        proc.wait(timeout=60)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    feeder.join(timeout=30)
    assert proc.returncode == 2
    assert "over the size limit of 1,000" in err.decode()
    assert out == b""  # a refused input is not passed through (it was not read whole)
    assert offered[0] < cap, "standard input was read to the end"


@pytest.mark.parametrize("content", ["just: some yaml\n", "a: [1, 2\n", CLEAN, "\ufeffnot: cfn\r\n"],
                         ids=["not-a-template", "invalid-yaml", "nothing-to-fix", "bom-crlf"])
def test_filter_copies_input_it_does_not_repair_unchanged(tmp_path, content) -> None:
    raw = content.encode()
    run = subprocess.run([*CLI, "-", "--select", "LOG001"], cwd=tmp_path, env=ENV, input=raw,
                         capture_output=True, timeout=120)
    assert run.stdout == raw
    assert run.returncode == (2 if content.startswith("a: [") else 0), run.stderr


def test_filter_repair_exits_0_and_check_exits_1(tmp_path) -> None:
    run = subprocess.run([*CLI, "-", "--select", "LOG001"], cwd=tmp_path, env=ENV, input=NEEDS_FIX.encode(),
                         capture_output=True, timeout=120)
    assert (run.returncode, run.stdout.decode()) == (0, FIXED)
    check = subprocess.run([*CLI, "-", "--check", "--select", "LOG001"], cwd=tmp_path, env=ENV,
                           input=NEEDS_FIX.encode(), capture_output=True, timeout=120)
    assert check.returncode == 1


TOMLI_SHIM = '''
import sys
blocked = sys.modules.pop("tomllib")
import tomllib as _real
sys.modules["tomllib"] = blocked
loads, load, TOMLDecodeError = _real.loads, _real.load, _real.TOMLDecodeError
'''
WITHOUT_TOMLLIB = ("import sys; sys.modules['tomllib'] = None; sys.argv = ['cfn-fix', *sys.argv[1:]]; "
                   "from autofix.cli import main; main()")


def test_config_is_read_with_tomli_where_tomllib_is_missing(tmp_path) -> None:
    """Python 3.10 has no tomllib: the `tomli` dependency parses the config instead."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "tomli.py").write_text(TOMLI_SHIM)
    work = tmp_path / "work"
    work.mkdir()
    (work / "t.yaml").write_text(NEEDS_FIX)
    (work / ".cfn-fix.toml").write_text('select = ["LOG001"]\n[options.LOG001]\ndays = 7\n')
    env = {**ENV, "PYTHONPATH": os.pathsep.join([str(shim), *filter(None, [os.environ.get("PYTHONPATH")])])}
    run = subprocess.run([sys.executable, "-c", WITHOUT_TOMLLIB, "--check", "t.yaml"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "RetentionInDays: 7" in run.stdout
    (work / ".cfn-fix.toml").write_text("select = [\n")
    bad = subprocess.run([sys.executable, "-c", WITHOUT_TOMLLIB, "--check", "t.yaml"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "invalid TOML" in bad.stderr, bad.stderr


def test_tomli_is_a_dependency_below_python_3_11() -> None:
    import tomllib

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    assert 'tomli>=1.1; python_version < "3.11"' in deps
