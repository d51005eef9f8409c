"""What a repair must keep true in AWS, checked on the template AWS will really create.

cfn-lint checks syntax and schema; these invariants check behaviour: callers still reach
what they call, alarms can notify, caches key on their path parameters, nothing takes over
an account-wide setting without an opt-out. Each invariant is a function of one deployed
template (`Deployed`, SAM already translated) that yields the `Violation`s it finds; a
repair is judged by the violations it adds (`new_violations`), so a defect the author
already had is not blamed on cfn-fix.

Invariants live in the modules of this package (not starting with `_`); each module lists
its functions in a tuple `INVARIANTS`. A few promises are about the change itself, not about
one template (a deploy command that passes a parameter must keep working): those are
functions of (original, repaired) listed in `CHANGE_INVARIANTS`. Discovery is explicit
(`invariants()`, `change_invariants()`), never an import-time side effect.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from .model import Deployed, Violation

Invariant = Callable[[Deployed], Iterable[Violation]]
ChangeInvariant = Callable[[Deployed, Deployed], Iterable[Violation]]

__all__ = ["Deployed", "Violation", "invariants", "violations", "new_violations"]


@lru_cache(maxsize=2)
def _discover(attribute: str) -> tuple:
    found: list = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "model":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.extend(getattr(module, attribute, ()))
    return tuple(found)


def invariants() -> tuple[Invariant, ...]:
    """Every one-template invariant of this package, in module then declaration order."""
    return _discover("INVARIANTS")


def change_invariants() -> tuple[ChangeInvariant, ...]:
    """Every invariant of a change (original, repaired), in module then declaration order."""
    return _discover("CHANGE_INVARIANTS")


def _guarded(check: Callable, *templates: Deployed) -> list[Violation]:
    try:
        return list(check(*templates))
    except Exception as exc:  # one invariant's bug must not hide the others' verdicts
        name = getattr(check, "__name__", repr(check))
        return [Violation(name, "<template>", f"the invariant raised {type(exc).__name__}: {exc}"[:300])]


def violations(template: Deployed, only: Iterable[Invariant] | None = None) -> list[Violation]:
    """Every violation in one template, in invariant order."""
    found: list[Violation] = []
    for check in (only if only is not None else invariants()):
        found.extend(_guarded(check, template))
    return found


def new_violations(original: dict, repaired: dict, only: Iterable[Invariant] | None = None) -> list[Violation]:
    """Violations of `repaired` that `original` does not have (compared by invariant, resource, message),
    then the change invariants' (all of them, unless `only` narrows the check to one-template ones)."""
    checks = tuple(only) if only is not None else invariants()
    before, after = Deployed(original), Deployed(repaired)
    seen = {v.key for v in violations(before, checks)}
    found = [v for v in violations(after, checks) if v.key not in seen]
    for check in (change_invariants() if only is None else ()):
        found.extend(_guarded(check, before, after))
    return found


def iter_messages(found: Iterable[Violation]) -> Iterator[str]:
    for v in found:
        yield str(v)
