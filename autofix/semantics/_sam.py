"""aws-sam-translator, the library AWS runs for the SAM transform, without AWS credentials."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import OrderedDict
from typing import Any

from .model import plain

# The translator logs a warning per unpublished metric and per deprecation; the verdict is ours.
logging.getLogger("samtranslator").setLevel(logging.CRITICAL)

_CACHE: OrderedDict[str, tuple[str | None, str | None]] = OrderedDict()
_CACHE_SIZE = 256


class _NoManagedPolicies:
    """The translator asks IAM for managed policy ARNs; offline, every name is unknown."""

    def load(self) -> dict:
        return {}


def translate(data: dict) -> tuple[dict | None, str | None]:
    """(translated template, None), or (None, why it could not be translated).

    Cached by content: a fixture or corpus file is judged against several repairs, and each
    judge (invariants, --validate) would otherwise translate the same original again. The
    result is a fresh copy on every call, so no caller can change another's.
    """
    fragment = plain(data)
    key = hashlib.sha256(json.dumps(fragment, sort_keys=True).encode("utf-8")).hexdigest()
    if key not in _CACHE:
        _CACHE[key] = _translate(fragment)
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    text, error = _CACHE[key]
    return (json.loads(text) if text is not None else None), error


def _translate(fragment: dict) -> tuple[str | None, str | None]:
    try:
        from samtranslator.translator.transform import transform
    except ImportError:
        return None, "aws-sam-translator is not installed"  # translation.NOT_INSTALLED
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # the translator fills in pseudo parameters
    try:
        out = transform(packaged(fragment), {}, _NoManagedPolicies(), passthrough_metadata=True)
        return json.dumps(out), None
    except Exception as exc:  # an invalid SAM template: judged as written
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]


# Where a SAM resource names local files that `sam package` would upload to S3.
_LOCAL = {
    "AWS::Serverless::Function": ("CodeUri",),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::Serverless::Api": ("DefinitionUri",),
    "AWS::Serverless::HttpApi": ("DefinitionUri",),
    "AWS::Serverless::StateMachine": ("DefinitionUri",),
}


def packaged(fragment: dict) -> dict:
    """The template as `sam package` would upload it: local paths become S3 locations.

    The translator accepts only S3 locations; templates in repositories name folders
    (`CodeUri: src/`). Each path maps to its own key, so a changed path is a changed
    location (SAM hashes the code location into AutoPublishAlias version ids). Mutates
    and returns `fragment`, which is already a private copy.
    """
    globals_ = fragment.get("Globals")
    shared = globals_.get("Function") if isinstance(globals_, dict) else None
    if isinstance(shared, dict):
        _to_s3(shared, "CodeUri")
    resources = fragment.get("Resources")
    for rid, res in (resources.items() if isinstance(resources, dict) else ()):
        props = res.get("Properties") if isinstance(res, dict) else None
        if not isinstance(props, dict):
            continue
        for key in _LOCAL.get(res.get("Type"), ()):
            _to_s3(props, key)
        if res.get("Type") == "AWS::Serverless::Function":
            _default_code(rid, props, shared if isinstance(shared, dict) else {})
        if res.get("Type") == "AWS::Serverless::Application" and "Location" in props:
            # An ApplicationId makes the translator call the Serverless Application Repository
            # with whatever AWS credentials the machine has; a template URL needs no call.
            props["Location"] = f"https://local-artifacts.s3.amazonaws.com/{rid}.yaml"
    return fragment


def _to_s3(props: dict, key: str) -> None:
    value = props.get(key)
    if isinstance(value, str) and not value.startswith("s3://"):
        path = value.strip().lstrip("./") or "root"
        props[key] = f"s3://local-artifacts/{path}"


def _default_code(rid: str, props: dict, shared: dict) -> None:
    """`sam build` packages the template's folder when a function names no code at all."""
    if any(k in props or k in shared for k in ("CodeUri", "InlineCode", "ImageUri")):
        return
    if props.get("PackageType", shared.get("PackageType")) == "Image":
        props["ImageUri"] = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/local:{rid.lower()}"
    else:
        props["CodeUri"] = "s3://local-artifacts/root"
