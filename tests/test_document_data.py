"""What `parse` makes of each node's tag and value, and the refusals it words, under either
composer: the shortcuts the builder takes for resolved tags (none written) and for trees
without anchors must read every template as the full rules do."""

from __future__ import annotations

import math
from typing import Any

import pytest

from autofix import ccompose
from autofix.document import parse
from autofix.errors import TemplateError
from tests.test_c_composer import composer

RESOURCE = "Resources:\n  A:\n    Type: X\n"
COMPOSERS = ["pure", pytest.param("c", marks=pytest.mark.skipif(not ccompose.AVAILABLE,
                                                                 reason="ruamel.yaml.clibz is not installed"))]


def resource(lines: str, name: str) -> dict:
    with composer(name):
        return parse(RESOURCE + lines).data["Resources"]["A"]


def refusal(lines: str, name: str) -> tuple[str, int | None, int | None]:
    with composer(name), pytest.raises(TemplateError) as caught:
        parse(RESOURCE + lines)
    return str(caught.value), caught.value.line, caught.value.col


@pytest.mark.parametrize("name", COMPOSERS)
@pytest.mark.parametrize(("lines", "message"), [
    ("    1: a\n    1.0: b\n", "duplicate key 1.0 (first at line 4)"),
    ("    1: a\n    true: b\n", "duplicate key True (first at line 4)"),
    ("    .nan: a\n    .NaN: b\n", "duplicate key nan (first at line 4)"),
])
def test_duplicate_keys_are_keys_equal_as_data(lines: str, message: str, name: str) -> None:
    assert refusal(lines, name) == (message, 5, 5)


@pytest.mark.parametrize("name", COMPOSERS)
def test_duplicate_key_is_refused_before_a_bad_key_after_it(name: str) -> None:
    assert refusal("    K: 1\n    K: 2\n    [x]: 3\n", name) == ("duplicate key 'K' (first at line 4)", 5, 5)


@pytest.mark.parametrize("name", COMPOSERS)
@pytest.mark.parametrize("lines", ["    <<: {a: 1}\n", "    !!merge x: 1\n"])
def test_merge_key_is_refused_resolved_or_written(lines: str, name: str) -> None:
    assert refusal(lines, name) == ("YAML merge keys (<<) are not supported in templates", 4, 5)


@pytest.mark.parametrize("name", COMPOSERS)
@pytest.mark.parametrize(("lines", "message", "col"), [
    ("    P: !!map x\n", "unsupported YAML tag !!map", 8),
    ("    P: !!str [a]\n", "unsupported YAML tag !!str", 8),
    ("    P: !!int x\n", "!!int 'x' is not a valid int", 8),
    ("    P: !!str 5\n", "!!str on the unquoted value '5' is not supported; quote it instead", 8),
    ("    P: !Nope x\n", "unknown tag !Nope", 8),
    ("    !Ref x: 1\n", "mapping keys must be plain scalars, not intrinsic functions", 5),
    ("    !GetAtt A.B: 1\n", "mapping keys must be plain scalars, not intrinsic functions", 5),
    ("    !Sub '${A}': 1\n", "mapping keys must be plain scalars, not intrinsic functions", 5),
])
def test_written_tags_are_checked(lines: str, message: str, col: int, name: str) -> None:
    assert refusal(lines, name) == (message, 4, col)


@pytest.mark.parametrize("name", COMPOSERS)
@pytest.mark.parametrize(("lines", "expected"), [
    ("    P: ! 5\n", 5),  # the non-specific tag resolves as no tag
    ("    P: <<\n", "<<"),  # resolved as a merge key, read as its text
    ("    P: =\n", "="),
    ("    P: '5'\n", "5"),
    ("    P: \"true\"\n", "true"),
    ("    P: >\n      a\n      b\n\n      c\n", "a b\nc\n"),
    ("    P: !!map {a: 1}\n", {"a": 1}),
    ("    P: !!seq [1]\n", [1]),
    ("    P: !!float 5\n", 5),
    ("    P: !Ref\n", {"Ref": ""}),
    ("    P: !GetAtt A.B\n", {"Fn::GetAtt": ["A", "B"]}),
    ("    P: !If [a, {b: c}, 0x1F]\n", {"Fn::If": ["a", {"b": "c"}, 31]}),
])
def test_scalar_and_collection_data(lines: str, expected: Any, name: str) -> None:
    assert resource(lines, name)["P"] == expected


@pytest.mark.parametrize("name", COMPOSERS)
def test_plain_scalars_read_by_the_core_schema(name: str) -> None:
    values = resource("    P: [yes, true, ~, '', 0o17, 0x1F, 1e3, -.inf, .nan, 2001-12-14, 1_000]\n", name)["P"]
    assert values[:8] == ["yes", True, None, "", 15, 31, 1000.0, -math.inf]
    assert math.isnan(values[8]) and values[9:] == ["2001-12-14", "1_000"]


@pytest.mark.parametrize("name", COMPOSERS)
def test_intrinsic_values_are_frozen_and_tagged_collections_wrapped(name: str) -> None:
    with composer(name):
        doc = parse(RESOURCE + "    P: !Sub [a, {b: c}]\n    Q: !GetAtt A.B\n    R: {x: 1}\n")
    props = doc.data["Resources"]["A"]
    assert id(props["P"]) in doc.frozen and id(props["Q"]) in doc.frozen and id(props["Q"]["Fn::GetAtt"]) in doc.frozen
    assert id(props["R"]) not in doc.frozen and doc.node_of[id(props["R"])].value[0][0].value == "x"
    assert not doc.shared and not doc.shared_scalars


def test_anchored_content_is_shared_and_frozen() -> None:
    doc = parse(RESOURCE + "    P: &p {x: 1}\n    Q: *p\n    S: &s v\n    T: *s\n")
    props = doc.data["Resources"]["A"]
    assert id(props["P"]) in doc.shared and id(props["Q"]) in doc.frozen
    assert sorted(doc.shared_scalars.values()) == ["s", "s"]
    assert doc.shared_at(("Resources", "A", "S")) == (("Resources", "A", "S"), "s")


def test_only_a_plain_double_angle_resolves_as_a_merge_key() -> None:
    # The builder asks for a key's tag only when it is `<<` or written: the resolver must give
    # the merge tag to nothing else.
    from ruamel.yaml.resolver import VersionedResolver
    table = VersionedResolver().versioned_resolver
    merge = [(first, regexp) for first, entries in table.items() for tag, regexp in entries if tag.endswith(":merge")]
    assert merge and all(not regexp.match(text) for _, regexp in merge for text in ("<", "<<<", "<< ", "a<<", ""))
    assert all(first == "<" and regexp.match("<<") for first, regexp in merge)


@pytest.mark.parametrize("name", COMPOSERS)
def test_keys_like_a_merge_key_are_plain_keys(name: str) -> None:
    assert resource("    <<<: a\n    '<<': b\n", name) == {"Type": "X", "<<<": "a", "<<": "b"}


@pytest.mark.parametrize("name", COMPOSERS)
def test_prose_ampersands_are_not_walked_for_anchors(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from autofix import document
    monkeypatch.setattr(document, "_check_anchors", lambda _: pytest.fail("the tree was walked for anchors"))
    data = resource("    D: a && b & c\n    E: '&x'\n    F: |\n      &y\n", name)
    assert data["D"] == "a && b & c" and data["E"] == "&x" and data["F"] == "&y\n"


def test_an_anchor_after_prose_ampersands_is_found() -> None:
    doc = parse(RESOURCE + "    D: a && b\n    P: &p {x: 1}\n    Q: *p\n")
    assert id(doc.data["Resources"]["A"]["P"]) in doc.shared
    assert refusal("    D: a && b\n    R: &r [1]\n    S: &r 2\n", "pure")[0].startswith("duplicate anchor &r")
