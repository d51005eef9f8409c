"""Shared needs: what several patches create (a parameter, a condition, the access-log bucket, a
resource with parts such as a topic and its policy) is declared once per run by the engine
(`view.need`), and a patch's reference resolves to the name the engine chose. And the view bounds what a patch reads by its declared `resource_types`."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest

from autofix import fastload
from autofix.api import fix_text
from autofix.edits import Need, Proposal, SetKey
from autofix.engine import Result
from autofix.model.buckets import BUCKET, log_bucket_need
from autofix.model.parameters import parameter
from autofix.registry import Patch
from autofix.values import ref
from autofix.view import TemplateView
from tests.test_name_collisions import FUNCTION, WiredConcurrency

# Two functions: the one of tests/test_name_collisions.py and a twin.
FUNCTIONS = FUNCTION + FUNCTION.split("Resources:\n")[1].replace("FixedFunction", "OtherFunction").replace("1\"", "2\"")
UNSET = {"Type": "Number", "Default": -1, "MinValue": -1, "Description": "concurrency; -1 leaves it unset"}
ZERO = {"Type": "Number", "Default": 0, "MinValue": 0, "Description": "concurrency; 0 leaves it off"}


def _needing(pid: str, spec: dict, function: str, key: str = "Concurrency") -> Patch:
    """A patch that needs parameter `Concurrency` (as `spec`) and refers to it from one function."""

    class Needing(Patch):
        id, name, title = pid, pid.lower(), f"needs Concurrency for {function}"
        resource_types = ("AWS::Lambda::Function",)

        def propose(self, view: TemplateView) -> Iterator[Proposal]:
            if key in view.props(view.resources[function]):
                return
            name = yield from view.need(parameter("Concurrency", spec))
            yield SetKey(("Resources", function, "Properties"), key, ref(name), f"{function}: from {name}")

    return Needing()


def _data(result: Result) -> dict:
    assert result.status == "fixed", result.error
    return fastload.load_data(result.output, "yaml")


def _stable(source: str, patches: list[Patch]) -> Result:
    """The repair, checked to propose nothing on a second run."""
    result = fix_text(source, patches)
    assert fix_text(result.output, patches).status == "unchanged"
    return result


def test_identical_needs_of_two_patches_declare_one_parameter() -> None:
    first, second = _needing("TEST901", UNSET, "FixedFunction"), _needing("TEST902", UNSET, "OtherFunction")
    result = _stable(FUNCTIONS, [first, second])
    data = _data(result)
    assert list(data["Parameters"]) == ["Concurrency"]
    assert [c.message for c in result.changes if c.path[0] == "Parameters"] == ["add parameter Concurrency"]
    assert data["Resources"]["OtherFunction"]["Properties"]["Concurrency"] == ref("Concurrency")


def test_a_later_need_the_declared_parameter_cannot_serve_gets_its_own_and_says_whose_it_is() -> None:
    """-1 (the first patch's default) is below the second's MinValue 0: the second declares Concurrency2."""
    result = _stable(FUNCTIONS, [_needing("TEST901", UNSET, "FixedFunction"), _needing("TEST902", ZERO, "OtherFunction")])
    data = _data(result)
    assert data["Parameters"] == {"Concurrency": UNSET, "Concurrency2": ZERO}
    assert data["Resources"]["FixedFunction"]["Properties"]["Concurrency"] == ref("Concurrency")
    assert data["Resources"]["OtherFunction"]["Properties"]["Concurrency"] == ref("Concurrency2")
    assert [c.message for c in result.changes if c.patch_id == "TEST902" and c.path[0] == "Parameters"] == \
        ["add parameter Concurrency2 (Concurrency (added by TEST901) allows -1)"]


def test_a_later_need_the_declared_parameter_serves_reuses_it() -> None:
    """0 (the first patch's default) is within the second's bounds (MinValue -1): one parameter serves both."""
    result = _stable(FUNCTIONS, [_needing("TEST901", ZERO, "FixedFunction"), _needing("TEST902", UNSET, "OtherFunction")])
    data = _data(result)
    assert data["Parameters"] == {"Concurrency": ZERO}
    assert data["Resources"]["OtherFunction"]["Properties"]["Concurrency"] == ref("Concurrency")
    assert not [c for c in result.changes if c.patch_id == "TEST902" and c.path[0] == "Parameters"]


def test_a_need_whose_name_another_section_holds_gets_a_free_name_and_says_why() -> None:
    source = FUNCTIONS + "  Concurrency:\n    Type: AWS::SNS::Topic\n"
    result = _stable(source, [_needing("TEST901", UNSET, "FixedFunction"), _needing("TEST902", UNSET, "OtherFunction")])
    data = _data(result)
    assert list(data["Parameters"]) == ["Concurrency2"]
    assert data["Resources"]["OtherFunction"]["Properties"]["Concurrency"] == ref("Concurrency2")
    assert [c.message for c in result.changes if c.path[0] == "Parameters"] == \
        ["add parameter Concurrency2 (Concurrency names a resource)"]
    assert not [n for n in result.notes if n.kind == "error"]


def test_a_need_only_a_refused_edit_used_is_not_declared() -> None:
    """The parameter and condition WiredConcurrency needs serve only an edit beside an Fn::If, which the
    engine refuses: neither is declared (no orphan, cfn-lint W2001/W8001)."""
    source = "Conditions:\n  Never: !Equals [a, b]\n" + FUNCTION.replace(
        FUNCTION[FUNCTION.index("    Properties:"):], "    Properties: !If [Never, {}, {}]\n")
    result = fix_text(source, [WiredConcurrency()])
    assert result.status == "unchanged", [c.dotted for c in result.changes]
    assert [n.kind for n in result.notes] == ["skip"]
    assert "Fn::If" in result.notes[0].message


class LogsTo(Patch):
    """Sends one bucket's access logs to the shared log bucket."""

    resource_types = (BUCKET,)

    def __init__(self, pid: str, bucket: str) -> None:
        super().__init__()
        self.id, self.name, self.title, self.bucket = pid, pid.lower(), f"log {bucket}", bucket

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        if "LoggingConfiguration" in view.props(view.resources[self.bucket]):
            return
        log_id = yield from view.need(log_bucket_need("AccessLogBucket", None, "{name}: the log bucket"))
        yield SetKey(("Resources", self.bucket, "Properties"), "LoggingConfiguration",
                     {"DestinationBucketName": ref(log_id)}, f"{self.bucket}: logs to {log_id}")


BUCKETS = textwrap.dedent("""\
    Parameters:
      AccessLogBucket:
        Type: String
    Resources:
      DataBucket:
        Type: AWS::S3::Bucket
      OtherBucket:
        Type: AWS::S3::Bucket
    """)


def test_two_patches_needing_the_log_bucket_share_one_under_the_name_the_engine_chose() -> None:
    result = _stable(BUCKETS, [LogsTo("TEST904", "DataBucket"), LogsTo("TEST905", "OtherBucket")])
    resources = _data(result)["Resources"]
    assert [r for r, res in resources.items() if res["Type"] == BUCKET] == ["DataBucket", "OtherBucket", "AccessLogBucket2"]
    for bucket in ("DataBucket", "OtherBucket"):
        assert resources[bucket]["Properties"]["LoggingConfiguration"] == {"DestinationBucketName": ref("AccessLogBucket2")}
    assert [c.message for c in result.changes if c.path == ("Resources", "AccessLogBucket2")] == \
        ["AccessLogBucket2: the log bucket (AccessLogBucket is in Parameters)"]


def test_a_log_bucket_whose_lifecycle_or_tags_changed_still_serves() -> None:
    first = _data(fix_text(BUCKETS, [LogsTo("TEST904", "DataBucket")]))
    bucket = first["Resources"]["AccessLogBucket2"]
    bucket["Properties"]["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] = 30  # as S3004 may set it
    bucket["Properties"]["Tags"] = [{"Key": "Team", "Value": "core"}]
    need = log_bucket_need("AccessLogBucket", None)
    assert need.unfit(bucket) is None
    assert need.unfit({**bucket, "Condition": "Elsewhere"}) is not None


# ---------------------------------------------------------------- a need with parts


def _topic_parts(topic: str) -> Iterator[Need]:
    """A dead-letter topic and its policy, named from the topic's chosen name."""
    yield Need("Resources", topic, {"Type": "AWS::SNS::Topic"}, f"{topic}: dead-letter topic")
    policy = yield Need("Resources", f"{topic}Policy", {"Type": "AWS::SNS::TopicPolicy", "Properties": {
        "Topics": [ref(topic)], "PolicyDocument": {"Statement": []}}}, f"{topic}: dead-letter topic")
    assert policy.startswith(f"{topic}Policy")  # the name the engine gave it comes back


def _dead_letters_to_topic(pid: str, function: str) -> Patch:
    """A patch that sends one function's failed events to a topic that comes with its policy."""

    class DeadLetters(Patch):
        id, name, title = pid, pid.lower(), f"dead letters of {function}"
        resource_types = ("AWS::Lambda::Function",)

        def propose(self, view: TemplateView) -> Iterator[Proposal]:
            if "DeadLetterConfig" in view.props(view.resources[function]):
                return
            need = Need("Resources", "DeadLetterTopic", None, parts=_topic_parts,
                        serves=lambda found: None if found.get("Type") == "AWS::SNS::Topic" else "is not a topic")
            topic = yield from view.need(need)
            yield SetKey(("Resources", function, "Properties"), "DeadLetterConfig", {"TargetArn": ref(topic)},
                         f"{function}: dead letters to {topic}")

    return DeadLetters()


def _dead_letter_run(source: str) -> tuple[Result, dict]:
    result = _stable(source, [_dead_letters_to_topic("TEST911", "FixedFunction"),
                              _dead_letters_to_topic("TEST912", "OtherFunction")])
    return result, _data(result)["Resources"]


def test_two_patches_needing_a_topic_with_parts_share_it_and_its_parts() -> None:
    result, resources = _dead_letter_run(FUNCTIONS)
    assert [r for r in resources if "Topic" in r] == ["DeadLetterTopic", "DeadLetterTopicPolicy"]
    for function in ("FixedFunction", "OtherFunction"):
        assert resources[function]["Properties"]["DeadLetterConfig"] == {"TargetArn": ref("DeadLetterTopic")}
    assert [c.path for c in result.changes if c.patch_id == "TEST912"] == \
        [("Resources", "OtherFunction", "Properties", "DeadLetterConfig")]


def test_a_part_whose_name_is_taken_gets_a_variant_and_says_why() -> None:
    source = "Parameters:\n  DeadLetterTopicPolicy:\n    Type: String\n" + FUNCTIONS
    result, resources = _dead_letter_run(source)
    assert [r for r in resources if "Topic" in r] == ["DeadLetterTopic", "DeadLetterTopicPolicy2"]
    assert [c.message for c in result.changes if c.path == ("Resources", "DeadLetterTopicPolicy2")] == \
        ["DeadLetterTopic: dead-letter topic (DeadLetterTopicPolicy is in Parameters)"]


def test_a_templates_own_entry_does_not_serve_a_need_with_parts() -> None:
    """Its policy (or its absence) is the author's: the need declares DeadLetterTopic2 with its own."""
    result, resources = _dead_letter_run(FUNCTIONS + "  DeadLetterTopic:\n    Type: AWS::SNS::Topic\n")
    assert [r for r in resources if "Topic" in r] == ["DeadLetterTopic", "DeadLetterTopic2", "DeadLetterTopic2Policy"]
    assert {c.message for c in result.changes if c.path[1].startswith("DeadLetterTopic2")} == \
        {"DeadLetterTopic2: dead-letter topic (DeadLetterTopic is the template's own resource)"}


# ---------------------------------------------------------------- resource_types bound what a patch reads


class ReadsUndeclared(Patch):
    id, name, title = "TEST906", "reads-undeclared", "reads functions, declares topics"
    resource_types = ("AWS::SNS::Topic",)

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        for rid, _ in view.of_type("AWS::Lambda::Function"):
            yield SetKey(("Resources", rid, "Properties"), "Timeout", 10)


class TimesOut(Patch):
    id, name, title = "TEST907", "times-out", "Timeout on functions"
    resource_types = ("AWS::Lambda::Function",)

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        for rid, res in view.of_type("AWS::Lambda::Function"):
            if "MemorySize" not in view.props(res):
                yield SetKey(("Resources", rid, "Properties"), "MemorySize", 256)


def test_a_read_of_an_undeclared_type_fails_the_patch_naming_it_and_the_type() -> None:
    result = fix_text(FUNCTIONS, [ReadsUndeclared(), TimesOut()])
    errors = [n for n in result.notes if n.kind == "error"]
    assert [n.patch_id for n in errors] == ["TEST906"]
    assert errors[0].message.startswith("TEST906 reads AWS::Lambda::Function, which its resource_types do not "
                                        "declare (add it to resource_types) (test_needs.py:")
    assert {c.patch_id for c in result.changes} == {"TEST907"}  # the other patch still runs


def _functions(view: TemplateView) -> list[str]:
    return [rid for rid, _ in view.of_type("AWS::Lambda::Function")]


def _memo_reader(pid: str, types: tuple[str, ...]) -> Patch:
    class MemoReader(Patch):
        id, name, title = pid, pid.lower(), "reads functions through a shared index"
        resource_types = types

        def propose(self, view: TemplateView) -> Iterator[Proposal]:
            view.memo(_functions)
            return iter(())

    return MemoReader()


def test_a_shared_index_counts_as_read_by_every_patch_that_uses_it() -> None:
    """The memo built by a patch that declares the type does not let a later one read it undeclared."""
    result = fix_text(FUNCTIONS, [_memo_reader("TEST908", ("AWS::Lambda::Function",)), _memo_reader("TEST909", ())])
    assert [(n.patch_id, n.kind) for n in result.notes] == [("TEST909", "error")]
    assert "TEST909 reads AWS::Lambda::Function" in result.notes[0].message


def test_a_view_no_patch_started_on_reads_every_type() -> None:
    view = TemplateView(fastload.load_data(FUNCTIONS, "yaml"))
    assert _functions(view) == ["FixedFunction", "OtherFunction"]
    view.start_patch(ReadsUndeclared())
    with pytest.raises(Exception, match="TEST906 reads AWS::Lambda::Function"):
        _functions(view)


def test_the_result_carries_the_splices_that_make_the_output() -> None:
    from autofix.splice import Editor

    if not hasattr(Editor, "splices"):
        pytest.skip("the Editor does not list its splices yet")
    result = fix_text(FUNCTIONS, [TimesOut()])
    text = result.source
    for start, end, new in sorted(result.splices, reverse=True):
        text = text[:start] + new + text[end:]
    assert result.splices and text == result.output
