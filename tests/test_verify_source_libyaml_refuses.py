"""Verification of a template whose source the verifying parser (libyaml) itself refuses.

ruamel.yaml reads an anchor of other than word characters (`&"a"`, valid YAML 1.2, where an
anchor is any run of non-blank, non-flow-indicator characters); libyaml refuses it. Such a
file loaded, but every repair of it failed as "internal error: repaired text does not parse",
the fuzz pass found (an `!Ref &"AWS::AccountId"` typed into a real SAM template). The output is
now read by the loader that read the source in that case, and only then.
"""

from __future__ import annotations

import pytest

from autofix import engine, fastload
from autofix.api import build_patches
from autofix.document import load
from autofix.kinds import Status

STRICT_ANCHOR = (b'Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n'
                 b'      Role: [!Ref &"a", ":"]\n')


def _patches(*ids: str) -> list:
    return [p for p in build_patches() if p.id in ids]


def test_the_verifying_parser_refuses_an_anchor_ruamel_reads() -> None:
    load(STRICT_ANCHOR, "t.yaml")  # the loader reads it
    with pytest.raises(Exception, match="anchor"):
        fastload.load_data(STRICT_ANCHOR.decode(), "yaml")


def test_a_template_libyaml_refuses_is_repaired_and_the_repair_is_stable() -> None:
    result = engine.fix_document(load(STRICT_ANCHOR, "t.yaml"), _patches("LAM001"))
    assert result.error == "" and result.status == Status.FIXED
    assert '[!Ref &"a", ":"]' in result.output and "ReservedConcurrentExecutions" in result.output
    again = engine.fix_document(load(result.output.encode(), "t.yaml"), _patches("LAM001"))
    assert not again.changes and not again.error


def test_an_output_that_does_not_parse_still_fails_verification() -> None:
    for source in (STRICT_ANCHOR, b"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n"):
        doc = load(source, "t.yaml")
        failure = engine._verify(doc, source.decode() + "  Bad: [\n", [], {})
        assert failure is not None and "repaired text does not parse" in failure


def test_an_output_read_by_the_fallback_must_still_hold_the_intended_data() -> None:
    doc = load(STRICT_ANCHOR, "t.yaml")
    changed = STRICT_ANCHOR.decode().replace('":"', '"::"')
    failure = engine._verify(doc, changed, [], {})
    assert failure is not None and "differs from the intended data" in failure
