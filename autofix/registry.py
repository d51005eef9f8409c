"""Patch base class, explicit discovery from the `patches` package, and ordering."""

from __future__ import annotations

import dataclasses
import heapq
import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from .edits import Proposal
from .kinds import Phase, Safety

if TYPE_CHECKING:
    from .view import TemplateView

SAFE, UNSAFE, ADVICE = Safety.SAFE, Safety.UNSAFE, Safety.ADVICE


@dataclass(frozen=True)
class NoOptions:
    """For patches without options."""


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
        return {f.name: f.default for f in dataclasses.fields(cls.Options)}

    @classmethod
    def make_options(cls, values: dict[str, Any]) -> Any:
        """Options from config values, checking names and types."""
        fields = {f.name: f for f in dataclasses.fields(cls.Options)}
        clean: dict[str, Any] = {}
        for key, value in values.items():
            name = key.replace("-", "_")
            if name not in fields:
                raise ValueError(f"{cls.id}: unknown option {key!r} (known: {', '.join(sorted(fields)) or 'none'})")
            expected = type(fields[name].default)
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
