"""Shared by the API Gateway patches: the stage-wide `/*` `*` method-settings entry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import AppendItem, Edit, SetKey
from autofix.view import TemplateView

ALL_PATHS = "/*"
ALL_METHODS = "*"


def _is_default_entry(entry: Any) -> bool:
    return isinstance(entry, dict) and entry.get("ResourcePath") == ALL_PATHS and entry.get("HttpMethod") == ALL_METHODS


def default_method_settings(view: TemplateView, props_path: tuple, settings: dict[str, Any],
                            message: str) -> Iterator[Edit]:
    """Ensure MethodSettings under `props_path` has a `/*` `*` entry with `settings`.

    Keys already present in that entry are left as the author set them. When
    MethodSettings is not a literal list (an !If, a !Ref) nothing is proposed.
    """
    props = view.get(props_path)
    if not isinstance(props, dict):
        props = {}
    current = props.get("MethodSettings")
    if current is None:
        entry = {"ResourcePath": ALL_PATHS, "HttpMethod": ALL_METHODS, **settings}
        yield SetKey(props_path, "MethodSettings", [entry], message)
        return
    if not isinstance(current, list):
        return
    for index, entry in enumerate(current):
        if _is_default_entry(entry):
            for key, value in settings.items():
                if key not in entry:
                    yield SetKey(props_path + ("MethodSettings", index), key, value, message)
            return
    entry = {"ResourcePath": ALL_PATHS, "HttpMethod": ALL_METHODS, **settings}
    yield AppendItem(props_path + ("MethodSettings",), entry, message)


def default_entry(view: TemplateView, props_path: tuple) -> dict | None:
    """The `/*` `*` MethodSettings entry under `props_path`, if there is one."""
    current = view.get(props_path + ("MethodSettings",))
    if isinstance(current, list):
        for entry in current:
            if _is_default_entry(entry):
                return entry
    return None
