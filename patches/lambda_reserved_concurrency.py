"""LAM001: reserved concurrency on every function, from a parameter that defaults to unset."""

from __future__ import annotations

from collections.abc import Iterator

from typing import Any

from autofix.capacity import ACCOUNT_CONCURRENCY, UNRESERVED_MINIMUM
from autofix.edits import Advice, Proposal, SetKey, Skip
from autofix.model import lambdas as lam
from autofix.model.lambdas import FUNCTION_TYPES
from autofix.model.parameters import not_equals_condition, parameter
from autofix.model.serving import deploy_time_only, edge_reason, on_request_path
from autofix.registry import SAFE, Patch, PatchOptions
from autofix.suppress import Suppressions
from autofix.values import NO_VALUE, if_, is_intrinsic, ref
from autofix.view import TemplateView


# What reserved concurrency on a Lambda@Edge function misses (model.serving.edge_reason).
_EDGE_LOST = ("reserved concurrency set here caps its invocations in this Region only, not its replicas, which "
              "share each Region's concurrency")
def _provisioned(view: TemplateView, rid: str) -> list[Any]:
    """The ProvisionedConcurrentExecutions values the template sets on function `rid`."""
    configs = [lam.effective_prop(view, rid, "ProvisionedConcurrencyConfig")] \
        if view.type_of(rid) == lam.SAM_FUNCTION else \
        [view.props(view.resources[w]).get("ProvisionedConcurrencyConfig")
         for w in lam.aliases_of(view, rid) + lam.versions_of(view, rid)]
    return [c.get("ProvisionedConcurrentExecutions") if isinstance(c, dict) and not is_intrinsic(c) else c
            for c in configs if c is not None]


class LambdaReservedConcurrency(Patch):
    id = "LAM001"
    name = "lambda-reserved-concurrency"
    title = "Add reserved concurrency to Lambda functions, tunable by a parameter"
    safety = SAFE
    resource_types = FUNCTION_TYPES + ("AWS::Lambda::Alias", "AWS::Lambda::Version")
    resolves = ("CKV_AWS_115", "W92", "LAMBDA_CONCURRENCY_CHECK")
    explanation = (
        "Sets ReservedConcurrentExecutions on every function on the request path (or once in SAM\n"
        "Globals.Function, unless a deploy-time helper would inherit it) to\n"
        "!If [HasReservedConcurrency, !Ref LambdaReservedConcurrency, !Ref AWS::NoValue]. The\n"
        "parameter defaults to -1, which leaves the setting unset, so the template stays deployable\n"
        "on any account; 0 would disable the function, so it is never used as 'unset'. Set the\n"
        "parameter per environment after raising the account's concurrency quota. Functions only\n"
        "called at deploy time (custom-resource providers, macro handlers) are skipped: reserving\n"
        "concurrency for them takes it from every other function in the account. So are Lambda@Edge\n"
        "functions: their replicas run in other Regions, which the reservation does not reach.\n"
        "With --target-rps, LambdaReservedConcurrency defaults to the plan's concurrency and reaches only\n"
        "the functions an API, a function URL or a load balancer invokes; the others (queue, event and\n"
        "destination consumers) get LambdaOtherReservedConcurrency, -1 (unset): a reservation each at the\n"
        "plan's size would add up past the account's quota (Lambda keeps 100 unreserved and refuses a\n"
        "reservation that leaves less). The advice states what the template needs in all."
    )

    class Options(PatchOptions):
        parameter: str = "LambdaReservedConcurrency"
        condition: str = "HasReservedConcurrency"
        default: int = -1
        # --target-rps: the plan's concurrency, for the functions an API invokes (-1: no plan)
        planned: int = -1
        other_parameter: str = "LambdaOtherReservedConcurrency"
        other_condition: str = "HasOtherReservedConcurrency"

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        opts = self.options
        todo, helpers = [], []
        for rid, res in view.of_type(*FUNCTION_TYPES):
            if view.has_prop(res, "ReservedConcurrentExecutions", "Function"):
                continue
            reason = deploy_time_only(view, rid) or edge_reason(view, rid, _EDGE_LOST)
            if reason:
                helpers.append(rid)
                yield Skip(("Resources", rid), reason)
            else:
                todo.append(rid)
        if not todo:
            return
        if "AWS::LanguageExtensions" in str(view.data.get("Transform")):
            # The transform resolves Fn::If with parameter defaults, so the -1 sentinel leaks.
            yield Skip(("Resources", todo[0]), "AWS::LanguageExtensions evaluates the -1 sentinel; "
                       "set ReservedConcurrentExecutions by hand")
            return
        # Globals would also reserve capacity for the deploy-time helpers left out above.
        sam_global = view.is_sam and "Function" in view.section("Globals") \
            and not any(view.type_of(rid) == "AWS::Serverless::Function" for rid in helpers)
        groups = [(todo, opts.parameter, opts.condition, opts.default, None)]
        api = [rid for rid in todo if on_request_path(view, rid)] if opts.planned != -1 else []
        if api:
            others = [rid for rid in todo if rid not in api]
            groups = [(api, opts.parameter, opts.condition, opts.planned,
                       "Reserved concurrency per function an API invokes; -1 leaves it unset (0 would disable "
                       "the function)")]
            if others:
                groups.append((others, opts.other_parameter, opts.other_condition, opts.default,
                               "Reserved concurrency per function no API invokes here (queue, event and "
                               "destination consumers); -1 leaves it unset (0 would disable the function)"))
        serverless_all = {rid for rid in todo if view.type_of(rid) != "AWS::Lambda::Function"}
        declared_first = None
        for members, name, cond_name, default, description in groups:
            serverless = [rid for rid in members if view.type_of(rid) != "AWS::Lambda::Function"]
            # Globals.Function only when it reaches no function of another group.
            use_globals = bool(serverless) and sam_global and set(serverless) == serverless_all
            declared = yield from self._reserve(view, members, name, cond_name, default, description,
                                                use_globals, len(groups) > 1 and members is not api)
            declared_first = declared_first or declared
        if declared_first is None:
            return
        if api:
            yield Advice(("Parameters", declared_first), self._total(view, api, opts.planned, declared_first))
        elif opts.planned != -1:
            yield Advice(("Parameters", declared_first),
                         f"no function here is invoked by an API, a function URL or a load balancer, so the capacity "
                         f"plan sizes none of them and {declared_first} stays {opts.default} (size a consumer's "
                         f"reservation from its own batch rate)" + self._total(view, [], opts.planned, declared_first))
        else:
            yield Advice(("Parameters", declared_first),
                         "size reserved concurrency as peak RPS x p99 duration x 1.2 and raise the account "
                         "quota (default 1,000 per Region) before setting it")

    def _reserve(self, view: TemplateView, members: list[str], name: str, cond_name: str, default: int,
                 description: str | None, use_globals: bool, off_path: bool) -> Iterator[Proposal]:
        """ReservedConcurrentExecutions from parameter `name` on `members` (or Globals.Function);
        returns the parameter's name, or None when every member suppresses the finding."""
        plain = [rid for rid in members if view.type_of(rid) == "AWS::Lambda::Function"]
        serverless = [rid for rid in members if rid not in plain]
        suppressions = Suppressions(view.data)
        edited = plain + ([] if use_globals else serverless)
        if not use_globals and all(suppressions.resource_suppresses(
                ("Resources", rid, "Properties", "ReservedConcurrentExecutions"), self) for rid in edited):
            # Every function left suppresses the finding: the engine notes each, and a parameter
            # and condition nothing uses would be new cfn-lint findings (W2001, W8001).
            for rid in edited:
                yield SetKey(("Resources", rid, "Properties"), "ReservedConcurrentExecutions", default)
            return None
        declared = yield from view.need(parameter(name, {
            "Type": "Number",
            "Default": default,
            "MinValue": -1,
            "Description": description or "Reserved concurrency per function; -1 leaves it unset (0 would disable "
                                          "the function)",
        }))
        condition = yield from view.need(not_equals_condition(cond_name, declared, -1))
        value = if_(condition, ref(declared), NO_VALUE)
        why = " (no API invokes it here, so the plan does not size it)" if off_path else ""
        for rid in plain:
            yield SetKey(("Resources", rid, "Properties"), "ReservedConcurrentExecutions", value,
                         f"{rid}: reserved concurrency from {declared}{why}")
        if use_globals:
            yield SetKey(("Globals", "Function"), "ReservedConcurrentExecutions", value,
                         f"Globals.Function: reserved concurrency from {declared}{why}")
        else:
            for rid in serverless:
                yield SetKey(("Resources", rid, "Properties"), "ReservedConcurrentExecutions", value,
                             f"{rid}: reserved concurrency from {declared}{why}")
        return declared

    @staticmethod
    def _total(view: TemplateView, api: list[str], planned: int, declared: str) -> str:
        """What the whole template asks of the account's concurrency quota under the plan: the planned
        reservations, the ones it already sets, provisioned concurrency outside a reservation, and the
        100 executions Lambda keeps unreserved ("" when no API is served and nothing else counts)."""
        total = planned * len(api)
        parts = [f"{declared} reserves {planned:,} for each function an API invokes here ({', '.join(api)}"
                 + (f": {len(api)} x {planned:,} = {total:,})" if len(api) > 1 else ")")] if api else []
        unknown, unreserved, candidates = [], [], []
        for rid, _ in view.of_type(*FUNCTION_TYPES):
            if rid in api:
                continue
            own = lam.effective_prop(view, rid, "ReservedConcurrentExecutions")
            if own is not None:
                value = lam.literal_int(own)
                if value is None:
                    unknown.append(rid)
                else:
                    total += value
                    parts.append(f"{rid} reserves {value:,}")
                continue
            provisioned = _provisioned(view, rid)  # outside a reservation: from the unreserved pool
            for value in provisioned:
                number = lam.literal_int(value)
                if number is None:
                    unknown.append(rid)
                else:
                    total += number
                    unreserved.append(f"{rid} {number:,}")
            if not provisioned and lam.provisioned_skip_reason(view, rid) is None:
                candidates.append(rid)
        if unreserved:
            parts.append(f"provisioned concurrency outside a reservation ({', '.join(unreserved)})")
        if not (api or total or unknown or candidates):
            return ""
        needed = total + UNRESERVED_MINIMUM
        text = ("; " if not api else "") + (f"{'; '.join(parts) + '; ' if parts else ''}Lambda keeps {UNRESERVED_MINIMUM} executions unreserved (it refuses a "
                f"reservation that leaves fewer), so this template needs an account concurrency quota of at least "
                f"{needed:,} in its Region")
        if unknown:
            text += f", plus what {', '.join(sorted(set(unknown)))} reserve or provision (not literal values)"
        if candidates:
            text += (f", plus the provisioned concurrency LAM002 may give the alias of each of {', '.join(candidates)} "
                     "(off by default; provisioned concurrency outside a reservation comes from the same pool)")
        if needed > ACCOUNT_CONCURRENCY:
            text += (f"; the default quota is {ACCOUNT_CONCURRENCY:,}: request an increase to that total before "
                     f"deploying, or lower {declared}")
        return text
