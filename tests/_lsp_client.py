"""A real LSP client over stdio for the server tests (pytest-lsp's client), with bounded waits."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from lsprotocol import types
from pytest_lsp import client_capabilities, make_test_lsp_client

ROOT = Path(__file__).resolve().parent.parent
WAIT = 30.0  # seconds; every wait is bounded
_LSP_BREAK = re.compile(r"\r\n|\r|\n")  # LSP's line terminators only (str.splitlines knows more)
_UNIT_CODECS = {"utf-8": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}
_UNIT_BYTES = {"utf-8": 1, "utf-16": 2, "utf-32": 4}


def run(coro, timeout: float = 120.0):
    """Run one test's client session, never longer than `timeout`."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


class Session:
    def __init__(self, client, folder: Path) -> None:
        self.client = client
        self.folder = folder
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}
        self.encoding = "utf-16"  # the position encoding the server chose
        self.registrations: list[types.Registration] = []  # what the server asked the client to send
        self.published: list[types.PublishDiagnosticsParams] = []  # every publish, in arrival order
        self.arrived = asyncio.Event()  # set at each publish
        # pytest-lsp's own handler is wrapped (registering another raises FeatureAlreadyRegisteredError):
        # waiting with its wait_for_notification would miss a publish that comes right behind
        # another, before the wait is renewed.
        handlers = client.protocol.fm.features
        keep = handlers[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

        def _published(params: types.PublishDiagnosticsParams) -> None:
            self.published.append(params)
            self.arrived.set()
            keep(params)

        handlers[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _published

    @classmethod
    async def start(cls, folder: Path, resolve: bool = False, debounce_ms: int = 0,
                    encodings: list[str] | None = None) -> Session:
        """A client session; `encodings`: the position encodings it offers, by preference."""
        client = make_test_lsp_client()
        session = cls(client, folder)

        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def _register(params: types.RegistrationParams) -> None:
            session.registrations.extend(params.registrations)

        await client.start_io(sys.executable, "-m", "autofix.server", cwd=str(ROOT))
        caps = client_capabilities("visual-studio-code") if resolve else types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(
                workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)),
            text_document=types.TextDocumentClientCapabilities(
                code_action=types.CodeActionClientCapabilities(
                    code_action_literal_support=types.ClientCodeActionLiteralOptions(
                        code_action_kind=types.ClientCodeActionKindOptions(value_set=["quickfix", "source"])),
                    data_support=True)))
        if encodings is not None:
            caps.general = types.GeneralClientCapabilities(position_encodings=encodings)
        answer = await client.initialize_session(types.InitializeParams(
            capabilities=caps, root_uri=folder.as_uri(),
            initialization_options={"debounceMs": debounce_ms}))
        chosen = answer.capabilities.position_encoding
        session.encoding = str(getattr(chosen, "value", chosen) or "utf-16")
        return session

    async def registered(self, method: str, timeout: float = 30.0) -> list[types.Registration]:
        """The registrations of `method` the server asked for, waiting (bounded) for the first:
        the server registers after `initialized`, and a publish may overtake that request."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (found := [r for r in self.registrations if r.method == method]) and loop.time() < deadline:
            await asyncio.sleep(0.02)
        return found

    async def stop(self) -> None:
        """Shut the server down; a server that does not exit in time is killed (only the one we started)."""
        try:
            await asyncio.wait_for(self.client.shutdown_session(), WAIT)
        finally:
            process = self.client._server
            if process is not None and process.returncode is None:
                process.kill()
            await asyncio.wait_for(self.client.stop(), WAIT)

    async def diagnostics_after(self, send) -> list[types.Diagnostic]:
        """Send a notification, then wait for the diagnostics of the buffer's latest version."""
        return list((await self.published_after(send)).diagnostics)

    async def published_after(self, send) -> types.PublishDiagnosticsParams:
        """Send a notification, then wait for diagnostics of some buffer's latest version: the
        first such publish to arrive after the send, however close behind another it comes."""
        seen = len(self.published)
        send()

        async def latest() -> types.PublishDiagnosticsParams:
            nonlocal seen
            while True:
                for params in self.published[seen:]:
                    seen += 1
                    if params.version is None or params.version == self.versions.get(params.uri):
                        return params
                self.arrived.clear()  # nothing runs between the look above and this: none is missed
                await self.arrived.wait()

        return await asyncio.wait_for(latest(), WAIT)

    async def open(self, uri: str, text: str) -> list[types.Diagnostic]:
        self.versions[uri], self.texts[uri] = 1, text
        return await self.diagnostics_after(lambda: self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
                uri=uri, language_id="yaml", version=1, text=text))))

    def change_nowait(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))

    async def change(self, uri: str, text: str) -> list[types.Diagnostic]:
        return await self.diagnostics_after(lambda: self.change_nowait(uri, text))

    def edit_nowait(self, uri: str, *edits: tuple[int, int, str]) -> None:
        """One didChange of incremental changes, as an editor sends them: each (start, end, new)
        replaces text[start:end] of the text the changes before it made, sent as an LSP range in
        the session's encoding. The client's own copy of the text follows."""
        changes = []
        text = self.texts[uri]
        for start, end, new in edits:
            changes.append(types.TextDocumentContentChangePartial(
                range=types.Range(start=position_of(text, start, self.encoding),
                                  end=position_of(text, end, self.encoding)), text=new))
            text = text[:start] + new + text[end:]
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=changes))

    async def edit(self, uri: str, *edits: tuple[int, int, str]) -> list[types.Diagnostic]:
        return await self.diagnostics_after(lambda: self.edit_nowait(uri, *edits))

    async def actions(self, uri: str, diagnostics: list[types.Diagnostic],
                      only: list[str] | None = None) -> list[types.CodeAction]:
        whole = types.Range(start=types.Position(line=0, character=0),
                            end=types.Position(line=len(self.texts[uri].splitlines()), character=0))
        found = await asyncio.wait_for(self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=whole,
            context=types.CodeActionContext(diagnostics=diagnostics, only=only))), WAIT)
        return [a for a in found or [] if isinstance(a, types.CodeAction)]

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        return await asyncio.wait_for(self.client.code_action_resolve_async(action), WAIT)


def in_process(text: str, path: Path, encoding: str = "utf-16", client=None):
    """(diagnostics, code actions for all of them) of a buffer, by the server's parts in this process."""
    from autofix.server.actions import Client, code_actions
    from autofix.server.analysis import analyse
    from autofix.server.diagnostics import diagnostics
    from autofix.server.lines import LineIndex
    from autofix.server.settings import Configurations

    found = analyse(text, str(path), Configurations())
    diags = diagnostics(found, LineIndex(text, encoding))
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=diags))
    return diags, code_actions(found, path.as_uri(), 1, params, client or Client(document_changes=True), encoding)


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    edit = action.edit
    assert edit is not None, action.title
    if edit.document_changes:
        return [e for change in edit.document_changes if change.text_document.uri == uri for e in change.edits]
    return list((edit.changes or {}).get(uri, []))


def _lsp_lines(text: str) -> list[tuple[int, int]]:
    """(start, end of content) of each line, broken where LSP breaks lines."""
    lines, start = [], 0
    for brk in _LSP_BREAK.finditer(text):
        lines.append((start, brk.start()))
        start = brk.end()
    return [*lines, (start, len(text))]


def _units(chars: str, encoding: str) -> int:
    return len(chars.encode(_UNIT_CODECS[encoding], "surrogatepass")) // _UNIT_BYTES[encoding]


def offset_of(text: str, pos: types.Position, encoding: str = "utf-16") -> int:
    """The character offset of an LSP position, as an editor reads it (clamped to its line)."""
    lines = _lsp_lines(text)
    if pos.line >= len(lines):
        return len(text)
    start, end = lines[pos.line]
    units = 0
    for at in range(start, end):
        if units >= pos.character:
            return at
        units += _units(text[at], encoding)
    return end


def position_of(text: str, offset: int, encoding: str = "utf-16") -> types.Position:
    """The LSP position of a character offset, as an editor writes it."""
    starts = [start for start, _ in _lsp_lines(text)]
    line = max(n for n, start in enumerate(starts) if start <= offset)
    return types.Position(line=line, character=_units(text[starts[line]:offset], encoding))


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 positions) the way an editor does: all against the original."""
    spans = sorted(((offset_of(text, e.range.start), offset_of(text, e.range.end), e.new_text) for e in edits),
                   reverse=True)
    for (start, end, _), (next_start, _, _) in zip(spans[1:], spans):
        assert end <= next_start, "overlapping edits"
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def assert_minimal(text: str, edits: list[types.TextEdit]) -> None:
    """The edits are small splices: none covers the whole document, each less than a tenth of it."""
    lines = text.splitlines(keepends=True) or [""]
    last = types.Position(line=len(lines) - 1, character=len(lines[-1].rstrip("\r\n")))
    assert edits
    for edit in edits:
        start, end = edit.range.start, edit.range.end
        assert not (start == types.Position(line=0, character=0) and (end.line, end.character) >= (
            last.line, last.character)), "an edit replaces the whole document"
        covered = sum(len(line) for line in lines[start.line:end.line + 1])
        assert end.line == start.line or covered < len(text) / 10, (edit.range, len(text))
