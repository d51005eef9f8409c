"""The test client itself: what the end-to-end server tests wait for, they see."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("pygls")
pytest.importorskip("pytest_lsp")

from lsprotocol import types
from pytest_lsp import make_test_lsp_client

from ._lsp_client import ROOT, Session, run

URI = (ROOT / "t.yaml").as_uri()


def _deliver(session: Session, *versions: int) -> None:
    """The client receiving publishes of these versions one right behind the other, in one turn
    of its loop (as when they come in one read), the way pygls hands a notification over."""
    for version in versions:
        session.client.protocol._handle_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
                                                     types.PublishDiagnosticsParams(uri=URI, diagnostics=[],
                                                                                    version=version))


def test_a_publish_right_behind_a_stale_one_is_not_missed():
    async def body():
        session = Session(make_test_lsp_client(), ROOT)
        session.versions[URI] = 2
        params = await session.published_after(lambda: asyncio.get_running_loop().call_soon(_deliver, session, 1, 2))
        assert params.version == 2
        assert session.client.diagnostics[URI] == []  # pytest-lsp's own handler still runs

    run(body(), timeout=2 * 30 + 10)


def test_only_publishes_after_the_send_count():
    async def body():
        session = Session(make_test_lsp_client(), ROOT)
        session.versions[URI] = 1
        _deliver(session, 1)  # before the send: not the one waited for
        waiting = asyncio.ensure_future(session.published_after(lambda: None))
        await asyncio.sleep(0.01)
        assert not waiting.done()
        _deliver(session, 1)
        assert (await waiting).version == 1 and len(session.published) == 2

    run(body())
