"""What the engine asks of each edit it judges and applies: its anchor, its kind."""

from __future__ import annotations

from typing import get_args

from autofix.document import load
from autofix.edits import AppendItem, DeleteKey, Edit, RenameKey, ReplaceValue, SetKey, edit_kind
from autofix.kinds import Kind

TEMPLATE = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Tags: [{Key: a, Value: b}]
"""


def test_a_document_without_anchors_answers_shared_at_without_walking_its_data() -> None:
    doc = load(TEMPLATE.encode(), "t.yaml")

    class Untouchable(dict):
        def __getitem__(self, key):
            raise AssertionError("walked")

    doc.data = Untouchable(doc.data)
    assert doc.shared_at(("Resources", "Fn", "Properties", "Handler")) is None


def test_shared_at_still_finds_anchored_content() -> None:
    doc = load(b"Resources:\n  A:\n    Type: T\n    Properties: &p\n      X: 1\n  B:\n    Type: T\n"
               b"    Properties: *p\n", "t.yaml")
    assert doc.shared_at(("Resources", "B", "Properties", "X")) == (("Resources", "B", "Properties"), "p")
    assert doc.shared_at(("Resources", "A", "Type")) is None


def test_every_edit_type_has_its_kind() -> None:
    kinds = {SetKey: Kind.ADD, ReplaceValue: Kind.SET, AppendItem: Kind.APPEND, DeleteKey: Kind.DELETE,
             RenameKey: Kind.RENAME}
    assert set(get_args(Edit)) == set(kinds)
    samples = [SetKey(("Resources",), "A", 1), ReplaceValue(("Resources", "A"), 1),
               AppendItem(("Resources", "A"), 1), DeleteKey(("Resources",), "A"), RenameKey(("Resources",), "A", "B")]
    assert {type(edit): edit_kind(edit) for edit in samples} == kinds


def _patch():
    from autofix.registry import all_patches

    cls = next(cls for cls in all_patches() if cls.resolves)
    return cls(cls.Options())


def test_a_suppression_an_earlier_edit_added_to_a_resource_is_read_by_the_next_judgement() -> None:
    """Metadata is read live: a patch may add it (cfn_nag suppressions), and a later patch sees it."""
    from autofix.suppress import Suppressions

    patch = _patch()
    data = load(TEMPLATE.encode(), "t.yaml").data
    suppressions = Suppressions(data)
    path = ("Resources", "Fn", "Properties", "X")
    assert suppressions.resource_suppresses(path, patch) is None
    rule = patch.resolves[0]
    data["Resources"]["Fn"]["Metadata"] = {"cfn_nag": {"rules_to_suppress": [{"id": rule}]}}
    assert suppressions.resource_suppresses(path, patch) == f"Fn suppresses {rule}; left as the author decided"
    data["Resources"]["Fn"]["Metadata"]["cfn_nag"]["rules_to_suppress"] = []
    data["Resources"]["Fn"]["Metadata"]["cfn-fix"] = {"ignore": [patch.id]}
    assert suppressions.resource_suppresses(path, patch) == f"Fn has Metadata cfn-fix ignore for {patch.id}"
    data["Resources"]["Fn"]["Metadata"] = "not a mapping"
    assert suppressions.resource_suppresses(path, patch) is None
