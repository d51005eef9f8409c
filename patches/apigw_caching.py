"""APIGW002: where a REST stage caches, cache every method, encrypted, keyed by its parameters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from autofix.edits import Advice, Proposal, ReplaceValue, SetKey, Skip
from autofix.registry import SAFE, Patch
from autofix.values import ref
from autofix.view import TemplateView

from ._apigw import (METHOD, REST_STAGE, SAM_API, cache_key_names, cached_entries_unencrypted, header_parameters,
                     invalid_cache_size, is_true, merge_default_entry, props_path, sam_cache_enabled,
                     sam_method_settings, sam_property)
from ._params import ensure_parameter

VALID_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")


class ApigwCaching(Patch):
    id = "APIGW002"
    name = "apigw-caching"
    title = "Cache and encrypt every method of stages whose cache cluster is on"
    safety = SAFE
    resource_types = (REST_STAGE, SAM_API, METHOD)
    resolves = ("API_GW_CACHE_ENABLED_AND_ENCRYPTED",)
    explanation = (
        "For REST stages and SAM Apis with CacheClusterEnabled: true (Globals.Api counts), merges\n"
        "CachingEnabled: true, CacheTtlInSeconds (default 300) and CacheDataEncrypted: true into the\n"
        "'/*' '*' MethodSettings entry, encrypts other cached entries, and sets CacheClusterSize from\n"
        "the ApiCacheClusterSize parameter (default 0.5, the service default) when it is missing or not\n"
        "a valid size. GET/ANY methods of those APIs get Integration.CacheKeyParameters from their\n"
        "declared querystring/path parameters (they take effect with a new deployment: apigw-redeploy).\n"
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
