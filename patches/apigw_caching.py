"""APIGW002: where a REST stage caches, cache every method, encrypted, keyed by its parameters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from autofix.edits import Advice, AppendItem, Proposal, ReplaceValue, SetKey, Skip
from autofix.model.apis import (
    METHOD,
    REST_API,
    REST_STAGE,
    SAM_API,
    cache_key_names,
    cache_overrides,
    cached_entries_unencrypted,
    header_parameters,
    invalid_cache_size,
    is_cache_key,
    is_cached,
    is_true,
    merge_default_entry,
    nothing_to_configure,
    openapi_cache_keys,
    path_keys,
    path_parameters,
    props_path,
    resource_path,
    sam_cache_enabled,
    sam_cached_events,
    sam_method_settings,
    sam_property,
    sam_single_stage,
)
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
        "cacheKeyParameters and path parameters. Headers stay advice. A SAM Api it configures gets\n"
        "OpenApiVersion '2.0' when it has none (see apigw-throttling). The cache cluster itself is never\n"
        "switched on: it is billed hourly, so that is your decision."
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
        cached_apis: list[Any] = []  # RestApiId values of caching stages, compared as written
        overrides: list[tuple[Any, set]] = []  # and the methods each caches by a per-method entry
        for rid, res in view.of_type(REST_STAGE):
            if is_true(view.props(res).get("CacheClusterEnabled")):
                cached_apis.append(view.props(res).get("RestApiId"))
                entries = view.props(res).get("MethodSettings")
                overrides.append((view.props(res).get("RestApiId"), cache_overrides(entries)))
            edits += self._rest_stage(view, rid, settings, size, message)
        wanted = lambda res: sam_cache_enabled(view, res)  # noqa: E731
        edits += sam_property(view, "Api", "CacheClusterSize", size, f"cache size from {size_name}", wanted,
                              after="CacheClusterEnabled")
        edits += sam_method_settings(view, settings, message, wanted)
        edits += cached_entries_unencrypted(view, ("Globals", "Api"), "Globals.Api")
        edits += invalid_cache_size(view, ("Globals", "Api"), "Globals.Api", size, VALID_SIZES)
        for rid, res in view.of_type(SAM_API):
            edits += cached_entries_unencrypted(view, props_path(rid), rid)
            if wanted(res):
                cached_apis.append(ref(rid))
                edits += invalid_cache_size(view, props_path(rid), rid, size, VALID_SIZES)
        edits += self._cache_keys(view, cached_apis, overrides)
        edits += self._body_cache_keys(view, cached_apis, wanted)
        edits += self._sam_cache_keys(view, wanted)
        edits += sam_single_stage(view, edits)
        if any(isinstance(e, SetKey | ReplaceValue) and e.value == size for e in edits):
            declared = yield from view.need(size_need)
            assert declared == size_name, "names chosen before and after declaring differ"
        yield from edits

    @staticmethod
    def _rest_stage(view: TemplateView, rid: str, settings: dict, size: Any, message: str) -> Iterator[Proposal]:
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
        yield from merge_default_entry(view, props_path(rid), settings, f"{rid}: {message}", rid)
        yield from cached_entries_unencrypted(view, props_path(rid), rid)

    @staticmethod
    def _cache_keys(view: TemplateView, cached_apis: list[Any],
                    overrides: list[tuple[Any, set]]) -> Iterator[Proposal]:
        changed = []
        for rid, res in view.of_type(METHOD):
            props = view.props(res)
            integration = props.get("Integration")
            if props.get("RestApiId") not in cached_apis or not isinstance(integration, dict):
                continue
            path = resource_path(view, props.get("ResourceId"))
            entries = set().union(*(o for api, o in overrides if api == props.get("RestApiId")))
            if not is_cached(props.get("HttpMethod"), path, entries):
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
    def _body_cache_keys(view: TemplateView, cached_apis: list[Any],
                         wanted: Callable[[dict | None], bool]) -> Iterator[Proposal]:
        """Path parameters as cache keys in the OpenAPI definitions of caching APIs."""
        for rid, res in view.of_type(REST_API):
            if ref(rid) in cached_apis and "Body" in view.props(res):
                yield from openapi_cache_keys(view.props(res)["Body"], props_path(rid) + ("Body",), rid)
        for rid, res in view.of_type(SAM_API):
            if wanted(res) and "DefinitionBody" in view.props(res):
                yield from openapi_cache_keys(view.props(res)["DefinitionBody"], props_path(rid) + ("DefinitionBody",),
                                              rid)

    @staticmethod
    def _sam_cache_keys(view: TemplateView, wanted: Callable[[dict | None], bool]) -> Iterator[Proposal]:
        """SAM Api events: `Caching: true` on declared querystring/path parameters (SAM then
        writes CacheKeyParameters, and redeploys by itself since the API definition changed)."""
        for fid, path, props in sam_cached_events(view, wanted):
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
