"""One numbering rule for every new name cfn-fix picks (logical ids, Sids, rule ids, Sub
variables, log group names): the base, else base2, base3... with the separator asked for."""

from __future__ import annotations

from autofix.values import first_free


def test_the_base_itself_when_it_is_free() -> None:
    assert first_free("Policy", {"Other"}) == "Policy"


def test_the_first_free_numbered_variant() -> None:
    assert first_free("Policy", {"Policy", "Policy2"}) == "Policy3"


def test_a_separator_goes_between_base_and_number() -> None:
    assert first_free("expire", {"expire"}, sep="-") == "expire-2"


def test_a_test_of_one_name_serves_as_well_as_a_set() -> None:
    assert first_free("X", lambda name: name in {"X", "X2", "X3"}) == "X4"
