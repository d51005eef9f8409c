"""APIGW002: where a REST stage caches, cache every method, encrypted, keyed by its parameters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from autofix.edits import Advice, AppendItem, Proposal, ReplaceValue, SetKey, Skip
from autofix.model.apis import (
    ALL_METHODS,
    ALL_PATHS,
    METHOD,
    Caller,
    Unreadable,
    REST_API,
    REST_STAGE,
    SAM_API,
    cache_key_names,
    cache_overrides,
    cached_by_override,
    cached_entries_unencrypted,
    cached_verb,
    encoded_path,
    has_implicit_api,
    header_parameters,
    invalid_cache_size,
    is_cache_key,
    is_cached,
    is_true,
    merge_default_entry,
    method_caller,
    nothing_to_configure,
    openapi_cache_keys,
    openapi_caller,
    openapi_operations,
    path_keys,
    path_parameters,
    props_path,
    resource_path,
    sam_cache_enabled,
    sam_api_auth,
    sam_cached_events,
    sam_event_cache_keys,
    sam_event_caller,
    sam_method_settings,
    sam_property,
)
from autofix.model.indexes import ByValue, ValueSet
from autofix.model.parameters import parameter
from autofix.registry import SAFE, Patch, PatchOptions
from autofix.values import is_intrinsic, ref, ref_target
from autofix.view import TemplateView

VALID_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")


class ApigwCaching(Patch):
    id = "APIGW002"
    name = "apigw-caching"
    title = "Cache and encrypt every method of stages whose cache cluster is on"
    safety = SAFE
    resource_types = (
        REST_STAGE,
        SAM_API,
        METHOD,
        REST_API,
        "AWS::Serverless::Function",
        "AWS::Serverless::StateMachine",
    )
    resolves = ("API_GW_CACHE_ENABLED_AND_ENCRYPTED",)
    explanation = (
        "For REST stages and SAM Apis with CacheClusterEnabled: true (Globals.Api counts), merges\n"
        "CachingEnabled: true, CacheTtlInSeconds (default 300) and CacheDataEncrypted: true into the\n"
        "'/*' '*' MethodSettings entry, encrypts other cached entries, and sets CacheClusterSize from\n"
        "the ApiCacheClusterSize parameter (default 0.5, the service default) when it is missing or not\n"
        "a valid size. A cache keys on the resource path, not on the values of its path parameters, so\n"
        "every method those APIs cache (GET/ANY, and other verbs a per-method entry caches) keys on each\n"
        "path parameter of its path ({id}, {proxy+}): declared in RequestParameters\n"
        "(method.request.path.id: true) and listed in the integration's CacheKeyParameters; a method\n"
        "without CacheKeyParameters also keys on its declared querystring parameters. They take effect\n"
        "with a new deployment (apigw-redeploy). SAM Api events mark their querystring/path parameters\n"
        "Caching: true and declare missing path parameters (Required, Caching). OpenAPI definitions\n"
        "(RestApi Body, SAM DefinitionBody) get the same in x-amazon-apigateway-integration\n"
        "cacheKeyParameters and path parameters. Headers stay advice. A SAM Api keeps its OpenApiVersion\n"
        "(none: SAM's extra stage named 'Stage' stays, uncached as before, and so does its URL). The cache\n"
        "cluster itself is never switched on: it is billed hourly, so that is your decision.\n"
        "A cache keys on the path and cache key parameters only, not on the caller (an authorizer's result\n"
        "does not partition it). Where '/*' '*' caching would cache a method with an authorizer (Cognito,\n"
        "Lambda TOKEN/REQUEST, AWS_IAM, OpenAPI security; in SAM the Api's DefaultAuthorizer or the event's\n"
        "Authorizer, NONE opting out) whose cache keys lack its identity source, that stage's methods are\n"
        "not cached: '/*' '*' gets CacheDataEncrypted only (no CachingEnabled, no TTL), and a skip names\n"
        "those methods and what to do by hand (cache the public methods with their own entries, or key an\n"
        "authorized method on its identity source; an AWS_IAM method cannot be keyed). cfn-fix writes no\n"
        "per-method override: what it inherits from '/*' '*' (logging, metrics, throttling) is not\n"
        "documented. Your own entries that cache such a method are advised, not changed. Where the\n"
        "authorizers cannot be read (DefinitionUri, BodyS3Location, a computed Auth) method caching is not\n"
        "turned on either. CacheClusterEnabled alone caches no method."
    )

    class Options(PatchOptions):
        ttl: int = 300
        size_parameter: str = "ApiCacheClusterSize"
        size_default: str = "0.5"

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        opts = self.options
        if not 0 <= opts.ttl <= 3600 or opts.size_default not in VALID_SIZES:
            raise ValueError(f"ttl must be 0-3600 and size_default one of {VALID_SIZES}")
        if nothing_to_configure(view, self.resource_types):
            return
        settings = {"CachingEnabled": True, "CacheTtlInSeconds": opts.ttl, "CacheDataEncrypted": True}
        size_need = parameter(opts.size_parameter, {
            "Type": "String", "Default": opts.size_default, "AllowedValues": list(VALID_SIZES),
            "Description": "API Gateway cache cluster size in GB (billed hourly; size it by load test)"})
        # Named before the edits that use it are known; declared below only if one does.
        size_name = view.need_name(size_need)
        size = ref(size_name)
        message = f"cache every method for {opts.ttl}s, encrypted"
        edits: list[Proposal] = []
        cached_apis = ValueSet()  # RestApiId values of caching stages, compared as written
        wide_apis = ValueSet()  # and of those whose '/*' '*' entry caches (GET/ANY cached)
        overrides = ByValue()  # and the methods each caches by a per-method entry
        for rid, res in view.of_type(REST_STAGE):
            props = view.props(res)
            if is_true(props.get("CacheClusterEnabled")):
                cached_apis.add(props.get("RestApiId"))
                overrides.add(props.get("RestApiId"), cache_overrides(props.get("MethodSettings")))
            edits += self._rest_stage(view, rid, settings, size, message, wide_apis)
        wanted = lambda res: sam_cache_enabled(view, res)  # noqa: E731
        edits += sam_property(view, "Api", "CacheClusterSize", size, f"cache size from {size_name}", wanted,
                              after="CacheClusterEnabled")
        # By the SAM Api resource itself (None: the implicit API), as sam_method_settings asks.
        verdicts = {id(res): (notes, blocked) for res, notes, blocked in _sam_callers(view, wanted)}
        blocked = lambda res: verdicts.get(id(res), ((), None))[1]  # noqa: E731
        edits += sam_method_settings(view, settings, message, lambda res: wanted(res) and blocked(res) is None)
        edits += sam_method_settings(view, _ENCRYPTED, _ENCRYPT_MESSAGE,
                                     lambda res: wanted(res) and blocked(res) == _AUTHORIZED)
        edits += [note for notes, _ in verdicts.values() for note in notes]
        wide = lambda res: wanted(res) and (blocked(res) is None or _sam_default_caches(view, res))  # noqa: E731
        edits += cached_entries_unencrypted(view, ("Globals", "Api"), "Globals.Api")
        edits += invalid_cache_size(view, ("Globals", "Api"), "Globals.Api", size, VALID_SIZES)
        for rid, res in view.of_type(SAM_API):
            edits += cached_entries_unencrypted(view, props_path(rid), rid)
            if wanted(res):
                cached_apis.add(ref(rid))
                edits += invalid_cache_size(view, props_path(rid), rid, size, VALID_SIZES)
            if wide(res):
                wide_apis.add(ref(rid))
        edits += self._cache_keys(view, cached_apis, wide_apis, overrides)
        edits += self._body_cache_keys(view, wide_apis, wide)
        edits += self._sam_cache_keys(view, wanted, wide)
        if any(isinstance(e, SetKey | ReplaceValue) and e.value == size for e in edits):
            declared = yield from view.need(size_need)
            assert declared == size_name, "names chosen before and after declaring differ"
        yield from edits

    @staticmethod
    def _rest_stage(view: TemplateView, rid: str, settings: dict, size: Any, message: str,
                    wide_apis: ValueSet) -> Iterator[Proposal]:
        props = view.props(view.resources[rid])
        enabled = props.get("CacheClusterEnabled")
        if isinstance(enabled, dict):
            yield Skip(props_path(rid), f"{rid}: CacheClusterEnabled is computed; set method caching by hand")
        elif enabled is None:
            yield Advice(props_path(rid), f"{rid}: no cache cluster; turning it on (CacheClusterEnabled: true, "
                         "billed hourly) is a cost decision cfn-fix leaves to you")
        if not is_true(enabled):
            return
        if "CacheClusterSize" not in props:
            yield SetKey(props_path(rid), "CacheClusterSize", size, f"{rid}: cache size from {ref_target(size)}",
                         after="CacheClusterEnabled")
        yield from invalid_cache_size(view, props_path(rid), rid, size, VALID_SIZES)
        notes, blocked = _rest_callers(view, rid)
        if blocked is None:
            yield from merge_default_entry(view, props_path(rid), settings, f"{rid}: {message}", rid)
        elif blocked == _AUTHORIZED:
            yield from merge_default_entry(view, props_path(rid), _ENCRYPTED, f"{rid}: {_ENCRYPT_MESSAGE}", rid)
        if blocked is None or _default_caches([props.get("MethodSettings")]):
            wide_apis.add(props.get("RestApiId"))
        yield from notes
        yield from cached_entries_unencrypted(view, props_path(rid), rid)

    @staticmethod
    def _cache_keys(view: TemplateView, cached_apis: ValueSet, wide_apis: ValueSet,
                    overrides: ByValue) -> Iterator[Proposal]:
        changed = []
        for rid, res in view.of_type(METHOD):
            props = view.props(res)
            integration = props.get("Integration")
            if props.get("RestApiId") not in cached_apis or not isinstance(integration, dict):
                continue
            path = resource_path(view, props.get("ResourceId"))
            entries = set().union(*overrides.find(props.get("RestApiId")))
            cached = is_cached if props.get("RestApiId") in wide_apis else cached_by_override
            if not cached(props.get("HttpMethod"), path, entries):
                continue
            if path is None:
                yield Skip(props_path(rid), f"{rid}: its resource path is not in this template; make its path "
                           "parameters cache keys by hand, or one cached response serves every value")
            edits = list(_method_keys(rid, props, integration, path_parameters(path or "")))
            if edits:
                changed.append(rid)
            yield from edits
            if header_parameters(props) and "CacheKeyParameters" not in integration:
                yield Advice(props_path(rid) + ("RequestParameters",), f"{rid}: the cache ignores request headers "
                             "unless they are cache keys; add any header the response depends on")
        if changed:
            yield Advice(props_path(changed[0]), f"{', '.join(changed)}: new cache keys take effect with a new "
                         "Deployment (apigw-redeploy renames it; otherwise redeploy the stage)")

    @staticmethod
    def _body_cache_keys(view: TemplateView, wide_apis: ValueSet,
                         wide: Callable[[dict | None], bool]) -> Iterator[Proposal]:
        """Path parameters as cache keys in the OpenAPI definitions of APIs that cache stage-wide."""
        for rid, res in view.of_type(REST_API):
            if ref(rid) in wide_apis and "Body" in view.props(res):
                yield from openapi_cache_keys(view.props(res)["Body"], props_path(rid) + ("Body",), rid)
        for rid, res in view.of_type(SAM_API):
            if wide(res) and "DefinitionBody" in view.props(res):
                yield from openapi_cache_keys(view.props(res)["DefinitionBody"], props_path(rid) + ("DefinitionBody",),
                                              rid)

    @staticmethod
    def _sam_cache_keys(view: TemplateView, wanted: Callable[[dict | None], bool],
                        wide: Callable[[dict | None], bool]) -> Iterator[Proposal]:
        """SAM Api events: `Caching: true` on declared querystring/path parameters (SAM then
        writes CacheKeyParameters, and redeploys by itself since the API definition changed)."""
        for fid, path, props in sam_cached_events(view, wanted, wide):
            params = props.get("RequestParameters")
            if params is not None and not isinstance(params, list):
                yield Skip(path + ("RequestParameters",), f"{fid}: RequestParameters of {path[-2]} is computed; "
                           "mark its path and querystring parameters Caching: true by hand")
                continue
            items = list(enumerate(params or []))
            keyed = [(index, item) for index, item in items if _uncached_key(item)]
            declared = {_param_name(item) for _, item in items}
            route = props.get("Path")
            undeclared = [k for k in path_keys(path_parameters(route if isinstance(route, str) else ""))
                          if k not in declared]
            names = [_param_name(item) for _, item in keyed] + undeclared
            message = f"{fid}: cache {path[-2]} per {', '.join(n.rsplit('.', 1)[1] for n in names)}"
            for index, item in keyed:
                at = path + ("RequestParameters", index)
                if isinstance(item, str):
                    yield ReplaceValue(at, {item: {"Caching": True}}, message)
                else:
                    yield SetKey(at + (_param_name(item),), "Caching", True, message)
            # A path parameter is always present: Required true, as OpenAPI requires of it.
            new = [{name: {"Required": True, "Caching": True}} for name in undeclared]
            if new and params is None:
                yield SetKey(path, "RequestParameters", new, message)
            for item in new if params is not None else ():
                yield AppendItem(path + ("RequestParameters",), item, message)
            if any(str(_param_name(item)).startswith("method.request.header.") for _, item in items):
                yield Advice(path + ("RequestParameters",), f"{fid}: the cache of {path[-2]} ignores request "
                             "headers unless they are cache keys; add any header the response depends on")


def _param_name(item: Any) -> Any:
    """A SAM event request parameter is a name, or {name: {Required, Caching}}."""
    return next(iter(item)) if isinstance(item, dict) and len(item) == 1 else item


def _uncached_key(item: Any) -> bool:
    """A SAM request parameter that could key the cache and does not say whether it does."""
    name = _param_name(item)
    if not is_cache_key(name):
        return False
    if isinstance(item, str):
        return True
    spec = item[name]
    return isinstance(spec, dict) and not is_intrinsic(spec) and "Caching" not in spec


def _method_keys(rid: str, props: dict, integration: dict, path_names: list[str]) -> Iterator[Proposal]:
    """Cache keys for a cached Method: its declared querystring/path parameters when it has no
    CacheKeyParameters yet, and every path parameter of its path in any case (declared in
    RequestParameters, as API Gateway requires of a cache key). An author's list is kept."""
    current = integration.get("CacheKeyParameters")
    if current is None:
        keys = cache_key_names(props, path_names)
    elif isinstance(current, list):
        keys = [k for k in path_keys(path_names) if k not in current]
    else:
        yield Skip(props_path(rid) + ("Integration", "CacheKeyParameters"), f"{rid}: CacheKeyParameters is "
                   "computed; add its path parameters to it by hand")
        return
    if not keys:
        return
    params = props.get("RequestParameters")
    undeclared = [k for k in path_keys(path_names) if k in keys and not (isinstance(params, dict) and k in params)]
    if params is not None and not isinstance(params, dict) and undeclared:
        yield Skip(props_path(rid) + ("RequestParameters",), f"{rid}: RequestParameters is computed; declare "
                   f"{', '.join(undeclared)} and make them cache keys by hand")
        return
    message = f"{rid}: cache per {', '.join(k.rsplit('.', 1)[1] for k in keys)}"
    if params is None and undeclared:
        yield SetKey(props_path(rid), "RequestParameters", {k: True for k in undeclared}, message,
                     after="HttpMethod")
    else:
        for key in undeclared:
            yield SetKey(props_path(rid) + ("RequestParameters",), key, True, message)
    if current is None:
        yield SetKey(props_path(rid) + ("Integration",), "CacheKeyParameters", keys, message)
    else:
        for key in keys:
            yield AppendItem(props_path(rid) + ("Integration", "CacheKeyParameters"), key, message)


# ---------------------------------------------------------------- methods that answer per caller

# A stage cache keys on the resource path and the cache key parameters: an authorizer's result
# does not partition it. Where '/*' '*' caching would cache a method that answers per caller on
# keys without its identity source, the stage's methods are not cached: a per-method
# CachingEnabled: false entry would keep it out, but what such an entry inherits from '/*' '*'
# (logging, metrics, throttling) is not documented, and a scanner fails an entry with caching off.
_AUTHORIZED = "authorized"  # the stage caches no method stage-wide; its cache data is encrypted
_UNREADABLE = "unreadable"  # the stage's '/*' '*' entry is left as it is
_ENCRYPTED = {"CacheDataEncrypted": True}
_ENCRYPT_MESSAGE = "encrypt the cache data"


def _rest_callers(view: TemplateView, stage: str) -> tuple[list[Proposal], str | None]:
    """The notes on the authorized methods of a caching REST stage, and why its '/*' '*' entry
    may not cache (None: it may)."""
    props = view.props(view.resources[stage])
    entries = props.get("MethodSettings")
    if entries is not None and not (isinstance(entries, list) and all(
            isinstance(e, dict) and isinstance(e.get("ResourcePath"), str) for e in entries)):
        return [], None  # computed: merge_default_entry skips the stage, which caches nothing of cfn-fix's
    try:
        methods = list(_rest_methods(view, props.get("RestApiId")))
    except Unreadable as exc:
        return [_blocked(props_path(stage), stage, str(exc))], _UNREADABLE
    return _callers(methods, [(props_path(stage), entries)], props_path(stage), stage)


def _methods_by_api(view: TemplateView) -> ByValue:
    """The REST methods filed under their RestApiId as written: a stage finds its API's without a scan."""
    index = ByValue()
    for mid, res in view.of_type(METHOD):
        index.add(view.props(res).get("RestApiId"), (mid, res))
    return index


def _rest_methods(view: TemplateView, api: Any) -> Iterator[tuple[str, str | None, Any, Caller | None, Any]]:
    """(label, path, VERB, caller, cache keys) of every method of the RestApi `api` (as written)."""
    for mid, res in view.memo(_methods_by_api).find(api):
        props = view.props(res)
        try:
            caller = method_caller(view, props)
        except Unreadable as exc:
            raise Unreadable(f"{mid}: {exc}") from None
        path = resource_path(view, props.get("ResourceId"))
        if caller is not None and (path is None or not isinstance(props.get("HttpMethod"), str)):
            raise Unreadable(f"{mid} is authorized by {caller.kind}, and its resource path or verb is not in "
                             "this template")
        integration = view.mapping(props.get("Integration"))
        yield mid, path, str(props.get("HttpMethod")).upper(), caller, integration.get("CacheKeyParameters")
    rest = ref_target(api)
    if rest is None or view.type_of(rest) != REST_API:
        return
    rest_props = view.props(view.resources[rest])
    if "BodyS3Location" in rest_props:
        raise Unreadable(f"{rest}'s OpenAPI definition is in S3 (BodyS3Location)")
    if "Body" in rest_props:
        yield from _body_methods(rest_props["Body"], rest, lambda: None)


def _body_methods(body: Any, where: str, default: Callable[[], Caller | None]
                  ) -> Iterator[tuple[str, str | None, Any, Caller | None, Any]]:
    if not isinstance(body.get("paths") if isinstance(body, dict) else None, dict):
        raise Unreadable(f"{where}'s OpenAPI definition is computed")
    for route, verb, operation in openapi_operations(body):
        label = f"{where} {verb} {route}"
        try:
            caller = openapi_caller(body, operation) if "security" in operation or "security" in body else default()
        except Unreadable as exc:
            raise Unreadable(f"{label}: {exc}") from None
        integration = operation.get("x-amazon-apigateway-integration")
        keys = integration.get("cacheKeyParameters") if isinstance(integration, dict) else None
        yield label, route if isinstance(route, str) else None, verb, caller, keys


def _sam_callers(view: TemplateView, wanted: Callable[[dict | None], bool]
                 ) -> Iterator[tuple[dict | None, list[Proposal], str | None]]:
    """As _rest_callers, with the SAM Api each verdict is for (None: the implicit API), for SAM Apis
    that cache: their function events (Auth.Authorizer, else the API's DefaultAuthorizer) and
    DefinitionBody operations."""
    apis: list[tuple[str | None, dict | None]] = [(rid, res) for rid, res in view.of_type(SAM_API) if wanted(res)]
    if has_implicit_api(view, "Api") and wanted(None):
        apis.append((None, None))
    for rid, res in apis:
        base = props_path(rid) if rid is not None else ("Globals", "Api")  # where its entries and notes go
        own = view.props(res).get("MethodSettings") if res is not None else None
        global_entries = view.globals("Api").get("MethodSettings")
        if not isinstance(own, list | None) or not isinstance(global_entries, list | None):
            continue  # computed: sam_method_settings leaves it to the author
        try:
            methods = list(_sam_methods(view, rid, res))
        except Unreadable as exc:
            yield res, [_blocked(base, rid or "Globals.Api", str(exc))], _UNREADABLE
            continue
        sources = [(base, own)] if res is not None else []
        yield (res, *_callers(methods, sources + [(("Globals", "Api"), global_entries)], base,
                               rid or "Globals.Api", sam=True))


def _sam_default_caches(view: TemplateView, res: dict | None) -> bool:
    """The author's '/*' '*' entry of a SAM Api (or Globals.Api's) caches."""
    own = view.props(res).get("MethodSettings") if res is not None else None
    return _default_caches([own, view.globals("Api").get("MethodSettings")])


def _sam_methods(view: TemplateView, rid: str | None, res: dict | None
                 ) -> Iterator[tuple[str, str | None, Any, Caller | None, Any]]:
    props = view.props(res) if res is not None else {}
    if "DefinitionUri" in props:
        raise Unreadable(f"{rid}'s OpenAPI definition is in DefinitionUri")
    for fid, fres in view.of_type("AWS::Serverless::Function"):
        events = view.props(fres).get("Events")
        for name, event in events.items() if isinstance(events, dict) else ():
            ep = event.get("Properties") if isinstance(event, dict) and event.get("Type") == "Api" else None
            if not isinstance(ep, dict) or ("RestApiId" in ep) != (rid is not None):
                continue
            if rid is not None and ref_target(ep.get("RestApiId")) != rid:
                continue
            label = f"{fid} event {name}"
            try:
                caller = sam_event_caller(view, res, ep)
            except Unreadable as exc:
                raise Unreadable(f"{label}: {exc}") from None
            path, verb = ep.get("Path"), ep.get("Method")
            if caller is not None and not (isinstance(path, str) and isinstance(verb, str)):
                raise Unreadable(f"{label} is authorized by {caller.kind}, and its path or method is computed")
            verb = "ANY" if str(verb).lower() == "any" else str(verb).upper()
            yield label, path if isinstance(path, str) else None, verb, caller, sam_event_cache_keys(ep)
    if "DefinitionBody" in props:
        default_auth = sam_api_auth(view, res).get("DefaultAuthorizer")
        yield from _body_methods(props["DefinitionBody"], str(rid),
                                 lambda: sam_event_caller(view, res, {}) if default_auth else None)


def _blocked(at: tuple, where: str, reason: str) -> Skip:
    return Skip(at, f"{where}: method caching not turned on: {reason}, so cfn-fix cannot tell whether a cached "
                "method would serve one caller's answer to another; turn caching on by hand")


def _entry_for(sources: list[tuple[tuple, Any]], path: str, verb: str) -> tuple[tuple, dict] | None:
    """The author's per-method entry (its path, itself) for `verb path`, the exact verb before '*'."""
    encoded = encoded_path(path)
    for wanted in (verb, ALL_METHODS):
        for base, entries in sources:
            for index, entry in enumerate(entries if isinstance(entries, list) else ()):
                if (isinstance(entry, dict) and entry.get("ResourcePath") == encoded
                        and str(entry.get("HttpMethod", "")).upper() == wanted):
                    return base + ("MethodSettings", index), entry
    return None


def _default_entry(entries_lists: list[Any]) -> dict | None:
    """The author's '/*' '*' entry among MethodSettings lists (an API's before Globals.Api's)."""
    return next((e for entries in entries_lists for e in (entries if isinstance(entries, list) else ())
                 if isinstance(e, dict) and e.get("ResourcePath") == ALL_PATHS
                 and e.get("HttpMethod") == ALL_METHODS), None)


def _default_caches(entries_lists: list[Any]) -> bool:
    default = _default_entry(entries_lists)
    return default is not None and is_true(default.get("CachingEnabled"))


def _callers(methods: list, sources: list[tuple[tuple, Any]], base: tuple,
             where: str, sam: bool = False) -> tuple[list[Proposal], str | None]:
    """Advice on the author's entries that cache authorized methods, and a Skip of stage-wide
    caching (_AUTHORIZED) when '/*' '*' would cache one on keys without its identity source."""
    default = _default_entry([entries for _, entries in sources])
    author_decides = default is not None and "CachingEnabled" in default
    notes: list[Proposal] = []
    exposed: list[tuple[str, str, Caller]] = []
    for label, path, verb, caller, keys in methods:
        if caller is None or caller.keyed_by(keys) or path is None:
            continue
        shown = f"{verb} {path}"
        why = (f"{label} is authorized by {caller.kind}, and a cache keys on the path and its cache key parameters, "
               "not on the caller, so it would serve one caller's answer to every other")
        own = _entry_for(sources, path, verb)
        if own is not None and "CachingEnabled" in own[1]:
            if is_true(own[1]["CachingEnabled"]):
                notes.append(Advice(own[0], f"{where}: your MethodSettings entry caches {shown}; {why}. "
                                    + _sentence(_how_to_cache(caller, shown, sam))))
            continue
        if not cached_verb(verb):
            continue
        if author_decides:
            if is_true(default.get("CachingEnabled")):
                notes.append(Advice(base + ("MethodSettings",), f"{where}: your '/*' '*' entry caches {shown}; "
                                    f"{why}. " + _sentence(_how_to_cache(caller, shown, sam))))
            continue
        exposed.append((label, shown, caller))
    if not exposed:
        return notes, None
    return notes + [Skip(base, _uncached_stage(where, exposed, sam))], _AUTHORIZED


def _uncached_stage(where: str, exposed: list[tuple[str, str, Caller]], sam: bool) -> str:
    """Why a stage's methods are not cached stage-wide, and what to do by hand."""
    named = "; ".join(f"{label} (authorized by {caller.kind})" if label.endswith(shown)
                      else f"{shown} ({label}, authorized by {caller.kind})" for label, shown, caller in exposed)
    keyable = [f"{', '.join(caller.identity) or 'its identity source'} for {shown}"
               for _, shown, caller in exposed if caller.kind != "AWS_IAM"]
    signed = [shown for _, shown, caller in exposed if caller.kind == "AWS_IAM"]
    text = (f"{where}: method caching not turned on stage-wide ('/*' '*'): it would cache {named} on cache "
            "keys that hold no caller identity, so the cache would serve one caller's answer to another. "
            "By hand: cache the public methods with their own MethodSettings entries")
    if keyable:
        text += (f", or key an authorized method on its identity source ({_keyed_how(sam)}): {'; '.join(keyable)}, "
                 "knowing a token that rotates misses the cache")
    if signed:
        text += (f"; {', '.join(signed)} {'uses' if len(signed) == 1 else 'use'} AWS_IAM and cannot be keyed: "
                 "a SigV4 signature differs on every request")
    return text


def _keyed_how(sam: bool) -> str:
    return ("a RequestParameters entry of its event with Caching: true" if sam else
            "declared in its RequestParameters and listed in its integration's CacheKeyParameters")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _how_to_cache(caller: Caller, shown: str, sam: bool) -> str:
    if caller.kind == "AWS_IAM":
        return (f"{shown} uses AWS_IAM: its SigV4 signature differs on every request, so no cache key "
                "holds the caller; leave it uncached")
    if not caller.identity:
        return (f"to cache {shown}, make its authorizer's identity source (not in this template) a cache key "
                "of it, declared in its request parameters")
    return (f"to cache {shown} per caller, make {', '.join(caller.identity)} a cache key of it ({_keyed_how(sam)}), knowing "
            "a token that rotates misses the cache")
