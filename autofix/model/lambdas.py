"""Shared by the Lambda patches: function types, who calls a function, and how it is addressed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from autofix.edits import ReplaceValue
from autofix.semantics.versions import hashed_version_id
from autofix.values import (
    first_free,
    get_att,
    getatt_target,
    is_intrinsic,
    ref,
    ref_target,
    referenced_names,
    sub,
    sub_names,
)
from autofix.view import TemplateView

from .apis import sam_api_auth

FUNCTION = "AWS::Lambda::Function"
SAM_FUNCTION = "AWS::Serverless::Function"
FUNCTION_TYPES = (FUNCTION, SAM_FUNCTION)
ALIAS = "AWS::Lambda::Alias"
VERSION = "AWS::Lambda::Version"
PERMISSION = "AWS::Lambda::Permission"
APIGW_PRINCIPAL = "apigateway.amazonaws.com"

# Where each API Gateway type keeps the Lambda URI it invokes.
URI_PATHS = {
    "AWS::ApiGateway::Method": ("Properties", "Integration", "Uri"),
    "AWS::ApiGateway::Authorizer": ("Properties", "AuthorizerUri"),
    "AWS::ApiGatewayV2::Integration": ("Properties", "IntegrationUri"),
    "AWS::ApiGatewayV2::Authorizer": ("Properties", "AuthorizerUri"),
}
# Where an API keeps its inline OpenAPI definition, whose integration URIs invoke functions.
# SAM redeploys when the definition changes (its Deployment id hashes it, HTTP API stages
# auto-deploy). A plain RestApi's stage keeps serving its Deployment's snapshot, exactly as it
# does for a moved Method: the Body moves with the permission, and the caller gets the same
# advice to deploy in the same update, which APIGW003 does by renaming the Deployment (it
# redeploys when a RestApi Body changed). Skipping instead would leave such APIs without warm
# capacity in the common --unsafe-fixes run, while a Method beside them moves. A plain HTTP
# API Body (AWS::ApiGatewayV2::Api) is not moved: nothing here redeploys it.
BODY_PATHS = {
    "AWS::Serverless::Api": ("Properties", "DefinitionBody"),
    "AWS::Serverless::HttpApi": ("Properties", "DefinitionBody"),
    "AWS::ApiGateway::RestApi": ("Properties", "Body"),
}
BODY_URI_KEYS = ("uri", "authorizerUri")
# Beside a uri (x-amazon-apigateway-integration) or an authorizerUri (x-amazon-apigateway-authorizer).
BODY_CREDENTIAL_KEYS = ("credentials", "authorizerCredentials")
# An invoke role there means IAM, not the function policy, authorises the call.
CREDENTIAL_PATHS = (("Integration", "Credentials"), ("CredentialsArn",), ("AuthorizerCredentials",),
                    ("AuthorizerCredentialsArn",))
API_TYPE_PREFIXES = ("AWS::ApiGateway::", "AWS::ApiGatewayV2::", "AWS::Serverless::Api", "AWS::Serverless::HttpApi")
# Resources that call a function at deploy time (custom resources, macros), not per request.
DEPLOY_TIME_TYPES = ("AWS::CloudFormation::CustomResource", "AWS::CloudFormation::Macro")
# Non-API invokers: async, stream or scheduled callers of a function.
OTHER_INVOKER_TYPES = ("AWS::Lambda::EventSourceMapping", "AWS::Events::Rule", "AWS::SNS::Subscription",
                       "AWS::SNS::Topic", "AWS::S3::Bucket", "AWS::StepFunctions::StateMachine",
                       "AWS::Scheduler::Schedule", "AWS::Logs::SubscriptionFilter", "AWS::IoT::TopicRule",
                       "AWS::Config::ConfigRule", "AWS::Pipes::Pipe",
                       # each invokes the function ARN it names (an unqualified ARN: the function itself)
                       "AWS::Serverless::StateMachine", "AWS::KinesisFirehose::DeliveryStream",
                       "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::Cognito::UserPool",
                       "AWS::SecretsManager::RotationSchedule", "AWS::AppSync::DataSource")
# Invokers only by part of what they name: an EventInvokeConfig (or a SAM function's
# EventInvokeConfig property) invokes the functions of its DestinationConfig, not the one it
# configures; a function URL invokes its target unqualified only without a Qualifier.
EVENT_INVOKE_CONFIG = "AWS::Lambda::EventInvokeConfig"
FUNCTION_URL = "AWS::Lambda::Url"


def literal_int(value: Any) -> int | None:
    """An integer written as a literal (or a numeric string), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    return None


def effective_prop(view: TemplateView, rid: str, name: str) -> Any:
    """A function property, falling back to SAM Globals.Function for serverless functions."""
    res = view.resources.get(rid, {})
    props = view.props(res)
    if name in props:
        return props[name]
    if view.type_of(rid) == SAM_FUNCTION and view.is_sam:
        return view.globals("Function").get(name)
    return None


def named_function(view: TemplateView, value: Any) -> str | None:
    """The function a FunctionName-style value points at (directly or through its alias/version)."""
    target = ref_target(value)
    if target is None:
        att = getatt_target(value)
        target = att[0] if att and att[1] == "Arn" else None
    if target is None:
        return None
    kind = view.type_of(target)
    if kind in FUNCTION_TYPES:
        return target
    if kind in (ALIAS, VERSION):
        return named_function(view, view.props(view.resources[target]).get("FunctionName"))
    return None


def _by_function(view: TemplateView, kind: str) -> dict[str | None, list[str]]:
    """Resources of `kind` (aliases or versions) by the function they name, in file order."""
    found: dict[str | None, list[str]] = {}
    for rid, res in view.of_type(kind):
        found.setdefault(named_function(view, view.props(res).get("FunctionName")), []).append(rid)
    return found


def _aliases(view: TemplateView) -> dict[str | None, list[str]]:
    return _by_function(view, ALIAS)


def _versions(view: TemplateView) -> dict[str | None, list[str]]:
    return _by_function(view, VERSION)


def aliases_of(view: TemplateView, fn: str) -> list[str]:
    return list(view.memo(_aliases).get(fn, ()))


def versions_of(view: TemplateView, fn: str) -> list[str]:
    return list(view.memo(_versions).get(fn, ()))


def function_and_wrappers(view: TemplateView, fn: str) -> set[str]:
    """The function's id plus its aliases and versions: everything a caller may name."""
    return {fn, *aliases_of(view, fn), *versions_of(view, fn)}


def referrers_of(view: TemplateView, fn: str) -> list[str]:
    """Resources that refer to the function, its aliases or versions (not those themselves)."""
    names = function_and_wrappers(view, fn)
    found: list[str] = []
    for name in sorted(names):
        found += [r for r in view.referrers(name) if r not in names and r not in found]
    return found


def is_api_type(kind: str | None) -> bool:
    return kind is not None and kind.startswith(API_TYPE_PREFIXES)


def is_deploy_time_caller(kind: str | None) -> bool:
    return kind is not None and (kind in DEPLOY_TIME_TYPES or kind.startswith("Custom::"))


def principal(view: TemplateView, rid: str) -> Any:
    return view.props(view.resources[rid]).get("Principal")


def rest_methods_calling(view: TemplateView, fn: str) -> list[str]:
    """REST API methods whose integration URI names the function (or its alias/version), in file order."""
    return _naming(view, "AWS::ApiGateway::Method", URI_PATHS["AWS::ApiGateway::Method"],
                   function_and_wrappers(view, fn))


def sam_events(view: TemplateView, rid: str) -> dict:
    events = view.props(view.resources[rid]).get("Events")
    return {k: v for k, v in events.items() if isinstance(v, dict)} if isinstance(events, dict) else {}


# ------------------------------------------------------------ re-pointing a caller at an alias

def retarget_uri(uri: Any, fn: str, alias: str, alias_name: str) -> tuple[tuple, Any] | None:
    """(sub-path inside the URI, new value) that makes the URI invoke `alias`, or None.

    Recognised: a `Fn::Sub` string with `${Fn.Arn}` or `:function:${Fn}`, a `Fn::Sub` list
    whose variable is `!GetAtt Fn.Arn`, a `Fn::Join` with `!GetAtt Fn.Arn` before
    `/invocations`, and a bare `!GetAtt Fn.Arn` (HTTP API integrations).
    """
    att = getatt_target(uri)
    if att == (fn, "Arn"):
        return (), ref(alias)
    if not isinstance(uri, dict) or len(uri) != 1:
        return None
    if "Fn::Sub" in uri:
        return _retarget_sub(uri["Fn::Sub"], fn, alias, alias_name)
    if "Fn::Join" in uri:
        return _retarget_join(uri["Fn::Join"], fn, alias)
    return None


def _var(name: str) -> str:
    """`${name}` as written in a Fn::Sub string."""
    return "${" + name + "}"


def _retarget_sub(arg: Any, fn: str, alias: str, alias_name: str) -> tuple[tuple, Any] | None:
    if isinstance(arg, str):
        arn, name = _var(f"{fn}.Arn") + "/invocations", f":function:{_var(fn)}/invocations"
        if [n for n in sub_names(arg) if n == fn] != [fn]:
            return None
        if arg.count(arn) == 1:
            if "." not in alias:
                return (), {"Fn::Sub": arg.replace(arn, _var(alias) + "/invocations")}
            # SAM's `Fn.Alias`: cfn-lint 1.54+ checks SAM templates untranslated and refuses
            # `${Fn.Alias}` inside a Sub string (E1019), though SAM resolves it; a variable bound
            # to `!Ref Fn.Alias` is the form both accept.
            var = first_free(alias.replace(".", ""), set(sub_names(arg)))
            return (), {"Fn::Sub": [arg.replace(arn, _var(var) + "/invocations"), {var: ref(alias)}]}
        if arg.count(name) == 1 and re.fullmatch(r"[A-Za-z0-9_-]+", alias_name):
            return (), {"Fn::Sub": arg.replace(name, f":function:{_var(fn)}:{alias_name}/invocations")}
        return None
    if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict)):
        return None
    text, variables = arg
    hits = [k for k, v in variables.items() if fn in set(referenced_names(v))]
    if len(hits) != 1 or fn in sub_names(text):
        return None
    var = hits[0]
    if getatt_target(variables[var]) != (fn, "Arn") or text.count(_var(var) + "/invocations") != 1:
        return None
    return ("Fn::Sub", 1, var), ref(alias)


def _retarget_join(arg: Any, fn: str, alias: str) -> tuple[tuple, Any] | None:
    if not (isinstance(arg, list) and len(arg) == 2 and arg[0] == "" and isinstance(arg[1], list)):
        return None
    parts = arg[1]
    hits = [i for i, part in enumerate(parts) if fn in set(referenced_names(part))]
    if len(hits) != 1:
        return None
    i = hits[0]
    following = parts[i + 1] if i + 1 < len(parts) else None
    if getatt_target(parts[i]) != (fn, "Arn"):
        return None
    if not (isinstance(following, str) and following.startswith("/invocations")):
        return None
    return ("Fn::Join", 1, i), ref(alias)


class Repoint:
    """How the API Gateway callers of one function move to its alias: edits, or why not."""

    def __init__(self) -> None:
        self.edits: list[ReplaceValue] = []
        self.callers = 0  # API Gateway URIs that (will) invoke the alias
        self.grants = 0  # apigateway permissions that (will) name the alias
        self.unknown: list[str] = []  # API callers this module cannot rewrite
        self.external: list[str] = []  # apigateway permissions for APIs outside the template
        self.others: list[str] = []  # non-API invokers that keep calling the unqualified function
        self.apis: list[str] = []  # APIs whose OpenAPI body (will) invoke the alias
        self.roles: list[str] = []  # unknown callers that invoke with credentials (an invoke role)

    @property
    def complete(self) -> bool:
        """Callers and their permission move together: a half move breaks every invoke."""
        return not self.unknown and bool(self.callers) == bool(self.grants)


def plan_repoint(view: TemplateView, fn: str, alias: str, alias_name: str) -> Repoint:
    """Edits that make API Gateway invoke `alias` instead of the unqualified function `fn`."""
    plan = Repoint()
    for rid in referrers_of(view, fn):
        kind = view.type_of(rid)
        if kind in URI_PATHS:
            _plan_uri(view, plan, rid, fn, alias, alias_name)
        elif kind in BODY_PATHS:
            _plan_body(view, plan, rid, fn, alias, alias_name)
        elif kind == PERMISSION and principal(view, rid) == APIGW_PRINCIPAL:
            _plan_permission(view, plan, rid, fn, alias)
        elif is_api_type(kind):
            plan.unknown.append(rid)
        elif kind == PERMISSION or invokes_unqualified(view, rid, fn):
            plan.others.append(rid)
    return plan


def _split(view: TemplateView, rid: str, paths: dict[str, tuple]) -> tuple[tuple, Any, dict]:
    """(path, value) of the part of resource `rid` that `paths` names for its type, and the
    resource without that part."""
    res = view.resources[rid]
    path = ("Resources", rid) + paths[res["Type"]]
    rest = {k: v for k, v in res.items() if k != "Properties"}
    rest["Properties"] = _without(view.props(res), paths[res["Type"]][1:])
    return path, view.get(path), rest


def _stuck_caller(view: TemplateView, fn: str, rid: str) -> bool:
    """API caller `rid` names the function outside the URI (or OpenAPI body) that would move, or
    moving it would close a dependency cycle: asked of each caller by every plan (view.memo)."""
    _, part, rest = _split(view, rid, URI_PATHS if view.type_of(rid) in URI_PATHS else BODY_PATHS)
    if view.type_of(rid) in BODY_PATHS and (not isinstance(part, dict) or _includes(part)):
        return True  # an included part (AWS::Include) may invoke the function too, unseen
    return bool(function_and_wrappers(view, fn) & set(referenced_names(rest))) or _would_loop(view, fn, rid)


def _plan_uri(view: TemplateView, plan: Repoint, rid: str, fn: str, alias: str, alias_name: str) -> None:
    path, uri, _ = _split(view, rid, URI_PATHS)
    if view.memo(_stuck_caller, fn, rid):
        plan.unknown.append(rid)  # the function is named elsewhere too, or moving would loop
        return
    plan.callers += 1
    if alias in set(referenced_names(uri)):
        return  # already invokes the alias
    if any(view.get(("Resources", rid, "Properties") + p) is not None for p in CREDENTIAL_PATHS):
        plan.unknown.append(rid)  # an invoke role's policy names the function ARN, not the alias
        plan.roles.append(rid)
        return
    found = retarget_uri(uri, fn, alias, alias_name)
    if found is None:
        plan.unknown.append(rid)
        return
    sub_path, value = found
    plan.edits.append(ReplaceValue(path + sub_path, value, f"{rid}: invoke {alias} (provisioned concurrency)"))


def _would_loop(view: TemplateView, fn: str, caller: str) -> bool:
    """The function depends on the caller, so a caller naming its alias would close a cycle.

    A SAM function's Events are not such a dependency: SAM turns them into permissions and
    event sources that depend on the function, not the other way round.
    """
    res = view.resources[fn]
    if view.type_of(fn) != SAM_FUNCTION:
        return view.depends_transitively(fn, caller)
    own = dict(res, Properties=_without(view.props(res), ("Events",)))
    deps = set(referenced_names(own)) | set(view.depends_on(res))
    return caller in deps or any(d in view.resources and view.depends_transitively(d, caller) for d in deps)


def _plan_body(view: TemplateView, plan: Repoint, rid: str, fn: str, alias: str, alias_name: str) -> None:
    """Integration URIs of an API's inline OpenAPI definition (SAM DefinitionBody, RestApi Body)."""
    path, body, _ = _split(view, rid, BODY_PATHS)
    names = function_and_wrappers(view, fn)
    if view.memo(_stuck_caller, fn, rid):  # an included part would lose its permission, unseen
        plan.unknown.append(rid)
        return
    found = list(_body_uris(body, (), names))
    if any(key not in BODY_URI_KEYS for key, _, _ in found):
        plan.unknown.append(rid)  # the function is named elsewhere in the body
        return
    if any(_body_credentials(body, sub_path) for _, sub_path, _ in found):
        plan.unknown.append(rid)  # as a Method's Integration.Credentials: IAM checks the function ARN
        plan.roles.append(rid)
        return
    edits = []
    for _, sub_path, uri in found:
        if alias in set(referenced_names(uri)):
            continue
        moved = retarget_uri(uri, fn, alias, alias_name)
        if moved is None:
            plan.unknown.append(rid)
            return
        edits.append(ReplaceValue(path + sub_path + moved[0], moved[1],
                                  f"{rid}: its OpenAPI integration invokes {alias} (provisioned concurrency)"))
    plan.callers += len(found)
    plan.apis.append(rid)
    plan.edits += edits


def _body_credentials(body: Any, sub_path: tuple) -> bool:
    """The OpenAPI integration (or authorizer) holding the URI at `sub_path` invokes with credentials."""
    parent = body
    for key in sub_path[:-1]:
        parent = parent[key] if isinstance(parent, (dict, list)) else None
    return isinstance(parent, dict) and any(parent.get(k) is not None for k in BODY_CREDENTIAL_KEYS)


def _body_uris(value: Any, path: tuple, names: set[str]) -> Iterator[tuple[Any, tuple, Any]]:
    """(key, path, value) of each intrinsic in an OpenAPI body that names one of `names`."""
    items = enumerate(value) if isinstance(value, list) else value.items() if isinstance(value, dict) else ()
    for key, item in items:
        if is_intrinsic(item):
            if names & set(referenced_names(item)):
                yield key, path + (key,), item
        elif isinstance(item, (dict, list)):
            yield from _body_uris(item, path + (key,), names)


def _plan_permission(view: TemplateView, plan: Repoint, rid: str, fn: str, alias: str) -> None:
    props = view.props(view.resources[rid])
    name = props.get("FunctionName")
    if ref_target(name) == alias:
        plan.grants += 1
        return
    if ref_target(name) != fn and getatt_target(name) != (fn, "Arn"):
        plan.unknown.append(rid)
        return
    source = props.get("SourceArn")
    if source is not None and not any(is_api_type(view.type_of(n)) for n in referenced_names(source)):
        plan.external.append(rid)  # serves an API outside this template: leave it working
        return
    plan.grants += 1
    plan.edits.append(ReplaceValue(("Resources", rid, "Properties", "FunctionName"), ref(alias),
                                   f"{rid}: grant API Gateway the alias {alias}"))


def _without(props: dict, path: tuple) -> dict:
    """A shallow copy of `props` with the value at `path` removed."""
    if not path or not isinstance(props, dict):
        return props
    head, tail = path[0], path[1:]
    if head not in props:
        return props
    copy = dict(props)
    if tail:
        copy[head] = _without(props[head], tail)
    else:
        del copy[head]
    return copy


# ------------------------------------------------------------ provisioned concurrency

DONE = "done"  # provisioned_skip_reason: already has provisioned concurrency
API_EVENT_TYPES = ("Api", "HttpApi")


def version_id(view: TemplateView, rid: str) -> str:
    """The logical id of the version cfn-fix publishes for function `rid`: `<rid>Version<code hash>`."""
    return hashed_version_id(rid, view.props(view.resources[rid]))


def provisioned_skip_reason(view: TemplateView, rid: str) -> str | None:
    """DONE, a reason not to add provisioned concurrency to function `rid`, or None."""
    sam = view.type_of(rid) == SAM_FUNCTION
    if sam and effective_prop(view, rid, "ProvisionedConcurrencyConfig") is not None:
        return DONE
    wrappers = aliases_of(view, rid) + versions_of(view, rid)
    if any("ProvisionedConcurrencyConfig" in view.props(view.resources[w]) for w in wrappers):
        return DONE
    snap = effective_prop(view, rid, "SnapStart")
    if snap is not None and not (isinstance(snap, dict) and snap.get("ApplyOn") == "None"):
        return "SnapStart cannot be combined with provisioned concurrency"
    for name in ("CapacityProviderConfig", "TenancyConfig"):
        if effective_prop(view, rid, name) is not None:
            return f"{name} cannot be combined with provisioned concurrency"
    if is_edge_function(view, rid):
        return "Lambda@Edge functions cannot use provisioned concurrency"
    deploy_time = [r for r in view.referrers(rid) if is_deploy_time_caller(view.type_of(r))]
    if deploy_time:
        return (f"called at deploy time by {', '.join(deploy_time)}; provisioned concurrency would bill "
                "for idle capacity")
    named_in = _globals_naming(view, rid)
    if named_in:
        return (f"Globals.{named_in} names it (an API authorizer or a setting SAM applies as written), which "
                "keeps invoking the unqualified function; an alias with provisioned concurrency would bill for "
                f"capacity it never uses: point it at {rid}.Alias by hand first")
    if sam:
        return _sam_alias_follower_reason(view, rid) or _sam_unused_reason(view, rid)
    return _alias_reason(view, rid) or _unused_reason(view, rid)


def _globals_naming(view: TemplateView, rid: str) -> str | None:
    """The SAM Globals section (Api, HttpApi, Function...) that refers to function `rid` or its
    alias or version, e.g. an authorizer's FunctionArn in Globals.Api.Auth; None if none does.
    Globals is no resource, so no referrer index sees it."""
    names = function_and_wrappers(view, rid)
    return next((kind for kind, named in view.memo(_globals_names) if names & named), None)


def _globals_names(view: TemplateView) -> tuple[tuple[str, frozenset[str]], ...]:
    """(section, names it refers to) of each SAM Globals section, read once per view."""
    return tuple((str(kind), frozenset(referenced_names(value))) for kind, value in view.section("Globals").items())


def is_edge_function(view: TemplateView, rid: str) -> bool:
    """CloudFront runs it (Lambda@Edge), or its role trusts edgelambda.amazonaws.com."""
    distributed, edge_roles = view.memo(_edge_facts)
    names = function_and_wrappers(view, rid) | {f"{rid}.Version", f"{rid}.Alias"}
    if not names.isdisjoint(distributed):
        return True
    return template_role(view, view.props(view.resources[rid]).get("Role")) in edge_roles


def _edge_facts(view: TemplateView) -> tuple[frozenset[str], frozenset[str]]:
    """(every name a CloudFront distribution refers to, the roles that trust edgelambda), once
    per view: asked per function by four patches, the trust policy's text made it ~4% of a run."""
    distributed: set[str] = set()
    edge_roles = set()
    for rid, res in view.resources.items():
        kind = view.type_of(rid)
        if kind == "AWS::CloudFront::Distribution":
            distributed |= view.references(rid)
        elif kind == "AWS::IAM::Role" and "edgelambda.amazonaws.com" in str(
                view.props(res).get("AssumeRolePolicyDocument")):
            edge_roles.add(rid)
    return frozenset(distributed), frozenset(edge_roles)


def _alias_reason(view: TemplateView, rid: str) -> str | None:
    aliases = aliases_of(view, rid)
    if len(aliases) > 1:
        return f"has aliases {', '.join(aliases)}; add ProvisionedConcurrencyConfig to the one API Gateway invokes"
    if not aliases:
        return None
    target = view.props(view.resources[aliases[0]]).get("FunctionVersion")
    att = getatt_target(target)
    published = (att is not None and view.type_of(att[0]) == VERSION) or literal_int(target) is not None
    if not published:
        return (f"alias {aliases[0]} does not point at a published AWS::Lambda::Version; provisioned "
                "concurrency needs one ($LATEST fails at deploy)")
    return None


def _unused_reason(view: TemplateView, rid: str) -> str | None:
    """Every invoker in the template calls the function unqualified and would never use the alias,
    or nothing in the template invokes it at all."""
    aliases = aliases_of(view, rid)
    probe = plan_repoint(view, rid, aliases[0] if aliases else "", "")
    if probe.callers or probe.grants or probe.unknown or probe.external:
        return None
    if not probe.others:
        return None if aliases else _uninvoked_reason(view, rid)
    return (f"its only invokers here ({', '.join(probe.others)}) call the unqualified function; an alias "
            "with provisioned concurrency would bill for capacity they never use")


def _exported_names(view: TemplateView) -> frozenset[str]:
    """Every name the Outputs refer to, read once per view."""
    return frozenset(referenced_names(view.outputs))


def _uninvoked_reason(view: TemplateView, rid: str) -> str | None:
    """Nothing in the template invokes function `rid` (no event, caller or permission) and no output
    exports it: whoever calls it from outside names the function, so an alias would sit idle."""
    names = function_and_wrappers(view, rid)
    if names & view.memo(_exported_names) or any(invokes(view, r, rid) for r in referrers_of(view, rid)):
        return None
    return ("nothing in this template invokes it (no event, API, permission or event source) and no output "
            "exports it; callers outside the template invoke the unqualified function unless pointed at an "
            "alias, so provisioned concurrency on one would bill for idle capacity; add the alias and "
            "ProvisionedConcurrencyConfig by hand if they are")


def _sam_alias_follower_reason(view: TemplateView, rid: str) -> str | None:
    """What SAM would move to the alias with AutoPublishAlias, replacing it for callers of the function."""
    if effective_prop(view, rid, "AutoPublishAlias") is not None:
        return None  # SAM already points them at the alias
    where = {name: "" if name in view.props(view.resources[rid]) else " (from Globals.Function)"
             for name in ("EventInvokeConfig", "FunctionUrlConfig")}
    if effective_prop(view, rid, "EventInvokeConfig") is not None:
        return (f"its EventInvokeConfig{where['EventInvokeConfig']} would follow AutoPublishAlias: SAM sets the "
                "generated AWS::Lambda::EventInvokeConfig's Qualifier from $LATEST to the alias, a create-only "
                "property (CloudFormation replaces it), and asynchronous invocations of the unqualified function, "
                "as callers and this template's outputs name it, would lose its retries and destinations; point "
                f"the asynchronous callers at !Ref {rid}.Alias, then add AutoPublishAlias and "
                "ProvisionedConcurrencyConfig by hand")
    if effective_prop(view, rid, "FunctionUrlConfig") is not None:
        return (f"its FunctionUrlConfig{where['FunctionUrlConfig']} would follow AutoPublishAlias: SAM retargets the "
                "generated AWS::Lambda::Url at the alias (TargetFunctionArn and Qualifier are create-only), so "
                "CloudFormation replaces it and its https URL changes for every client; add AutoPublishAlias and "
                "ProvisionedConcurrencyConfig by hand when the clients can move to the new URL")
    return None


def _sam_unused_reason(view: TemplateView, rid: str) -> str | None:
    """A SAM function without events whose template callers all name it unqualified."""
    if sam_events(view, rid) or effective_prop(view, rid, "AutoPublishAlias") is not None:
        return None  # SAM points its event sources at the alias; callers may name `Fn.Alias`
    callers = [r for r in referrers_of(view, rid) if invokes(view, r, rid)]
    if not callers:
        return _uninvoked_reason(view, rid)
    return (f"its only invokers here ({', '.join(callers)}) call the unqualified function; point them at "
            f"!Ref {rid}.Alias, then add AutoPublishAlias and ProvisionedConcurrencyConfig")


def sam_event_apis(view: TemplateView, rid: str) -> list[tuple[str, Any]]:
    """(event name, RestApiId/ApiId value) of a SAM function's Api and HttpApi events (None: implicit API)."""
    found = []
    for name, event in sam_events(view, rid).items():
        if event.get("Type") in API_EVENT_TYPES:
            props = event.get("Properties")
            props = props if isinstance(props, dict) else {}
            found.append((name, props.get("RestApiId", props.get("ApiId"))))
    return found


def sam_api_reason(view: TemplateView, rid: str) -> str | None:
    """Why SAM, once the function has an alias, would grant the alias to an API that may invoke it unqualified.

    SAM moves an Api/HttpApi event's invoke permission to the alias; an explicit API's own
    OpenAPI definition keeps whatever URI it names. cfn-fix rewrites inline definitions
    (plan_repoint); one it cannot read would answer 500.
    """
    role = sam_invoke_role_reason(view, rid)
    if role:
        return role
    for name, api in sam_event_apis(view, rid):
        if api is None:
            continue  # the implicit API: SAM writes its definition, with the alias
        target = ref_target(api)
        res = view.resources.get(target) if target else None
        if not isinstance(res, dict):
            return (f"its event {name} is served by an API outside this template; SAM would move the event's "
                    "invoke permission to the alias while that API may invoke the function unqualified")
        props = view.props(res)
        body = props.get("DefinitionBody")
        how = None
        if "DefinitionUri" in props:
            how = "DefinitionUri"
        elif body is not None and (not isinstance(body, dict) or _includes(body)):
            how = "an included DefinitionBody"
        elif isinstance(body, dict) and any(_literal_lambda_uri(u) for _, _, u in _body_strings(body)):
            how = "a literal Lambda URI"
        if how:
            return (f"its event {name} is served by {target}, whose OpenAPI definition ({how}) cfn-fix cannot "
                    f"rewrite; SAM would move the event's invoke permission to the alias while that definition may "
                    f"invoke {rid} unqualified (API Gateway then answers 500): point its URIs at "
                    f"${{{rid}.Alias}}, then add AutoPublishAlias")
    return None


CALLER_CREDENTIALS = "CALLER_CREDENTIALS"


def sam_invoke_role_reason(view: TemplateView, rid: str) -> str | None:
    """An Api event SAM integrates with credentials: IAM, not the permission SAM moves, authorises the invoke."""
    for name, event in sam_events(view, rid).items():
        props = event.get("Properties")
        if event.get("Type") != "Api" or not isinstance(props, dict):
            continue
        role = sam_integration_credentials(view, props)
        if role is None:
            continue
        who = ("the callers' own credentials (InvokeRole CALLER_CREDENTIALS, SAM's default for AWS_IAM), so their "
               "IAM policies, not the permission SAM would move to the alias, authorise" if role == CALLER_CREDENTIALS
               else "an invoke role (Auth.InvokeRole), so its policy, not the permission SAM would move to the alias, "
               "authorises")
        return (f"its event {name} uses AWS_IAM authorization and SAM's integration invokes it with {who} the invoke "
                "by the function ARN; the alias ARN "
                f"would be denied (API Gateway answers 500): allow lambda:InvokeFunction on {rid}'s alias ARN there "
                "(or set Auth.InvokeRole: NONE so the function's permission authorises it), then add "
                "AutoPublishAlias and ProvisionedConcurrencyConfig by hand")
    return None


def sam_integration_credentials(view: TemplateView, event_props: dict) -> Any:
    """The credentials SAM writes into an Api event's integration (CALLER_CREDENTIALS, a role), or None.

    As samtranslator's SwaggerEditor.add_lambda_integration: the event's Auth.Authorizer is
    AWS_IAM, or its API's DefaultAuthorizer is and the event has no Auth; the event's InvokeRole,
    else the API's, else CALLER_CREDENTIALS; NONE (or an empty value) writes none.
    """
    method = event_props.get("Auth") or {}
    if not isinstance(method, dict):
        return None  # SAM refuses a non-map Auth
    api = ref_target(event_props.get("RestApiId"))
    res = view.resources.get(api) if api else None  # None: the implicit API, which takes Globals.Api's
    api_auth = sam_api_auth(view, res if isinstance(res, dict) else None)
    if not (method.get("Authorizer") == "AWS_IAM" or (api_auth.get("DefaultAuthorizer") == "AWS_IAM" and not method)):
        return None
    role = method.get("InvokeRole") or ("NONE" if "InvokeRole" in method else None)
    role = role or api_auth.get("InvokeRole") or ("NONE" if "InvokeRole" in api_auth else None)
    role = role or CALLER_CREDENTIALS
    return None if role == "NONE" else role


def _includes(value: Any) -> bool:
    """An intrinsic at the top, or a Fn::Transform (AWS::Include) anywhere: content cfn-fix cannot see."""
    if is_intrinsic(value):
        return True
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "Fn::Transform" in item:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _literal_lambda_uri(value: Any) -> bool:
    return isinstance(value, str) and "lambda:path" in value and ":function:" in value


def _body_strings(value: Any, path: tuple = ()) -> Iterator[tuple[Any, tuple, Any]]:
    """(key, path, value) of each `uri`/`authorizerUri` string in an OpenAPI body."""
    items = enumerate(value) if isinstance(value, list) else value.items() if isinstance(value, dict) else ()
    for key, item in items:
        if key in BODY_URI_KEYS and isinstance(item, str):
            yield key, path + (key,), item
        elif isinstance(item, (dict, list)) and not is_intrinsic(item):
            yield from _body_strings(item, path + (key,))


def invokes(view: TemplateView, rid: str, fn: str) -> bool:
    """The resource calls function `fn` (an API, a permission, an event source)."""
    kind = view.type_of(rid)
    return is_api_type(kind) or kind == PERMISSION or invokes_unqualified(view, rid, fn)


def invokes_unqualified(view: TemplateView, rid: str, fn: str) -> bool:
    """Non-API resource `rid` invokes function `fn` by the ARN it names, which no alias repair moves."""
    kind = view.type_of(rid)
    props = view.props(view.resources[rid])
    if kind == EVENT_INVOKE_CONFIG:  # a destination is invoked asynchronously, by its ARN
        return bool(function_and_wrappers(view, fn) & set(referenced_names(props.get("DestinationConfig"))))
    if kind == SAM_FUNCTION:  # its EventInvokeConfig, which SAM makes an AWS::Lambda::EventInvokeConfig
        config = props.get("EventInvokeConfig")
        destinations = config.get("DestinationConfig") if isinstance(config, dict) else None
        return bool(function_and_wrappers(view, fn) & set(referenced_names(destinations)))
    if kind == FUNCTION_URL:
        target = props.get("TargetFunctionArn")
        return "Qualifier" not in props and (ref_target(target) == fn or getatt_target(target) == (fn, "Arn"))
    if kind not in OTHER_INVOKER_TYPES:
        return False
    named = set(referenced_names(props))
    # One that names only an alias of the function (an event source mapping's FunctionName:
    # !Ref FnAlias) invokes the alias, not the unqualified function.
    return fn in named or not named & {*aliases_of(view, fn), f"{fn}.Alias"}


# ------------------------------------------------------------ functions behind a REST API


# ------------------------------------------------------------ execution roles

XRAY_MANAGED = ("AWSXRayDaemonWriteAccess", "AWSXrayWriteOnlyAccess", "AWSXrayFullAccess")


def template_role(view: TemplateView, value: Any) -> str | None:
    """The AWS::IAM::Role of this template a function's Role value names, else None."""
    att = getatt_target(value)
    name = att[0] if att and att[1] == "Arn" else None
    if name is None and isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str):
        text = value["Fn::Sub"].strip()
        name = text[2:-len(".Arn}")] if text.startswith("${") and text.endswith(".Arn}") else None
    return name if name and view.type_of(name) == "AWS::IAM::Role" else None


# ------------------------------------------------------------ permission sources

OWN, SCOPED, UNKNOWN = "own", "scoped", "unknown"


def derive_source_arn(view: TemplateView, pid: str) -> Any | None:
    """The one invoking resource of a permission's service, when the template makes it unambiguous."""
    props = view.props(view.resources[pid])
    fn = named_function(view, props.get("FunctionName"))
    service = principal(view, pid)
    if fn is None or not isinstance(service, str):
        return None
    siblings = [r for r in referrers_of(view, fn) if view.type_of(r) == PERMISSION and principal(view, r) == service]
    if siblings != [pid]:
        return None  # several grants for one service: which covers which source is a guess
    names = function_and_wrappers(view, fn)
    finder = _SOURCE_FINDERS.get(service)
    return finder(view, pid, names) if finder else None


def _only(view: TemplateView, pid: str, found: list[str]) -> str | None:
    """The single source resource, if it keeps the permission deployable (no loop, same condition)."""
    if len(found) != 1 or not view.same_condition(pid, found[0]):
        return None
    return None if view.depends_transitively(found[0], pid) else found[0]


def _naming(view: TemplateView, rtype: str, path: tuple, names: set[str]) -> list[str]:
    """The resources of `rtype` whose value at `path` (from the resource) refers to one of
    `names`, in file order: found among the referrers of those names, not by a scan of every
    resource of the type, which callers asking once per function or permission made quadratic."""
    return view.in_file_order(rid for name in names for rid in view.referrers(name)
                              if view.type_of(rid) == rtype
                              and name in referenced_names(view.get(("Resources", rid) + path)))


def _rule_source(view: TemplateView, pid: str, names: set[str]) -> Any | None:
    rule = _only(view, pid, _naming(view, "AWS::Events::Rule", ("Properties", "Targets"), names))
    return get_att(rule, "Arn") if rule else None


def _topic_source(view: TemplateView, pid: str, names: set[str]) -> Any | None:
    topics = _naming(view, "AWS::SNS::Topic", ("Properties", "Subscription"), names)
    for rid in _naming(view, "AWS::SNS::Subscription", ("Properties", "Endpoint"), names):
        topic = ref_target(view.props(view.resources[rid]).get("TopicArn"))
        if topic and view.type_of(topic) == "AWS::SNS::Topic":
            topics.append(topic)
    topic = _only(view, pid, sorted(set(topics)))
    return ref(topic) if topic else None


def _bucket_source(view: TemplateView, pid: str, names: set[str]) -> Any | None:
    """The bucket ARN from its name; never `!GetAtt Bucket.Arn`, which loops with the bucket's DependsOn."""
    buckets = _naming(view, "AWS::S3::Bucket", ("Properties", "NotificationConfiguration"), names)
    if len(buckets) != 1 or not view.same_condition(pid, buckets[0]):
        return None
    name = view.props(view.resources[buckets[0]]).get("BucketName")
    prefix = "arn:${AWS::Partition}:s3:::"
    if isinstance(name, str) and "${" not in name:
        return sub(prefix + name)
    if ref_target(name) in view.parameters:
        return sub(prefix + _var(str(ref_target(name))))
    text = name.get("Fn::Sub") if isinstance(name, dict) and len(name) == 1 else None
    if isinstance(text, str) and all(n in view.parameters or n.startswith("AWS::") for n in sub_names(text)):
        return sub(prefix + text)
    return None


_SOURCE_FINDERS = {
    "events.amazonaws.com": _rule_source,
    "sns.amazonaws.com": _topic_source,
    "s3.amazonaws.com": _bucket_source,
}
