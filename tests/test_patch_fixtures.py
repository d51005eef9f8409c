"""Before/after fixtures for every patch: tests/patches/<patch-name>/.

A case is `NAME.in.yaml` (or .json) with its expected `NAME.out.yaml`; `noop_*.yaml` files
must come out untouched. Only the patch named by the folder runs, unsafe or not, unless
`NAME.select` lists other ids (one per line) to run with it. `NAME.options.json` sets patch
options: {"TAG001": {"tags": ["Team=core"]}}.

Beside each case, a snapshot of what the run told the user, as ruff keeps a rule's message
beside its fix: `NAME.messages` for `NAME.in.yaml` and `noop_NAME.yaml`, `NAME.json.messages`
for a `.json` case. One line per change, then per note (skip, advice, suppressed, replaces,
error), in the order the engine reports them and deduplicated as the text output prints them:
`line: ID kind message`, the kind said once (a message that starts with its kind's word, 'add
parameter X', is not prefixed with it again). So a no-op case shows why it was left alone, and a
changed message fails the case like a changed output. `pytest --update-fixtures` rewrites outputs
and snapshots.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from autofix.api import build_patches, fix_text
from autofix.diff import unified_diff
from autofix.engine import Result
from autofix.registry import all_patches
from autofix.report import distinct_changes, distinct_notes, labelled
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
SNAPSHOT = ".messages"


def _snapshot_path(case: Path) -> Path:
    """`basic.in.yaml` -> `basic.messages`; a JSON twin keeps its own: `basic.json.messages`."""
    stem = case.name.split(".")[0]
    return case.with_name(stem + ("" if case.suffix == ".yaml" else case.suffix) + SNAPSHOT)


def _labelled(kind: str, message: str) -> str:
    """The report's label, with a space where the text output puts a colon."""
    return labelled(kind, message, sep=" ")


def _messages(result: Result) -> str:
    """What the run said, one `line: ID kind message` per line (the text output's selection)."""
    lines = [f"{item.line}: {item.patch_id} {_labelled(item.kind, item.message)}"
             for item in distinct_changes(result.changes) + distinct_notes(result.notes)]
    if result.error:
        lines.append(f"{result.error_line or 0}: error {result.error}")
    return "".join(line + "\n" for line in lines)


def _assert_snapshot(path: Path, messages: str) -> None:
    assert path.exists(), f"missing {path.name}; run pytest --update-fixtures and review it"
    assert messages == path.read_text(encoding="utf-8"), \
        f"{path.name} differs from the messages of this run; if the new ones are right, run pytest --update-fixtures"


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
    snapshot, messages = _snapshot_path(case), _messages(result)
    if update_fixtures:
        snapshot.write_text(messages, encoding="utf-8", newline="\n")
    if case.name.startswith("noop_"):
        assert result.status == "unchanged", [c.message for c in result.changes]
        _assert_snapshot(snapshot, messages)
        return
    expected_path = case.with_name(case.name.replace(".in.", ".out."))
    if update_fixtures:
        expected_path.write_text(result.output, encoding="utf-8")
    assert expected_path.exists(), f"missing {expected_path.name}; run pytest --update-fixtures"
    assert result.status == "fixed", "an .in. fixture must need a fix"
    assert result.output == expected_path.read_text(encoding="utf-8")
    _assert_snapshot(snapshot, messages)
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


def test_every_case_has_its_own_snapshot_and_every_snapshot_a_case() -> None:
    """One snapshot per case (twins never share one), and none left behind by a renamed case."""
    owned = {_snapshot_path(case) for _, case in CASES}
    assert len(owned) == len(CASES), "two cases map to one snapshot"
    orphans = sorted(str(p.relative_to(HERE)) for p in HERE.glob(f"*/*{SNAPSHOT}") if p not in owned)
    assert orphans == [], "delete these snapshots or restore their cases"


def test_snapshot_line_says_its_kind_once() -> None:
    assert _labelled("add", "add parameter ApiCacheClusterSize") == "add parameter ApiCacheClusterSize"
    assert _labelled("add", "FixedBucket: block all public access") == "add FixedBucket: block all public access"
    assert _labelled("add", "address FixedBucket") == "add address FixedBucket"  # a word, not a prefix
    doubled = [f"{p.relative_to(HERE)}:{n}" for p in sorted(HERE.glob(f"*/*{SNAPSHOT}"))
               for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
               if len(words := line.split(" ")) > 3 and words[2] == words[3]]
    assert doubled == [], "regenerate these snapshots with pytest --update-fixtures"


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
