"""Files in, results out: settings per file, parallel workers, validation, atomic writes."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from .api import build_patches, fix_bytes
from .config import ConfigError, Settings, settings_for
from .discover import Target, discover
from .engine import FAILED, FIXED, SKIPPED, UNCHANGED, Result
from .fileio import WriteRefused, create_atomically, read_file, replace_atomically
from .record import field, record
from .registry import Patch, all_patches

_QUICK_MARKERS = (b"Resources", b"AWSTemplateFormatVersion")


@record
class Job:
    write: bool = False
    validate: bool = False
    convert: str | None = None  # "yaml" or "json"
    summary: bool = False  # list what each repair added, set, appended and removed
    allow_hard_links: bool = False  # write files with several names (the others keep the old text)
    strict_suppressions: bool = False  # a malformed or unknown cfn-fix suppression fails its file
    stdin_filename: str | None = None  # the real path of standard input: its config and its name
    cli: dict[str, Any] = field(default_factory=dict)  # settings given as flags


@record
class Outcome:
    result: Result
    explicit: bool = True
    written: bool = False
    quiet_skip: bool = False  # a non-template found while walking a folder


class Interrupted(Exception):
    """The run was stopped (SIGINT) part way; says which files were written and how many were not reached."""

    def __init__(self, outcomes: list[Outcome], total: int, written: list[str]) -> None:
        super().__init__("interrupted")
        self.outcomes = outcomes
        self.written = written
        self.not_reached = total - len(outcomes) - sum(1 for path in written if path not in
                                                       {o.result.path for o in outcomes})


@record
class Run:
    outcomes: list[Outcome]
    notes: list[str]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.result.status == status and not o.quiet_skip)

    @property
    def quiet_skips(self) -> int:
        return sum(1 for o in self.outcomes if o.quiet_skip)


def run(paths: list[str], job: Job, jobs: int = 1, stdin: bytes | None = None,
        progress: Callable[[int, int], None] | None = None) -> Run:
    known = {p.id for p in all_patches()}
    cache: dict = {}
    first = settings_for(paths[0] if paths else ".", job.cli, known, cache)
    targets, notes = discover(paths, first.exclusion())
    work = []
    for target in targets:
        settings = settings_for(_shown_name(target.path, job), job.cli, known, cache)
        if target.path != "-" and not target.explicit and _excluded(target.path, settings):
            continue
        work.append((target, settings, job, stdin if target.path == "-" else None))
    outcomes: list[Outcome] = []
    _WRITTEN.clear()
    try:
        for outcome in _map(work, jobs, progress):
            outcomes.append(outcome)
    except KeyboardInterrupt as exc:
        with _sigint_ignored():  # a second Ctrl-C must not lose the account of what was written
            done = exc.args[0] if exc.args and isinstance(exc.args[0], list) else outcomes
            written = [o.result.path for o in done if o.written]
            written += [path for path in _WRITTEN if path not in written]  # the file being written when stopped
            stop = Interrupted(done, len(work), written)
        raise stop from None
    return Run(outcomes, notes)


_WRITTEN: list[str] = []  # files this process renamed into place during the current run


def _excluded(path: str, settings: Settings) -> bool:
    return settings.exclusion().matches(path)


def _map(work: list, jobs: int, progress: Callable[[int, int], None] | None) -> Iterator[Outcome]:
    total = len(work)
    if jobs <= 1 or total < 4:
        for done, item in enumerate(work, 1):
            yield process(*item)
            if progress:
                progress(done, total)
        return
    # Largest files first, one at a time: the last file to finish is then a small one, so no
    # worker idles while another works through a long tail. Outcomes keep the given order.
    order = sorted(range(total), key=lambda i: -_size(work[i][0].path))
    outcomes: list[Outcome | None] = [None] * total
    pool_class = globals().get("ProcessPoolExecutor") or __getattr__("ProcessPoolExecutor")
    pool = pool_class(max_workers=min(jobs, total), mp_context=_fork_context(),
                               initializer=_worker_start, initargs=(os.getpid(),))
    futures = {pool.submit(_process_packed, work[i]): i for i in order}
    try:
        for done, future in enumerate(futures, 1):
            outcomes[futures[future]] = future.result()
            if progress:
                progress(done, total)
    except KeyboardInterrupt:
        # Files being processed finish (workers ignore SIGINT, so none stops mid-write); the
        # rest are never started. What did finish is handed up, written or not. A second
        # Ctrl-C meanwhile is ignored: it would lose the count of what the workers wrote.
        with _sigint_ignored():
            pool.shutdown(wait=True, cancel_futures=True)
        for future, i in futures.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                outcomes[i] = future.result()
        raise KeyboardInterrupt([o for o in outcomes if o is not None]) from None
    pool.shutdown(wait=True)
    yield from (o for o in outcomes if o is not None)


def __getattr__(name: str) -> Any:
    """`ProcessPoolExecutor`, imported when first needed: with multiprocessing it costs ~10 ms
    that a run of one file (an editor's, a pre-commit hook's) never needs."""
    if name != "ProcessPoolExecutor":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from concurrent.futures import ProcessPoolExecutor

    globals()[name] = ProcessPoolExecutor
    return ProcessPoolExecutor


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    import signal  # here and in the workers only: a dry run of one file never needs it

    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals go elsewhere anyway
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


_PARENT: int | None = None  # in a worker: the pid of the cfn-fix process that started it


def _worker_start(parent: int) -> None:
    """A worker dies with its parent and leaves Ctrl-C to it (it finishes its file, then stops)."""
    global _PARENT
    _PARENT = parent
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return  # elsewhere the pid check before each write is the guard
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def parent_alive() -> bool:
    """False in a worker whose parent is gone: it must write nothing more."""
    return _PARENT is None or os.getppid() == _PARENT


def _fork_context() -> Any:
    """On Linux, fork: workers start with every module the parent imported, at no cost.

    Python 3.14 made forkserver the default there, which would import cfn-fix again in each
    worker. The CLI starts no thread before the pool, and the pool forks its workers before
    starting its own. Elsewhere (macOS spawns by default) the platform's default stays.
    """
    import multiprocessing

    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _process_packed(item: tuple) -> Outcome:
    return process(*item)


_PATCH_CACHE: dict[tuple, list[Patch]] = {}


def patches_for(settings: Settings) -> list[Patch]:
    key = settings.key()
    if key not in _PATCH_CACHE:
        from .capacity import planned_options

        options = planned_options(settings)
        try:
            _PATCH_CACHE[key] = build_patches(settings.select, settings.ignore, settings.unsafe_fixes, options)
        except ValueError as exc:
            where = settings.config_file or "command line"
            raise ConfigError(f"{where}: {exc}") from None
    return _PATCH_CACHE[key]


def process(target: Target, settings: Settings, job: Job, stdin: bytes | None = None) -> Outcome:
    """One file, start to end; whatever goes wrong costs this file only, never the batch."""
    try:
        return _process(target, settings, job, stdin)
    except Exception as exc:  # noqa: BLE001 - a bug in the engine or a patch: report it, keep the batch going
        detail = (str(exc).splitlines() or [""])[0][:200]
        error = f"internal error: {type(exc).__name__}: {detail} (please report this)"
        return Outcome(Result(target.path, FAILED, error=error), target.explicit)


def _process(target: Target, settings: Settings, job: Job, stdin: bytes | None = None) -> Outcome:
    path = target.path
    identity = None
    try:
        if path == "-":
            raw = stdin
        else:
            raw, identity = read_file(path, settings.max_bytes)
    except WriteRefused as exc:
        return Outcome(Result(path, FAILED, error=str(exc)), target.explicit)
    assert raw is not None
    if not target.explicit and not any(marker in raw for marker in _QUICK_MARKERS):
        return Outcome(Result(path, SKIPPED, error="not a CloudFormation template"), False, quiet_skip=True)
    try:
        patches = patches_for(settings)
    except ConfigError as exc:
        return Outcome(Result(path, FAILED, error=str(exc)), target.explicit)
    try:
        result = fix_bytes(raw, _shown_name(path, job), patches, settings.max_bytes, job.strict_suppressions,
                           summarise=job.summary and not job.convert)
    except RecursionError:
        result = Result(path, FAILED, error="document is nested too deeply to process")
    if result.status == SKIPPED and not target.explicit:
        return Outcome(result, False, quiet_skip=True)
    if result.status in (FIXED, UNCHANGED) and job.convert and job.convert != result.fmt:
        _convert(result, job.convert)
    if result.status == FIXED and (job.validate or settings.validate):
        _validate(result)
        if result.status != FIXED:
            result.summary = []  # a refused repair changes nothing
    outcome = Outcome(result, target.explicit)
    if job.write and result.status == FIXED and path != "-":
        try:
            if job.convert and job.convert != _source_fmt(raw):
                from .convert import converted_path

                create_atomically(converted_path(path, job.convert), output_bytes(result))
            else:
                replace_atomically(path, raw, output_bytes(result), identity=identity, root=target.root,
                                   allow_hard_links=job.allow_hard_links, still_wanted=parent_alive,
                                   on_written=lambda: _WRITTEN.append(path))
            outcome.written = True
        except WriteRefused as exc:
            result.status, result.error = FAILED, str(exc)
        except OSError as exc:
            result.status, result.error = FAILED, f"cannot write: {exc.strerror or exc}"
    return outcome


def _shown_name(path: str, job: Job) -> str:
    return job.stdin_filename if path == "-" and job.stdin_filename else path


def _source_fmt(raw: bytes) -> str:
    return "json" if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "yaml"


def output_bytes(result: Result) -> bytes:
    data = result.output.encode("utf-8")
    return b"\xef\xbb\xbf" + data if result.bom else data


def _validate(result: Result) -> None:
    """Fail a repair that adds a cfn-lint finding or breaks a semantic invariant the original kept."""
    from .validate import new_findings, new_violations

    try:
        added = new_findings(result.source, result.output)
        broken = new_violations(result.source, result.output)
    except ImportError:
        result.status, result.error = FAILED, ("--validate needs cfn-lint and aws-sam-translator: "
                                               "pip install 'cfn-fix[validate]'")
        return
    problems = []
    if added:
        problems.append("repair would add cfn-lint findings the original lacks: " + "; ".join(added[:5]))
    if broken:
        problems.append("repair would break what the original kept: " + "; ".join(broken[:5]))
    if problems:
        result.status, result.error = FAILED, " and ".join(problems)


def _convert(result: Result, fmt: str) -> None:
    from .convert import convert_text

    try:
        result.output = convert_text(result.output, fmt)
    except Exception as exc:  # cfn-flip raising on odd input must not stop a batch
        result.status, result.error = FAILED, f"cannot convert to {fmt}: {exc}"
        return
    result.fmt = fmt
    result.status = FIXED


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def stdin_bytes(limit: int) -> bytes:
    """Standard input, at most `limit` + 1 bytes: enough to refuse an oversized input."""
    stream = sys.stdin.buffer if sys.stdin is not None else None
    return stream.read(limit + 1) if stream is not None else b""


def stdin_limit(job: Job) -> int:
    """The size limit for standard input: --max-bytes, else the config of the working folder."""
    return settings_for(job.stdin_filename or "-", job.cli, {p.id for p in all_patches()}).max_bytes
