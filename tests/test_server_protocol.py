"""The server object in process: one engine run per buffer text, shared and remembered; its
diagnostics rendered once; garbage collected between engine jobs, never during one."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import weakref

import pytest

pytest.importorskip("pygls")

from lsprotocol import types
from pygls.workspace import Workspace

from autofix.server import protocol

from ._lsp_client import ROOT

TEXT = "Resources:\n  KeptLogGroup:\n    Type: AWS::Logs::LogGroup\n"


@pytest.fixture
def runs(monkeypatch):
    """The texts the engine analysed, in order."""
    seen: list[str] = []
    real = protocol.analyse

    def counted(text, path, configurations):
        seen.append(text)
        return real(text, path, configurations)

    monkeypatch.setattr(protocol, "analyse", counted)
    return seen


def _server(tmp_path) -> tuple[protocol.CfnFixServer, str]:
    ls = protocol.CfnFixServer()
    ls.protocol._workspace = Workspace(tmp_path.as_uri(), types.TextDocumentSyncKind.Full)
    uri = (tmp_path / "t.yaml").as_uri()
    ls.workspace.put_text_document(types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=TEXT))
    ls.open.add(uri)
    return ls, uri


def _type(ls: protocol.CfnFixServer, uri: str, version: int, text: str) -> None:
    ls.workspace.update_text_document(types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                                      types.TextDocumentContentChangeWholeDocument(text=text))


def test_requests_during_a_run_share_it(tmp_path, runs):
    ls, uri = _server(tmp_path)

    async def body():
        first, second, third = await asyncio.gather(ls.current(uri), ls.current(uri), ls.current(uri))
        assert first[1] is second[1] is third[1] and runs == [TEXT]

    asyncio.run(body())


def test_a_cancelled_wait_does_not_cancel_the_run_others_share(tmp_path, runs):
    ls, uri = _server(tmp_path)

    async def body():
        waiting = asyncio.ensure_future(ls.current(uri))
        await asyncio.sleep(0)
        other = asyncio.ensure_future(ls.current(uri))
        await asyncio.sleep(0)
        waiting.cancel()  # a debounced publish superseded by typing
        version, found = await other
        assert version == 1 and found.result is not None and runs == [TEXT]

    asyncio.run(body())


def test_a_text_seen_before_is_not_analysed_again_until_the_config_changes(tmp_path, runs):
    ls, uri = _server(tmp_path)
    typed = TEXT + "  # typing\n"

    async def body():
        _, original = await ls.current(uri)
        _type(ls, uri, 2, typed)
        assert (await ls.current(uri))[0] == 2
        _type(ls, uri, 3, TEXT)  # undone
        version, again = await ls.current(uri)
        assert version == 3 and again is original and runs == [TEXT, typed]
        (tmp_path / ".cfn-fix.toml").write_text('ignore = ["LOG001"]\n')  # seen by its stat, unannounced
        _, reloaded = await ls.current(uri)
        assert reloaded is not original and reloaded.result.changes == []
        ls.reload()  # announced (a file event, new settings): nothing remembered is reused
        _, after = await ls.current(uri)
        assert after is not reloaded and runs == [TEXT, typed, TEXT, TEXT]
        for timer in list(ls.timers.values()):
            timer.cancel()

    asyncio.run(body())


def test_an_untitled_buffer_is_analysed_under_the_workspace_config(tmp_path, runs):
    ls, _ = _server(tmp_path)
    (tmp_path / ".cfn-fix.toml").write_text('select = ["LOG001"]\n')
    uri = "untitled:Untitled-1"  # never saved: no file, the workspace root's config applies
    text = TEXT + "  KeptBucket:\n    Type: AWS::S3::Bucket\n"
    ls.workspace.put_text_document(types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text))
    ls.open.add(uri)

    async def body():
        _, found = await ls.current(uri)
        assert found.path == str(tmp_path / "untitled.yaml")
        assert {c.patch_id for c in found.result.changes} == {"LOG001"}

    asyncio.run(body())


def test_code_actions_asked_while_typing_wait_for_the_pause_and_cost_one_run(tmp_path, runs):
    ls, uri = _server(tmp_path)
    ls.debounce = 0.3
    typed = [TEXT + "  # t\n", TEXT + "  # ty\n"]
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=[]))

    async def body():
        loop = asyncio.get_running_loop()
        _type(ls, uri, 2, typed[0])
        ls.last_change[uri] = loop.time()
        asked = asyncio.ensure_future(protocol.code_action(ls, params))  # the lightbulb, at a keystroke
        for _ in range(3):
            await asyncio.sleep(0)
        _type(ls, uri, 3, typed[1])  # the next keystroke, within the pause
        ls.last_change[uri] = loop.time()
        actions = await asyncio.wait_for(asked, 30)
        assert runs == [typed[1]]  # the version it was asked at was never analysed
        assert actions and all(a.data["version"] == 3 for a in actions)

    asyncio.run(body())


def test_a_malformed_link_pattern_is_ignored_not_fatal(tmp_path):
    ls, _ = _server(tmp_path)
    ls.apply_options({"explainUrl": "https://rules.example/{id}", "debounceMs": 40})
    for broken in ("https://rules.example/{rule}", "https://rules.example/{0}", "https://rules.example/{id"):
        ls.apply_options({"explainUrl": broken})
        assert ls.explain_url == "https://rules.example/{id}"
    assert ls.debounce == 0.04


def test_a_config_changed_behind_the_servers_back_is_seen_by_looking(tmp_path, runs):
    ls, uri = _server(tmp_path)
    other = (tmp_path / "elsewhere" / "t.yaml")
    other.parent.mkdir()
    ls.workspace.put_text_document(types.TextDocumentItem(uri=other.as_uri(), language_id="yaml", version=1,
                                                          text=TEXT))
    ls.open.add(other.as_uri())

    async def body():
        await ls.current(uri)
        await ls.current(other.as_uri())
        assert ls.check_configs() == []  # nothing changed: nothing to do
        (other.parent / ".cfn-fix.toml").write_text('ignore = ["LOG001"]\n')
        assert ls.check_configs() == [other.as_uri()]  # only the buffer under that config
        ls.timers.pop(other.as_uri()).cancel()
        _, found = await ls.current(other.as_uri())
        assert found.result.changes == []

    asyncio.run(body())


def test_a_text_published_again_is_not_rendered_again(tmp_path, monkeypatch):
    renders: list[str] = []
    real = protocol.rendered_json

    def counted(found, lines, explain_url=None):
        renders.append(found.text)
        return real(found, lines, explain_url)

    monkeypatch.setattr(protocol, "rendered_json", counted)
    ls, uri = _server(tmp_path)

    async def body():
        _, found = await ls.current(uri)  # the engine run renders them, in the engine thread
        assert renders == [TEXT]
        assert ls.rendered(found) is ls.rendered(found) and renders == [TEXT]
        ls.apply_options({"explainUrl": "https://rules.example/{id}"})  # another link: rendered anew
        assert json.loads(ls.rendered(found))[0]["codeDescription"] == {"href": "https://rules.example/LOG001"}
        assert renders == [TEXT, TEXT]

    asyncio.run(body())


def test_garbage_is_collected_after_an_engine_job_not_while_one_runs(tmp_path, monkeypatch):
    ls, uri = _server(tmp_path)
    collections: list[int] = []  # engine jobs under way at each of the server's collections
    real = protocol.gc.collect

    def collect(generation: int = 2) -> int:
        if generation:  # the engine's own gc.collect(0) of a run's young objects is not the server's
            collections.append(ls.jobs)
        return real(generation)

    monkeypatch.setattr(protocol.gc, "collect", collect)
    monkeypatch.setattr(protocol, "COLLECT_AFTER", 0.01)
    release = threading.Event()

    async def body():
        await ls.current(uri)  # its collection is due in 10 ms...
        blocked = ls.run_engine(release.wait, 5)  # ...but the engine is busy again by then
        queued = ls.run_engine(lambda: None)
        await asyncio.sleep(0.05)
        assert collections == []  # nothing while a job runs or waits its turn
        release.set()
        await asyncio.gather(blocked, queued)
        for _ in range(500):  # bounded: a loaded machine may fire the timer late
            if collections:
                break
            await asyncio.sleep(0.01)
        assert collections == [0] and ls.jobs == 0  # once, when the engine was idle

    asyncio.run(body())


def test_an_analysis_pushed_out_of_the_recent_ones_is_freed_at_the_collection_not_before_the_publish(
        tmp_path, monkeypatch):
    ls, uri = _server(tmp_path)
    monkeypatch.setattr(protocol, "COLLECT_AFTER", 60)  # no collection comes between by itself

    async def body():
        _, first = await ls.current(uri)
        oldest = weakref.ref(first)
        del first
        for version in range(2, protocol.RECENT + 2):
            _type(ls, uri, version, TEXT + f"# edit {version}\n")
            await ls.current(uri)
        assert TEXT not in ls.analyses[uri]  # out of the recent ones...
        assert oldest() is not None  # ...but freed later, off the way of the publish that waited
        ls._collect()
        assert oldest() is None

    asyncio.run(body())


def test_the_whole_heap_is_collected_now_and_then(tmp_path, monkeypatch):
    ls, _ = _server(tmp_path)
    generations: list[int] = []
    monkeypatch.setattr(protocol.gc, "collect", lambda generation=2: generations.append(generation))
    for _ in range(2 * protocol.FULL_EVERY):
        ls._collect()
    assert generations.count(2) == 2 and generations.count(1) == 2 * protocol.FULL_EVERY - 2


def test_the_server_process_runs_with_the_automatic_collector_off():
    probe = ("import gc, sys\n"
             "from autofix.server import protocol\n"
             "protocol.server.start_io = lambda: sys.stdout.write(f'{gc.isenabled()} {gc.get_freeze_count() > 0}')\n"
             "protocol.serve()\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=ROOT,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "False True"
