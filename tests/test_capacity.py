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
WARM = HERE / "lambda-provisioned-concurrency"
WARM_PLAIN = WARM / "planned_provisioned_only_on_api_path"
WARM_SAM = WARM / "planned_provisioned_only_on_api_path_sam"
WARM_CONSUMERS = WARM / "planned_consumers_only_stay_off"
WARM_LATER = WARM / "planned_consumer_added_beside_provisioned_api"
# Fixtures whose options stand for a 100,000 rps / 80 ms run.
PLANNED_FIXTURES = [
    MIXED, CONSUMERS, WARM_PLAIN, WARM_SAM, WARM_CONSUMERS, WARM_LATER]


def _options(rps: float, p99: float) -> dict:
    return planned_options(SimpleNamespace(target_rps=rps, p99_latency_ms=p99, options={}))


def _fixed(case: Path, options: dict, select: list[str]) -> dict:
    source = case.with_name(case.name + ".in.yaml")
    result = fix_text(source.read_text(encoding="utf-8"),
                      build_patches(select=select, unsafe=True, options=options), str(source))
    return load_data(result.output, "yaml")


@pytest.mark.parametrize("case", PLANNED_FIXTURES, ids=lambda c: c.name)
def test_the_fixture_options_are_what_the_plan_gives(case: Path) -> None:
    """These fixtures stand for a 100,000 rps / 80 ms run: keep the two in step."""
    planned = _options(100_000, 80)
    fixture = json.loads(case.with_name(case.name + ".options.json").read_text(encoding="utf-8"))
    assert {pid: {k: planned[pid].get(k) for k in values} for pid, values in fixture.items()} == fixture


def test_the_plan_sizes_only_the_request_path() -> None:
    planned = _options(100_000, 80)
    assert planned["LAM001"] == {"planned": 9600}  # not `default`: that one reaches every function
    assert planned["LAM002"] == {"planned": 2880}  # likewise


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


def _provisioned_from(resources: dict, rid: str) -> str:
    """The parameter function `rid`'s provisioned concurrency comes from (its alias's for a plain one)."""
    res = resources[rid]
    if res["Type"] == "AWS::Lambda::Function":
        res = next(r for r in resources.values() if r["Type"] == "AWS::Lambda::Alias"
                   and r["Properties"]["FunctionName"] == {"Ref": rid})
    return res["Properties"]["ProvisionedConcurrencyConfig"]["Fn::If"][1]["ProvisionedConcurrentExecutions"]["Ref"]


@pytest.mark.parametrize("case", [WARM_PLAIN, WARM_SAM], ids=lambda c: c.name)
def test_a_plan_warms_only_api_invoked_functions(case: Path) -> None:
    """2,880 reached every aliased function: a queue consumer's idle warm capacity was billed too."""
    data = _fixed(case, _options(100_000, 80), ["LAM002"])
    params, resources = data["Parameters"], data["Resources"]
    assert params["LambdaProvisionedConcurrency"]["Default"] == 2880
    assert params["LambdaOtherProvisionedConcurrency"]["Default"] == 0
    api = "ApiHandler" if "ApiHandler" in resources else "ApiFunction"
    assert _provisioned_from(resources, api) == "LambdaProvisionedConcurrency"
    assert _provisioned_from(resources, "QueueConsumer") == "LambdaOtherProvisionedConcurrency"
    assert data["Conditions"]["HasOtherProvisionedConcurrency"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "LambdaOtherProvisionedConcurrency"}, 0]}]}


def test_a_plan_without_api_functions_keeps_provisioned_concurrency_off() -> None:
    data = _fixed(WARM_CONSUMERS, _options(100_000, 80), ["LAM002"])
    assert list(data["Parameters"]) == ["LambdaProvisionedConcurrency"]
    assert data["Parameters"]["LambdaProvisionedConcurrency"]["Default"] == 0


def test_a_consumer_added_later_does_not_take_the_api_functions_parameter() -> None:
    """The API function was provisioned by an earlier planned run: LambdaProvisionedConcurrency at 2,880
    exists and fits, yet the new consumer gets its own parameter at 0."""
    data = _fixed(WARM_LATER, _options(100_000, 80), ["LAM002"])
    assert data["Parameters"]["LambdaOtherProvisionedConcurrency"]["Default"] == 0
    assert _provisioned_from(data["Resources"], "QueueConsumer") == "LambdaOtherProvisionedConcurrency"


@pytest.mark.parametrize("case", [WARM_PLAIN, WARM_SAM], ids=lambda c: c.name)
def test_without_a_plan_one_provisioned_parameter_serves_every_function(case: Path) -> None:
    data = _fixed(case, {}, ["LAM002"])
    assert list(data["Parameters"]) == ["LambdaProvisionedConcurrency"]
    assert data["Parameters"]["LambdaProvisionedConcurrency"]["Default"] == 0
    assert _provisioned_from(data["Resources"], "QueueConsumer") == "LambdaProvisionedConcurrency"


def test_autoscaling_of_a_consumer_starts_from_its_own_parameter() -> None:
    """LAM010 scales each alias from the parameter its config names, under that parameter's condition:
    the consumer's target exists only once LambdaOtherProvisionedConcurrency is set."""
    data = _fixed(WARM_SAM, _options(100_000, 80), ["LAM002", "LAM010"])
    resources, conditions = data["Resources"], data["Conditions"]
    target = resources["QueueConsumerScalableTarget"]
    assert target["Properties"]["MinCapacity"] == {"Ref": "LambdaOtherProvisionedConcurrency"}
    assert {"Condition": "HasOtherProvisionedConcurrency"} in conditions[target["Condition"]]["Fn::And"]
    api = resources["ApiFunctionScalableTarget"]
    assert api["Properties"]["MinCapacity"] == {"Ref": "LambdaProvisionedConcurrency"}
