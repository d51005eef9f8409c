"""LAM008: a service may invoke a function only for this account's resources (confused deputy)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from autofix.edits import Proposal, SetKey, Skip
from autofix.model import lambdas as lam
from autofix.registry import SAFE, Patch, PatchOptions
from autofix.values import getatt_target, ref, ref_target, referenced_names, text_of
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

    class Options(PatchOptions):
        source_account_services: tuple = SOURCE_ACCOUNT_SERVICES

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        for pid, res in view.of_type(lam.PERMISSION):
            props = view.props(res)
            service = props.get("Principal")
            if not isinstance(service, str) or not service.endswith(".amazonaws.com") or "SourceAccount" in props:
                continue
            yield from self._scope(view, pid, service, props)

    def _scope(self, view: TemplateView, pid: str, service: str, props: dict) -> Iterator[Proposal]:
        path = ("Resources", pid, "Properties")
        source = props.get("SourceArn")
        derived = lam.derive_source_arn(view, pid) if source is None else None
        # What the permission allows once repaired, said once for all the keys it gets.
        allows = f"{pid}: {service} may invoke {_function(props.get('FunctionName'))} only for"
        named = source_resource(view, source if derived is None else derived)
        if service not in self.options.source_account_services:
            if derived is not None:
                yield SetKey(path, "SourceArn", derived, f"{allows} {named or 'its one source here'}")
            elif source is None:
                yield Skip(path, f"{pid}: {service} is not known to send the source account (a SourceAccount "
                           "condition could block it) and the template has no single source; set SourceArn "
                           "to the resource that invokes the function")
            return
        # A derived SourceArn names this template's own rule, topic or bucket.
        owner = lam.OWN if source is None else source_owner(view, source)
        if owner == lam.OWN:
            message = f"{allows} {named}, in this account" if named else f"{allows} this account's resources"
            if derived is not None:
                yield SetKey(path, "SourceArn", derived, message)
            yield SetKey(path, "SourceAccount", ref("AWS::AccountId"), message)
        elif owner == lam.UNKNOWN:
            yield Skip(path, f"{pid}: SourceArn may name another account's resource; set SourceAccount "
                       "to its owner by hand")


_ACCOUNT_IN_ARN = re.compile(r":\d{12}:")
_BUCKET_ARN = "arn:${AWS::Partition}:s3:::"


def _function(value: Any) -> str:
    """How a message names the permission's FunctionName: the resource it refers to, or the literal."""
    att = getatt_target(value)
    target = ref_target(value) or (att[0] if att else None)
    return target or (value if isinstance(value, str) else "the function")


def source_resource(view: TemplateView, value: Any) -> str | None:
    """The one resource of the template a SourceArn names (a bucket by the name in its ARN), else None."""
    names = {n for n in referenced_names(value) if n in view.resources}
    if len(names) == 1:
        return names.pop()
    text = text_of(value)
    if names or text is None or not text.startswith(_BUCKET_ARN):
        return None
    buckets = [rid for rid, res in view.of_type("AWS::S3::Bucket")
               if text_of(view.props(res).get("BucketName")) == text[len(_BUCKET_ARN):]]
    return buckets[0] if len(buckets) == 1 else None


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
