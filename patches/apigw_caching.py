"""APIGW002: where a REST stage caches, cache every method, encrypted, keyed by its parameters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from autofix.edits import Advice, Proposal, ReplaceValue, SetKey, Skip
from autofix.registry import SAFE, Patch
from autofix.values import is_intrinsic, ref
from autofix.view import TemplateView

from ._apigw import (METHOD, REST_STAGE, SAM_API, cache_key_names, cached_entries_unencrypted, header_parameters,
                     invalid_cache_size, is_cache_key, is_true, merge_default_entry, props_path, sam_cache_enabled,
                     sam_cached_events, sam_method_settings, sam_property)
from ._params import ensure_parameter

VALID_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")


class ApigwCaching(Patch):
    id = "APIGW002"
    name = "apigw-caching"
    title = "Cache and encrypt every method of stages whose cache cluster is on"
    safety = SAFE
    resource_types = (REST_STAGE, SAM_API, METHOD, "AWS::Serverless::Function")
    resolves = ("API_GW_CACHE_ENABLED_AND_ENCRYPTED",)
    explanation = (
        "For REST stages and SAM Apis with CacheClusterEnabled: true (Globals.Api counts), merges\n"
        "CachingEnabled: true, CacheTtlInSeconds (default 300) and CacheDataEncrypted: true into the\n"
        "'/*' '*' MethodSettings entry, encrypts other cached entries, and sets CacheClusterSize from\n"
        "the ApiCacheClusterSize parameter (default 0.5, the service default) when it is missing or not\n"
        "a valid size. GET/ANY methods of those APIs get Integration.CacheKeyParameters from their\n"
        "declared querystring/path parameters (they take effect with a new deployment: apigw-redeploy);\n"
        "SAM Api events (GET/ANY) on those APIs mark theirs Caching: true (SAM redeploys by itself).\n"
        "The cache cluster itself is never switched on: it is billed hourly, so that is your decision."
    )

    @dataclass(frozen=True)
    class Options:
        ttl: int = 300
        size_parameter: str = "ApiCacheClusterSize"
        size_default: str = "0.5"

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        opts = self.options
        if not 0 <= opts.ttl <= 3600 or opts.size_default not in VALID_SIZES:
            raise ValueError(f"ttl must be 0-3600 and size_default one of {VALID_SIZES}")
        settings = {"CachingEnabled": True, "CacheTtlInSeconds": opts.ttl, "CacheDataEncrypted": True}
        size = ref(opts.size_parameter)
        message = f"cache every method for {opts.ttl}s, encrypted"
        edits: list[Proposal] = []
        cached_apis: list[Any] = []  # RestApiId values of caching stages, compared as written
        for rid, res in view.of_type(REST_STAGE):
            if is_true(view.props(res).get("CacheClusterEnabled")):
                cached_apis.append(view.props(res).get("RestApiId"))
            edits += self._rest_stage(view, rid, settings, size, message)
        wanted = lambda res: sam_cache_enabled(view, res)  # noqa: E731
        edits += sam_property(view, "Api", "CacheClusterSize", size, f"cache size from {opts.size_parameter}", wanted,
                              after="CacheClusterEnabled")
        edits += sam_method_settings(view, settings, message, wanted)
        edits += cached_entries_unencrypted(view, ("Globals", "Api"), "Globals.Api")
        edits += invalid_cache_size(view, ("Globals", "Api"), "Globals.Api", size, VALID_SIZES)
        for rid, res in view.of_type(SAM_API):
            edits += cached_entries_unencrypted(view, props_path(rid), rid)
            if wanted(res):
                cached_apis.append(ref(rid))
                edits += invalid_cache_size(view, props_path(rid), rid, size, VALID_SIZES)
        edits += self._cache_keys(view, cached_apis)
        edits += self._sam_cache_keys(view, wanted)
        if any(isinstance(e, SetKey | ReplaceValue) and e.value == size for e in edits):
            yield from ensure_parameter(view, opts.size_parameter, {
                "Type": "String", "Default": opts.size_default, "AllowedValues": list(VALID_SIZES),
                "Description": "API Gateway cache cluster size in GB (billed hourly; size it by load test)"})
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
            yield SetKey(props_path(rid), "CacheClusterSize", size, f"{rid}: cache size from a parameter",
                         after="CacheClusterEnabled")
        yield from invalid_cache_size(view, props_path(rid), rid, size, VALID_SIZES)
        yield from merge_default_entry(view, props_path(rid), settings, f"{rid}: {message}", rid)
        yield from cached_entries_unencrypted(view, props_path(rid), rid)

    @staticmethod
    def _cache_keys(view: TemplateView, cached_apis: list[Any]) -> Iterator[Proposal]:
        changed = []
        for rid, res in view.of_type(METHOD):
            props = view.props(res)
            if props.get("RestApiId") not in cached_apis or not isinstance(props.get("Integration"), dict):
                continue
            names = cache_key_names(props)
            if names and "CacheKeyParameters" not in props["Integration"]:
                changed.append(rid)
                yield SetKey(props_path(rid) + ("Integration",), "CacheKeyParameters", names,
                             f"{rid}: cache per {', '.join(n.rsplit('.', 1)[1] for n in names)}")
            if header_parameters(props) and "CacheKeyParameters" not in props["Integration"]:
                yield Advice(props_path(rid) + ("RequestParameters",), f"{rid}: the cache ignores request headers "
                             "unless they are cache keys; add any header the response depends on")
        if changed:
            yield Advice(props_path(changed[0]), f"{', '.join(changed)}: new cache keys take effect with a new "
                         "Deployment (apigw-redeploy renames it; otherwise redeploy the stage)")

    @staticmethod
    def _sam_cache_keys(view: TemplateView, wanted: Callable[[dict | None], bool]) -> Iterator[Proposal]:
        """SAM Api events: `Caching: true` on declared querystring/path parameters (SAM then
        writes CacheKeyParameters, and redeploys by itself since the API definition changed)."""
        for fid, path, props in sam_cached_events(view, wanted):
            params = props.get("RequestParameters")
            items = list(enumerate(params)) if isinstance(params, list) else []
            keyed = [(index, item) for index, item in items if _uncached_key(item)]
            names = ", ".join(_param_name(item).rsplit(".", 1)[1] for _, item in keyed)
            message = f"{fid}: cache {path[-2]} per {names}"
            for index, item in keyed:
                at = path + ("RequestParameters", index)
                if isinstance(item, str):
                    yield ReplaceValue(at, {item: {"Caching": True}}, message)
                else:
                    yield SetKey(at + (_param_name(item),), "Caching", True, message)
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
