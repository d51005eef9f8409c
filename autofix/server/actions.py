"""Code actions: a diagnostic's own fix, "fix all safe" and "fix all including unsafe".

Each action's edit is the engine's verified repair of the buffer: its splices, as text edits.
With a client that resolves code actions, the edit is computed only when one is chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lsprotocol import types

from ..record import record
from ..registry import by_id
from .analysis import ALL, SAFE, Analysis
from .diagnostics import SOURCE, lsp_range

FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.{SOURCE}"
# Not below source.fixAll: an editor that fixes all on save must never apply unsafe fixes.
FIX_ALL_UNSAFE = f"source.fixAllUnsafe.{SOURCE}"
QUICKFIX = types.CodeActionKind.QuickFix.value


@record(frozen=True)
class Client:
    """What the client can take."""

    document_changes: bool = False
    resolve: bool = False  # codeAction/resolve may fill in `edit`
    disabled: bool = False

    @classmethod
    def of(cls, caps: types.ClientCapabilities | None) -> Client:
        edit = caps.workspace.workspace_edit if caps and caps.workspace else None
        action = caps.text_document.code_action if caps and caps.text_document else None
        resolve = action.resolve_support if action else None
        return cls(document_changes=bool(edit and edit.document_changes),
                   resolve=bool(action and resolve and "edit" in resolve.properties and action.data_support),
                   disabled=bool(action and action.disabled_support))


def code_actions(found: Analysis, uri: str, version: int | None, params: types.CodeActionParams,
                 client: Client, encoding: str) -> list[types.CodeAction]:
    wanted = []
    for pid, diags in _fixable(params.context.diagnostics).items():
        cls = by_id(pid)
        unsafe = cls is not None and cls.safety != "safe"
        title = f"{SOURCE}: {pid} {cls.title if cls else ''}".rstrip() + (" (unsafe)" if unsafe else "")
        wanted.append((title, QUICKFIX, pid, diags, not unsafe))
    if found.pending("safe"):
        wanted.append((f"{SOURCE}: fix all safe", FIX_ALL, SAFE, [], False))
    if found.pending("unsafe"):
        wanted.append((f"{SOURCE}: fix all including unsafe", FIX_ALL_UNSAFE, ALL, [], False))
    actions = []
    for title, kind, key, diags, preferred in wanted:
        if not _allowed(kind, params.context.only):
            continue
        action = types.CodeAction(title=title, kind=kind, diagnostics=diags or None,
                                  is_preferred=preferred or None,
                                  data={"uri": uri, "version": version, "key": key})
        if not client.resolve and not fill(action, found, client, encoding):
            continue
        actions.append(action)
    return actions


def fill(action: types.CodeAction, found: Analysis, client: Client, encoding: str) -> bool:
    """Give an action its edit; False (and a disabled reason where the client shows one) when the
    repair changes nothing or fails its checks."""
    data: dict[str, Any] = action.data or {}
    replacements = found.edits(data.get("key", ""))
    if replacements is None:
        result = found.fix(data.get("key", ""))
        if client.disabled and result.error:
            action.disabled = types.CodeActionDisabled(reason=result.error)
            return True
        return False
    helpers = found.helpers.get(data.get("key", ""))
    if helpers:
        action.title += f" (with {', '.join(helpers)})"
    lines = found.lines(encoding)
    edits = [types.TextEdit(range=lsp_range(lines, start, end), new_text=new)
             for start, end, new in replacements]
    uri = data.get("uri", "")
    if client.document_changes:
        document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=data.get("version"))
        action.edit = types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document,
                                                                                  edits=edits)])
    else:
        action.edit = types.WorkspaceEdit(changes={uri: edits})
    return True


def _fixable(diagnostics: Sequence[types.Diagnostic]) -> dict[str, list[types.Diagnostic]]:
    found: dict[str, list[types.Diagnostic]] = {}
    for diag in diagnostics:
        data = diag.data if isinstance(diag.data, dict) else {}
        if diag.source == SOURCE and data.get("fixable") and isinstance(data.get("patch"), str):
            found.setdefault(data["patch"], []).append(diag)
    return found


def _allowed(kind: str, only: Sequence[str] | None) -> bool:
    """Whether `kind` is one of the requested kinds or below one (`source` takes `source.fixAll.x`)."""
    wanted = [str(getattr(o, "value", o)) for o in only or ()]
    return not wanted or any(kind == o or kind.startswith(o + ".") for o in wanted)
