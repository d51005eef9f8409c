"""The table generators read cfn-lint 1.58's schema layout and refuse any other, writing nothing."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
GENERATORS = ("gen_tag_shapes", "gen_create_only")

TAGGED = {
    "typeName": "AWS::Demo::Tagged",
    "properties": {"Name": {"type": "string"}, "Tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}}},
    "definitions": {"Tag": {"type": "object", "properties": {"Key": {}, "Value": {}}, "required": ["Key", "Value"]}},
    "createOnlyProperties": ["/properties/Name"],
}


def _generator(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _layout(root: Path, providers: object, resources: dict[str, object]) -> Path:
    """A cfnlint/data/schemas folder in 1.58's layout, with the given contents."""
    (root / "providers").mkdir(parents=True)
    (root / "resources").mkdir()
    (root / "version.json").write_text(json.dumps({"schema_date": "2026-10-20T22:11:15Z"}))
    (root / "providers" / "us-east-1.json").write_text(json.dumps(providers))
    for digest, schema in resources.items():
        (root / "resources" / f"{digest}.json").write_text(json.dumps(schema))
    return root


def _use_schemas(monkeypatch, generator, root: Path) -> None:
    monkeypatch.setattr(generator.schemas, "schemas_dir", lambda: root)


def test_a_table_comes_from_the_region_file_and_the_schemas_it_names(tmp_path, monkeypatch) -> None:
    tags, create_only = _generator("gen_tag_shapes"), _generator("gen_create_only")
    root = _layout(tmp_path / "schemas", {"AWS::Demo::Tagged": "0a1b", "Alexa::ASK::Skill": "ffff"},
                   {"0a1b": TAGGED})
    _use_schemas(monkeypatch, tags, root)  # one module: both generators read through it
    assert tags.provider_table() == ({"AWS::Demo::Tagged": "list"}, {})
    assert create_only.provider_table() == {"AWS::Demo::Tagged": (("Name",),)}
    assert tags.schemas.source("us-east-1") == f"cfn-lint {_cfnlint_version()} (schemas of 2026-10-20, us-east-1)"


def _cfnlint_version() -> str:
    import cfnlint.version

    return cfnlint.version.__version__


def _old_layout(root: Path) -> Path:
    """cfn-lint 1.51's: one Python module per region (`types`), no JSON region files."""
    (root / "providers").mkdir(parents=True)
    (root / "providers" / "us_east_1.py").write_text('types: dict[str, str] = {"AWS::Demo::Tagged": "0a1b"}\n')
    (root / "resources").mkdir()
    (root / "resources" / "0a1b.json").write_text(json.dumps(TAGGED))
    return root


REFUSED = {
    "1.51 layout": (_old_layout, "no providers/us-east-1.json"),
    "region file not a map": (lambda root: _layout(root, ["AWS::Demo::Tagged"], {}), "is not a map of type"),
    "schema missing": (lambda root: _layout(root, {"AWS::Demo::Tagged": "0a1b"}, {}), "no resources/0a1b.json"),
    "schema of another type": (lambda root: _layout(root, {"AWS::Demo::Other": "0a1b"}, {"0a1b": TAGGED}),
                               "not the schema of AWS::Demo::Other"),
}


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("case", REFUSED)
def test_an_unknown_layout_is_refused_and_nothing_is_written(name, case, tmp_path, monkeypatch, capsys) -> None:
    generator = _generator(name)
    make, why = REFUSED[case]
    _use_schemas(monkeypatch, generator, make(tmp_path / "schemas"))
    target = tmp_path / "table.py"
    target.write_text("committed\n")
    monkeypatch.setattr(generator, "TARGET", target)
    for argv in ([name], [name, "--check"]):
        monkeypatch.setattr(sys, "argv", argv)
        assert generator.main() == 2
        err = capsys.readouterr().err
        assert why in err and "cfn-lint 1.58's" in err and generator.schemas.LAYOUT in err
    assert target.read_text() == "committed\n"
