"""The total line and the per-change lines: changes are counted as a reader sees them."""

from __future__ import annotations

import io
import json

from autofix import report
from autofix.edits import Change
from autofix.engine import FIXED, UNCHANGED, Result
from autofix.runner import Outcome, Run


def _change(path: tuple, message: str, patch_id: str = "APIGW004") -> Change:
    return Change(patch_id, "unsafe", "add", path, 3, message)


def _run() -> Run:
    stage = ("Resources", "ProdStage", "Properties", "MethodSettings", 0)
    fixed = Result("a.yaml", FIXED, source="x: 1\n", output="x: 2\n", changes=[
        # One patch, three properties, one message: one change to a reader.
        _change(stage + ("LoggingLevel",), "ProdStage: execution logging"),
        _change(stage + ("MetricsEnabled",), "ProdStage: execution logging"),
        _change(stage + ("DataTraceEnabled",), "ProdStage: execution logging"),
        _change(("Resources", "ProdStage", "Properties", "AccessLogSetting"), "ProdStage: access logging"),
        # The same message on another resource (a new group the stage logs to) is the same change.
        _change(("Resources", "ProdStageLogs"), "ProdStage: access logging"),
        _change(("Resources", "TestStage", "Properties", "AccessLogSetting"), "TestStage: access logging"),
    ])
    fixed.notes = [Change("APIGW004", "unsafe", "advice", ("Resources", "ProdStage", "Properties", p), 3,
                          "ProdStage: account-wide setting") for p in ("A", "B")]
    other = Result("b.yaml", FIXED, source="x: 1\n", output="x: 2\n",
                   changes=[_change(("Resources", "Logs", "Properties", "RetentionInDays"), "Logs: 30 days", "LOG001")])
    clean = Result("c.yaml", UNCHANGED)
    return Run([Outcome(fixed), Outcome(other), Outcome(clean)], [])


def test_total_line_counts_files_and_changes() -> None:
    assert report.totals_line(_run(), written=False) == (
        "3 files: 2 would fix (4 changes), 1 unchanged, 0 skipped, 0 with suppressions, 0 failed")
    one = Run([Outcome(Result("b.yaml", FIXED, changes=[_change(("Resources", "L"), "L: x")]))], [])
    assert report.totals_line(one, written=True).startswith("1 file: 1 fixed (1 change), 0 unchanged")


def test_text_prints_one_line_per_change() -> None:
    out, err = io.StringIO(), io.StringIO()
    report.text(_run(), out, err, show_diff=False, stat=True, written=False)
    lines = err.getvalue().splitlines()
    assert sum("execution logging" in line for line in lines) == 1
    assert sum("access logging" in line for line in lines) == 2
    assert sum("account-wide setting" in line for line in lines) == 1
    assert "a.yaml: 3 changes" in lines and "APIGW004: 3 changes" in lines
    assert lines[-1].startswith("3 files: 2 would fix (4 changes)")


def test_json_keeps_every_edit_and_counts_both() -> None:
    payload = json.loads(report.as_json(_run(), show_diff=False))
    assert len(payload["changes"]) == 7  # one record per edited property, each with its path
    assert payload["totals"]["changes"] == 4 and payload["totals"]["edits"] == 7


def test_markdown_and_github_print_one_row_per_change() -> None:
    markdown = report.as_markdown(_run())
    assert markdown.count("ProdStage: execution logging") == 1
    assert "_3 files: 2 would fix (4 changes), 1 unchanged" in markdown
    github = report.as_github(_run())
    assert github.count("execution logging") == 1


def _replacing_run() -> Run:
    fixed = Result("p.yaml", FIXED, source="x: 1\n", output="x: 2\n",
                   changes=[_change(("Resources", "Perm", "Properties", "SourceArn"), "Perm: only this topic", "LAM008")])
    fixed.notes = [Change("LAM008", "safe", "replaces", ("Resources", "Perm"), 7,
                          "replaces AWS::Lambda::Permission Perm on update: SourceArn is create-only")]
    return Run([Outcome(fixed)], [])


def test_replacement_on_update_reaches_pull_request_reports() -> None:
    markdown = report.as_markdown(_replacing_run())
    assert "**LAM008** replaces AWS::Lambda::Permission Perm on update" in markdown  # the kind said once
    github = report.as_github(_replacing_run())
    assert "::warning file=p.yaml,line=7,title=LAM008::replaces AWS" in github


def test_text_output_says_a_notes_kind_once() -> None:
    """'APIGW003 replaces: replaces AWS::ApiGateway::Deployment ...' said the kind twice."""
    from autofix.report import labelled

    assert labelled("replaces", "replaces AWS::Lambda::Permission P on update") == \
        "replaces AWS::Lambda::Permission P on update"
    assert labelled("advice", "size it") == "advice: size it"
    assert labelled("skip", "skipped by hand") == "skip: skipped by hand"
