"""The command line: parse flags, call the runner, print. No logic of its own."""

from __future__ import annotations

import os
import signal
import sys
from typing import Optional

import typer

from . import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  help="Repair AWS CloudFormation templates. `cfn-fix PATH...` shows the fixes as a diff; "
                       "--write applies them. Exit codes: 0 nothing to fix (or all written), "
                       "1 fixes pending (dry run / --check), 2 a file could not be processed.")
COMMANDS = {"fix", "rules", "explain", "config", "server"}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cfn-fix {__version__}")
        raise typer.Exit(0)


def _split(values: Optional[list[str]]) -> Optional[list[str]]:
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _fail(message: str) -> None:
    typer.echo(f"cfn-fix: error: {message}", err=True)
    raise typer.Exit(2)


@app.command("fix", help="Repair templates (the default command: `cfn-fix PATH...`).")
def fix(
    paths: list[str] = typer.Argument(..., help="Templates or folders; - reads standard input."),
    write: bool = typer.Option(False, "--write", "-w", help="Apply the fixes in place (atomically)."),
    check: bool = typer.Option(False, "--check", help="Exit 1 when any fix is pending; print the diff."),
    diff: Optional[bool] = typer.Option(None, "--diff/--no-diff", help="Show unified diffs (default in dry run)."),
    stat: bool = typer.Option(False, "--stat", help="Per-file and per-patch change counts."),
    select: Optional[list[str]] = typer.Option(None, "--select", help="Patch ids or prefixes to run (comma-separated)."),
    ignore: Optional[list[str]] = typer.Option(None, "--ignore", help="Patch ids or prefixes to skip."),
    unsafe_fixes: Optional[bool] = typer.Option(None, "--unsafe-fixes/--no-unsafe-fixes",
                                                help="Also apply fixes that change cost or behaviour."),
    output_format: str = typer.Option("text", "--output-format", help="text, json, sarif, github or markdown."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Parallel worker processes (default: all cores)."),
    exclude: Optional[list[str]] = typer.Option(None, "--exclude", help="Glob of paths to leave out (repeatable)."),
    max_bytes: Optional[int] = typer.Option(None, "--max-bytes", help="Refuse larger files (default 10 MB)."),
    validate: bool = typer.Option(False, "--validate", help="Run cfn-lint and the semantic invariants; "
                                  "fail a repair that adds a finding or a violation."),
    to_format: Optional[str] = typer.Option(None, "--format", help="Write the repaired template as yaml or json."),
    target_rps: Optional[float] = typer.Option(None, "--target-rps", help="Plan concurrency/throttles for this rate."),
    p99_latency_ms: Optional[float] = typer.Option(None, "--p99-latency-ms", help="p99 latency for --target-rps."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only changes, errors and the total line."),
    allow_hard_links: bool = typer.Option(False, "--allow-hard-links",
                                          help="Write files that have other names too (those keep the old text)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    from . import report
    from .config import ConfigError
    from .runner import Interrupted, Job, default_jobs, run, stdin_bytes, stdin_limit

    if output_format not in report.FORMATS:
        _fail(f"--output-format must be one of {', '.join(report.FORMATS)}")
    if to_format not in (None, "yaml", "json"):
        _fail("--format must be yaml or json")
    if "-" in paths and len(paths) > 1:
        _fail("- (standard input) cannot be combined with other paths")
    _check_ids(_split(select), _split(ignore))
    cli = {"select": _split(select), "ignore": _split(ignore), "unsafe-fixes": unsafe_fixes,
           "exclude": exclude, "max-bytes": max_bytes, "target-rps": target_rps, "p99-latency-ms": p99_latency_ms}
    job = Job(write=write, validate=validate, convert=to_format, cli=cli, allow_hard_links=allow_hard_links,
              summary=output_format in ("text", "json") and not quiet)
    from_stdin = paths == ["-"]
    try:
        stdin = stdin_bytes(stdin_limit(job)) if from_stdin else None
        progress = _progress_bar() if _isatty(sys.stderr) and output_format == "text" else None
        result = run(paths, job, jobs or default_jobs(), stdin, progress)
    except ConfigError as exc:
        _fail(str(exc))
    except Interrupted as stop:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: a second Ctrl-C must not cut the account
        _say_interrupted(stop.written, stop.not_reached, write)
        raise typer.Exit(130) from None
    # As a filter (text to stdout), printing the repair is writing it: a success, not "pending".
    code = _exit_code(result, write or (from_stdin and output_format == "text" and not check))
    if output_format in ("text", "markdown"):
        _escape_paths(result)
    try:  # a closed or broken output changes neither what was written nor the exit code
        _print(result, report, output_format, write, check, diff, stat, quiet, stdin if from_stdin else None)
        _print_plan(target_rps, p99_latency_ms, output_format)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except (BrokenPipeError, ValueError, OSError):
        _silence_output()
    except KeyboardInterrupt:  # every file was processed already
        _say_interrupted([o.result.path for o in result.outcomes if o.written], 0, write)
        raise typer.Exit(130) from None
    raise typer.Exit(code)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _escape_paths(result) -> None:
    from .discover import shown

    for outcome in result.outcomes:
        outcome.result.path = shown(outcome.result.path)


def _say_interrupted(written: list[str], not_reached: int, write: bool) -> None:
    from .discover import shown

    lines = ["cfn-fix: interrupted"]
    if write:
        lines[0] += f"; {len(written)} file{'s' if len(written) != 1 else ''} written" + (":" if written else "")
        lines += [f"  written: {shown(path)}" for path in written]
        lines.append(f"cfn-fix: {not_reached} file{'s' if not_reached != 1 else ''} not processed; "
                     "every other file is exactly as it was")
    else:
        lines[0] += "; nothing was written"
    try:
        sys.stderr.write("".join(f"{line}\n" for line in lines))
        sys.stderr.flush()
    except (ValueError, OSError):
        pass


def _silence_output() -> None:
    """Point stdout and stderr at /dev/null, so that Python's final flush cannot fail either."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        try:
            os.dup2(devnull, fd)
        except OSError:
            pass
    os.close(devnull)


def _check_ids(select: Optional[list[str]], ignore: Optional[list[str]]) -> None:
    from .registry import import_errors, unknown_selectors

    for problem in import_errors():
        typer.echo(f"cfn-fix: warning: patch module failed to import: {problem}", err=True)
    unknown = unknown_selectors((select or []) + (ignore or []))
    if unknown:
        _fail(f"unknown patch id or prefix: {', '.join(unknown)} (see `cfn-fix rules`)")


def _print(result, report, fmt: str, write: bool, check: bool, diff: Optional[bool], stat: bool,
           quiet: bool, stdin: Optional[bytes]) -> None:
    out, err = sys.stdout, sys.stderr
    if stdin is not None and result.outcomes and fmt == "text":
        _filter_output(result.outcomes[0], stdin, out)
        report.text(result, out, err, show_diff=False, stat=stat, written=not check, quiet=quiet)
        return
    show_diff = diff if diff is not None else (not write or check)
    if fmt == "text":
        colour = out.isatty() and "NO_COLOR" not in os.environ
        report.text(result, out, err, show_diff, stat, written=write, colour=colour, quiet=quiet)
    elif fmt == "json":
        out.write(report.as_json(result, show_diff))
    elif fmt == "sarif":
        out.write(report.as_sarif(result))
    elif fmt == "github":
        out.write(report.as_github(result))
    else:
        out.write(report.as_markdown(result))


def _filter_output(outcome, stdin: bytes, out) -> None:
    """As a filter: the repair, or else the input exactly as it came (unless it was refused as too big)."""
    from .runner import output_bytes

    result = outcome.result
    if result.status == "fixed":
        data = output_bytes(result)
    elif "over the size limit" in result.error:
        return
    else:
        data = stdin
    out.flush()
    out.buffer.write(data)
    out.buffer.flush()


def _print_plan(target_rps: Optional[float], p99: Optional[float], fmt: str) -> None:
    if target_rps is None or fmt != "text":
        return
    from .capacity import Plan

    for line in Plan(target_rps, p99 or 100.0).summary():
        typer.echo(line, err=True)


def _exit_code(result, write: bool) -> int:
    statuses = {o.result.status for o in result.outcomes if not o.quiet_skip}
    if "failed" in statuses or (not result.outcomes and result.notes):
        return 2
    if "fixed" in statuses and not write:
        return 1
    return 0


def _progress_bar():
    import time

    start = time.monotonic()

    def show(done: int, total: int) -> None:
        if time.monotonic() - start < 2 or total < 20:
            return
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\r" + " " * (width + 24) + "\r")
        sys.stderr.flush()

    return show


@app.command("rules", help="List every patch: id, name, safety, title.")
def rules() -> None:
    from .registry import all_patches

    for cls in all_patches():
        typer.echo(f"{cls.id:<9} {cls.name:<36} {cls.safety:<7} {cls.title}")


@app.command("explain", help="What a patch does, why, its defaults and the findings it resolves.")
def explain(patch_id: str = typer.Argument(..., help="Patch id (e.g. LAM001) or name.")) -> None:
    from .registry import all_patches

    found = [c for c in all_patches() if c.id == patch_id.upper() or c.name == patch_id]
    if not found:
        _fail(f"unknown patch {patch_id!r} (see `cfn-fix rules`)")
    cls = found[0]
    typer.echo(f"{cls.id} {cls.name} ({cls.safety})\n{cls.title}\n")
    if cls.explanation:
        typer.echo(cls.explanation.strip() + "\n")
    typer.echo(f"Reads: {', '.join(cls.resource_types) or '-'}")
    typer.echo(f"Runs after: {', '.join(cls.after) or '-'}")
    defaults = cls.defaults()
    typer.echo("Options (defaults): " + (", ".join(f"{k}={v!r}" for k, v in defaults.items()) or "none"))
    typer.echo(f"Resolves: {', '.join(cls.resolves) or '-'}")


@app.command("config", help="Print the effective settings for a path and where each came from.")
def config(path: str = typer.Argument(".", help="A template or folder.")) -> None:
    from .config import ConfigError, settings_for
    from .registry import all_patches

    target = path if not os.path.isdir(path) else os.path.join(path, "template.yaml")
    try:
        settings = settings_for(target, {}, {p.id for p in all_patches()})
    except ConfigError as exc:
        _fail(str(exc))
    typer.echo(f"config file: {settings.config_file or '(none found)'}")
    for key in ("select", "ignore", "unsafe-fixes", "exclude", "max-bytes", "options", "target-rps",
                "p99-latency-ms", "validate"):
        value = getattr(settings, key.replace("-", "_"))
        typer.echo(f"{key} = {value!r}  # {settings.sources.get(key, 'default')}")


@app.command("server", help="Run the language server (LSP) on standard input and output; needs cfn-fix[server].")
def server(stdio: bool = typer.Option(False, "--stdio", help="Accepted for editors that pass it.")) -> None:
    from .server.__main__ import main as serve

    serve([])


def main() -> None:
    from .entry import guard_streams

    guard_streams()
    argv = sys.argv[1:]
    if argv and argv[0] not in COMMANDS and argv[0] not in ("--help", "-h", "--version"):
        argv = ["fix", *argv]
    elif argv and argv[0] == "--version":
        _version_and_exit()
    try:
        app(args=argv, prog_name="cfn-fix")
    except KeyboardInterrupt:  # before or after the files were processed
        _say_interrupted([], 0, False)
        sys.exit(130)
    except Exception as exc:  # a bug: one clear line, never a traceback, and nothing written
        sys.stderr.write(f"cfn-fix: internal error: {type(exc).__name__}: {exc}\n")
        sys.exit(2)


def _version_and_exit() -> None:
    sys.stdout.write(f"cfn-fix {__version__}\n")
    sys.exit(0)


if __name__ == "__main__":
    main()
