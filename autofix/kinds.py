"""The closed vocabularies of the engine, as str-valued enums: a member is its string
everywhere (comparisons, f-strings, JSON), so reports read the same as plain strings did."""

from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    """enum.StrEnum for Python 3.10: str() and format() give the value."""

    __str__ = str.__str__
    __format__ = str.__format__


class Phase(StrEnum):
    """When a patch runs. Decorating patches (tags, exports) touch every resource or output, so
    they run after every repairing patch, whatever their ids: what a repair creates gets decorated."""

    REPAIR = "repair"
    DECORATE = "decorate"
