"""The server collects garbage between engine jobs, never during one (serve() turns the automatic
collector off: its collections fell inside the runs a change waits for)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import pytest

pytest.importorskip("pygls")

from lsprotocol import types
from pygls.workspace import Workspace

from autofix.server import protocol

from ._lsp_client import ROOT

TEXT = "Resources:\n  KeptLogGroup:\n    Type: AWS::Logs::LogGroup\n"


def _server(tmp_path) -> tuple[protocol.CfnFixServer, str]:
    ls = protocol.CfnFixServer()
    ls.protocol._workspace = Workspace(tmp_path.as_uri(), types.TextDocumentSyncKind.Full)
    uri = (tmp_path / "t.yaml").as_uri()
    ls.workspace.put_text_document(types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=TEXT))
    ls.open.add(uri)
    return ls, uri


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
        await asyncio.sleep(0.05)
        assert collections == [0] and ls.jobs == 0  # once, when the engine was idle

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
