"""Patch base class, explicit discovery from the `patches` package, and ordering."""

from __future__ import annotations

import dataclasses
import heapq
import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from .edits import Proposal
from .kinds import Phase, Safety

if TYPE_CHECKING:
    from .view import TemplateView

SAFE, UNSAFE, ADVICE = Safety.SAFE, Safety.UNSAFE, Safety.ADVICE


class PatchOptions:
    """The base of a patch's `Options`: declared like a frozen dataclass (`name: type = default`,
    every field with an immutable default), frozen, compared and hashed by value, keyword
    arguments only. Built without compiling code: a frozen dataclass compiles six methods as
    its class is created, about half a millisecond each class, which for every patch's
    options was a tenth of a one-file run's start-up. `option_defaults` reads either form."""

    _defaults: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = {}
        for name, annotation in inspect.get_annotations(cls).items():
            if _is_class_var(annotation):
                continue
            if name not in cls.__dict__:
                raise TypeError(f"{cls.__qualname__}.{name}: an option needs a default")
            default = cls.__dict__[name]
            if type(default).__hash__ is None:  # the rule of dataclasses: a list, dict or set would be shared
                raise TypeError(f"{cls.__qualname__}.{name}: the default {default!r} is mutable; use a tuple")
            declared[name] = default
        cls._defaults = {**cls._defaults, **declared}  # inherited fields first, as a dataclass orders them

    def __init__(self, **values: Any) -> None:
        for name in values:
            if name not in self._defaults:
                raise TypeError(f"{type(self).__qualname__}() got an unexpected keyword argument {name!r}")
        for name, default in self._defaults.items():
            object.__setattr__(self, name, values.get(name, default))

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self._defaults)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._defaults)
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _is_class_var(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


class NoOptions(PatchOptions):
    """For patches without options."""


def option_defaults(options: type) -> dict[str, Any]:
    """Each option's name and default: of a `PatchOptions` subclass or of a frozen dataclass."""
    if dataclasses.is_dataclass(options):
        return {f.name: f.default for f in dataclasses.fields(options)}
    return dict(options._defaults)  # type: ignore[attr-defined]


class Patch:
    """One fix. Subclasses declare metadata and implement `propose`."""

    id: ClassVar[str]
    name: ClassVar[str]
    title: ClassVar[str]
    safety: ClassVar[Safety] = SAFE
    resource_types: ClassVar[tuple[str, ...]] = ()
    # Decorating patches (every resource's tags, every output's export) run after all repairing
    # ones, so they see what repairs create; `after` is for real dependencies within a phase.
    phase: ClassVar[Phase] = Phase.REPAIR
    after: ClassVar[tuple[str, ...]] = ()
    resolves: ClassVar[tuple[str, ...]] = ()
    Options: ClassVar[type] = NoOptions
    # False for a fix whose effect is off at its defaults (inert scaffolding): it runs only when
    # named by id or name, which sets its `enabled` option (see `named_explicitly`).
    default_enabled: ClassVar[bool] = True
    # Longer text for `cfn-fix explain`: what the patch does and why.
    explanation: ClassVar[str] = ""

    def __init__(self, options: Any = None) -> None:
        self.options = options if options is not None else self.Options()

    def propose(self, view: TemplateView) -> Iterable[Proposal]:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return option_defaults(cls.Options)

    @classmethod
    def make_options(cls, values: dict[str, Any]) -> Any:
        """Options from config values, checking names and types."""
        defaults = cls.defaults()
        clean: dict[str, Any] = {}
        for key, value in values.items():
            name = key.replace("-", "_")
            if name not in defaults:
                raise ValueError(f"{cls.id}: unknown option {key!r} (known: {', '.join(sorted(defaults)) or 'none'})")
            expected = type(defaults[name])
            if expected is tuple and isinstance(value, list):
                value = tuple(value)
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ValueError(f"{cls.id}: option {key!r} must be {expected.__name__}, got {type(value).__name__}")
            clean[name] = value
        return cls.Options(**clean)


_IMPORT_ERRORS: list[str] = []


def import_errors() -> list[str]:
    """Patch modules that failed to import (reported, never fatal to the others)."""
    all_patches()
    return list(_IMPORT_ERRORS)


@lru_cache(maxsize=1)
def all_patches() -> tuple[type[Patch], ...]:
    """Every patch in the `patches` package, in run order."""
    import patches as package

    found: dict[str, type[Patch]] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"patches.{info.name}")
        except Exception as exc:  # one broken module must not take the others down
            _IMPORT_ERRORS.append(f"patches.{info.name}: {type(exc).__name__}: {exc}")
            continue
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Patch) and obj is not Patch and obj.__module__ == module.__name__:
                if obj.id in found:
                    raise RuntimeError(f"patch id {obj.id} declared twice")
                found[obj.id] = obj
    return tuple(order(found))


def order(found: dict[str, type[Patch]]) -> Iterator[type[Patch]]:
    """Repairing patches, then decorating ones; within a phase a topological order on `after`,
    ties broken by id, so runs are deterministic."""
    for pid, cls in found.items():
        late = [a for a in cls.after if a in found and _rank(found[a]) > _rank(cls)]
        if late:
            raise RuntimeError(f"{pid} ({cls.phase}) cannot run after {', '.join(late)} (a later phase)")
    waiting = {pid: {a for a in cls.after if a in found} for pid, cls in found.items()}
    users: dict[str, list[str]] = {pid: [] for pid in found}
    for pid, deps in waiting.items():
        for dep in deps:
            users[dep].append(pid)
    # A patch of a later phase leaves the heap only when no earlier-phase patch is ready, and
    # none can become ready later: no patch waits on a later phase (checked above).
    ready = [(_rank(found[pid]), pid) for pid, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    done = 0
    while ready:
        _, pid = heapq.heappop(ready)
        done += 1
        yield found[pid]
        for user in users[pid]:
            waiting[user].discard(pid)
            if not waiting[user]:
                heapq.heappush(ready, (_rank(found[user]), user))
    if done != len(found):
        stuck = sorted(pid for pid, deps in waiting.items() if deps)
        raise RuntimeError(f"patch dependency cycle among {', '.join(stuck)}")


def _rank(patch: type[Patch]) -> int:
    return list(Phase).index(patch.phase)


def named_explicitly(patch: type[Patch], selectors: Iterable[str] | None) -> bool:
    """True when a selector is the patch's exact id or name (a prefix does not count)."""
    return any(s in (patch.id, patch.name) for s in selectors or ())


def by_id(patch_id: str) -> type[Patch] | None:
    for cls in all_patches():
        if cls.id == patch_id:
            return cls
    return None


def matches(patch: type[Patch], selectors: Iterable[str]) -> bool:
    """True when a selector is ALL, the patch's id, a prefix of it, or its name (autofix.selectors)."""
    from .selectors import matches_any

    return matches_any(patch, selectors)


def choose(select: Iterable[str] | None, ignore: Iterable[str], unsafe: bool) -> list[type[Patch]]:
    select = list(select) if select is not None else None
    ignore = list(ignore)
    chosen = []
    for cls in all_patches():
        if select is not None and not matches(cls, select):
            continue
        if ignore and matches(cls, ignore):
            continue
        if cls.safety == UNSAFE and not unsafe:
            continue
        chosen.append(cls)
    return chosen


def unknown_selectors(selectors: Iterable[str]) -> list[str]:
    from .selectors import unknown

    return unknown(selectors, all_patches())
