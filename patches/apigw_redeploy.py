"""APIGW003: give a REST API's Deployment a new logical id when this run changed what it snapshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from autofix.edits import Advice, Proposal, RenameKey
from autofix.model.apis import DEPLOYMENT, REST_API, SNAPSHOT_TYPES, reference_updates
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.values import ref
from autofix.view import TemplateView


class ApigwRedeploy(Patch):
    id = "APIGW003"
    name = "apigw-redeploy"
    title = "Rename API Gateway deployments so changed methods get deployed"
    safety = UNSAFE
    resource_types = (
        DEPLOYMENT,
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Authorizer",
        "AWS::ApiGateway::GatewayResponse",
        "AWS::ApiGateway::Model",
        "AWS::ApiGateway::RequestValidator",
        "AWS::ApiGateway::Resource",
    )
    after = ("LAM002", "APIGW002")
    resolves = ()
    explanation = (
        "An AWS::ApiGateway::Deployment is an immutable snapshot: CloudFormation does not redeploy\n"
        "when Methods, Resources, Authorizers, Models or the RestApi Policy or Body change, so the stage\n"
        "keeps "
        "serving the old API. When an earlier patch of this run changed such a resource, this patch\n"
        "renames the Deployment of that RestApi (ApiDeployment -> ApiDeploymentV2, V2 -> V3) and\n"
        "updates every Ref, GetAtt, Sub and DependsOn that names it. CloudFormation then creates the\n"
        "new deployment, moves the stage to it and deletes the old one. It does nothing when no such\n"
        "resource changed in this run."
    )

    class Options(PatchOptions):
        suffix: str = "V"  # new ids are <base><suffix><n>

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        if not view.has_any(self.resource_types):
            return  # no API whose change needs a new deployment
        reserved: set[str] = set()
        for api, reasons in redeploy_triggers(view):
            deployments = [rid for rid, res in view.of_type(DEPLOYMENT)
                           if view.props(res).get("RestApiId") == api and rid not in view.created]
            if not deployments:
                yield Advice(("Resources", reasons[0]), f"{', '.join(reasons)}: changed, but no Deployment of this "
                             "API is in the template; redeploy its stages after the update")
            for old in deployments:
                new = next_version_id(view, old, self.options.suffix, reserved)
                yield from reference_updates(view, old, new)
                # The engine's 'replaces' note says the replacement; this says why and what follows.
                yield RenameKey(("Resources",), old, new, f"{old}: renamed to {new}, a new deployment with this "
                                f"run's changes to {', '.join(reasons)} (CloudFormation moves its stages to it "
                                f"and deletes {old})")


def next_version_id(view: TemplateView, old: str, suffix: str, reserved: set[str]) -> str:
    """ApiDeployment -> ApiDeploymentV2, ApiDeploymentV2 -> ApiDeploymentV3 (first free one).

    `reserved` holds the ids the caller already chose in this run (added to it here).
    """
    match = re.fullmatch(rf"(.+?){re.escape(suffix)}(\d+)", old)
    base, number = (match.group(1), int(match.group(2)) + 1) if match else (old, 2)
    sections = ("Resources", "Parameters", "Conditions", "Outputs", "Mappings")
    while f"{base}{suffix}{number}" in reserved or any(f"{base}{suffix}{number}" in view.section(s)
                                                       for s in sections):
        number += 1
    new = view.unique_id(f"{base}{suffix}{number}")
    reserved.add(new)
    return new


def redeploy_triggers(view: TemplateView) -> list[tuple[Any, list[str]]]:
    """(RestApiId value, ids of resources this run changed in that API), in file order.

    A RestApi counts only when it has a Policy or an OpenAPI Body: the engine records that it
    changed, not what.
    """
    groups: list[tuple[Any, list[str]]] = []
    touched = view.changed | view.created

    def add(api: Any, rid: str) -> None:
        for known, rids in groups:
            if known == api:
                rids.append(rid)
                return
        groups.append((api, [rid]))

    for rid, res in view.of_type(*SNAPSHOT_TYPES):
        api = view.props(res).get("RestApiId")
        if rid in touched and api is not None:
            add(api, rid)
    for rid, res in view.of_type(REST_API):
        if rid in view.changed and ("Policy" in view.props(res) or "Body" in view.props(res)):
            add(ref(rid), rid)
    return groups
