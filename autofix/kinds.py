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


class Safety(StrEnum):
    """What applying a patch risks (ruff's Safe / Unsafe / DisplayOnly)."""

    SAFE = "safe"  # keeps meaning, only adds protection
    UNSAFE = "unsafe"  # valid, but changes cost, behaviour or the stack's interface
    ADVICE = "advice"  # shown, never written


class Status(StrEnum):
    """How one file ended."""

    FIXED = "fixed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


class Kind(StrEnum):
    """What a reported change or note is."""

    ADD = "add"
    SET = "set"
    APPEND = "append"
    DELETE = "delete"
    RENAME = "rename"
    SKIP = "skip"
    ADVICE = "advice"
    SUPPRESSED = "suppressed"
    ERROR = "error"
    REPLACES = "replaces"  # an applied edit that replaces a stateless resource on update
    WARNING = "warning"  # about the file or the repair as a whole; printed whatever --quiet says
