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


def _run(monkeypatch, parameters: str, code: str) -> tuple[int, list[str]]:
    walks = []
    real = alarms._imports

    def counting(value):
        walks.append(1)
        return real(value)

    monkeypatch.setattr(alarms, "_imports", counting)
    result = fix_text(FUNCTION % (parameters, code), build_patches(select=["LAM003"], unsafe=True))
    return len(walks), result.output


def test_an_alarm_topic_parameter_is_used_without_walking_the_template_for_imports(monkeypatch) -> None:
    walks, output = _run(monkeypatch, "Parameters:\n  AlarmTopicArn:\n    Type: String\n", "1")
    assert walks == 0 and "AlarmActions:\n        - !Ref AlarmTopicArn" in output


def test_an_alerting_import_is_found_where_no_parameter_names_the_topic(monkeypatch) -> None:
    walks, output = _run(monkeypatch, "", "1\n      Environment:\n        Variables:\n"
                         "          TOPIC: !ImportValue ops-AlarmTopicArn")
    assert walks == 1 and "AlarmActions:\n        - !ImportValue ops-AlarmTopicArn" in output
