"""bench/run.py --startup-only: the start-up figures alone, for any installed console script."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("cfn_fix_bench_run_startup", ROOT / "bench" / "run.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_startup_only_times_the_given_console_script_against_its_own_interpreter(tmp_path: Path, capsys) -> None:
    script = tmp_path / "cfn-fix"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom autofix.entry import main\nsys.exit(main())\n",
                      encoding="utf-8")
    script.chmod(0o755)
    report = tmp_path / "startup.json"
    try:
        code = bench.main(["--startup-only", "--version-runs", "1", "--cli", str(script), "--json", str(report)])
    finally:
        bench.CLI_OVERRIDE[:] = []
    assert code == 0, capsys.readouterr()
    figures = json.loads(report.read_text(encoding="utf-8"))["startup"]
    assert figures["command"] == str(script) and figures["python"] == sys.executable
    assert figures["runs"] == 1 and figures["cfn_fix_200_lines_median_s"] > 0 and figures["python_floor_median_s"] > 0
    assert "(200 lines)" in capsys.readouterr().out


def test_the_floor_is_this_interpreter_when_the_command_is_not_a_script(tmp_path: Path) -> None:
    try:
        bench.CLI_OVERRIDE[:] = ["python3", "-m", "autofix"]
        assert bench.cli_python() == sys.executable
    finally:
        bench.CLI_OVERRIDE[:] = []
