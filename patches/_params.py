"""Shared by patches: template parameters and conditions they need, added once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import SetKey
from autofix.values import equals, not_, ref
from autofix.view import TemplateView


def ensure_parameter(view: TemplateView, name: str, spec: dict[str, Any], message: str = "") -> Iterator[SetKey]:
    """Add parameter `name` unless the template declares it already."""
    if name not in view.parameters:
        yield SetKey(("Parameters",), name, spec, message or f"add parameter {name}")


def ensure_not_equals_condition(view: TemplateView, name: str, parameter: str, sentinel: Any) -> Iterator[SetKey]:
    """Add `name: !Not [!Equals [!Ref parameter, sentinel]]` unless present."""
    if name not in view.conditions:
        yield SetKey(("Conditions",), name, not_(equals(ref(parameter), sentinel)),
                     f"add condition {name} ({parameter} not {sentinel})")
