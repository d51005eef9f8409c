"""LAM008: a service may invoke a function only for this account's resources (confused deputy)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from autofix.edits import Proposal, SetKey, Skip
from autofix.model import lambdas as lam
from autofix.registry import SAFE, Patch
from autofix.values import ref, referenced_names
from autofix.view import TemplateView

# Services documented to send the caller's account with the invoke; for others a SourceAccount
# condition can never match and silently stops every invocation (it is "not supported by all
# event sources"), so they get a SourceArn or a skip instead.
SOURCE_ACCOUNT_SERVICES = ("s3.amazonaws.com", "ses.amazonaws.com", "config.amazonaws.com",
                           "logs.amazonaws.com", "iot.amazonaws.com")


class LambdaPermissionSource(Patch):
    id = "LAM008"
    name = "lambda-permission-source"
    title = "Limit Lambda permissions for AWS services to this account's resources"
    safety = SAFE
    resource_types = (
        lam.PERMISSION,
        "AWS::Events::Rule",
        "AWS::SNS::Topic",
        "AWS::S3::Bucket",
        "AWS::Lambda::Alias",
        "AWS::Lambda::Version",
        "AWS::SNS::Subscription",
    )
    after = ("LAM002",)
    resolves = ("CKV_AWS_364", "W3663")
    explanation = (
        "An AWS::Lambda::Permission for a service principal without SourceArn lets that service invoke\n"
        "the function for any account's resources. Adds SourceAccount: !Ref AWS::AccountId for services\n"
        "that send the source account (S3, SES, Config, CloudWatch Logs, IoT), and a SourceArn where the\n"
        "template has exactly one invoking rule, topic or bucket (a bucket by its name, since a GetAtt\n"
        "would loop with the bucket's DependsOn). SourceArns naming another account are left alone."
    )

    @dataclass(frozen=True)
    class Options:
        source_account_services: tuple = SOURCE_ACCOUNT_SERVICES

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        for pid, res in view.of_type(lam.PERMISSION):
            props = view.props(res)
            service = props.get("Principal")
            if not isinstance(service, str) or not service.endswith(".amazonaws.com") or "SourceAccount" in props:
                continue
            yield from self._scope(view, pid, service, props.get("SourceArn"))

    def _scope(self, view: TemplateView, pid: str, service: str, source: object) -> Iterator[Proposal]:
        path = ("Resources", pid, "Properties")
        if source is None:
            source = lam.derive_source_arn(view, pid)
            if source is not None:
                yield SetKey(path, "SourceArn", source, f"{pid}: only the template's own source may invoke")
        if service not in self.options.source_account_services:
            if source is None:
                yield Skip(path, f"{pid}: {service} is not known to send the source account (a SourceAccount "
                           "condition could block it) and the template has no single source; set SourceArn "
                           "to the resource that invokes the function")
            return
        owner = lam.OWN if source is None else source_owner(view, source)
        if owner == lam.OWN:
            yield SetKey(path, "SourceAccount", ref("AWS::AccountId"), f"{pid}: only this account's resources")
        elif owner == lam.UNKNOWN:
            yield Skip(path, f"{pid}: SourceArn may name another account's resource; set SourceAccount "
                       "to its owner by hand")


_ACCOUNT_IN_ARN = re.compile(r":\d{12}:")


def source_owner(view: TemplateView, value: Any) -> str:
    """Whose resource a SourceArn names: OWN (built from this stack), SCOPED (a literal account), UNKNOWN."""
    if isinstance(value, str):
        return lam.SCOPED if _ACCOUNT_IN_ARN.search(value) else lam.UNKNOWN
    text = value.get("Fn::Sub") if isinstance(value, dict) and len(value) == 1 else None
    if isinstance(text, str) and _ACCOUNT_IN_ARN.search(text):
        return lam.SCOPED
    names = set(referenced_names(value))
    if not names or not isinstance(value, dict) or "Fn::ImportValue" in str(value):
        return lam.UNKNOWN
    if all(n in view.resources or n.startswith("AWS::") for n in names):
        return lam.OWN
    return lam.UNKNOWN
