"""A patch with nothing of its types returns early (TemplateView.has_any), and still says
what it said before: option refusals, SAM Globals it reads without any API, alarm topics."""

from __future__ import annotations

import pytest

from autofix.api import build_patches, fix_text
from autofix.registry import Patch
from autofix.view import TemplateView, UndeclaredType

BUCKET_ONLY = "Resources:\n  Data:\n    Type: AWS::S3::Bucket\n"


def _only(pid: str, **options: object) -> list[Patch]:
    return build_patches(select=[pid], unsafe=True, options={pid: dict(options)} if options else None)


@pytest.mark.parametrize(("pid", "option", "value"), [
    ("LAM002", "alias_name", "123"),
    ("LAM009", "retention_days", 31),
    ("LAM009", "kms_key_arn", "not-a-key"),
    ("APIGW002", "ttl", 7200),
    ("APIGW004", "retention_days", 31),
    ("S3002", "retention_days", 31),
    ("S3004", "expiration_days", 0),
    ("LAM010", "target_utilization", 0.95),
])
def test_a_refused_option_is_still_refused_by_a_patch_that_returns_early(pid: str, option: str, value: object) -> None:
    """The probe that checks options runs each patch on an empty template, where every early exit applies."""
    with pytest.raises(ValueError, match=pid):
        _only(pid, **{option: value})


def test_a_computed_globals_setting_is_reported_without_any_api() -> None:
    source = ("Transform: AWS::Serverless-2016-10-31\nGlobals:\n  HttpApi:\n"
              "    DefaultRouteSettings: [ThrottlingRateLimit]\n" + BUCKET_ONLY)
    result = fix_text(source, _only("APIGW001"))
    assert [(n.kind, n.message) for n in result.notes] == [
        ("skip", ("Globals.HttpApi: DefaultRouteSettings is computed; set ThrottlingRateLimit, "
                  "ThrottlingBurstLimit by hand"))]


def test_a_globals_cache_size_is_repaired_without_any_api() -> None:
    source = "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Api:\n    CacheClusterSize: '2'\n" + BUCKET_ONLY
    result = fix_text(source, _only("APIGW002"))
    assert [c.path for c in result.changes] == [("Parameters", "ApiCacheClusterSize"),
                                                ("Globals", "Api", "CacheClusterSize")]


def test_an_alarm_topic_cloudwatch_cannot_publish_to_is_advised_without_any_function() -> None:
    source = """\
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: alias/aws/sns
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/SQS
      MetricName: ApproximateAgeOfOldestMessage
      AlarmActions: [!Ref Topic]
"""
    result = fix_text(source, _only("LAM003"))
    assert [(n.kind, n.path) for n in result.notes] == [("advice", ("Resources", "Topic", "Properties",
                                                                     "KmsMasterKeyId"))]


def test_has_any_answers_as_of_type_and_counts_as_a_read() -> None:
    view = TemplateView({"Resources": {"Data": {"Type": "AWS::S3::Bucket"}, "Odd": "text"}})
    assert view.has_any(("AWS::SNS::Topic", "AWS::S3::Bucket")) and not view.has_any(("AWS::SNS::Topic",))
    assert view.types_read == {"AWS::SNS::Topic", "AWS::S3::Bucket"}

    class Topics(Patch):
        id, name, title = "TEST950", "topics", "reads topics"
        resource_types = ("AWS::SNS::Topic",)

    view.start_patch(Topics())
    with pytest.raises(UndeclaredType, match="TEST950 reads AWS::S3::Bucket"):
        view.has_any(("AWS::S3::Bucket",))
