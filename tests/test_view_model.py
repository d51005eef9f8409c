"""What TemplateView answers once for every patch: transitive dependencies and suppressions."""

from __future__ import annotations

from autofix.registry import Patch
from autofix.view import TemplateView


class _Probe(Patch):
    id = "PRB001"
    name = "probe"
    title = "Probe"
    resolves = ("CKV_AWS_1",)


def test_depends_transitively_follows_refs_subs_and_depends_on_through_a_cycle() -> None:
    view = TemplateView({"Resources": {
        "Start": {"Type": "T", "Properties": {"X": {"Ref": "Middle"}}},
        "Middle": {"Type": "T", "DependsOn": ["Loop"], "Properties": {}},
        "Loop": {"Type": "T", "Properties": {"Y": {"Fn::Sub": "${Start}-${End.Arn}"}}},
        "End": {"Type": "T"},
        "Alone": {"Type": "T"},
    }})
    assert view.depends_transitively("Start", "End")
    assert view.depends_transitively("Loop", "Start")
    assert not view.depends_transitively("Start", "Alone")
    assert not view.depends_transitively("End", "Start")


def test_suppressed_reads_cfn_fix_and_scanner_opt_outs_and_is_memoised_until_invalidated() -> None:
    resources = {
        "Ignored": {"Type": "T", "Metadata": {"cfn-fix": {"ignore": ["PRB001"]}}, "Properties": {}},
        "Skipped": {"Type": "T", "Metadata": {"checkov": {"skip": [{"id": "CKV_AWS_1"}]}}, "Properties": {}},
        "Plain": {"Type": "T", "Properties": {}},
    }
    view = TemplateView({"Resources": resources})
    patch = _Probe()
    assert [rid for rid in resources if view.suppressed(rid, patch)] == ["Ignored", "Skipped"]
    resources["Plain"]["Metadata"] = {"cfn-fix": {"ignore": ["PRB001"]}}
    assert not view.suppressed("Plain", patch)  # answered once per run of unchanged data
    view.invalidate()
    assert view.suppressed("Plain", patch)


def test_same_condition_is_equality_and_may_refer_allows_an_unconditional_target() -> None:
    view = TemplateView({"Resources": {
        "Always": {"Type": "T"},
        "InProd": {"Type": "T", "Condition": "IsProd"},
        "AlsoProd": {"Type": "T", "Condition": "IsProd"},
    }})
    assert view.same_condition("InProd", "AlsoProd") and not view.same_condition("InProd", "Always")
    assert view.may_refer("InProd", "Always")  # the target exists wherever the holder does
    assert not view.may_refer("Always", "InProd")  # a stack without IsProd lacks the target
    assert view.may_refer("InProd", "AlsoProd")


def test_renamed_rewrites_ref_getatt_and_sub_variables_but_not_sub_locals_or_literals() -> None:
    from autofix.values import renamed

    value = {"A": {"Ref": "Old"}, "B": {"Fn::GetAtt": "Old.Arn"}, "C": {"Fn::GetAtt": ["Old", "Arn"]},
             "D": {"Fn::Sub": "${Old}-${ Old.Arn }-${!Old}-${Other}"},
             "E": {"Fn::Sub": ["${Old}", {"Old": {"Ref": "Old"}}]}, "F": [{"Ref": "Other"}]}
    assert renamed(value, {"Old": "New"}) == {
        "A": {"Ref": "New"}, "B": {"Fn::GetAtt": "New.Arn"}, "C": {"Fn::GetAtt": ["New", "Arn"]},
        "D": {"Fn::Sub": "${New}-${New.Arn}-${!Old}-${Other}"},
        "E": {"Fn::Sub": ["${Old}", {"Old": {"Ref": "New"}}]}, "F": [{"Ref": "Other"}]}


def test_sub_variables_and_sub_replace_skip_escaped_literals() -> None:
    from autofix.values import sub_names, sub_replace, sub_variables

    text = "${AWS::Region}-${Fn.Arn}-${!Literal}"
    assert list(sub_variables(text)) == ["AWS::Region", "Fn.Arn"]
    assert list(sub_names(text)) == ["AWS::Region", "Fn"]
    assert sub_replace(text, lambda v: "eu" if v == "AWS::Region" else None) == "eu-${Fn.Arn}-${!Literal}"


def test_mappings_visits_every_mapping_in_lists_and_values() -> None:
    from autofix.values import mappings

    inner = {"Ref": "X"}
    value = {"A": [inner, {"B": {"C": 1}}], "D": "text"}
    assert sorted(map(repr, mappings(value))) == sorted(map(repr, [value, inner, {"B": {"C": 1}}, {"C": 1}]))
