"""Whether a function is only called at deploy time is asked per function (LAM001, LAM003,
LAM007); the Outputs it checks are read once per run, not once per function, which made a
template that outputs each function quadratic (2.3 ms a resource at 10,000, 0.6 at 100)."""

from __future__ import annotations

from autofix.model import serving
from autofix.view import TemplateView


def _template(n: int) -> dict:
    resources = {f"Fn{i}": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12"}}
                 for i in range(n)}
    outputs = {f"Fn{i}Arn": {"Value": {"Fn::GetAtt": [f"Fn{i}", "Arn"]}} for i in range(n)}
    return {"Resources": resources, "Outputs": outputs}


def test_outputs_are_read_once_for_every_function(monkeypatch) -> None:
    scans = []
    real = serving.referenced_names

    def counting(value):
        if isinstance(value, dict) and "Fn0Arn" in value:
            scans.append(1)
        return real(value)

    monkeypatch.setattr(serving, "referenced_names", counting)
    view = TemplateView(_template(50))
    reasons = [serving.deploy_time_only(view, f"Fn{i}") for i in range(50)]
    assert reasons == [None] * 50  # exported: other stacks may call them
    assert len(scans) == 1
