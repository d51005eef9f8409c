"""LAM002: provisioned concurrency on a `live` alias, off by default, with API Gateway invoking the alias
and a version named after the code it publishes."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator

from autofix.edits import Advice, Need, Proposal, SetKey, Skip
from autofix.model import lambdas as lam
from autofix.model.serving import on_request_path
from autofix.model.parameters import not_equals_condition, parameter
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.semantics.versions import VERSION_LOCKED, hashed_function
from autofix.values import NO_VALUE, get_att, if_, ref, ref_target, referenced_names
from autofix.view import TemplateView

# API resources whose change a stage serves only after a new deployment, and how it gets one.
REDEPLOY = {
    "AWS::ApiGateway::Method": "APIGW003 renames the Deployment",
    "AWS::ApiGateway::Authorizer": "APIGW003 renames the Deployment",
    "AWS::ApiGateway::RestApi": "APIGW003 renames the Deployment when the Body changed",
    "AWS::ApiGatewayV2::Integration": "a stage with AutoDeploy, or a new AWS::ApiGatewayV2::Deployment",
    "AWS::ApiGatewayV2::Authorizer": "a stage with AutoDeploy, or a new AWS::ApiGatewayV2::Deployment",
}


class LambdaProvisionedConcurrency(Patch):
    id = "LAM002"
    name = "lambda-provisioned-concurrency"
    title = "Add provisioned concurrency on a function alias, tunable by a parameter"
    safety = UNSAFE
    resource_types = (lam.FUNCTION_TYPES + (lam.ALIAS, lam.VERSION, lam.PERMISSION) + tuple(lam.URI_PATHS)
                      + tuple(lam.BODY_PATHS))
    # They edit properties a version snapshots (Timeout, TracingConfig, LoggingConfig, Refs in
    # Environment): the version's hash must see their result, or the next run renames it.
    after = ("LAM001", "LAM005", "LAM007", "LAM009", "PARAM001")
    explanation = (
        "Gives each function a published AWS::Lambda::Version and an AWS::Lambda::Alias `live` whose\n"
        "ProvisionedConcurrencyConfig is !If [HasProvisionedConcurrency, ..., !Ref AWS::NoValue]; the\n"
        "parameter LambdaProvisionedConcurrency defaults to 0, which leaves it off (the API minimum is 1):\n"
        "until it is set, the alias serves the same code as the function at no extra cost.\n"
        "Callers: every API Gateway caller of the function (Method and HTTP API integration URIs, the\n"
        "integration URIs of a RestApi's inline Body or a SAM API's inline DefinitionBody) and its\n"
        "apigateway invoke permission move to the alias together (the moved permission is replaced; a\n"
        "REST stage serves the new URI only after a new deployment: run APIGW003 with it, which renames\n"
        "the Deployment, or redeploy in the same update); when one of them cannot move (an invoke role,\n"
        "an HTTP API Body, an OpenAPI definition cfn-fix cannot read or that includes a file), the\n"
        "function is skipped with a reason that names it. An invoke role is integration credentials (a\n"
        "Method's, or `credentials` in an inline OpenAPI integration) or, for SAM, an Api event with AWS_IAM\n"
        "authorization (the callers' credentials by default, or Auth.InvokeRole; NONE writes none).\n"
        "Queues, rules, topics, buckets, state machines, Firehose processors, function URLs, async\n"
        "destinations, target groups, Cognito triggers, secret rotations and AppSync data sources keep\n"
        "invoking the unqualified function (advice names them; they keep working and get no warm\n"
        "capacity). SAM functions get AutoPublishAlias + ProvisionedConcurrencyConfig; SAM then moves\n"
        "their events' permissions to the alias, so the OpenAPI URIs of their explicit API move too\n"
        "(${Fn.Alias}). A SAM function with EventInvokeConfig or FunctionUrlConfig (its own or Globals') is\n"
        "skipped: SAM would move them to the alias and CloudFormation replace them (Qualifier and\n"
        "TargetFunctionArn are create-only), losing the unqualified function's async settings or changing\n"
        "its URL. SAM publishes a new version itself when the code, Environment, MemorySize or SnapStart\n"
        "change (other settings need AutoPublishAliasAllProperties) and retains the old versions.\n"
        "Code changes: every property of a Version is create-only, so the Version is named after a hash of\n"
        "the function's code and version-locked configuration (as CDK's currentVersion: Code, Runtime,\n"
        "Handler, Environment, Layers, MemorySize, Timeout, Role, VpcConfig, ...): FnVersionA1B2C3D4. When\n"
        "the hash changes, LAM011 (lambda-version-refresh, a safe fix that `cfn-fix --check` and the\n"
        "bundled workflow run) renames the Version and every reference to it; CloudFormation publishes\n"
        "the new version, moves the alias, then deletes the old version in its clean-up step. A code\n"
        "location taken from a parameter is not seen: rename the Version when it changes. Cost:\n"
        "provisioned concurrency is billed per hour whether used or not, so custom-resource and macro\n"
        "handlers, Lambda@Edge, SnapStart functions and functions whose only callers here are unqualified\n"
        "(queues, rules, Config, the callers above) are skipped with a reason.\n"
        "With --target-rps, LambdaProvisionedConcurrency defaults to the plan's warm baseline and reaches\n"
        "only the functions an API, a function URL or a load balancer invokes; the others LAM002 still\n"
        "gives an alias (SAM queue and stream consumers, whose event source mappings SAM moves to the\n"
        "alias; an alias nothing here invokes) get LambdaOtherProvisionedConcurrency, 0 (off), which the\n"
        "template has only when it has both kinds: their concurrency follows the queue or\n"
        "stream (an SQS mapping runs at most 1,000 batches at once, a Kinesis one shards x\n"
        "ParallelizationFactor), not the API's request rate, so the plan's baseline would be billed idle."
    )

    class Options(PatchOptions):
        parameter: str = "LambdaProvisionedConcurrency"
        condition: str = "HasProvisionedConcurrency"
        alias_name: str = "live"
        default: int = 0  # 0 keeps it off
        # --target-rps: the plan's warm baseline, for the functions an API invokes (0: no plan)
        planned: int = 0
        other_parameter: str = "LambdaOtherProvisionedConcurrency"
        other_condition: str = "HasOtherProvisionedConcurrency"

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        opts = self.options
        if not re.fullmatch(r"(?!\d+$)[A-Za-z0-9_-]{1,128}", opts.alias_name):
            raise ValueError(f"alias name {opts.alias_name!r} must be 1-128 letters, digits, - or _, not all digits")
        if not view.has_any(lam.FUNCTION_TYPES):
            return  # every proposal serves a function
        functions = [rid for rid, _ in view.of_type(*lam.FUNCTION_TYPES)]
        main = _Group(view, opts.parameter, opts.condition, opts.default)
        groups = dict.fromkeys(functions, main)
        work: dict[str, list[Proposal]] = {}
        api: set[str] = set()
        split = False  # the request path and the others take provisioned concurrency from two parameters
        if opts.planned > 0:
            # The plan sizes the request path only: a consumer's concurrency follows its queue or stream.
            api = {rid for rid in functions if on_request_path(view, rid)}
            planned = _Group(view, opts.parameter, opts.condition, opts.planned)
            work = self._work(view, dict.fromkeys((rid for rid in functions if rid in api), planned))
            if any(_served(found) for found in work.values()) or \
                    any(lam.provisioned_skip_reason(view, rid) == lam.DONE for rid in api):
                # Request-path functions get the plan's baseline (or have provisioned concurrency, from an
                # earlier run); the others a parameter of their own, at the unplanned default (declared
                # only when one of them gets an alias).
                other = _Group(view, opts.other_parameter, opts.other_condition, opts.default,
                               " (no API invokes it here, so the plan does not size it)")
                split, main, groups = True, planned, {rid: planned if rid in api else other for rid in functions}
        work.update(self._work(view, {rid: g for rid, g in groups.items() if rid not in work}))
        served = [rid for rid in functions if _served(work[rid])]
        used = list(dict.fromkeys(groups[rid] for rid in served))
        proposals = [p for rid in groups for p in work[rid]]
        if not used:
            yield from proposals
            return
        used.sort(key=lambda g: g is not main)  # the request path's parameter first
        for group in used:
            who = "" if not split or used == [main] else "an API invokes" if group is main else "no API invokes here"
            declared = yield from view.need(group.wanted(who))
            tested_name = yield from view.need(group.tested)
            assert (declared, tested_name) == (group.chosen, group.condition), \
                "names chosen before and after declaring differ"
        yield from proposals
        keep = ("below each function's reserved concurrency (at the reservation Lambda throttles the unqualified "
                "function) and leave 100 unreserved in the account; it is billed per hour whether used or not")
        consumers = ("a consumer's concurrency follows its queue or stream (an SQS mapping runs at most 1,000 "
                     "batches at once, a Kinesis one shards x ParallelizationFactor), not the API's request rate: "
                     "size it from that")
        others = [rid for rid in served if rid not in api]
        chosen = used[0].chosen
        if opts.planned > 0 and not split:
            yield Advice(("Parameters", chosen),
                         f"no function given an alias here is invoked by an API, a function URL or a load balancer, "
                         f"so the capacity plan sizes none of them and {chosen} stays {opts.default}; {consumers}; "
                         f"keep it {keep}")
        elif len(used) == 2:
            yield Advice(("Parameters", chosen),
                         f"{chosen} applies to each function an API invokes here; {used[1].chosen} (default "
                         f"{opts.default}) to the others given an alias ({', '.join(others)}): {consumers}; keep "
                         f"both {keep}")
        elif split and used[0] is not main:
            yield Advice(("Parameters", chosen),
                         f"{chosen} (default {opts.default}) applies to the functions given an alias here that no API "
                         f"invokes ({', '.join(others)}); the capacity plan sizes only those an API invokes: "
                         f"{consumers}; keep it {keep}")
        else:
            yield Advice(("Parameters", chosen), f"{chosen} applies to every function given an alias here; keep it "
                         f"{keep}")

    def _work(self, view: TemplateView, groups: dict[str, _Group]) -> dict[str, list[Proposal]]:
        """Each function's proposals, with the provisioned concurrency of its group."""
        work: dict[str, list[Proposal]] = {}
        for rid, group in groups.items():
            work[rid] = found = []
            opaque = view.opaque(rid)
            if opaque:  # its code, callers and conditions cannot be read: no version hash, no alias
                found.append(Skip(("Resources", rid), opaque))
                continue
            reason = lam.provisioned_skip_reason(view, rid)
            if reason == lam.DONE:
                continue
            if reason:
                found.append(Skip(("Resources", rid), f"{rid}: {reason}"))
            elif view.type_of(rid) == lam.SAM_FUNCTION:
                found += self._serverless(view, rid, group.value, self._state(group))
            else:
                found += self._plain(view, rid, group.value, self._state(group))
        return work

    @staticmethod
    def _state(group: _Group) -> str:
        """How the message describes the provisioned concurrency the alias gets from `group`."""
        if group.default == 0:
            return f"provisioned concurrency off until {group.chosen} is set{group.why}"
        return f"provisioned concurrency {group.default} from {group.chosen}{group.why}"

    def _serverless(self, view: TemplateView, rid: str, value: dict, state: str) -> Iterator[Proposal]:
        props = ("Resources", rid, "Properties")
        if lam.effective_prop(view, rid, "AutoPublishAlias") is not None:
            # callers may already name the alias (`Fn.Alias`, `${Fn.Arn}:live`)
            yield SetKey(props, "ProvisionedConcurrencyConfig", value, f"{rid}: {state}")
            return
        reason = lam.sam_api_reason(view, rid)
        if reason:
            yield Skip(("Resources", rid), f"{rid}: {reason}")
            return
        plan = lam.plan_repoint(view, rid, f"{rid}.Alias", self.options.alias_name)
        if set(plan.apis) & {ref_target(api) for _, api in lam.sam_event_apis(view, rid)}:
            plan.grants += 1  # SAM moves the event's permission to the alias
        if not plan.complete:
            yield Skip(("Resources", rid), self._stuck(rid, plan, f"!Ref {rid}.Alias"))
            return
        message = f"{rid}: alias {self.options.alias_name}, {state}"
        yield SetKey(props, "AutoPublishAlias", self.options.alias_name, message)
        yield SetKey(props, "ProvisionedConcurrencyConfig", value, message)
        yield from plan.edits
        yield from self._redeploy_advice(view, rid, plan.edits, f"{rid}.Alias")
        for caller in plan.external + plan.others:
            yield Advice(("Resources", caller), f"{caller}: {_unqualified(view, caller, rid, 'the alias')}; "
                         f"point it (and its permission) at !Ref {rid}.Alias to use that capacity")

    def _plain(self, view: TemplateView, rid: str, value: dict, state: str) -> Iterator[Proposal]:
        opts = self.options
        existing = lam.aliases_of(view, rid)
        probe = lam.plan_repoint(view, rid, existing[0] if existing else "", opts.alias_name)
        if not probe.complete:
            yield Skip(("Resources", rid), self._stuck(rid, probe, "the alias"))
            return
        if existing:  # provisioned_skip_reason accepted exactly one alias on a published version
            alias = existing[0]
            yield SetKey(("Resources", alias, "Properties"), "ProvisionedConcurrencyConfig", value,
                         f"{alias}: {state}")
        else:
            alias = yield from self._version_and_alias(view, rid, value, state)
        edits = lam.plan_repoint(view, rid, alias, opts.alias_name).edits
        yield from edits
        yield from self._redeploy_advice(view, rid, edits, alias)
        for caller in probe.external + probe.others:
            yield Advice(("Resources", caller), f"{caller}: {_unqualified(view, caller, rid, alias)}")

    @staticmethod
    def _redeploy_advice(view: TemplateView, rid: str, edits: list, alias: str) -> Iterator[Advice]:
        for caller in sorted({e.path[1] for e in edits if view.type_of(e.path[1]) in REDEPLOY}):
            yield Advice(("Resources", caller), f"{caller}: a stage serves its last deployment, which keeps "
                         f"invoking {rid} unqualified while the permission moves to {alias}; deploy the API in "
                         f"the same update ({REDEPLOY[view.type_of(caller)]})")

    @staticmethod
    def _stuck(rid: str, plan: lam.Repoint, target: str) -> str:
        if plan.roles:
            return (f"{rid}: the integrations of {', '.join(plan.roles)} invoke it with an invoke role "
                    "(credentials), whose IAM policy, not the function's resource policy, authorises the call and "
                    "names the function ARN, so the alias would be denied (API Gateway answers 500): allow "
                    "lambda:InvokeFunction on "
                    f"{target} in that policy, then point the URIs and permissions at it by hand")
        stuck = ", ".join(plan.unknown or plan.external) or "its invoke permission"
        return (f"{rid}: its API Gateway callers cannot all move to an alias (cannot move {stuck}); an alias "
                f"they do not invoke would hold capacity nobody uses: point their URIs and permissions at "
                f"{target} by hand")

    def _version_and_alias(self, view: TemplateView, rid: str, value: dict,
                           state: str) -> Generator[Proposal, None, str]:
        """Yield a Version (unless one exists) and an Alias for function `rid`; return the alias id."""
        res = view.resources[rid]
        versions = lam.versions_of(view, rid)
        extra = {"Condition": res["Condition"]} if "Condition" in res else {}
        if len(versions) == 1:
            version = versions[0]
            if hashed_function(version) != rid:
                yield Advice(("Resources", version), f"{version}: publishes {rid}'s code once; rename it "
                             "whenever the code changes, or the alias keeps serving the old version")
        else:
            version = view.unique_id(lam.version_id(view, rid))
            body = {"Type": lam.VERSION, **extra, "Properties": {"FunctionName": ref(rid)}}
            yield SetKey(("Resources",), version, body,
                         f"{rid}: publish a version named after its code hash (renamed when the code changes)",
                         after=rid)
            props = view.props(res)
            fed = sorted(n for n in referenced_names(props.get("Code")) if n in view.parameters)
            if fed:
                yield Advice(("Resources", version), f"{version}: {rid}'s code comes from {', '.join(fed)}; a new "
                             "value changes the code but not this template, so no version is published for it: "
                             "rename the version when you deploy new code")
            yield from _parameter_fed_settings(view, rid, version, props)
        alias = view.unique_id(f"{rid}Alias")
        yield SetKey(("Resources",), alias, {"Type": lam.ALIAS, **extra, "Properties": {
            "FunctionName": ref(rid), "FunctionVersion": get_att(version, "Version"),
            "Name": self.options.alias_name, "ProvisionedConcurrencyConfig": value}},
            f"{rid}: alias {self.options.alias_name}, {state}", after=rid)
        return alias


def _served(proposals: list[Proposal]) -> bool:
    """A function's proposals give it provisioned concurrency (skips and advice alone do not)."""
    return any(isinstance(p, SetKey) for p in proposals)


class _Group:
    """Functions whose aliases take provisioned concurrency from one parameter (all of them, or under
    a plan the request path and the others): its names, chosen before it is known whether any edit
    uses them (declared only when one does), and the value their ProvisionedConcurrencyConfig gets."""

    def __init__(self, view: TemplateView, name: str, condition: str, default: int, why: str = "") -> None:
        self.name, self.default, self.why = name, default, why
        self.chosen = view.need_name(self.wanted())  # the description plays no part in the choice
        self.tested = not_equals_condition(condition, self.chosen, 0)
        self.condition = view.need_name(self.tested)
        self.value = if_(self.condition, {"ProvisionedConcurrentExecutions": ref(self.chosen)}, NO_VALUE)

    def wanted(self, who: str = "") -> Need:
        """The parameter, described for the functions `who` names ("": every function given an alias)."""
        each = f"the alias of each function {who}" if who else "each function's alias"
        return parameter(self.name, {
            "Type": "Number", "Default": self.default, "MinValue": 0,
            "Description": f"Provisioned concurrency on {each}; 0 disables it (the minimum is 1)"})


def _parameter_fed_settings(view: TemplateView, rid: str, version: str, props: dict) -> Iterator[Advice]:
    """Advice when a setting the version snapshots takes a parameter or an imported value: the
    version's name hashes the template's text, so a new value reaches $LATEST only, and the alias
    keeps serving the version published before (as CDK's currentVersion, aws/aws-cdk#25997)."""
    settings = [k for k in VERSION_LOCKED if k != "Code" and k in props]
    fed = {k: sorted(n for n in referenced_names(props[k]) if n in view.parameters) for k in settings}
    fed.update({k: [*fed[k], "an imported value"] for k in settings if "Fn::ImportValue" in str(props[k])})
    fed = {k: names for k, names in fed.items() if names}
    if not fed:
        return
    keys = ", ".join(fed)
    names = ", ".join(dict.fromkeys(n for found in fed.values() for n in found))
    verb = "takes" if len(fed) == 1 else "take"
    yield Advice(("Resources", version), f"{version}: {rid}'s {keys} {verb} {names}; a deploy that only changes "
                 "such a value changes the function but not this template, so no version is published and the "
                 f"alias keeps serving the old settings: rename {version} when you deploy a new value")


def _unqualified(view: TemplateView, caller: str, rid: str, alias: str) -> str:
    """What a caller the repair could not move still does: a permission allows, anything else invokes."""
    if view.type_of(caller) == lam.PERMISSION:
        who = lam.principal(view, caller)
        who = who if isinstance(who, str) else "its principal"
        return (f"still lets {who} invoke {rid} unqualified only, not {alias}, so "
                "those invocations get no provisioned concurrency")
    return f"still invokes {rid} unqualified, not {alias}, so it gets no provisioned concurrency"
