"""Which scanner ids a change may say it resolves: those that judge the kind of thing it changed.

A patch names every id its fix answers (`Patch.resolves`); one change of it is often about
something else: APIGW004 logs a REST stage (checkov CKV_AWS_76) and an HTTP API stage
(CKV_AWS_95), and adds a log group that neither check judges. Each change keeps the ids whose
scope holds the type of the resource it touches; an id of unknown scope, and a change outside
Resources (a parameter, a condition the fix needs), keep them all.

checkov's scopes are its checks' own resource types (generated: autofix/scanner_types.py);
checkov reads a SAM template as written, so a SAM type is in scope only where a check names it.
cfn_nag and cfn-guard ids are listed below from the rules' sources (../shared/reference/cfn-facts.md);
they count a SAM resource by the resources SAM makes of it.
"""

from __future__ import annotations

from functools import lru_cache

from .scanner_types import CHECKOV

_BUCKET = ("AWS::S3::Bucket",)
_IAM = ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::User", "AWS::IAM::Group")
OTHERS: dict[str, tuple[str, ...]] = {
    "W92": ("AWS::Lambda::Function",), "LAMBDA_CONCURRENCY_CHECK": ("AWS::Lambda::Function",),
    "W69": ("AWS::ApiGateway::Stage",), "API_GW_STAGE_ACCESS_LOGGING_RULE": ("AWS::ApiGateway::Stage",),
    "W46": ("AWS::ApiGatewayV2::Stage",),
    "API_GW_CACHE_ENABLED_AND_ENCRYPTED": ("AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment"),
    "W62": ("AWS::ApiGateway::DomainName",), "API_GW_DOMAIN_DENY_NON_TLS_TRAFFIC": ("AWS::ApiGateway::DomainName",),
    "W86": ("AWS::Logs::LogGroup",), "CW_LOGGROUP_RETENTION_PERIOD_CHECK": ("AWS::Logs::LogGroup",),
    "W35": _BUCKET, "S3_BUCKET_LOGGING_ENABLED": _BUCKET, "S3_BUCKET_VERSIONING_ENABLED": _BUCKET,
    "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED": _BUCKET,
    # A bucket without a policy, or without one that denies plain HTTP: fixed in the bucket's policy.
    "W51": (*_BUCKET, "AWS::S3::BucketPolicy"), "S3_BUCKET_SSL_REQUESTS_ONLY": (*_BUCKET, "AWS::S3::BucketPolicy"),
    "W11": _IAM, "W12": _IAM, "F3": _IAM, "F4": _IAM, "IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE": _IAM,
    "W3663": ("AWS::Lambda::Permission",),  # cfn-lint: a permission for S3 without SourceAccount
}
# What SAM makes of its types, as far as the ids above judge it.
SAM_MAKES: dict[str, tuple[str, ...]] = {
    "AWS::Serverless::Function": ("AWS::Lambda::Function", "AWS::IAM::Role", "AWS::Lambda::Permission",
                                  "AWS::Lambda::Version", "AWS::Lambda::Alias"),
    "AWS::Serverless::Api": ("AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment",
                             "AWS::ApiGateway::DomainName"),
    "AWS::Serverless::HttpApi": ("AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage", "AWS::ApiGatewayV2::DomainName"),
    "AWS::Serverless::StateMachine": ("AWS::StepFunctions::StateMachine", "AWS::IAM::Role"),
    "AWS::Serverless::SimpleTable": ("AWS::DynamoDB::Table",),
}


def resource_type(data: dict, path: tuple) -> str | None:
    """The type of the resource `path` is in (a SAM type for Globals.<kind>), or None outside Resources."""
    if len(path) >= 2 and path[0] == "Globals" and isinstance(path[1], str):
        return f"AWS::Serverless::{path[1]}"
    if len(path) < 2 or path[0] != "Resources":
        return None
    resources = data.get("Resources")
    res = resources.get(path[1]) if isinstance(resources, dict) else None
    rtype = res.get("Type") if isinstance(res, dict) else None
    return rtype if isinstance(rtype, str) else None


@lru_cache(maxsize=1024)
def in_scope(resolves: tuple[str, ...], rtype: str | None) -> tuple[str, ...]:
    """The ids of `resolves` that judge `rtype` (all of them when it is None)."""
    if rtype is None:
        return resolves
    made = (rtype, *SAM_MAKES.get(rtype, ()))
    kept = []
    for check in resolves:
        if check in CHECKOV:
            if rtype in CHECKOV[check]:
                kept.append(check)
        elif check in OTHERS:
            if any(t in OTHERS[check] for t in made):
                kept.append(check)
        else:
            kept.append(check)
    return tuple(kept)
