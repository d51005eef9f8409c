"""Verification reads with ruamel.yaml.clibz's parser exactly what PyYAML's libyaml reads.

autofix/verify_reader.py answers a text, or hands it over to PyYAML's way (fastload_pyyaml).
Whenever it answers, PyYAML's way reads the same data (types all the way down); it never
answers a text PyYAML refuses; and `fastload.load_data` ends as PyYAML's way does (the same
data, or the same error in the same words). Shown on the shared corpus, every fixture (input,
expected output and our repair of each), generated templates, generated damage to them and
generated flow collections full of colons; and each way the two parsers differ has a case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from autofix import fastload, fastload_pyyaml, verify_reader

from .conftest import CORPUS, ROOT
from .test_editor_properties import json_documents, yaml_documents
from .test_fastload import same, texts_and_repair
from .test_memory import _generated

pytestmark = pytest.mark.skipif(not verify_reader.AVAILABLE, reason="ruamel.yaml.clibz is not installed")

SUFFIXES = (".yaml", ".yml", ".json", ".template")
FIXTURES = sorted(p for p in (ROOT / "tests" / "patches").rglob("*") if p.suffix in SUFFIXES) \
    + sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in SUFFIXES)
CORPUS_FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix in SUFFIXES) if CORPUS.is_dir() else []
TOPIC = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"


def pyyaml_reading(text: str) -> tuple:
    try:
        return ("data", fastload_pyyaml.load(text))
    except Exception as exc:  # noqa: BLE001 - the refusal itself is what must match
        return ("refused", type(exc), str(exc))


def read_alike(text: str) -> bool:
    """Whether the clibz reader answered `text`; either way `load_data` reads it as PyYAML's
    way does, and where it answered, PyYAML read the same data."""
    expected = pyyaml_reading(text)
    try:
        data = verify_reader.read(text)
    except verify_reader.HandedOver:
        answered = False
    else:
        assert expected[0] == "data", f"the clibz reader accepted a text PyYAML refuses: {expected[1:]}"
        assert same(data, expected[1]), "the clibz reader and PyYAML read different data"
        answered = True
    try:
        loaded: tuple = ("data", fastload.load_data(text, "yaml"))
    except Exception as exc:  # noqa: BLE001
        loaded = ("refused", type(exc), str(exc))
    assert loaded[0] == expected[0] and (same(loaded[1], expected[1]) if loaded[0] == "data" else loaded == expected)
    return answered


# ---------------------------------------------------------------- real templates


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not beside the project")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_file_and_its_repair_read_alike(path: Path) -> None:
    texts = texts_and_repair(path)
    answered = [read_alike(text) for text in texts]
    if len(texts) == 2:  # what a dry run verifies: the clibz parser answers, PyYAML is not needed
        assert answered[1], "the repair was handed over to PyYAML"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_and_its_repair_read_alike(path: Path) -> None:
    texts = texts_and_repair(path)
    answered = [read_alike(text) for text in texts]
    if len(texts) == 2:
        assert answered[1], "the repair was handed over to PyYAML"


def test_a_large_generated_template_is_answered_alike() -> None:
    assert read_alike(_generated(300))


# ---------------------------------------------------------------- generated texts


@given(text=yaml_documents())
def test_generated_yaml_reads_alike(text: str) -> None:
    read_alike(text)


@given(text=json_documents())
def test_generated_json_reads_alike(text: str) -> None:
    read_alike(text)  # as YAML: what load_data does with JSON that json.loads refuses


# Damage that reaches where the two parsers differ: colons, `?`, tags and what ends a token.
SNIPPETS = [":", "::", ": ", ":,", ":]", ":}", ":?", "?", "? ", ",", "[", "]", "{", "}", "[a:b]", "{a:b}",
            "!Ref ", "!Ref,", "!a:b ", "!!str ", "!<tag:yaml.org,2002:str> ", "&a ", "*a", "&a:b ", "'", '"',
            "#", " #", "\n", "\n  ", "- ", "s3:GetObject", "AWS::Region", "\ue000", "\\ue000", "%TAG ! !\n---\n",
            "%YAML 1.2\n---\n", "\\'", "\\/", "\t", "\ufeff"]


@given(text=st.one_of(yaml_documents(), json_documents()), data=st.data())
def test_damaged_templates_read_alike(text: str, data: st.DataObject) -> None:
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.sampled_from([0, 0, 0, 1]))
        text = text[:at] + data.draw(st.sampled_from(SNIPPETS)) + text[at + cut:]
    note(repr(text))
    read_alike(text)


# Pieces of flow collections around colons: words, indicators, quotes, tags, anchors, blanks.
PIECES = ["a", "s3:x", "AWS::Region", "s3", "AWS", "Region", "1", ":", ":", ":", "::", ",", ", ", "[", "]", "{", "}", "?", " ", "'", '"',
          "'q:r'", '"x:y"', "!Ref ", "!!str ", "&n ", "*n", "-", "#", "\n  ", "2001-12-14t21:59:43.10-05:00"]


@settings(max_examples=1000)  # small texts, quickly read: many of them
@given(st.lists(st.sampled_from(PIECES), max_size=14), st.sampled_from(["k: [", "k: {", "- [", "k: !Sub [", ""]))
def test_generated_flow_collections_with_colons_read_alike(pieces: list[str], opening: str) -> None:
    closing = {"k: [": "]", "k: {": "}", "- [": "]", "k: !Sub [": "]", "": ""}[opening]
    text = opening + "".join(pieces) + closing + "\n"
    note(repr(text))
    read_alike(text)


# ---------------------------------------------------------------- each difference

# libyaml 0.2.5 (PyYAML) reads these; the clibz parser alone would refuse them or read them
# otherwise. Each is answered with the same data, or handed over.
ANSWERED = {
    "`x:y` in flow (read again with the colon's stand-in)":
        TOPIC + "    A: !Equals [!Ref AWS::Region, us-east-1]\n    B: [s3:GetObject, 's3:Put', \"arn:aws:s3:::b/*\"]\n",
    "a colon run ending before a blank": "a: [b:: c]\n",
    "a colon before `#`, `!` and a quote": "a: [b:#c, d:!e, f:'g']\n",
    "`x:y` in a flow mapping's key, beside a JSON-like key": 'a: {b:c: d, "e":f}\n',
    "timestamps and times in flow": "a: [2001-12-14t21:59:43.10-05:00, 1:20, !!timestamp 2001-12-14]\n",
    "a block scalar and comments with colons beside `x:y` in flow": "a: [b:c]\nd: |\n  e:f\n# g:h\ni: 'j:k' # l:m\n",
    "`x:y` in a flow key that is a plain word": "[a:b]\n",
    "a key with colons in block context": "a:b: c\n? d:e\n: f\n",
    "the %YAML 1.2 directive": "%YAML 1.2\n---\na: [b:c]\n",
    "the `\\/` escape": 'a: "\\/"\n',
}


@pytest.mark.parametrize("text", ANSWERED.values(), ids=ANSWERED.keys())
def test_what_libyaml_0_2_5_reads_is_answered_alike(text: str) -> None:
    assert read_alike(text), "handed over"


# Where the clibz parser refuses, or might read otherwise: handed over, so PyYAML reads or
# refuses it (and in its own words).
HANDED_OVER = {
    "a colon starting a flow item (an indicator in 0.2.5, not a word: PyYAML refuses)": "a: [s3:x,:b]\n",
    "a colon after `[`": "a: [s3:x, [:b]]\n",
    "a colon after `{`": "a: [s3:x, {:b}]\n",
    "a colon run after `,`": "a: [s3:x,::b]\n",
    "a colon after `?`": "a: [s3:x, ?:b]\n",
    "a colon before `?` (an error in 0.2.5)": "a: [s3:x, b:?c]\n",
    "a colon before a flow indicator": "a: [s3:x, b:]\n",
    "`?` inside a word in flow (0.2.5 reads it, the clibz parser does not)": "a: [x?y]\n",
    "a comma after a tag in flow (`!Ref,` to the clibz parser)": "a: [!Ref, b]\n",
    "a bracket after a tag": "a: [b, !Ref]\n",
    "a tag with a colon beside `x:y`": "a: [s3:x, !a:b c]\n",
    "an anchor before a colon": "a: [s3:x, &n:b c]\n",
    "an alias before a colon": "a: &n [s3:x, *n:b]\n",
    "a verbatim tag beside `x:y`": "a: [s3:x, !<tag:yaml.org,2002:str> y]\n",
    "a %TAG directive (its prefix with a `,` suffix could make a core tag)":
        "%TAG !e! tag:yaml.org\n---\na: !e!,2002:int 5\n",
    "a tag of a %TAG prefix, beside `x:y`": "%TAG !e! tag:example.com,2000:\n---\na: [s3:x, !e!y z]\n",
    "the stand-in already in the text": "a: [s3:x, '\ue000']\n",
    "an escape that makes the stand-in": 'a: [s3:x, "\\ue000"]\n',
    "the `\\'` escape (refused by both)": 'a: "\\\'"\n',
    "an unknown tag": "a: !Rain::Module x\n",
    "an anchor defined twice": "a: &x 1\nb: &x 2\n",
    "a merge key": "a: &x {b: 1}\nc: {<<: *x}\n!!merge <<: *x\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "an unfinished double-quoted scalar ending in an escaped CRLF": 'a: "b\\\r\n',
    "a lone surrogate (no UTF-8 for the C parser)": "a: [s3:x, \ud800]\n",
}


@pytest.mark.parametrize("text", HANDED_OVER.values(), ids=HANDED_OVER.keys())
def test_what_the_parsers_may_read_apart_is_handed_over(text: str) -> None:
    assert not read_alike(text), "answered"


def test_plain_and_quoted_scalars_resolve_as_pyyaml_resolves_them() -> None:
    """The clibz parser reports plain style as "" and the non-specific tag as "!", as PyYAML's."""
    text = ("a: [1, '1', \"1\", ! 1, !!str 1, !!int '7', !!float 1, !!bool true, !!null '', ~, null, '',\n"
            "    .nan, -.inf, 0x1F, 0o17, 1e3, yes, 2001-12-14]\nb: !Sub [x, {y: z}]\nc: |\n  x\n")
    assert read_alike(text)
    data = verify_reader.read(text)
    assert data["a"][:5] == [1, "1", "1", 1, 1] and data["b"] == {"Fn::Sub": ["x", {"y": "z"}]}


def test_an_alias_is_the_same_object_as_its_anchor() -> None:
    data = verify_reader.read("a: &x {b: [1]}\nc: *x\n")
    assert data["a"] is data["c"]


def test_colons_come_back_in_every_value_and_key() -> None:
    data = verify_reader.read("a: [s3:x, {b:c: 'd:e', \"f\":g:h}, AWS::Region]\n")
    assert data == {"a": ["s3:x", {"b:c": "d:e", "f": "g:h"}, "AWS::Region"]}


# ---------------------------------------------------------------- which reader runs


def test_load_data_does_without_pyyaml_when_clibz_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastload_pyyaml, "load", lambda text: pytest.fail("PyYAML's way ran"))
    assert fastload.load_data(TOPIC + "    A: [s3:GetObject]\n", "yaml")["Resources"]["Topic"]["A"] == ["s3:GetObject"]


def test_what_is_handed_over_is_read_by_pyyaml() -> None:
    """The control: a text the clibz parser refuses still reads, through PyYAML."""
    assert fastload.load_data("a: [x?y]\n", "yaml") == {"a": ["x?y"]}


def test_without_clibz_pyyaml_reads_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify_reader, "AVAILABLE", False)
    monkeypatch.setattr(verify_reader, "read", lambda text: pytest.fail("the clibz reader ran"))
    assert fastload.load_data("a: [s3:x, !Ref AWS::Region]\n", "yaml") == {"a": ["s3:x", {"Ref": "AWS::Region"}]}


def _events_of(text: str) -> list[Any]:
    parser = verify_reader.CParser(text)
    events = []
    while (event := parser.get_event()) is not None:
        events.append(event)
    return events


def test_the_clibz_parser_is_the_one_the_reader_knows() -> None:
    """The differences the reader handles are this parser's (ruamel.yaml.clibz 0.3.7's libyaml);
    a release that changes them should fail here first, not in a verification."""
    with pytest.raises(Exception, match="found unexpected ':'"):
        _events_of("[s3:x]\n")
    assert [e.tag for e in _events_of("[!a, b]\n") if hasattr(e, "value")] == ["!a,"]
