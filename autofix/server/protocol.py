"""The pygls wiring: document sync, debounced diagnostics, code actions, config file watching."""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import logging
import os
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote

import attrs
from cattrs import Converter
from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter, lsp_method
from pygls.uris import to_fs_path

from .. import __version__
from ..config import CONFIG_NAMES
from .actions import FIX_ALL, FIX_ALL_UNSAFE, QUICKFIX, Client, code_actions, fill
from .analysis import Analysis, analyse
from .diagnostics import rendered_json
from .explain import hover_text
from .lines import replaced
from .settings import Configurations

log = logging.getLogger(__name__)
DEBOUNCE_MS = 150
SECTION = "cfn-fix"  # the settings section of workspace/configuration and didChangeConfiguration
RECENT = 3  # analyses kept per buffer, by text: undoing an edit costs no new run
POLL_SECONDS = 2.0  # how often config files are looked at when the client watches none for us
COLLECT_AFTER = 0.05  # seconds from an engine job's end to the garbage collection: its reply is out by then
FULL_EVERY = 16  # collections of the young generations between two of the whole heap


@attrs.define
class RenderedDiagnostics(types.PublishDiagnosticsParams):
    """A publish whose diagnostics are already their JSON text (`payload`, from
    diagnostics.rendered_json), sent as it is (CfnFixProtocol._send_data); its typed
    `diagnostics` stay empty."""

    payload: str = attrs.field(default="[]", kw_only=True)


def converter() -> Converter:
    """pygls' converter, which can also convert a RenderedDiagnostics (by reading its text back:
    the server itself sends that text as it is)."""
    made = default_converter()
    generic = made.get_unstructure_hook(types.PublishDiagnosticsParams)

    def unstructure(params: types.PublishDiagnosticsParams) -> dict[str, Any]:
        if not isinstance(params, RenderedDiagnostics):
            return generic(params)
        out: dict[str, Any] = {"uri": params.uri, "diagnostics": json.loads(params.payload)}
        if params.version is not None:
            out["version"] = params.version
        return out

    made.register_unstructure_hook(types.PublishDiagnosticsParams, unstructure)
    return made


_NO_DIAGNOSTICS = '"diagnostics": []'


def published_text(message: Any, serialize: Any) -> str:
    """The JSON text of a publish of RenderedDiagnostics, as json.dumps(message, default=serialize)
    writes it, with the diagnostics' text put in as it is rather than parsed and encoded again
    (~3 ms for 300). The first `"diagnostics": []` is the key: in the uri a quote is escaped."""
    empty = attrs.evolve(message, params=attrs.evolve(message.params, payload="[]"))
    text = json.dumps(empty, default=serialize)
    at = text.index(_NO_DIAGNOSTICS)
    return text[:at] + '"diagnostics": ' + message.params.payload + text[at + len(_NO_DIAGNOSTICS):]


def encoding_of(workspace: Any) -> str:
    """The negotiated position encoding, as a name ("utf-16" where none was)."""
    encoding = workspace.position_encoding
    return str(getattr(encoding, "value", encoding) or "utf-16")


def changed_text(text: str, change: Any, encoding: str) -> str:
    """The buffer after one content change: a range replaced, or (a client may send that in
    incremental mode too) the whole text."""
    where = getattr(change, "range", None)
    if where is None:
        return change.text
    return replaced(text, (where.start.line, where.start.character), (where.end.line, where.end.character),
                    change.text, encoding)


class CfnFixProtocol(LanguageServerProtocol):
    """pygls' protocol, but a didChange's ranges are applied here, with LSP's line breaks, and
    the document gets the result as its whole text."""

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Iterator[Any]:
        uri = params.text_document.uri
        document = self.workspace.text_documents.get(unquote(uri))
        if document is None:
            log.warning("cfn-fix: a change to %s, which is not open, ignored", uri)
        else:
            text, encoding = document.source, encoding_of(self.workspace)
            for change in params.content_changes:  # each applies to the text the one before made
                text = changed_text(text, change, encoding)
            self.workspace.update_text_document(params.text_document,
                                                types.TextDocumentContentChangeWholeDocument(text=text))
        handler = self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)
        if handler is not None:
            yield handler, (params,), None

    def _send_data(self, data: Any) -> None:
        """pygls' sending, but a publish of RenderedDiagnostics is written with its text as it is.
        A failure raises to the publish, which logs it."""
        if not isinstance(getattr(data, "params", None), RenderedDiagnostics) or self.writer is None:
            super()._send_data(data)
            return
        body = published_text(data, self._serialize_message)
        if self._include_headers:  # as pygls frames it; the text is ASCII, so its length is its bytes'
            body = (f"Content-Length: {len(body)}\r\n"
                    f"Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n") + body
        written = self.writer.write(body.encode(self.CHARSET))
        if inspect.isawaitable(written):
            asyncio.ensure_future(written)


class CfnFixServer(LanguageServer):
    def __init__(self) -> None:
        # Incremental sync: a keystroke sends its range, not the whole buffer (32 KB for 1,000
        # lines, read and converted on the event loop at every change). CfnFixProtocol applies it.
        super().__init__("cfn-fix", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=CfnFixProtocol, converter_factory=converter)
        self.configurations = Configurations()
        self.debounce = DEBOUNCE_MS / 1000
        self.explain_url: str | None = None
        self.client = Client()
        # Per buffer, the last few texts analysed -> (config generation, config signature, analysis).
        self.analyses: dict[str, OrderedDict[str, tuple[int, tuple, Analysis]]] = {}
        self.running: dict[tuple[str, int, str], asyncio.Future] = {}  # one engine run per text, shared
        self.generation = 0  # counts config reloads: an analysis from before one is stale
        self.timers: dict[str, asyncio.Task] = {}
        self.poller: asyncio.Task | None = None  # watch_configs, when the client watches no files
        self.last_change: dict[str, float] = {}
        self.open: set[str] = set()  # as the client spells them (pygls keys its documents unquoted)
        # One engine run at a time, off the event loop, so messages keep flowing meanwhile.
        self.engine = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cfn-fix-engine")
        self.jobs = 0  # engine jobs submitted and not done
        self.collector: asyncio.TimerHandle | None = None  # the collection due once the engine is idle
        self.collections = 0
        # Analyses no buffer keeps any more, freed with the next collection: freeing one frees its
        # whole tree (~2 ms for 1,000 lines), which in _remember would come before the publish.
        self.retired: list[Analysis] = []

    # ------------------------------------------------------------ analysis

    @property
    def encoding(self) -> str:
        return encoding_of(self.workspace)

    def path_of(self, uri: str) -> str:
        """The file a buffer stands for; an unsaved one lives in the workspace's root."""
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if path:
            return path
        root = self.workspace.root_path or os.getcwd()
        return os.path.join(root, "untitled.yaml")

    async def current(self, uri: str) -> tuple[int | None, Analysis] | None:
        """The analysis of the buffer as it is now: reused when this text was analysed under the
        same configuration, else computed once however many requests ask meanwhile."""
        if uri not in self.open:
            return None  # not open (pygls would read the file from disk)
        document = self.workspace.get_text_document(uri)
        text, version, path = document.source, document.version, self.path_of(uri)
        signature = self.configurations.signature(path)
        recent = self.analyses.get(uri)
        known = recent.get(text) if recent else None
        if recent and known and known[:2] == (self.generation, signature):
            recent.move_to_end(text)
            return version, known[2]
        key = (uri, self.generation, text)
        running = self.running.get(key)
        if running is None:
            running = self.run_engine(self._analyse, text, path)
            self.running[key] = running
            running.add_done_callback(lambda done: self._remember(key, signature, done))
        # Shielded: a debounced publish that is cancelled must not cancel a run others wait for.
        return version, await asyncio.shield(running)

    def run_engine(self, job: Any, *args: Any) -> asyncio.Future:
        """`job` in the engine thread. The garbage it leaves is collected shortly after it ends,
        while the engine is idle (serve() turns the automatic collector off: its collections
        fell inside the runs, some 7 ms of a 1,000-line template's change, more with the last
        few analyses kept)."""
        loop = asyncio.get_running_loop()
        self.jobs += 1
        running = loop.run_in_executor(self.engine, job, *args)
        running.add_done_callback(lambda _: self._job_done(loop))
        return running

    def _job_done(self, loop: asyncio.AbstractEventLoop) -> None:
        self.jobs -= 1
        if self.collector is None:
            self.collector = loop.call_later(COLLECT_AFTER, self._collect)

    def _collect(self) -> None:
        self.collector = None
        if self.jobs:  # the job under way calls again when it ends
            return
        self.collections += 1
        self.retired.clear()
        # What the last runs made, as the automatic collector would have gone through it; the
        # whole heap (the buffers' remembered analyses) now and then, for cycles that grew old.
        gc.collect(2 if self.collections % FULL_EVERY == 0 else 1)

    def _analyse(self, text: str, path: str) -> Analysis:
        """An engine run, with its diagnostics rendered in the same turn of the engine thread: the
        publish that waits for it only sends them, and no code action's run comes between."""
        found = analyse(text, path, self.configurations)
        try:
            self.rendered(found)
        except Exception:  # noqa: BLE001, S110 - the publish renders them again, and logs why that fails
            pass
        return found

    def rendered(self, found: Analysis) -> str:
        """The JSON text of the analysis' diagnostics in the client's encoding, rendered once per
        text and setting."""
        key = (self.encoding, self.explain_url)
        items = found.rendered.get(key)
        if items is None:
            items = found.rendered[key] = rendered_json(found, found.lines(self.encoding), self.explain_url)
        return items

    def _remember(self, key: tuple[str, int, str], signature: tuple, done: asyncio.Future) -> None:
        if self.running.get(key) is done:
            del self.running[key]
        uri, generation, text = key
        if done.cancelled() or done.exception() is not None or uri not in self.open or generation != self.generation:
            return
        recent = self.analyses.setdefault(uri, OrderedDict())
        recent[text] = (generation, signature, done.result())
        recent.move_to_end(text)
        while len(recent) > RECENT:
            self.retired.append(recent.popitem(last=False)[1][2])

    async def watch_configs(self) -> None:
        """For a client that watches no files for the server: look at the config files' stats
        now and then, so an edited config applies to open buffers without waiting for an edit."""
        while True:
            await asyncio.sleep(POLL_SECONDS)
            self.check_configs()

    def check_configs(self) -> list[str]:
        """Diagnose again each open buffer whose config files changed since its last analysis."""
        stale = []
        for uri in sorted(self.open):
            recent = self.analyses.get(uri)
            if not recent or uri in self.timers:
                continue
            _, signature, _ = next(reversed(recent.values()))
            if signature != self.configurations.signature(self.path_of(uri)):
                stale.append(uri)
                self.schedule(uri, 0)
        return stale

    def reload(self) -> None:
        """A configuration may have changed: forget what it decided and diagnose every open buffer again."""
        self.configurations.forget()
        self.generation += 1
        self.analyses.clear()
        for uri in sorted(self.open):
            self.schedule(uri, 0)

    def apply_options(self, options: Any) -> None:
        """`debounceMs` and `explainUrl`, from initialization options or the `cfn-fix` settings."""
        if not isinstance(options, dict):
            return
        debounce = options.get("debounceMs")
        if isinstance(debounce, int | float) and not isinstance(debounce, bool) and debounce >= 0:
            self.debounce = debounce / 1000
        pattern = options.get("explainUrl")
        if isinstance(pattern, str):
            try:
                pattern.format(id="X001", name="x")
            except (KeyError, IndexError, ValueError):  # a typo in a setting must not cost the diagnostics
                log.warning("cfn-fix: explainUrl %r takes {id} and {name} only; ignored", pattern)
                return
            self.explain_url = pattern or None

    async def settled(self, uri: str) -> None:
        """Wait until typing in the buffer pauses: an editor asks for code actions (and hovers)
        at every keystroke, and each version asked about would cost a run."""
        loop = asyncio.get_running_loop()
        while (last := self.last_change.get(uri)) is not None and (wait := last + self.debounce - loop.time()) > 0:
            await asyncio.sleep(wait)

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
            # Rendered with the analysis (or here, on the loop: queued behind a code action's
            # runs in the engine thread it could wait seconds).
            self.text_document_publish_diagnostics(
                RenderedDiagnostics(uri=uri, diagnostics=[], version=version, payload=self.rendered(found)))
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
    ls.apply_options(params.initialization_options)
    ls.client = Client.of(params.capabilities)


@server.feature(types.INITIALIZED)
async def initialized(ls: CfnFixServer, params: types.InitializedParams) -> None:
    """Ask the client to watch the config files and to send our settings, where it can be asked."""
    caps = ls.client_capabilities.workspace
    registrations = []
    watch = caps.did_change_watched_files if caps else None
    if watch and watch.dynamic_registration:
        watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
        registrations.append(types.Registration(
            id="cfn-fix-config-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)))
    settings = caps.did_change_configuration if caps else None
    if settings and settings.dynamic_registration:
        registrations.append(types.Registration(
            id="cfn-fix-settings", method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
            register_options=types.DidChangeConfigurationRegistrationOptions(section=SECTION)))
    if caps and caps.configuration:
        await pull_settings(ls)
    watched = False
    if registrations:
        try:
            await ls.client_register_capability_async(types.RegistrationParams(registrations=registrations))
            watched = any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in registrations)
        except Exception:  # noqa: BLE001 - a client that refuses: the server looks itself
            log.info("cfn-fix: the client did not accept the config file watcher")
    if not watched:
        ls.poller = asyncio.get_running_loop().create_task(ls.watch_configs())


async def pull_settings(ls: CfnFixServer) -> None:
    """The `cfn-fix` settings section, from a client that answers workspace/configuration."""
    try:
        answer = await asyncio.wait_for(ls.workspace_configuration_async(types.ConfigurationParams(
            items=[types.ConfigurationItem(section=SECTION)])), 10)
    except Exception:  # noqa: BLE001 - a client that cannot answer keeps the options it gave
        log.info("cfn-fix: the client did not answer workspace/configuration")
        return
    if answer:
        ls.apply_options(answer[0])


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
    ls.reload()


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: CfnFixServer, params: types.DidChangeConfigurationParams) -> None:
    """New editor settings (pushed in the notification, or pulled where the client answers)."""
    pushed = params.settings.get(SECTION, params.settings) if isinstance(params.settings, dict) else None
    ls.apply_options(pushed)
    caps = ls.client_capabilities.workspace
    if caps and caps.configuration:
        await pull_settings(ls)
    ls.reload()


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
    code_action_kinds=[QUICKFIX, FIX_ALL, FIX_ALL_UNSAFE], resolve_provider=True))
async def code_action(ls: CfnFixServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    await ls.settled(uri)
    got = await ls.current(uri)
    if got is None or got[1].result is None:
        return None
    version, found = got
    return await ls.run_engine(code_actions, found, uri, version, params, ls.client, ls.encoding)


@server.feature(types.CODE_ACTION_RESOLVE)
async def resolve_code_action(ls: CfnFixServer, action: types.CodeAction) -> types.CodeAction:
    data: dict[str, Any] = action.data if isinstance(action.data, dict) else {}
    got = await ls.current(str(data.get("uri", "")))
    if got is None or got[0] != data.get("version") or got[1].result is None:
        return action  # the buffer changed since: no edit (the client asks again)
    await ls.run_engine(fill, action, got[1], ls.client, ls.encoding)
    return action


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: CfnFixServer, params: types.HoverParams) -> types.Hover | None:
    await ls.settled(params.text_document.uri)
    got = await ls.current(params.text_document.uri)
    if got is None or got[1].result is None:
        return None
    found = got[1]
    text = hover_text(found, found.lines(ls.encoding), params.position.line, params.position.character)
    if text is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))


@server.feature(types.SHUTDOWN)
def shutdown(ls: CfnFixServer, params: None) -> None:
    if ls.poller is not None:
        ls.poller.cancel()


def serve() -> None:
    # What start-up made lives as long as the server: out of every later collection's way. Later
    # collections happen when the server chooses, after engine jobs (CfnFixServer.run_engine).
    gc.collect()
    gc.freeze()
    gc.disable()
    server.start_io()
