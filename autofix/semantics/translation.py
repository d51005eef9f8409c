"""A SAM template must still translate: every other invariant reads what the transform makes.

A repair that makes aws-sam-translator fail would fail the stack's change set ("Transform
AWS::Serverless-2016-10-31 failed"), and the other invariants would then judge the written
template instead of the deployed one. The translation error is reported here, once, and not
by each invariant that could not see the real resources.
"""

from __future__ import annotations

from collections.abc import Iterator

from .model import Deployed, Violation

NOT_INSTALLED = "aws-sam-translator is not installed"


def sam_translates(t: Deployed) -> Iterator[Violation]:
    error = t.translation_error if t.is_sam else None
    if error and error != NOT_INSTALLED:
        yield Violation("sam_translates", "<template>", f"the SAM transform fails: {error}")


INVARIANTS = (sam_translates,)
