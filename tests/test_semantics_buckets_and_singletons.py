"""Invariants for issue 11 items 10 and 17: what the old S3002 and S3008 wrote breaks them."""

from __future__ import annotations

from pathlib import Path

import pytest

from autofix.fastload import load_data
from autofix.semantics import new_violations
from autofix.semantics.apigw import account_singleton_has_opt_out
from autofix.semantics.buckets import versioned_buckets_expire_noncurrent_versions
from autofix.semantics.model import Deployed

PATCHES = Path(__file__).resolve().parent / "patches"


def _bucket(**props: object) -> dict:
    return {"Resources": {"DataBucket": {"Type": "AWS::S3::Bucket", "Properties": props}}}


def test_versioning_without_noncurrent_expiration_violates() -> None:
    # What S3008 used to write: versioning on, nothing expiring old versions.
    broken = _bucket(VersioningConfiguration={"Status": "Enabled"})
    found = list(versioned_buckets_expire_noncurrent_versions(Deployed(broken)))
    assert [v.resource for v in found] == ["DataBucket"]
    assert new_violations(_bucket(), broken, (versioned_buckets_expire_noncurrent_versions,)) == found


@pytest.mark.parametrize("props", [
    {"VersioningConfiguration": {"Status": "Suspended"}},
    {"VersioningConfiguration": {"Status": "Enabled"},
     "LifecycleConfiguration": {"Rules": [{"Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 90}}]}},
    {"VersioningConfiguration": {"Status": "Enabled"}, "LifecycleConfiguration": {"Fn::If": ["C", {}, {}]}},
])
def test_unversioned_expiring_or_computed_buckets_pass(props: dict) -> None:
    assert list(versioned_buckets_expire_noncurrent_versions(Deployed(_bucket(**props)))) == []


def test_a_disabled_rule_does_not_count() -> None:
    props = {"VersioningConfiguration": {"Status": "Enabled"}, "LifecycleConfiguration": {
        "Rules": [{"Status": "Disabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 9}}]}}
    assert len(list(versioned_buckets_expire_noncurrent_versions(Deployed(_bucket(**props))))) == 1


@pytest.mark.parametrize("case", sorted((PATCHES / "s3-versioning").glob("*.out.*")), ids=lambda p: p.name)
def test_s3008_repairs_keep_it(case: Path) -> None:
    data = load_data(case.read_text(encoding="utf-8"), "json" if case.suffix == ".json" else "yaml")
    assert list(versioned_buckets_expire_noncurrent_versions(Deployed(data))) == []


def test_a_logs_resource_policy_per_stack_violates() -> None:
    # What S3002 used to write: an unconditional resource policy in every stack.
    broken = {"Resources": {"EventsLogPolicy": {"Type": "AWS::Logs::ResourcePolicy",
                                                "Properties": {"PolicyName": "x", "PolicyDocument": "{}"}}}}
    found = list(account_singleton_has_opt_out(Deployed(broken)))
    assert [v.resource for v in found] == ["EventsLogPolicy"]
    assert "10 CloudWatch Logs resource policies" in found[0].message


def _load(path: Path) -> dict:
    return load_data(path.read_text(encoding="utf-8"), "json" if path.suffix == ".json" else "yaml")


@pytest.mark.parametrize("case", sorted((PATCHES / "s3-event-log-group").glob("*.out.*")), ids=lambda p: p.name)
def test_s3002_repairs_add_no_singleton(case: Path) -> None:
    original = _load(case.with_name(case.name.replace(".out.", ".in.")))
    assert new_violations(original, _load(case), (account_singleton_has_opt_out,)) == []
