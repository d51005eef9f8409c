"""Which functions are Lambda@Edge functions: named by a CloudFront distribution (the function,
a version or an alias of it), or running under a role that trusts edgelambda."""

from __future__ import annotations

from autofix.model.lambdas import is_edge_function
from autofix.view import TemplateView

ROLE = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
    {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}}}
EDGE_ROLE = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
    {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]},
     "Action": "sts:AssumeRole"}]}}}


def _function(role: str) -> dict:
    return {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "nodejs20.x", "Handler": "index.h",
                                                           "Role": {"Fn::GetAtt": [role, "Arn"]}}}


def _distribution(arn: object) -> dict:
    return {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
        "DefaultCacheBehavior": {"LambdaFunctionAssociations": [
            {"EventType": "viewer-request", "LambdaFunctionARN": arn}]}}}}


def test_a_function_a_distribution_names_through_its_version_is_an_edge_function() -> None:
    view = TemplateView({"Resources": {
        "Role": ROLE, "Fn": _function("Role"),
        "FnVersion": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}},
        "Cdn": _distribution({"Ref": "FnVersion"})}})
    assert is_edge_function(view, "Fn")


def test_a_sam_function_a_distribution_names_by_its_version_attribute_is_an_edge_function() -> None:
    view = TemplateView({"Resources": {"Role": ROLE, "Fn": _function("Role"),
                                       "Cdn": _distribution({"Ref": "Fn.Version"})}})
    assert is_edge_function(view, "Fn")


def test_a_function_whose_role_trusts_edgelambda_is_an_edge_function_without_a_distribution() -> None:
    view = TemplateView({"Resources": {"Role": EDGE_ROLE, "Fn": _function("Role")}})
    assert is_edge_function(view, "Fn")


def test_a_regional_function_beside_an_edge_one_is_not_an_edge_function() -> None:
    view = TemplateView({"Resources": {
        "Role": ROLE, "EdgeRole": EDGE_ROLE, "Fn": _function("Role"), "EdgeFn": _function("EdgeRole"),
        "Other": _function("Role"),
        "OtherVersion": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Other"}}},
        "Cdn": _distribution({"Ref": "OtherVersion"})}})
    assert not is_edge_function(view, "Fn")
    assert is_edge_function(view, "EdgeFn") and is_edge_function(view, "Other")


def test_what_is_an_edge_function_is_read_again_after_the_data_changes() -> None:
    data = {"Resources": {"Role": ROLE, "Fn": _function("Role")}}
    view = TemplateView(data)
    assert not is_edge_function(view, "Fn")
    data["Resources"]["Cdn"] = _distribution({"Fn::GetAtt": ["Fn", "Arn"]})
    view.invalidate(["Cdn"])
    assert is_edge_function(view, "Fn")
