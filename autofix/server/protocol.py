"""The pygls wiring: document sync, debounced diagnostics, code actions, config file watching."""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..config import CONFIG_NAMES
from .actions import FIX_ALL, FIX_ALL_UNSAFE, QUICKFIX, Client, code_actions, fill
from .analysis import Analysis, analyse
from .diagnostics import diagnostics
from .explain import hover_text
from .lines import LineIndex
from .settings import Configurations

log = logging.getLogger(__name__)
DEBOUNCE_MS = 150


class CfnFixServer(LanguageServer):
    def __init__(self) -> None:
        # Full sync: the server holds exactly the client's text, with LSP's own line breaks.
        super().__init__("cfn-fix", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.configurations = Configurations()
        self.debounce = DEBOUNCE_MS / 1000
        self.explain_url: str | None = None
        self.client = Client()
        self.analyses: dict[str, tuple[int | None, Analysis]] = {}
        self.timers: dict[str, asyncio.Task] = {}
        self.last_change: dict[str, float] = {}
        self.open: set[str] = set()  # as the client spells them (pygls keys its documents unquoted)
        # One engine run at a time, off the event loop, so messages keep flowing meanwhile.
        self.engine = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cfn-fix-engine")

    # ------------------------------------------------------------ analysis

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding
        return str(getattr(encoding, "value", encoding) or "utf-16")

    def path_of(self, uri: str) -> str:
        """The file a buffer stands for; an unsaved one lives in the workspace's root."""
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if path:
            return path
        root = self.workspace.root_path or os.getcwd()
        return os.path.join(root, "untitled.yaml")

    async def current(self, uri: str) -> tuple[int | None, Analysis] | None:
        """The analysis of the buffer as it is now, computed if the last one is stale."""
        if uri not in self.open:
            return None  # not open (pygls would read the file from disk)
        document = self.workspace.get_text_document(uri)
        text, version = document.source, document.version
        cached = self.analyses.get(uri)
        if cached is not None and cached[0] == version and cached[1].text == text:
            return cached
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(self.engine, analyse, text, self.path_of(uri), self.configurations)
        self.analyses[uri] = (version, found)
        return version, found

    def delay_for(self, uri: str) -> float:
        """Debounce typing, not a lone edit: a change after a quiet spell (and no analysis under
        way) is analysed at once; one within `debounce` of the last waits for typing to pause."""
        now = asyncio.get_running_loop().time()
        last, self.last_change[uri] = self.last_change.get(uri), now
        if (last is None or now - last >= self.debounce) and uri not in self.timers:
            return 0
        return self.debounce

    def schedule(self, uri: str, delay: float) -> None:
        old = self.timers.pop(uri, None)
        if old is not None:
            old.cancel()
        self.timers[uri] = asyncio.get_running_loop().create_task(self._publish_after(uri, delay))

    async def _publish_after(self, uri: str, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            got = await self.current(uri)
            if got is None:
                return
            version, found = got
            document = self.workspace.get_text_document(uri)
            if document.version != version or document.source != found.text:
                return  # typed on meanwhile: the newer change publishes
            items = await asyncio.get_running_loop().run_in_executor(
                self.engine, diagnostics, found, LineIndex(found.text, self.encoding), self.explain_url)
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=items, version=version))
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug costs one round of diagnostics, never the server
            log.exception("cfn-fix: diagnostics for %s failed", uri)
        finally:
            if self.timers.get(uri) is asyncio.current_task():
                del self.timers[uri]


server = CfnFixServer()


@server.feature(types.INITIALIZE)
def initialize(ls: CfnFixServer, params: types.InitializeParams) -> None:
    options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
    debounce = options.get("debounceMs")
    if isinstance(debounce, int | float) and not isinstance(debounce, bool) and debounce >= 0:
        ls.debounce = debounce / 1000
    if isinstance(options.get("explainUrl"), str):
        ls.explain_url = options["explainUrl"]
    ls.client = Client.of(params.capabilities)


@server.feature(types.INITIALIZED)
async def initialized(ls: CfnFixServer, params: types.InitializedParams) -> None:
    caps = ls.client_capabilities.workspace
    watch = caps.did_change_watched_files if caps else None
    if not (watch and watch.dynamic_registration):
        return  # config changes are still seen: every analysis re-stats the config files
    watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
    registration = types.Registration(
        id="cfn-fix-config", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
    except Exception:  # noqa: BLE001 - a client that refuses: polling by stat still works
        log.info("cfn-fix: the client did not accept the config file watcher")


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: CfnFixServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.open.add(params.text_document.uri)
    ls.schedule(params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: CfnFixServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, ls.delay_for(params.text_document.uri))


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: CfnFixServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.open.discard(uri)
    timer = ls.timers.pop(uri, None)
    if timer is not None:
        timer.cancel()
    ls.analyses.pop(uri, None)
    ls.last_change.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: CfnFixServer, params: types.DidChangeWatchedFilesParams) -> None:
    ls.configurations.forget()
    ls.analyses.clear()
    for uri in sorted(ls.open):
        ls.schedule(uri, 0)


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
    code_action_kinds=[QUICKFIX, FIX_ALL, FIX_ALL_UNSAFE], resolve_provider=True))
async def code_action(ls: CfnFixServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    got = await ls.current(uri)
    if got is None or got[1].result is None:
        return None
    version, found = got
    return await asyncio.get_running_loop().run_in_executor(
        ls.engine, code_actions, found, uri, version, params, ls.client, ls.encoding)


@server.feature(types.CODE_ACTION_RESOLVE)
async def resolve_code_action(ls: CfnFixServer, action: types.CodeAction) -> types.CodeAction:
    data: dict[str, Any] = action.data if isinstance(action.data, dict) else {}
    got = await ls.current(str(data.get("uri", "")))
    if got is None or got[0] != data.get("version") or got[1].result is None:
        return action  # the buffer changed since: no edit (the client asks again)
    await asyncio.get_running_loop().run_in_executor(ls.engine, fill, action, got[1], ls.client, ls.encoding)
    return action


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: CfnFixServer, params: types.HoverParams) -> types.Hover | None:
    got = await ls.current(params.text_document.uri)
    if got is None or got[1].result is None:
        return None
    found = got[1]
    text = hover_text(found, LineIndex(found.text, ls.encoding), params.position.line, params.position.character)
    if text is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))


def serve() -> None:
    server.start_io()
