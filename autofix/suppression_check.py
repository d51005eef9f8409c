"""Warnings for `Metadata: cfn-fix:` suppressions that cannot mean what their author wanted.

A typo'd id (`S3O06`), a string where a list belongs (`ignore: S3006`) or a misspelt key
(`ignor:`) would otherwise be ignored silently and the fix applied anyway.
"""

from __future__ import annotations

from typing import Any

from .edits import Change
from .kinds import Kind, Safety
from .registry import all_patches
from .selectors import unknown

SOURCE = "cfn-fix"  # the patch_id of a warning that is about the file, not a patch
_KEYS = ("ignore",)


def suppression_warnings(doc: Any) -> list[Change]:
    """One warning per malformed or unknown cfn-fix suppression, with its line."""
    data = doc.data
    if not isinstance(data, dict):
        return []
    found = _check(doc, ("Metadata", "cfn-fix"), _get(data, "Metadata", "cfn-fix"))
    resources = data.get("Resources")
    if isinstance(resources, dict):
        for rid, resource in resources.items():
            if isinstance(resource, dict):
                path = ("Resources", rid, "Metadata", "cfn-fix")
                found += _check(doc, path, _get(resource, "Metadata", "cfn-fix"))
    return found


def _get(data: dict, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _check(doc: Any, path: tuple, value: Any) -> list[Change]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return [_warn(doc, path, "Metadata cfn-fix must be a mapping with an ignore list")]
    found = [_warn(doc, (*path, key), f"unknown key {key!r} in Metadata cfn-fix (known: {', '.join(_KEYS)})")
             for key in value if key not in _KEYS]
    if "ignore" not in value:
        return found
    ignore = value["ignore"]
    if not isinstance(ignore, list):
        return [*found, _warn(doc, (*path, "ignore"), "cfn-fix ignore must be a list of patch ids, "
                              f"such as [S3006]; found {type(ignore).__name__}")]
    for index, item in enumerate(ignore):
        selector = item.get("id") if isinstance(item, dict) else item
        if not isinstance(selector, str):
            found.append(_warn(doc, (*path, "ignore", index), "cfn-fix ignore entries must be patch ids "
                               "or {id: ...} mappings"))
        elif unknown([selector], all_patches()):
            found.append(_warn(doc, (*path, "ignore", index),
                               f"cfn-fix ignore names unknown patch id, prefix or name {selector!r}"))
    return found


def _warn(doc: Any, path: tuple, message: str) -> Change:
    return Change(SOURCE, Safety.ADVICE, Kind.WARNING, path, doc.line_of(path), message)
