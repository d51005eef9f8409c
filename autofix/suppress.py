"""Suppressions a human wrote: cfn-fix's own, and the scanners' for the same finding."""

from __future__ import annotations

from typing import Any

from .registry import Patch, matches


def _ids(value: Any, key: str | None = None) -> set[str]:
    """Ids from a list of strings or of {id: ...} mappings."""
    if not isinstance(value, list):
        return set()
    found = set()
    for item in value:
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict) and key and isinstance(item.get(key), str):
            found.add(item[key])
    return found


def _cfn_fix_ignores(metadata: Any) -> set[str]:
    if not isinstance(metadata, dict) or not isinstance(metadata.get("cfn-fix"), dict):
        return set()
    return _ids(metadata["cfn-fix"].get("ignore"), "id")


def scanner_ids(metadata: Any) -> set[str]:
    """Finding ids that checkov, cfn_nag, cfn-lint and guard are told to skip."""
    if not isinstance(metadata, dict):
        return set()
    found: set[str] = set()
    checkov = metadata.get("checkov")
    if isinstance(checkov, dict):
        found |= _ids(checkov.get("skip"), "id")
    nag = metadata.get("cfn_nag")
    if isinstance(nag, dict):
        found |= _ids(nag.get("rules_to_suppress"), "id")
    lint = metadata.get("cfn-lint")
    if isinstance(lint, dict) and isinstance(lint.get("config"), dict):
        found |= _ids(lint["config"].get("ignore_checks"))
    guard = metadata.get("guard")
    if isinstance(guard, dict):
        found |= _ids(guard.get("SuppressedRules"))
    return found


class Suppressions:
    def __init__(self, data: dict) -> None:
        self.data = data
        self._template = _cfn_fix_ignores(data.get("Metadata"))

    def template_ignores(self, patch: type[Patch] | Patch) -> bool:
        return bool(self._template) and matches(type(patch) if isinstance(patch, Patch) else patch,
                                                self._template)

    def resource_suppresses(self, path: tuple, patch: Patch) -> str | None:
        """Why an edit at `path` must not be made, or None."""
        if len(path) < 2 or path[0] != "Resources":
            return None
        resources = self.data.get("Resources")
        resource = resources.get(path[1]) if isinstance(resources, dict) else None
        if not isinstance(resource, dict) or len(path) == 2:
            return None
        # Read live at each edit, never remembered: a patch may add Metadata (a cfn_nag
        # suppression, a new resource's), and a later patch must see it.
        metadata = resource.get("Metadata")
        if not isinstance(metadata, dict):
            return None  # most resources: nothing to read
        ignores = _cfn_fix_ignores(metadata)
        if ignores and matches(type(patch), ignores):
            return f"{path[1]} has Metadata cfn-fix ignore for {patch.id}"
        hits = sorted(scanner_ids(metadata) & {*patch.resolves, *patch.honours})
        if hits:
            return f"{path[1]} suppresses {', '.join(hits)}; left as the author decided"
        return None
