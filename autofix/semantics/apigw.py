"""API Gateway: what a stage really serves.

* A cached method keys on its path parameters. API Gateway caches by resource path, not by
  the values of its path parameters, unless they are cache keys (`method.request.path.NAME`
  in the integration's cacheKeyParameters, declared as method request parameters): without
  them GET /orders/1 and GET /orders/2 share one cached response.
* A cached method that answers per caller keys on the caller. The cache keys on the resource
  path and the cache key parameters only; an authorizer's result does not partition it, so a
  method with an authorizer (Cognito, Lambda TOKEN/REQUEST, AWS_IAM) cached without its identity
  source among its cache keys serves the first caller's answer to every other for the TTL.
  Cached means by the stage's MethodSettings: CacheClusterEnabled alone caches no method.
* AWS::ApiGateway::Account is one setting per account and Region: a stack that sets it takes
  it over from every other stack. It needs a deploy-time opt-out (a Condition on a parameter).
* SAM adds a stage named "Stage" (a Deployment's StageName) to every Api without
  OpenApiVersion; it carries none of the settings given to the API's own stage.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..model.apis import (Unreadable, definition_version, method_caller, openapi_caller, openapi_operations,
                           resource_path)
from ..values import ref_target, referenced_names
from ..view import TemplateView
from .model import Deployed, Violation

STAGE = "AWS::ApiGateway::Stage"
METHOD = "AWS::ApiGateway::Method"
REST_API = "AWS::ApiGateway::RestApi"
DEPLOYMENT = "AWS::ApiGateway::Deployment"
ACCOUNT = "AWS::ApiGateway::Account"
# Verbs a stage cache serves without a per-method override (ANY serves GET requests).
_DEFAULT_CACHED = ("GET", "ANY")
_PATH_PARAMETER = re.compile(r"\{([^{}/]+?)\+?\}")
# Settings cfn-fix gives a REST stage that a sibling stage without them lacks to its harm: logging,
# throttling, tracing. Caching is not one: a stage without a cache serves what it served before.
_STAGE_SETTINGS = ("AccessLogSetting", "TracingEnabled")
_METHOD_SETTINGS = ("ThrottlingRateLimit", "ThrottlingBurstLimit", "LoggingLevel", "DataTraceEnabled",
                    "MetricsEnabled")


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _cached(verb: str, path: str, entries: list, unset: bool = True) -> bool:
    """Whether a stage whose cache cluster is on caches `verb path`, given its MethodSettings: its
    own entry (exact verb, then '*') overrides '/*' '*', which covers GET and ANY. Where no entry
    sets CachingEnabled, `unset` answers: the Stage reference says a method caches only once it is
    set, the console turns GET on with the cache; path-parameter keys judge the worst case."""
    encoded = "/" + path.replace("/", "~1") if path != "/" else "/"
    for wanted in (verb, "*"):
        for entry in entries:
            if (isinstance(entry, dict) and entry.get("ResourcePath") == encoded
                    and str(entry.get("HttpMethod", "")).upper() == wanted and "CachingEnabled" in entry):
                return _true(entry["CachingEnabled"])
    if verb not in _DEFAULT_CACHED:
        return False
    for entry in entries:
        if (isinstance(entry, dict) and entry.get("ResourcePath") == "/*" and entry.get("HttpMethod") == "*"
                and "CachingEnabled" in entry):
            return _true(entry["CachingEnabled"])
    return unset


def _caching_stages(t: Deployed) -> dict[str, list[list]]:
    """RestApi id -> the MethodSettings of each of its stages whose cache cluster is on."""
    found: dict[str, list[list]] = {}
    for _, stage in t.of_type(STAGE):
        props = t.props(stage)
        api = ref_target(props.get("RestApiId"))
        if api is None or not _true(props.get("CacheClusterEnabled")):
            continue
        entries = props.get("MethodSettings")
        found.setdefault(api, []).append(entries if isinstance(entries, list) else [])
    return found


def _methods(t: Deployed, api: str) -> Iterator[tuple[str, str, str, Any]]:
    """(resource label, VERB, path, cache key parameters) of each method of a RestApi: its
    AWS::ApiGateway::Method resources and the operations of its OpenAPI Body."""
    view = TemplateView(t.template)  # the deployed resources, read as the patches read them
    for rid, res in t.of_type(METHOD):
        props = t.props(res)
        if ref_target(props.get("RestApiId")) != api or not isinstance(props.get("HttpMethod"), str):
            continue
        path = resource_path(view, props.get("ResourceId"))
        integration = props.get("Integration")
        if path is not None and isinstance(integration, dict):
            yield rid, props["HttpMethod"].upper(), path, integration.get("CacheKeyParameters")
    for path, verb, operation in openapi_operations(t.props(t.resources.get(api)).get("Body")):
        integration = operation.get("x-amazon-apigateway-integration")
        if isinstance(integration, dict):
            yield f"{api} {verb} {path}", verb, path, integration.get("cacheKeyParameters")


def cached_methods_key_on_path_parameters(t: Deployed) -> Iterator[Violation]:
    """Every method a stage caches has each of its path parameters among its cache keys."""
    for api, stages in _caching_stages(t).items():
        for label, verb, path, keys in _methods(t, api):
            if not any(_cached(verb, path, entries) for entries in stages):
                continue
            if keys is not None and not isinstance(keys, list):
                continue  # computed: cannot be judged
            missing = [n for n in _PATH_PARAMETER.findall(path) if f"method.request.path.{n}" not in (keys or [])]
            if missing:
                yield Violation("cached_methods_key_on_path_parameters", label,
                                f"{verb} {path} is cached without path parameter(s) {', '.join(missing)} as cache "
                                f"keys: one cached response serves every {', '.join(missing)}")


def _callers(t: Deployed, api: str) -> Iterator[tuple[str, str, str, Any, Any]]:
    """(label, VERB, path, caller, cache keys) of each method of a RestApi that has an authorizer."""
    view = TemplateView(t.template)
    for rid, res in t.of_type(METHOD):
        props = t.props(res)
        if ref_target(props.get("RestApiId")) != api or not isinstance(props.get("HttpMethod"), str):
            continue
        path = resource_path(view, props.get("ResourceId"))
        try:
            caller = method_caller(view, props)
        except Unreadable:
            continue  # computed: cannot be judged
        if path is not None and caller is not None:
            integration = props.get("Integration")
            keys = integration.get("CacheKeyParameters") if isinstance(integration, dict) else None
            yield rid, props["HttpMethod"].upper(), path, caller, keys
    body = t.props(t.resources.get(api)).get("Body")
    for path, verb, operation in openapi_operations(body):
        try:
            caller = openapi_caller(body, operation)
        except Unreadable:
            continue
        integration = operation.get("x-amazon-apigateway-integration")
        keys = integration.get("cacheKeyParameters") if isinstance(integration, dict) else None
        if caller is not None:
            yield f"{api} {verb} {path}", verb, path, caller, keys


def cached_authorized_methods_key_on_caller(t: Deployed) -> Iterator[Violation]:
    """No method with an authorizer is cached (by its stage's MethodSettings) on cache keys
    that leave out its identity source."""
    for api, stages in _caching_stages(t).items():
        for label, verb, path, caller, keys in _callers(t, api):
            if caller.keyed_by(keys) or not any(_cached(verb, path, entries, unset=False) for entries in stages):
                continue
            source = ", ".join(caller.identity) or "no request parameter (its identity cannot key a cache)"
            yield Violation("cached_authorized_methods_key_on_caller", label,
                            f"{verb} {path} is authorized by {caller.kind} and cached without its identity source "
                            f"({source}) as a cache key: one caller's answer is served to every other")


def _parameter_driven(conditions: dict, name: Any, parameters: dict, seen: frozenset = frozenset()) -> bool:
    """The condition exists and depends (directly or through other conditions) on a parameter."""
    if not isinstance(name, str) or name in seen or name not in conditions:
        return False
    value = conditions[name]
    names = set(referenced_names(value))
    if names & set(parameters):
        return True
    nested = _condition_names(value)
    return any(_parameter_driven(conditions, n, parameters, seen | {name}) for n in nested)


def _condition_names(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if set(value) == {"Condition"} and isinstance(value["Condition"], str):
            yield value["Condition"]
            return
        for item in value.values():
            yield from _condition_names(item)
    elif isinstance(value, list):
        for item in value:
            yield from _condition_names(item)


# Account-wide, per-Region things one stack should not take over: the API Gateway logging
# role is one setting (the last stack wins); CloudWatch Logs allows 10 resource policies per
# Region (through CloudFormation, which cannot scope one to a log group), so one per stack
# fails the 11th stack.
_SINGLETONS = {
    ACCOUNT: "sets the Region's API Gateway CloudWatch role for every stack in the account",
    "AWS::Logs::ResourcePolicy": "takes one of the Region's 10 CloudWatch Logs resource policies",
}


def account_singleton_has_opt_out(t: Deployed) -> Iterator[Violation]:
    """No account-wide singleton (API Gateway Account, Logs resource policy) without a deploy-time opt-out."""
    conditions, parameters = t.section("Conditions"), t.section("Parameters")
    for rid, res in t.of_type(*_SINGLETONS):
        if not _parameter_driven(conditions, res.get("Condition"), parameters):
            yield Violation("account_singleton_has_opt_out", rid,
                            f"{_SINGLETONS[res['Type']]}, with no Condition on a parameter to opt out at deploy time")


def sam_stage_stage_not_beside_configured(t: Deployed) -> Iterator[Violation]:
    """No stage SAM creates on its own (StageName 'Stage' on its Deployment) beside a stage
    that has logging, throttling or tracing settings (set OpenApiVersion). Caching settings do
    not count: an uncached 'Stage' stage serves as it did, and dropping it would break its URL.
    Nor does an Api whose definition's version cannot be read (DefinitionUri, an AWS::Include
    body): SAM rewrites the definition to OpenApiVersion, so only its author can set it, and the
    patches skip it saying so."""
    if not t.is_sam or not t.translated:
        return
    written = t.raw.get("Resources") if isinstance(t.raw.get("Resources"), dict) else {}
    global_props = _mapping(_mapping(t.raw.get("Globals")).get("Api"))
    configured = {ref_target(t.props(s).get("RestApiId")): sid for sid, s in t.of_type(STAGE)
                  if _configured(t.props(s))}
    for rid, res in t.of_type(DEPLOYMENT):
        props = t.props(res)
        api = ref_target(props.get("RestApiId"))
        if rid in written or props.get("StageName") != "Stage" or "StageDescription" in props:
            continue
        sam_api = _mapping(written.get(api))
        if sam_api.get("Type") == "AWS::Serverless::Api" and \
                definition_version(_mapping(sam_api.get("Properties")), global_props)[0] is None:
            continue
        if api in configured:
            yield Violation("sam_stage_stage_not_beside_configured", api,
                            "SAM also deploys the API to a stage named 'Stage' (its Deployment's StageName), "
                            f"which has none of the settings of {configured[api]}; set OpenApiVersion to drop it")


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _configured(props: dict) -> bool:
    """A stage has logging, throttling or tracing settings (computed MethodSettings may hold them)."""
    if any(k in props for k in _STAGE_SETTINGS):
        return True
    entries = props.get("MethodSettings")
    if entries is None:
        return False
    if not isinstance(entries, list):
        return True
    return any(not isinstance(e, dict) or any(k in e for k in _METHOD_SETTINGS) for e in entries)


INVARIANTS = (cached_methods_key_on_path_parameters, cached_authorized_methods_key_on_caller,
              account_singleton_has_opt_out,
              sam_stage_stage_not_beside_configured)
