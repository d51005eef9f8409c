"""LAM010: scale each alias's provisioned concurrency with Application Auto Scaling; proposes only when asked for."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from autofix.edits import Advice, Proposal, SetKey, Skip
from autofix.model import lambdas as lam
from autofix.model.parameters import condition, not_equals_condition, parameter
from autofix.record import record
from autofix.registry import SAFE, Patch, PatchOptions
from autofix.values import NO_VALUE, ref, referenced_names, sub
from autofix.view import TemplateView

TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
POLICY = "AWS::ApplicationAutoScaling::ScalingPolicy"
DIMENSION = "lambda:function:ProvisionedConcurrency"


@record(frozen=True)
class Scalable:
    """A function alias with provisioned concurrency: what a scalable target needs to know."""
    fn: str
    alias_name: str
    alias_id: str  # the Alias resource, or the one SAM generates
    minimum: Any
    conditions: tuple[str, ...]


class LambdaProvisionedConcurrencyAutoscaling(Patch):
    id = "LAM010"
    name = "lambda-pc-autoscaling"
    title = "Scale provisioned concurrency with utilization, up to a parameter (off by default)"
    safety = SAFE
    resource_types = lam.FUNCTION_TYPES + (lam.ALIAS, TARGET)
    after = ("LAM002",)
    # Off unless asked for: at the defaults (provisioned concurrency 0, maximum 0) everything it adds
    # is inert. The runner should set `enabled` when the patch is selected by its id or name.
    default_enabled = False
    explanation = (
        "Off unless asked for: it proposes only with the option enabled (options: {LAM010: {enabled:\n"
        "true}} in the config) or with --target-rps, which sizes the maximum; a prefix (LAM) or\n"
        "--unsafe-fixes alone does not turn it on, because at the defaults what it adds is inert.\n"
        "For each alias with ProvisionedConcurrencyConfig (and each SAM function with AutoPublishAlias and\n"
        "ProvisionedConcurrencyConfig), adds an AWS::ApplicationAutoScaling::ScalableTarget from the\n"
        "configured provisioned concurrency (minimum) to the parameter LambdaProvisionedConcurrencyMax\n"
        "(maximum), with a target-tracking policy on LambdaProvisionedConcurrencyUtilization (70 %).\n"
        "Both exist only while the parameter is not 0 (and provisioned concurrency is on); the maximum must\n"
        "be at least the minimum and stay below the function's reserved concurrency: provisioned concurrency\n"
        "that reaches the reservation throttles the unqualified function ($LATEST), so every caller that\n"
        "names the function rather than the alias (an event source mapping, an asynchronous invoke) is\n"
        "throttled at peak. --target-rps sets the maximum to the plan's peak (rps x p99), the reservation\n"
        "(rps x p99 x 1.2) less its 20 % headroom. Callers are not touched: they already invoke the alias\n"
        "(LAM002).\n"
        "Cost: every unit scaled up is billed per hour like provisioned concurrency, up to the maximum.\n"
        "A stack update puts the alias back to its configured value until the policy scales again."
    )

    class Options(PatchOptions):
        parameter: str = "LambdaProvisionedConcurrencyMax"
        condition: str = "HasProvisionedConcurrencyAutoscaling"
        target_utilization: float = 0.7
        max_default: int = 0  # 0 keeps it off; --target-rps sets the plan's peak, below its reservation
        enabled: bool = False  # asked for explicitly (config, or selected by id or name)

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        if not 0.1 <= self.options.target_utilization <= 0.9:
            raise ValueError("target_utilization must be between 0.1 and 0.9")
        if not view.has_any(lam.FUNCTION_TYPES):
            return  # every proposal serves a function's alias
        found: list[Scalable] = []
        skips: list[Skip] = []
        for fid, _ in view.of_type(*lam.FUNCTION_TYPES):
            for item in _scalables(view, fid):
                if isinstance(item, Skip):
                    skips.append(item)
                elif not _already_scaled(view, item):
                    found.append(item)
        if not (self.options.enabled or self.options.max_default > 0):  # inert scaffolding nobody asked for
            # Said only of what the author configured: what LAM002 adds in this run is off until set.
            for item in (i for i in found if not {i.fn, i.alias_id} & (view.created | view.changed)):
                yield Skip(("Resources", item.alias_id if item.alias_id in view.resources else item.fn),
                           f"{item.fn}: alias {item.alias_name} keeps a fixed provisioned concurrency; LAM010 "
                           "scales it only when asked for (select LAM010 by id or name, or pass --target-rps)")
            return
        yield from skips
        if not found:
            return
        opts = self.options
        maximum = yield from view.need(parameter(opts.parameter, {
            "Type": "Number", "Default": opts.max_default, "MinValue": 0,
            "Description": "Upper bound for provisioned concurrency autoscaling on each alias; 0 turns it "
                           "off; when set it must be at least the provisioned concurrency and below the "
                           "function's reserved concurrency"}))
        scaling = yield from view.need(not_equals_condition(opts.condition, maximum, 0))
        for item in found:
            when = yield from self._condition(view, item.conditions + (scaling,))
            yield from self._target(view, item, when, maximum)
        for item in found:
            reserved = lam.literal_int(lam.effective_prop(view, item.fn, "ReservedConcurrentExecutions"))
            if reserved is not None and 0 < reserved <= opts.max_default:
                yield Advice(("Resources", item.fn),
                             f"{item.fn} reserves {reserved:,}, at or below {maximum}'s default {opts.max_default:,}: "
                             f"scaled that far, its provisioned concurrency would take the whole reservation and "
                             f"throttle the unqualified function; lower {maximum} below {reserved:,} or raise the "
                             "reservation")
        yield Advice(("Parameters", maximum),
                     f"keep {maximum} below each function's reserved concurrency: provisioned concurrency that reaches "
                     "the reservation throttles the unqualified function ($LATEST), so callers that name the function "
                     "rather than its alias (event source mappings, asynchronous invokes) are throttled at peak; leave "
                     "them the share they need (--target-rps leaves the plan's 20 % headroom: rps x p99 of the "
                     "reservation's rps x p99 x 1.2)")

    @staticmethod
    def _condition(view: TemplateView, names: tuple[str, ...]) -> Generator[Proposal, None, str]:
        """The condition under which all `names` hold, added as `Fn::And` when there are several."""
        if len(names) == 1:
            return names[0]
        value = {"Fn::And": [{"Condition": n} for n in names]}
        same = [c for c, v in view.conditions.items() if v == value]
        if same:
            return same[0]
        return (yield from view.need(condition("ScaleProvisionedConcurrency", value,
                                               f"add condition {{name}} (scale only where {' and '.join(names)} hold)")))

    def _target(self, view: TemplateView, item: Scalable, condition: str, parameter: str) -> Iterator[Proposal]:
        target = view.unique_id(f"{item.fn}ScalableTarget")
        anchor = item.alias_id if item.alias_id in view.resources else item.fn
        yield SetKey(("Resources",), target, {
            "Type": TARGET, "Condition": condition, "DependsOn": item.alias_id, "Properties": {
                "MaxCapacity": ref(parameter), "MinCapacity": item.minimum,
                "ResourceId": sub(f"function:${{{item.fn}}}:{item.alias_name}"),
                "ScalableDimension": DIMENSION, "ServiceNamespace": "lambda"}},
            f"{item.fn}: scale alias {item.alias_name} between its provisioned concurrency and "
            f"{parameter}", after=anchor)
        yield SetKey(("Resources",), view.unique_id(f"{item.fn}ScalingPolicy"), {
            "Type": POLICY, "Condition": condition, "Properties": {
                "PolicyName": "provisioned-concurrency-utilization", "PolicyType": "TargetTrackingScaling",
                "ScalingTargetId": ref(target), "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": self.options.target_utilization, "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "LambdaProvisionedConcurrencyUtilization"}}}},
            f"{item.fn}: track {self.options.target_utilization:.0%} provisioned concurrency utilization",
            after=anchor)


def _scalables(view: TemplateView, fid: str) -> Iterator[Scalable | Skip]:
    """The function's aliases that have provisioned concurrency, or a Skip saying why one cannot scale."""
    res = view.resources[fid]
    if view.type_of(fid) == lam.SAM_FUNCTION:
        config = lam.effective_prop(view, fid, "ProvisionedConcurrencyConfig")
        name = lam.effective_prop(view, fid, "AutoPublishAlias")
        alias_id = f"{fid}Alias{name.replace('-', 'D').replace('_', 'U')}" if isinstance(name, str) else ""
        holders = [(fid, res, name, config)] if config is not None else []
    else:
        holders = [(aid, view.resources[aid], view.props(view.resources[aid]).get("Name"),
                    view.props(view.resources[aid]).get("ProvisionedConcurrencyConfig"))
                   for aid in lam.aliases_of(view, fid)]
        holders = [h for h in holders if h[3] is not None]
    for holder, holder_res, name, config in holders:
        minimum, condition = _minimum(config)
        if not isinstance(name, str) or minimum is None:
            yield Skip(("Resources", holder), f"{holder}: alias name or provisioned concurrency is not a plain "
                       "value or a !If on a condition; add autoscaling by hand")
            continue
        own = holder_res.get("Condition")
        conditions = tuple(c for c in (own, condition) if isinstance(c, str))
        yield Scalable(fid, name, holder if holder != fid else alias_id, minimum, conditions)


def _minimum(config: Any) -> tuple[Any, str | None]:
    """(ProvisionedConcurrentExecutions, the condition it depends on) of a config value."""
    if isinstance(config, dict) and list(config) == ["Fn::If"]:
        arg = config["Fn::If"]
        if isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str) and arg[2] == NO_VALUE:
            return _minimum(arg[1])[0], arg[0]
        return None, None
    if isinstance(config, dict) and list(config) == ["ProvisionedConcurrentExecutions"]:
        return config["ProvisionedConcurrentExecutions"], None
    return None, None


def _scaled(view: TemplateView) -> tuple[set[str], list[str]]:
    """What existing provisioned-concurrency targets name: ids (through the ResourceId or
    DependsOn), and the literal ResourceId texts."""
    names: set[str] = set()
    texts: list[str] = []
    for _, res in view.of_type(TARGET):
        props = view.props(res)
        if props.get("ScalableDimension") != DIMENSION:
            continue
        names.update(referenced_names(props.get("ResourceId")))
        depends = res.get("DependsOn")
        names.update(d for d in (depends if isinstance(depends, list) else [depends]) if isinstance(d, str))
        if isinstance(props.get("ResourceId"), str):
            texts.append(props["ResourceId"])
    return names, texts


def _already_scaled(view: TemplateView, item: Scalable) -> bool:
    """A scalable target for provisioned concurrency already names this function or alias
    (a literal ResourceId counts for every alias of the same name: better skip than double)."""
    names, texts = view.memo(_scaled)
    return bool({item.fn, item.alias_id} & names) or any(t.endswith(f":{item.alias_name}") for t in texts)
