"""What a user installing cfn-fix, or importing it, gets: metadata, a licence, a changelog and a
library entry point that works as documented."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    tomllib = pytest.importorskip("tomli")


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_license_is_an_spdx_expression_with_its_file() -> None:
    project = _project()
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Copyright (c) 2026 the cfn-fix authors" in text
    # PEP 639: a license expression and License :: classifiers cannot be combined
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    assert any(req.replace(" ", "").startswith("setuptools>=77") for req in build["requires"])


def test_classifiers_match_requires_python_and_urls_are_given() -> None:
    project = _project()
    minimum = project["requires-python"].removeprefix(">=")
    assert f"Programming Language :: Python :: {minimum}" in project["classifiers"]
    assert project["urls"] and all(url.startswith("https://") for url in project["urls"].values())


def test_every_third_party_import_of_the_engine_is_a_dependency() -> None:
    declared = " ".join(_project()["dependencies"]).lower()
    for name in ("ruamel.yaml", "typer", "deepdiff", "cfn-flip", "pyyaml", "pathspec"):
        assert name in declared, name


def test_the_changelog_has_an_unreleased_section() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog") and "## [Unreleased]" in text


def test_the_library_example_in_autofix_api_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import autofix.api

    doc = autofix.api.__doc__ or ""
    example = "\n".join(line[4:] for line in doc.splitlines() if line.startswith("    "))
    (tmp_path / "template.yaml").write_text("Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n")
    monkeypatch.chdir(tmp_path)
    printed: list[str] = []
    exec(compile(example, "autofix.api example", "exec"), {"print": printed.append})  # noqa: S102
    assert printed and "RetentionInDays: 30" in printed[0]
