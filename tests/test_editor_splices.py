"""Editor.splices(): the text edits output() is made of, in source offsets, for callers such as the language server."""

from __future__ import annotations

from autofix.document import parse
from autofix.edits import DeleteKey, ReplaceValue, SetKey
from autofix.splice import Editor

SOURCE = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: x\n"
PROPS = ("Resources", "Logs", "Properties")


def rebuilt(source: str, splices: list[tuple[int, int, str]]) -> str:
    out, pos = [], 0
    for start, end, text in splices:
        assert start >= pos, "splices overlap or are out of order"
        out.append(source[pos:start] + text)
        pos = end
    return "".join(out) + source[pos:]


def test_an_insertion_is_one_splice_at_the_end_of_its_mapping() -> None:
    editor = Editor(parse(SOURCE))
    editor.apply(SetKey(PROPS, "RetentionInDays", 30))
    assert editor.splices() == [(len(SOURCE), len(SOURCE), "      RetentionInDays: 30\n")]


def test_a_replacement_covers_only_the_old_value() -> None:
    editor = Editor(parse(SOURCE))
    editor.apply(ReplaceValue(PROPS + ("LogGroupName",), "z"))
    colon_end = SOURCE.index("LogGroupName:") + len("LogGroupName:")
    assert editor.splices() == [(colon_end, SOURCE.index("x\n") + 1, " z")]  # from the colon: ` x` -> ` z`


def test_splices_rebuild_the_output_in_source_order() -> None:
    source = SOURCE + "  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: t\n      DisplayName: d\n"
    editor = Editor(parse(source))
    editor.apply(SetKey(("Resources", "Topic", "Properties"), "FifoTopic", False))
    editor.apply(SetKey(PROPS, "RetentionInDays", 30))
    editor.apply(DeleteKey(("Resources", "Topic", "Properties"), "TopicName"))
    splices = editor.splices()
    assert len(splices) == 3
    assert [s[0] for s in splices] == sorted(s[0] for s in splices)
    assert rebuilt(source, splices) == editor.output()


def test_the_block_scalar_fix_up_is_among_the_splices() -> None:
    source = "Resources:\n  A:\n    Type: X\n    Properties:\n      V: |\n        alpha"
    editor = Editor(parse(source))
    editor.apply(SetKey(("Resources", "A", "Properties"), "W", 1))
    header = source.index("|") + 1
    assert (header, header, "-") in editor.splices()
    assert rebuilt(source, editor.splices()) == editor.output() == source.replace("|", "|-") + "\n      W: 1"


def test_an_edit_undone_leaves_no_splice() -> None:
    editor = Editor(parse(SOURCE))
    undo = editor.apply(SetKey(PROPS, "RetentionInDays", 30))
    assert editor.splices() != []
    undo()
    assert editor.splices() == []
    assert editor.output() == SOURCE


def test_an_insertion_that_renders_nothing_is_left_out() -> None:
    editor = Editor(parse(SOURCE))
    editor.apply(SetKey(PROPS, "RetentionInDays", 30))
    editor.apply(DeleteKey(PROPS, "RetentionInDays"))  # the added key is gone: its insertion renders ""
    assert editor.splices() == []
    assert editor.output() == SOURCE


def test_an_edit_after_output_changes_the_splices() -> None:
    editor = Editor(parse(SOURCE))
    editor.apply(SetKey(PROPS, "RetentionInDays", 30))
    first = editor.output()
    editor.apply(SetKey(PROPS, "KmsKeyId", "k"))
    assert [text for _, _, text in editor.splices()] == ["      RetentionInDays: 30\n", "      KmsKeyId: k\n"]
    assert editor.output() == first + "      KmsKeyId: k\n"


def test_the_list_returned_is_the_callers_own() -> None:
    editor = Editor(parse(SOURCE))
    editor.apply(SetKey(PROPS, "RetentionInDays", 30))
    editor.splices().clear()
    assert len(editor.splices()) == 1
