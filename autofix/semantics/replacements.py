"""A repair must not replace what it does not own: a resource whose create-only property
changes is replaced by CloudFormation on update (a new physical resource, the old one
deleted). The engine refuses such edits of the written template; this checks what AWS
really deploys, so a change SAM derives from an edit (AutoPublishAlias requalifying the
function's EventInvokeConfig or retargeting its function URL) is caught too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..engine import stateless  # the engine's own rule for what a replacement loses nothing of
from .model import Deployed, Violation


def _table() -> Any:
    from .. import create_only  # a large generated module: imported when first needed

    return create_only


_ABSENT = object()


def _pick(value: Any, path: tuple) -> list:
    """The values at `path` below `value` ("*" for every item of a list), _ABSENT where missing."""
    if not path:
        return [value]
    step, rest = path[0], path[1:]
    if step == "*":
        return [v for item in value for v in _pick(item, rest)] if isinstance(value, list) else [_ABSENT]
    if isinstance(value, dict) and step in value:
        return _pick(value[step], rest)
    return [_ABSENT]


def create_only_unchanged(before: Deployed, after: Deployed) -> Iterator[Violation]:
    """No resource of the original (same logical id and type after translation) changes a
    create-only property, unless its type is stateless (a permission, a version, a deployment)."""
    paths_of = _table().CREATE_ONLY
    kept = after.resources
    for rid, old in before.resources.items():
        new = kept.get(rid)
        if not isinstance(old, dict) or not isinstance(new, dict):
            continue
        rtype = old.get("Type")
        if not isinstance(rtype, str) or new.get("Type") != rtype or rtype not in paths_of:
            continue
        if stateless(rtype, old):
            continue
        props_old, props_new = Deployed.props(old), Deployed.props(new)
        changed = [".".join(p) for p in paths_of[rtype] if _pick(props_old, p) != _pick(props_new, p)]
        if changed:
            yield Violation("create_only_unchanged", str(rid),
                            f"{rtype}: {', '.join(changed)} {'is' if len(changed) == 1 else 'are'} create-only "
                            "and changed: CloudFormation replaces it (a new physical resource, the old one deleted)")


CHANGE_INVARIANTS = (create_only_unchanged,)
