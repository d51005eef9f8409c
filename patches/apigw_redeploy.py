"""APIGW003: give a REST API's Deployment a new logical id when this run changed what it snapshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from autofix.edits import Advice, AppendItem, Proposal, RenameKey, ReplaceValue, SetKey
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
    after = ("LAM002", "APIGW002", "LAM011")  # LAM011 renames versions a Method URI may name
    resolves = ()
    explanation = (
        "An AWS::ApiGateway::Deployment is an immutable snapshot: CloudFormation does not redeploy\n"
        "when Methods, Resources, Authorizers, Models or the RestApi Policy or Body change, so the stage\n"
        "keeps "
        "serving the old API. When an earlier patch of this run changed such a resource, this patch\n"
        "renames the Deployment of that RestApi (ApiDeployment -> ApiDeploymentV2, V2 -> V3) and\n"
        "updates every Ref, GetAtt, Sub and DependsOn that names it; the renamed Deployment gets a\n"
        "DependsOn on each changed resource it did not wait for, so its snapshot follows the change.\n"
        "CloudFormation then creates the\n"
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
                yield from waits_for(view, old, reasons, new)
                yield from reference_updates(view, old, new)
                # The engine's 'replaces' note says the replacement; this says why and what follows.
                yield RenameKey(("Resources",), old, new, f"{old}: renamed to {new}, a new deployment with this "
                                f"run's changes to {', '.join(reasons)} (CloudFormation moves its stages to it "
                                f"and deletes {old})")


def waits_for(view: TemplateView, deployment: str, changed: list[str], new: str) -> Iterator[Proposal]:
    """DependsOn, on the Deployment about to be renamed, for each changed resource it does not
    wait for yet: CloudFormation creates the new deployment as soon as what it depends on is
    done, so without it the snapshot may be taken before the change it was renamed for (none
    where the changed resource itself waits for the deployment, a cycle, or exists in other
    stacks than the deployment: a DependsOn on a resource a condition left out fails)."""
    res = view.resources[deployment]
    depends = res.get("DependsOn")
    if depends is not None and not isinstance(depends, str | list):
        return  # not a DependsOn CloudFormation reads: left as written
    waited = set(view.depends_on(res)) | view.references(deployment)
    missing = [rid for rid in dict.fromkeys(changed) if rid not in waited and rid != deployment
               and view.same_condition(rid, deployment) and not view.depends_transitively(rid, deployment)]
    if not missing:
        return
    message = f"{deployment}: waits for {', '.join(missing)}, so {new} snapshots the API after the change"
    path = ("Resources", deployment)
    if depends is None:
        yield SetKey(path, "DependsOn", missing, message)
    elif isinstance(depends, str):
        yield ReplaceValue(path + ("DependsOn",), [depends, *missing], message)
    else:
        for rid in missing:
            yield AppendItem(path + ("DependsOn",), rid, message)


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
