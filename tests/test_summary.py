"""The change summary, built from the engine's changes, says what deepdiff says over the two trees.

The reference is the summary as deepdiff computed it over the whole original and repaired data
(with `threshold_to_diff_deeper=0`: per key, as deepdiff 7 and the README's example report it,
rather than deepdiff 8's `set Resources` when a mapping gains more keys than it kept). It is
checked on every fixture input (its own patches, then every patch), the examples and the
corpus, through the node tree and through the loaded data alike, and on hand-made edits that
rename, replace whole mappings, supersede or undo one another.
"""

from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from autofix import fastload, runner, summary
from autofix.api import build_patches
from autofix.document import Document, load, parse
from autofix.edits import (
    AppendItem,
    Change,
    DeleteKey,
    RenameKey,
    ReplaceValue,
    SetKey,
    dotted,
    edit_kind,
    target_path,
)
from autofix.engine import FIXED, fix_document
from autofix.kinds import Kind, Safety
from autofix.splice import Editor

from .conftest import CORPUS, ROOT
from .test_patch_fixtures import CASES, _patches

_STEP = re.compile(r"\[(?:'((?:[^'\\]|\\.)*)'|(\d+))\]")
DEEPDIFF_VERBS = (("dictionary_item_added", "added"), ("iterable_item_added", "appended"), ("values_changed", "set"),
                  ("type_changes", "set"), ("dictionary_item_removed", "removed"), ("iterable_item_removed", "removed"))


def deepdiff_summary(source: str, output: str, fmt: str, limit: int = 200) -> list[str]:
    """The summary as it was computed before: deepdiff over both texts' data."""
    from deepdiff import DeepDiff

    tree = DeepDiff(fastload.load_data(source, fmt), fastload.load_data(output, fmt), verbose_level=0,
                    view="tree", threshold_to_diff_deeper=0)
    lines = []
    for kind, verb in DEEPDIFF_VERBS:
        lines += [f"{verb} {_dotted(item.path())}" for item in tree.get(kind, [])]
    return summary.ordered(lines)[:limit]


def _dotted(path: str) -> str:
    parts = [f"[{index}]" if index else key.replace("\\'", "'") for key, index in _STEP.findall(path)]
    return ".".join(parts).replace(".[", "[")


def from_data(doc: Document, changes: list[Change]) -> list[str]:
    """The summary computed from the loaded original data alone (the path taken when the node
    tree cannot answer), so both paths are proved, not just the one a file happens to take."""
    compare = summary._Compare(summary._Data())
    lines = compare.run(summary._places(changes), fastload.load_data(doc.source, doc.fmt), doc.data)
    return summary.ordered(f"{verb} {dotted(path)}" for verb, path in lines)[:200]


def assert_same_as_deepdiff(raw: bytes, name: str, patches: list) -> None:
    try:
        doc = load(raw, name, max_bytes=len(raw) + 1)
    except Exception:  # noqa: BLE001 - refused files have no summary
        return
    result = fix_document(doc, patches)
    if result.status != FIXED:
        return
    expected = deepdiff_summary(result.source, result.output, result.fmt)
    assert summary.semantic_summary(doc, result.changes) == expected
    assert from_data(doc, result.changes) == expected


ALL = build_patches(unsafe=True)
CORPUS_FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json", ".template")) \
    if CORPUS.is_dir() else []
EXAMPLES = sorted((ROOT / "examples").glob("*.y*ml")) + sorted((ROOT / "examples").glob("*.json"))


@pytest.mark.parametrize("patch_name,case", CASES, ids=[f"{n}/{c.name}" for n, c in CASES])
def test_fixture_summary_is_deepdiffs(patch_name: str, case: Path) -> None:
    raw = case.read_bytes()
    assert_same_as_deepdiff(raw, str(case), _patches(patch_name, case))
    assert_same_as_deepdiff(raw, str(case), ALL)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_summary_is_deepdiffs(path: Path) -> None:
    assert_same_as_deepdiff(path.read_bytes(), str(path), ALL)


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not beside the project")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=[str(p.relative_to(CORPUS)) for p in CORPUS_FILES])
def test_corpus_summary_is_deepdiffs(path: Path) -> None:
    assert_same_as_deepdiff(path.read_bytes(), str(path), ALL)


# ---------------------------------------------------------------- edits by hand

SOURCE = textwrap.dedent("""\
    Parameters:
      Env:
        Type: String
    Resources:
      FixedFunction:
        Type: AWS::Lambda::Function
        Properties:
          Handler: index.handler
          Timeout: 3
          Layers:
            - one
            - two
          Environment:
            Variables:
              STAGE: dev
              MODE: fast
          Tags:
            - Key: team
              Value: core
          Code: null
      RenamedBucket:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Join [-, [!Ref Env, logs]]
    """)
FUNCTION = ("Resources", "FixedFunction", "Properties")


def summarise(*edits, source: str = SOURCE) -> list[str]:
    """Apply the edits as the engine does; check against deepdiff and the data path; the lines."""
    doc = parse(source)
    editor = Editor(doc)
    changes = []
    for edit in edits:
        editor.apply(edit)
        changes.append(Change("T001", Safety.SAFE, edit_kind(edit), target_path(edit), 1, ""))
    output = editor.output()
    assert fastload.load_data(output, doc.fmt) == doc.data
    lines = summary.semantic_summary(doc, changes)
    assert lines == deepdiff_summary(source, output, doc.fmt)
    assert from_data(doc, changes) == lines
    return lines


def test_rename_is_the_old_key_removed_and_the_new_added() -> None:
    assert summarise(RenameKey(("Resources",), "RenamedBucket", "LogBucket")) == \
        ["added Resources.LogBucket", "removed Resources.RenamedBucket"]


def test_edit_under_a_key_renamed_afterwards_is_inside_the_added_key() -> None:
    assert summarise(SetKey(("Resources", "RenamedBucket", "Properties"), "VersioningConfiguration",
                            {"Status": "Enabled"}),
                     RenameKey(("Resources",), "RenamedBucket", "LogBucket")) == \
        ["added Resources.LogBucket", "removed Resources.RenamedBucket"]


def test_replacing_a_whole_mapping_reports_its_leaves() -> None:
    assert summarise(ReplaceValue(FUNCTION + ("Environment",), {"Variables": {"STAGE": "prod", "MODE": "fast",
                                                                               "LOG": "1"}})) == \
        ["added Resources.FixedFunction.Properties.Environment.Variables.LOG",
         "set Resources.FixedFunction.Properties.Environment.Variables.STAGE"]


def test_replacing_a_value_by_an_equal_one_reports_nothing() -> None:
    assert summarise(ReplaceValue(FUNCTION + ("Timeout",), 3)) == []


def test_replacing_a_value_by_another_type_is_set() -> None:
    assert summarise(ReplaceValue(FUNCTION + ("Timeout",), 3.0)) == ["set Resources.FixedFunction.Properties.Timeout"]


def test_edit_inside_an_added_key_is_the_added_key() -> None:
    assert summarise(SetKey(FUNCTION, "TracingConfig", {"Mode": "PassThrough"}),
                     ReplaceValue(FUNCTION + ("TracingConfig", "Mode"), "Active")) == \
        ["added Resources.FixedFunction.Properties.TracingConfig"]


def test_key_added_then_deleted_reports_nothing() -> None:
    assert summarise(SetKey(FUNCTION, "MemorySize", 256), DeleteKey(FUNCTION, "MemorySize")) == []


def test_value_changed_then_changed_back_reports_nothing() -> None:
    assert summarise(ReplaceValue(FUNCTION + ("Timeout",), 30), ReplaceValue(FUNCTION + ("Timeout",), 3)) == []


def test_key_deleted_then_set_again_is_set_where_it_differs() -> None:
    assert summarise(DeleteKey(FUNCTION, "Timeout"), SetKey(FUNCTION, "Timeout", 30)) == \
        ["set Resources.FixedFunction.Properties.Timeout"]
    assert summarise(DeleteKey(FUNCTION, "Timeout"), SetKey(FUNCTION, "Timeout", 3)) == []


def test_key_set_below_a_null_value_sets_the_null() -> None:
    assert summarise(SetKey(FUNCTION + ("Code",), "ZipFile", "print(1)")) == \
        ["set Resources.FixedFunction.Properties.Code"]


def test_key_set_below_missing_mappings_adds_the_first_missing_one() -> None:
    assert summarise(SetKey(("Resources", "RenamedBucket", "Properties", "VersioningConfiguration"), "Status",
                            "Enabled")) == ["added Resources.RenamedBucket.Properties.VersioningConfiguration"]


def test_items_appended_to_scalars_and_to_mappings() -> None:
    assert summarise(AppendItem(FUNCTION + ("Layers",), "three"), AppendItem(FUNCTION + ("Layers",), "one"),
                     AppendItem(FUNCTION + ("Tags",), {"Key": "env", "Value": "dev"})) == \
        ["appended Resources.FixedFunction.Properties.Layers[2]",
         "appended Resources.FixedFunction.Properties.Layers[3]",
         "appended Resources.FixedFunction.Properties.Tags[1]"]


def test_edit_inside_a_sequence_item() -> None:
    assert summarise(ReplaceValue(FUNCTION + ("Tags", 0, "Value"), "payments"),
                     AppendItem(FUNCTION + ("Tags",), {"Key": "env", "Value": "dev"})) == \
        ["set Resources.FixedFunction.Properties.Tags[0].Value",
         "appended Resources.FixedFunction.Properties.Tags[1]"]


def test_scalar_sequence_replaced_is_aligned_as_deepdiff_aligns_it() -> None:
    assert summarise(ReplaceValue(FUNCTION + ("Layers",), ["two"])) == \
        ["removed Resources.FixedFunction.Properties.Layers[0]"]
    assert summarise(ReplaceValue(FUNCTION + ("Layers",), ["zero", "two", "three"])) == \
        ["set Resources.FixedFunction.Properties.Layers[0]", "appended Resources.FixedFunction.Properties.Layers[2]"]


def test_edit_inside_an_intrinsic_function() -> None:
    assert summarise(ReplaceValue(("Resources", "RenamedBucket", "Properties", "BucketName", "Fn::Join", 1, 1), "data")) \
        == ["set Resources.RenamedBucket.Properties.BucketName.Fn::Join[1][1]"]


def test_a_key_with_a_quote_keeps_its_name() -> None:
    """The deepdiff summary lost such a key from the path (deepdiff writes it in double quotes)."""
    doc = parse(SOURCE)
    Editor(doc).apply(SetKey(FUNCTION + ("Environment", "Variables"), "it's", "x"))
    change = Change("T001", Safety.SAFE, Kind.ADD, FUNCTION + ("Environment", "Variables", "it's"), 1, "")
    assert summary.semantic_summary(doc, [change]) == ["added Resources.FixedFunction.Properties.Environment.Variables.it's"]


def test_an_untouched_nan_is_not_reported_as_set() -> None:
    """deepdiff reported `set` for every .nan of a replaced value, NaN being unequal to itself."""
    source = SOURCE.replace("STAGE: dev", "STAGE: .nan")
    doc = parse(source)
    edit = ReplaceValue(FUNCTION + ("Environment", "Variables"), {"STAGE": math.nan, "MODE": "slow"})
    Editor(doc).apply(edit)
    change = Change("T001", Safety.SAFE, edit_kind(edit), target_path(edit), 1, "")
    assert summary.semantic_summary(doc, [change]) == ["set Resources.FixedFunction.Properties.Environment.Variables.MODE"]


def test_the_summary_is_limited_in_path_order() -> None:
    doc = parse(SOURCE)
    editor = Editor(doc)
    edits = [SetKey(("Resources",), f"Queue{i:03}", {"Type": "AWS::SQS::Queue"}) for i in range(250)]
    for edit in edits:
        editor.apply(edit)
    changes = [Change("T001", Safety.SAFE, edit_kind(e), target_path(e), 1, "") for e in edits]
    lines = summary.semantic_summary(doc, changes, limit=200)
    assert len(lines) == 200 and lines[0] == "added Resources.Queue000" and lines[-1] == "added Resources.Queue199"


# ---------------------------------------------------------------- deepdiff's comparison, on any values

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, 1.0, 2.5]),
                     st.sampled_from(["a", "b", "c", ""]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.sampled_from(["x", "y", "z", "w"]), inner, max_size=4)),
    max_leaves=16)


_SCALAR_LISTS = st.lists(st.sampled_from(["a", "b", "c"]), max_size=6) | \
    st.lists(st.sampled_from(["a", "b", 1, True, 1.0, None]), max_size=8)


@given(_VALUES, _VALUES)
def test_value_diff_is_deepdiffs(before, after) -> None:
    assert_diff_is_deepdiffs(before, after)


@given(_SCALAR_LISTS, _SCALAR_LISTS)
@example(["a", "b", "b"], ["c", "a", "c", "b"])  # difflib's delete and insert at one index: set
def test_scalar_sequence_diff_is_deepdiffs(before, after) -> None:
    """Where deepdiff aligns items with difflib, or pairs them when that reports no more."""
    assert_diff_is_deepdiffs(before, after)


def assert_diff_is_deepdiffs(before, after) -> None:
    from deepdiff import DeepDiff

    tree = DeepDiff({"v": before}, {"v": after}, verbose_level=0, view="tree", threshold_to_diff_deeper=0)
    expected = set()
    for kind, verb in DEEPDIFF_VERBS:
        expected |= {f"{verb} {_dotted(item.path())}" for item in tree.get(kind, [])}
    lines: set = set()
    summary.diff(before, after, ("v",), lines)
    assert {f"{verb} {dotted(path)}" for verb, path in lines} == expected


# ---------------------------------------------------------------- in a run


def _run_one(tmp_path: Path, **job) -> runner.Outcome:
    path = tmp_path / "one.yaml"
    path.write_text("Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n")
    return runner.run([str(path)], runner.Job(**job)).outcomes[0]


def test_a_run_that_asks_for_it_gets_the_summary(tmp_path: Path) -> None:
    outcome = _run_one(tmp_path, summary=True)
    assert outcome.result.status == FIXED and outcome.result.summary == ["added Resources.Logs.Properties"]
    assert _run_one(tmp_path).result.summary == []


def test_a_repair_refused_by_validation_lists_no_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(result) -> None:
        result.status, result.error = "failed", "repair would add cfn-lint findings the original lacks: E0000"

    monkeypatch.setattr(runner, "_validate", refuse)
    outcome = _run_one(tmp_path, summary=True, validate=True)
    assert outcome.result.status == "failed" and outcome.result.summary == []
