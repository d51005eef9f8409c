"""Invariant: no export of a pseudo parameter or a state-like attribute (exports freeze values)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autofix.api import build_patches, fix_text
from autofix.fastload import load_data
from autofix.semantics import new_violations
from autofix.semantics.exports import frozen_reason, no_frozen_pseudo_or_state_exports
from autofix.semantics.model import Deployed

FIXTURES = Path(__file__).resolve().parent / "patches" / "output-exports"
ONLY = (no_frozen_pseudo_or_state_exports,)


def _export(value: object) -> dict:
    return {"Value": value, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-X"}}}


# What OUT001 used to write: every output exported, pseudo parameters and states included.
BROKEN = {
    "Resources": {"Fn": {"Type": "AWS::Lambda::Function"}, "Bucket": {"Type": "AWS::S3::Bucket"}},
    "Outputs": {
        "BucketName": _export({"Ref": "Bucket"}),
        "Region": _export({"Ref": "AWS::Region"}),
        "Account": _export({"Fn::Sub": "${AWS::AccountId}"}),
        "SnapStart": _export({"Fn::GetAtt": ["Fn", "SnapStartResponse.OptimizationStatus"]}),
        "EndpointState": _export({"Fn::GetAtt": "Endpoint.State"}),
    },
}


def test_old_out001_output_violates() -> None:
    found = list(no_frozen_pseudo_or_state_exports(Deployed(BROKEN)))
    assert sorted(v.resource for v in found) == ["Account", "EndpointState", "Region", "SnapStart"]
    unexported = {"Outputs": {k: {"Value": v["Value"]} for k, v in BROKEN["Outputs"].items()}}
    assert [str(v) for v in new_violations(unexported, BROKEN, ONLY)] == [str(v) for v in found]


@pytest.mark.parametrize("name", ["exports_only_the_authors_values.out.yaml",
                                  "exports_only_the_authors_values.out.json", "sam.out.yaml"])
def test_repaired_fixtures_pass(name: str) -> None:
    path = FIXTURES / name
    data = load_data(path.read_text(), "json" if path.suffix == ".json" else "yaml")
    assert list(no_frozen_pseudo_or_state_exports(Deployed(data))) == []


def test_out001_never_exports_what_the_invariant_forbids() -> None:
    source = (FIXTURES / "exports_only_the_authors_values.in.yaml").read_text()
    result = fix_text(source, build_patches(select=["OUT001"], unsafe=True))
    assert result.status == "fixed"
    assert new_violations(load_data(source, "yaml"), load_data(result.output, "yaml"), ONLY) == []


@pytest.mark.parametrize("value", [
    {"Ref": "Bucket"}, {"Fn::GetAtt": ["Bucket", "Arn"]}, {"Fn::Sub": "${AWS::StackName}-queue"},
    {"Fn::Sub": "https://${Api}.execute-api.${AWS::Region}.amazonaws.com/Prod"},
    {"Fn::Sub": ["${Region}", {"Region": {"Ref": "AWS::Region"}}]},
])
def test_values_of_the_stack_may_be_exported(value: object) -> None:
    assert frozen_reason(value) is None


def test_attributes_that_change_without_cloudformation_may_not_be_exported() -> None:
    data = {"Resources": {"Rule": {"Type": "AWS::Config::ConfigRule"}, "Host": {"Type": "AWS::EC2::Instance"},
                          "Address": {"Type": "AWS::EC2::EIP"}},
            "Outputs": {"Compliance": _export({"Fn::GetAtt": ["Rule", "Compliance.Type"]}),
                        "Url": _export({"Fn::Sub": "http://${Host.PublicDnsName}/"}),
                        "Joined": _export({"Fn::Join": [":", [{"Fn::GetAtt": "Host.PublicIp"}, "80"]]}),
                        "Private": _export({"Fn::GetAtt": ["Host", "PrivateIp"]}),
                        "Elastic": _export({"Fn::GetAtt": ["Address", "PublicIp"]})}}
    found = list(no_frozen_pseudo_or_state_exports(Deployed(data)))
    assert sorted(v.resource for v in found) == ["Compliance", "Joined", "Url"]
