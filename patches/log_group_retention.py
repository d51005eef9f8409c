"""LOG001: every log group keeps its logs for a bounded time."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Proposal, SetKey
from autofix.model.logs import GUARD_SAFE_DAYS
from autofix.registry import SAFE, Patch, PatchOptions
from autofix.view import TemplateView


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
        "A group's encryption key (checkov CKV_AWS_158) stays the author's decision: adding a KMS key\n"
        "to an existing group is a cost and a key policy the logs service then depends on."
    )

    class Options(PatchOptions):
        days: int = 30

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        days = self.options.days
        if days not in GUARD_SAFE_DAYS:
            raise ValueError(f"retention {days} is not one of {GUARD_SAFE_DAYS}")
        for rid, res in view.of_type("AWS::Logs::LogGroup"):
            if "RetentionInDays" not in view.props(res):
                yield SetKey(("Resources", rid, "Properties"), "RetentionInDays", days,
                             f"{rid}: keep logs {days} days")
