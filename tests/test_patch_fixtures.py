"""Before/after fixtures for every patch: tests/patches/<patch-name>/.

A case is `NAME.in.yaml` (or .json) with its expected `NAME.out.yaml`; `noop_*.yaml` files
must come out untouched. Only the patch named by the folder runs, unsafe or not, unless
`NAME.select` lists other ids (one per line) to run with it. `NAME.options.json` sets patch
options: {"TAG001": {"tags": ["Team=core"]}}.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from autofix.api import build_patches, fix_text
from autofix.diff import unified_diff
from autofix.registry import all_patches
from autofix.validate import new_findings

HERE = Path(__file__).resolve().parent / "patches"
BY_NAME = {cls.name: cls for cls in all_patches()}


def _cases() -> list[tuple[str, Path]]:
    cases = []
    for folder in sorted(p for p in HERE.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".yaml", ".yml", ".json", ".template") or path.name.endswith(".options.json"):
                continue  # .select and .options.json files go with a case
            if ".in." in path.name or path.name.startswith("noop_"):
                cases.append((folder.name, path))
    return cases


CASES = _cases()


def _patches(patch_name: str, case: Path):
    assert patch_name in BY_NAME, f"fixture folder {patch_name} names no patch"
    select = [BY_NAME[patch_name].id]
    extra = case.with_name(case.name.split(".")[0] + ".select")
    if extra.exists():
        select += [line.strip() for line in extra.read_text().splitlines() if line.strip()]
    stem = case.name.split(".")[0]
    options_file = case.with_name(stem + ".options.json")
    options = json.loads(options_file.read_text()) if options_file.exists() else {}
    return build_patches(select=select, unsafe=True, options=options)


@pytest.mark.parametrize("patch_name,case", CASES, ids=[f"{n}/{c.name}" for n, c in CASES])
def test_fixture(patch_name: str, case: Path, update_fixtures: bool) -> None:
    source = case.read_text(encoding="utf-8")
    patches = _patches(patch_name, case)
    result = fix_text(source, patches, str(case))
    assert result.status in ("fixed", "unchanged"), result.error
    if case.name.startswith("noop_"):
        assert result.status == "unchanged", [c.message for c in result.changes]
        return
    expected_path = case.with_name(case.name.replace(".in.", ".out."))
    if update_fixtures:
        expected_path.write_text(result.output, encoding="utf-8")
    assert expected_path.exists(), f"missing {expected_path.name}; run pytest --update-fixtures"
    assert result.status == "fixed", "an .in. fixture must need a fix"
    assert result.output == expected_path.read_text(encoding="utf-8")
    # A second run proposes nothing.
    again = fix_text(result.output, patches, str(case))
    assert again.status == "unchanged", [c.message for c in again.changes]
    # The repair adds no cfn-lint finding.
    assert new_findings(source, result.output) == []


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs the patch program")
@pytest.mark.parametrize("patch_name,case", [c for c in CASES if ".in." in c[1].name],
                         ids=[f"{n}/{c.name}" for n, c in CASES if ".in." in c.name])
def test_diff_applies_with_patch(patch_name: str, case: Path, tmp_path: Path) -> None:
    source = case.read_text(encoding="utf-8")
    result = fix_text(source, _patches(patch_name, case), str(case))
    target = tmp_path / case.name
    target.write_text(source, encoding="utf-8")
    diff = unified_diff(source, result.output, case.name)
    run = subprocess.run(["patch", "-s", str(target)], input=diff, text=True, capture_output=True)
    assert run.returncode == 0, run.stderr + run.stdout
    assert target.read_text(encoding="utf-8") == result.output


def test_every_patch_has_fixtures() -> None:
    missing = [cls.name for cls in all_patches() if not (HERE / cls.name).is_dir()]
    assert missing == []


ALL_PATCHES = build_patches(unsafe=True)


@pytest.mark.parametrize("patch_name,case", CASES, ids=[f"{n}/{c.name}" for n, c in CASES])
def test_fixture_input_with_every_patch(patch_name: str, case: Path) -> None:
    """Every fixture input, repaired by all patches at once: no internal error, idempotent.

    The fixtures are small templates made to trip one patch; together, the patches' edits meet
    in them (a statement IAM001 narrows in a role whose policy S3 patches extend...).
    """
    result = fix_text(case.read_text(encoding="utf-8"), ALL_PATCHES, str(case))
    assert not result.error.startswith("internal error"), result.error
    if result.status == "fixed":
        assert fix_text(result.output, ALL_PATCHES, str(case)).status == "unchanged"
