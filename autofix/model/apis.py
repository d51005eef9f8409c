"""Shared by the API Gateway patches: the stage-wide `/*` `*` method-settings entry."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from autofix.edits import Advice, AppendItem, Edit, Proposal, ReplaceValue, SetKey, Skip, target_path
from autofix.record import record
from autofix.values import getatt_target, is_intrinsic, ref_target, referenced_names, renamed
from autofix.view import TemplateView

ALL_PATHS = "/*"
ALL_METHODS = "*"


def _is_default_entry(entry: Any) -> bool:
    return isinstance(entry, dict) and entry.get("ResourcePath") == ALL_PATHS and entry.get("HttpMethod") == ALL_METHODS


def default_method_settings(view: TemplateView, props_path: tuple, settings: dict[str, Any],
                            message: str) -> Iterator[Edit]:
    """Ensure MethodSettings under `props_path` has a `/*` `*` entry with `settings`.

    Keys already present in that entry are left as the author set them. When
    MethodSettings is not a literal list (an !If, a !Ref) nothing is proposed.
    """
    props = view.get(props_path)
    if not isinstance(props, dict):
        props = {}
    current = props.get("MethodSettings")
    if current is None:
        entry = {"ResourcePath": ALL_PATHS, "HttpMethod": ALL_METHODS, **settings}
        yield SetKey(props_path, "MethodSettings", [entry], message)
        return
    if not isinstance(current, list):
        return
    for index, entry in enumerate(current):
        if _is_default_entry(entry):
            for key, value in settings.items():
                if key not in entry:
                    yield SetKey(props_path + ("MethodSettings", index), key, value, message)
            return
    entry = {"ResourcePath": ALL_PATHS, "HttpMethod": ALL_METHODS, **settings}
    yield AppendItem(props_path + ("MethodSettings",), entry, message)


def default_entry(view: TemplateView, props_path: tuple) -> dict | None:
    """The `/*` `*` MethodSettings entry under `props_path`, if there is one."""
    current = view.get(props_path + ("MethodSettings",))
    if isinstance(current, list):
        for entry in current:
            if _is_default_entry(entry):
                return entry
    return None


# ---------------------------------------------------------------- shared by APIGW001/002/003/005/006

REST_STAGE = "AWS::ApiGateway::Stage"
DEPLOYMENT = "AWS::ApiGateway::Deployment"
V2_STAGE = "AWS::ApiGatewayV2::Stage"
SAM_API = "AWS::Serverless::Api"
SAM_HTTP_API = "AWS::Serverless::HttpApi"
SAM_TYPES = {"Api": SAM_API, "HttpApi": SAM_HTTP_API}
# Event sources that make SAM generate an implicit API (ServerlessRestApi / ServerlessHttpApi).
_EVENT_OWNERS = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")
_API_ID_KEY = {"Api": "RestApiId", "HttpApi": "ApiId"}


def props_path(rid: str) -> tuple:
    return ("Resources", rid, "Properties")


def is_true(value: Any) -> bool:
    """A literal boolean true (CloudFormation also takes the string "true")."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def merge_default_entry(view: TemplateView, path: tuple, settings: dict[str, Any], message: str,
                        where: str) -> Iterator[Proposal]:
    """default_method_settings, or a Skip when MethodSettings is not a list of literal entries."""
    current = view.get(path + ("MethodSettings",))
    readable = current is None or (isinstance(current, list) and all(
        isinstance(e, dict) and isinstance(e.get("ResourcePath"), str) and isinstance(e.get("HttpMethod"), str)
        for e in current))
    if not readable:
        yield Skip(path + ("MethodSettings",), f"{where}: MethodSettings is computed (an intrinsic); "
                   f"add {', '.join(settings)} to its '/*' '*' entry by hand")
        return
    yield from default_method_settings(view, path, settings, message)


def nothing_to_configure(view: TemplateView, types: tuple[str, ...]) -> bool:
    """No stage or API of `types`, and no SAM Globals that could hold their settings: a stage
    patch returns at once (after its option checks)."""
    return not (view.has_any(types) or view.section("Globals"))


def has_implicit_api(view: TemplateView, kind: str) -> bool:
    """True when a SAM event of type `kind` (Api / HttpApi) makes SAM create its implicit API."""
    if not view.is_sam:
        return False
    for _, res in view.of_type(*_EVENT_OWNERS):
        events = view.props(res).get("Events")
        for event in events.values() if isinstance(events, dict) else ():
            if not isinstance(event, dict) or event.get("Type") != kind:
                continue
            props = event.get("Properties")
            if not isinstance(props, dict) or _API_ID_KEY[kind] not in props:
                return True
    return False


def sam_scope(view: TemplateView, kind: str, wanted: Callable[[dict | None], bool]
              ) -> tuple[list[str], bool, bool]:
    """SAM APIs of `kind` that want a setting, whether Globals.<kind> may carry it, and
    whether the implicit API wants it (it can only be reached through Globals).

    Globals is used only when every API it reaches wants the setting, and when Globals.<kind>
    exists already or the implicit API needs it.
    """
    if not view.is_sam:
        return [], False, False
    apis = list(view.of_type(SAM_TYPES[kind]))
    chosen = [rid for rid, res in apis if wanted(res)]
    implicit = has_implicit_api(view, kind)
    implicit_wanted = implicit and wanted(None)
    everyone = len(chosen) == len(apis) and (implicit_wanted or not implicit)
    use_globals = everyone and (kind in view.section("Globals") or implicit_wanted)
    return chosen, use_globals, implicit_wanted


def sam_property(view: TemplateView, kind: str, key: str, value: Any, message: str,
                 wanted: Callable[[dict | None], bool] = lambda res: True,
                 after: str | None = None) -> Iterator[Proposal]:
    """Set a top-level SAM API property where it is missing (Globals.<kind> counts as set)."""
    if key in view.globals(kind):
        return
    chosen, use_globals, implicit_wanted = sam_scope(view, kind, wanted)
    lacking = [rid for rid in chosen if key not in view.props(view.resources[rid])]
    if use_globals and (lacking or implicit_wanted):
        yield SetKey(("Globals", kind), key, value, f"Globals.{kind}: {message}", after=after)
        return
    if implicit_wanted:
        yield Skip(("Globals", kind), f"Globals.{kind}: the implicit API needs {key}, but Globals "
                   f"would also reach APIs that should not get it; set it by hand")
    for rid in lacking:
        yield SetKey(props_path(rid), key, value, f"{rid}: {message}", after=after)


def sam_method_settings(view: TemplateView, settings: dict[str, Any], message: str | Callable[[str], str],
                        wanted: Callable[[dict | None], bool] = lambda res: True) -> Iterator[Proposal]:
    """Missing `/*` `*` MethodSettings keys on SAM Apis; a Globals.Api entry counts as set.

    An API with its own `/*` `*` entry gets the keys there (SAM concatenates the Globals list
    with the API's, so a second `/*` `*` entry in Globals would duplicate it), and while one has
    its own, Globals gets no new entry: every API gets the keys in its own. An API that needs keys
    an existing Globals entry lacks gets its own entry beside it. `message` is what
    follows `<where>: `, or a function of where (an API's id, `Globals.Api`) giving the whole
    message, so a patch can say this change and its own other change to that API in one message.
    """
    said = message if callable(message) else lambda where: f"{where}: {message}"
    chosen, use_globals, implicit_wanted = sam_scope(view, "Api", wanted)
    if any(not isinstance(view.props(res).get("MethodSettings", []), list) for _, res in view.of_type(SAM_API)):
        use_globals = False  # SAM cannot merge a Globals list into an intrinsic
    global_path = ("Globals", "Api")
    global_entry = default_entry(view, global_path)
    own = {rid: default_entry(view, props_path(rid)) for rid in chosen}
    doubled = [rid for rid in chosen if own[rid] is not None] if global_entry is None else []
    if use_globals and doubled:
        use_globals = False  # a new Globals entry would be a second `/*` `*` entry of these APIs' stages
    global_entry = global_entry or {}
    if implicit_wanted and not use_globals:
        why = (f"a `/*` `*` entry there would be a second one on {', '.join(doubled)} (SAM joins the Globals "
               "list and the API's own)" if doubled else "Globals would also reach APIs that should not get them")
        yield Skip(global_path, f"Globals.Api: the implicit API needs method settings, but {why}; set them by hand")
    # APIs without their own entry (and the implicit API) read the Globals entry.
    via_globals = use_globals and (implicit_wanted or any(own[rid] is None for rid in chosen))
    to_globals = {k: v for k, v in settings.items() if k not in global_entry} if via_globals else {}
    present = {**global_entry, **to_globals}
    for rid in chosen:
        if own[rid] is None and use_globals:
            continue
        missing = {k: v for k, v in settings.items() if k not in (own[rid] or {}) and k not in present}
        if missing:
            yield from merge_default_entry(view, props_path(rid), missing, said(rid), rid)
    if to_globals:
        yield from merge_default_entry(view, global_path, to_globals, said("Globals.Api"), "Globals.Api")


# Any OpenApiVersion stops SAM from also deploying each Api to a stage named "Stage". SAM also
# takes it as the definition's version (aws-sam-translator _openapi_postprocess), so it must
# repeat the version the DefinitionBody states: '2.0' over an OpenAPI 3 body makes SAM write
# Swagger 2.0 securityDefinitions into it in place of components.securitySchemes. Without a
# body SAM generates Swagger 2.0, which '2.0' keeps (3.x would rewrite it to OpenAPI 3).
SINGLE_STAGE_VERSION = "2.0"
_OPENAPI_3 = re.compile(r"\A3(\.\d)(\.\d)?$")  # what SAM reads as OpenAPI 3 (a larger number it refuses)


def definition_version(props: dict, global_props: dict) -> tuple[str | None, str]:
    """The OpenApiVersion that keeps a SAM Api's definition as it is (given its Properties and
    Globals.Api), or None and why none can. Globals.Api holds no DefinitionBody; a DefinitionUri
    there is not read either."""
    body = props.get("DefinitionBody")
    if body is None:
        if "DefinitionUri" in props or "DefinitionUri" in global_props:
            return None, "its definition is in a file (DefinitionUri), whose OpenAPI version cfn-fix cannot read"
        return SINGLE_STAGE_VERSION, ""
    if not isinstance(body, dict) or is_intrinsic(body):
        how = "an AWS::Include transform" if isinstance(body, dict) and "Fn::Transform" in body else "computed"
        return None, f"its DefinitionBody is {how}, whose OpenAPI version cfn-fix cannot read"
    if body.get("swagger") is not None:
        if str(body["swagger"]) == SINGLE_STAGE_VERSION:
            return SINGLE_STAGE_VERSION, ""
        return None, f"its DefinitionBody states swagger {body['swagger']!r}, which is not '2.0'"
    stated = body.get("openapi")
    if isinstance(stated, str | int | float) and not isinstance(stated, bool) and _OPENAPI_3.match(str(stated)):
        return str(stated), ""  # SAM compares str() of it: an unquoted 3.0 is "3.0"
    if stated is None:
        return None, "its DefinitionBody states no version (neither swagger nor openapi)"
    return None, f"its DefinitionBody states openapi {stated!r}, which SAM's OpenApiVersion does not take as written"


def _single_stage_message(version: str, stated: bool) -> str:
    source = " (the version its DefinitionBody states)" if stated else ""
    return (f"OpenApiVersion '{version}'{source}, so SAM stops deploying a second stage named 'Stage' that "
            "these settings do not reach; callers of the .../Stage/ URL break until they use the API's own "
            "stage URL")


def sam_single_stage(view: TemplateView, edits: list[Proposal]) -> Iterator[Proposal]:
    """OpenApiVersion on the SAM Apis that `edits` configure, where it is missing: the version
    their DefinitionBody states ('2.0' without one); a skip where it cannot be read.

    Without it SAM deploys every Api a second time, to a stage named "Stage" (a Deployment's
    StageName) that none of the stage settings reach: unthrottled, unlogged, untraced.
    """
    if not view.is_sam or "OpenApiVersion" in view.globals("Api"):
        return
    targets = [target_path(e) for e in edits if not isinstance(e, Skip | Advice)]
    via_globals = any(t[:2] == ("Globals", "Api") for t in targets)
    touched = {t[1] for t in targets if len(t) > 2 and t[0] == "Resources" and view.type_of(t[1]) == SAM_API}
    if not via_globals and not touched:
        return
    apis = list(view.of_type(SAM_API))
    lacking = [(rid, props) for rid, res in apis if via_globals or rid in touched
               for props in [view.props(res)] if "OpenApiVersion" not in props]
    versions = {rid: definition_version(props, view.globals("Api")) for rid, props in lacking}
    unreadable = {rid: why for rid, (version, why) in versions.items() if version is None}
    implicit = has_implicit_api(view, "Api")
    # Globals.Api reaches every Api: usable when all are configured and none would take a wrong version.
    use_globals = (via_globals and not unreadable and ("Api" in view.section("Globals") or implicit)
                   and (implicit or any(v == SINGLE_STAGE_VERSION for v, _ in versions.values())))
    if use_globals:
        yield SetKey(("Globals", "Api"), "OpenApiVersion", SINGLE_STAGE_VERSION,
                     f"Globals.Api: {_single_stage_message(SINGLE_STAGE_VERSION, False)}")
    elif via_globals and implicit:
        yield Skip(("Globals", "Api"), "Globals.Api: the implicit API needs OpenApiVersion '2.0' to drop SAM's "
                   "second stage named 'Stage', but Globals would also reach "
                   f"{', '.join(sorted(unreadable))}, whose version cfn-fix cannot read; set it by hand")
    for rid, props in lacking:
        version, why = versions[rid]
        if version is None:
            at = next((key for key in ("DefinitionBody", "DefinitionUri") if key in props), None)
            yield Skip(props_path(rid) + ((at,) if at else ()),
                       f"{rid}: OpenApiVersion not set: {why}, and SAM rewrites the definition to the "
                       "OpenApiVersion given, so SAM still deploys a second stage named 'Stage' without these "
                       "settings; set OpenApiVersion to the version your definition states by hand")
        elif not (use_globals and version == SINGLE_STAGE_VERSION):
            yield SetKey(props_path(rid), "OpenApiVersion", version,
                         f"{rid}: {_single_stage_message(version, 'DefinitionBody' in props)}")


def deployment_stage_skips(view: TemplateView, what: str, keys: tuple[str, ...] = ()) -> Iterator[Skip]:
    """A Deployment that creates its own stage (StageName / StageDescription) is not edited;
    one whose StageDescription sets any of `keys` (the stage properties that give `what`) has it.

    cfn-facts §0: stage settings belong on an explicit AWS::ApiGateway::Stage; editing
    StageDescription on an existing deployment is unreliable, so the skip offers it to the author.
    """
    for rid, res in view.of_type(DEPLOYMENT):
        props = view.props(res)
        if "StageDescription" not in props and "StageName" not in props:
            continue
        described = view.mapping(props.get("StageDescription"))
        if any(key in described for key in keys):
            continue
        by_hand = " and ".join(f"StageDescription.{key}" for key in keys)
        yield Skip(props_path(rid), f"{rid}: its stage is created by the Deployment (StageName/StageDescription), "
                   f"which cfn-fix does not edit; to get {what}, "
                   + (f"set {by_hand} by hand or " if keys else "")
                   + "move the stage to an AWS::ApiGateway::Stage resource")


# ---------------------------------------------------------------- caching (APIGW002)

METHOD = "AWS::ApiGateway::Method"
_CACHE_KEY_SOURCES = ("querystring", "multivaluequerystring", "path")
# Only GET is cached by default once a stage caches (ANY covers GET).
_CACHED_VERBS = ("GET", "ANY")


def sam_cache_enabled(view: TemplateView, res: dict | None) -> bool:
    """CacheClusterEnabled is literally true on a SAM Api (None: the implicit API) or in Globals.Api."""
    value = view.props(res).get("CacheClusterEnabled") if res is not None else None
    if value is None:
        value = view.globals("Api").get("CacheClusterEnabled")
    return is_true(value)


def cached_entries_unencrypted(view: TemplateView, path: tuple, where: str) -> Iterator[Proposal]:
    """CacheDataEncrypted: true on per-method entries that cache without saying it."""
    entries = view.get(path + ("MethodSettings",))
    for index, entry in enumerate(entries if isinstance(entries, list) else ()):
        if _is_default_entry(entry) or not isinstance(entry, dict):
            continue
        if is_true(entry.get("CachingEnabled")) and "CacheDataEncrypted" not in entry:
            yield SetKey(path + ("MethodSettings", index), "CacheDataEncrypted", True,
                         f"{where}: encrypt the cache of {entry.get('HttpMethod')} {_shown(entry.get('ResourcePath'))}")


def invalid_cache_size(view: TemplateView, path: tuple, where: str, size: Any,
                       valid: tuple[str, ...]) -> Iterator[Proposal]:
    """Replace a literal CacheClusterSize that API Gateway would reject (cfn-lint cannot see it)."""
    value = view.get(path + ("CacheClusterSize",))
    if value is None or isinstance(value, dict | list) or str(value) in valid:
        return
    source = ref_target(size) or "the size parameter"
    yield ReplaceValue(path + ("CacheClusterSize",), size, f"{where}: CacheClusterSize {value!r}, which would "
                       f"fail to deploy (valid: {', '.join(valid)}), now comes from {source}")
    yield Advice(path + ("CacheClusterSize",), f"{where}: {source}'s default replaces CacheClusterSize {value!r}; "
                 "set the parameter to the size you meant")


def cache_key_names(props: dict, path_names: list[str] = ()) -> list[str]:
    """Cache keys of a cached method: its declared querystring/path parameters, in
    declaration order, then the path parameters of its resource path it does not declare."""
    params = props.get("RequestParameters")
    declared = [name for name in params if is_cache_key(name)] if isinstance(params, dict) else []
    return declared + [n for n in path_keys(path_names) if n not in declared]


_PATH_PARAMETER = re.compile(r"\{([^{}/]+?)\+?\}")


def path_parameters(path: str) -> list[str]:
    """Names of the path parameters in a resource path (`/orders/{id}/{proxy+}` -> id, proxy)."""
    return _PATH_PARAMETER.findall(path)


def path_keys(names: list[str]) -> list[str]:
    return [f"method.request.path.{name}" for name in names]


def _shown(setting_path: Any) -> Any:
    """A MethodSettings ResourcePath as people write it: /~1orders~1{id} -> /orders/{id}."""
    return setting_path.replace("~1", "/").replace("//", "/") if isinstance(setting_path, str) else setting_path


def resource_path(view: TemplateView, resource_id: Any) -> str | None:
    """The path of an API Gateway resource (`!Ref R` or `!GetAtt Api.RootResourceId`), from the
    PathParts of R and its parents; None when a link is not in the template."""
    parts: list[str] = []
    seen: set[str] = set()
    while True:
        att = getatt_target(resource_id)
        if att is not None and att[1] == "RootResourceId":
            return "/" + "/".join(reversed(parts))
        rid = ref_target(resource_id)
        if rid is None or rid in seen or view.type_of(rid) != "AWS::ApiGateway::Resource":
            return None
        seen.add(rid)
        props = view.props(view.resources[rid])
        if not isinstance(props.get("PathPart"), str):
            return None
        parts.append(props["PathPart"])
        resource_id = props.get("ParentId")


def is_cache_key(name: Any) -> bool:
    """A querystring or path request parameter (`method.request.querystring.q`)."""
    return (isinstance(name, str) and name.count(".") == 3 and name.startswith("method.request.")
            and name.split(".")[2] in _CACHE_KEY_SOURCES)


# An OpenAPI path item's operations, by key, as method verbs (ANY: API Gateway's any-method).
OPENAPI_VERBS = {"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "patch": "PATCH",
                 "head": "HEAD", "options": "OPTIONS", "x-amazon-apigateway-any-method": "ANY"}


def openapi_operations(body: Any) -> Iterator[tuple[Any, str, dict]]:
    """(route, VERB, operation) of each operation of an OpenAPI/Swagger body; none where its
    paths are not a mapping."""
    paths = body.get("paths") if isinstance(body, dict) else None
    for route, item in paths.items() if isinstance(paths, dict) else ():
        for key, operation in item.items() if isinstance(item, dict) else ():
            verb = OPENAPI_VERBS.get(str(key).lower())
            if verb is not None and isinstance(operation, dict):
                yield route, verb, operation


_OPENAPI_CACHED = ("get", "x-amazon-apigateway-any-method")


def openapi_cache_keys(body: Any, body_path: tuple, where: str) -> Iterator[Proposal]:
    """Path parameters as cache keys in an OpenAPI/Swagger body (Body, SAM DefinitionBody): each
    GET/ANY operation of a path with parameters lists them in its integration's
    cacheKeyParameters and declares them as path parameters (API Gateway makes only declared
    method request parameters cache keys)."""
    paths = body.get("paths") if isinstance(body, dict) else None
    if not isinstance(paths, dict):
        if body is not None:
            yield Skip(body_path, f"{where}: the API definition is computed or elsewhere; make its path "
                       "parameters cache keys (cacheKeyParameters) by hand")
        return
    openapi3 = str(body.get("openapi", "")).startswith("3")
    for route, item in paths.items():
        names = path_parameters(route) if isinstance(route, str) and isinstance(item, dict) else []
        shared = _declared_path_parameters(item.get("parameters")) if names else set()
        for verb, operation in item.items() if names else ():
            integration = operation.get("x-amazon-apigateway-integration") if isinstance(operation, dict) else None
            if str(verb).lower() not in _OPENAPI_CACHED or not isinstance(integration, dict):
                continue
            at = body_path + ("paths", route, verb)
            yield from _operation_keys(operation, integration, at, names, shared, openapi3,
                                       f"{where}: cache {verb.upper() if verb == 'get' else 'ANY'} {route} per "
                                       f"{', '.join(names)}")


def _declared_path_parameters(params: Any) -> set[str] | None:
    """Names of the path parameters a `parameters` list declares; None when a $ref hides some."""
    if not isinstance(params, list):
        return set() if params is None else None
    if any(not isinstance(p, dict) or "$ref" in p for p in params):
        return None
    return {p.get("name") for p in params if p.get("in") == "path"}


def _operation_keys(operation: dict, integration: dict, at: tuple, names: list[str], shared: set[str] | None,
                    openapi3: bool, message: str) -> Iterator[Proposal]:
    keys = integration.get("cacheKeyParameters")
    missing = [k for k in path_keys(names) if not (isinstance(keys, list) and k in keys)]
    if not missing:
        return
    own = _declared_path_parameters(operation.get("parameters"))
    if keys is not None and not isinstance(keys, list) or own is None or shared is None:
        yield Skip(at, f"{message.split(':', 1)[0]}: {at[-2]} {at[-1]} has computed cacheKeyParameters or "
                   "parameters ($ref); make its path parameters cache keys by hand")
        return
    undeclared = [n for n in names if f"method.request.path.{n}" in missing and n not in own | shared]
    spec = [{"name": n, "in": "path", "required": True, **({"schema": {"type": "string"}} if openapi3
                                                           else {"type": "string"})} for n in undeclared]
    if spec and "parameters" not in operation:
        yield SetKey(at, "parameters", spec, message)
    elif spec:
        for item in spec:
            yield AppendItem(at + ("parameters",), item, message)
    if keys is None:
        yield SetKey(at + ("x-amazon-apigateway-integration",), "cacheKeyParameters", missing, message)
    else:
        for key in missing:
            yield AppendItem(at + ("x-amazon-apigateway-integration", "cacheKeyParameters"), key, message)


def sam_cached_events(view: TemplateView, wanted: Callable[[dict | None], bool],
                      wide: Callable[[dict | None], bool] | None = None) -> Iterator[tuple[str, tuple, dict]]:
    """(function id, path, properties) of SAM function Api events on an API that caches
    (`wanted`; None is the implicit API) whose method it caches: GET/ANY where it caches
    stage-wide (`wide`, by default every API it caches), or a verb its MethodSettings (or
    Globals.Api's, which SAM adds to them) turn caching on for."""
    wide = wide or wanted
    global_entries = view.globals("Api").get("MethodSettings")
    shared = cache_overrides(global_entries)
    for fid, res in view.of_type("AWS::Serverless::Function"):
        events = view.props(res).get("Events")
        for name, event in events.items() if isinstance(events, dict) else ():
            props = event.get("Properties") if isinstance(event, dict) and event.get("Type") == "Api" else None
            if not isinstance(props, dict):
                continue
            api = ref_target(props.get("RestApiId")) if "RestApiId" in props else None
            if "RestApiId" in props and (api is None or view.type_of(api) != SAM_API):
                continue  # an API this template does not define as a SAM Api
            own = cache_overrides(view.props(view.resources[api]).get("MethodSettings")) if api else set()
            path = props.get("Path")
            res_api = view.resources[api] if api else None
            cached = is_cached if wide(res_api) else cached_by_override
            if not cached(props.get("Method"), path if isinstance(path, str) else None, own | shared):
                continue
            if wanted(res_api):
                yield fid, props_path(fid) + ("Events", name, "Properties"), props


def encoded_path(path: str) -> str:
    """The MethodSettings ResourcePath of a resource path: /orders/{id} -> /~1orders~1{id}."""
    return "/" + path.replace("/", "~1") if path != "/" else "/"


def cache_overrides(entries: Any) -> set[tuple[str, str]]:
    """(ResourcePath, VERB) of the MethodSettings entries that turn caching on for one path."""
    return {(e["ResourcePath"], str(e.get("HttpMethod")).upper()) for e in entries
            if isinstance(e, dict) and isinstance(e.get("ResourcePath"), str) and e["ResourcePath"] != ALL_PATHS
            and is_true(e.get("CachingEnabled"))} if isinstance(entries, list) else set()


def is_cached(verb: Any, path: str | None, overrides: set[tuple[str, str]]) -> bool:
    """GET/ANY on a caching stage, or a verb a per-method entry caches (`path` None: unknown)."""
    return cached_verb(verb) or cached_by_override(verb, path, overrides)


def cached_by_override(verb: Any, path: str | None, overrides: set[tuple[str, str]]) -> bool:
    """A per-method entry caches `verb path` (on a stage whose '/*' '*' entry caches nothing)."""
    if path is None or not isinstance(verb, str):
        return False
    return any((encoded_path(path), v) in overrides for v in (verb.upper(), ALL_METHODS))


def header_parameters(props: dict) -> list[str]:
    """Declared header parameters of a method."""
    params = props.get("RequestParameters")
    if not isinstance(params, dict):
        return []
    return [n for n in params if isinstance(n, str) and n.startswith("method.request.header.")]


def cached_verb(verb: Any) -> bool:
    """GET and ANY are cached once the stage caches; other verbs only by a per-method override."""
    return isinstance(verb, str) and verb.upper() in _CACHED_VERBS


# ---------------------------------------------------------------- callers of cached methods (APIGW002)

# A stage cache keys on the resource path and the cache key parameters only: an authorizer's
# result does not partition it, so a method that answers per caller and is cached without its
# identity source among its cache keys serves one caller's answer to every other.
_AUTHORIZED_TYPES = ("COGNITO_USER_POOLS", "CUSTOM", "AWS_IAM")
AUTHORIZER = "AWS::ApiGateway::Authorizer"


@record(frozen=True)
class Caller:
    """Who a method answers: its authorizer (`kind`, said after "authorized by"), and the request
    parameters that carry the caller's identity (empty: none can key a cache, as AWS_IAM's per-request signature)."""

    kind: str
    identity: tuple[str, ...] = ()

    def keyed_by(self, keys: Any) -> bool:
        """The cache keys `keys` include every identity source (a cache per caller)."""
        return bool(self.identity) and isinstance(keys, list) and all(k in keys for k in self.identity)


class Unreadable(Exception):
    """Whether a method carries an authorizer cannot be read from the template."""


def _identity_sources(value: Any) -> tuple[str, ...]:
    """The method request parameters of an IdentitySource (`method.request.header.A, context.x`)."""
    if not isinstance(value, str):
        return ()
    return tuple(p.strip() for p in value.split(",") if p.strip().startswith("method.request."))


def method_caller(view: TemplateView, props: dict) -> Caller | None:
    """The authorizer of an AWS::ApiGateway::Method (None: it has none); Unreadable when computed."""
    kind = props.get("AuthorizationType")
    if kind is None or (isinstance(kind, str) and kind.upper() == "NONE"):
        return None
    if not isinstance(kind, str):
        raise Unreadable("its AuthorizationType is computed")
    if kind.upper() not in _AUTHORIZED_TYPES:
        return None
    if kind.upper() == "AWS_IAM":
        return Caller("AWS_IAM")
    rid = ref_target(props.get("AuthorizerId"))
    authorizer = view.props(view.resources[rid]) if rid and view.type_of(rid) == AUTHORIZER else {}
    shown = authorizer.get("Type") if isinstance(authorizer.get("Type"), str) else kind.upper()
    return Caller(f"the {shown} authorizer" + (f" {rid}" if authorizer else ""),
                  _identity_sources(authorizer.get("IdentitySource")))


def _sam_identity(spec: dict) -> tuple[str, ...]:
    """Identity sources of a SAM Auth.Authorizers entry (Cognito or Lambda TOKEN/REQUEST)."""
    identity = spec.get("Identity") if isinstance(spec.get("Identity"), dict) else {}
    if "FunctionArn" in spec and spec.get("FunctionPayloadType") == "REQUEST":
        sources = {"Headers": "header", "QueryStrings": "querystring"}
        return tuple(f"method.request.{where}.{name}" for key, where in sources.items()
                     for name in (identity.get(key) if isinstance(identity.get(key), list) else ())
                     if isinstance(name, str))
    header = identity.get("Header", "Authorization")
    return (f"method.request.header.{header}",) if isinstance(header, str) else ()


def sam_api_auth(view: TemplateView, api: dict | None) -> dict:
    """A SAM Api's Auth (None: the implicit API), Globals.Api's Auth merged beneath it."""
    own = view.mapping(view.props(api).get("Auth")) if api is not None else {}
    return {**view.mapping(view.globals("Api").get("Auth")), **own}


def sam_event_caller(view: TemplateView, api: dict | None, event: dict) -> Caller | None:
    """The authorizer of a SAM Api event: its Auth.Authorizer, else its API's DefaultAuthorizer
    (NONE opts the event out); Unreadable when a name or an Auth is computed or not defined."""
    auth = event.get("Auth")
    if auth is not None and not isinstance(auth, dict):
        raise Unreadable("its Auth is computed")
    api_auth = sam_api_auth(view, api)
    name = (auth or {}).get("Authorizer", api_auth.get("DefaultAuthorizer"))
    if name is None or name == "NONE":
        return None
    if not isinstance(name, str):
        raise Unreadable("its authorizer is computed")
    if name == "AWS_IAM":
        return Caller("AWS_IAM")
    specs = api_auth.get("Authorizers")
    spec = specs.get(name) if isinstance(specs, dict) else None
    if not isinstance(spec, dict):
        raise Unreadable(f"its authorizer {name} is not among its API's Auth.Authorizers")
    kind = "COGNITO_USER_POOLS" if "UserPoolArn" in spec else f"{spec.get('FunctionPayloadType', 'TOKEN')}"
    return Caller(f"the {kind} authorizer {name}", _sam_identity(spec))


def sam_event_cache_keys(event: dict) -> list[str]:
    """The cache keys SAM writes for an event: its RequestParameters marked Caching: true."""
    params = event.get("RequestParameters")
    return [next(iter(item)) for item in params if isinstance(item, dict) and len(item) == 1
            and isinstance(next(iter(item.values())), dict) and is_true(next(iter(item.values())).get("Caching"))
            ] if isinstance(params, list) else []


_API_KEY_HEADER = "x-api-key"


def _scheme_caller(name: Any, schemes: dict) -> Caller | None:
    if name == "NONE" and name not in schemes:
        return None  # how SAM writes an event's `Authorizer: NONE`
    scheme = schemes.get(name) if isinstance(name, str) else None
    if not isinstance(scheme, dict):
        raise Unreadable(f"its security names {name!r}, which the definition's security schemes do not define")
    authtype = scheme.get("x-amazon-apigateway-authtype")
    authorizer = scheme.get("x-amazon-apigateway-authorizer")
    if authtype is None and authorizer is None:
        if scheme.get("type") == "apiKey" and str(scheme.get("name", "")).lower() == _API_KEY_HEADER:
            return None  # an API key names a usage plan's client, not a caller the answer depends on
        return Caller(f"the {scheme.get('type')} security scheme {name}")
    if str(authtype).lower() == "awssigv4":
        return Caller("AWS_IAM")
    authorizer = authorizer if isinstance(authorizer, dict) else {}
    sources = _identity_sources(authorizer.get("identitySource"))
    if not sources and scheme.get("in") == "header" and isinstance(scheme.get("name"), str):
        sources = (f"method.request.header.{scheme['name']}",)
    return Caller(f"the {authorizer.get('type', authtype)} authorizer {name}", sources)


def openapi_caller(body: dict, operation: dict) -> Caller | None:
    """The authorizer an OpenAPI operation's security (or the definition's) requires; None: none."""
    security = operation.get("security", body.get("security"))
    if security is None or security == []:
        return None
    if not isinstance(security, list) or not all(isinstance(r, dict) for r in security):
        raise Unreadable("its security is computed")
    schemes = body.get("securityDefinitions") or TemplateView.mapping(body.get("components")).get("securitySchemes")
    schemes = schemes if isinstance(schemes, dict) else {}
    found = [c for requirement in security for c in (_scheme_caller(n, schemes) for n in requirement) if c]
    return found[0] if found else None


# ---------------------------------------------------------------- redeploy (APIGW003)

# What a Deployment snapshots: a change to any of these needs a new deployment (cfn-facts §0).
SNAPSHOT_TYPES = ("AWS::ApiGateway::Method", "AWS::ApiGateway::Resource", "AWS::ApiGateway::Authorizer",
                  "AWS::ApiGateway::Model", "AWS::ApiGateway::RequestValidator", "AWS::ApiGateway::GatewayResponse")
REST_API = "AWS::ApiGateway::RestApi"


def reference_updates(view: TemplateView, old: str, new: str) -> Iterator[ReplaceValue]:
    """Point every Ref, GetAtt, Sub and DependsOn that names resource `old` at `new`, in file
    order. Only the resources and outputs that name `old` are walked (the view's referrers and an
    index of DependsOn and outputs, built once per run): renaming every deployment of many APIs
    walked the whole template once per deployment."""
    message = f"{old} is now {new}"
    dependents, outputs = view.memo(_naming_index)
    resources = view.resources
    for rid in view.in_file_order({*view.referrers(old), *dependents.get(old, ())} - {old}):
        res = resources[rid]
        if not isinstance(res, dict):
            continue
        depends = res.get("DependsOn")
        if depends == old:
            yield ReplaceValue(("Resources", rid, "DependsOn"), new, f"{rid}: {message}")
        for index, name in enumerate(depends if isinstance(depends, list) else ()):
            if name == old:
                yield ReplaceValue(("Resources", rid, "DependsOn", index), new, f"{rid}: {message}")
        for key in ("Properties", "Metadata"):
            for path, value in _references(res.get(key), ("Resources", rid, key), old, new):
                yield ReplaceValue(path, value, f"{rid}: {message}")
    for name in outputs.get(old, ()):
        for path, value in _references(view.outputs[name], ("Outputs", name), old, new):
            yield ReplaceValue(path, value, f"Outputs.{name}: {message}")


def _naming_index(view: TemplateView) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(the resources whose DependsOn names each id, the outputs that refer to each name), what
    `view.referrers` does not answer, for `reference_updates`; use as `view.memo(_naming_index)`."""
    dependents: dict[str, list[str]] = {}
    for rid, res in view.resources.items():
        for name in view.depends_on(res) if isinstance(res, dict) else ():
            dependents.setdefault(name, []).append(rid)
    outputs: dict[str, list[str]] = {}
    for name, output in view.outputs.items():
        for target in dict.fromkeys(referenced_names(output)):
            outputs.setdefault(target, []).append(name)
    return dependents, outputs


def _references(value: Any, path: tuple, old: str, new: str) -> Iterator[tuple[tuple, Any]]:
    """(path, rewritten value) for each Ref/GetAtt/Sub under `value` that names `old`."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _references(item, path + (index,), old, new)
        return
    if not isinstance(value, dict):
        return
    if len(value) == 1 and next(iter(value)) in ("Ref", "Fn::GetAtt", "Fn::Sub"):
        rewritten = renamed(value, {old: new})
        if rewritten != value:
            yield path, rewritten
        return
    for key, item in value.items():
        yield from _references(item, path + (key,), old, new)
