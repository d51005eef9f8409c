"""Library entry points: repair a template's text in memory."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .document import DEFAULT_MAX_BYTES, load
from .engine import FAILED, SKIPPED, Result, fix_document
from .errors import NotATemplate, TemplateError
from .registry import Patch, choose, named_explicitly


def build_patches(select: Iterable[str] | None = None, ignore: Iterable[str] = (),
                  unsafe: bool = False, options: dict[str, dict[str, Any]] | None = None) -> list[Patch]:
    """Instances of the chosen patches, in run order, with their options."""
    options = options or {}
    select = list(select) if select is not None else None
    chosen = []
    for cls in choose(select, ignore, unsafe):
        values = dict(options.get(cls.id) or options.get(cls.name) or {})
        if not cls.default_enabled and named_explicitly(cls, select):
            values.setdefault("enabled", True)  # asked for by name: an opt-in fix turns on
        chosen.append(cls(cls.make_options(values)))
    return chosen


def fix_bytes(raw: bytes, path: str, patches: list[Patch], max_bytes: int = DEFAULT_MAX_BYTES) -> Result:
    """Repair one file's bytes; errors become a failed or skipped Result, never an exception."""
    try:
        doc = load(raw, path, max_bytes)
    except NotATemplate as exc:
        return Result(path, SKIPPED, error=exc.message)
    except TemplateError as exc:
        return Result(path, FAILED, error=exc.message, error_line=exc.line, error_col=exc.col)
    return fix_document(doc, patches)


def fix_text(text: str, patches: list[Patch] | None = None, path: str = "<string>") -> Result:
    if patches is None:
        patches = build_patches()
    return fix_bytes(text.encode("utf-8"), path, patches)
