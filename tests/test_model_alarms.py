"""The alarm topic of new alarms: a template's own alarm-topic parameter wins without reading
every value for imports; an import is found where no parameter names the topic."""

from __future__ import annotations

from autofix.api import build_patches, fix_text
from autofix.model import alarms

FUNCTION = """\
%sResources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/fn
      Code:
        ZipFile: |
          def handler(event, context):
              return %s
"""


def _calls(monkeypatch, name: str) -> list:
    """The calls of model.alarms' function `name` from now on."""
    calls: list = []
    real = getattr(alarms, name)

    def counting(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(alarms, name, counting)
    return calls


def _run(monkeypatch, parameters: str, code: str) -> tuple[int, str]:
    walks = _calls(monkeypatch, "_imports")
    result = fix_text(FUNCTION % (parameters, code), build_patches(select=["LAM003"], unsafe=True))
    return len(walks), result.output


def test_an_alarm_topic_parameter_is_used_without_walking_the_template_for_imports(monkeypatch) -> None:
    walks, output = _run(monkeypatch, "Parameters:\n  AlarmTopicArn:\n    Type: String\n", "1")
    assert walks == 0 and "AlarmActions:\n        - !Ref AlarmTopicArn" in output


def test_an_alerting_import_is_found_where_no_parameter_names_the_topic(monkeypatch) -> None:
    walks, output = _run(monkeypatch, "", "1\n      Environment:\n        Variables:\n"
                         "          TOPIC: !ImportValue ops-AlarmTopicArn")
    assert walks == 1 and "AlarmActions:\n        - !ImportValue ops-AlarmTopicArn" in output


def test_the_topics_alarms_notify_are_read_once_per_run_of_lam003(monkeypatch) -> None:
    patches = build_patches(select=["LAM003"], unsafe=True)  # its option probe runs it once too
    scans = _calls(monkeypatch, "notified_topics")
    source = (FUNCTION % ("Parameters:\n  AlarmTopicArn:\n    Type: String\n", "1")
              + "  Old:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n      AlarmActions: [!Ref Topic]\n"
              + "  Topic:\n    Type: AWS::SNS::Topic\n")
    result = fix_text(source, patches)
    assert result.status == "fixed" and "FnThrottleAlarm" in result.output
    assert len(scans) == 2  # one per pass: the repair and its verification
