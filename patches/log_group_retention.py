"""LOG001: every log group keeps its logs for a bounded time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from autofix.edits import Proposal, SetKey
from autofix.model.logs import GUARD_SAFE_DAYS
from autofix.registry import SAFE, Patch, PatchOptions
from autofix.view import TemplateView

# A retention applies to the events a group holds already: in a deployed stack, those older
# than it are marked for deletion at once and gone within about 72 hours (PutRetentionPolicy).
# Where the template says the group's history matters, it gets the long retention instead.
_KEPT_POLICIES = ("Retain", "RetainExceptOnCreate", "Snapshot")
_RECORD_WORDS = re.compile(r"audit|trail|security|compliance|flow-?logs?", re.IGNORECASE)


class LogGroupRetention(Patch):
    id = "LOG001"
    name = "log-group-retention"
    title = "Set RetentionInDays on log groups that keep logs forever"
    safety = SAFE
    resource_types = ("AWS::Logs::LogGroup",)
    resolves = ("CKV_AWS_66", "W86", "CW_LOGGROUP_RETENTION_PERIOD_CHECK")
    explanation = (
        "Adds RetentionInDays (default 30) to every AWS::Logs::LogGroup without one. The value is\n"
        "a literal from the intersection of CloudFormation's allowed values and the guard rule's\n"
        "list, because guard cannot see through !Ref. Groups with a retention already are left alone.\n"
        "A retention also applies to the events a deployed group holds: those older than it are\n"
        "deleted within about 72 hours. So a group whose history the template says matters (retained\n"
        "on delete or replacement, encrypted with its own KMS key, written by a CloudTrail trail, or\n"
        "named for an audit, trail, security, compliance or flow-log record) gets option\n"
        "history_days (default 3653, ten years) instead. A group's encryption key (checkov\n"
        "CKV_AWS_158) stays the author's decision: adding a KMS key to an existing group is a cost\n"
        "and a key policy the logs service then depends on."
    )

    class Options(PatchOptions):
        days: int = 30
        history_days: int = 3653

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        days, long = self.options.days, self.options.history_days
        for value in (days, long):
            if value not in GUARD_SAFE_DAYS:
                raise ValueError(f"retention {value} is not one of {GUARD_SAFE_DAYS}")
        for rid, res in view.of_type("AWS::Logs::LogGroup"):
            if "RetentionInDays" in view.props(res):
                continue
            why = _history(view, rid, res)
            if why is None:
                yield SetKey(("Resources", rid, "Properties"), "RetentionInDays", days, f"{rid}: keep logs {days} days")
            else:
                yield SetKey(("Resources", rid, "Properties"), "RetentionInDays", long,
                             f"{rid}: keep logs {long} days, not {days}: {why}, and a retention deletes the "
                             "events a group already holds that are older than it")


def _history(view: TemplateView, rid: str, res: dict) -> str | None:
    """Why the group's existing events matter, as the template tells, or None."""
    for key in ("DeletionPolicy", "UpdateReplacePolicy"):
        if res.get(key) in _KEPT_POLICIES:
            return f"its {key} is {res[key]}"
    props = view.props(res)
    if props.get("KmsKeyId") is not None:
        return "it is encrypted with a key of its own"
    trail = next((r for r in view.referrers(rid) if view.type_of(r) == "AWS::CloudTrail::Trail"), None)
    if trail is not None:
        return f"the trail {trail} writes to it"
    name: Any = props.get("LogGroupName")
    if _RECORD_WORDS.search(rid) or (name is not None and _RECORD_WORDS.search(str(name))):
        return "its name says it holds an audit or security record"
    return None
