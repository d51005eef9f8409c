"""Speed benchmark for cfn-fix at batch scale.

    python3 bench/run.py [FOLDER] [--repeat R] [--sizes 100,1000,10000] [--json OUT] ...

FOLDER defaults to ../shared/corpus beside the repository. In one run it measures, on the
folder's templates (*.yaml, *.yml, *.json, *.template):

  (a) bare ruamel.yaml round-trip load (`YAML(typ="rt").load`) of every file;
  (a') the bare C compose of every file (ruamel.yaml.clibz's `CSafeLoader(...).get_single_node()`,
      no checks, no data), when clibz is installed: the issue's yardstick for (b);
  (b) cfn-fix dry run with every patch (safe and unsafe) on one core, in process
      (read bytes + `fix_bytes`, as the CLI does, without printing);
  (c) the CLI over the folder with `-j <cores>` (`cfn-fix --unsafe-fixes -j N -q --no-diff`),
      whole-run wall time, and the same with `-j 1` for the parallel speed-up;
  (e) the CLI's default output (diff, messages and change summary) against `-q`, both `-j 1`
      with their diffs: what the change summary and the notes cost;
  (d) cfn-lint over the same files (when installed; its version is printed), wall time;

and prints the times and the ratios b/a, b/a', c/b, d/b and e (default / -q). (a), (a') and (b) are
interleaved file by file, so load on a shared machine hits both alike; with --repeat R each file's time is the
best of R; (c) is the best of --cli-repeat alternating runs (default 5; medians are
printed too). CPU time (user+sys, including child processes) is printed beside wall time:
on a busy machine it is the steadier figure.

Then a scaling series on generated templates (bench/generate.py) of 100, 1,000 and 10,000
resources: time per resource at each size, the peak memory (VmHWM) of a fresh process
fixing the largest one, and start-up: `cfn-fix --version`, a run on a one-resource file, a
default dry run (diff and summary) of a 200-line generated template, and bare
`python -c pass` (medians of --version-runs runs).

--cli "python3 -m autofix" runs another CLI than the console script beside this interpreter:
with the benchmark started from another checkout (its bench/run.py), that checkout's code.
--startup-only times the start-up commands alone (no folder), e.g. of a copy installed as
users install it: `--startup-only --cli VENV/bin/cfn-fix` (the floor is then VENV's python).

bench/patch_times.py breaks the time down per patch and shows which ones grow faster than
the template.

Nothing here asserts a timing: the script exits non-zero only when something errs
(cfn-fix raising, the CLI crashing, a missing folder).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

DEFAULT_FOLDER = ROOT.parent / "shared" / "corpus"
SUFFIXES = (".yaml", ".yml", ".json", ".template")
DEFAULT_SIZES = (100, 1_000, 10_000)

# The targets, printed beside the figures (informative only, never asserted).
TARGETS = {
    "b/a": ("<=", 1.3),
    "b/a'": ("<=", 4.0),
    "c/b": ("<=", 1 / 1.7),
    "d/b": (">=", 15.0),
    "def/q": ("<=", 1.10),
    "flatness": ("<=", 1.2),
    "peak_mb": ("<=", 549 / 2),  # half of the 549 MB measured on 2026-11-26
    "startup_s": ("<", 0.3),
    "startup_200_s": ("<=", 0.12),
}
CLI_OVERRIDE: list[str] = []  # --cli


class BenchError(Exception):
    """Something the benchmark cannot measure (as opposed to a slow figure)."""


# ---------------------------------------------------------------- helpers


def templates(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def cli_command() -> list[str]:
    if CLI_OVERRIDE:
        return list(CLI_OVERRIDE)
    # The console script installed beside this interpreter, not a shim found on PATH (pyenv's
    # shims alone add a bash and a pyenv process to every start).
    beside = Path(sys.executable).parent / "cfn-fix"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    exe = shutil.which("cfn-fix")
    return [exe] if exe else [sys.executable, "-m", "autofix"]


def cli_python() -> str:
    """The interpreter of the timed CLI (its console script's `#!` line, else this one), for the floor."""
    try:
        with open(cli_command()[0], "rb") as script:
            first = script.readline().decode("utf-8", "replace")
    except OSError:
        return sys.executable
    interpreter = first[2:].strip() if first.startswith("#!") else ""
    return interpreter if os.path.isabs(interpreter) and os.access(interpreter, os.X_OK) else sys.executable


def timed(cmd: list[str], ok: tuple[int, ...], cwd: Path | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and every process it waited for)."""
    before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - before
    if proc.returncode not in ok:
        tail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip().splitlines()[-5:]
        raise BenchError(f"{' '.join(cmd[:4])} ... exited {proc.returncode}: " + " | ".join(tail))
    return elapsed, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def verdict(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    op, limit = TARGETS[name]
    met = value <= limit if op == "<=" else value >= limit if op == ">=" else value < limit
    shown = f"{limit:.2f}" if name != "c/b" else f"{limit:.3f} (1.7x)"
    return f"target {op} {shown}: {'met' if met else 'NOT met'}"


def fmt_s(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:8.2f} s"


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    return {"cores": os.cpu_count() or 1, "cpu": model or "unknown", "python": platform.python_version(),
            "platform": platform.platform(), "loadavg_start": _loadavg()}


def ensure_bytecode() -> bool:
    """Compile cfn-fix's own modules, as `pip install` does, so start-up is not measured compiling.

    An editable install writes bytecode on first import, unless PYTHONDONTWRITEBYTECODE is set
    (it is on some CI machines): then every run would compile all ~60 modules again, about
    0.13 s per process that no installed copy pays. Returns False when a module does not compile.
    """
    import compileall

    import autofix
    import patches

    folders = {Path(autofix.__file__).parent, Path(patches.__file__).parent}
    return all(compileall.compile_dir(str(folder), quiet=1, maxlevels=0) for folder in folders)


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# ---------------------------------------------------------------- (a) + (b)


class Clock:
    """Wall and CPU time of a block: on a shared machine CPU time is the steadier figure."""

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def load_vs_fix(files: list[Path], repeat: int) -> dict:
    """Per file, interleaved: bare ruamel round-trip load, then cfn-fix (read + fix_bytes)."""
    from ruamel.yaml import YAML

    from autofix.api import build_patches, fix_bytes

    patches = build_patches(unsafe=True)
    bare_c = _bare_c_compose()
    totals = {"a_wall": 0.0, "a_cpu": 0.0, "c_wall": 0.0, "c_cpu": 0.0, "b_wall": 0.0, "b_cpu": 0.0}
    statuses: dict[str, int] = {}
    ruamel_rejects = 0
    errors: list[str] = []
    for path in files:
        best = dict.fromkeys(totals, float("inf"))
        rejected, result = False, None
        for _ in range(repeat):
            with Clock() as clock:
                try:
                    YAML(typ="rt").load(path.read_bytes())
                except Exception:  # invalid or odd files still cost what they cost
                    rejected = True
            best["a_wall"], best["a_cpu"] = min(best["a_wall"], clock.wall), min(best["a_cpu"], clock.cpu)
            if bare_c is not None:
                with Clock() as clock:
                    bare_c(path.read_bytes())
                best["c_wall"], best["c_cpu"] = min(best["c_wall"], clock.wall), min(best["c_cpu"], clock.cpu)
            try:
                with Clock() as clock:
                    result = fix_bytes(path.read_bytes(), str(path), patches)
            except Exception as exc:  # fix_bytes promises never to raise
                errors.append(f"{path}: fix_bytes raised {type(exc).__name__}: {exc}")
                break
            best["b_wall"], best["b_cpu"] = min(best["b_wall"], clock.wall), min(best["b_cpu"], clock.cpu)
        if result is None:
            continue
        for key, value in best.items():
            totals[key] += value
        ruamel_rejects += rejected
        statuses[result.status] = statuses.get(result.status, 0) + 1
        if result.error.startswith("internal error"):
            errors.append(f"{path}: {result.error}")
    bare = {"a_bare_c_s": totals["c_wall"], "a_bare_c_cpu_s": totals["c_cpu"]} if bare_c is not None else \
        {"a_bare_c_s": None, "a_bare_c_cpu_s": None}
    return {"a_load_s": totals["a_wall"], "a_load_cpu_s": totals["a_cpu"], **bare,
            "b_fix_1core_s": totals["b_wall"], "b_fix_1core_cpu_s": totals["b_cpu"], "statuses": statuses,
            "ruamel_rejects": ruamel_rejects, "patches": len(patches), "errors": errors}


def _bare_c_compose() -> Callable[[bytes], object] | None:
    """(a'): ruamel.yaml.clibz's own loader composing a file's text, without cfn-fix's checks."""
    try:
        from ruamel.yaml.cyaml import CSafeLoader
    except ImportError:
        return None

    def compose(raw: bytes) -> object:
        try:
            return CSafeLoader(raw.decode("utf-8-sig")).get_single_node()
        except Exception:  # noqa: BLE001 - a file libyaml refuses costs what it costs
            return None

    return compose


# ---------------------------------------------------------------- (c) + (d)


def cli_run(folder: Path, jobs: int) -> tuple[float, float]:
    # Exit codes 0 (nothing to fix), 1 (fixes pending) and 2 (some file unprocessable) are
    # all normal outcomes of a dry run over a corpus with deliberately broken files.
    return timed(cli_command() + ["--unsafe-fixes", "-j", str(jobs), "-q", "--no-diff", str(folder)], ok=(0, 1, 2))


def output_runs(folder: Path, repeat: int) -> dict:
    """(e): the default output against -q, alternating, best of `repeat` each (wall and CPU)."""
    runs: dict[str, list[tuple[float, float]]] = {"default": [], "quiet": []}
    for _ in range(max(1, repeat)):
        for name, extra in (("default", []), ("quiet", ["-q"])):
            runs[name].append(timed(cli_command() + ["--unsafe-fixes", "-j", "1", *extra, str(folder)], ok=(0, 1, 2)))
    best = {name: min(samples) for name, samples in runs.items()}
    cpu = {name: min(c for _, c in samples) for name, samples in runs.items()}
    return {"e_default_s": best["default"][0], "e_quiet_s": best["quiet"][0], "e_default_cpu_s": cpu["default"],
            "e_quiet_cpu_s": cpu["quiet"], "e": best["default"][0] / best["quiet"][0],
            "e_cpu": cpu["default"] / cpu["quiet"]}


def lint_version() -> str | None:
    exe = shutil.which("cfn-lint")
    if exe is None:
        return None
    proc = subprocess.run([exe, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    return proc.stdout.decode("utf-8", "replace").strip().split()[-1] if proc.stdout else None


def lint_run(files: list[Path]) -> tuple[float | None, float | None]:
    exe = shutil.which("cfn-lint")
    if exe is None:
        return None, None
    # cfn-lint's exit code is a bit mask of finding levels (2, 4, 8); 1 is its own failure,
    # which odd corpus files can also provoke; only a signal or a missing tool is an error.
    return timed([exe, "--", *map(str, files)], ok=tuple(range(0, 64)))


# ---------------------------------------------------------------- scaling


def _measured(status: str, error: str) -> bool:
    """A run that did all the work: fixed, unchanged, or a repair refused only for crossing a
    CloudFormation quota (generated templates grow past 51,200 bytes), checked after verification."""
    return status in ("fixed", "unchanged") or (status == "failed" and "over CloudFormation's limit" in error)


def scaling(sizes: list[int], repeat: int, workdir: Path) -> dict:
    from ruamel.yaml import YAML

    from autofix.api import build_patches, fix_bytes

    patches = build_patches(unsafe=True)
    rows = []
    for n in sizes:
        path = workdir / f"generated-{n}.yaml"
        path.write_text(generate(n), encoding="utf-8")
        raw = path.read_bytes()
        best = {"load_s": float("inf"), "load_cpu_s": float("inf"), "fix_s": float("inf"), "fix_cpu_s": float("inf")}
        result = None
        for _ in range(repeat):
            gc.collect()
            with Clock() as clock:
                YAML(typ="rt").load(raw)
            best["load_s"], best["load_cpu_s"] = min(best["load_s"], clock.wall), min(best["load_cpu_s"], clock.cpu)
            gc.collect()
            with Clock() as clock:
                result = fix_bytes(path.read_bytes(), str(path), patches, max_bytes=max(len(raw) + 1, 10 << 20))
            best["fix_s"], best["fix_cpu_s"] = min(best["fix_s"], clock.wall), min(best["fix_cpu_s"], clock.cpu)
        assert result is not None
        if not _measured(result.status, result.error):
            raise BenchError(f"generated template of {n} resources: {result.status}: {result.error}")
        rows.append({"resources": n, "bytes": len(raw), **best,
                     "fix_ms_per_resource": 1000 * best["fix_s"] / n,
                     "fix_cpu_ms_per_resource": 1000 * best["fix_cpu_s"] / n,
                     "b/a": best["fix_s"] / best["load_s"], "b/a_cpu": best["fix_cpu_s"] / best["load_cpu_s"],
                     "changes": len(result.changes), "status": result.status})
        result = None
        gc.collect()
    wall = [r["fix_ms_per_resource"] for r in rows]
    cpu = [r["fix_cpu_ms_per_resource"] for r in rows]
    return {"rows": rows, "flatness": max(wall) / min(wall), "flatness_cpu": max(cpu) / min(cpu)}


_MEMORY_CHILD = """
import json, resource, sys, time

def peak_kb():
    # VmHWM is this process's own high-water mark; ru_maxrss on Linux also counts the RSS
    # the parent had when it forked us (kept across exec), which is not ours.
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

use_tracemalloc = sys.argv[2] == "1"
from autofix.api import build_patches, fix_bytes
patches = build_patches(unsafe=True)
base_kb = peak_kb()
if use_tracemalloc:
    import tracemalloc
    tracemalloc.start()
raw = open(sys.argv[1], "rb").read()
start = time.perf_counter()
result = fix_bytes(raw, sys.argv[1], patches, max_bytes=len(raw) + (10 << 20))
elapsed = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1] if use_tracemalloc else None
print(json.dumps({"status": result.status, "error": result.error, "seconds": elapsed,
                  "base_kb": base_kb, "maxrss_kb": peak_kb(),
                  "tracemalloc_peak_bytes": peak}))
"""


def memory(path: Path, use_tracemalloc: bool) -> dict:
    proc = subprocess.run([sys.executable, "-c", _MEMORY_CHILD, str(path), "1" if use_tracemalloc else "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    if proc.returncode != 0:
        raise BenchError("memory child failed: " + proc.stderr.decode("utf-8", "replace").strip()[-400:])
    data = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    if not _measured(data["status"], data["error"]):
        raise BenchError(f"memory child: {data['status']}: {data['error']}")
    data["peak_mb"] = data["maxrss_kb"] / 1024  # KiB, from VmHWM (or ru_maxrss)
    return data


_ONE_RESOURCE = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n"
_TWO_HUNDRED_LINES = 13  # resources: bench/generate.py makes them 194 lines


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_parallel(jobs: int, rounds: int = 2) -> float:
    """How much faster `jobs` CPU-bound Python processes finish than one doing the same work.

    The ceiling for (c) at this moment: a shared or hyperthreaded machine gives less than `jobs`.
    """
    from concurrent.futures import ProcessPoolExecutor

    work = [3_000_000] * (2 * jobs)
    best_serial = best_parallel = float("inf")
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_spin, [1] * jobs))  # start the workers before timing
        for _ in range(rounds):
            start = time.perf_counter()
            for n in work:
                _spin(n)
            best_serial = min(best_serial, time.perf_counter() - start)
            start = time.perf_counter()
            list(pool.map(_spin, work))
            best_parallel = min(best_parallel, time.perf_counter() - start)
    return best_serial / best_parallel


def startup(runs: int, workdir: Path) -> dict:
    """Medians of `cfn-fix --version`, of a real run on a one-resource file, and of bare Python."""
    one = workdir / "one-resource.yaml"
    one.write_text(_ONE_RESOURCE, encoding="utf-8")
    two_hundred = workdir / "two-hundred-lines.yaml"
    two_hundred.write_text(generate(_TWO_HUNDRED_LINES), encoding="utf-8")
    commands = {
        "cfn_fix_version": cli_command() + ["--version"],
        "cfn_fix_one_file": cli_command() + ["--unsafe-fixes", "-j", "1", "-q", "--no-diff", str(one)],
        "cfn_fix_200_lines": cli_command() + [str(two_hundred)],
        "python_floor": [cli_python(), "-c", "pass"],
    }
    out: dict = {"runs": runs, "command": cli_command()[0], "python": commands["python_floor"][0]}
    for name, cmd in commands.items():
        samples = [timed(cmd, ok=(0, 1)) for _ in range(runs)]
        out[f"{name}_median_s"] = statistics.median(w for w, _ in samples)
        out[f"{name}_cpu_median_s"] = statistics.median(c for _, c in samples)
    return out


def report_startup(runs: int, out: dict) -> None:
    """Time and print the start-up commands (`startup`), into out["startup"]."""
    with tempfile.TemporaryDirectory(prefix="cfn-fix-bench-") as tmp:
        st = startup(runs, Path(tmp))
    out["startup"] = st
    print(f"start-up, median of {st['runs']} runs ({st['command']}):")
    print(f"  `cfn-fix --version`          {st['cfn_fix_version_median_s']:6.3f} s  "
          f"[cpu {st['cfn_fix_version_cpu_median_s']:.3f} s]   "
          + verdict("startup_s", st["cfn_fix_version_median_s"])
          + f"  [cpu: {verdict('startup_s', st['cfn_fix_version_cpu_median_s'])}]")
    print(f"  cfn-fix on a 1-resource file {st['cfn_fix_one_file_median_s']:6.3f} s  "
          f"[cpu {st['cfn_fix_one_file_cpu_median_s']:.3f} s]")
    print(f"  `cfn-fix T` (200 lines)      {st['cfn_fix_200_lines_median_s']:6.3f} s  "
          f"[cpu {st['cfn_fix_200_lines_cpu_median_s']:.3f} s]   "
          + verdict("startup_200_s", st["cfn_fix_200_lines_median_s"])
          + f"  [cpu: {verdict('startup_200_s', st['cfn_fix_200_lines_cpu_median_s'])}]")
    print(f"  bare `python -c pass`        {st['python_floor_median_s']:6.3f} s  "
          f"[cpu {st['python_floor_cpu_median_s']:.3f} s]  ({st['python']})")


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cfn-fix speed benchmark (see the module docstring).")
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER), help="folder of templates")
    parser.add_argument("--repeat", type=int, default=1, help="best of R per file for (a) and (b)")
    parser.add_argument("--cli-repeat", type=int, default=5,
                        help="alternating CLI runs for (c), -j N and -j 1 each; the best of each counts")
    parser.add_argument("--scale-repeat", type=int, default=1, help="best of R for each generated size")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="workers for (c) (default: cores)")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="generated template sizes in resources, comma-separated ('' to skip)")
    parser.add_argument("--version-runs", type=int, default=7, help="runs of each start-up command (0 to skip)")
    parser.add_argument("--no-lint", action="store_true", help="skip cfn-lint (d)")
    parser.add_argument("--no-cli-serial", action="store_true", help="skip the CLI -j 1 run")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slow)")
    parser.add_argument("--json", help="also write every figure to this JSON file")
    parser.add_argument("--cli", help="the CLI command to time, e.g. 'python3 -m autofix' (default: the console "
                                      "script beside this interpreter)")
    parser.add_argument("--output-repeat", type=int, default=3, help="alternating runs for (e); 0 to skip")
    parser.add_argument("--startup-only", action="store_true",
                        help="only the start-up commands (--version-runs each; no folder needed), e.g. of an "
                             "installed copy with --cli VENV/bin/cfn-fix")
    args = parser.parse_args(argv)
    CLI_OVERRIDE[:] = args.cli.split() if args.cli else []
    if args.startup_only:
        return _startup_only(args)

    folder = Path(args.folder)
    out: dict = {"machine": machine(), "folder": str(folder)}
    try:
        if not folder.is_dir():
            raise BenchError(f"{folder}: no such folder")
        files = templates(folder)
        if not files:
            raise BenchError(f"{folder}: no *.yaml, *.yml, *.json or *.template files")
        _run(args, files, folder, out)
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        out["error"] = str(exc)
        _write_json(args.json, out)
        return 2
    _write_json(args.json, out)
    if out.get("errors"):
        for line in out["errors"][:20]:
            print(f"bench: error: {line}", file=sys.stderr)
        return 1
    return 0


def _startup_only(args: argparse.Namespace) -> int:
    out: dict = {"machine": machine()}
    m = out["machine"]
    print(f"machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}, load average {m['loadavg_start']}")
    if not CLI_OVERRIDE and not ensure_bytecode():
        print("bench: error: cfn-fix's own modules do not compile", file=sys.stderr)
        return 2
    try:
        report_startup(max(1, args.version_runs), out)
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        out["error"] = str(exc)
        _write_json(args.json, out)
        return 2
    m["loadavg_end"] = _loadavg()
    print(f"load average at the end: {m['loadavg_end']}")
    _write_json(args.json, out)
    return 0


def _write_json(path: str | None, out: dict) -> None:
    if path:
        Path(path).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


def _ratio(x: float | None, y: float | None) -> float | None:
    return x / y if x is not None and y else None


def _run(args: argparse.Namespace, files: list[Path], folder: Path, out: dict) -> None:
    m = out["machine"]
    size = sum(p.stat().st_size for p in files)
    print(f"machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}, load average {m['loadavg_start']}")
    print(f"folder:  {folder}: {len(files)} files, {size / 1e6:.2f} MB")
    print("times are wall clock; [cpu] is CPU time (user+sys), steadier on a shared machine")
    print()
    if not ensure_bytecode():
        raise BenchError("cfn-fix's own modules do not compile")

    ab = load_vs_fix(files, max(1, args.repeat))
    out.update(ab)
    out["errors"] = ab["errors"]
    a, b = ab["a_load_s"], ab["b_fix_1core_s"]
    print(f"(a) ruamel.yaml round-trip load      {fmt_s(a)}  [cpu {ab['a_load_cpu_s']:7.2f} s]"
          f"  ({ab['ruamel_rejects']} files rejected by ruamel)")
    if ab["a_bare_c_s"] is not None:
        print(f"(a') bare C compose (clibz)          {fmt_s(ab['a_bare_c_s'])}  [cpu {ab['a_bare_c_cpu_s']:7.2f} s]")
    else:
        print("(a') bare C compose: ruamel.yaml.clibz is not installed")
    print(f"(b) cfn-fix, {ab['patches']} patches, 1 core      {fmt_s(b)}  [cpu {ab['b_fix_1core_cpu_s']:7.2f} s]"
          f"  ({', '.join(f'{k} {v}' for k, v in sorted(ab['statuses'].items()))})")

    # Alternate -j N and -j 1 runs and keep the best of each (as timeit does), so a burst of
    # load from other processes is less likely to decide the speed-up; medians are printed too.
    parallel: list[tuple[float, float]] = []
    serial: list[tuple[float, float]] = []
    for _ in range(max(1, args.cli_repeat)):
        parallel.append(cli_run(folder, args.jobs))
        if not args.no_cli_serial:
            serial.append(cli_run(folder, 1))
    c, c_cpu = min(parallel)
    c1, c1_cpu = min(serial) if serial else (None, None)
    out.update({"c_cli_parallel_s": c, "c_cli_parallel_cpu_s": c_cpu, "jobs": args.jobs,
                "c1_cli_serial_s": c1, "c1_cli_serial_cpu_s": c1_cpu, "cli_runs": len(parallel),
                "c_cli_parallel_median_s": statistics.median(w for w, _ in parallel),
                "c1_cli_serial_median_s": statistics.median(w for w, _ in serial) if serial else None})
    runs = f"best of {len(parallel)}, median {out['c_cli_parallel_median_s']:.2f} s"
    print(f"(c) cfn-fix CLI, -j {args.jobs:<3}             {fmt_s(c)}  [cpu {c_cpu:7.2f} s, all processes]  ({runs})")
    if c1 is not None:
        runs = f"best of {len(serial)}, median {out['c1_cli_serial_median_s']:.2f} s"
        print(f"    cfn-fix CLI, -j 1                {fmt_s(c1)}  [cpu {c1_cpu:7.2f} s]  ({runs})")

    if args.output_repeat > 0:
        e = output_runs(folder, args.output_repeat)
        out.update(e)
        print(f"(e) default output, -j 1             {fmt_s(e['e_default_s'])}  [cpu {e['e_default_cpu_s']:7.2f} s]")
        print(f"    -q, -j 1                         {fmt_s(e['e_quiet_s'])}  [cpu {e['e_quiet_cpu_s']:7.2f} s]"
              f"  (best of {args.output_repeat})")
    version = None if args.no_lint else lint_version()
    d, d_cpu = (None, None) if args.no_lint else lint_run(files)
    out.update({"d_cfn_lint_s": d, "d_cfn_lint_cpu_s": d_cpu, "d_cfn_lint_version": version})
    note = "" if d is not None or args.no_lint else "   (cfn-lint not installed)"
    cpu_note = f"  [cpu {d_cpu:7.2f} s]" if d_cpu is not None else ""
    print(f"(d) cfn-lint {version or '':<24}{fmt_s(d)}{cpu_note}{note}")
    print()

    ratios = {"b/a": _ratio(b, a), "b/a'": _ratio(b, ab["a_bare_c_s"]), "c/b": _ratio(c, b), "d/b": _ratio(d, b), "def/q": out.get("e")}
    cpu_ratios = {"b/a": _ratio(ab["b_fix_1core_cpu_s"], ab["a_load_cpu_s"]),
                  "b/a'": _ratio(ab["b_fix_1core_cpu_s"], ab["a_bare_c_cpu_s"]),
                  "d/b": _ratio(d_cpu, ab["b_fix_1core_cpu_s"]), "def/q": out.get("e_cpu")}
    out["ratios"], out["cpu_ratios"] = ratios, cpu_ratios
    out["c1/c"] = _ratio(c1, c)
    for name, value in ratios.items():
        shown = "n/a" if value is None else f"{value:.2f}"
        extra = f"  [cpu {cpu_ratios[name]:.2f}: {verdict(name, cpu_ratios[name])}]" if cpu_ratios.get(name) else ""
        print(f"{name:<6} {shown:>7}   {verdict(name, value)}{extra}")
    ceiling = machine_parallel(args.jobs) if args.jobs > 1 else 1.0
    out["machine_parallel_speedup"] = ceiling
    if c1:
        print(f"parallel speed-up of the CLI, -j 1 / -j {args.jobs}: {c1 / c:.2f}x measured; this machine "
              f"runs {args.jobs} CPU-bound Python processes {ceiling:.2f}x faster than one right now")
    print()

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if sizes:
        with tempfile.TemporaryDirectory(prefix="cfn-fix-bench-") as tmp:
            scale = scaling(sizes, max(1, args.scale_repeat), Path(tmp))
            out["scaling"] = scale
            print("generated       bytes   load (a)  cfn-fix (b)  ms/resource  [cpu ms/res]   b/a  [cpu]  changes")
            for row in scale["rows"]:
                print(f"{row['resources']:>9,} {row['bytes']:>11,} {row['load_s']:8.2f} s {row['fix_s']:10.2f} s "
                      f"{row['fix_ms_per_resource']:12.3f} {row['fix_cpu_ms_per_resource']:12.3f}  "
                      f"{row['b/a']:6.2f} {row['b/a_cpu']:6.2f} {row['changes']:>8,}")
            flat, flat_cpu = scale["flatness"], scale["flatness_cpu"]
            print(f"time per resource, slowest/fastest size: {flat:.2f}   {verdict('flatness', flat)}"
                  f"  [cpu {flat_cpu:.2f}: {verdict('flatness', flat_cpu)}]")
            mem = memory(Path(tmp) / f"generated-{max(sizes)}.yaml", args.tracemalloc)
            out["memory"] = mem
            traced = mem["tracemalloc_peak_bytes"]
            print(f"peak memory fixing {max(sizes):,} resources (fresh process, peak RSS): {mem['peak_mb']:.0f} MB "
                  f"(after imports {mem['base_kb'] / 1024:.0f} MB"
                  + (f"; tracemalloc peak {traced / 2**20:.0f} MB" if traced else "") + ")   "
                  + verdict("peak_mb", mem["peak_mb"]))

    if args.version_runs > 0:
        report_startup(args.version_runs, out)
    m["loadavg_end"] = _loadavg()
    print(f"load average at the end: {m['loadavg_end']}")


if __name__ == "__main__":
    raise SystemExit(main())
