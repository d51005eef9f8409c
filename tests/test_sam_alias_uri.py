"""LAM002 points a SAM function's callers at `Fn.Alias` through a Sub variable bound to
`!Ref Fn.Alias`: cfn-lint 1.54 and later check SAM templates untranslated and refuse
`${Fn.Alias}` written inside the Sub string (E1019), though SAM resolves both."""

from __future__ import annotations

from autofix.model.lambdas import retarget_uri

URI = "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"


def test_sam_alias_is_bound_to_a_sub_variable_not_written_in_the_string() -> None:
    path, value = retarget_uri({"Fn::Sub": URI}, "Fn", "Fn.Alias", "live")
    assert path == ()
    text, variables = value["Fn::Sub"]
    assert "${FnAlias}/invocations" in text and "Fn.Alias" not in text
    assert variables == {"FnAlias": {"Ref": "Fn.Alias"}}


def test_sam_alias_variable_does_not_shadow_one_the_string_already_uses() -> None:
    _, value = retarget_uri({"Fn::Sub": URI + "?x=${FnAlias}"}, "Fn", "Fn.Alias", "live")
    text, variables = value["Fn::Sub"]
    assert list(variables) == ["FnAlias2"] and "${FnAlias2}/invocations" in text


def test_a_plain_alias_resource_is_still_named_in_the_string() -> None:
    _, value = retarget_uri({"Fn::Sub": URI}, "Fn", "FnAlias", "live")
    assert value == {"Fn::Sub": URI.replace("${Fn.Arn}", "${FnAlias}")}
