"""The data-only loader (verification, the change summary) reads every text as `yaml.load` would.

It builds the data from libyaml's events instead of composing the node tree first; the node
way stays for what no template holds, so the two agree on everything: on every fixture and
corpus file and the repair of each, on generated templates, and on the odd cases below, down to
the types of the values, the objects an alias shares, and the errors.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from autofix import fastload, fastload_pyyaml
from autofix.api import build_patches, fix_bytes

from .conftest import CORPUS, ROOT
from .test_memory import _generated

pytestmark = pytest.mark.skipif(fastload_pyyaml.CParser is None, reason="PyYAML without libyaml: the node way only")

SUFFIXES = (".yaml", ".yml", ".json", ".template")
FIXTURES = sorted(p for p in (ROOT / "tests" / "patches").rglob("*") if p.suffix in SUFFIXES)
CORPUS_FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix in SUFFIXES) if CORPUS.is_dir() else []
ALL = build_patches(unsafe=True)


def same(a, b, seen: set | None = None) -> bool:
    """Equal, with the same types all the way down (1 is not 1.0 nor True), NaN equal to NaN;
    a collection met again (an alias, or a cycle) is compared once."""
    if type(a) is not type(b):
        return False
    if type(a) in (dict, list):
        seen = set() if seen is None else seen
        if (id(a), id(b)) in seen:
            return True
        seen.add((id(a), id(b)))
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k], seen) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(same(x, y, seen) for x, y in zip(a, b, strict=True))
    if type(a) is float and math.isnan(a):
        return math.isnan(b)
    return a == b


def assert_read_alike(text: str) -> None:
    try:
        expected = fastload.load_by_nodes(text)
    except Exception as exc:  # noqa: BLE001 - the error itself is what must match
        with pytest.raises(type(exc)) as raised:
            fastload.load_data(text, "yaml")
        assert str(raised.value) == str(exc)
        return
    assert same(fastload.load_data(text, "yaml"), expected)


def texts_and_repair(path: Path) -> list[str]:
    """A file's text and our repair of it."""
    raw = path.read_bytes()
    try:
        texts = [raw.decode("utf-8").removeprefix("\ufeff")]
    except UnicodeDecodeError:
        return []
    result = fix_bytes(raw, str(path), ALL)
    return texts + ([result.output] if result.status == "fixed" else [])


@pytest.mark.parametrize("path", FIXTURES, ids=[str(p.relative_to(ROOT / "tests" / "patches")) for p in FIXTURES])
def test_fixture_and_its_repair_read_alike(path: Path) -> None:
    for text in texts_and_repair(path):
        assert_read_alike(text)


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not beside the project")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=[str(p.relative_to(CORPUS)) for p in CORPUS_FILES])
def test_corpus_file_and_its_repair_read_alike(path: Path) -> None:
    for text in texts_and_repair(path):
        assert_read_alike(text)


def test_generated_template_reads_alike() -> None:
    assert_read_alike(_generated(300))


@pytest.mark.parametrize("text", [
    "a: &x !Ref b\nc: *x\n", "a: &x [1, {b: 2}]\nc: *x\nd: *x\n", "a: ! 5\nb: ! [1]\nc: ! {d: e}\n",
    "a: !!int '7'\nb: !!float 1\nc: !!bool true\nd: !!null ''\ne: !!str 5\nf: !!str '5'\ng: !!timestamp 2001-12-14\n",
    "a: .nan\nb: -.inf\nc: 0x1F\nd: 0o17\ne: ~\nf: 1e3\ng: '1e3'\n", "a: !GetAtt A.B\nb: !Sub [x, {y: z}]\n",
    "", "# only a comment\n", "--- 1\n", "a: 1\n--- \nb: 2\n", "a: &x 1\nb: &x 2\n", "a: *nowhere\n",
    "a: &x [*x]\n", "? [a]\n: b\n", "? !Ref x\n: y\n", "a: !!binary aGVsbG8=\n", "a: !!set {b, c}\n",
    "a: !!omap [b: 1]\n", "<<: {a: 1}\nb: 2\n", "a: {b: 1}\nc: {<<: *a}\n", "!!merge <<: {a: 1}\n",
    "a: !Unknown x\n", "a: !<tag:example.com,2000:x> y\n", "a: !!map [1]\n", "a: !!seq {b: 1}\n", "a: b: c\n",
    "a: [1, 2\n", "a: 1\na: 2\n", "- a\n- b\n", "scalar\n", "a:\n  - &x {b: 1}\n  - *x\nc: *x\n",
])
def test_odd_texts_read_alike(text: str) -> None:
    assert_read_alike(text)


def test_an_alias_is_the_same_object_as_its_anchor() -> None:
    data = fastload.load_data("a: &x {b: [1]}\nc: *x\n", "yaml")
    assert data["a"] is data["c"]


def test_the_event_reader_is_the_one_used() -> None:
    """The control: ordinary templates go through the events, not back to the node way."""
    fastload_pyyaml.from_events(_generated(20))
    with pytest.raises(fastload.Unusual):
        fastload_pyyaml.from_events("a: &x 1\nb: &x 2\n")
    assert isinstance(yaml.cyaml.CParser, type)
