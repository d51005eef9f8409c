"""What a run does not pay for: structural checks of the engine's own costs (never timings)."""

from __future__ import annotations

import gc

import pytest

from autofix import engine
from autofix.api import build_patches, fix_bytes
from autofix.splice.block_layout import BlockLayout
from autofix.splice.editor import Editor
from autofix.splice.flow_layout import FlowLayout
from autofix.splice.ledger import Ledger, Op

from .test_memory import _generated

EDITOR_PARTS = (Editor, Ledger, BlockLayout, FlowLayout, Op)
JSON_TEMPLATE = """{
  "Resources": {
    "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Handler": "a.b",
           "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "x"}}}
  }
}
"""


@pytest.mark.parametrize(("name", "text"), [pytest.param("t.yaml", _generated(20), id="yaml"),
                                           pytest.param("t.json", JSON_TEMPLATE, id="json")])
def test_the_editor_is_freed_before_verification_without_a_collection(
        monkeypatch: pytest.MonkeyPatch, name: str, text: str) -> None:
    """Its ledger's ops close over the layouts that hold the ledger; closing the editor breaks
    that cycle, so dropping it frees it with the collector off and no collection run."""
    collections: list[int] = []
    alive: list[list[str]] = []
    verify = engine._verify

    def counting(*args: object) -> str | None:
        alive.append(sorted({type(o).__name__ for o in gc.get_objects() if type(o) in EDITOR_PARTS}))
        return verify(*args)

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    monkeypatch.setattr(engine, "_verify", counting)
    patches = build_patches(unsafe=True)
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    gc.callbacks.append(callback)
    try:
        result = fix_bytes(text.encode(), name, patches)
    finally:
        gc.callbacks.remove(callback)
        if was_enabled:
            gc.enable()
    assert result.status == "fixed", result.error
    assert alive == [[]], alive
    assert collections == []


def test_a_patch_proposing_nothing_is_not_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most patches propose nothing on most templates: neither pass judges an empty proposal list."""
    judged: list[int] = []
    judge = engine._judge

    def counting(patch, proposals, *args):  # noqa: ANN001, ANN202 - the engine's own signature
        judged.append(len(proposals))
        return judge(patch, proposals, *args)

    monkeypatch.setattr(engine, "_judge", counting)
    result = fix_bytes(_generated(5).encode(), "t.yaml", build_patches(unsafe=True))
    assert result.status == "fixed"
    assert judged and 0 not in judged
