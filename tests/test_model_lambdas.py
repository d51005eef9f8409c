"""LAM002's plans ask of each API caller whether it can move (three plans per function: two
probes and the move); the answer is computed once per caller until the data changes."""

from __future__ import annotations

from pathlib import Path

from autofix.api import build_patches, fix_text
from autofix.model import lambdas
from autofix.view import TemplateView

CASE = Path(__file__).parent / "patches" / "lambda-provisioned-concurrency" / "api_sub.in.yaml"


def test_each_api_caller_is_judged_once_per_pass_and_the_repair_is_unchanged(monkeypatch) -> None:
    patches = build_patches(select=["LAM002"], unsafe=True)
    asked: list[tuple[str, str]] = []
    real = lambdas._stuck_caller

    def counting(view: TemplateView, fn: str, rid: str) -> bool:
        asked.append((fn, rid))
        return real(view, fn, rid)

    monkeypatch.setattr(lambdas, "_stuck_caller", counting)
    result = fix_text(CASE.read_text(encoding="utf-8"), patches, str(CASE))
    assert result.output == CASE.with_name("api_sub.out.yaml").read_text(encoding="utf-8")
    # The repair's three plans judge its one caller once; the verification pass finds the alias done.
    assert asked == [("FixedFunction", "ItemsGet")]


def test_memo_with_arguments_is_one_answer_per_arguments_until_invalidate() -> None:
    view = TemplateView({"Resources": {"A": {"Type": "AWS::S3::Bucket"}}})
    calls = []

    def typed(v: TemplateView, rid: str) -> str | None:
        calls.append(rid)
        return v.type_of(rid)

    assert [view.memo(typed, "A"), view.memo(typed, "A"), view.memo(typed, "B")] == ["AWS::S3::Bucket",
                                                                                     "AWS::S3::Bucket", None]
    assert calls == ["A", "B"]
    view.invalidate()
    assert view.memo(typed, "A") == "AWS::S3::Bucket" and calls == ["A", "B", "A"]
