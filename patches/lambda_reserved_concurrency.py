"""LAM001: reserved concurrency on every function, from a parameter that defaults to unset."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Advice, Proposal, SetKey, Skip
from autofix.model.lambdas import FUNCTION_TYPES
from autofix.model.parameters import not_equals_condition, parameter
from autofix.model.serving import deploy_time_only, edge_reason
from autofix.registry import SAFE, Patch, PatchOptions
from autofix.suppress import Suppressions
from autofix.values import NO_VALUE, if_, ref
from autofix.view import TemplateView


# What reserved concurrency on a Lambda@Edge function misses (model.serving.edge_reason).
_EDGE_LOST = ("reserved concurrency set here caps its invocations in this Region only, not its replicas, which "
              "share each Region's concurrency")

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
        "functions: their replicas run in other Regions, which the reservation does not reach."
    )

    class Options(PatchOptions):
        parameter: str = "LambdaReservedConcurrency"
        condition: str = "HasReservedConcurrency"
        default: int = -1

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
        plain = [rid for rid in todo if view.type_of(rid) == "AWS::Lambda::Function"]
        serverless = [rid for rid in todo if rid not in plain]
        # Globals would also reserve capacity for the deploy-time helpers left out above.
        sam_global = view.is_sam and "Function" in view.section("Globals") \
            and not any(view.type_of(rid) == "AWS::Serverless::Function" for rid in helpers)
        if "AWS::LanguageExtensions" in str(view.data.get("Transform")):
            # The transform resolves Fn::If with parameter defaults, so the -1 sentinel leaks.
            yield Skip(("Resources", todo[0]), "AWS::LanguageExtensions evaluates the -1 sentinel; "
                       "set ReservedConcurrentExecutions by hand")
            return
        use_globals = bool(serverless) and sam_global
        suppressions = Suppressions(view.data)
        edited = plain + ([] if use_globals else serverless)
        if not use_globals and all(suppressions.resource_suppresses(
                ("Resources", rid, "Properties", "ReservedConcurrentExecutions"), self) for rid in edited):
            # Every function left suppresses the finding: the engine notes each, and a parameter
            # and condition nothing uses would be new cfn-lint findings (W2001, W8001).
            for rid in edited:
                yield SetKey(("Resources", rid, "Properties"), "ReservedConcurrentExecutions", opts.default)
            return
        declared = yield from view.need(parameter(opts.parameter, {
            "Type": "Number",
            "Default": opts.default,
            "MinValue": -1,
            "Description": "Reserved concurrency per function; -1 leaves it unset (0 would disable the function)",
        }))
        condition = yield from view.need(not_equals_condition(opts.condition, declared, -1))
        value = if_(condition, ref(declared), NO_VALUE)
        for rid in plain:
            yield SetKey(("Resources", rid, "Properties"), "ReservedConcurrentExecutions", value,
                         f"{rid}: reserved concurrency from {declared}")
        if use_globals:
            yield SetKey(("Globals", "Function"), "ReservedConcurrentExecutions", value,
                         f"Globals.Function: reserved concurrency from {declared}")
        else:
            for rid in serverless:
                yield SetKey(("Resources", rid, "Properties"), "ReservedConcurrentExecutions", value,
                             f"{rid}: reserved concurrency from {declared}")
        yield Advice(("Parameters", declared),
                     "size reserved concurrency as peak RPS x p99 duration x 1.2 and raise the account "
                     "quota (default 1,000 per Region) before setting it")
