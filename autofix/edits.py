"""The closed set of things a patch may propose. Paths are tuples of keys and indices.

Every edit may name the scanner ids it resolves (`resolves`): those of its patch's ids that
judge what this one edit removes, where that is fewer than all (IAM001 rewriting `logs:*` on
`*` resolves checkov's unconstrained-write check, not its admin or exfiltration ones). None, the
default, claims the patch's ids; the engine keeps only ids the patch names, in its order, and
of those only the ones whose scope holds the resource's type (autofix/scanner_scope.py).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, Union

from .kinds import Kind, Safety
from .record import field, record

Path = tuple


@record(frozen=True)
class SetKey:
    """Add `key: value` to the mapping at `path`, creating missing mappings on the way.

    The key must be absent. `after` names a sibling key the new one should follow
    (for example the resource it serves); by default it goes at the end. `part_of` is the
    (section, name) of the new top-level entry this one comes with (a topic's policy): the
    engine drops it with that entry, and its references to it keep that entry no more than
    the entry keeps itself.
    """

    path: Path
    key: str
    value: Any
    message: str = ""
    after: str | None = None
    part_of: tuple[str, str] | None = None
    resolves: tuple[str, ...] | None = None  # the patch's ids this edit resolves; None: all of them


@record(frozen=True)
class ReplaceValue:
    """Replace the value at `path` (which must exist) with `value`."""

    path: Path
    value: Any
    message: str = ""
    resolves: tuple[str, ...] | None = None  # the patch's ids this edit resolves; None: all of them


@record(frozen=True)
class AppendItem:
    """Append `value` to the sequence at `path`."""

    path: Path
    value: Any
    message: str = ""
    resolves: tuple[str, ...] | None = None  # the patch's ids this edit resolves; None: all of them


@record(frozen=True)
class DeleteKey:
    """Remove `key` and its value from the mapping at `path`."""

    path: Path
    key: str
    message: str = ""
    resolves: tuple[str, ...] | None = None  # the patch's ids this edit resolves; None: all of them


@record(frozen=True)
class RenameKey:
    """Rename `old` to `new` in the mapping at `path`, keeping its value and place."""

    path: Path
    old: str
    new: str
    message: str = ""
    resolves: tuple[str, ...] | None = None  # the patch's ids this edit resolves; None: all of them


Edit = Union[SetKey, ReplaceValue, AppendItem, DeleteKey, RenameKey]


@record(frozen=True)
class Skip:
    """The patch declines to touch something, with the reason a user should read."""

    path: Path
    reason: str


@record(frozen=True)
class Advice:
    """Something a human must decide; printed, never written."""

    path: Path
    message: str


def singular(section: str) -> str:
    """What one entry of a top-level section is called: "parameter" for Parameters."""
    return _SINGULAR.get(section, "entry")


def _equal(section: str, value: Any) -> Callable[[Any], str | None]:
    return lambda found: None if found == value else f"is another {singular(section)}"


@record(frozen=True)
class Need:
    """A top-level entry a patch needs and other patches may need too: a parameter, a condition,
    a shared resource (the access-log bucket). Asked for with `name = yield from view.need(need)`:
    the engine picks the name (`name`, else the first free or fitting `name2`, `name3`...), adds
    the entry once per run, and a later need an entry already serves adds nothing.

    `serves(found)` says why an entry already declared under a candidate name cannot serve this
    need (None: it can); by default only an equal one can. `{name}` in `message` becomes the name
    chosen. `after` places a new resource after the one it serves.

    `parts(name)`, for an entry that comes with companions named from the name chosen (an alarm
    topic `name`, its policy `{name}Policy`, its key `{name}Key`), is a generator of every need
    declared with it, in order, its own entry (same section, `name`) among them; each `yield`
    gets back the name the engine gave that need (a companion is a need of its own: a taken name
    gives a variant). Parts are declared only when the entry is new, and are dropped with it.
    Only an entry this run declared (with its parts) serves such a need.
    """

    section: str
    name: str
    value: Any
    message: str = ""
    serves: Callable[[Any], str | None] | None = None
    after: str | None = None
    parts: Callable[[str], Generator[Need, str, None]] | None = None

    def unfit(self, found: Any) -> str | None:
        """Why `found` (declared under a candidate name) cannot serve this need, or None."""
        return (self.serves or _equal(self.section, self.value))(found)

    def edit(self, name: str, why: str = "", part_of: tuple[str, str] | None = None) -> SetKey:
        """The edit declaring this need as `name`; `why` (why it is not `self.name`) closes the
        message's last parenthesis, or gets one. `part_of`: see SetKey."""
        text = self.message.replace("{name}", name) if self.message else \
            f"add {_SINGULAR.get(self.section, self.section)} {name}"
        if why:
            text = f"{text}; {why}" if text.endswith(")") else f"{text} ({why})"
        return SetKey((self.section,), name, self.value, text, self.after, part_of)


_SINGULAR = {"Parameters": "parameter", "Conditions": "condition", "Resources": "resource",
             "Outputs": "output", "Mappings": "mapping"}

Proposal = Union[SetKey, ReplaceValue, AppendItem, DeleteKey, RenameKey, Skip, Advice]


@record
class Change:
    """One applied edit, as reported to the user."""

    patch_id: str
    safety: Safety
    # Changes: add, set, append, delete, rename. Notes: skip, advice, suppressed, error, replaces.
    kind: Kind
    path: Path
    line: int
    message: str
    resolves: tuple[str, ...] = field(default_factory=tuple)

    @property
    def dotted(self) -> str:
        return dotted(self.path)

    @property
    def resource(self) -> str | None:
        if len(self.path) >= 2 and self.path[0] == "Resources":
            return str(self.path[1])
        return None


def dotted(path: Path) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")


_EDIT_KINDS: dict[type, Kind] = {SetKey: Kind.ADD, ReplaceValue: Kind.SET, AppendItem: Kind.APPEND,
                                 DeleteKey: Kind.DELETE, RenameKey: Kind.RENAME}


def edit_kind(edit: Edit) -> Kind:
    return _EDIT_KINDS[type(edit)]


def target_path(edit: Edit) -> Path:
    if isinstance(edit, SetKey):
        return edit.path + (edit.key,)
    if isinstance(edit, DeleteKey):
        return edit.path + (edit.key,)
    if isinstance(edit, RenameKey):
        return edit.path + (edit.new,)
    return edit.path
