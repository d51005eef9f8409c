"""APIGW002 finds each caching REST stage's methods through an index of the methods by their
RestApiId, built once per run: it scanned every method once per stage (and compared each method's
API with every caching API in a list), which made a template of many APIs quadratic (growth 6.8
times linear from 1,000 to 10,000 resources in bench/patch_times.py)."""

from __future__ import annotations

from autofix.model.apis import METHOD
from autofix.model.indexes import ValueSet
from autofix.view import TemplateView
from autofix.api import build_patches, fix_text


def _api(i: int) -> str:
    return f"""
  Api{i}:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: api-{i}
  Items{i}:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api{i}
      ParentId: !GetAtt Api{i}.RootResourceId
      PathPart: '{{id}}'
  Get{i}:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api{i}
      ResourceId: !Ref Items{i}
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: MOCK
  Stage{i}:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api{i}
      DeploymentId: deployment-{i}
      CacheClusterEnabled: true
"""


def _template(n: int) -> str:
    return "Resources:" + "".join(_api(i) for i in range(n))


def _method_scans(n: int, monkeypatch) -> int:
    scans = []
    real = TemplateView.of_type

    def counting(self, *types):
        if METHOD in types:
            scans.append(types)
        return real(self, *types)

    monkeypatch.setattr(TemplateView, "of_type", counting)
    result = fix_text(_template(n), build_patches(select=["APIGW002"]))
    keyed = [c for c in result.changes if c.path[-1:] == ("CacheKeyParameters",)]
    assert len(keyed) == n  # every API's {id} method keys on its path parameter: each stage found its own
    monkeypatch.undo()
    return len(scans)


def test_methods_are_scanned_as_often_for_twenty_caching_stages_as_for_two(monkeypatch) -> None:
    assert _method_scans(20, monkeypatch) == _method_scans(2, monkeypatch)


def test_value_set_finds_values_as_list_membership_does() -> None:
    values = [{"Ref": "Api"}, {"Fn::ImportValue": "x"}, "literal", None, ["a", {"b": 1}]]
    found = ValueSet()
    for value in values:
        found.add(value)
    for value in values + [{"Ref": "Other"}, "other", ["a", {"b": 2}], 1]:
        assert (value in found) == (value in values)
