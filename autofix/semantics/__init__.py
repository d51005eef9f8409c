"""What a repair must keep true in AWS, checked on the template AWS will really create.

cfn-lint checks syntax and schema; these invariants check behaviour: callers still reach
what they call, alarms can notify, caches key on their path parameters, nothing takes over
an account-wide setting without an opt-out. Each invariant is a function of one deployed
template (`Deployed`, SAM already translated) that yields the `Violation`s it finds; a
repair is judged by the violations it adds (`new_violations`), so a defect the author
already had is not blamed on cfn-fix.

Invariants live in the modules of this package (not starting with `_`); each module lists
its functions in a tuple `INVARIANTS`. Discovery is explicit (`invariants()`), never an
import-time side effect.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from .model import Deployed, Violation

Invariant = Callable[[Deployed], Iterable[Violation]]

__all__ = ["Deployed", "Violation", "invariants", "violations", "new_violations"]


@lru_cache(maxsize=1)
def invariants() -> tuple[Invariant, ...]:
    """Every invariant of this package, in module then declaration order."""
    found: list[Invariant] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "model":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.extend(getattr(module, "INVARIANTS", ()))
    return tuple(found)


def violations(template: Deployed, only: Iterable[Invariant] | None = None) -> list[Violation]:
    """Every violation in one template, in invariant order."""
    found: list[Violation] = []
    for check in (only if only is not None else invariants()):
        try:
            found.extend(check(template))
        except Exception as exc:  # one invariant's bug must not hide the others' verdicts
            name = getattr(check, "__name__", repr(check))
            found.append(Violation(name, "<template>", f"the invariant raised {type(exc).__name__}: {exc}"[:300]))
    return found


def new_violations(original: dict, repaired: dict, only: Iterable[Invariant] | None = None) -> list[Violation]:
    """Violations of `repaired` that `original` does not have (compared by invariant, resource, message)."""
    checks = tuple(only) if only is not None else invariants()
    before = {v.key for v in violations(Deployed(original), checks)}
    return [v for v in violations(Deployed(repaired), checks) if v.key not in before]


def iter_messages(found: Iterable[Violation]) -> Iterator[str]:
    for v in found:
        yield str(v)
