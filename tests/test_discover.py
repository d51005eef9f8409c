"""Batch runs: discovery, .gitignore, links out of the tree, parallel determinism, planning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from autofix.capacity import Plan
from autofix.discover import Exclusion, discover
from autofix.fastload import load_data
from autofix.runner import Job, _fork_context, run

TEMPLATE = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n"


def _write(path: Path, text: str = TEMPLATE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_folders_are_walked_in_order_with_template_suffixes_only(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.json", "c.template", "d.yml", "e.txt", "sub/f.yaml", "node_modules/g.yaml"):
        _write(tmp_path / name, '{"Resources": {}}' if name.endswith(".json") else TEMPLATE)
    targets, notes = discover([str(tmp_path)])
    names = [Path(t.path).relative_to(tmp_path).as_posix() for t in targets]
    assert names == ["a.json", "b.yaml", "c.template", "d.yml", "sub/f.yaml"]
    assert notes == []


def test_gitignore_is_respected(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _write(tmp_path / ".gitignore", "build/\n*.generated.yaml\n")
    _write(tmp_path / "keep.yaml")
    _write(tmp_path / "build" / "out.yaml")
    _write(tmp_path / "x.generated.yaml")
    targets, _ = discover([str(tmp_path)])
    assert [Path(t.path).name for t in targets] == ["keep.yaml"]


def test_links_out_of_the_tree_are_not_followed(tmp_path: Path) -> None:
    outside = _write(tmp_path / "outside" / "secret.yaml")
    inside = _write(tmp_path / "tree" / "real.yaml")
    (tmp_path / "tree" / "escape.yaml").symlink_to(outside)
    (tmp_path / "tree" / "alias.yaml").symlink_to(inside)
    (tmp_path / "tree" / "linkdir").symlink_to(tmp_path / "outside", target_is_directory=True)
    targets, _ = discover([str(tmp_path / "tree")])
    # alias.yaml and real.yaml are one file: it is a target once, under its first name.
    assert sorted(Path(t.path).name for t in targets) == ["alias.yaml"]


def test_exclude_globs(tmp_path: Path) -> None:
    _write(tmp_path / "keep.yaml")
    _write(tmp_path / "cdk" / "skip.yaml")
    _write(tmp_path / "x.params.json", "{}")
    targets, _ = discover([str(tmp_path)], Exclusion(("cdk/*", "*.params.json"), str(tmp_path)))
    assert [Path(t.path).name for t in targets] == ["keep.yaml"]


def test_exclude_star_stays_inside_one_folder_and_anchors_at_its_base(tmp_path: Path) -> None:
    _write(tmp_path / "cdk" / "top.yaml")
    _write(tmp_path / "cdk" / "deep" / "kept.yaml")
    _write(tmp_path / "app" / "cdk" / "other.yaml")
    targets, _ = discover([str(tmp_path)], Exclusion(("cdk/*.yaml",), str(tmp_path)))
    assert sorted(Path(t.path).relative_to(tmp_path).as_posix() for t in targets) == [
        "app/cdk/other.yaml", "cdk/deep/kept.yaml"]


def test_parallel_run_is_deterministic_and_equal_to_serial(tmp_path: Path) -> None:
    for i in range(12):
        _write(tmp_path / f"t{i:02}.yaml")
    _write(tmp_path / "broken.yaml", "Resources: [\n")
    job = Job(cli={"select": ["LOG001"]})
    serial = run([str(tmp_path)], job, jobs=1)
    parallel = run([str(tmp_path)], job, jobs=2)
    assert [o.result.path for o in parallel.outcomes] == [o.result.path for o in serial.outcomes]
    assert [o.result.output for o in parallel.outcomes] == [o.result.output for o in serial.outcomes]
    assert parallel.count("fixed") == 12 and parallel.count("failed") == 1


def test_workers_are_forked_on_linux() -> None:
    """Forked workers inherit the imports; Python 3.14's forkserver default would redo them."""
    context = _fork_context()
    if sys.platform.startswith("linux"):
        assert context is not None and context.get_start_method() == "fork"
    else:
        assert context is None


def test_capacity_plan_numbers() -> None:
    plan = Plan(100_000, 80)
    assert plan.concurrency == 9600 and plan.provisioned == 2880
    assert plan.rate == 100_000 and plan.burst == 50_000
    text = "\n".join(plan.summary())
    assert "request a quota increase" in text and "API Gateway quota increase" in text


API_FUNCTION = ("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Handler: x\n"
                "  Api:\n    Type: AWS::ApiGateway::RestApi\n  Get:\n    Type: AWS::ApiGateway::Method\n"
                "    Properties:\n      Integration:\n        Uri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:"
                "path/2015-03-31/functions/${Fn.Arn}/invocations'\n"
                "  Grant:\n    Type: AWS::Lambda::Permission\n    Properties: {Action: lambda:InvokeFunction, "
                "FunctionName: !Ref Fn, Principal: apigateway.amazonaws.com}\n")


def test_target_rps_sets_the_planned_defaults(tmp_path: Path) -> None:
    _write(tmp_path / "fn.yaml", API_FUNCTION)
    job = Job(cli={"select": ["LAM001"], "target-rps": 1000.0, "p99-latency-ms": 100.0})
    outcome = run([str(tmp_path / "fn.yaml")], job).outcomes[0]
    assert "Default: 120" in outcome.result.output  # an API invokes it: the plan's reservation


def test_target_rps_leaves_functions_off_the_request_path_unreserved(tmp_path: Path) -> None:
    src = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Handler: x\n"
    _write(tmp_path / "fn.yaml", src)
    job = Job(cli={"select": ["LAM001"], "target-rps": 1000.0, "p99-latency-ms": 100.0})
    outcome = run([str(tmp_path / "fn.yaml")], job).outcomes[0]
    assert "Default: -1" in outcome.result.output and "Default: 120" not in outcome.result.output


def test_target_rps_sizes_provisioned_concurrency_and_its_autoscaling(tmp_path: Path) -> None:
    _write(tmp_path / "fn.yaml", API_FUNCTION)
    job = Job(cli={"select": ["LAM002", "LAM010"], "unsafe-fixes": True, "target-rps": 1000.0,
                   "p99-latency-ms": 100.0})
    data = load_data(run([str(tmp_path / "fn.yaml")], job).outcomes[0].result.output, "yaml")
    params = data["Parameters"]
    # 1,000 rps x 0.1 s x 1.2 = 120 reserved; the warm baseline is 30 % of it; the autoscaling
    # maximum is the peak, 1,000 x 0.1 = 100, below the reservation ($LATEST keeps the rest).
    assert params["LambdaProvisionedConcurrency"]["Default"] == 36
    assert params["LambdaProvisionedConcurrencyMax"]["Default"] == 100


def test_progress_bar_draws_only_for_long_runs(monkeypatch) -> None:
    import io
    import sys

    from autofix import cli

    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    clock = iter([0.0, 0.5, 5.0, 5.0])
    monkeypatch.setattr("time.monotonic", lambda: next(clock))
    show = cli._progress_bar()
    show(1, 40)  # half a second in: nothing yet
    assert buffer.getvalue() == ""
    show(20, 40)  # five seconds in: the bar appears
    assert "20/40" in buffer.getvalue() and "#" in buffer.getvalue()
    show(40, 40)
    assert buffer.getvalue().endswith("\r")
