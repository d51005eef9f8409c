"""Patch selectors, one parser for the command line, the config file and the library.

A selector is a patch id (`LAM001`), an id prefix (`S3`, `APIGW`), a patch name
(`lambda-reserved-concurrency`) or `ALL`. An empty or unknown selector is an error: a typo must
never select nothing (or, as an empty prefix would, everything).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .record import record

ALL = "ALL"


class SelectorError(ValueError):
    """A selector names no patch, or is not a string."""


def matches(patch: Any, selector: str) -> bool:
    """True when `selector` is ALL, the patch's id, a prefix of its id, or its name."""
    return selector == ALL or (bool(selector) and patch.id.startswith(selector)) or patch.name == selector


def matches_any(patch: Any, selectors: Iterable[str]) -> bool:
    return any(matches(patch, s) for s in selectors)


def unknown(selectors: Iterable[str], patches: Sequence[Any]) -> list[str]:
    """The selectors that name no patch (an empty one included)."""
    return [s for s in selectors if not s or not any(matches(p, s) for p in patches)]


def parse(values: Any, patches: Sequence[Any], where: str = "selector") -> list[str]:
    """Selectors from a list of strings (each may hold several, comma-separated); raises on bad ones."""
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise SelectorError(f"{where} must be a list of patch ids, prefixes or names")
    found: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise SelectorError(f"{where} must be a list of strings, found {value!r}")
        parts = [part.strip() for part in value.split(",") if part.strip()]  # `LAM001,` is one selector
        if not parts:
            raise SelectorError(f"{where}: an empty selector selects nothing; use ALL for every patch")
        found += parts
    bad = unknown(found, patches)
    if bad:
        raise SelectorError(f"{where}: unknown patch id, prefix or name: {', '.join(bad)} (see `cfn-fix rules`)")
    return found


@record(frozen=True)
class Selection:
    """Which patches run: `select` (None: the default set) minus `ignore`, with the extensions."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()

    def effective(self) -> tuple[list[str] | None, list[str]]:
        """(select, ignore) once the extensions are folded in."""
        select = None
        if self.select is not None or self.extend_select:
            select = [*(self.select if self.select is not None else (ALL,)), *self.extend_select]
        return select, [*self.ignore, *self.extend_ignore]

    def chosen(self, patch: Any) -> bool:
        select, ignore = self.effective()
        return (select is None or matches_any(patch, select)) and not matches_any(patch, ignore)
