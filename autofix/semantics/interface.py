"""Invariants of a change: what callers of the stack itself (deploy commands, importers) rely on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .model import Deployed, Violation


def _written(t: Deployed, section: str) -> dict:
    value = t.raw.get(section)
    return value if isinstance(value, dict) else {}


def parameters_still_accepted(before: Deployed, after: Deployed) -> Iterator[Violation]:
    """Every parameter the original declares is still declared: a deploy command, a parameter file
    or samconfig that passes it fails otherwise ("Parameters: [X] do not exist in the template")."""
    kept = _written(after, "Parameters")
    for name in _written(before, "Parameters"):
        if name not in kept:
            yield Violation("parameters_still_accepted", str(name),
                            "was declared and is gone: every deploy that passes it now fails")


def _export_name(output: Any) -> Any:
    export = output.get("Export") if isinstance(output, dict) else None
    return export.get("Name") if isinstance(export, dict) else None


def exports_still_exported(before: Deployed, after: Deployed) -> Iterator[Violation]:
    """Every export of the original is still exported under the same name (an importing stack
    blocks the update otherwise, and CloudFormation refuses to remove an export in use)."""
    names = [_export_name(o) for o in _written(after, "Outputs").values()]
    for oid, output in _written(before, "Outputs").items():
        name = _export_name(output)
        if name is not None and name not in names:
            yield Violation("exports_still_exported", str(oid), "its export is gone or renamed; importing stacks break")


CHANGE_INVARIANTS = (parameters_still_accepted, exports_still_exported)
