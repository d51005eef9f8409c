"""Status, safety, change kind and phase are str-valued enums that print and serialise as before."""

from __future__ import annotations

import json

import pytest

from autofix.api import build_patches, fix_text
from autofix.kinds import Kind, Phase, Safety, Status
from autofix.registry import all_patches


@pytest.mark.parametrize("member", [*Kind, *Phase, *Safety, *Status])
def test_member_is_its_string_in_text_and_json(member) -> None:
    assert member == member.value
    assert str(member) == f"{member}" == "%s" % member == member.value
    assert json.dumps({member: member}) == json.dumps({member.value: member.value})


def test_patches_and_changes_carry_the_enums() -> None:
    assert all(isinstance(cls.safety, Safety) and isinstance(cls.phase, Phase) for cls in all_patches())
    source = "Resources:\n  Group:\n    Type: AWS::Logs::LogGroup\n"
    result = fix_text(source, build_patches(select=["LOG001"]))
    assert result.status == Status.FIXED
    assert [(c.kind, c.safety) for c in result.changes] == [(Kind.ADD, Safety.SAFE)]
    assert isinstance(result.changes[0].kind, Kind) and isinstance(result.changes[0].safety, Safety)
