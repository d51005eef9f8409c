"""LAM010 adds inert scaffolding at the defaults, so it proposes only when asked for (issue 11, item 16)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from autofix.api import build_patches, fix_text
from autofix.capacity import planned_options

CASE = Path(__file__).resolve().parent / "patches" / "lambda-pc-autoscaling" / "plain.in.yaml"


def _lam010_changes(patches) -> list:
    result = fix_text(CASE.read_text(encoding="utf-8"), patches, str(CASE))
    return [c for c in result.changes if c.patch_id == "LAM010"]


def test_unsafe_fixes_alone_add_nothing() -> None:
    assert _lam010_changes(build_patches(unsafe=True)) == []


def test_a_prefix_adds_nothing() -> None:
    assert _lam010_changes(build_patches(select=["LAM"], unsafe=True)) == []


def test_target_rps_asks_for_it() -> None:
    settings = SimpleNamespace(target_rps=10_000, p99_latency_ms=100, options={})
    options = planned_options(settings)
    assert options["LAM010"]["max_default"] > 0
    assert _lam010_changes(build_patches(select=["LAM010"], unsafe=True, options=options))


def test_enabled_option_asks_for_it() -> None:
    options = {"LAM010": {"enabled": True}}
    assert _lam010_changes(build_patches(select=["LAM010"], unsafe=True, options=options))


@pytest.mark.parametrize("selector", ["LAM010", "lambda-pc-autoscaling"])
def test_selected_by_id_or_name_asks_for_it(selector: str) -> None:
    assert _lam010_changes(build_patches(select=[selector], unsafe=True))
