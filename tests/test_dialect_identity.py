"""detect_dialect finds what a plain reading of the file finds, on every corpus file and fixture.

The reference below is the detection as first written: JSON sizes measured in full by walking
each candidate's subtree again, the YAML walk reading tags through `node.tag` and each mapping
twice (it shares detect_dialect's counters, its sequence check and the helpers that read the
text). detect_dialect computes the same more cheaply (sizes bottom-up, once per node); every
field of its Dialect must equal the reference's, on the shared corpus, the fixtures, the examples, generated templates,
and files large enough for the sample limit to decide which nodes vote.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from autofix import dialect as dialect_module
from autofix.dialect import JSON_INLINE_WIDTH, Dialect, detect_dialect
from autofix.document import parse
from autofix.errors import TemplateError
from autofix.scalars import SHORT_TAGS
from tests.conftest import CORPUS
from tests.test_editor_properties import json_documents, yaml_documents

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = (".yaml", ".yml", ".json", ".template")
SAMPLE = 20_000  # the reference's sample: the nodes looked at
most = dialect_module._most


# ---------------------------------------------------------------- the reference


def reference(text: str, root: MappingNode, fmt: str, sample: int = SAMPLE) -> Dialect:
    first_break = text.find("\n")
    eol = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"
    final_newline = text.endswith("\n")
    if fmt == "json":
        indent, colon = dialect_module._json_style(text, root)
        objects, arrays = ref_json_expansion(root, sample)
        return Dialect(fmt="json", eol=eol, final_newline=final_newline, short_tags=False,
                       json_indent=indent, json_colon=colon, quote='"',
                       json_expand_objects=objects, json_expand_arrays=arrays)
    counts = RefCounts()
    counts.walk(root, sample)
    return Dialect(fmt="yaml", eol=eol, final_newline=final_newline,
                   map_indent=most(counts.map_indent, 2), seq_indent=most(counts.seq_indent, 2),
                   item_offset=most(counts.item_offset, 2),
                   quote='"' if counts.quotes['"'] > counts.quotes["'"] else "'",
                   short_tags=counts.short >= counts.long,
                   blank_between_resources=dialect_module._blank_between_resources(text, root))


class RefCounts(dialect_module._Counts):
    """The counters and the sequence check of detect_dialect; the walk and mapping check as first written."""

    def walk(self, root: Node, sample: int) -> None:
        stack = [root]
        seen = 0
        while stack and seen < sample:
            node = stack.pop()
            seen += 1
            if node.tag in SHORT_TAGS:
                self.short += 1
            if isinstance(node, ScalarNode):
                if node.style in ("'", '"'):
                    self.quotes[node.style] += 1
            elif isinstance(node, SequenceNode):
                self._sequence(node)
                stack.extend(node.value)
            elif isinstance(node, MappingNode):
                self.mapping(node)
                for key, value in node.value:
                    if isinstance(key, ScalarNode) and (key.value == "Ref" or key.value.startswith("Fn::")):
                        self.long += 1
                    stack.append(value)

    def mapping(self, node: MappingNode) -> None:
        if node.flow_style:
            return
        col = node.start_mark.column
        for key, value in node.value:
            if key.start_mark.line == value.start_mark.line or getattr(value, "flow_style", True):
                continue
            if isinstance(value, MappingNode):
                self.map_indent[value.start_mark.column - col] += 1
            elif isinstance(value, SequenceNode):
                self.seq_indent[value.start_mark.column - col] += 1


def ref_json_expansion(root: MappingNode, sample: int) -> tuple[bool, bool]:
    votes: dict[type, Counter] = {MappingNode: Counter(), SequenceNode: Counter()}
    structural = dialect_module._property_blocks(root)
    stack = [(node, 1) for _, node in root.value]
    seen = 0
    while stack and seen < sample:
        node, depth = stack.pop()
        seen += 1
        if not isinstance(node, MappingNode | SequenceNode) or not node.value:
            continue
        one_line = node.start_mark.line == node.end_mark.line
        if depth >= 3 and id(node) not in structural and ref_json_size(node) <= JSON_INLINE_WIDTH:
            votes[type(node)][not one_line] += 1
        if not one_line:
            children = [value for _, value in node.value] if isinstance(node, MappingNode) else node.value
            stack.extend((child, depth + 1) for child in children)
    objects, arrays = (votes[kind][True] > votes[kind][False] if votes[kind] else None
                       for kind in (MappingNode, SequenceNode))
    return (objects if objects is not None else bool(arrays),
            arrays if arrays is not None else bool(objects))


def ref_json_size(node: Node) -> int:
    """Length of the node's one-line JSON (`{"k": v, "l": [1, 2]}`), in full."""
    if isinstance(node, ScalarNode):
        return node.end_mark.index - node.start_mark.index
    if isinstance(node, MappingNode):
        parts = [ref_json_size(key) + 2 + ref_json_size(value) for key, value in node.value]
    else:
        parts = [ref_json_size(item) for item in node.value]
    return 2 + sum(parts) + 2 * max(len(parts) - 1, 0)


# ---------------------------------------------------------------- the files


def files() -> list[Path]:
    found = sorted(p for p in (ROOT / "tests" / "patches").rglob("*") if p.suffix in SUFFIXES)
    found += sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in SUFFIXES)
    if CORPUS.is_dir():
        found += sorted(p for p in CORPUS.rglob("*") if p.suffix in SUFFIXES)
    return found


def assert_same(text: str) -> str | None:
    try:
        doc = parse(text)
    except TemplateError:
        return None
    assert detect_dialect(doc.source, doc.root, doc.fmt) == reference(doc.source, doc.root, doc.fmt)
    return doc.fmt


def test_every_corpus_file_and_fixture_gets_the_reference_dialect() -> None:
    formats: Counter = Counter()
    for path in files():
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        formats[assert_same(text)] += 1
    assert formats["json"] and formats["yaml"]  # both detections were compared


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_the_corpus_holds_json_files_of_each_expansion_habit() -> None:
    """The comparison above meets both answers of each JSON vote, not one answer everywhere."""
    habits = set()
    for path in sorted(CORPUS.rglob("*.json")):
        try:
            doc = parse(path.read_bytes().decode("utf-8-sig"))
        except (TemplateError, UnicodeDecodeError):
            continue
        if doc.fmt == "json":
            habits.add((doc.dialect.json_expand_objects, doc.dialect.json_expand_arrays))
    assert {True, False} <= {objects for objects, _ in habits}
    assert {True, False} <= {arrays for _, arrays in habits}


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(json_documents())
def test_generated_json_templates_get_the_reference_dialect(text: str) -> None:
    assert assert_same(text) in ("json", None)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(yaml_documents())
def test_generated_yaml_templates_get_the_reference_dialect(text: str) -> None:
    assert assert_same(text) in ("yaml", None)


# ---------------------------------------------------------------- the sample limit


def big_json(resources: int) -> str:
    """Open resources first, then fewer compact ones, which the walk meets first: the sample decides."""
    lines = []
    for i in range(resources):
        if i < 2 * resources // 3:
            props = '"Role": {\n        "Ref": "R"\n      },\n      "Layers": [\n        "L"\n      ]'
        else:
            props = '"Role": {"Ref": "R"}, "Layers": ["L", {"Ref": "M"}], "Tags": [{"Key": "k", "Value": "v"}]'
        lines.append(f'    "R{i}": {{\n      "Type": "AWS::Lambda::Function",\n      "Properties": {{\n'
                     f'      {props}\n      }}\n    }}')
    return '{\n  "Resources": {\n' + ",\n".join(lines) + "\n  }\n}\n"


def big_yaml(resources: int) -> str:
    """Two indent habits and both quote styles, one in each half: the sample decides."""
    parts = ["Resources:\n"]
    for i in range(resources):
        if i < resources // 2:
            parts.append(f"  R{i}:\n    Type: 'AWS::SNS::Topic'\n    Properties:\n      Tags:\n      - Key: 'k'\n"
                         f"        Value: !Ref X\n")
        else:
            parts.append(f'  R{i}:\n    Type: "AWS::SNS::Topic"\n    Properties:\n        Tags:\n'
                         f'            -   Key: "k"\n                Value:\n                    Ref: X\n'
                         f'                Other: {{"Fn::GetAtt": [A, B]}}\n')
    return "".join(parts)


@pytest.mark.parametrize("make", [big_json, big_yaml])
def test_files_beyond_the_sample_get_the_reference_dialect(make) -> None:
    for resources in (1_000, 2_500, 5_000):
        assert assert_same(make(resources)) is not None
    doc = parse(make(5_000))
    assert reference(doc.source, doc.root, doc.fmt) != reference(doc.source, doc.root, doc.fmt, sample=10**9)


def nested_json(depth: int) -> str:
    """A property nested `depth` levels deep, each level over several lines."""
    inner = '{"A": [1, 2]}'
    for level in range(depth):
        pad = "  " * (depth - level)
        inner = f'[\n{pad}  {inner}\n{pad}]' if level % 2 else f'{{\n{pad}  "K": {inner}\n{pad}}}'
    return '{\n  "Resources": {\n    "R": {\n      "Type": "T",\n      "Properties": {\n        "P": ' \
        + inner + '\n      }\n    }\n  }\n}\n'


def test_a_json_file_nested_as_deep_as_the_loader_accepts_gets_the_reference_dialect() -> None:
    """The size of each level comes from the one below: no depth the loader takes is too deep."""
    deepest = next(depth for depth in range(1_000, 0, -20) if assert_same(nested_json(depth)) is not None)
    assert deepest >= 200
