"""IAM001 claims, for each statement it rewrites, the scanner ids that statement failed and the
rewrite resolves: every change claimed the patch's eleven ids, so a `logs:*` statement said it
resolved checkov's admin, `*`-action, exfiltration, permissions and privilege-escalation checks,
which it never failed (5 corpus roles), and one on `arn:aws:logs:*:*:*` the resource checks that
read a literal '*' only."""

from __future__ import annotations

from pathlib import Path

import pytest

from autofix.api import build_patches, fix_text
from autofix.edits import SetKey
from autofix.engine import _claimed
from autofix.model.iam import WILDCARD_CHECKS

BASIC = (Path(__file__).parent / "patches" / "iam-least-privilege" / "basic.in.yaml").read_text()
S3_STATEMENT = """              - Sid: DataAccess
                Effect: Allow
                Action: s3:*
                Resource: '*'
"""
LOG_STATEMENT = """              - Effect: Allow
                Action:
                  - logs:*
                Resource: '*'
"""
NAG = ("F3", "F4")
ON_STAR = ("IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE", "W11", "W12")


def _claims(text: str) -> dict[tuple, tuple[str, ...]]:
    result = fix_text(text, build_patches(select=["IAM001"], unsafe=True))
    assert result.status == "fixed", result.error
    return {change.path: tuple(sorted(change.resolves)) for change in result.changes}


def _statement(index: int, *rest) -> tuple:
    return ("Resources", "FixedRole", "Properties", "Policies", 0, "PolicyDocument", "Statement", index, *rest)


def test_each_statement_claims_what_its_own_wildcard_failed() -> None:
    claims = _claims(BASIC)
    assert claims[_statement(0)] == tuple(sorted(("CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_111", *NAG, *ON_STAR)))
    assert claims[_statement(1)] == tuple(sorted(("CKV_AWS_111", *NAG, *ON_STAR)))


def test_statements_added_beside_a_rewritten_one_claim_nothing() -> None:
    claims = _claims(BASIC)
    appended = [path for path in claims if path == _statement(0)[:-1]]
    assert appended and all(claims[path] == () for path in appended)


def test_a_star_action_claims_the_admin_and_star_action_checks() -> None:
    text = BASIC.replace(S3_STATEMENT, S3_STATEMENT.replace("Action: s3:*", "Action: '*'")).replace(LOG_STATEMENT, "")
    assert set(_claims(text)[_statement(0)]) == {*WILDCARD_CHECKS["*"], *NAG, *ON_STAR}


def test_actions_left_on_every_resource_keep_the_resource_checks_unclaimed() -> None:
    kept = S3_STATEMENT.replace("Action: s3:*", "Action: [s3:*, sqs:SendMessage]")
    claims = _claims(BASIC.replace(S3_STATEMENT, kept))
    assert claims[_statement(0, "Action")] == NAG  # sqs:SendMessage stays on '*': W11 and CKV_AWS_111 still fail


def test_a_kept_service_wildcard_keeps_the_wildcard_action_checks_unclaimed() -> None:
    kept = S3_STATEMENT.replace("Action: s3:*", "Action: [s3:*, sqs:*]")
    assert _claims(BASIC.replace(S3_STATEMENT, kept))[_statement(0, "Action")] == ()


def test_an_arn_pattern_resource_claims_the_wildcard_action_checks_only() -> None:
    pattern = LOG_STATEMENT.replace("Resource: '*'", "Resource: 'arn:aws:logs:*:*:*'")
    claims = _claims(BASIC.replace(LOG_STATEMENT, pattern))
    assert claims[_statement(1)] == NAG


def test_an_edit_names_only_ids_of_its_patch_in_the_patch_order() -> None:
    edit = SetKey(("Resources",), "X", 1, resolves=("W12", "NOT_THE_PATCHS", "W11"))
    assert _claimed(("W11", "W12", "F3"), edit) == ("W11", "W12")
    assert _claimed(("W11", "W12"), SetKey(("Resources",), "X", 1)) == ("W11", "W12")


@pytest.mark.parametrize("action", sorted(WILDCARD_CHECKS))
def test_the_wildcard_table_is_what_checkov_s_cloudsplaining_finds(action: str) -> None:
    cloudsplaining = pytest.importorskip("cloudsplaining.scan.policy_document")
    policy = cloudsplaining.PolicyDocument({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": "*"}]})
    found = {"CKV_AWS_108": policy.allows_data_exfiltration_actions,
             "CKV_AWS_109": policy.permissions_management_without_constraints,
             "CKV_AWS_110": policy.allows_privilege_escalation,
             "CKV_AWS_111": policy.write_actions_without_constraints}
    star = {"CKV_AWS_62", "CKV_AWS_63"} if action == "*" else set()
    assert set(WILDCARD_CHECKS[action]) == {check for check, hits in found.items() if hits} | star


def test_a_w58_suppression_claims_nothing() -> None:
    text = (Path(__file__).parent / "patches" / "iam-least-privilege" / "sam_globals.in.yaml").read_text()
    claims = _claims(text)
    suppressions = [path for path in claims if path[-1:] == ("Metadata",)]
    assert suppressions and all(claims[path] == () for path in suppressions)
