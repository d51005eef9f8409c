"""The command line: parse flags, call the runner, print. No logic of its own.

A plain run, `cfn-fix [FLAG...] PATH...` as editors and pre-commit hooks start it, is read by
`plain_fix` without typer, whose import is about a quarter of a one-file run's start-up; the
flags keep the spellings the typer app declares. Anything else (--help, another command, `-j2`,
a mistake that needs click's message) goes to the typer app, built on first use (`app`).
"""

from __future__ import annotations

import functools
import gc
import io
import os
import sys
from typing import Any, Optional

from . import __version__

COMMANDS = {"fix", "rules", "explain", "config", "server"}


def _split(values: Optional[list[str]]) -> Optional[list[str]]:
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _fail(message: str) -> None:
    _say(f"cfn-fix: error: {message}")
    raise SystemExit(2)


# ---------------------------------------------------------------- the fix command


def run_fix(paths: list[str], write: bool = False, check: bool = False, diff: Optional[bool] = None,
            stat: bool = False, select: Optional[list[str]] = None, ignore: Optional[list[str]] = None,
            extend_select: Optional[list[str]] = None, extend_ignore: Optional[list[str]] = None,
            unsafe_fixes: Optional[bool] = None, output_format: str = "text", output_file: Optional[str] = None,
            jobs: Optional[int] = None, exclude: Optional[list[str]] = None, max_bytes: Optional[int] = None,
            validate: bool = False, to_format: Optional[str] = None, target_rps: Optional[float] = None,
            p99_latency_ms: Optional[float] = None, quiet: bool = False, exit_zero: bool = False,
            stdin_filename: Optional[str] = None, strict_suppressions: bool = False,
            allow_hard_links: bool = False) -> int:
    """The fix command (its flags are documented in the typer app below); returns the exit code."""
    from . import report
    from .config import ConfigError
    from .runner import Interrupted, Job, default_jobs, run, stdin_bytes, stdin_limit

    outputs = _outputs(output_format, output_file, report.FORMATS)
    if to_format not in (None, "yaml", "json"):
        _fail("--format must be yaml or json")
    if check and write:
        _fail("--check and --write cannot be combined: --check reports, --write applies")
    if stdin_filename is not None and paths == ["-"] and stdin_filename.strip() == "":
        _fail("--stdin-filename needs a path")
    if "-" in paths and len(paths) > 1:
        _fail("- (standard input) cannot be combined with other paths")
    if stdin_filename is not None and paths != ["-"]:
        _fail("--stdin-filename applies to standard input: pass - as the only path")
    if validate:
        _check_validate_installed()
    selectors = {key: _selectors(value, flag) for key, value, flag in (
        ("select", select, "--select"), ("ignore", ignore, "--ignore"),
        ("extend-select", extend_select, "--extend-select"), ("extend-ignore", extend_ignore, "--extend-ignore"))}
    cli = {**selectors, "unsafe-fixes": unsafe_fixes, "exclude": exclude, "max-bytes": max_bytes,
           "target-rps": target_rps, "p99-latency-ms": p99_latency_ms}
    formats = {fmt for fmt, _ in outputs}
    job = Job(write=write, validate=validate, convert=to_format, cli=cli, allow_hard_links=allow_hard_links,
              summary=bool(formats & {"text", "json"}) and not quiet, strict_suppressions=strict_suppressions,
              stdin_filename=stdin_filename)
    from_stdin = paths == ["-"]
    try:
        stdin = stdin_bytes(stdin_limit(job)) if from_stdin else None
        progress = _progress_bar() if _isatty(sys.stderr) and "text" in formats else None
        _resume_collector()
        result = run(paths, job, jobs or default_jobs(), stdin, progress)
    except ConfigError as exc:
        _fail(str(exc))
    except Interrupted as stop:
        import signal  # the signal module (its enums cost about a millisecond) only where it is used

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: a second Ctrl-C must not cut the account
        _say_interrupted(stop.written, stop.not_reached, write)
        raise SystemExit(130) from None
    # As a filter (text to stdout), printing the repair is writing it: a success, not "pending".
    filtering = from_stdin and outputs == [("text", None)] and not check
    code = _exit_code(result, write or filtering)
    if exit_zero and code == 1:
        code = 0
    # Machine formats keep the real file names; the ones people read get them escaped after.
    ordered = sorted(outputs, key=lambda output: output[0] in ("text", "markdown"))
    try:  # a closed or broken output changes neither what was written nor the exit code
        for fmt, target in ordered:
            if fmt in ("text", "markdown"):
                _escape_paths(result)
            _print(result, report, fmt, target, write, check, diff, stat, quiet, stdin if from_stdin else None)
        if all(target is not None for _, target in outputs):  # every report in a file: the log still tells
            _escape_paths(result)
            report.text(result, io.StringIO(), sys.stderr, False, stat, written=write, quiet=True,
                        err_colour=report.wants_colour(sys.stderr), check=check)
        _print_plan(target_rps, p99_latency_ms, formats)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except OSError as exc:
        if exc.filename:  # the report file itself could not be written: say so, exit 2
            _say(f"cfn-fix: error: cannot write {exc.filename}: {exc.strerror or exc}")
            raise SystemExit(2) from None
        _silence_output()
    except (BrokenPipeError, ValueError):
        _silence_output()
    except KeyboardInterrupt:  # every file was processed already
        _say_interrupted([o.result.path for o in result.outcomes if o.written], 0, write)
        raise SystemExit(130) from None
    return code


FIX_PARAMETERS = run_fix.__code__.co_varnames[:run_fix.__code__.co_argcount]

# The fix command's flags as the typer app declares them, in the spellings a plain run is read
# in (tests/test_cli_plain.py checks that both readers agree on every one): flag -> parameter
# and the value a bare flag sets, or the type of the value that follows it.
_SWITCHES: dict[str, tuple[str, bool]] = {
    "--write": ("write", True), "-w": ("write", True), "--check": ("check", True),
    "--diff": ("diff", True), "--no-diff": ("diff", False), "--stat": ("stat", True),
    "--unsafe-fixes": ("unsafe_fixes", True), "--no-unsafe-fixes": ("unsafe_fixes", False),
    "--validate": ("validate", True), "--quiet": ("quiet", True), "-q": ("quiet", True),
    "--exit-zero": ("exit_zero", True), "--strict-suppressions": ("strict_suppressions", True),
    "--allow-hard-links": ("allow_hard_links", True)}
_VALUED: dict[str, tuple[str, type]] = {
    "--select": ("select", list), "--ignore": ("ignore", list), "--extend-select": ("extend_select", list),
    "--extend-ignore": ("extend_ignore", list), "--exclude": ("exclude", list),
    "--output-format": ("output_format", str), "--output-file": ("output_file", str), "-o": ("output_file", str),
    "--jobs": ("jobs", int), "-j": ("jobs", int), "--max-bytes": ("max_bytes", int), "--format": ("to_format", str),
    "--target-rps": ("target_rps", float), "--p99-latency-ms": ("p99_latency_ms", float),
    "--stdin-filename": ("stdin_filename", str)}


def plain_fix(argv: list[str]) -> Optional[dict[str, Any]]:
    """run_fix's arguments for the fix command's `argv`, or None when the typer app must read it:
    only flags in the table above (`--flag value`, `--flag=value`), values that convert and do
    not start with a dash, and paths (or `-`); no `--`, no help, no version, at least one path."""
    params: dict[str, Any] = {}
    paths: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg in _SWITCHES:
            name, switch = _SWITCHES[arg]
            params[name] = switch
            continue
        flag, equals, attached = arg.partition("=")
        if flag in _VALUED and (not equals or flag.startswith("--")):
            value = attached if equals else next(args, None)
            if value is None or (not equals and value.startswith("-")):
                return None
            name, kind = _VALUED[flag]
            if kind is list:
                params.setdefault(name, []).append(value)
                continue
            try:
                params[name] = kind(value)
            except ValueError:
                return None  # typer says what is wrong with it
            continue
        if arg.startswith("-") and arg != "-":
            return None
        paths.append(arg)
    return {"paths": paths, **params} if paths else None


def _outputs(spec: str, output_file: Optional[str], formats: tuple[str, ...]) -> list[tuple[str, Optional[str]]]:
    """`--output-format` as (format, file) pairs: `sarif` or `sarif:out.sarif,markdown:pr.md`."""
    found: list[tuple[str, Optional[str]]] = []
    for part in (p.strip() for p in spec.split(",")):
        fmt, _, target = part.partition(":")
        if fmt not in formats:
            _fail(f"--output-format must be one of {', '.join(formats)} (or FORMAT:FILE,...), not {part!r}")
        if _ and not target:
            _fail(f"--output-format {part!r}: a file name must follow the colon")
        found.append((fmt, target or None))
    if output_file is not None:
        if len(found) > 1 or found[0][1] is not None:
            _fail("--output-file takes one format; give files inside --output-format instead")
        found = [(found[0][0], output_file)]
    to_stdout = [fmt for fmt, target in found if target is None]
    if len(to_stdout) > 1:
        _fail("only one --output-format can go to standard output; give the others a file (FORMAT:FILE)")
    return found


def _selectors(values: Optional[list[str]], flag: str) -> Optional[list[str]]:
    from .registry import all_patches, import_errors
    from .selectors import SelectorError, parse

    if values is None:
        return None
    for problem in import_errors():
        _say(f"cfn-fix: warning: patch module failed to import: {problem}")
    try:
        return parse(values, all_patches(), flag)
    except SelectorError as exc:
        _fail(str(exc))
    return None


def _check_validate_installed() -> None:
    """--validate without its judges is one error for the run, not one per file."""
    from importlib.util import find_spec

    missing = [name for name in ("cfnlint", "samtranslator") if find_spec(name) is None]
    if missing:
        _fail("--validate needs cfn-lint and aws-sam-translator: pip install 'cfn-fix[validate]'")


# A plain run pauses Python's cyclic collector while it imports: the modules, classes and
# functions made then all stay alive, yet about fifty collections would traverse them (some 9 ms
# of a one-file run). Before the first file they are frozen (never traversed again) and the
# collector resumes, so the files' own cycles are collected as in any other run.
_COLLECTOR_PAUSED = False


def _pause_collector() -> None:
    global _COLLECTOR_PAUSED
    if gc.isenabled():
        gc.disable()
        _COLLECTOR_PAUSED = True


def _resume_collector() -> None:
    global _COLLECTOR_PAUSED
    if _COLLECTOR_PAUSED:
        from .registry import all_patches

        all_patches()  # the last of the imports: every patch module
        _COLLECTOR_PAUSED = False
        gc.freeze()
        gc.enable()


def _say(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (ValueError, OSError):
        pass


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


def _print(result, report, fmt: str, target: Optional[str], write: bool, check: bool, diff: Optional[bool],
           stat: bool, quiet: bool, stdin: Optional[bytes]) -> None:
    if target is not None:
        with open(target, "w", encoding="utf-8", errors="backslashreplace") as handle:
            _render(result, report, fmt, handle, write, check, diff, stat, quiet, colour=False)
        return
    _render(result, report, fmt, sys.stdout, write, check, diff, stat, quiet, stdin=stdin,
            colour=report.wants_colour(sys.stdout))


def _render(result, report, fmt: str, out, write: bool, check: bool, diff: Optional[bool], stat: bool,
            quiet: bool, stdin: Optional[bytes] = None, colour: bool = False) -> None:
    err = sys.stderr
    err_colour = report.wants_colour(err)
    if stdin is not None and result.outcomes and fmt == "text":
        _filter_output(result.outcomes[0], stdin, out)
        report.text(result, out, err, show_diff=False, stat=stat, written=not check, quiet=quiet,
                    err_colour=err_colour, check=check)
        return
    show_diff = diff if diff is not None else ((not write or check) and not (check and quiet))
    if fmt == "text":
        report.text(result, out, err, show_diff, stat, written=write, colour=colour, quiet=quiet,
                    err_colour=err_colour, check=check)
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


def _print_plan(target_rps: Optional[float], p99: Optional[float], formats: set[str]) -> None:
    if target_rps is None or "text" not in formats:
        return
    from .capacity import Plan

    for line in Plan(target_rps, p99 or 100.0).summary():
        _say(line)


def _exit_code(result, write: bool) -> int:
    counted = [o for o in result.outcomes if not o.quiet_skip]
    statuses = {o.result.status for o in counted}
    # A patch that raised is an error even when the file's other fixes went through.
    errors = any(n.kind == "error" for o in counted for n in o.result.notes)
    if "failed" in statuses or errors or result.notes:
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


SECTIONS = {
    "Fix selection": ("write", "check", "select", "ignore", "extend_select", "extend_ignore", "unsafe_fixes",
                      "target_rps", "p99_latency_ms", "validate", "exit_zero", "strict_suppressions"),
    "Output": ("diff", "stat", "output_format", "output_file", "quiet", "to_format"),
    "Files": ("exclude", "max_bytes", "jobs", "stdin_filename", "allow_hard_links"),
}
OTHER_COMMANDS = (("rules", "list every patch: id, name, safety, title"),
                  ("explain ID", "what a patch does, its defaults, what it resolves"),
                  ("config [PATH]", "the effective settings for a path and where each came from"),
                  ("server", "the language server (LSP) on standard input and output"))


# ---------------------------------------------------------------- the typer app


def __getattr__(name: str) -> Any:
    if name == "app":
        return _typer_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _typer_app() -> Any:
    """The typer app: --help, every command, and the fix command's flags in any spelling click reads."""
    import typer
    import typer.core

    app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                      context_settings={"help_option_names": ["-h", "--help"]},
                      pretty_exceptions_enable=False,
                      help="Repair AWS CloudFormation templates. `cfn-fix PATH...` shows the fixes as a diff; "
                           "--write applies them. Exit codes: 0 nothing to fix (or all written), "
                           "1 fixes pending (dry run / --check), 2 a file could not be processed.")

    def _version(value: bool) -> None:
        if value:
            typer.echo(f"cfn-fix {__version__}")
            raise typer.Exit(0)

    class _SectionedCommand(typer.core.TyperCommand):
        """`--help` with the options in sections, and the other commands listed after them."""

        def format_usage(self, ctx, formatter) -> None:
            formatter.write_usage("cfn-fix", "[OPTIONS] PATH...")

        def format_options(self, ctx, formatter) -> None:
            rows: dict[str, list] = {name: [] for name in (*SECTIONS, "Other options")}
            where = {param: section for section, params in SECTIONS.items() for param in params}
            for param in self.get_params(ctx):
                record = param.get_help_record(ctx)
                if record and param.param_type_name != "argument":
                    rows[where.get(param.name or "", "Other options")].append(record)
            for section, records in rows.items():
                if records:
                    with formatter.section(section):
                        formatter.write_dl(records)
            with formatter.section("Other commands"):
                formatter.write_dl([(f"cfn-fix {name}", text) for name, text in OTHER_COMMANDS])

    @app.command("fix", cls=_SectionedCommand, context_settings={"help_option_names": ["-h", "--help"]},
                 help="Repair CloudFormation templates: `cfn-fix PATH...` shows the fixes as a diff; --write "
                      "applies them. PATH may be a template, a folder (searched recursively) or - (standard "
                      "input). Exit codes: 0 nothing to fix (or all written), 1 fixes pending (dry run, "
                      "--check), 2 a file or the configuration could not be processed, 130 interrupted.")
    def fix(
        paths: list[str] = typer.Argument(..., help="Templates or folders; - reads standard input."),
        write: bool = typer.Option(False, "--write", "-w", help="Apply the fixes in place (atomically)."),
        check: bool = typer.Option(False, "--check", help="Exit 1 when any fix is pending; print the diff."),
        diff: Optional[bool] = typer.Option(None, "--diff/--no-diff",
                                            help="Show unified diffs (default in a dry run, not with --check -q)."),
        stat: bool = typer.Option(False, "--stat", help="Per-file and per-patch change counts."),
        select: Optional[list[str]] = typer.Option(None, "--select", help="Patch ids, id prefixes, names or ALL to "
                                                   "run (comma-separated; replaces the config's select)."),
        ignore: Optional[list[str]] = typer.Option(None, "--ignore", help="Patches to skip (replaces the config's "
                                                   "ignore)."),
        extend_select: Optional[list[str]] = typer.Option(None, "--extend-select",
                                                          help="Patches to run in addition to the selection."),
        extend_ignore: Optional[list[str]] = typer.Option(None, "--extend-ignore",
                                                          help="Patches to skip in addition to the config's ignore."),
        unsafe_fixes: Optional[bool] = typer.Option(None, "--unsafe-fixes/--no-unsafe-fixes",
                                                    help="Also apply fixes that change cost or behaviour."),
        output_format: str = typer.Option("text", "--output-format",
                                          help="text, json, sarif, github or markdown; several as "
                                               "FORMAT:FILE,... (e.g. sarif:out.sarif,markdown:pr.md)."),
        output_file: Optional[str] = typer.Option(None, "--output-file", "-o",
                                                  help="Write the report to this file instead of standard output."),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Parallel worker processes (default: all cores)."),
        exclude: Optional[list[str]] = typer.Option(None, "--exclude", help="Gitignore-style pattern of paths to "
                                                    "leave out, relative to the working folder (repeatable)."),
        max_bytes: Optional[int] = typer.Option(None, "--max-bytes", help="Refuse larger files (default 10 MB)."),
        validate: bool = typer.Option(False, "--validate", help="Run cfn-lint and the semantic invariants; "
                                      "fail a repair that adds a finding or a violation."),
        to_format: Optional[str] = typer.Option(None, "--format", help="Write the repaired template as yaml or json."),
        target_rps: Optional[float] = typer.Option(None, "--target-rps", help="Plan concurrency/throttles for this rate."),
        p99_latency_ms: Optional[float] = typer.Option(None, "--p99-latency-ms", help="p99 latency for --target-rps."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Only changes, warnings, errors and the total line; "
                                   "with --check, one line per file with pending fixes."),
        exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when fixes are pending "
                                       "(errors still exit 2)."),
        stdin_filename: Optional[str] = typer.Option(None, "--stdin-filename", help="The real path of the template "
                                                     "read from standard input: its config, exclusions and name."),
        strict_suppressions: bool = typer.Option(False, "--strict-suppressions",
                                                 help="Fail files whose Metadata cfn-fix suppressions are malformed "
                                                      "or name unknown patches (default: a warning)."),
        allow_hard_links: bool = typer.Option(False, "--allow-hard-links",
                                              help="Write files that have other names too (those keep the old text)."),
        version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    ) -> None:
        given = locals()  # `version` was answered by its callback, before the command runs
        raise typer.Exit(run_fix(**{name: given[name] for name in FIX_PARAMETERS}))

    @app.command("rules", help="List every patch: id, name, safety, title.")
    def rules() -> None:
        from .registry import all_patches

        for cls in sorted(all_patches(), key=lambda c: c.id):
            typer.echo(f"{cls.id:<9} {cls.name:<36} {cls.safety:<7} {cls.title}")

    @app.command("explain", help="What a patch does, why, its defaults and the findings it resolves.")
    def explain(patch_id: str = typer.Argument(..., help="Patch id (e.g. LAM001) or name.")) -> None:
        from .kinds import Phase
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
        when = {Phase.REPAIR: "runs before every decorating patch", Phase.DECORATE: "runs after every repairing patch"}
        typer.echo(f"Phase: {cls.phase} ({when[cls.phase]})")
        defaults = cls.defaults()
        typer.echo("Options (defaults): " + (", ".join(f"{k}={v!r}" for k, v in defaults.items()) or "none"))
        typer.echo(f"Resolves: {', '.join(cls.resolves) or '-'}")
        if cls.honours:
            typer.echo(f"Also stopped by a skip of: {', '.join(cls.honours)}")

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

    return app


def main() -> None:
    from .entry import guard_streams

    guard_streams()
    argv = sys.argv[1:]
    if argv and argv[0] == "--version":
        _version_and_exit()
    if not argv or argv[0] in ("--help", "-h"):
        argv = ["fix", "--help"]  # the fix flags are what most readers look for; other commands follow
    elif argv[0] not in COMMANDS:
        _refuse_mistyped_command(argv[0])
        argv = ["fix", *argv]
    plain = plain_fix(argv[1:]) if argv[0] == "fix" else None
    try:
        if plain is not None:
            _pause_collector()
            sys.exit(run_fix(**plain))
        _typer_app()(args=argv, prog_name="cfn-fix")
    except KeyboardInterrupt:  # before or after the files were processed
        _say_interrupted([], 0, False)
        sys.exit(130)
    except Exception as exc:  # a bug: one clear line, never a traceback, and nothing written
        sys.stderr.write(f"cfn-fix: internal error: {type(exc).__name__}: {exc}\n")
        sys.exit(2)


def _refuse_mistyped_command(word: str) -> None:
    """`cfn-fix explian` is a typo, not a file name: suggest the command (exit 2)."""
    if word.startswith("-") or os.path.lexists(word) or "/" in word or "." in word:
        return
    import difflib

    close = difflib.get_close_matches(word, sorted(COMMANDS), n=1, cutoff=0.6)
    if close:
        sys.stderr.write(f"cfn-fix: error: no such command or file {word!r}; did you mean `cfn-fix {close[0]}`?\n")
        sys.exit(2)


def _version_and_exit() -> None:
    sys.stdout.write(f"cfn-fix {__version__}\n")
    sys.exit(0)


if __name__ == "__main__":
    main()
