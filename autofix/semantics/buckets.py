"""Invariants on S3 buckets as they will be deployed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .model import Deployed, Violation

BUCKET = "AWS::S3::Bucket"


def _expires_noncurrent(lifecycle: Any) -> bool:
    """A lifecycle configuration that deletes noncurrent versions (or cannot be read: not judged)."""
    if not isinstance(lifecycle, dict):
        return lifecycle is not None  # computed (Fn::If...): the author's decision, not judged
    rules = lifecycle.get("Rules")
    if not isinstance(rules, list):
        return True
    for rule in rules:
        if not isinstance(rule, dict) or rule.get("Status") == "Disabled":
            continue
        if any(k in rule for k in ("NoncurrentVersionExpiration", "NoncurrentVersionExpirationInDays")):
            return True
    return False


def versioned_buckets_expire_noncurrent_versions(t: Deployed) -> Iterator[Violation]:
    """A bucket with versioning Enabled has a rule deleting noncurrent versions (storage grows forever otherwise)."""
    for rid, res in t.of_type(BUCKET):
        props = t.props(res)
        versioning = props.get("VersioningConfiguration")
        if not isinstance(versioning, dict) or versioning.get("Status") != "Enabled":
            continue
        if not _expires_noncurrent(props.get("LifecycleConfiguration")):
            yield Violation("versioned_buckets_expire_noncurrent_versions", rid,
                            "keeps every overwritten or deleted object version forever: no lifecycle rule "
                            "expires noncurrent versions, and versioning can later only be suspended")


INVARIANTS = (versioned_buckets_expire_noncurrent_versions,)
