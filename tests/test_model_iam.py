"""IAM001's dependency graph: read only when a statement is rewritten, and the same graph then."""

from __future__ import annotations

from autofix.api import build_patches, fix_text
from autofix.model import iam
from autofix.view import TemplateView

FUNCTION = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: worker
      Role: !GetAtt Role.Arn
      Environment:
        Variables:
          DATA_BUCKET: !Ref Data
  Data:
    Type: AWS::S3::Bucket
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: data
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: %s
                Resource: '*'
"""


def _graphs_built(monkeypatch, action: str) -> tuple[int, str]:
    built = []
    real = iam._edges

    def counting(view: TemplateView) -> dict:
        built.append(1)
        return real(view)

    monkeypatch.setattr(iam, "_edges", counting)
    result = fix_text(FUNCTION % action, [p for p in build_patches(unsafe=True) if p.id == "IAM001"])
    return len(built), result.output


def test_a_template_without_a_wildcard_statement_never_builds_the_graph(monkeypatch) -> None:
    built, output = _graphs_built(monkeypatch, "s3:GetObject")
    assert built == 0 and output == FUNCTION % "s3:GetObject"


def test_a_wildcard_statement_builds_the_graph_once_per_pass_and_is_scoped(monkeypatch) -> None:
    built, output = _graphs_built(monkeypatch, "s3:*")
    assert built == 1  # the first pass; the verification pass finds nothing to rewrite
    assert "s3:GetObject" in output and "${Data.Arn}/*" in output


def test_graph_edges_are_references_depends_on_and_sam_s3_events() -> None:
    view = TemplateView({"Transform": "AWS::Serverless-2016-10-31", "Resources": {
        "Fn": {"Type": "AWS::Serverless::Function", "DependsOn": ["Table", "Elsewhere"], "Properties": {
            "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Self": {"Ref": "Fn"},
            "Events": {"Upload": {"Type": "S3", "Properties": {"Bucket": {"Ref": "Up"}}}}}},
        "Role": {"Type": "AWS::IAM::Role"},
        "Table": {"Type": "AWS::DynamoDB::Table"},
        "Up": {"Type": "AWS::S3::Bucket"},
        "Odd": "not a mapping",
    }})
    graph = iam.Graph.of(view)
    assert graph.edges == {"Fn": {"Role", "Table", "Up"}, "Up": {"Fn"}, "Role": set(), "Table": set()}
    assert graph.reaches("Up", "Role") and not graph.reaches("Role", "Fn")


def test_inline_code_s3_calls_are_read_with_the_actions_they_need():
    from autofix.model.iam import code_s3_actions
    from autofix.view import TemplateView

    code = ("s3.list_objects_v2(Bucket=b)\ns3.get_object(Bucket=b, Key=k)\ns3.put_object_tagging(Bucket=b)\n"
            "await client.send(new DeleteObjectsCommand({}))\ns3.getBucketLocation({})\nos.environ.get('X')\n")
    view = TemplateView({"Resources": {"Fn": {"Type": "AWS::Lambda::Function",
                                              "Properties": {"Code": {"ZipFile": code}}}}})
    assert code_s3_actions(view, "Fn") == {
        "ListObjectsV2": ("s3:ListBucket",), "GetObject": ("s3:GetObject",),
        "PutObjectTagging": ("s3:PutObjectTagging",), "DeleteObjects": ("s3:DeleteObject",),
        "GetBucketLocation": ("s3:GetBucketLocation",)}
