"""Patch base class, explicit discovery from the `patches` package, and ordering."""

from __future__ import annotations

import heapq
import importlib
import importlib.machinery
import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from .edits import Proposal
from .kinds import Phase, Safety
from .record import fields, is_class_var, record

if TYPE_CHECKING:
    from .view import TemplateView

SAFE, UNSAFE, ADVICE = Safety.SAFE, Safety.UNSAFE, Safety.ADVICE


@record(frozen=True, kw_only=True)
class PatchOptions:
    """The base of a patch's `Options`: declared like a frozen dataclass (`name: type = default`,
    every field with an immutable default), frozen, compared and hashed by value, keyword
    arguments only. A record (autofix.record), built without compiling code: a frozen dataclass
    compiles six methods as its class is created, about half a millisecond each class, which for
    every patch's options was a tenth of a one-file run's start-up. `option_defaults` reads
    either form."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, annotation in cls.__annotations__.items():
            if is_class_var(annotation):
                continue
            if name not in cls.__dict__:
                raise TypeError(f"{cls.__qualname__}.{name}: an option needs a default")
            default = cls.__dict__[name]
            if type(default).__hash__ is None:  # the rule of dataclasses: a list, dict or set would be shared
                raise TypeError(f"{cls.__qualname__}.{name}: the default {default!r} is mutable; use a tuple")
        record(frozen=True, kw_only=True)(cls)  # inherited fields first, as a dataclass orders them


class NoOptions(PatchOptions):
    """For patches without options."""


def option_defaults(options: type) -> dict[str, Any]:
    """Each option's name and default: of a `PatchOptions` subclass or of a frozen dataclass."""
    if not hasattr(options, "__record__"):  # a plugin's dataclass: dataclasses is imported already
        import dataclasses

        return {f.name: f.default for f in dataclasses.fields(options)}
    return {f.name: f.default for f in fields(options)}


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
    # Scanner ids whose skip on a resource also stops the patch there, though it no longer claims
    # them: checks that other versions of a scanner fail on what the patch fixes.
    honours: ClassVar[tuple[str, ...]] = ()
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
    for name in module_names(package.__path__):
        if name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"patches.{name}")
        except Exception as exc:  # one broken module must not take the others down
            _IMPORT_ERRORS.append(f"patches.{name}: {type(exc).__name__}: {exc}")
            continue
        for _, obj in sorted(vars(module).items()):  # by name, as inspect.getmembers lists them
            if isinstance(obj, type) and issubclass(obj, Patch) and obj is not Patch and obj.__module__ == module.__name__:
                if obj.id in found:
                    raise RuntimeError(f"patch id {obj.id} declared twice")
                found[obj.id] = obj
    return tuple(order(found))


def module_names(path: Iterable[str]) -> list[str]:
    """The modules and packages in the folders of a package's `path`, sorted: what
    `pkgutil.iter_modules` names, without the `inspect` it imports to read a file's module name
    (and `ast` and `dis` with it: ~10 ms of a one-file run). A path entry that is no folder (a
    zip file) is left to pkgutil."""
    suffixes = sorted(importlib.machinery.all_suffixes(), key=len, reverse=True)  # as inspect.getmodulename

    def module_name(filename: str) -> str | None:
        return next((filename[:-len(s)] for s in suffixes if filename.endswith(s)), None)

    names: set[str] = set()
    for folder in path:
        if not os.path.isdir(folder):
            import pkgutil

            names.update(info.name for info in pkgutil.iter_modules([folder]))
            continue
        for filename in _listdir(folder):
            name = module_name(filename)
            if name is None and "." not in filename and os.path.isdir(os.path.join(folder, filename)):
                is_package = any(module_name(f) == "__init__" for f in _listdir(os.path.join(folder, filename)))
                name = filename if is_package else None
            if name and name != "__init__" and "." not in name:
                names.add(name)
    return sorted(names)


def _listdir(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


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
