"""Run patches on one document, splice, verify, and return what happened."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any

from . import fastload
from .document import Document, gc_paused
from .edits import Advice, Change, Skip, dotted, edit_kind, target_path
from .errors import EditError
from .registry import ADVICE, Patch
from .splice import Editor
from .suppress import Suppressions
from .view import TemplateView

FIXED, UNCHANGED, SKIPPED, FAILED = "fixed", "unchanged", "skipped", "failed"


@dataclass
class Result:
    path: str
    status: str
    source: str = ""
    output: str = ""
    fmt: str = "yaml"
    bom: bool = False
    changes: list[Change] = field(default_factory=list)
    notes: list[Change] = field(default_factory=list)  # skips, advice, suppressed
    error: str = ""
    error_line: int | None = None
    error_col: int | None = None
    summary: list[str] = field(default_factory=list)  # semantic, from deepdiff (when asked)

    @property
    def changed(self) -> bool:
        return self.status == FIXED


def fix_document(doc: Document, patches: list[Patch], verify: bool = True) -> Result:
    with gc_paused():
        return _fix_document(doc, patches, verify)


def _fix_document(doc: Document, patches: list[Patch], verify: bool) -> Result:
    result = Result(doc.path, UNCHANGED, source=doc.source, output=doc.source, fmt=doc.fmt, bom=doc.bom)
    editor = Editor(doc)
    view = TemplateView(doc.data)
    suppressions = Suppressions(doc.data)
    for patch in patches:
        if suppressions.template_ignores(patch):
            continue
        _run_patch(patch, doc, editor, view, suppressions, result)
    if not result.changes:
        return result
    try:
        output = editor.output()
    except EditError as exc:  # two patches' edits collide in the text: a bug, never a half-written file
        result.status, result.error = FAILED, f"internal error: {exc}"
        return result
    refused = {n.patch_id for n in result.notes if n.kind == "error"}
    failure = _verify(doc, output, [p for p in patches if p.id not in refused]) if verify else None
    if failure:
        result.status, result.error = FAILED, failure
        return result
    result.status, result.output = FIXED, output
    return result


def _run_patch(patch: Patch, doc: Document, editor: Editor, view: TemplateView,
               suppressions: Suppressions, result: Result) -> None:
    try:
        proposals = list(patch.propose(view))
    except Exception as exc:  # a broken patch must not stop the others
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        result.notes.append(_note(patch, "error", (), doc,
                                  f"patch raised {type(exc).__name__}: {exc} "
                                  f"({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})"))
        return
    undos = []
    applied: list[Change] = []
    for proposal in proposals:
        if isinstance(proposal, Skip):
            result.notes.append(_note(patch, "skip", proposal.path, doc, proposal.reason))
            continue
        if isinstance(proposal, Advice) or patch.safety == ADVICE:
            message = proposal.message if isinstance(proposal, Advice) else getattr(proposal, "message", "")
            result.notes.append(_note(patch, "advice", proposal.path, doc, message))
            continue
        path = target_path(proposal)
        reason = suppressions.resource_suppresses(path, patch)
        if reason:
            result.notes.append(_note(patch, "suppressed", path, doc, reason))
            continue
        try:
            undos.append(editor.apply(proposal))
        except EditError as exc:
            for undo in reversed(undos):
                undo()
            result.notes.append(_note(patch, "error", path, doc, f"invalid edit at {dotted(path)}: {exc}"))
            return
        message = proposal.message or f"{edit_kind(proposal)} {dotted(path)}"
        applied.append(Change(patch.id, patch.safety, edit_kind(proposal), path,
                              doc.line_of(path), message, tuple(patch.resolves)))
    if applied:
        view.invalidate()
        for change in applied:
            if change.resource is None:
                continue
            (view.created if len(change.path) == 2 and change.kind == "add" else view.changed).add(change.resource)
        result.changes.extend(applied)


def _note(patch: Patch, kind: str, path: tuple, doc: Document, message: str) -> Change:
    return Change(patch.id, patch.safety, kind, path, doc.line_of(path), message, tuple(patch.resolves))


def _verify(doc: Document, output: str, patches: list[Patch]) -> str | None:
    """None when the output parses, holds exactly the intended data, and is stable."""
    ids = ", ".join(sorted({p.id for p in patches}))
    try:
        data = fastload.load_data(output, doc.fmt)
    except Exception as exc:  # the spliced text must parse; anything else is our bug
        return f"internal error: repaired text does not parse ({str(exc).splitlines()[0]}); patches: {ids}"
    if data != doc.data:
        return f"internal error: repaired data differs from the intended data ({_explain(doc.data, data)})"
    view = TemplateView(data)
    suppressions = Suppressions(data)
    for patch in patches:
        if patch.safety == ADVICE or suppressions.template_ignores(patch):
            continue
        try:
            again = [p for p in patch.propose(view) if not isinstance(p, Skip | Advice)
                     and not suppressions.resource_suppresses(target_path(p), patch)]
        except Exception:  # reported on the first pass already
            continue
        if again:
            return f"internal error: patch {patch.id} is not idempotent (proposes {dotted(target_path(again[0]))} again)"
    return None


def _explain(intended: Any, actual: Any) -> str:
    from deepdiff import DeepDiff  # only on the failure path: it is slow to import

    diff = DeepDiff(intended, actual, verbose_level=1)
    return diff.pretty().replace("\n", "; ")[:400] if diff else "types differ"
