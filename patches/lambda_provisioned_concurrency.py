"""LAM002: provisioned concurrency on a `live` alias, off by default, with API Gateway invoking the alias."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass

from autofix.edits import Advice, Proposal, SetKey, Skip
from autofix.registry import UNSAFE, Patch
from autofix.values import NO_VALUE, get_att, if_, ref
from autofix.view import TemplateView

from . import _lambda as lam
from ._params import ensure_not_equals_condition, ensure_parameter


class LambdaProvisionedConcurrency(Patch):
    id = "LAM002"
    name = "lambda-provisioned-concurrency"
    title = "Add provisioned concurrency on a function alias, tunable by a parameter"
    safety = UNSAFE
    resource_types = lam.FUNCTION_TYPES + (lam.ALIAS, lam.VERSION, lam.PERMISSION) + tuple(lam.URI_PATHS)
    after = ("LAM001",)
    explanation = (
        "Gives each function a published AWS::Lambda::Version and an AWS::Lambda::Alias `live` whose\n"
        "ProvisionedConcurrencyConfig is !If [HasProvisionedConcurrency, ..., !Ref AWS::NoValue]; the\n"
        "parameter LambdaProvisionedConcurrency defaults to 0 (off, since the API minimum is 1). API Gateway\n"
        "methods and their invoke permissions are moved to the alias, or left alone with advice when they\n"
        "cannot all be moved. SAM functions get AutoPublishAlias + ProvisionedConcurrencyConfig. The Version\n"
        "is published once: rename it when the code changes. Provisioned concurrency is billed while idle,\n"
        "so custom-resource and macro handlers, Lambda@Edge, SnapStart functions and functions whose only\n"
        "callers here are unqualified (queues, rules, Config) are skipped with a reason."
    )

    @dataclass(frozen=True)
    class Options:
        parameter: str = "LambdaProvisionedConcurrency"
        condition: str = "HasProvisionedConcurrency"
        alias_name: str = "live"
        default: int = 0  # 0 keeps it off; --target-rps sets a warm baseline

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        opts = self.options
        if not re.fullmatch(r"(?!\d+$)[A-Za-z0-9_-]{1,128}", opts.alias_name):
            raise ValueError(f"alias name {opts.alias_name!r} must be 1-128 letters, digits, - or _, not all digits")
        value = if_(opts.condition, {"ProvisionedConcurrentExecutions": ref(opts.parameter)}, NO_VALUE)
        work: list[Proposal] = []
        for rid, _ in view.of_type(*lam.FUNCTION_TYPES):
            reason = lam.provisioned_skip_reason(view, rid)
            if reason == lam.DONE:
                continue
            if reason:
                work.append(Skip(("Resources", rid), f"{rid}: {reason}"))
            elif view.type_of(rid) == lam.SAM_FUNCTION:
                work += self._serverless(view, rid, value)
            else:
                work += self._plain(view, rid, value)
        if not any(isinstance(p, SetKey) for p in work):
            yield from work
            return
        yield from ensure_parameter(view, opts.parameter, {
            "Type": "Number", "Default": opts.default, "MinValue": 0,
            "Description": "Provisioned concurrency on each function's alias; 0 disables it (the minimum is 1)",
        })
        yield from ensure_not_equals_condition(view, opts.condition, opts.parameter, 0)
        yield from work
        yield Advice(("Parameters", opts.parameter),
                     f"{opts.parameter} applies to every function given an alias here; keep it at or below each "
                     "function's reserved concurrency and leave 100 unreserved in the account; it is billed "
                     "per hour whether used or not")

    def _serverless(self, view: TemplateView, rid: str, value: dict) -> Iterator[Proposal]:
        props = ("Resources", rid, "Properties")
        published = lam.effective_prop(view, rid, "AutoPublishAlias") is not None
        if not published:
            yield SetKey(props, "AutoPublishAlias", self.options.alias_name, f"{rid}: publish an alias")
        yield SetKey(props, "ProvisionedConcurrencyConfig", value,
                     f"{rid}: provisioned concurrency from {self.options.parameter}")
        if published:
            return  # callers may already name the alias (`Fn.Alias`, `${Fn.Arn}:live`)
        for caller in lam.referrers_of(view, rid):
            if lam.invokes(view, caller):
                yield Advice(("Resources", caller), f"{caller}: invokes {rid} unqualified, so it gets no "
                             f"provisioned concurrency; point it (and its permission) at !Ref {rid}.Alias")

    def _plain(self, view: TemplateView, rid: str, value: dict) -> Iterator[Proposal]:
        opts = self.options
        existing = lam.aliases_of(view, rid)
        if existing:  # provisioned_skip_reason accepted exactly one alias on a published version
            alias = existing[0]
            yield SetKey(("Resources", alias, "Properties"), "ProvisionedConcurrencyConfig", value,
                         f"{alias}: provisioned concurrency from {opts.parameter}")
        else:
            alias = yield from self._version_and_alias(view, rid, value)
        plan = lam.plan_repoint(view, rid, alias, opts.alias_name)
        if plan.complete:
            yield from plan.edits
        else:
            stuck = ", ".join(plan.unknown or plan.external) or "the invoke permission"
            yield Advice(("Resources", rid), f"{rid}: API Gateway callers were left on the unqualified "
                         f"function (cannot move {stuck}); point their URI and permission at !Ref {alias} "
                         "to use warm capacity")
        for caller in plan.external + plan.others:
            yield Advice(("Resources", caller),
                         f"{caller}: still invokes {rid} unqualified (no provisioned concurrency)")

    def _version_and_alias(self, view: TemplateView, rid: str, value: dict) -> Generator[Proposal, None, str]:
        """Yield a Version (unless one exists) and an Alias for function `rid`; return the alias id."""
        res = view.resources[rid]
        versions = lam.versions_of(view, rid)
        extra = {"Condition": res["Condition"]} if "Condition" in res else {}
        if len(versions) == 1:
            version = versions[0]
        else:
            version = view.unique_id(f"{rid}Version")
            body = {"Type": lam.VERSION, **extra, "Properties": {"FunctionName": ref(rid)}}
            yield SetKey(("Resources",), version, body, f"{rid}: publish a version for the alias", after=rid)
            yield Advice(("Resources", version), f"{version}: publishes {rid}'s code once; rename it (or change "
                         "its Description) whenever the code changes, or the alias keeps serving the old version")
        alias = view.unique_id(f"{rid}Alias")
        yield SetKey(("Resources",), alias, {"Type": lam.ALIAS, **extra, "Properties": {
            "FunctionName": ref(rid), "FunctionVersion": get_att(version, "Version"),
            "Name": self.options.alias_name, "ProvisionedConcurrencyConfig": value}},
            f"{rid}: alias {self.options.alias_name} with provisioned concurrency", after=rid)
        return alias
