"""IAM001 on a SAM function's own Policies: each reason to leave them alone is load-bearing."""

from __future__ import annotations

from pathlib import Path

import pytest

from autofix.api import build_patches, fix_text

CASE = Path(__file__).resolve().parent / "patches" / "iam-least-privilege" / "noop_sam_policies_not_on_own_role.yaml"
IAM001 = build_patches(select=["IAM001"], unsafe=True)


def test_reasons_are_reported() -> None:
    result = fix_text(CASE.read_text(encoding="utf-8"), IAM001, str(CASE))
    assert result.status == "unchanged"
    notes = [n.message for n in result.notes]
    assert ("TrustedByEc2: s3:* on all resources left as is; the role SAM generates for it (TrustedByEc2Role) "
            "is also assumed by ec2.amazonaws.com") in notes
    assert ("SharedRoleFunction: s3:* on all resources left as is; the role SAM generates for it "
            "(SharedRoleFunctionRole) is also used by Profile") in notes


@pytest.mark.parametrize("function,old,new", [
    ("ExternalRoleFunction", "      Role: arn:aws:iam::123456789012:role/shared-lambda\n", ""),
    ("TrustedByEc2", "lambda.amazonaws.com, ec2.amazonaws.com", "lambda.amazonaws.com"),
    ("SharedRoleFunction", "        - !Ref SharedRoleFunctionRole", "        - !Ref DataBucket"),
])
def test_without_the_reason_the_statement_is_scoped(function: str, old: str, new: str) -> None:
    source = CASE.read_text(encoding="utf-8")
    assert old in source
    result = fix_text(source.replace(old, new), IAM001, str(CASE))
    assert result.status == "fixed", result.error
    assert {c.message for c in result.changes} == {
        f"{function}: scope s3:* (all resources) to the resources of {function}"}
