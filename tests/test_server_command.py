"""`cfn-fix server` is the language server: reached from the console script and listed in --help."""

from __future__ import annotations

import subprocess
import sys


def _cfn_fix(*args: str) -> subprocess.CompletedProcess:
    code = "import sys; from autofix.entry import main; sys.argv = ['cfn-fix', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60,
                          check=False)


def test_server_help_comes_from_the_server() -> None:
    run = _cfn_fix("server", "--help")
    assert run.returncode == 0 and "language server" in run.stdout


def test_server_rejects_unknown_arguments() -> None:
    run = _cfn_fix("server", "--tcp")
    assert run.returncode == 2 and "unknown argument '--tcp'" in run.stderr


def test_server_is_a_listed_command() -> None:
    run = _cfn_fix("--help")
    assert run.returncode == 0 and "server" in run.stdout
