"""Invariants of a change: deploy commands and importing stacks keep working (issue 11 item 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autofix.fastload import load_data
from autofix.semantics import change_invariants, new_violations
from autofix.semantics.interface import exports_still_exported, parameters_still_accepted
from autofix.semantics.model import Deployed

PARAM001 = Path(__file__).resolve().parent / "patches" / "single-environment-parameter"


def _template(parameters: tuple[str, ...] = (), export: str | None = None) -> dict:
    data: dict = {"Parameters": {p: {"Type": "String"} for p in parameters},
                  "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
    if export:
        data["Outputs"] = {"TopicArn": {"Value": {"Ref": "Topic"}, "Export": {"Name": export}}}
    return data


def test_a_removed_parameter_violates() -> None:
    # What PARAM001 used to do: merge EnvironmentSuffix into Environment and delete it.
    before = _template(("Environment", "EnvironmentSuffix"))
    after = _template(("Environment",))
    found = list(parameters_still_accepted(Deployed(before), Deployed(after)))
    assert [v.resource for v in found] == ["EnvironmentSuffix"]
    assert [v.resource for v in new_violations(before, after)] == ["EnvironmentSuffix"]


def test_a_removed_or_renamed_export_violates() -> None:
    before = _template(export="app-topic")
    assert [v.resource for v in exports_still_exported(Deployed(before), Deployed(_template()))] == ["TopicArn"]
    assert list(exports_still_exported(Deployed(before), Deployed(_template(export="other")))) != []
    assert list(exports_still_exported(Deployed(before), Deployed(before))) == []


def test_change_invariants_are_discovered() -> None:
    assert {parameters_still_accepted, exports_still_exported} <= set(change_invariants())


def test_narrowed_checks_leave_change_invariants_out() -> None:
    before, after = _template(("A",)), _template()
    assert new_violations(before, after, ()) == []


def _load(path: Path) -> dict:
    return load_data(path.read_text(encoding="utf-8"), "json" if path.suffix == ".json" else "yaml")


@pytest.mark.parametrize("case", sorted(PARAM001.glob("*.out.*")), ids=lambda p: p.name)
def test_param001_repairs_keep_every_parameter(case: Path) -> None:
    before = Deployed(_load(case.with_name(case.name.replace(".out.", ".in."))))
    assert list(parameters_still_accepted(before, Deployed(_load(case)))) == []
