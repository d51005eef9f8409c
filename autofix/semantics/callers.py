"""Callers of a Lambda function still reach it: what they invoke carries their invoke permission.

A permission on the unqualified function does not authorise a call to its alias, and one on
the alias does not authorise a call to the function: each caller (an API Gateway integration
or OpenAPI URI, an SNS subscription, an S3 notification, an EventBridge target) needs a
Lambda permission for its service whose FunctionName is the same target it invokes. Read on
the deployed resources, so SAM's generated permissions and aliases are judged as AWS sees them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..record import record
from .model import Deployed, Violation

APIGW, SNS, S3, EVENTS = ("apigateway.amazonaws.com", "sns.amazonaws.com", "s3.amazonaws.com",
                          "events.amazonaws.com")
FUNCTION, ALIAS, VERSION, PERMISSION = ("AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::Lambda::Version",
                                        "AWS::Lambda::Permission")
_QUALIFIER = r"(?::(?P<qual>[A-Za-z0-9$_-]+))?"
_VAR_ARN = re.compile(r"\$\{(?P<name>[A-Za-z0-9]+)(?P<att>\.Arn)?\}" + _QUALIFIER)
_NAMED_ARN = re.compile(r"arn:[^:]*:lambda:[^:]*:[^:]*:function:\$\{(?P<name>[A-Za-z0-9]+)\}" + _QUALIFIER)
_INVOCATIONS = re.compile(r"/functions/(?P<arn>.+)/invocations")


@record(frozen=True)
class Target:
    """What a caller invokes: a function, qualified by an alias name or version (None: unqualified)."""

    function: str
    qualifier: str | None

    def __str__(self) -> str:
        return self.function + (f":{self.qualifier}" if self.qualifier else "")


@record(frozen=True)
class Caller:
    resource: str
    where: str
    service: str
    target: Target
    api: bool  # an API Gateway integration, authorizer or OpenAPI URI


# ------------------------------------------------------------ reading ARNs and URIs

def _text(value: Any) -> str | None:
    """An ARN-valued expression as text, intrinsics written `${X}` / `${X.Attr}`; None if unreadable."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or len(value) != 1:
        return None
    key, arg = next(iter(value.items()))
    if key == "Ref" and isinstance(arg, str):
        return "${" + arg + "}"
    if key == "Fn::GetAtt":
        parts = arg.split(".", 1) if isinstance(arg, str) else arg
        if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
            return "${" + parts[0] + "." + parts[1] + "}"
        return None
    if key == "Fn::Sub":
        if isinstance(arg, str):
            return arg
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict):
            text = arg[0]
            for name, local in arg[1].items():
                inner = _text(local)
                if inner is None:
                    return None
                text = text.replace("${" + str(name) + "}", inner)
            return text
        return None
    if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
        pieces = [_text(p) for p in arg[1]]
        if not isinstance(arg[0], str) or any(p is None for p in pieces):
            return None
        return arg[0].join(p for p in pieces if p is not None)
    return None


class _Index:
    def __init__(self, t: Deployed) -> None:
        self.t = t
        self.functions = {rid for rid, _ in t.of_type(FUNCTION)}
        self.aliases: dict[str, Target] = {}
        self.versions: dict[str, Target] = {}
        for rid, res in t.of_type(ALIAS, VERSION):
            props = t.props(res)
            fn = self.function_named(props.get("FunctionName"))
            if fn is None:
                continue
            if res["Type"] == ALIAS:
                name = props.get("Name")
                if isinstance(name, str):
                    self.aliases[rid] = Target(fn, name)
            else:
                self.versions[rid] = Target(fn, f"version {rid}")

    def function_named(self, value: Any) -> str | None:
        text = _text(value)
        match = _VAR_ARN.fullmatch(text) if text else None
        if match and not match.group("qual") and match.group("name") in self.functions:
            return match.group("name")
        return None

    def arn_target(self, text: str) -> Target | None:
        """The target of a Lambda ARN (or, for FunctionName, a Ref to the function) written as text."""
        match = _VAR_ARN.fullmatch(text) or _NAMED_ARN.fullmatch(text)
        if not match:
            return None
        name, qual = match.group("name"), match.group("qual")
        if name in self.functions:
            return Target(name, qual)
        wrapped = self.aliases.get(name) or self.versions.get(name)
        if wrapped is not None and qual is None and match.re is _VAR_ARN and not match.group("att"):
            return wrapped  # Ref of an alias or version is its ARN
        return None

    def value_target(self, value: Any) -> Target | None:
        text = _text(value)
        return self.arn_target(text) if text is not None else None

    def uri_target(self, value: Any) -> Target | None:
        """The target of an integration URI (`.../functions/<arn>/invocations`, or a bare function ARN)."""
        text = _text(value)
        if text is None:
            return None
        match = _INVOCATIONS.search(text)
        return self.arn_target(match.group("arn") if match else text)


# ------------------------------------------------------------ finding callers

_URIS = {
    "AWS::ApiGateway::Method": (("Integration", "Uri"), ("Integration", "Credentials")),
    "AWS::ApiGateway::Authorizer": (("AuthorizerUri",), ("AuthorizerCredentials",)),
    "AWS::ApiGatewayV2::Integration": (("IntegrationUri",), ("CredentialsArn",)),
    "AWS::ApiGatewayV2::Authorizer": (("AuthorizerUri",), ("AuthorizerCredentialsArn",)),
}
_BODIES = ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")
_OPENAPI = (("x-amazon-apigateway-integration", "uri", "credentials"),
            ("x-amazon-apigateway-authorizer", "authorizerUri", "authorizerCredentials"))


def _get(props: dict, path: tuple) -> Any:
    node: Any = props
    for step in path:
        node = node.get(step) if isinstance(node, dict) else None
    return node


def _openapi_uris(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    """(place, URI) of every integration or authorizer in an OpenAPI body that uses no invoke role."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _openapi_uris(item, f"{where}[{i}]")
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        for extension, uri, role in _OPENAPI:
            if key == extension and isinstance(item, dict) and uri in item and role not in item:
                yield f"{where}.{key}", item[uri]
        if isinstance(item, (dict, list)):
            yield from _openapi_uris(item, f"{where}.{key}")


def _items(value: Any) -> list:
    return value if isinstance(value, list) else []


def callers(t: Deployed, index: _Index | None = None) -> Iterator[Caller]:
    """Every caller whose target function (or alias, or version) this template defines."""
    index = index or _Index(t)
    for rid, res in t.resources.items():
        if not isinstance(res, dict):
            continue
        kind, props = res.get("Type"), t.props(res)
        found: list[tuple[str, str, Target | None, bool]] = []
        if kind in _URIS:
            uri, role = _URIS[kind]
            if _get(props, role) is None and _get(props, uri) is not None:
                found.append((".".join(uri), APIGW, index.uri_target(_get(props, uri)), True))
        elif kind in _BODIES:
            for where, uri in _openapi_uris(props.get("Body"), "Body"):
                found.append((where, APIGW, index.uri_target(uri), True))
        elif kind == "AWS::SNS::Subscription" and props.get("Protocol") == "lambda":
            found.append(("Endpoint", SNS, index.value_target(props.get("Endpoint")), False))
        elif kind == "AWS::SNS::Topic":
            for i, sub in enumerate(_items(props.get("Subscription"))):
                if isinstance(sub, dict) and sub.get("Protocol") == "lambda":
                    found.append((f"Subscription[{i}]", SNS, index.value_target(sub.get("Endpoint")), False))
        elif kind == "AWS::S3::Bucket":
            config = props.get("NotificationConfiguration")
            lambdas = config.get("LambdaConfigurations") if isinstance(config, dict) else None
            for i, item in enumerate(_items(lambdas)):
                if isinstance(item, dict):
                    found.append((f"LambdaConfigurations[{i}]", S3, index.value_target(item.get("Function")), False))
        elif kind == "AWS::Events::Rule":
            for i, target in enumerate(_items(props.get("Targets"))):
                if isinstance(target, dict):
                    found.append((f"Targets[{i}]", EVENTS, index.value_target(target.get("Arn")), False))
        for where, service, target, api in found:
            if target is not None:
                yield Caller(rid, where, service, target, api)


# ------------------------------------------------------------ permissions

def _grants(t: Deployed, index: _Index) -> tuple[dict[str, set[Target]], set[str]]:
    """Targets granted per service principal, and the services some unreadable permission may grant."""
    granted: dict[str, set[Target]] = {}
    unsure: set[str] = set()
    for _, res in t.of_type(PERMISSION):
        props = t.props(res)
        action = props.get("Action")
        if isinstance(action, str) and "invoke" not in action.lower() and action not in ("*", "lambda:*"):
            continue
        service = props.get("Principal")
        services = {service} if isinstance(service, str) and service != "*" else {APIGW, SNS, S3, EVENTS}
        target = index.value_target(props.get("FunctionName"))
        for name in services:
            if target is None:
                unsure.add(name)
            else:
                granted.setdefault(name, set()).add(target)
    return granted, unsure


def unauthorised_caller(t: Deployed) -> Iterator[Violation]:
    """A caller invokes a function or alias that no permission for its service names."""
    index = _Index(t)
    granted, unsure = _grants(t, index)
    for caller in callers(t, index):
        if caller.service in unsure or caller.target in granted.get(caller.service, ()):
            continue
        others = sorted(str(g) for g in granted.get(caller.service, ()) if g.function == caller.target.function)
        note = f" (the permission names {', '.join(others)})" if others else ""
        yield Violation("unauthorised_caller", caller.resource,
                        f"{caller.where} invokes {caller.target}, which no {caller.service} permission "
                        f"names{note}: the call is denied")


def provisioned_alias_bypassed(t: Deployed) -> Iterator[Violation]:
    """A function whose alias has provisioned concurrency, invoked unqualified by an API caller."""
    index = _Index(t)
    warm: dict[str, list[str]] = {}
    for rid, target in index.aliases.items():
        if "ProvisionedConcurrencyConfig" in t.props(t.resources[rid]):
            warm.setdefault(target.function, []).append(rid)
    if not warm:
        return
    for caller in callers(t, index):
        if caller.api and caller.target.qualifier is None and caller.target.function in warm:
            yield Violation("provisioned_alias_bypassed", caller.resource,
                            f"{caller.where} invokes {caller.target.function} unqualified, so the provisioned "
                            f"concurrency of {', '.join(warm[caller.target.function])} never serves it")


INVARIANTS = (unauthorised_caller, provisioned_alias_bypassed)
