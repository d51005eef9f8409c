"""A template as AWS will deploy it: SAM translated, resources read without mutation."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..view import SAM_TRANSFORM


@dataclass(frozen=True)
class Violation:
    """One broken promise: which invariant, on which resource, and what a user would see."""

    invariant: str
    resource: str
    message: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.invariant, self.resource, self.message)

    def __str__(self) -> str:
        return f"{self.invariant}: {self.resource}: {self.message}"


class Deployed:
    """The template's data, and (for SAM) what aws-sam-translator turns it into.

    `raw` is the template as written. `resources` are the resources CloudFormation will
    create: the translated ones for a SAM template when the translator is installed and
    accepts it, else the written ones (`translated` says which). Nothing here mutates `raw`.
    """

    def __init__(self, data: dict) -> None:
        self.raw = data
        self._translated: dict | None = None
        self._translation_error: str | None = None
        self._done = False

    @property
    def is_sam(self) -> bool:
        transform = self.raw.get("Transform")
        names = transform if isinstance(transform, list) else [transform]
        return SAM_TRANSFORM in names

    def _translate(self) -> None:
        if self._done:
            return
        self._done = True
        if not self.is_sam:
            return
        from ._sam import translate  # the translator is an optional dependency

        self._translated, self._translation_error = translate(self.raw)

    @property
    def translated(self) -> bool:
        self._translate()
        return self._translated is not None

    @property
    def translation_error(self) -> str | None:
        self._translate()
        return self._translation_error

    @property
    def template(self) -> dict:
        """The translated template where there is one, else the written one."""
        self._translate()
        return self._translated if self._translated is not None else self.raw

    def section(self, name: str) -> dict:
        value = self.template.get(name)
        return value if isinstance(value, dict) else {}

    @property
    def resources(self) -> dict:
        return self.section("Resources")

    def of_type(self, *types: str) -> Iterator[tuple[str, dict]]:
        for rid, res in self.resources.items():
            if isinstance(res, dict) and res.get("Type") in types:
                yield rid, res

    @staticmethod
    def props(resource: Any) -> dict:
        value = resource.get("Properties") if isinstance(resource, dict) else None
        if not isinstance(value, dict):
            return {}
        if len(value) == 1 and isinstance(next(iter(value)), str) and next(iter(value)).startswith("Fn::"):
            return {}  # an intrinsic function: opaque
        return value


def plain(data: Any) -> Any:
    """A JSON-only deep copy (ruamel scalars and tuples become plain Python values)."""
    return json.loads(json.dumps(data, default=str))


def deep(data: Any) -> Any:
    return copy.deepcopy(data)
