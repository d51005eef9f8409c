"""Engine edge cases as inline before/after strings (in the style of LibCST's assertCodemod)."""

from __future__ import annotations

import textwrap

import pytest

from autofix import fastload
from autofix.document import parse
from autofix.edits import AppendItem, DeleteKey, RenameKey, ReplaceValue, SetKey
from autofix.errors import EditError
from autofix.splice import Editor
from autofix.values import NO_VALUE, get_att, if_, ref


def apply(source: str, *edits) -> str:
    doc = parse(source)
    editor = Editor(doc)
    for edit in edits:
        editor.apply(edit)
    out = editor.output()
    assert fastload.load_data(out, doc.fmt) == doc.data, "output data differs from the intended data"
    return out


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_add_key_after_last_entry_before_trailing_comment() -> None:
    src = d("""
        Resources:
          Logs:
            Type: AWS::Logs::LogGroup
            Properties:
              LogGroupName: x  # trailing stays on its line
          # introduces the next resource

          Next:
            Type: AWS::SNS::Topic
        """)
    out = apply(src, SetKey(("Resources", "Logs", "Properties"), "RetentionInDays", 30))
    assert out == src.replace("line\n", "line\n      RetentionInDays: 30\n", 1)


def test_four_space_indent_and_nested_creation() -> None:
    src = d("""
        Resources:
            Fn:
                Type: AWS::Lambda::Function
        """)
    out = apply(src, SetKey(("Resources", "Fn", "Properties", "LoggingConfig"), "LogFormat", "JSON"))
    assert out == src + "        Properties:\n            LoggingConfig:\n                LogFormat: JSON\n"


def test_short_tags_follow_the_file() -> None:
    src = "Resources:\n  A:\n    Type: X\n    Properties:\n      B: !Ref C\n"
    out = apply(src, SetKey(("Resources", "A", "Properties"), "R", if_("Has", ref("P"), NO_VALUE)),
                SetKey(("Resources", "A", "Properties"), "G", get_att("Fn", "Arn")))
    assert out.endswith("      R: !If [Has, !Ref P, !Ref 'AWS::NoValue']\n      G: !GetAtt Fn.Arn\n")


def test_long_form_file_gets_long_form() -> None:
    src = "Resources:\n  A:\n    Type: X\n    Properties:\n      B:\n        Ref: C\n"
    out = apply(src, SetKey(("Resources", "A", "Properties"), "G", get_att("Fn", "Arn")))
    assert out.endswith("      G:\n        Fn::GetAtt: [Fn, Arn]\n")


def test_json_keeps_indent_and_compacts_small_values() -> None:
    src = '{\n    "Resources": {\n        "A": {\n            "Type": "X"\n        }\n    }\n}\n'
    out = apply(src, SetKey(("Resources", "A"), "Properties", {"Name": ref("P")}))
    assert out == ('{\n    "Resources": {\n        "A": {\n            "Type": "X",\n'
                   '            "Properties": {"Name": {"Ref": "P"}}\n        }\n    }\n}\n')


def test_json_new_section_goes_before_resources() -> None:
    src = '{\n  "Resources": {\n    "A": {"Type": "X"}\n  }\n}'
    out = apply(src, SetKey(("Parameters",), "P", {"Type": "String"}))
    assert out == '{\n  "Parameters": {"P": {"Type": "String"}},\n  "Resources": {\n    "A": {"Type": "X"}\n  }\n}'


def test_yaml_new_section_goes_before_its_successor_and_its_comment() -> None:
    src = "Description: d\n\n# the resources\nResources:\n  A:\n    Type: X\n"
    out = apply(src, SetKey(("Parameters",), "P", {"Type": "String"}))
    assert out == "Description: d\n\nParameters:\n  P:\n    Type: String\n\n# the resources\nResources:\n  A:\n    Type: X\n"


def test_crlf_and_missing_final_newline() -> None:
    src = "Resources:\r\n  A:\r\n    Type: X"
    out = apply(src, SetKey(("Resources", "A"), "Properties", {"B": 1}))
    assert out == "Resources:\r\n  A:\r\n    Type: X\r\n    Properties:\r\n      B: 1"


def test_insert_after_block_scalars() -> None:
    for header in ("|", "|-", ">", "|+"):
        src = f"Resources:\n  A:\n    Type: X\n    Properties:\n      Code: {header}\n        line one\n\n        line two\n\n"
        doc = parse(src)
        editor = Editor(doc)
        editor.apply(SetKey(("Resources", "A", "Properties"), "B", 1))
        out = editor.output()
        assert fastload.load_data(out, "yaml") == doc.data, header


def test_append_to_block_flow_and_indentless_sequences() -> None:
    src = d("""
        Resources:
          A:
            Type: X
            Properties:
              Block:
                - one
              Indentless:
              - one
              Flow: [one]
        """)
    out = apply(src, *(AppendItem(("Resources", "A", "Properties", k), "two") for k in ("Block", "Indentless", "Flow")))
    assert "    - one\n        - two\n" in out
    assert "      - one\n      - two\n" in out
    assert "Flow: [one, two]" in out


def test_append_mapping_item_uses_the_items_offset() -> None:
    src = "Resources:\n  A:\n    Type: X\n    Properties:\n      Tags:\n        -   Key: a\n            Value: b\n"
    out = apply(src, AppendItem(("Resources", "A", "Properties", "Tags"), {"Key": "c", "Value": "d"}))
    assert out.endswith("        -   Key: c\n            Value: d\n")


def test_empty_flow_mapping_is_rendered_from_data() -> None:
    src = "Resources:\n  A:\n    Type: X\n    Properties: {}\n"
    out = apply(src, SetKey(("Resources", "A", "Properties"), "B", 1), SetKey(("Resources", "A", "Properties"), "C", 2))
    assert out == "Resources:\n  A:\n    Type: X\n    Properties:\n      B: 1\n      C: 2\n"


def test_replace_scalar_and_block_value_keeps_comment_between() -> None:
    src = d("""
        Resources:
          A:
            Type: X
            Properties:
              Timeout: 60  # seconds
              Policy:  # the policy
                Old: 1
        """)
    out = apply(src, ReplaceValue(("Resources", "A", "Properties", "Timeout"), 29),
                ReplaceValue(("Resources", "A", "Properties", "Policy"), {"New": 2}))
    assert "Timeout: 29  # seconds\n" in out
    assert "Policy:  # the policy\n        New: 2\n" in out


def test_trailing_comment_of_a_scalar_that_becomes_a_block_stays_on_its_line() -> None:
    src = d("""
        Metadata:
          Key: old  # why
          Items:
            - method.request.querystring.page  # a plain name
            - 'q # r'  # quoted, with a hash inside
          Empty:
          # own line, not Empty's
          Last: 1
        Resources:
          R: {Type: X}
        """)
    out = apply(src, ReplaceValue(("Metadata", "Key"), {"New": 1, "More": [1, 2]}),
                ReplaceValue(("Metadata", "Items", 0), {"method.request.querystring.page": {"Caching": True}}),
                ReplaceValue(("Metadata", "Items", 1), {"q # r": {"Caching": True}}),
                ReplaceValue(("Metadata", "Empty"), {"Set": True}))
    assert out == d("""
        Metadata:
          Key:  # why
            New: 1
            More:
              - 1
              - 2
          Items:
            - method.request.querystring.page:  # a plain name
                Caching: true
            - 'q # r':  # quoted, with a hash inside
                Caching: true
          Empty:
            Set: true
          # own line, not Empty's
          Last: 1
        Resources:
          R: {Type: X}
        """)
    # A one-line replacement keeps the comment where it was; CRLF files keep their breaks.
    crlf = "Metadata:\r\n  A: old  # why\r\nResources: {R: {Type: X}}\r\n"
    assert apply(crlf, ReplaceValue(("Metadata", "A"), "new")) == crlf.replace("old", "new")
    assert apply(crlf, ReplaceValue(("Metadata", "A"), {"K": 1, "M": [1]})) == \
        "Metadata:\r\n  A:  # why\r\n    K: 1\r\n    M:\r\n      - 1\r\nResources: {R: {Type: X}}\r\n"


def test_replace_inside_new_value_folds_into_it() -> None:
    src = "Resources:\n  A:\n    Type: X\n"
    out = apply(src, SetKey(("Resources",), "B", {"Type": "T", "Properties": {"Num": 1}}),
                SetKey(("Resources", "B", "Properties"), "M", 2),
                ReplaceValue(("Resources", "B", "Properties", "Num"), 3))
    assert out == src + "  B:\n    Type: T\n    Properties:\n      Num: 3\n      M: 2\n"


def test_replacing_an_ancestor_supersedes_earlier_splices() -> None:
    src = "Resources:\n  A:\n    Type: X\n    Properties:\n      P: 1\n"
    out = apply(src, SetKey(("Resources", "A", "Properties"), "Q", 2),
                ReplaceValue(("Resources", "A", "Properties"), {"Z": 0}))
    assert out == "Resources:\n  A:\n    Type: X\n    Properties:\n      Z: 0\n"


def test_delete_and_rename_keys() -> None:
    src = d("""
        Parameters:
          Keep:
            Type: String
          Drop:
            # why it existed
            Type: String
        Resources:
          Old:
            Type: X
        """)
    out = apply(src, DeleteKey(("Parameters",), "Drop"), RenameKey(("Resources",), "Old", "New"))
    assert out == d("""
        Parameters:
          Keep:
            Type: String
            # why it existed
        Resources:
          New:
            Type: X
        """)


def test_add_after_a_named_sibling_with_blank_line_style() -> None:
    src = "Resources:\n  A:\n    Type: X\n\n  B:\n    Type: Y\n"
    out = apply(src, SetKey(("Resources",), "AAlarm", {"Type": "Z"}, after="A"))
    assert out == "Resources:\n  A:\n    Type: X\n\n  AAlarm:\n    Type: Z\n\n  B:\n    Type: Y\n"


def test_quoting_keeps_yaml11_readers_safe() -> None:
    src = "Resources:\n  A:\n    Type: X\n"
    out = apply(src, SetKey(("Resources", "A"), "Properties",
                            {"V": "2012-10-17", "B": "yes", "Num": "10", "S": "a: b", "E": ""}))
    assert "V: '2012-10-17'" in out and "B: 'yes'" in out and "Num: '10'" in out
    assert "S: 'a: b'" in out and "E: ''" in out


def test_aliases_and_anchors_are_refused() -> None:
    src = "Resources:\n  A:\n    Type: X\n    Properties: &p\n      N: 1\n  B:\n    Type: X\n    Properties: *p\n"
    doc = parse(src)
    editor = Editor(doc)
    with pytest.raises(EditError):
        editor.apply(SetKey(("Resources", "B", "Properties"), "M", 2))
    with pytest.raises(EditError):
        editor.apply(SetKey(("Resources", "A", "Properties"), "M", 2))
    editor.apply(SetKey(("Resources", "B"), "Condition", "C"))  # outside the aliased content
    assert "Condition: C" in editor.output()


def test_undo_restores_data_and_text() -> None:
    src = "Resources:\n  A:\n    Type: X\n"
    doc = parse(src)
    editor = Editor(doc)
    undo = editor.apply(SetKey(("Resources", "A"), "Properties", {"B": 1}))
    undo()
    assert editor.output() == src and "Properties" not in doc.data["Resources"]["A"]


def test_set_existing_key_is_an_edit_error() -> None:
    doc = parse("Resources:\n  A:\n    Type: X\n")
    with pytest.raises(EditError, match="already exists"):
        Editor(doc).apply(SetKey(("Resources", "A"), "Type", "Y"))


def test_replacing_a_flow_value_keeps_flow_style() -> None:
    src = "Resources:\n  A:\n    Type: X\n    Properties:\n      L: [a, b]  # note\n"
    out = apply(src, ReplaceValue(("Resources", "A", "Properties", "L"), ["a", "b", ref("C")]))
    assert out.endswith("      L: [a, b, !Ref C]  # note\n")


def test_double_quote_files_write_quotes_readably() -> None:
    src = 'Resources:\n  A:\n    Type: "X"\n'
    out = apply(src, SetKey(("Resources", "A"), "Properties", {"Doc": '{"a": 1}', "Name": "a: b"}))
    assert "Doc: '{\"a\": 1}'" in out and 'Name: "a: b"' in out


def test_replacing_a_long_one_line_scalar_keeps_line_and_quotes() -> None:
    long = "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"
    src = f"Resources:\n  M:\n    Type: X\n    Properties:\n      Uri: !Sub '{long}'\n"
    new = long.replace("${Fn.Arn}", "${FnAlias}")
    out = apply(src, ReplaceValue(("Resources", "M", "Properties", "Uri"), {"Fn::Sub": new}))
    assert out == src.replace(long, new)


def test_json_new_entry_follows_its_after_sibling() -> None:
    src = '{\n  "Resources": {\n    "Fn": {"Type": "F"},\n    "Role": {"Type": "R"}\n  }\n}\n'
    out = apply(src, SetKey(("Resources",), "FnVersion", {"Type": "V"}, after="Fn"))
    assert out == '{\n  "Resources": {\n    "Fn": {"Type": "F"},\n    "FnVersion": {"Type": "V"},\n    "Role": {"Type": "R"}\n  }\n}\n'


def test_empty_value_is_edited_on_its_key_line() -> None:
    src = d("""
        Resources:
          Logs:
            Type: AWS::Logs::LogGroup
            Properties:
              Name:   # filled in later

          # the next resource
          Other:
            Type: AWS::SNS::Topic
        """)
    props = ("Resources", "Logs", "Properties")
    assert apply(src, ReplaceValue(props + ("Name",), "x")) == src.replace("Name:   #", "Name: x   #")
    assert apply(src, SetKey(props, "RetentionInDays", 30)) == src.replace(
        "later\n", "later\n      RetentionInDays: 30\n")


def test_replacing_a_keep_scalar_leaves_its_trailing_lines() -> None:
    src = "Resources:\n  A:\n    Type: X\n    Properties:\n      K: |+\n        text\n\n\n# end\n      M: 1\n"
    out = apply(src, ReplaceValue(("Resources", "A", "Properties", "K"), True))
    assert out == src.replace("|+\n        text\n", "true\n")


def test_new_resource_after_keep_scalar_puts_its_blank_line_after() -> None:
    src = "Resources:\n  A:\n    Type: X\n\n  B:\n    Type: Y\n    Properties:\n      Key: |+\n        beta\n# end\n"
    out = apply(src, SetKey(("Resources",), "C", {"Type": "Z"}))
    assert out == src.replace("beta\n", "beta\n  C:\n    Type: Z\n\n")


@pytest.mark.parametrize("header,new", [("|", "|-"), (">2", ">-2"), ("|+", "|-")])
def test_block_scalar_ending_the_file_without_line_break_is_stripped(header, new) -> None:
    src = f"Resources:\n  A:\n    Type: X\n    Properties:\n      V: {header}\n        alpha"
    out = apply(src, SetKey(("Resources", "A", "Properties"), "W", 1))
    assert out == src.replace(header, new) + "\n      W: 1"


def test_keep_scalar_ending_the_file_with_a_line_of_spaces() -> None:
    src = "Resources:\n  A:\n    Type: X\n    Properties:\n      V: |+\n        alpha\n\n  "
    out = apply(src, SetKey(("Resources", "A", "Properties"), "W", 1))
    assert out == src[:-2] + "      W: 1\n  "


JSON_PROPS = ('{\n  "Resources": {\n    "A": {\n      "Type": "X",\n      "Properties": {\n'
              '        "P": 1,\n        "Q": 2,\n        "R": 3\n      }\n    }\n  }\n}\n')
PROPS = ("Resources", "A", "Properties")


def test_json_deletes_in_any_order_take_one_separator_each() -> None:
    out = apply(JSON_PROPS, DeleteKey(PROPS, "Q"), DeleteKey(PROPS, "P"))
    assert out == JSON_PROPS.replace('        "P": 1,\n        "Q": 2,\n', "")


def test_entry_added_after_a_key_that_is_then_deleted_takes_its_place() -> None:
    out = apply(JSON_PROPS, SetKey(PROPS, "N", 7, after="P"), DeleteKey(PROPS, "P"))
    assert out == JSON_PROPS.replace('"P": 1', '"N": 7')


def test_flow_mapping_keeps_only_added_keys() -> None:
    src = "Resources:\n  A:\n    Type: X\n    Properties: {P: 1, Q: 2}\n"
    out = apply(src, SetKey(PROPS, "N", 7), DeleteKey(PROPS, "P"), DeleteKey(PROPS, "Q"))
    assert out == src.replace("{P: 1, Q: 2}", "{'N': 7}")


def test_renamed_and_readded_keys_are_edited_by_their_current_names() -> None:
    src = "Resources:\n  A:\n    Type: X\n    Properties:\n      P: 1   # p\n      R: 2\n"
    out = apply(src, RenameKey(PROPS, "P", "Q"), RenameKey(PROPS, "Q", "Z"), ReplaceValue(PROPS + ("Z",), [1, 2]),
                DeleteKey(PROPS, "R"), SetKey(PROPS, "R", 3), RenameKey(PROPS, "R", "S"))
    assert out == "Resources:\n  A:\n    Type: X\n    Properties:\n      Z:   # p\n        - 1\n        - 2\n      S: 3\n"


def test_comment_kept_from_a_deleted_value_does_not_join_a_block_scalar_above() -> None:
    src = d("""
        Resources:
          A:
            Type: X
            Properties:
              Text: |
                alpha
              Drop:
                Name: x
                # a note about Drop
                Value: 1
        """)
    out = apply(src, DeleteKey(("Resources", "A", "Properties"), "Drop"))
    assert out == d("""
        Resources:
          A:
            Type: X
            Properties:
              Text: |
                alpha
              # a note about Drop
        """)
    assert fastload.load_data(out, "yaml")["Resources"]["A"]["Properties"] == {"Text": "alpha\n"}


def test_a_dropped_short_tag_value_never_lends_its_id_to_a_new_container() -> None:
    # The data of `!Ref C` is frozen by id; once a replacement drops it, a new mapping (an
    # inserted resource's Properties) could get that id and be refused as anchored content.
    doc = parse("Resources:\n  A:\n    Type: X\n    Properties:\n      B: !Ref C\n      D: !GetAtt E.Arn\n")
    editor = Editor(doc)
    editor.apply(ReplaceValue(("Resources", "A", "Properties", "B"), "literal"))
    editor.apply(ReplaceValue(("Resources", "A", "Properties", "D"), "literal"))
    made = [{"k": n} for n in range(2000)] + [[n] for n in range(2000)]
    assert not [c for c in made if id(c) in doc.frozen]
