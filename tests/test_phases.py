"""Decorating patches (tags, exports) run after every patch that creates something, by declaration."""

from __future__ import annotations

import pytest

from autofix.api import build_patches, fix_text
from autofix.document import load
from autofix.kinds import Phase
from autofix.model.tag_shapes import CREATE_ONLY, TAG_SHAPES
from autofix.registry import Patch, all_patches, order
from tests.test_patch_fixtures import CASES


def _patch(pid: str, phase: Phase = Phase.REPAIR, after: tuple[str, ...] = ()) -> type[Patch]:
    return type(pid, (Patch,), {"id": pid, "name": pid.lower(), "title": pid, "phase": phase, "after": after})


def test_every_decorating_patch_runs_after_every_repairing_patch() -> None:
    phases = [cls.phase for cls in all_patches()]
    assert Phase.DECORATE in phases
    first = phases.index(Phase.DECORATE)
    assert all(p == Phase.DECORATE for p in phases[first:]), [(c.id, c.phase) for c in all_patches()]
    assert {c.id for c in all_patches() if c.phase == Phase.DECORATE} >= {"TAG001", "OUT001"}


def test_a_creator_whose_id_sorts_after_a_decorator_still_runs_first() -> None:
    found = {p.id: p for p in (_patch("TAG001", Phase.DECORATE), _patch("ZZZ001"), _patch("AAA001", after=("ZZZ001",)),
                               _patch("OUT001", Phase.DECORATE))}
    assert [p.id for p in order(found)] == ["ZZZ001", "AAA001", "OUT001", "TAG001"]


def test_a_repairing_patch_cannot_wait_for_a_decorating_one() -> None:
    found = {p.id: p for p in (_patch("TAG001", Phase.DECORATE), _patch("LAM001", after=("TAG001",)))}
    with pytest.raises(RuntimeError, match="LAM001 .*cannot run after TAG001"):
        list(order(found))


def test_every_taggable_resource_a_patch_creates_is_seen_by_tag001() -> None:
    """Over every fixture input with all patches: TAG001 tags, or says why not, each new resource."""
    patches = build_patches(unsafe=True, options={"TAG001": {"tags": ["Team=core"]}})
    created, missed = 0, []
    for _, case in CASES:
        result = fix_text(case.read_text(encoding="utf-8"), patches, str(case))
        made = {c.path[1] for c in result.changes
                if c.kind == "add" and len(c.path) == 2 and c.path[0] == "Resources" and c.patch_id != "TAG001"}
        if not made:
            continue
        resources = load(result.output.encode("utf-8"), str(case)).data["Resources"]
        seen = {c.path[1] for c in result.changes + result.notes
                if c.patch_id == "TAG001" and len(c.path) >= 2 and c.path[0] == "Resources"}
        for rid in sorted(made):
            if resources[rid].get("Type") in TAG_SHAPES or resources[rid].get("Type") in CREATE_ONLY:
                created += 1
                if rid not in seen:
                    missed.append(f"{case.parent.name}/{case.name}: {rid}")
    assert created > 100  # the fixtures do create taggable resources: the check is not vacuous
    assert missed == []
