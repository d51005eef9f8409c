"""LOG002's budget alarm is a choice, not a defect: off unless asked for, and silent while off.

Before, --unsafe-fixes ran it on every template only to print 'LOG002 is opt-in' (485 of the
512 corpus files carried that line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autofix.api import build_patches, fix_text

CASE = Path(__file__).resolve().parent / "patches" / "billing-alarm" / "enabled.in.yaml"


def _log002(patches) -> tuple[list, list]:
    result = fix_text(CASE.read_text(encoding="utf-8"), patches, str(CASE))
    return ([c for c in result.changes if c.patch_id == "LOG002"],
            [n for n in result.notes if n.patch_id == "LOG002"])


def test_unsafe_fixes_alone_add_no_budget_alarm_and_say_nothing() -> None:
    assert _log002(build_patches(unsafe=True)) == ([], [])


def test_a_prefix_does_not_ask_for_the_budget_alarm() -> None:
    assert _log002(build_patches(select=["LOG"], unsafe=True)) == ([], [])


@pytest.mark.parametrize("selector", ["LOG002", "billing-alarm"])
def test_selected_by_id_or_name_adds_the_budget_alarm(selector: str) -> None:
    changes, _ = _log002(build_patches(select=[selector], unsafe=True))
    assert any("EstimatedCharges" in c.message or "budget" in c.message.lower() for c in changes), changes


def test_enabled_option_adds_the_budget_alarm_under_unsafe_fixes() -> None:
    changes, _ = _log002(build_patches(unsafe=True, options={"LOG002": {"enabled": True}}))
    assert changes


def test_enabled_false_keeps_it_off_even_when_selected() -> None:
    assert _log002(build_patches(select=["LOG002"], unsafe=True, options={"LOG002": {"enabled": False}})) == ([], [])
