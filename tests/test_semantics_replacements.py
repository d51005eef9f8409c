"""create_only_unchanged: after SAM translation, a resource of the original whose create-only
property a repair changed is replaced by CloudFormation; stateless types are not judged."""

from __future__ import annotations

import copy

from autofix.semantics import new_violations
from autofix.semantics.model import Deployed
from autofix.semantics.replacements import create_only_unchanged

TRANSFORM = "AWS::Serverless-2016-10-31"
CODE = {"CodeUri": "src/", "Handler": "app.handler", "Runtime": "python3.12"}


def _sam(**props: object) -> dict:
    return {"Transform": TRANSFORM, "Resources": {"Fn": {"Type": "AWS::Serverless::Function",
                                                         "Properties": {**CODE, **props}}}}


def _aliased(template: dict) -> dict:
    done = copy.deepcopy(template)
    done["Resources"]["Fn"]["Properties"]["AutoPublishAlias"] = "live"
    return done


def _found(before: dict, after: dict) -> list[str]:
    return [str(v) for v in create_only_unchanged(Deployed(before), Deployed(after))]


def test_sam_event_invoke_config_requalified_by_an_alias_is_a_replacement() -> None:
    before = _sam(EventInvokeConfig={"MaximumRetryAttempts": 2})
    (found,) = _found(before, _aliased(before))
    assert found.startswith("create_only_unchanged: FnEventInvokeConfig: AWS::Lambda::EventInvokeConfig: "
                            "Qualifier is create-only")


def test_sam_function_url_retargeted_at_an_alias_is_a_replacement() -> None:
    before = _sam(FunctionUrlConfig={"AuthType": "NONE"})
    found = _found(before, _aliased(before))
    assert [f.split(": ")[1] for f in found] == ["FnUrl"] and "TargetFunctionArn" in found[0]


def test_stateless_types_and_other_properties_are_not_replacements() -> None:
    """SAM moves the Api event's permission to the alias (a Permission is stateless); a Timeout
    is not create-only; nothing changed is nothing replaced."""
    before = _sam(Events={"Get": {"Type": "Api", "Properties": {"Path": "/x", "Method": "GET"}}})
    assert _found(before, _aliased(before)) == []
    longer = copy.deepcopy(before)
    longer["Resources"]["Fn"]["Properties"]["Timeout"] = 30
    assert _found(before, longer) == [] and _found(before, before) == []


def test_plain_template_create_only_change_is_found_and_listed_with_the_change_invariants() -> None:
    before = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": True}}}}
    after = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": False}}}}
    assert [v.invariant for v in new_violations(before, after)] == ["create_only_unchanged"]
    renamed = {"Resources": {"Other": after["Resources"]["Queue"]}}
    assert not [v for v in new_violations(before, renamed) if v.invariant == "create_only_unchanged"]
