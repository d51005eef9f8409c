"""CloudFront in front of a bucket: which buckets of the template a distribution may send
plain-HTTP requests to. CloudFront forwards to an S3 (REST) origin in the protocol the viewer
used, so a cache behaviour with ViewerProtocolPolicy allow-all reaches the bucket over HTTP;
an origin with a CustomOriginConfig follows its OriginProtocolPolicy instead."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.model.buckets import bucket_ids, props_of
from autofix.values import is_intrinsic, referenced_names, text_of
from autofix.view import TemplateView

DISTRIBUTION = "AWS::CloudFront::Distribution"
HTTPS_VIEWERS = ("https-only", "redirect-to-https")


def http_via_cloudfront(view: TemplateView) -> dict[str, str]:
    """Bucket -> why a CloudFront distribution of the template may send it plain-HTTP requests
    (and what to change first), read once per view."""
    return view.memo(_http_to_buckets)


def _http_to_buckets(view: TemplateView) -> dict[str, str]:
    """http_via_cloudfront's index; the first distribution found wins."""
    buckets = {rid: text_of(props_of(view, rid).get("BucketName")) for rid in bucket_ids(view)}
    found: dict[str, str] = {}
    for did, res in view.of_type(DISTRIBUTION):
        for rid, why in _distribution_http(view, did, view.props(res), buckets):
            found.setdefault(rid, why)
    return found


def _origin_buckets(value: Any, buckets: dict[str, str | None]) -> set[str]:
    """Buckets an origin's domain names: by Ref, GetAtt or Sub, or as text starting '<BucketName>.s3'."""
    named = set(referenced_names(value)) & set(buckets)
    text = text_of(value)
    if text is not None:
        named |= {rid for rid, name in buckets.items() if name and text.startswith(f"{name}.s3")}
    return named


def _distribution_http(view: TemplateView, did: str, props: dict,
                       buckets: dict[str, str | None]) -> Iterator[tuple[str, str]]:
    config = props.get("DistributionConfig") if isinstance(props, dict) else None
    if not isinstance(config, dict) or is_intrinsic(config):
        for rid in _origin_buckets(props, buckets):
            yield rid, _unreadable(did, "DistributionConfig")
        return
    origins = config.get("Origins", [])
    if not isinstance(origins, list):
        origins = [origins]  # an intrinsic: read as one origin that cannot be read
    for origin in origins:
        if not isinstance(origin, dict) or is_intrinsic(origin):
            for rid in _origin_buckets(origin, buckets):
                yield rid, _unreadable(did, "Origins entry that names it")
            continue
        named = _origin_buckets(origin.get("DomainName"), buckets)
        if named:
            why = _origin_http(did, config, origin.get("Id"), origin.get("CustomOriginConfig"))
            yield from ((rid, why) for rid in named if why)
    for key in ("S3Origin", "CustomOrigin"):  # legacy origins: no Id, so every behaviour may reach them
        legacy = config.get(key)
        named = _origin_buckets(legacy.get("DNSName") if isinstance(legacy, dict) else legacy, buckets)
        if named:
            why = _origin_http(did, config, None, legacy if key == "CustomOrigin" else None)
            yield from ((rid, why) for rid in named if why)


def _origin_http(did: str, config: dict, oid: Any, custom: Any) -> str | None:
    """Why the origin `oid` of a distribution may be reached over HTTP, or None when it is not."""
    if custom is not None:
        protocol = custom.get("OriginProtocolPolicy") if isinstance(custom, dict) else None
        if protocol == "https-only":
            return None  # CloudFront reaches it over HTTPS whatever the viewer used
        if protocol == "http-only":
            return (f"CloudFront distribution {did} reaches it over HTTP (origin {oid or 'of the bucket'} has "
                    "OriginProtocolPolicy http-only), so a TLS-only policy would answer every cache miss with 403; "
                    "set OriginProtocolPolicy to https-only first")
        if protocol != "match-viewer":
            return _unreadable(did, "OriginProtocolPolicy of the origin that names it")
    if oid is not None and not isinstance(oid, str):
        return _unreadable(did, "origin Id, so which cache behaviours reach it,")
    targets = _targets(config, oid)
    if targets is None:
        return _unreadable(did, "OriginGroups")
    behaviours = [("DefaultCacheBehavior", config.get("DefaultCacheBehavior"))]
    more = config.get("CacheBehaviors", [])
    if not isinstance(more, list):
        return _unreadable(did, "CacheBehaviors")
    behaviours += [(f"CacheBehaviors {b.get('PathPattern') if isinstance(b, dict) else '(computed)'}", b)
                   for b in more]
    for where, behaviour in behaviours:
        if behaviour is None and where == "DefaultCacheBehavior":
            continue
        if not isinstance(behaviour, dict) or is_intrinsic(behaviour):
            return _unreadable(did, where)
        target = behaviour.get("TargetOriginId")
        if oid is not None and not isinstance(target, str):
            return _unreadable(did, f"TargetOriginId of {where}")
        if oid is not None and target not in targets:
            continue
        policy = behaviour.get("ViewerProtocolPolicy")
        if policy == "allow-all":
            return (f"CloudFront distribution {did} lets viewers use HTTP ({where} for origin "
                    f"{target or 'of the bucket'} has ViewerProtocolPolicy allow-all) and forwards their requests "
                    "to an S3 origin in the protocol they used, so a TLS-only policy would answer every HTTP "
                    "cache miss with 403; set the behaviours for this origin to redirect-to-https or https-only "
                    "first")
        if policy not in HTTPS_VIEWERS:
            return _unreadable(did, f"ViewerProtocolPolicy of {where}")
    return None


def _targets(config: dict, oid: str | None) -> set[str] | None:
    """The ids a cache behaviour reaches origin `oid` by: its own and its origin groups'; None when
    OriginGroups cannot be read."""
    groups = config.get("OriginGroups")
    targets = {oid} if oid else set()
    if groups is None or oid is None:
        return targets
    items = groups.get("Items") if isinstance(groups, dict) and not is_intrinsic(groups) else None
    if not isinstance(items, list):
        return None
    for group in items:
        members = group.get("Members") if isinstance(group, dict) else None
        member_items = members.get("Items") if isinstance(members, dict) else None
        if not isinstance(member_items, list) or not isinstance(group.get("Id"), str):
            return None
        ids = [m.get("OriginId") if isinstance(m, dict) else None for m in member_items]
        if not all(isinstance(i, str) for i in ids):
            return None
        if oid in ids:
            targets.add(group["Id"])
    return targets


def _unreadable(did: str, what: str) -> str:
    return (f"CloudFront distribution {did} serves it and its {what} cannot be read, so plain-HTTP requests "
            "forwarded to the bucket (CloudFront uses the viewer's protocol for S3 origins) cannot be ruled out "
            "and a TLS-only policy would answer them with 403; make the distribution's behaviours for this origin "
            "redirect-to-https or https-only (literally) first")
