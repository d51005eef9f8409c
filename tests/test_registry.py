"""Patch discovery, ordering and metadata."""

from __future__ import annotations

import re

import pytest

from autofix.registry import ADVICE, SAFE, UNSAFE, Patch, all_patches, import_errors, order


def test_every_patch_module_imports() -> None:
    assert import_errors() == []


def test_metadata_is_complete_and_unique() -> None:
    patches = all_patches()
    assert len({p.id for p in patches}) == len(patches)
    assert len({p.name for p in patches}) == len(patches)
    for cls in patches:
        assert re.fullmatch(r"[A-Z][A-Z0-9]*[0-9]{3}", cls.id), cls.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", cls.name), cls.name
        assert cls.__module__ == "patches." + cls.name.replace("-", "_"), cls.name
        assert cls.safety in (SAFE, UNSAFE, ADVICE)
        assert cls.title and cls.explanation, cls.id


def test_order_respects_after_and_breaks_ties_by_id() -> None:
    def make(pid: str, after: tuple[str, ...] = ()) -> type[Patch]:
        return type(pid, (Patch,), {"id": pid, "after": after})

    found = {"B001": make("B001"), "A002": make("A002", ("C003",)), "C003": make("C003"), "A001": make("A001")}
    assert [c.id for c in order(found)] == ["A001", "B001", "C003", "A002"]
    cyclic = {"X001": make("X001", ("Y001",)), "Y001": make("Y001", ("X001",))}
    with pytest.raises(RuntimeError, match="cycle"):
        list(order(cyclic))


def test_declared_dependencies_run_first() -> None:
    position = {cls.id: i for i, cls in enumerate(all_patches())}
    for cls in all_patches():
        for dep in cls.after:
            if dep in position:
                assert position[dep] < position[cls.id], (dep, cls.id)


def test_a_raising_patch_is_reported_and_the_others_run() -> None:
    from autofix.api import fix_text
    from autofix.registry import by_id

    class Broken(Patch):
        id, name, title = "ZZZ999", "broken", "Always raises"

        def propose(self, view):
            raise RuntimeError("boom")

    log = by_id("LOG001")
    result = fix_text("Resources:\n  L:\n    Type: AWS::Logs::LogGroup\n", [Broken(), log()])
    assert result.status == "fixed"
    assert [n.patch_id for n in result.notes if n.kind == "error"] == ["ZZZ999"]
    assert "boom" in result.notes[0].message
