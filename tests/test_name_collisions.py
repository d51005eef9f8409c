"""New names never collide: a parameter or condition a patch needs is reused only when it fits,
else it gets a free name, which the helpers return; the engine refuses a new top-level name
another section holds (issue 11 item 8)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from autofix import fastload
from autofix.api import fix_text
from autofix.edits import Proposal, SetKey
from autofix.model.parameters import not_equals_condition, parameter
from autofix.registry import Patch
from autofix.validate import new_findings
from autofix.values import NO_VALUE, if_, ref
from autofix.view import TemplateView

SPEC = {"Type": "Number", "Default": -1, "MinValue": -1, "Description": "reserved concurrency; -1 leaves it unset"}
FUNCTION = textwrap.dedent("""\
    Resources:
      FixedFunction:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/fixed
          Code: {ZipFile: "def handler(event, context): return 1"}
    """)


def run(generator) -> tuple[list, str]:
    """(proposals, returned name) of a helper generator."""
    proposals = []
    try:
        while True:
            proposals.append(next(generator))
    except StopIteration as stop:
        return proposals, stop.value


def view_of(text: str) -> TemplateView:
    return TemplateView(fastload.load_data(text, "yaml"))


def with_parameter(declaration: str) -> str:
    return "Parameters:\n  LambdaReservedConcurrency:\n" + textwrap.indent(textwrap.dedent(declaration), "    ") + FUNCTION


def test_a_free_name_is_added_as_asked() -> None:
    proposals, name = run(view_of(FUNCTION).need(parameter("LambdaReservedConcurrency", SPEC)))
    assert name == "LambdaReservedConcurrency"
    assert proposals == [SetKey(("Parameters",), "LambdaReservedConcurrency", SPEC, "add parameter LambdaReservedConcurrency")]


def test_a_name_a_resource_holds_is_not_a_parameter_name() -> None:
    view = view_of(FUNCTION + "  LambdaReservedConcurrency:\n    Type: AWS::SNS::Topic\n")
    proposals, name = run(view.need(parameter("LambdaReservedConcurrency", SPEC)))
    assert name == "LambdaReservedConcurrency2"
    assert [(p.path, p.key) for p in proposals] == [(("Parameters",), "LambdaReservedConcurrency2")]
    assert "LambdaReservedConcurrency names a resource" in proposals[0].message


def test_a_parameter_of_another_type_or_range_is_not_reused() -> None:
    for declaration in ("Type: String\nDefault: lots\n",            # the String of the issue
                        "Type: Number\nDefault: -5\n",              # a value the sentinel logic cannot take
                        "Type: Number\nDefault: 5\nMinValue: -10\n",
                        "Type: Number\nAllowedValues: [1, -7]\n"):
        proposals, name = run(view_of(with_parameter(declaration)).need(parameter("LambdaReservedConcurrency", SPEC)))
        assert name == "LambdaReservedConcurrency2", declaration
        assert len(proposals) == 1


def test_a_fitting_parameter_is_reused() -> None:
    for declaration in ("Type: Number\nDefault: 100\nMinValue: 0\n", "Type: Number\n",
                        "Type: Number\nDefault: -1\nMinValue: -1\nMaxValue: 3000\n"):
        proposals, name = run(view_of(with_parameter(declaration)).need(parameter("LambdaReservedConcurrency", SPEC)))
        assert (proposals, name) == ([], "LambdaReservedConcurrency"), declaration


def test_the_free_name_is_found_again_on_a_second_run_and_by_a_second_caller() -> None:
    text = with_parameter("Type: String\nDefault: lots\n").replace(
        "Resources:", "  LambdaReservedConcurrency2:\n    Type: Number\n    Default: -1\n    MinValue: -1\nResources:")
    proposals, name = run(view_of(text).need(parameter("LambdaReservedConcurrency", SPEC)))
    assert (proposals, name) == ([], "LambdaReservedConcurrency2")
    view = view_of(FUNCTION + "  LambdaReservedConcurrency:\n    Type: AWS::SNS::Topic\n")
    first, name = run(view.need(parameter("LambdaReservedConcurrency", SPEC)))
    again, same = run(view.need(parameter("LambdaReservedConcurrency", SPEC)))  # same patch, not applied yet
    assert (len(first), again, same) == (1, [], name)


def test_a_condition_is_reused_only_when_it_tests_the_same() -> None:
    view = view_of(FUNCTION.replace("Resources:", "Conditions:\n  HasReservedConcurrency: !Equals [!Ref 'AWS::Region', us-east-1]\nResources:"))
    proposals, name = run(view.need(not_equals_condition("HasReservedConcurrency", "LambdaReservedConcurrency", -1)))
    assert name == "HasReservedConcurrency2"
    assert proposals[0].value == {"Fn::Not": [{"Fn::Equals": [ref("LambdaReservedConcurrency"), -1]}]}
    same = FUNCTION.replace("Resources:", "Conditions:\n  HasReservedConcurrency: !Not [!Equals ['-1', !Ref LambdaReservedConcurrency]]\nResources:")
    assert run(view_of(same).need(not_equals_condition("HasReservedConcurrency", "LambdaReservedConcurrency", -1))) \
        == ([], "HasReservedConcurrency")


class WiredConcurrency(Patch):
    """A patch that uses the names the helpers return, as the call sites should."""

    id, name, title = "TEST801", "wired-concurrency", "Reserved concurrency from a parameter"
    resource_types = ("AWS::Lambda::Function",)

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        declared = yield from view.need(parameter("LambdaReservedConcurrency", SPEC))
        condition = yield from view.need(not_equals_condition("HasReservedConcurrency", declared, -1))
        for rid, res in view.of_type("AWS::Lambda::Function"):
            if "ReservedConcurrentExecutions" not in view.props(res):
                yield SetKey(("Resources", rid, "Properties"), "ReservedConcurrentExecutions",
                             if_(condition, ref(declared), NO_VALUE))


def test_a_repair_with_colliding_names_lints_clean_and_is_stable() -> None:
    source = with_parameter("Type: String\nDefault: lots\n") + \
        "  HasReservedConcurrency:\n    Type: AWS::SNS::Topic\n"
    result = fix_text(source, [WiredConcurrency()])
    assert result.status == "fixed", result.error
    out = fastload.load_data(result.output, "yaml")
    assert out["Resources"]["FixedFunction"]["Properties"]["ReservedConcurrentExecutions"] == \
        if_("HasReservedConcurrency2", ref("LambdaReservedConcurrency2"), NO_VALUE)
    assert out["Parameters"]["LambdaReservedConcurrency"] == {"Type": "String", "Default": "lots"}
    assert new_findings(source, result.output) == []
    assert fix_text(result.output, [WiredConcurrency()]).status == "unchanged"


class CollidingParameter(Patch):
    """A buggy patch: a parameter named like a resource, and an edit elsewhere."""

    id, name, title = "TEST802", "colliding-parameter", "Add a parameter named like a resource"

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        yield SetKey(("Resources", "FixedFunction", "Properties"), "Timeout", 10)
        yield SetKey(("Parameters",), "FixedFunction", {"Type": "String"})


def test_the_engine_refuses_a_name_another_section_holds() -> None:
    result = fix_text(FUNCTION, [CollidingParameter()])
    assert result.status == "unchanged"
    assert [(n.kind, n.message) for n in result.notes] == [
        ("error", "refusing to add Parameters.FixedFunction: Resources.FixedFunction exists; "
                  "names must be unique across the template's sections")]


class TwiceNamed(Patch):
    """A buggy patch: one new name in two sections."""

    id, name, title = "TEST803", "twice-named", "Add a parameter and a resource of one name"

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        yield SetKey(("Parameters",), "Shared", {"Type": "String"})
        yield SetKey(("Resources",), "Shared", {"Type": "AWS::SNS::Topic"})


def test_the_engine_refuses_one_new_name_in_two_sections() -> None:
    result = fix_text(FUNCTION, [TwiceNamed()])
    assert result.status == "unchanged"
    assert [n.message for n in result.notes] == [
        "refusing to add Resources.Shared: Parameters.Shared is added too; names must be unique across "
        "the template's sections"]


def test_the_name_can_be_known_before_it_is_declared() -> None:
    view = view_of(FUNCTION + "  LambdaReservedConcurrency:\n    Type: AWS::SNS::Topic\n")
    name = view.need_name(parameter("LambdaReservedConcurrency", SPEC))
    assert name == "LambdaReservedConcurrency2"
    assert run(view.need(parameter("LambdaReservedConcurrency", SPEC)))[1] == name
    assert view.need_name(not_equals_condition("HasReservedConcurrency", name, -1)) == "HasReservedConcurrency"


def test_any_condition_gets_a_name_of_its_own() -> None:
    from autofix.model.parameters import condition
    from autofix.values import equals

    in_us_east_1 = equals(ref("AWS::Region"), "us-east-1")
    view = view_of(FUNCTION + "  IsUsEast1:\n    Type: AWS::SNS::Topic\n")
    proposals, name = run(view.need(condition("IsUsEast1", in_us_east_1)))
    assert name == "IsUsEast12" and [p.key for p in proposals] == ["IsUsEast12"]
    same = FUNCTION.replace("Resources:", "Conditions:\n  IsUsEast1: !Equals [!Ref 'AWS::Region', us-east-1]\nResources:")
    assert run(view_of(same).need(condition("IsUsEast1", in_us_east_1))) == ([], "IsUsEast1")


class ResolvesW92(WiredConcurrency):
    id, name, title = "TEST804", "resolves-w92", "Reserved concurrency, resolving W92"
    resolves = ("W92",)


def test_names_added_only_for_suppressed_edits_are_not_added() -> None:
    source = FUNCTION.replace("    Properties:\n", "    Metadata:\n      cfn_nag:\n        rules_to_suppress:\n"
                              "          - {id: W92, reason: sized by the platform team}\n    Properties:\n", 1)
    result = fix_text(source, [ResolvesW92()])
    assert result.status == "unchanged", [c.dotted for c in result.changes]  # no unused parameter (W2001)
    assert [n.kind for n in result.notes] == ["suppressed"]
