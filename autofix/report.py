"""Render a run for people and tools: text, json, sarif, github, markdown."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, TextIO

from . import __version__
from .edits import Change
from .engine import FAILED, FIXED, SKIPPED, UNCHANGED
from .runner import Outcome, Run

FORMATS = ("text", "json", "sarif", "github", "markdown")
INFO_URI = "https://pypi.org/project/cfn-fix/"


def records(outcome: Outcome) -> list[dict[str, Any]]:
    """One record per change of one file."""
    result = outcome.result
    return [_record(result.path, c) for c in result.changes]


def _record(path: str, change: Change) -> dict[str, Any]:
    return {"file": path, "patch_id": change.patch_id, "safety": change.safety, "kind": change.kind,
            "resource": change.resource, "property_path": change.dotted, "line": change.line,
            "message": change.message, "resolves": list(change.resolves)}


def distinct_changes(changes: list[Change]) -> list[Change]:
    """One change per (patch, message): the edits a patch describes with one message (several
    properties of a resource, or a new topic with its policy, subscription and parameter) are
    one change to a reader; messages name what they change, so two changes never share one."""
    return _distinct(changes, lambda c: (c.patch_id, c.message))


def distinct_notes(notes: list[Change]) -> list[Change]:
    """Skips, advice and suppressions, each said once per resource."""
    return _distinct(notes, lambda n: (n.patch_id, n.kind, tuple(n.path[:2]), n.message))


def _distinct(items: list[Change], key: Any) -> list[Change]:
    seen: set[tuple] = set()
    found = []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            found.append(item)
    return found


def change_count(run: Run) -> int:
    return sum(len(distinct_changes(o.result.changes)) for o in run.outcomes if not o.quiet_skip)


def diff_of(outcome: Outcome) -> str:
    # difflib is imported only where a diff is shown (not with -q or --no-diff)
    from .diff import unified_diff

    result = outcome.result
    return unified_diff(result.source, result.output, result.path) if result.status == FIXED else ""


# ---------------------------------------------------------------- text

ERROR_KINDS = ("error", "warning")  # notes printed whatever --quiet says


class _Style:
    """Colour through click's styling, decided per stream by the caller (see `wants_colour`)."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def paint(self, text: str, **style: Any) -> str:
        if not self.colour:
            return text
        import click

        return click.style(text, **style)

    def diff(self, text: str) -> str:
        if not self.colour:
            return text
        out = []
        for line in text.splitlines(keepends=True):
            body = line.rstrip("\n")
            if line.startswith("+") and not line.startswith("+++"):
                line = self.paint(body, fg="green") + "\n"
            elif line.startswith("-") and not line.startswith("---"):
                line = self.paint(body, fg="red") + "\n"
            elif line.startswith("@@"):
                line = self.paint(body, fg="cyan") + "\n"
            out.append(line)
        return "".join(out)


def wants_colour(stream: Any, environ: Any = None) -> bool:
    """Colour for this stream: NO_COLOR wins, then FORCE_COLOR, else only on a terminal."""
    import os

    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def labelled(kind: str, message: str, sep: str = ": ") -> str:
    """`kind: message`, or the message alone when it starts with its kind's word ('replaces
    AWS::...', 'add parameter X'): the word said twice tells the reader nothing."""
    return message if message.split(" ", 1)[0] == kind else f"{kind}{sep}{message}"


def _plural(count: int, word: str) -> str:
    suffix = "es" if word.endswith(("s", "x", "sh", "ch")) else "s"  # fixes, not fixs
    return f"{count} {word}{'' if count == 1 else suffix}"


def text(run: Run, out: TextIO, err: TextIO, show_diff: bool, stat: bool, written: bool,
         colour: bool = False, quiet: bool = False, err_colour: bool = False, check: bool = False) -> None:
    """Diffs to `out`; messages to `err`. `check` with `quiet`: one line per file with pending fixes."""
    style, loud = _Style(colour), _Style(err_colour)
    brief = quiet and check
    for outcome in run.outcomes:
        result = outcome.result
        if show_diff and result.status == FIXED:
            out.write(style.diff(diff_of(outcome)))
        if outcome.quiet_skip:
            continue
        changes = distinct_changes(result.changes)
        if brief and changes:
            ids = ", ".join(dict.fromkeys(c.patch_id for c in changes))
            err.write(f"{result.path}: {_plural(len(changes), 'fix')} pending ({ids})\n")
        for change in [] if brief else changes:
            tag = loud.paint(change.patch_id, bold=True)
            unsafe = " [unsafe]" if change.safety == "unsafe" else ""
            err.write(f"{result.path}:{change.line}: {tag}{unsafe} {change.message}\n")
        for note in distinct_notes(result.notes):
            if note.kind in ERROR_KINDS:
                label = loud.paint(note.kind, fg="red" if note.kind == "error" else "yellow")
                err.write(f"{result.path}:{note.line}: {note.patch_id} {label}: {note.message}\n")
            elif not quiet:
                err.write(f"{result.path}:{note.line}: {note.patch_id} {labelled(note.kind, note.message)}\n")
        if result.status == FAILED:
            where = f":{result.error_line}:{result.error_col or 1}" if result.error_line else ""
            err.write(f"{result.path}{where}: {loud.paint('error', fg='red')}: {result.error}\n")
        elif result.status == SKIPPED and not quiet:
            err.write(f"{result.path}: skipped: {result.error}\n")
        if result.summary and not quiet:
            err.write("".join(f"  {line}\n" for line in result.summary))
    for problem in run.notes:
        err.write(f"{problem}\n")
    if stat:
        err.write(stat_table(run))
    if not brief:
        err.write(totals_line(run, written) + "\n")


def totals_line(run: Run, written: bool) -> str:
    """'3 files: 2 fixed (14 changes), 1 unchanged, ...': files by outcome, changes as printed."""
    changes = change_count(run)
    verb = "fixed" if written else "would fix"
    parts = [f"{run.count(FIXED)} {verb} ({changes} change{'s' if changes != 1 else ''})",
             f"{run.count(UNCHANGED)} unchanged", f"{run.count(SKIPPED)} skipped",
             f"{sum(1 for o in run.outcomes if _suppressed(o))} with suppressions", f"{run.count(FAILED)} failed"]
    if run.quiet_skips:
        parts.append(f"{run.quiet_skips} non-templates ignored")
    files = len(run.outcomes)
    return f"{files} file{'s' if files != 1 else ''}: " + ", ".join(parts)


def _suppressed(outcome: Outcome) -> bool:
    return any(n.kind == "suppressed" for n in outcome.result.notes)


def stat_table(run: Run) -> str:
    per_patch: Counter = Counter()
    lines = []
    for outcome in run.outcomes:
        changes = distinct_changes(outcome.result.changes)
        if changes:
            lines.append(f"{outcome.result.path}: {_plural(len(changes), 'change')}")
        per_patch.update(c.patch_id for c in changes)
    lines += [f"{pid}: {_plural(count, 'change')}" for pid, count in sorted(per_patch.items())]
    return "".join(f"{line}\n" for line in lines)


# ---------------------------------------------------------------- json


def as_json(run: Run, show_diff: bool) -> str:
    files = []
    for outcome in run.outcomes:
        if outcome.quiet_skip:
            continue
        result = outcome.result
        entry: dict[str, Any] = {
            "file": result.path, "status": result.status, "written": outcome.written,
            "changes": records(outcome),
            "notes": [{**_record(result.path, n), "kind": n.kind} for n in result.notes],
            "summary": result.summary,
        }
        if result.error:
            entry["error"] = {"message": result.error, "line": result.error_line, "column": result.error_col}
        if show_diff and result.status == FIXED:
            entry["diff"] = diff_of(outcome)
        files.append(entry)
    totals = {s: run.count(s) for s in (FIXED, UNCHANGED, SKIPPED, FAILED)}
    # "changes" counts what the text output prints; "edits" the records (one per property).
    totals["changes"] = change_count(run)
    totals["edits"] = sum(len(f["changes"]) for f in files)
    payload = {"version": __version__, "files": files, "totals": totals,
               "changes": [r for f in files for r in f["changes"]],
               "errors": [{"message": note} for note in run.notes]}
    return json.dumps(payload, indent=2) + "\n"


# ---------------------------------------------------------------- sarif


def as_sarif(run: Run, root: str | None = None) -> str:
    from .sarif import sarif_log

    return json.dumps(sarif_log(run, root), indent=2) + "\n"


# ---------------------------------------------------------------- github


def as_github(run: Run) -> str:
    lines = []
    for outcome in run.outcomes:
        result = outcome.result
        where = f"file={_gh_property(result.path)}"
        for change in distinct_changes(result.changes):
            level = "notice" if change.safety == "advice" else "warning"
            lines.append(f"::{level} {where},line={change.line},"
                         f"title={_gh_property(change.patch_id)}::{_gh_message(change.message)}")
        for note in distinct_notes(result.notes):
            if note.kind in ("advice", "replaces", *ERROR_KINDS):  # a replacement on update is worth a look
                level = {"advice": "notice", "error": "error"}.get(note.kind, "warning")
                lines.append(f"::{level} {where},line={note.line},title={_gh_property(note.patch_id)}::"
                             f"{_gh_message(note.message)}")
        if result.status == FAILED:
            lines.append(f"::error {where},line={result.error_line or 1}::{_gh_message(result.error)}")
    lines += [f"::error title=cfn-fix::{_gh_message(note)}" for note in run.notes]
    return "".join(f"{line}\n" for line in lines)


def _gh_message(text: str) -> str:
    """A workflow command's message: GitHub's runner unescapes %25, %0D and %0A there, nothing else."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    """A property value (file=, title=): also `:` and `,`, which would end it."""
    return _gh_message(text).replace(":", "%3A").replace(",", "%2C")


# ---------------------------------------------------------------- markdown


def as_markdown(run: Run) -> str:
    out = ["## cfn-fix report", ""]
    fixed = [o for o in run.outcomes if o.result.status == FIXED]
    failed = [o for o in run.outcomes if o.result.status == FAILED]
    if not fixed and not failed and not run.notes:
        out.append("No fixes needed.")
    for outcome in fixed:
        result = outcome.result
        out += [f"### `{result.path}`", "", "| Line | Patch | Safety | Change |", "| ---: | --- | --- | --- |"]
        out += [f"| {c.line} | {c.patch_id} | {c.safety} | {_md(c.message)} |" for c in distinct_changes(result.changes)]
        advice = [n for n in distinct_notes(result.notes) if n.kind in ("replaces", "advice", "skip", "suppressed")]
        if advice:
            out += ["", "<details><summary>Replacements on update, advice, skips and suppressions</summary>", ""]
            out += [f"- line {n.line}: **{n.patch_id}** {_md(labelled(n.kind, n.message))}" for n in advice]
            out += ["", "</details>"]
        out += ["", "<details><summary>Diff</summary>", "", "```diff", diff_of(outcome).rstrip("\n"), "```", "",
                "</details>", ""]
    for outcome in failed:
        out.append(f"- :x: `{outcome.result.path}`: {_md(outcome.result.error)}")
    for outcome in run.outcomes:
        for note in distinct_notes(outcome.result.notes):
            if note.kind in ERROR_KINDS:
                out.append(f"- :warning: `{outcome.result.path}` line {note.line}: **{note.patch_id}** "
                           f"{note.kind}: {_md(note.message)}")
    out += [f"- :x: {_md(note)}" for note in run.notes]
    out += ["", f"_{totals_line(run, written=False)}_", ""]
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
