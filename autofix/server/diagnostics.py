"""An Analysis as LSP diagnostics: one per pending change, notes as hints, a broken buffer as one error."""

from __future__ import annotations

import inspect
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..edits import Change
from ..registry import by_id
from .analysis import Analysis
from .lines import LineIndex

SOURCE = "cfn-fix"
CHANGE_KINDS = frozenset({"add", "set", "append", "delete", "rename"})
_NOTE_SEVERITY = {
    "advice": types.DiagnosticSeverity.Information,
    "replaces": types.DiagnosticSeverity.Information,
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,  # a malformed suppression, a quota nearly reached
}
_NOTE_LABEL = {"skip": "skipped", "suppressed": "suppressed", "replaces": "replaces", "error": "patch error"}


def diagnostics(found: Analysis, lines: LineIndex, explain_url: str | None = None) -> list[types.Diagnostic]:
    """The diagnostics as lsprotocol objects, for callers in process; the server sends `rendered`."""
    converter = _converter()
    return [converter.structure(item, types.Diagnostic) for item in rendered(found, lines, explain_url)]


def rendered(found: Analysis, lines: LineIndex, explain_url: str | None = None) -> list[dict[str, Any]]:
    """The diagnostics in the JSON the client receives, as pygls' converter would make it of
    lsprotocol Diagnostics; built directly, which costs a third of building those and converting
    them (cattrs: some 10 µs a diagnostic, 300 of them in a 1,000-line template)."""
    if found.problem is not None and found.result is None:
        return [_problem(found, lines)]
    out = [_diagnostic(item, span, found.bom, lines, explain_url) for item, span in zip(found.items, found.spans)]
    if found.problem is not None:  # the engine's repair failed its own checks
        out.insert(0, _problem(found, lines))
    return out


def rendered_json(found: Analysis, lines: LineIndex, explain_url: str | None = None) -> str:
    """json.dumps(rendered(...)), made of each diagnostic's JSON with all but its range kept from
    earlier texts: after a keystroke nearly every change is the one before, moved at most (the
    300 of a 1,000-line template: ~6 ms to render and encode, ~1 ms so)."""
    if found.problem is not None and found.result is None:
        return json.dumps([_problem(found, lines)])
    bom = found.bom
    out = [_range_json(lines, span[0] + bom, span[1] + bom)
           + _tail_json(item.patch_id, item.safety, item.kind, item.path, item.message, item.resolves, explain_url)
           for item, span in zip(found.items, found.spans)]
    if found.problem is not None:
        out.insert(0, json.dumps(_problem(found, lines)))
    return "[" + ", ".join(out) + "]"


def _diagnostic(item: Change, span: tuple[int, int], bom: int, lines: LineIndex,
                explain_url: str | None) -> dict[str, Any]:
    return {"range": _range(lines, span[0] + bom, span[1] + bom), **_tail(item, explain_url)}


def _tail(item: Change, explain_url: str | None) -> dict[str, Any]:
    """A change's diagnostic but its range."""
    fixable = item.kind in CHANGE_KINDS
    tail: list[str] = [str(item.safety)] if by_id(item.patch_id) else []  # a warning about the file has no patch
    if item.resolves:
        tail.append("resolves " + ", ".join(item.resolves))
    message = item.message if fixable else f"{_NOTE_LABEL.get(item.kind, item.kind)}: {item.message}"
    severity = types.DiagnosticSeverity.Warning if fixable else _NOTE_SEVERITY.get(item.kind, types.DiagnosticSeverity.Hint)
    out: dict[str, Any] = {"message": f"{message} ({'; '.join(tail)})" if tail else message,
                           "severity": severity.value, "code": item.patch_id}
    href = _explain(item.patch_id, explain_url)
    if href is not None:
        out["codeDescription"] = {"href": href}
    out["source"] = SOURCE
    out["data"] = {"patch": item.patch_id, "kind": str(item.kind), "safety": str(item.safety), "path": item.dotted,
                   "resolves": list(item.resolves), "fixable": fixable, "explain": f"cfn-fix explain {item.patch_id}"}
    return out


@lru_cache(maxsize=8192)
def _tail_json(patch_id: str, safety: Any, kind: Any, path: tuple, message: str, resolves: tuple[str, ...],
               explain_url: str | None) -> str:
    """The JSON of a diagnostic after its range, from `, "message"` to the closing brace; keyed
    by what `_tail` reads of the change (its `line` is not shown)."""
    change = Change(patch_id, safety, kind, path, 0, message, resolves)
    return ", " + json.dumps(_tail(change, explain_url))[1:]


def _range_json(lines: LineIndex, start: int, end: int) -> str:
    """The start of a diagnostic's JSON: `{"range": {...}` as json.dumps writes it."""
    (l1, c1), (l2, c2) = lines.position(start), lines.position(end)
    return (f'{{"range": {{"start": {{"line": {l1}, "character": {c1}}}, '
            f'"end": {{"line": {l2}, "character": {c2}}}}}')


def _problem(found: Analysis, lines: LineIndex) -> dict[str, Any]:
    problem = found.problem
    assert problem is not None
    line = max((problem.line or 1) - 1, 0)
    if line >= len(lines.starts):
        line = len(lines.starts) - 1
    start = lines.starts[line]
    end = lines.line_end(line)
    if problem.col is not None:  # from the column to the end of the line
        start = min(start + problem.col - 1 + (found.bom if line == 0 else 0), end)
    return {"range": _range(lines, start, end), "message": problem.message,
            "severity": types.DiagnosticSeverity.Error.value, "source": SOURCE}


def lsp_range(lines: LineIndex, start: int, end: int) -> types.Range:
    (l1, c1), (l2, c2) = lines.position(start), lines.position(end)
    return types.Range(start=types.Position(line=l1, character=c1), end=types.Position(line=l2, character=c2))


def _range(lines: LineIndex, start: int, end: int) -> dict[str, dict[str, int]]:
    (l1, c1), (l2, c2) = lines.position(start), lines.position(end)
    return {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}


@lru_cache(maxsize=1)
def _converter() -> Any:
    from lsprotocol.converters import get_converter

    return get_converter()


@lru_cache(maxsize=256)
def _explain(patch_id: str, pattern: str | None) -> str | None:
    """A link for the patch: the configured pattern ({id}, {name}), else the patch's own module,
    whose docstring and `explanation` are what `cfn-fix explain` prints."""
    cls = by_id(patch_id)
    if cls is None:
        return None
    if pattern:
        return pattern.format(id=cls.id, name=cls.name)
    try:
        return Path(inspect.getfile(cls)).resolve().as_uri()
    except (TypeError, OSError):
        return None
