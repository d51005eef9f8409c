"""CloudFormation's template quotas: a repair that would cross one fails the file, unwritten."""

from __future__ import annotations

from autofix.api import build_patches
from autofix.document import load
from autofix.engine import FAILED, FIXED, fix_document
from autofix.limits import BODY_IN_REQUEST, BODY_IN_S3, Measure, check

FUNCTION = """  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code:
        ZipFile: print(1)
"""


def _parameters(count: int) -> str:
    return "Parameters:\n" + "".join(f"  P{i}:\n    Type: String\n    Default: x\n" for i in range(count))


def _groups(count: int, start: int = 0) -> str:
    return "".join(f"  Group{i}:\n    Type: AWS::Logs::LogGroup\n" for i in range(start, start + count))


def _fix(text: str, select: list[str] | None = None):
    return fix_document(load(text.encode(), "t.yaml"), build_patches(select=select))


def test_a_safe_repair_that_would_cross_the_parameter_limit_fails_naming_it() -> None:
    result = _fix(_parameters(200) + "Resources:\n" + FUNCTION)
    assert result.status == FAILED
    assert result.error.startswith("the repair would give the template 201 parameters (1 added by LAM001), "
                                   "over CloudFormation's limit of 200; not written")
    assert result.output == result.source


def test_a_repair_that_would_cross_the_resource_limit_fails() -> None:
    # 500 resources already: LAM001 adds nothing, but the alarm patch (unsafe) adds resources.
    text = "Resources:\n" + _groups(499) + FUNCTION
    result = fix_document(load(text.encode(), "t.yaml"), build_patches(unsafe=True))
    assert result.status == FAILED, result.error
    assert "resources" in result.error and "over CloudFormation's limit of 500" in result.error


def test_a_repair_that_would_cross_the_body_size_limit_for_a_request_fails() -> None:
    groups = _groups(40)
    padding = "Metadata:\n  Padding: '" + "x" * (BODY_IN_REQUEST - 40 * 20 - len(groups) - 40) + "'\n"
    text = padding + "Resources:\n" + groups
    assert len(text) <= BODY_IN_REQUEST
    result = _fix(text, ["LOG001"])
    assert result.status == FAILED
    assert "over CloudFormation's limit of 51,200 bytes for a template body passed in the request" in result.error


def test_nearing_a_limit_is_a_warning_and_the_repair_goes_ahead() -> None:
    result = _fix(_parameters(185) + "Resources:\n" + FUNCTION)
    assert result.status == FIXED, result.error
    warnings = [n for n in result.notes if n.kind == "warning"]
    assert [n.message for n in warnings] == [
        "the repaired template has 186 parameters (1 added by LAM001), 93% of CloudFormation's limit of 200"]
    assert warnings[0].patch_id == "LIMIT" and warnings[0].line == 1


def test_far_from_every_limit_says_nothing() -> None:
    result = _fix("Resources:\n" + _groups(3), ["LOG001"])
    assert result.status == FIXED
    assert not [n for n in result.notes if n.kind == "warning"]


def test_a_template_over_a_limit_before_the_repair_is_not_failed_for_it() -> None:
    found, warnings = check(Measure((600, 0, 0, 0), 10_000), Measure((602, 0, 0, 0), 10_400), [])
    assert found is None
    assert [w.message for w in warnings] == [
        "the template already has 600 resources, over CloudFormation's limit of 500; the repair adds 2"]


def test_body_limits_are_judged_each_on_its_own() -> None:
    # Already past the request limit (deployed from S3): only the S3 limit still matters.
    found, warnings = check(Measure((1, 0, 0, 0), 60_000), Measure((1, 0, 0, 0), 61_000), [])
    assert (found, warnings) == (None, [])
    found, _ = check(Measure((1, 0, 0, 0), BODY_IN_S3 - 10), Measure((1, 0, 0, 0), BODY_IN_S3 + 1), [])
    assert found is not None and "1,000,000 bytes for a template read from S3" in found
    _, warnings = check(Measure((1, 0, 0, 0), 920_000), Measure((1, 0, 0, 0), 921_000), [])
    expected = ("the repaired template is 921,000 bytes, 92% of CloudFormation's limit of 1,000,000 bytes "
                "for a template read from S3")
    assert [w.message for w in warnings] == [expected]
