"""Lookups by value for the patch helpers' per-view indexes (built once with `TemplateView.memo`).

A helper that compares a value with a property of every resource of a type (`BucketName ==
value`, `LogGroupName in names`) is quadratic when it is called once per resource; filing the
resources under their value once makes each call cost what it finds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from typing import Any

_DEEPER = object()  # the key of every value nested deeper than value_key looks


def value_key(value: Any, depth: int = 8) -> Hashable:
    """A hashable stand-in for a template value: values that are equal (==) get equal keys.

    Unequal values may share a key (all values below `depth`, so hostile nesting cannot
    exhaust the stack), which is why `ByValue.find` compares with == as well.
    """
    if depth == 0:
        return _DEEPER
    if isinstance(value, dict):
        return frozenset((k, value_key(v, depth - 1)) for k, v in value.items())
    if isinstance(value, list):
        return tuple(value_key(v, depth - 1) for v in value)
    try:
        hash(value)
    except TypeError:  # templates hold only dicts, lists and hashable scalars
        return _DEEPER
    return value


class ByValue:
    """Items filed under a template value, found again by equality, as a scan with == would."""

    def __init__(self) -> None:
        self._items: defaultdict[Hashable, list[tuple[Any, Any]]] = defaultdict(list)

    def add(self, value: Any, item: Any) -> None:
        self._items[value_key(value)].append((value, item))

    def find(self, value: Any) -> list:
        """The items added with a value equal to `value`, in the order they were added."""
        return [item for stored, item in self._items.get(value_key(value), ()) if stored == value]


class ValueSet:
    """Template values, asked for membership as `value in a_list` would (by ==), without the scan."""

    def __init__(self) -> None:
        self._values = ByValue()

    def add(self, value: Any) -> None:
        self._values.add(value, None)

    def __contains__(self, value: Any) -> bool:
        return bool(self._values.find(value))
