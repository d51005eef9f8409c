"""The C composer (ruamel.yaml.clibz) builds the very tree the pure-Python composer builds.

For every text it composes: the same nodes, in the same order, each with the same type, tag
(and whether it was written), value, style, flow style, anchor, and start and end index, line
and column; and `parse` ends the same way under either composer (same data and tree, or the
same refusal). Shown on the shared corpus, every fixture, the examples, generated templates
and generated damage to them. Where the two parsers read a text differently, the C composer
declines it and the pure one composes it as before: each known difference has a case below.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from autofix import ccompose, document
from autofix.document import COMPOSER_VARIABLE, parse
from autofix.errors import TemplateError
from tests.conftest import CORPUS
from tests.test_editor_properties import json_documents, yaml_documents

ROOT = Path(__file__).resolve().parent.parent
needs_c = pytest.mark.skipif(not ccompose.AVAILABLE, reason="ruamel.yaml.clibz is not installed")
SUFFIXES = (".yaml", ".yml", ".json", ".template")
CORPUS_FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix in SUFFIXES) if CORPUS.is_dir() else []
FIXTURES = sorted(p for p in (ROOT / "tests" / "patches").rglob("*") if p.suffix in SUFFIXES) \
    + sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in SUFFIXES)
TOPIC = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"


def rows(root: Node | None) -> list[tuple]:
    """Every node in document order with all it says; a node met again (an alias) by number."""
    out: list[tuple] = []
    number: dict[int, int] = {}
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            out.append(None)
            continue
        if id(node) in number:
            out.append(("alias", number[id(node)]))
            continue
        number[id(node)] = len(number)
        start, end = node.start_mark, node.end_mark
        out.append((type(node).__name__, node.tag, node.ctag.handles is not None,
                    node.value if isinstance(node, ScalarNode) else len(node.value),
                    getattr(node, "style", None), getattr(node, "flow_style", None), node.anchor,
                    (start.index, start.line, start.column), (end.index, end.line, end.column)))
        if isinstance(node, MappingNode):
            stack.extend(n for pair in reversed(node.value) for n in reversed(pair))
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
    return out


def c_tree(text: str) -> Node | None:
    return ccompose.compose(text, document._NODE_FLOOR, document._MIN_BYTES_PER_NODE)


def composed_alike(text: str) -> bool:
    """Whether the C composer took `text`; when it did, the pure composer made the same tree."""
    try:
        tree = c_tree(text)
    except ccompose.Declined:
        return False
    assert rows(tree) == rows(document.compose_pure(text, "json")), "C and pure trees differ"
    return True


@contextmanager
def composer(name: str) -> Iterator[None]:
    saved = os.environ.get(COMPOSER_VARIABLE)
    os.environ[COMPOSER_VARIABLE] = name
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(COMPOSER_VARIABLE)
        else:
            os.environ[COMPOSER_VARIABLE] = saved


def outcome(raw: bytes, name: str) -> tuple:
    """What `load` makes of `raw` under one composer: the document's parts, or its refusal."""
    with composer(name):
        try:
            doc = document.load(raw)
        except TemplateError as exc:
            return ("refused", type(exc).__name__, str(exc), exc.line, exc.col)
    return ("loaded", doc.data, rows(doc.root), doc.fmt, doc.dialect, doc.cr_only,
            sorted(doc.shared_scalars.values()), len(doc.shared), len(doc.frozen))


def loads_alike(raw: bytes) -> tuple:
    pure = outcome(raw, "pure")
    assert outcome(raw, "c") == pure
    return pure


def _prepared(raw: bytes) -> str:
    """The text `parse` hands the composer (CR line ends as LF, tabs before and after a JSON root as spaces)."""
    text, _ = document.decode(raw)
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")
    first = document._FIRST_CHAR.search(text)
    return document._untab_json_margins(text, first.start()) if first and first.group() == "{" else text


# ---------------------------------------------------------------- real templates


@needs_c
@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not beside the project")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_template_loads_alike(path: Path) -> None:
    loads_alike(path.read_bytes())


@needs_c
@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not beside the project")
def test_c_composer_composes_nearly_all_the_corpus_alike() -> None:
    composed = [p for p in CORPUS_FILES if composed_alike(_prepared(p.read_bytes()))]
    # Declined today: none (a tab indenting a block scalar's line, or before a comment, would be).
    assert len(composed) >= 0.95 * len(CORPUS_FILES), f"C composed {len(composed)} of {len(CORPUS_FILES)}"


@needs_c
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_loads_alike(path: Path) -> None:
    raw = path.read_bytes()
    loads_alike(raw)
    composed_alike(_prepared(raw))


@needs_c
def test_c_composer_composes_most_fixtures() -> None:
    composed = [p for p in FIXTURES if composed_alike(_prepared(p.read_bytes()))]
    assert len(composed) >= 0.95 * len(FIXTURES), f"C composed {len(composed)} of {len(FIXTURES)}"


# ---------------------------------------------------------------- generated templates

# Damage that reaches what the two parsers read differently.
SNIPPETS = ["\t", "\r", "\r\n", "\x85", "\u2028", "\u2029", "\ufeff", "&a ", "*a", "&b [1]", "*b", " &c",
            "!<tag:yaml.org,2002:str> ", "!a%21 ", "%", "%YAML 1.1\n---\n", "? ", ": ", ":", "- ", "-\n",
            "\n", "\n  ", "#", " #", "'", '"', "[", "]", "{", "}", ",", "!!str ", "!!int ", "! ", "!Ref ", "|\n",
            ">-\n", "k" * 1030, "\\", " ", "\U0001F600", "é", "\x07", "\\x41", "\\u00e9", "---\n", "...\n",
            "<<: ", "~", "::", "Fn::GetAZs: x"]


@needs_c
@given(text=yaml_documents())
def test_generated_yaml_composes_alike(text: str) -> None:
    composed_alike(_prepared(text.encode()))
    loads_alike(text.encode())


@needs_c
@given(text=json_documents())
def test_generated_json_composes_alike(text: str) -> None:
    composed_alike(_prepared(text.encode()))
    loads_alike(text.encode())


@needs_c
def test_generated_templates_are_mostly_composed_in_c() -> None:
    composed: list[bool] = []

    @settings(max_examples=100, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(text=st.one_of(yaml_documents(), json_documents()))
    def compose_one(text: str) -> None:
        composed.append(composed_alike(_prepared(text.encode())))

    compose_one()
    # Declined: empty flow items (`{a: , b: 1}`), which the two parsers mark apart.
    assert sum(composed) >= 0.8 * len(composed), f"C composed {sum(composed)} of {len(composed)}"


@needs_c
@given(text=st.one_of(yaml_documents(), json_documents()), data=st.data())
def test_damaged_templates_load_alike(text: str, data: st.DataObject) -> None:
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.sampled_from([0, 0, 0, 1]))
        text = text[:at] + data.draw(st.sampled_from(SNIPPETS)) + text[at + cut:]
    note(repr(text))
    composed_alike(text)  # any text at all: C either declines it or composes the pure tree
    loads_alike(text.encode())


# ---------------------------------------------------------------- each difference


# Texts the two parsers read differently: the C composer declines each one, and `load` ends
# as it did with the pure composer alone (the same tree, or the same one-line refusal).
DECLINED = {
    "tab after a colon (libyaml reads it, the pure parser refuses)": TOPIC + "    Name:\tx\n",
    "tab inside a plain scalar": TOPIC + "    Name: a\tb\n",
    "tab in YAML flow": "Resources: {Topic: {Type:\tAWS::SNS::Topic}}\n",
    "tab after a tag, before quotes": TOPIC + "    Name: !Sub\t'x'\n",
    "tab indenting a block scalar": TOPIC + "    Code: |\n      a\n    \tb\n",
    "tab starting a block scalar's content line": TOPIC + "    Code: |\n      a\n      \tb\n",
    "tab before a comment": TOPIC + "    A: x\t# c\n",
    "tab after a `#` that is not a comment": TOPIC + "    A: x#\tc\n",
    "tab in a block scalar's header": TOPIC + "    Code: |\t# c\n      a\n",
    "tab on a kept blank line after a block scalar": TOPIC + "    Code: |+\n      a\t\n\t\n    B: x\n",
    "lone CR among LF line ends": TOPIC.replace("Topic:\n", "Topic:\r"),
    "NEL": TOPIC + "    Name: a\x85b\n",
    "U+2028 in a quoted string": TOPIC + '    Name: "a\u2028b"\n',
    "U+2029": TOPIC + "    Name: a\u2029b\n",
    "U+FEFF inside the text": TOPIC + "    Name: \ufeffx\n",
    "YAML 1.1 directive (yes is a bool there)": "%YAML 1.1\n---\n" + TOPIC + "    Name: yes\n",
    "TAG directive": "%TAG !e! tag:example.com,2000:\n---\n" + TOPIC + "    Name: !e!x 1\n",
    "verbatim tag": TOPIC + "    Name: !<tag:yaml.org,2002:str> x\n",
    "verbatim tag after a JSON-like key": TOPIC + '    Name: {"a":!<tag:yaml.org,2002:str> x}\n',
    "verbatim tag starting the text": "!<tag:yaml.org,2002:map>\n" + TOPIC,
    "percent-escaped tag in flow": TOPIC + "    Name: [!a%21 x]\n",
    "percent-escaped tag (libyaml decodes it once more)": TOPIC + "    Name: !a%2541 x\n",
    # Found by the long hypothesis profile: libyaml reads `!!!str` as `!str`, the pure scanner as `str`.
    "a `!!` tag whose suffix starts with `!`": TOPIC + "    Name: !!!str Ref Env\n",
    "a `!!` tag whose suffix starts with `!`, in flow": TOPIC + "    Name: [!!!str x]\n",
    "a `!!` tag with a `!` inside its suffix (the pure parser refuses it)": TOPIC + "    Name: !!str!x y\n",
    "a `!!` tag ending in `!`": TOPIC + "    Name: !!x! y\n",
    # Found by the long hypothesis profile: libyaml reads `>#-` as a header and a comment.
    "a block scalar's header with a `#` right after `>`": TOPIC + "    Name: >#-\n      folded\n",
    "a block scalar's header with a `#` after its indicators": TOPIC + "    Name: |-2#\n        text\n",
    "a block sequence item's block scalar with a `#` in its header": TOPIC + "    Names:\n      - |#\n        x\n",
    # Found by the long hypothesis profile: `!` on an empty value is null to one, "" to the other.
    "the non-specific tag on an empty value before a comment": TOPIC + "    Prefix: ! # c\n",
    "the non-specific tag on an empty value": TOPIC + "    Prefix: !\n    Other: 1\n",
    "the non-specific tag on an empty flow item": TOPIC + "    Names: [! , b]\n",
    "the non-specific tag on an empty block item": TOPIC + "    Names:\n      - !\n",
    # Found by the long hypothesis profile: a tab after a JSON root (libyaml reads it, the pure
    # parser refuses it; `load` reads it as a space, as it does a tab before the root).
    "a tab after a JSON text's root": '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}\t',
    "anchor and alias": TOPIC + "    Properties: &p {TopicName: t}\n  Other:\n    Type: X\n    Properties: *p\n",
    "anchor never aliased": TOPIC + "    Properties: &p {TopicName: t}\n",
    "anchor in flow after a JSON-like key": TOPIC + '    Properties: {"TopicName":&n t}\n',
    # Found by the long hypothesis profile: a blank between the key and its colon hid the anchor.
    "anchor after a JSON-like key and a blank before its colon": TOPIC + '    Properties: {"TopicName" :&n t}\n',
    "alias after a JSON-like key and a line break before its colon":
        TOPIC + '    A: &a x\n    P: {"k"\n      :*a}\n',
    "anchor after a flow collection key and blanks": '{"Parameters" : {"Env" :&a  {"Type" : "String"}}}',
    "duplicate anchor": TOPIC + "    A: &a 1\n    B: &a 2\n",
    "undefined alias": TOPIC + "    A: *nowhere\n",
    "aliases expanding to 10^12 nodes (never walked as a tree)": TOPIC + "    P:\n      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"      a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 12)),
    "merge key": TOPIC + "    A: &a {x: 1}\n    B: {<<: *a}\n",
    "empty flow value": TOPIC + "    A: [k: , x]\n",
    "empty key": TOPIC + "    : x\n",
    "empty value before an explicit key": TOPIC + "    A:\n    ? B\n    : x\n",
    "`::` in flow where the text has the colon's stand-in already":
        TOPIC + "    A: !Equals [!Ref AWS::Region, x]\n    B: '\ue000'\n",
    "`::` in flow where an escape makes the colon's stand-in":
        TOPIC + '    A: !Equals [!Ref AWS::Region, x]\n    B: "\\ue000"\n',
    "`x:` before a flow indicator (libyaml refuses it)": TOPIC + "    A: {a:}\n",
    "JSON key over 1,024 characters": '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "' + "k" * 1100 + '": 1}}}',
    "JSON key and colon on two lines": '{"Resources": {"Topic": {"Type"\n: "AWS::SNS::Topic"}}}',
    "YAML key over 1,024 characters": TOPIC + "    " + "k" * 1100 + ": 1\n",
    "unknown escape": TOPIC + '    A: "\\q"\n',
    "escaped lone surrogate": TOPIC + '    A: "\\ud800"\n',
    "control character": TOPIC + "    A: a\x07b\n",
    "two documents": TOPIC + "---\n" + TOPIC,
    "nested deeper than 100 levels": TOPIC + "    P: " + "[" * 150 + "]" * 150 + "\n",
    "block nesting deeper than 100 levels": TOPIC + "    P:\n" + "".join(
        "      " + "  " * i + f"k{i}:\n" for i in range(120)) + "      " + "  " * 120 + "v: 1\n",
    "denser than the node budget": TOPIC + "    P: [" + ",".join(["0"] * 40_000) + "]\n",
    "dense after a long string": TOPIC + "    D: '" + "x" * 60_000 + "'\n    P: [" + ",".join(["0"] * 40_000) + "]\n",
    "block sequence nested 200 deep on one line": TOPIC + "    P:\n      " + "- " * 200 + "x\n",
}


@needs_c
@pytest.mark.parametrize("text", DECLINED.values(), ids=DECLINED.keys())
def test_text_the_parsers_read_differently_is_left_to_the_pure_composer(text: str) -> None:
    with pytest.raises(ccompose.Declined):
        c_tree(text)
    loads_alike(text.encode())


# Texts where the two parsers differ only in what the C composer rewrites (style of plain
# scalars, empty values' marks, marks at the end of the text, written tags): composed in C.
COMPOSED = {
    "non-BMP characters before nodes (marks count code points, not bytes)":
        TOPIC + "    Name: \U0001F600\U0001F680 x\n    \U0001F600: é\n",
    "empty values before comments and blank lines": "Globals:\n\n# c\n" + TOPIC + "    A:\n    B: # c\n\n    C:\n",
    "empty value at the end of a text without a line break": TOPIC + "    A:",
    "empty sequence items (libyaml marks them at the next token)":
        TOPIC + "    A:\n      -\n      - # c\n\n      -\n      - - \n        -\n    B:\n    -\n    - x\n    C:\n    - ",
    "end without a line break": TOPIC.rstrip("\n"),
    "explicit key collections ending the text (their last items end there too)": TOPIC + "    ? - a",
    "explicit keys ending the text": TOPIC + "    ? [a]\n    : 1\n    ? a",
    "end in a comment": TOPIC + "# end",
    "document markers": "---\n" + TOPIC + "...\n",
    "explicit core tags": TOPIC + "    A: !!int 5\n    B: !!str x\n    C: !!float 1\n    D: !!null ''\n",
    "non-specific tag": TOPIC + "    A: ! 5\n",
    "tag with an empty value": TOPIC + "    A: !Ref\n    B: 1\n",
    "intrinsic short forms": TOPIC + "    A: !Sub [a, {b: c}]\n    B: !If [C, !Ref A, !GetAtt X.Y]\n",
    "complex key": TOPIC + "    ? A\n    : 1\n",
    "block scalars with indicators": TOPIC + "    A: |2-\n       a\n      b\n    B: >+\n      a\n        more\n\n",
    "multi-line plain and quoted scalars": TOPIC + '    A: a\n      b\n\n      c\n    B: "x\n      y\\\n      z"\n',
    "escapes": TOPIC + '    A: "\\/ \\e \\N \\_ \\x41 \\u00e9 \\U0001F600 \\t \\" \\\\"\n',
    "CRLF line ends": (TOPIC + "    A: |\n      x\n").replace("\n", "\r\n"),
    "CR-only line ends (read as LF)": TOPIC.replace("\n", "\r"),
    "tabs in quoted strings": TOPIC + "    A: 'a\tb'\n    B: \"x\n     \ty\"\n    'C\t': [\"\t\"]\n",
    "tabs inside block scalars' lines (after a character)":
        TOPIC + "    Code: |\n      export PATH=$PATH:/bin\t\n      a\tb\n    F: >\n      x\ty\n       z\t\n"
                "    G: |-\n      a\t\n\n    H: x\n",
    "tabs in comments": "# a\tb\n" + TOPIC + "    A: x # c\td\n    # e\tf\n    B: 'g # h'  # i\tj\n",
    "tabs between JSON tokens": '{\n\t"Resources": {\n\t\t"Topic": {\t"Type": "AWS::SNS::Topic"}}}\n',
    "`*` and `&` in prose and block scalars": TOPIC + "    Description: '**WARNING** a & b'\n"
                                              "    Code: |\n      * item\n      &x\n    Note: see *this* & that\n",
    "duplicate key (refused alike)": TOPIC + "    Type: X\n",
    "`x:y` in flow (libyaml 0.1.7 refuses it: read with a stand-in for the colon)":
        TOPIC + "    A: !Equals [!Ref AWS::Region, us-east-1]\n    B: [s3:GetObject, 's3:Put', \"arn:aws:s3:::b/*\"]\n"
                "    C: {\"k\":v, t: [2001-12-14t21:59:43.10-05:00, 1:20]}\n    Fn::GetAZs: x\n",
    "`!<` and `%` inside plain and quoted scalars (no tag there)":
        TOPIC + "    A: a!<b> %\n    B: '100%'\n    C: !Sub '${A}%'\n",
    "YAML 1.2 booleans": TOPIC + "    A: [yes, no, on, true, 0o17, 0x1F, 1e3, .inf, ~, 2001-12-14]\n",
}


@needs_c
@pytest.mark.parametrize("text", COMPOSED.values(), ids=COMPOSED.keys())
def test_text_both_parsers_read_alike_is_composed_in_c(text: str) -> None:
    assert composed_alike(_prepared(text.encode())), "declined"
    loads_alike(text.encode())


@needs_c
def test_marks_count_code_points_as_the_engine_splices_str() -> None:
    text = TOPIC + "    Name: \U0001F600 é x\n    Next: value\n"
    root = c_tree(text)
    assert root is not None
    pairs = root.value[0][1].value[0][1].value
    name, nxt = pairs[1][1], pairs[2][1]
    assert text[name.start_mark.index:name.end_mark.index] == "\U0001F600 é x"
    assert (nxt.start_mark.index, nxt.start_mark.column) == (text.index("value"), len("    Next: "))


@needs_c
def test_empty_value_moves_after_its_colon_with_the_c_marks() -> None:
    text = "Globals:\n\n# Globals has nothing yet\n" + TOPIC
    with composer("c"):
        doc = parse(text)
    value = doc.root.value[0][1]
    assert (value.start_mark.index, value.start_mark.line, value.start_mark.column) == (8, 0, 8)


@needs_c
def test_prose_ampersands_cost_a_path_not_a_walk_of_the_tree() -> None:
    resources = "".join(f"  R{i}:\n    Type: AWS::SNS::Topic\n    Properties: {{TopicName: t{i}}}\n" for i in range(200))
    text = "Resources:\n" + resources + "  Script:\n    Type: X\n    Code: |\n      make && make install\n"
    root = c_tree(text)
    assert root is not None
    scalars = ccompose._Scalars(root, text)
    assert scalars.hold_prose(ccompose._anchor_starts(text))
    # The root, Resources, Script and its mapping: not the 200 other resources' mappings.
    assert len(scalars._children) == 3


@needs_c
def test_an_alias_cycle_is_never_taken_for_prose() -> None:
    text = TOPIC + "    P: &a [*a, x]\n"
    with pytest.raises(ccompose.Declined):
        c_tree(text)
    loads_alike(text.encode())


@needs_c
def test_plain_tags_are_the_resolvers_remembered_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from ruamel.yaml.resolver import VersionedResolver
    resolver = VersionedResolver()
    values = ["x", "", "~", "null", "true", "yes", "0o17", "0x1F", "1e3", ".inf", ".nan", "2001-12-14", "<<", "=", "1:20"]
    for value in values:
        expected = str(resolver.resolve(ScalarNode, value, (True, False)))
        assert str(ccompose._plain_tag(value)) == expected
        assert ccompose._PLAIN_TAGS[value] is ccompose._plain_tag(value)
    monkeypatch.setattr(ccompose, "_PLAIN_TAGS_MAX", 4)
    for value in values:
        ccompose._plain_tag(value)
        assert len(ccompose._PLAIN_TAGS) <= 4


@needs_c
def test_written_tags_are_shared_by_their_nodes_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    text = TOPIC + "    A: !Ref X\n    B: !Ref Y\n    C: !Sub [a, {b: !Ref Z}]\n"
    root = c_tree(text)
    assert root is not None
    pairs = root.value[0][1].value[0][1].value
    refs = [pairs[1][1], pairs[2][1], pairs[3][1].value[1].value[0][1]]
    assert all(node.ctag is refs[0].ctag for node in refs) and refs[0].tag == "!Ref"
    assert refs[0].ctag.handles is not None and pairs[3][1].ctag.handles is not None
    monkeypatch.setattr(ccompose, "_WRITTEN_MAX", 2)
    c_tree(TOPIC + "".join(f"    A{i}: !T{i} x\n" for i in range(5)))
    assert len(ccompose._WRITTEN) <= 2


@needs_c
def test_dense_text_is_refused_with_the_pure_composers_message() -> None:
    raw = (TOPIC + "    P: [" + ",".join(["0"] * 40_000) + "]\n").encode()
    refused = loads_alike(raw)
    assert refused[0] == "refused" and "YAML nodes in the first" in refused[2]


def test_composer_variable_pure_never_calls_the_c_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_: Any) -> None:
        raise AssertionError("the C composer ran")
    monkeypatch.setattr(ccompose, "compose", forbidden)
    monkeypatch.setenv(COMPOSER_VARIABLE, "pure")
    assert parse(TOPIC).data["Resources"]["Topic"]["Type"] == "AWS::SNS::Topic"


@needs_c
def test_c_composer_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(COMPOSER_VARIABLE, raising=False)
    monkeypatch.setattr(document, "compose_pure", lambda *_: pytest.fail("the pure composer ran"))
    assert parse(TOPIC).data["Resources"]["Topic"]["Type"] == "AWS::SNS::Topic"


def test_without_clibz_the_pure_composer_loads_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ccompose, "CParser", None)
    monkeypatch.delenv(COMPOSER_VARIABLE, raising=False)
    with pytest.raises(ccompose.Declined):
        c_tree(TOPIC)
    assert parse(TOPIC + "    Name: x\n").data["Resources"]["Topic"]["Name"] == "x"


def test_bench_prints_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "aws-cloudformation-templates").mkdir()
    (tmp_path / "aws-cloudformation-templates" / "t.yaml").write_text(TOPIC)
    (tmp_path / "t.json").write_text('{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}')
    spec = importlib.util.spec_from_file_location("cfn_fix_bench_compose", ROOT / "bench" / "compose.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--corpus", str(tmp_path), "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "corpus: 2 templates" in out and "aws-cloudformation-templates: 1 templates" in out
    assert "pure composer" in out


@pytest.mark.parametrize("name", ["pure", "c"])
@pytest.mark.parametrize("margin", ["\t", "\t\n", "\n\t\n"])
def test_a_json_template_with_a_tab_after_its_root_loads_and_keeps_the_tab(name: str, margin: str) -> None:
    """JSON allows blanks after the root; YAML's block context refuses a tab there. As with tabs
    before the root, `load` composes them as spaces; the source (and any repair) keeps them."""
    if name == "c" and not ccompose.AVAILABLE:
        pytest.skip("ruamel.yaml.clibz is not installed")
    raw = b'{\n  "Resources": {\n    "Topic": {"Type": "AWS::SNS::Topic"}\n  }\n}' + margin.encode()
    with composer(name):
        doc = document.load(raw, "t.json")
    assert doc.data == {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
    assert doc.source.endswith("}" + margin)
