"""Updates that replace: the committed create-only table matches the installed schemas, and the
engine refuses an edit to a create-only property of a resource the template already had,
unless its type is known to be stateless, where the edit is applied and the replacement is
reported (issue 11 item 19)."""

from __future__ import annotations

import importlib.util
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from autofix import create_only, fastload
from autofix.api import fix_text
from autofix.edits import DeleteKey, Proposal, RenameKey, ReplaceValue, SetKey
from autofix.registry import Patch
from autofix.view import TemplateView

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "gen_create_only.py"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_create_only", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_table_matches_installed_schemas() -> None:
    generator = _generator()
    assert generator.build() == create_only.CREATE_ONLY, "stale: run python3 scripts/gen_create_only.py"
    assert generator.STATELESS == create_only.STATELESS, "stale: run python3 scripts/gen_create_only.py"
    assert generator.render(generator.build()) == Path(create_only.__file__).read_text(encoding="utf-8")


def test_lazy_table_equals_the_eagerly_built_table_key_for_key() -> None:
    built = _generator().build()  # tuples, as the module held them before it held one string
    fresh = type(create_only.CREATE_ONLY)(create_only._TABLE)  # nothing parsed yet
    assert list(fresh) == list(built) and len(fresh) == len(built)
    for rtype, paths in built.items():
        assert rtype in fresh and fresh[rtype] == paths and fresh.get(rtype) == paths, rtype
    assert dict(fresh.items()) == built and fresh == built


def test_lazy_table_answers_absent_types_as_a_dict_does() -> None:
    table = type(create_only.CREATE_ONLY)(create_only._TABLE)
    some = next(iter(table))
    for absent in ("AWS::No::Such", some[:-1], some[1:], f"{some}\tx", f"x\n{some}", "", "\n", None, 3):
        assert absent not in table and table.get(absent, ()) == (), absent
        with pytest.raises(KeyError):
            table[absent]
    assert table[some] is table[some]  # parsed once
    with pytest.raises(TypeError):
        table["AWS::S3::Bucket"] = ()  # type: ignore[index]


def test_known_facts() -> None:
    """Spot checks against the schemas (cfn-facts: names and every Permission property)."""
    table = create_only.CREATE_ONLY
    assert ("BucketName",) in table["AWS::S3::Bucket"]
    assert ("TableName",) in table["AWS::DynamoDB::Table"]
    assert ("FunctionName",) in table["AWS::Lambda::Function"]
    assert ("LogGroupName",) in table["AWS::Logs::LogGroup"]
    assert {("FunctionName",), ("SourceArn",), ("SourceAccount",), ("Principal",), ("Action",)} <= \
        set(table["AWS::Lambda::Permission"])
    assert ("ProvisionedConcurrencyConfig",) in table["AWS::Lambda::Version"]
    assert ("FunctionName",) in table["AWS::Serverless::Function"]
    assert "AWS::ApiGateway::RestApi" not in table and "AWS::ApiGateway::Account" not in table
    assert any("*" in path for paths in table.values() for path in paths)
    assert "AWS::Lambda::EventSourceMapping" not in create_only.STATELESS  # replacing it rereads or skips a stream


class Edits(Patch):
    """Proposes the edits it is given (a stand-in for a patch)."""

    id, name, title = "TEST901", "given-edits", "Propose the given edits"

    def __init__(self, *edits: Proposal) -> None:
        super().__init__()
        self.edits = edits

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        for edit in self.edits:  # each while it is still to do, as a patch would (idempotent)
            here = view.get(edit.path, {})
            if isinstance(edit, SetKey | DeleteKey) and (edit.key in here) == isinstance(edit, DeleteKey):
                yield edit
            elif isinstance(edit, ReplaceValue) and view.get(edit.path) not in (None, edit.value):
                yield edit
            elif isinstance(edit, RenameKey) and edit.old in here:
                yield edit


SOURCE = textwrap.dedent("""\
    Resources:
      UntouchedBucket:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: data-4711
          Tags:
            - {Key: Team, Value: core}
      ReplacedPermission:
        Type: AWS::Lambda::Permission
        Properties:
          Action: lambda:InvokeFunction
          FunctionName: arn:aws:lambda:us-east-1:123456789012:function:f
          Principal: s3.amazonaws.com
      EmailSubscription:
        Type: AWS::SNS::Subscription
        Properties:
          Protocol: email
          TopicArn: arn:aws:sns:us-east-1:123456789012:alarms
          Endpoint: ops@example.com
    """)
BUCKET = ("Resources", "UntouchedBucket", "Properties")
PERMISSION = ("Resources", "ReplacedPermission", "Properties")


def fix(*edits: Proposal):
    result = fix_text(SOURCE, [Edits(*edits)])
    assert result.status in ("fixed", "unchanged"), result.error
    return result, fastload.load_data(result.output, "yaml")


def test_a_create_only_property_of_a_stateful_resource_is_left_alone() -> None:
    for edit in (ReplaceValue(BUCKET + ("BucketName",), "data-4712"),
                 DeleteKey(BUCKET, "BucketName"),
                 ReplaceValue(BUCKET, {"BucketName": "other-4711"})):
        result, data = fix(edit, SetKey(BUCKET, "ObjectLockEnabled", False))
        assert result.status == "unchanged", edit
        assert data["Resources"]["UntouchedBucket"]["Properties"]["BucketName"] == "data-4711"
        assert [(n.kind, n.message) for n in result.notes] == [
            ("advice", "Resources.UntouchedBucket.Properties.BucketName is create-only: changing it replaces "
                       "AWS::S3::Bucket UntouchedBucket (a new physical resource, the old one deleted); left alone")]


def test_other_properties_and_equal_values_are_not_replacements() -> None:
    result, data = fix(ReplaceValue(BUCKET, {"BucketName": "data-4711", "Tags": [{"Key": "Team", "Value": "core"}],
                                             "VersioningConfiguration": {"Status": "Enabled"}}))
    assert result.status == "fixed"
    assert not [n for n in result.notes if n.kind in ("advice", "replaces")]
    result, data = fix(SetKey(BUCKET, "ObjectLockEnabled", False))
    assert result.status == "fixed"
    assert not [n for n in result.notes if n.kind in ("advice", "replaces")]


def test_a_stateless_resource_is_replaced_with_a_note() -> None:
    result, data = fix(SetKey(PERMISSION, "SourceAccount", {"Ref": "AWS::AccountId"}))
    assert result.status == "fixed"
    assert data["Resources"]["ReplacedPermission"]["Properties"]["SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert [(n.kind, n.message) for n in result.notes] == [
        ("replaces", "replaces AWS::Lambda::Permission ReplacedPermission on update: SourceAccount is create-only")]


def test_an_email_subscription_is_not_stateless() -> None:
    sub = ("Resources", "EmailSubscription", "Properties")
    result, data = fix(ReplaceValue(sub + ("Endpoint",), "pager@example.com"))
    assert result.status == "unchanged"
    assert [n.kind for n in result.notes] == ["advice"]


def test_renaming_a_resource_replaces_it() -> None:
    result, _ = fix(RenameKey(("Resources",), "UntouchedBucket", "RenamedBucket"))
    assert result.status == "unchanged"
    assert [n.message for n in result.notes] == [
        "Resources.UntouchedBucket: renaming it replaces AWS::S3::Bucket UntouchedBucket; left alone"]
    result, _ = fix(RenameKey(("Resources",), "ReplacedPermission", "RenamedPermission"))
    assert result.status == "fixed"
    assert [(n.kind, n.message) for n in result.notes] == [
        ("replaces", "replaces AWS::Lambda::Permission ReplacedPermission on update: a new logical id (RenamedPermission)")]


def test_resources_added_by_the_run_are_never_judged() -> None:
    new = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "new-4711"}}
    result = fix_text(SOURCE, [Edits(SetKey(("Resources",), "NewBucket", new)),
                               Edits(ReplaceValue(("Resources", "NewBucket", "Properties", "BucketName"), "new-4712"))])
    assert result.status == "fixed", result.error
    data = fastload.load_data(result.output, "yaml")
    assert data["Resources"]["NewBucket"]["Properties"]["BucketName"] == "new-4712"
    assert not [n for n in result.notes if n.kind in ("advice", "replaces")]


def test_a_sam_function_name_is_create_only_too() -> None:
    source = textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          NamedFunction:
            Type: AWS::Serverless::Function
            Properties:
              FunctionName: orders-api
              Runtime: python3.12
              Handler: index.handler
              InlineCode: "def handler(event, context): return 1"
        """)
    props = ("Resources", "NamedFunction", "Properties")
    result = fix_text(source, [Edits(ReplaceValue(props + ("FunctionName",), {"Fn::Sub": "${AWS::StackName}-orders"}),
                                     SetKey(props, "Timeout", 10))])
    assert result.status == "unchanged"
    assert [n.message for n in result.notes] == [
        "Resources.NamedFunction.Properties.FunctionName is create-only: changing it replaces "
        "AWS::Serverless::Function NamedFunction (a new physical resource, the old one deleted); left alone"]


def test_an_edit_below_one_property_is_held_against_that_propertys_paths_as_against_all() -> None:
    """The engine looks up a type's create-only paths by the property an edit is below: for
    every type and every place an edit may write (the resource, Properties, a property, a
    nested key, a list item, a key of no path), the hits are those of every path in turn."""
    from autofix import engine

    class EveryPath(dict):
        """A look-up by property that answers every path of the type, whatever the property."""

        def __init__(self, every: tuple) -> None:
            super().__init__()
            self.every = every

        def get(self, key, default=None):
            return self.every

    def every_path(loc: tuple, old, new, table) -> list[tuple]:
        return engine._create_only_hits("R", loc, old, new, engine._CreateOnly(table.every, EveryPath(table.every)))

    checked = 0
    for rtype in create_only.CREATE_ONLY:
        table = engine._create_only_paths(rtype)
        assert table is not None and table.every == create_only.CREATE_ONLY[rtype]
        for path in table.every:
            below = ("Resources", "R", "Properties")
            places = [below[:2], below, below + path[:1], below + path, below + path[:1] + ("Other",),
                      below + ("NotAProperty",), below + (0,), below + path + (0, "Deeper")]
            for loc in places:
                for old, new in (({"x": 1}, {"x": 2}), ("a", "a"), (engine._ABSENT, "b")):
                    assert engine._create_only_hits("R", loc, old, new, table) == every_path(loc, old, new, table)
                    checked += 1
    assert checked > 10_000
