"""--target-rps plans: which functions the planned reservation reaches, what the template needs of
the account's quota, and where provisioned concurrency autoscaling stops (review of 100k rps runs)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from autofix.api import build_patches, fix_text
from autofix.capacity import Plan, planned_options
from autofix.fastload import load_data

HERE = Path(__file__).resolve().parent / "patches"
MIXED = HERE / "lambda-pc-autoscaling" / "planned_max_leaves_unqualified_callers_headroom"
CONSUMERS = HERE / "lambda-reserved-concurrency" / "planned_reservation_only_on_api_path"


def _options(rps: float, p99: float) -> dict:
    return planned_options(SimpleNamespace(target_rps=rps, p99_latency_ms=p99, options={}))


def _fixed(case: Path, options: dict, select: list[str]) -> dict:
    source = case.with_name(case.name + ".in.yaml")
    result = fix_text(source.read_text(encoding="utf-8"),
                      build_patches(select=select, unsafe=True, options=options), str(source))
    return load_data(result.output, "yaml")


def test_the_fixture_options_are_what_the_plan_gives() -> None:
    """The LAM010 fixture stands for a 100,000 rps / 80 ms run: keep the two in step."""
    planned = _options(100_000, 80)
    fixture = json.loads(MIXED.with_name(MIXED.name + ".options.json").read_text(encoding="utf-8"))
    assert {pid: {k: planned[pid][k] for k in values} for pid, values in fixture.items()} == fixture
    assert planned["LAM001"] == {"planned": 9600}  # not `default`: that one reaches every function


@pytest.mark.parametrize("rps,p99", [(100_000, 80), (1_000, 100), (50, 20), (10, 1_000), (3, 500)])
def test_autoscaling_stops_below_the_reservation(rps: float, p99: float) -> None:
    plan = Plan(rps, p99)
    assert plan.provisioned <= plan.autoscale_max < plan.concurrency
    options = _options(rps, p99)
    assert options["LAM010"]["max_default"] == plan.autoscale_max
    assert options["LAM001"]["planned"] == plan.concurrency


def test_the_margin_is_the_plans_headroom() -> None:
    plan = Plan(100_000, 80)
    assert (plan.concurrency, plan.autoscale_max) == (9_600, 8_000)  # 1,600 left to $LATEST callers


def test_summary_states_the_template_wide_quota() -> None:
    text = "\n".join(Plan(100_000, 80).summary())
    assert "x its API-invoked functions + 100 unreserved" in text
    assert "at least 9,700" in text and "request a quota increase" in text
    assert "autoscaled up to 8,000" in text and "$LATEST" in text


def test_a_plan_reserves_only_for_api_invoked_functions() -> None:
    data = _fixed(CONSUMERS, _options(100_000, 80), ["LAM001"])
    params, resources = data["Parameters"], data["Resources"]
    assert params["LambdaReservedConcurrency"]["Default"] == 9600
    assert params["LambdaOtherReservedConcurrency"]["Default"] == -1
    def parameter_of(rid: str) -> str:
        return resources[rid]["Properties"]["ReservedConcurrentExecutions"]["Fn::If"][1]["Ref"]
    assert parameter_of("ApiHandler") == "LambdaReservedConcurrency"
    for consumer in ("QueueConsumer", "RuleConsumer", "DestinationConsumer"):
        assert parameter_of(consumer) == "LambdaOtherReservedConcurrency"


def test_without_a_plan_one_parameter_serves_every_function() -> None:
    data = _fixed(CONSUMERS, {}, ["LAM001"])
    assert list(data["Parameters"]) == ["LambdaReservedConcurrency"]
    assert data["Parameters"]["LambdaReservedConcurrency"]["Default"] == -1


def test_planned_maximum_stays_below_the_planned_reservation() -> None:
    data = _fixed(MIXED, _options(100_000, 80), ["LAM001", "LAM002", "LAM010"])
    params = data["Parameters"]
    assert params["LambdaProvisionedConcurrencyMax"]["Default"] < params["LambdaReservedConcurrency"]["Default"]
    assert params["LambdaProvisionedConcurrency"]["Default"] <= params["LambdaProvisionedConcurrencyMax"]["Default"]
