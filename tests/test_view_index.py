"""The engine's speed-ups keep behaviour: the type index of TemplateView, memo, gc_paused."""

from __future__ import annotations

import gc

from autofix.document import gc_paused
from autofix.view import TemplateView


def _view() -> TemplateView:
    return TemplateView({"Resources": {
        "A": {"Type": "AWS::S3::Bucket"},
        "B": {"Type": "AWS::Lambda::Function"},
        "Odd": ["not", "a", "mapping"],
        "NoType": {"Properties": {}},
        "Computed": {"Type": {"Ref": "T"}},
        "C": {"Type": "AWS::S3::Bucket"},
        "D": {"Type": "AWS::Lambda::Function"},
    }})


def _scan(view: TemplateView, *types: str) -> list[str]:
    """What of_type returned before it had an index."""
    return [rid for rid, res in view.resources.items()
            if isinstance(res, dict) and isinstance(res.get("Type"), str) and res["Type"] in set(types)]


def test_of_type_matches_a_full_scan_in_file_order() -> None:
    view = _view()
    for types in [("AWS::S3::Bucket",), ("AWS::Lambda::Function", "AWS::S3::Bucket"),
                  ("AWS::S3::Bucket", "AWS::S3::Bucket"), ("Nope",), ()]:
        assert [rid for rid, _ in view.of_type(*types)] == _scan(view, *types)
    assert dict(view.of_type("AWS::S3::Bucket"))["A"] is view.resources["A"]


def test_of_type_sees_changes_after_invalidate() -> None:
    view = _view()
    assert [rid for rid, _ in view.of_type("AWS::SNS::Topic")] == []
    view.resources["B"]["Type"] = "AWS::SNS::Topic"  # same size: only invalidate() tells
    view.invalidate()
    assert [rid for rid, _ in view.of_type("AWS::SNS::Topic")] == ["B"]
    view.resources["E"] = {"Type": "AWS::SNS::Topic"}  # a new resource is noticed even without it
    assert [rid for rid, _ in view.of_type("AWS::SNS::Topic")] == ["B", "E"]
    view.data["Resources"] = {"Z": {"Type": "AWS::SNS::Topic"}}
    assert [rid for rid, _ in view.of_type("AWS::SNS::Topic")] == ["Z"]


def test_memo_is_computed_once_until_invalidate() -> None:
    view = _view()
    calls = []

    def buckets(v: TemplateView) -> list[str]:
        calls.append(1)
        return [rid for rid, _ in v.of_type("AWS::S3::Bucket")]

    assert view.memo(buckets) == ["A", "C"]
    assert view.memo(buckets) == ["A", "C"] and len(calls) == 1
    view.invalidate()
    assert view.memo(buckets) == ["A", "C"] and len(calls) == 2


def test_gc_paused_nests_and_restores() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left off when the caller had switched it off
    finally:
        gc.enable()


def _referring_view() -> TemplateView:
    return TemplateView({"Resources": {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"Path": {"Fn::Sub": "/${Env}/${Bucket.Arn}"}}},
        "Bucket": {"Type": "AWS::S3::Bucket", "DependsOn": "Queue"},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"Name": "jobs"}},
        "Odd": ["not", {"Ref": "Fn"}],
    }})


def _walks(monkeypatch) -> list:
    """Each value the view walks for references, as it walks it."""
    import autofix.view as view_module

    walked: list = []
    real = view_module.referenced_names

    def counting(value):
        walked.append(value)
        return real(value)

    monkeypatch.setattr(view_module, "referenced_names", counting)
    return walked


def test_referrers_and_depends_transitively_answer_as_a_scan_of_every_resource() -> None:
    view = _referring_view()
    assert view.references("Role") == {"Env", "Bucket"} and view.references("Missing") == frozenset()
    assert {name: view.referrers(name) for name in ("Fn", "Role", "Bucket", "Env", "Queue")} == {
        "Fn": ["Odd"], "Role": ["Fn"], "Bucket": ["Role"], "Env": ["Role"], "Queue": []}
    assert view.depends_transitively("Fn", "Queue")  # Fn -> Role -> Bucket -(DependsOn)-> Queue
    assert not view.depends_transitively("Queue", "Bucket")


def test_each_resource_is_walked_once_for_all_reference_questions_until_invalidate(monkeypatch) -> None:
    walked = _walks(monkeypatch)
    view = _referring_view()
    for _ in range(3):
        view.referrers("Fn")
        view.depends_transitively("Fn", "Queue")
        view.depends_transitively("Queue", "Bucket")
    assert len(walked) == len(view.resources)
    view.resources["Queue"]["Properties"]["Name"] = {"Ref": "Fn"}
    view.invalidate()  # what the engine does after applying a patch's edits
    assert view.referrers("Fn") == ["Queue", "Odd"] and view.depends_transitively("Queue", "Bucket")
    assert len(walked) == 2 * len(view.resources)


def test_invalidate_of_named_resources_rereads_only_those_and_any_replaced_mapping(monkeypatch) -> None:
    walked = _walks(monkeypatch)
    view = _referring_view()
    view.referrers("Fn")
    walked.clear()
    view.resources["Queue"]["Properties"]["Name"] = {"Ref": "Fn"}  # edited in place
    view.resources["Bucket"] = {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Value": {"Ref": "Fn"}}]}}
    view.invalidate(["Queue"])  # the Bucket mapping was replaced: noticed without being named
    assert view.referrers("Fn") == ["Bucket", "Queue", "Odd"]
    assert walked == [view.resources["Bucket"], view.resources["Queue"]]
    assert view.references("Bucket") == {"Fn"}


def test_invalidate_of_named_resources_keeps_the_type_index_while_resources_are_edited_or_added_at_the_end() -> None:
    view = _view()
    index = view._type_index()
    view.resources["A"]["Properties"] = {"BucketName": "x"}
    view.invalidate(["A"])
    assert view._type_index() is index  # edited in place, same Type: the index stands
    view.resources["B"]["Type"] = "AWS::SNS::Topic"  # same size: only the named resource tells
    view.invalidate(["B"])
    assert [rid for rid, _ in view.of_type("AWS::SNS::Topic")] == ["B"]
    view.resources["C"] = {"Type": "AWS::SQS::Queue"}  # replaced
    view.invalidate(["C"])
    assert [rid for rid, _ in view.of_type("AWS::SQS::Queue")] == ["C"]
    assert [rid for rid, _ in view.of_type("AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::SNS::Topic")] == ["A", "B", "C"]
    index = view._type_index()
    view.resources["New"] = {"Type": "AWS::SQS::Queue"}  # added at the end, as the editor adds
    view.resources["A"]["Metadata"] = {}
    view.invalidate(["A", "New"])
    assert view._type_index() is index
    assert [rid for rid, _ in view.of_type("AWS::SQS::Queue", "AWS::S3::Bucket")] == ["A", "C", "New"]
    del view.resources["New"]
    view.invalidate(["New"])
    assert [rid for rid, _ in view.of_type("AWS::SQS::Queue")] == ["C"]
    view.resources["Renamed"] = view.resources.pop("D")  # same size, named by its new id only
    view.invalidate(["Renamed"])
    assert [rid for rid, _ in view.of_type("AWS::Lambda::Function")] == ["Renamed"]


def test_in_file_order_sorts_ids_as_the_file_holds_them_and_follows_additions() -> None:
    view = _view()
    assert view.in_file_order(["D", "A", "Odd", "D", "Computed"]) == ["A", "Odd", "Computed", "D"]
    view.resources["E"] = {"Type": "AWS::S3::Bucket"}
    view.invalidate(["E"])
    assert view.in_file_order(iter(["E", "B", "NoType"])) == ["B", "NoType", "E"]
