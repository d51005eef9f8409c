"""`engine.verified` finishes an unverified run as the verified run would: the same result,
without the first pass again (the language server's "fix all" after its diagnostics' run)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autofix import engine
from autofix.api import build_patches
from autofix.document import load
from autofix.edits import Proposal, SetKey
from autofix.engine import FAILED, FIXED, UNCHANGED, fix_document, verified
from autofix.registry import Patch
from autofix.view import TemplateView

FIXTURES = Path(__file__).parent / "patches"
CASES = sorted(p for p in FIXTURES.glob("*/*") if p.suffix in (".yaml", ".json")
               and (".in." in p.name or p.name.startswith("noop_")) and ".options." not in p.name)
EVERY = build_patches(unsafe=True)


def _both(text: str | bytes, patches: list[Patch], path: str = "t.yaml") -> tuple[engine.Result, engine.Result, engine.Result]:
    """(verified run, unverified run, verified(unverified run)) of one text, each on a fresh load."""
    raw = text if isinstance(text, bytes) else text.encode()
    whole = fix_document(load(raw, path), patches)
    unverified = fix_document(load(raw, path), patches, verify=False)
    return whole, unverified, verified(unverified)


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_finishing_an_unverified_run_gives_the_verified_runs_result(case: Path) -> None:
    whole, _, finished = _both(case.read_bytes(), EVERY, case.name)
    assert finished == whole
    assert finished.splices == whole.splices


class Unstable(Patch):
    """A buggy patch: it adds a topic every time it runs (not idempotent)."""

    id, name, title = "TEST951", "unstable", "Add a topic, again and again"

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        yield SetKey(("Resources",), view.unique_id("AddedTopic"), {"Type": "AWS::SNS::Topic"})


def _groups(count: int) -> str:
    return "Resources:\n" + "".join(f"  Group{i}:\n    Type: AWS::Logs::LogGroup\n" for i in range(count))


def test_a_failed_verification_is_the_verified_runs_failure_without_the_limit_warnings() -> None:
    whole, unverified, finished = _both(_groups(460), [Unstable()])  # 461 resources: 92% of the limit
    assert unverified.status == FIXED and [n.kind for n in unverified.notes] == ["warning"]
    assert whole.status == FAILED and "not idempotent" in whole.error and whole.notes == []
    assert finished == whole and finished.output == finished.source and finished.splices == []


def test_a_repair_over_a_limit_still_fails_its_verification_first() -> None:
    whole, unverified, finished = _both(_groups(500), [Unstable()])
    assert unverified.status == FAILED and "limit of 500" in unverified.error
    assert "not idempotent" in whole.error
    assert finished == whole


def test_finishing_leaves_the_unverified_result_as_it_was() -> None:
    text = _groups(460)
    _, unverified, finished = _both(text, [Unstable()])
    assert finished.status == FAILED
    assert unverified.status == FIXED and unverified.error == "" and len(unverified.notes) == 1
    assert verified(unverified) == finished  # and it can be finished again


def test_finishing_runs_no_patch_on_the_original_again(monkeypatch) -> None:
    text = (FIXTURES / "lambda-reserved-concurrency" / "basic.in.yaml").read_text(encoding="utf-8")
    unverified = fix_document(load(text.encode(), "t.yaml"), EVERY, verify=False)
    first_passes: list[int] = []
    real = engine._run_patch
    monkeypatch.setattr(engine, "_run_patch", lambda *args: first_passes.append(1) or real(*args))
    finished = verified(unverified)
    assert finished.status == FIXED and first_passes == []


def test_a_run_with_nothing_to_repair_finishes_as_it_was() -> None:
    whole, unverified, finished = _both("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n", [Unstable()][:0])
    assert unverified.status == UNCHANGED and finished == whole
