"""The engine says each of a patch's refusals once: edits refused for the same reason at the
same place give one note, while different places or reasons each keep theirs."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.document import load
from autofix.edits import Proposal, SetKey, Skip
from autofix.engine import fix_document
from autofix.registry import Patch
from autofix.view import TemplateView

SOURCE = b"""\
Conditions:
  Prod: !Equals [!Ref 'AWS::StackName', prod]
Resources:
  First:
    Type: AWS::SQS::Queue
    Properties: !If [Prod, {DelaySeconds: 1}, {DelaySeconds: 2}]
  Second:
    Type: AWS::SQS::Queue
    Properties: !If [Prod, {DelaySeconds: 1}, {DelaySeconds: 2}]
"""


class ManyKeys(Patch):
    """Sets two keys on each queue's computed Properties, and skips Second once itself."""

    id, name, title = "TEST902", "many-keys", "Set keys the engine refuses"

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        yield Skip(("Resources", "Second", "Properties"), "Resources.Second.Properties is an Fn::If; left alone")
        for rid in ("First", "Second"):
            for key in ("MaximumMessageSize", "MessageRetentionPeriod"):
                yield SetKey(("Resources", rid, "Properties"), key, 1024, f"{rid}: {key}")


def test_refusals_for_the_same_reason_at_the_same_place_are_said_once() -> None:
    result = fix_document(load(SOURCE, "t.yaml"), [ManyKeys()])
    said = [(n.kind, n.path, n.message) for n in result.notes if n.patch_id == "TEST902"]
    assert not result.changes
    assert [path for _, path, _ in said] == [("Resources", "Second", "Properties"),
                                             ("Resources", "First", "Properties")]
    assert all(message.endswith("is an Fn::If; left alone") for _, _, message in said)
