"""`reference_updates` (APIGW003 and LAM011 renaming a Deployment or a Version) walks only the
resources and outputs that name the old id: it walked the whole template once per rename, so
renaming the deployments of many APIs was quadratic (a corpus template copied 40 times: 1.4 s,
growth 3.3 times linear; now 0.3 s, 0.5)."""

from __future__ import annotations

from typing import Any

from autofix.edits import ReplaceValue
from autofix.model import apis
from autofix.values import renamed
from autofix.view import TemplateView


def _scan(view: TemplateView, old: str, new: str) -> list[ReplaceValue]:
    """The loop before it was indexed: every resource, then every output."""
    message = f"{old} is now {new}"
    out = []
    for rid, res in view.resources.items():
        if rid == old or not isinstance(res, dict):
            continue
        depends = res.get("DependsOn")
        if depends == old:
            out.append(ReplaceValue(("Resources", rid, "DependsOn"), new, f"{rid}: {message}"))
        for index, name in enumerate(depends if isinstance(depends, list) else ()):
            if name == old:
                out.append(ReplaceValue(("Resources", rid, "DependsOn", index), new, f"{rid}: {message}"))
        for key in ("Properties", "Metadata"):
            found = apis._references(res.get(key), ("Resources", rid, key), old, new)
            out += [ReplaceValue(path, value, f"{rid}: {message}") for path, value in found]
    for name, output in view.outputs.items():
        found = apis._references(output, ("Outputs", name), old, new)
        out += [ReplaceValue(path, value, f"Outputs.{name}: {message}") for path, value in found]
    return out


def _template() -> dict[str, Any]:
    return {
        "Resources": {
            "Later": {"Type": "AWS::ApiGateway::Stage", "DependsOn": ["Other", "Deployment"],
                      "Properties": {"DeploymentId": {"Ref": "Deployment"}}},
            "Deployment": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Api"}}},
            "Other": {"Type": "AWS::ApiGateway::Stage", "DependsOn": "Deployment",
                      "Metadata": {"note": {"Fn::Sub": "${Deployment} of ${Api}"}},
                      "Properties": {"Description": {"Fn::Sub": ["${D}", {"D": {"Ref": "Deployment"}}]}}},
            "Unrelated": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "k", "Value": "Deployment"}]}},
            "Local": {"Type": "AWS::SNS::Topic",
                      "Properties": {"TopicName": {"Fn::Sub": ["${Deployment}", {"Deployment": "x"}]}}},
            "Att": {"Type": "AWS::SSM::Parameter", "Properties": {"Value": {"Fn::GetAtt": ["Deployment", "Id"]}}},
            "Text": "not a resource",
            "Api": {"Type": "AWS::ApiGateway::RestApi"},
        },
        "Outputs": {
            "Plain": {"Value": "Deployment"},
            "Id": {"Value": {"Ref": "Deployment"}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-${Deployment}"}}},
        },
    }


def test_renames_what_a_scan_of_every_resource_and_output_renames_in_file_order() -> None:
    view = TemplateView(_template())
    found = list(apis.reference_updates(view, "Deployment", "DeploymentV2"))
    assert found == _scan(view, "Deployment", "DeploymentV2")
    assert {edit.path[1] for edit in found} == {"Later", "Other", "Att", "Id"}  # `Local`'s own variable stays
    assert renamed({"Ref": "Deployment"}, {"Deployment": "DeploymentV2"}) in [e.value for e in found]


def _walks(n: int, monkeypatch) -> int:
    resources: dict[str, Any] = {}
    for i in range(n):
        resources[f"Api{i}"] = {"Type": "AWS::ApiGateway::RestApi"}
        resources[f"Deployment{i}"] = {"Type": "AWS::ApiGateway::Deployment",
                                       "Properties": {"RestApiId": {"Ref": f"Api{i}"}}}
        resources[f"Stage{i}"] = {"Type": "AWS::ApiGateway::Stage",
                                  "Properties": {"DeploymentId": {"Ref": f"Deployment{i}"},
                                                 "RestApiId": {"Ref": f"Api{i}"}}}
    view = TemplateView({"Resources": resources})
    walks = []
    real = apis._references

    def counting(value, path, old, new):
        if len(path) == 3:  # one resource's Properties or Metadata (or an output) walked from the top
            walks.append(path)
        return real(value, path, old, new)

    monkeypatch.setattr(apis, "_references", counting)
    for i in range(n):
        assert len(list(apis.reference_updates(view, f"Deployment{i}", f"Deployment{i}V2"))) == 1
    monkeypatch.undo()
    return len(walks)


def test_a_rename_walks_as_many_resources_in_a_large_template_as_in_a_small_one(monkeypatch) -> None:
    assert _walks(30, monkeypatch) / 30 == _walks(3, monkeypatch) / 3
