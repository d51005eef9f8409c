"""The benchmark must keep running: generator and bench/run.py on tiny inputs (no timings checked)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from autofix.api import build_patches, fix_text

ROOT = Path(__file__).resolve().parent.parent


def _module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _module("cfn_fix_bench_generate", ROOT / "bench" / "generate.py")
bench = _module("cfn_fix_bench_run", ROOT / "bench" / "run.py")

_SMALL = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Logs:
    Type: AWS::Logs::LogGroup  # no retention
"""


def test_generator_is_exact_and_deterministic() -> None:
    text = generate.generate(23)
    assert text == generate.generate(23)
    result = fix_text(text, build_patches(unsafe=True))
    assert result.status == "fixed", result.error
    from autofix.fastload import load_data

    data = load_data(text, "yaml")
    assert len(data["Resources"]) == 23
    kinds = {res["Type"] for res in data["Resources"].values()}
    assert {"AWS::Lambda::Function", "AWS::S3::Bucket", "AWS::ApiGateway::Stage"} <= kinds


def test_generator_cli(tmp_path: Path) -> None:
    out = tmp_path / "t.yaml"
    assert generate.main(["12", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == generate.generate(12)


def test_bench_runs_on_a_tiny_folder(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "small.yaml").write_text(_SMALL, encoding="utf-8")
    (folder / "generated.yaml").write_text(generate.generate(10), encoding="utf-8")
    (folder / "broken.yaml").write_text("Resources: [unclosed\n", encoding="utf-8")
    report = tmp_path / "bench.json"
    # cfn-lint is left out: its start-up alone can take most of the time budget.
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), str(folder), "--sizes", "10,20", "--no-lint",
         "--no-cli-serial", "--cli-repeat", "1", "--version-runs", "1", "--json", str(report)],
        capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    figures = json.loads(report.read_text(encoding="utf-8"))
    assert figures["statuses"] == {"fixed": 2, "failed": 1}
    assert figures["a_load_s"] > 0 and figures["b_fix_1core_s"] > 0 and figures["c_cli_parallel_s"] > 0
    if importlib.util.find_spec("_ruamel_yaml_clibz") is not None:  # (a'), the yardstick of b/a'
        assert figures["a_bare_c_s"] > 0 and figures["ratios"]["b/a'"] > 0
    assert figures["cli_runs"] == 1 and figures["c1_cli_serial_s"] is None
    assert [r["resources"] for r in figures["scaling"]["rows"]] == [10, 20]
    assert figures["memory"]["peak_mb"] > 0
    assert figures["startup"]["cfn_fix_version_median_s"] > 0
    for label in ("(a)", "(a')", "(b)", "(c)", "b/a", "b/a'", "c/b", "ms/resource", "peak memory", "--version"):
        assert label in proc.stdout


def test_bench_errors_on_a_missing_folder(tmp_path: Path) -> None:
    assert bench.main([str(tmp_path / "nowhere"), "--sizes", ""]) == 2


def test_lint_is_optional(monkeypatch) -> None:
    monkeypatch.setattr(bench.shutil, "which", lambda name: None)
    assert bench.lint_run([Path("x.yaml")]) == (None, None)


scaling = _module("cfn_fix_bench_corpus_scaling", ROOT / "bench" / "corpus_scaling.py")

_LINKED = {
    "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
    "Parameters": {"Env": {"Type": "String"}},
    "Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket", "Condition": "IsProd"},
        "Fn": {"Type": "AWS::Lambda::Function", "DependsOn": ["Bucket"], "Properties": {
            "Role": {"Fn::GetAtt": "Role.Arn"},
            "Environment": {"Variables": {"B": {"Fn::Sub": "${Bucket}-${Env}-${AWS::Region}"},
                                          "R": {"Fn::If": ["IsProd", {"Fn::GetAtt": ["Role", "Arn"]}, "x"]}}}}},
        "Role": {"Type": "AWS::IAM::Role", "DependsOn": "Bucket"},
    },
    "Outputs": {"Out": {"Value": {"Ref": "Fn"}}},
}


def test_corpus_scaling_copies_rename_every_link_within_their_copy() -> None:
    data = json.loads(scaling.copied(_LINKED, 2))
    assert list(data["Resources"]) == ["BucketX0", "FnX0", "RoleX0", "BucketX1", "FnX1", "RoleX1"]
    assert list(data["Conditions"]) == ["IsProdX0", "IsProdX1"] and list(data["Outputs"]) == ["OutX0", "OutX1"]
    fn = data["Resources"]["FnX1"]
    assert fn["DependsOn"] == ["BucketX1"] and fn["Properties"]["Role"] == {"Fn::GetAtt": "RoleX1.Arn"}
    variables = fn["Properties"]["Environment"]["Variables"]
    assert variables["B"] == {"Fn::Sub": "${BucketX1}-${Env}-${AWS::Region}"}  # parameters are shared
    assert variables["R"] == {"Fn::If": ["IsProdX1", {"Fn::GetAtt": ["RoleX1", "Arn"]}, "x"]}
    assert data["Resources"]["BucketX1"]["Condition"] == "IsProdX1"
    assert data["Resources"]["RoleX1"]["DependsOn"] == "BucketX1"
    assert data["Outputs"]["OutX1"] == {"Value": {"Ref": "FnX1"}}
    assert fix_text(scaling.copied(_LINKED, 3), build_patches(unsafe=True)).status == "fixed"
