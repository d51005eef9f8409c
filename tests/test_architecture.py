"""The layout rules: patches/ holds patches only, each importing the engine and none of its siblings."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from autofix.registry import Patch

PATCHES = Path(__file__).resolve().parent.parent / "patches"
MODULES = sorted(p for p in PATCHES.glob("*.py") if p.name != "__init__.py")
PATCH_MODULES = [p for p in MODULES if not p.name.startswith("_")]


def _imported(path: Path) -> list[tuple[int, str]]:
    """(level, module) of every import in a file; level > 0 is a relative import."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
    return found


def _sibling_imports(path: Path) -> list[str]:
    return [("." * level) + module for level, module in _imported(path)
            if level > 0 or module == "patches" or module.startswith("patches.")]


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_patch_module_imports_no_sibling(path: Path) -> None:
    assert _sibling_imports(path) == [], f"{path.name} imports from patches/; shared code lives in autofix/"


def test_sibling_import_check_sees_relative_and_absolute_forms(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from ._s3 import x\nfrom patches.other import y\nimport patches.z\nfrom autofix.view import V\n")
    assert _sibling_imports(probe) == ["._s3", "patches.other", "patches.z"]


@pytest.mark.parametrize("path", PATCH_MODULES, ids=[p.name for p in PATCH_MODULES])
def test_patch_module_defines_one_patch(path: Path) -> None:
    module = importlib.import_module(f"patches.{path.stem}")
    own = [cls for _, cls in inspect.getmembers(module, inspect.isclass)
           if issubclass(cls, Patch) and cls is not Patch and cls.__module__ == module.__name__]
    assert len(own) == 1, f"{path.name} defines {[c.__name__ for c in own]}"


def test_patches_holds_patches_only() -> None:
    """A helper module in patches/ is a sibling by another name: shared code lives in autofix/model/."""
    helpers = sorted(p.name for p in MODULES if p.name.startswith("_") and p.name != "__init__.py")
    assert helpers == [], f"move {helpers} to autofix/model/ or into the one patch that uses it"


def _recording(patch: Patch, reads: dict[str, set[str]]) -> None:
    """Wrap `patch.propose` to collect the resource types it asks the view for."""
    propose = patch.propose

    def recorded(view):
        view.types_read.clear()
        yield from propose(view)
        reads.setdefault(patch.id, set()).update(view.types_read)

    patch.propose = recorded  # type: ignore[method-assign]


def test_resource_types_declare_every_type_a_patch_reads() -> None:
    """`explain` prints `resource_types`, and the engine's view refuses a read beyond them
    (UndeclaredType, tests/test_needs.py): over every fixture (alone and with all patches), what a
    patch reads with `of_type`, itself or through a shared memo, must be declared there ("*"
    declares every type), so no fixture run reports that refusal."""
    from autofix.api import build_patches, fix_text
    from tests.test_patch_fixtures import CASES, _patches

    reads: dict[str, set[str]] = {}
    declared: dict[str, set[str]] = {}
    every = build_patches(unsafe=True)
    for patch in every:
        _recording(patch, reads)
    for name, case in CASES:
        source = case.read_text(encoding="utf-8")
        fix_text(source, every, str(case))
        own = _patches(name, case)
        for patch in own:
            _recording(patch, reads)
        fix_text(source, own, str(case))
    for patch in every:
        declared[patch.id] = set(patch.resource_types)
    assert len(reads) >= 25  # most patches read something: the recording works
    undeclared = {pid: sorted(types - declared[pid]) for pid, types in reads.items()
                  if "*" not in declared[pid] and types - declared[pid]}
    assert undeclared == {}
