"""What a run does not pay for: structural checks of the engine's own costs (never timings)."""

from __future__ import annotations

import gc

import pytest

from autofix import engine
from autofix.api import build_patches, fix_bytes
from autofix.dialect import Dialect
from autofix.document import Document, parse
from autofix.edits import Change
from autofix.engine import fix_document
from autofix.kinds import Kind, Safety
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

    def counting(patch, proposals, *args):
        judged.append(len(proposals))
        return judge(patch, proposals, *args)

    monkeypatch.setattr(engine, "_judge", counting)
    result = fix_bytes(_generated(5).encode(), "t.yaml", build_patches(unsafe=True))
    assert result.status == "fixed"
    assert judged and 0 not in judged


def _counting_dialect_reads(doc: Document) -> list[int]:
    """Make `doc` count the reads of its dialect (detected at most once, when first read)."""
    reads: list[int] = []
    dialect = doc.dialect

    class Counting(type(doc)):  # type: ignore[misc]
        @property
        def dialect(self) -> Dialect:
            reads.append(1)
            return dialect

    doc.__class__ = Counting
    return reads


def test_the_dialect_is_read_only_when_an_edit_renders() -> None:
    """The engine makes an editor for every template; only an edit it applies reads the file's
    dialect, so a template no patch changes never needs it detected."""
    patches = build_patches(unsafe=True)
    untouched = parse("Resources:\n  UntouchedTopic:\n    Type: AWS::SNS::Topic\n")
    reads = _counting_dialect_reads(untouched)
    assert fix_document(untouched, patches).status == "unchanged"
    assert reads == []
    fixed = parse(_generated(2))
    reads = _counting_dialect_reads(fixed)
    assert fix_document(fixed, patches).status == "fixed"
    assert reads


def test_after_a_patch_applies_the_view_forgets_only_the_resources_it_touched(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What every other resource refers to, and the type index, outlive a patch's edits."""
    from autofix.view import TemplateView

    forgotten: list[list[str] | None] = []
    invalidate = TemplateView.invalidate

    def recording(self: TemplateView, resources=None) -> None:
        forgotten.append(None if resources is None else list(resources))
        invalidate(self, resources)

    monkeypatch.setattr(TemplateView, "invalidate", recording)
    result = fix_bytes(_generated(20).encode(), "t.yaml", build_patches(unsafe=True))
    assert result.status == "fixed"
    assert forgotten and None not in forgotten
    assert set().union(*forgotten) == {c.resource for c in result.changes if c.resource is not None}


def test_a_change_to_the_resources_section_as_a_whole_forgets_every_resource() -> None:
    def change(path: tuple) -> Change:
        return Change("X001", Safety.SAFE, Kind.SET, path, 1, "")

    assert engine._touched([change(("Resources", "A", "Properties")), change(("Outputs", "O"))]) == ["A"]
    assert engine._touched([change(("Resources", "A")), change(("Resources",))]) is None


def test_judging_looks_for_anchored_content_only_in_a_document_that_has_some(monkeypatch: pytest.MonkeyPatch) -> None:
    walks: list[tuple] = []
    real = Document.shared_at
    monkeypatch.setattr(Document, "shared_at", lambda self, path: walks.append(path) or real(self, path))
    patches = build_patches(select=["LOG001"])
    plain = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n"
    assert fix_bytes(plain.encode(), "t.yaml", patches).status == "fixed" and walks == []
    anchored = "Resources:\n  Logs: &logs\n    Type: AWS::Logs::LogGroup\n  Copy: *logs\n"
    result = fix_bytes(anchored.encode(), "t.yaml", patches)
    assert walks and result.status == "unchanged"
    assert result.notes and all(n.kind == "skip" and "anchored or aliased" in n.message for n in result.notes)
