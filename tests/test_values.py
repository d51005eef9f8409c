"""values.referenced_names: what a value refers to, in the order the patches have always read it."""

from __future__ import annotations

from typing import Any

import pytest

from autofix.values import referenced_names


@pytest.mark.parametrize(("value", "names"), [
    ({"Ref": "A"}, ["A"]),
    ({"Ref": 1}, []),  # not a name: its value is walked, and holds none
    ({"Fn::GetAtt": "Fn.Arn"}, ["Fn"]),
    ({"Fn::GetAtt": "NoDot"}, []),
    ({"Fn::GetAtt": ["Fn", "Arn"]}, ["Fn"]),
    ({"Fn::GetAtt": ["Fn", {"Ref": "Attr"}]}, ["Attr"]),  # a computed attribute: walked as a value
    ({"Fn::GetAtt": ["A", "B", "C"]}, []),
    ({"Fn::Sub": "${A}-${B.Arn}-${!Literal}-${ AWS::Region }"}, ["A", "B", "AWS::Region"]),
    ({"Fn::Sub": ["${A}-${Local}", {"Local": {"Ref": "C"}}]}, ["A", "C"]),
    ({"Fn::Sub": ["${A}", "not variables", {"Ref": "Walked"}]}, ["A"]),
    ({"Fn::Sub": []}, []),
    ({"Fn::Sub": [{"Ref": "X"}]}, ["X"]),  # not a Sub: walked
    ({"Ref": "A", "Other": {"Ref": "B"}}, ["B"]),  # two keys: an ordinary mapping
    ([{"Ref": "First"}, [{"Ref": "Second"}], "text", 5, None], ["Second", "First"]),  # depth first from the end
    ({"Fn::If": ["Cond", {"Ref": "Then"}, {"Ref": "Else"}]}, ["Else", "Then"]),
    ({1: {"Ref": "IntKey"}}, ["IntKey"]),
    ("plain", []),
    (None, []),
])
def test_referenced_names_reads_ref_getatt_and_sub_in_walk_order(value: Any, names: list[str]) -> None:
    assert list(referenced_names(value)) == names


def test_a_deeply_nested_value_does_not_exhaust_the_stack() -> None:
    value: Any = {"Ref": "Bottom"}
    for _ in range(100_000):
        value = [value]
    assert list(referenced_names(value)) == ["Bottom"]
