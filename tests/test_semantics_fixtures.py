"""Every fixture repair keeps the semantic invariants (autofix/semantics) the input kept.

Two repairs of each fixture input: the expected output beside it (its folder's patch), and
the repair by every patch at once (where the patches' edits meet), of no-op cases too. SAM inputs are judged on
what aws-sam-translator makes of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autofix.api import build_patches, fix_text
from autofix.fastload import load_data
from autofix.semantics import new_violations

pytest.importorskip("samtranslator", reason="aws-sam-translator is not installed (pip install -e '.[test]')")

HERE = Path(__file__).resolve().parent / "patches"
_TEMPLATE = (".yaml", ".yml", ".json", ".template")
INPUTS = sorted(p for p in HERE.glob("*/*") if ".in." in p.name and p.suffix in _TEMPLATE
                and not p.name.endswith(".options.json"))
IDS = [f"{p.parent.name}/{p.name}" for p in INPUTS]
# Every template a fixture holds: no-op cases too, which other patches may well change.
EVERY = INPUTS + sorted(p for p in HERE.glob("*/noop_*") if p.suffix in _TEMPLATE)
EVERY_IDS = [f"{p.parent.name}/{p.name}" for p in EVERY]
ALL_PATCHES = build_patches(unsafe=True)


def _data(path: Path, text: str):
    return load_data(text, "json" if path.suffix == ".json" else "yaml")


@pytest.mark.parametrize("case", INPUTS, ids=IDS)
def test_fixture_output_keeps_the_invariants(case: Path) -> None:
    out = case.with_name(case.name.replace(".in.", ".out."))
    if not out.exists():
        pytest.skip("no expected output yet")
    source = case.read_text(encoding="utf-8")
    found = new_violations(_data(case, source), _data(out, out.read_text(encoding="utf-8")))
    assert [str(v) for v in found] == []


@pytest.mark.parametrize("case", EVERY, ids=EVERY_IDS)
def test_every_patch_repair_keeps_the_invariants(case: Path) -> None:
    source = case.read_text(encoding="utf-8")
    result = fix_text(source, ALL_PATCHES, str(case))
    if result.status != "fixed":
        return
    found = new_violations(_data(case, source), _data(case, result.output))
    assert [str(v) for v in found] == []


def test_fixed_example_keeps_the_invariants() -> None:
    examples = HERE.parent.parent / "examples"
    broken, fixed = examples / "serverless-api.yaml", examples / "serverless-api.fixed.yaml"
    found = new_violations(_data(broken, broken.read_text(encoding="utf-8")),
                           _data(fixed, fixed.read_text(encoding="utf-8")))
    assert [str(v) for v in found] == []
