"""An Analysis as LSP diagnostics: one per pending change, notes as hints, a broken buffer as one error."""

from __future__ import annotations

import inspect
from functools import lru_cache
from pathlib import Path

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
    if found.problem is not None and found.result is None:
        return [_problem(found, lines)]
    out = [_diagnostic(item, span, found.bom, lines, explain_url) for item, span in zip(found.items, found.spans)]
    if found.problem is not None:  # the engine's repair failed its own checks
        out.insert(0, _problem(found, lines))
    return out


def _diagnostic(item: Change, span: tuple[int, int], bom: int, lines: LineIndex,
                explain_url: str | None) -> types.Diagnostic:
    fixable = item.kind in CHANGE_KINDS
    tail: list[str] = [str(item.safety)] if by_id(item.patch_id) else []  # a warning about the file has no patch
    if item.resolves:
        tail.append("resolves " + ", ".join(item.resolves))
    message = item.message if fixable else f"{_NOTE_LABEL.get(item.kind, item.kind)}: {item.message}"
    return types.Diagnostic(
        range=lsp_range(lines, span[0] + bom, span[1] + bom),
        message=f"{message} ({'; '.join(tail)})" if tail else message,
        severity=types.DiagnosticSeverity.Warning if fixable else
        _NOTE_SEVERITY.get(item.kind, types.DiagnosticSeverity.Hint),
        code=item.patch_id,
        code_description=_explain(item.patch_id, explain_url),
        source=SOURCE,
        data={"patch": item.patch_id, "kind": item.kind, "safety": item.safety, "path": item.dotted,
              "resolves": list(item.resolves), "fixable": fixable, "explain": f"cfn-fix explain {item.patch_id}"},
    )


def _problem(found: Analysis, lines: LineIndex) -> types.Diagnostic:
    problem = found.problem
    assert problem is not None
    line = max((problem.line or 1) - 1, 0)
    if line >= len(lines.starts):
        line = len(lines.starts) - 1
    start = lines.starts[line]
    end = lines.line_end(line)
    if problem.col is not None:  # from the column to the end of the line
        start = min(start + problem.col - 1 + (found.bom if line == 0 else 0), end)
    return types.Diagnostic(range=lsp_range(lines, start, end), message=problem.message,
                            severity=types.DiagnosticSeverity.Error, source=SOURCE)


def lsp_range(lines: LineIndex, start: int, end: int) -> types.Range:
    (l1, c1), (l2, c2) = lines.position(start), lines.position(end)
    return types.Range(start=types.Position(line=l1, character=c1), end=types.Position(line=l2, character=c2))


@lru_cache(maxsize=256)
def _explain(patch_id: str, pattern: str | None) -> types.CodeDescription | None:
    """A link for the patch: the configured pattern ({id}, {name}), else the patch's own module,
    whose docstring and `explanation` are what `cfn-fix explain` prints."""
    cls = by_id(patch_id)
    if cls is None:
        return None
    if pattern:
        return types.CodeDescription(href=pattern.format(id=cls.id, name=cls.name))
    try:
        return types.CodeDescription(href=Path(inspect.getfile(cls)).resolve().as_uri())
    except (TypeError, OSError):
        return None
