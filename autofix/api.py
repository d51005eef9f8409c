"""Library entry points: repair a template's text in memory.

    from autofix.api import build_patches, fix_text

    result = fix_text(open("template.yaml").read(), build_patches(select=["LOG001"]))
    if result.status == "fixed":
        print(result.output)

Selectors (ids, prefixes, names, ALL) are checked: an unknown one raises
`autofix.selectors.SelectorError` (a ValueError), as a bad option value does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .document import DEFAULT_MAX_BYTES, load
from .engine import FAILED, FIXED, SKIPPED, Result, fix_document
from .errors import NotATemplate, TemplateError
from .registry import Patch, all_patches, by_id, choose, named_explicitly
from .selectors import Selection, parse

__all__ = ["Result", "build_patches", "check_options", "fix_bytes", "fix_text"]


def build_patches(select: Iterable[str] | None = None, ignore: Iterable[str] = (),
                  unsafe: bool = False, options: dict[str, dict[str, Any]] | None = None,
                  extend_select: Iterable[str] = (), extend_ignore: Iterable[str] = ()) -> list[Patch]:
    """Instances of the chosen patches, in run order, with their options; raises ValueError on a
    selector that names no patch or an option value the patch refuses."""
    options = options or {}
    known = all_patches()
    selection = Selection(tuple(parse(list(select), known, "select")) if select is not None else None,
                          tuple(parse(list(ignore), known, "ignore")),
                          tuple(parse(list(extend_select), known, "extend-select")),
                          tuple(parse(list(extend_ignore), known, "extend-ignore")))
    chosen_select, chosen_ignore = selection.effective()
    chosen = []
    for cls in choose(chosen_select, chosen_ignore, unsafe):
        values = dict(options.get(cls.id) or options.get(cls.name) or {})
        if not cls.default_enabled and named_explicitly(cls, chosen_select):
            values.setdefault("enabled", True)  # asked for by name: an opt-in fix turns on
        chosen.append(_instance(cls, values))
    return chosen


def _instance(cls: type[Patch], values: dict[str, Any]) -> Patch:
    patch = cls(cls.make_options(values))
    _probe(patch)
    return patch


def _probe(patch: Patch) -> None:
    """Run the patch on an empty template: a patch checks its option values before it reads the
    template, so a bad value raises here, once, instead of turning the patch off file by file."""
    from .view import TemplateView

    try:
        for _ in patch.propose(TemplateView({"Resources": {}})):
            break
    except ValueError as exc:
        raise ValueError(f"{patch.id}: {exc}") from None
    except Exception:  # noqa: BLE001, S110 - not an option problem: the engine reports it, by id, when it runs
        pass


def check_options(patch_id: str, values: dict[str, Any]) -> str | None:
    """Why these option values are refused by the patch, or None when they are accepted."""
    cls = by_id(patch_id)
    if cls is None:
        return f"unknown patch id {patch_id}"
    try:
        _instance(cls, dict(values))
    except (ValueError, TypeError) as exc:
        return str(exc)
    return None


def fix_bytes(raw: bytes, path: str, patches: list[Patch], max_bytes: int = DEFAULT_MAX_BYTES,
              strict_suppressions: bool = False, summarise: bool = False) -> Result:
    """Repair one file's bytes; errors become a failed or skipped Result, never an exception.
    With `summarise`, a repair's `summary` lists what it added, set, appended and removed."""
    try:
        doc = load(raw, path, max_bytes)
    except NotATemplate as exc:
        return Result(path, SKIPPED, error=exc.message)
    except TemplateError as exc:
        return Result(path, FAILED, error=exc.message, error_line=exc.line, error_col=exc.col)
    from .suppression_check import suppression_warnings

    warnings = suppression_warnings(doc)
    if warnings and strict_suppressions:
        first = warnings[0]
        text = doc.as_written(doc.source)  # a CR-only file comes back with its CRs
        return Result(path, FAILED, source=text, output=text, fmt=doc.fmt, bom=doc.bom,
                      notes=warnings, error=f"malformed suppression: {first.message}", error_line=first.line)
    result = fix_document(doc, patches)
    result.notes[:0] = warnings
    if summarise and result.status == FIXED:
        from .summary import semantic_summary

        result.summary = semantic_summary(doc, result.changes)
    return result


def fix_text(text: str, patches: list[Patch] | None = None, path: str = "<string>") -> Result:
    """Repair a template given as text (the default patches: every safe one)."""
    if patches is None:
        patches = build_patches()
    return fix_bytes(text.encode("utf-8"), path, patches)
