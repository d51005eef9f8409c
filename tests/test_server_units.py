"""The server's parts in process: text edits, positions, placement, actions on odd buffers."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pygls")

from lsprotocol import types

from autofix.api import build_patches, fix_text
from autofix.server.actions import FIX_ALL, FIX_ALL_UNSAFE, Client, code_actions
from autofix.server.analysis import analyse
from autofix.server.lines import LineIndex
from autofix.server.settings import Configurations
from autofix.server.textedits import apply, replacements

from ._lsp_client import ROOT, apply_edits, edits_of, in_process

FIXTURES = ROOT / "tests" / "patches"
LOG_GROUP = "Resources:\n  KeptLogGroup:\n    Type: AWS::Logs::LogGroup\n"


@pytest.mark.parametrize("old,new", [
    ("a\nb\nc\n", "a\nb\nX\nc\n"),
    ("a\r\nb\r\n", "a\r\nb2\r\nc\r\n"),
    ("a\r\nb", "a\r\nb\r\nc"),  # no final newline
    ("k: v\n", "k: v  # note\n"),
    ("x: 1\ny: 2\n", "y: 2\n"),
    ("😀: 1\n", "😀: 1\nz: 2\n"),
])
def test_replacements_are_small_and_exact(old, new):
    found = replacements(old, new)
    assert apply(old, found) == new
    assert sum(end - start for start, end, _ in found) <= max(len(old) - len(new), 0) + 2


def test_an_edit_never_splits_a_crlf():
    old, new = "a\r\nb\r\n", "a\rX\nb\r\n"
    for start, end, _ in replacements(old, new):
        for at in (start, end):
            assert not (0 < at < len(old) and old[at - 1] == "\r" and old[at] == "\n")
    assert apply(old, replacements(old, new)) == new


def test_positions_in_utf16_utf8_and_utf32():
    text = "a😀b\r\nc\rd\n"
    assert LineIndex(text).position(2) == (0, 3)  # after the emoji: two UTF-16 units
    assert LineIndex(text, "utf-8").position(2) == (0, 5)
    assert LineIndex(text, "utf-32").position(2) == (0, 2)
    index = LineIndex(text)
    assert index.position(text.index("c")) == (1, 0) and index.position(text.index("d")) == (2, 0)
    assert index.offset(0, 3) == 2 and index.offset(0, 99) == 3 and index.offset(9, 0) == len(text)


def _actions(text: str, path: Path, encoding: str = "utf-16") -> tuple[list[types.Diagnostic], list[types.CodeAction]]:
    return in_process(text, path, encoding)


@pytest.mark.parametrize("fixture", [
    "log-group-retention/flow.in.json",
    "log-group-retention/crlf_no_final_newline.in.yaml",
    "log-group-retention/four_space.in.yaml",
    "s3-https-only",  # a directory: its first input
    "lambda-reserved-concurrency",
])
def test_fix_all_on_fixtures_equals_the_engine(fixture, tmp_path):
    source = FIXTURES / fixture
    if source.is_dir():
        source = min(source.glob("*.in.*"))
    text = source.read_bytes().decode("utf-8")
    path = tmp_path / source.name
    _, actions = _actions(text, path)
    by_kind = {a.kind: a for a in actions}
    assert by_kind, "fixes expected"
    for kind, unsafe in ((FIX_ALL, False), (FIX_ALL_UNSAFE, True)):
        if kind in by_kind:
            expected = fix_text(text, build_patches(unsafe=unsafe), str(path)).output
            assert apply_edits(text, edits_of(by_kind[kind], path.as_uri())) == expected


def test_a_byte_order_mark_and_wide_characters_keep_positions(tmp_path):
    text = "\ufeffDescription: 'logs 😀'\n" + LOG_GROUP
    path = tmp_path / "bom.yaml"
    diags, actions = _actions(text, path)
    retention = next(d for d in diags if d.code == "LOG001")
    assert retention.range.start == types.Position(line=2, character=2)
    assert retention.range.end == types.Position(line=2, character=len("  KeptLogGroup"))
    fix_all = next(a for a in actions if a.kind == FIX_ALL)
    expected = "\ufeff" + fix_text(text, build_patches(), str(path)).output
    assert apply_edits(text, edits_of(fix_all, path.as_uri())) == expected


def test_json_diagnostics_sit_on_the_resource_key(tmp_path):
    text = (FIXTURES / "log-group-retention" / "flow.in.json").read_text()
    diags, _ = _actions(text, tmp_path / "t.json")
    for diag in diags:
        line = text.splitlines()[diag.range.start.line]
        assert line[diag.range.start.character:diag.range.end.character].startswith('"')


def test_errors_become_one_diagnostic_at_their_position(tmp_path):
    text = LOG_GROUP + "  KeptLogGroup:\n    Type: AWS::Logs::LogGroup\n"
    diags, actions = _actions(text, tmp_path / "dup.yaml")
    assert len(diags) == 1 and actions == []
    assert diags[0].severity == types.DiagnosticSeverity.Error
    assert diags[0].range.start == types.Position(line=3, character=2)


def test_a_broken_config_is_one_error_and_no_fix(tmp_path):
    (tmp_path / ".cfn-fix.toml").write_text('ignore = ["NOPE999"]\n')
    diags, actions = _actions(LOG_GROUP, tmp_path / "t.yaml")
    assert len(diags) == 1 and "NOPE999" in diags[0].message and actions == []


def test_an_engine_bug_costs_the_diagnostics_not_the_server(tmp_path, monkeypatch):
    from autofix.server import analysis

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(analysis, "fix_document", broken)
    diags, actions = _actions(LOG_GROUP, tmp_path / "t.yaml")
    assert len(diags) == 1 and "internal error" in diags[0].message and actions == []


def test_the_entry_point_explains_itself(capsys):
    from autofix.server.__main__ import main

    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0 and "cfn-fix server" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:
        main(["--tcp"])
    assert stop.value.code == 2


def test_a_fix_on_what_another_patch_creates_runs_with_that_patch(tmp_path):
    # The data bucket's policy already denies non-TLS requests: S3005 alone changes nothing,
    # but the policy S3001 creates for its new log bucket needs the statement too.
    text = ("Resources:\n  DataBucket:\n    Type: AWS::S3::Bucket\n  DataBucketPolicy:\n"
            "    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref DataBucket\n"
            "      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n"
            "          - Sid: DenyInsecureTransport\n            Effect: Deny\n            Principal: '*'\n"
            "            Action: 's3:*'\n            Resource:\n              - !GetAtt DataBucket.Arn\n"
            "              - !Sub '${DataBucket.Arn}/*'\n            Condition:\n"
            "              Bool: {'aws:SecureTransport': 'false'}\n")
    path = tmp_path / "t.yaml"
    diags, _ = _actions(text, path)
    lifecycle = [d for d in diags if d.code == "S3005"]
    assert lifecycle
    found = analyse(text, str(path), Configurations())
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=path.as_uri()), range=lifecycle[0].range,
        context=types.CodeActionContext(diagnostics=lifecycle))
    quick = [a for a in code_actions(found, path.as_uri(), 1, params, Client(), "utf-16") if a.kind == "quickfix"]
    assert len(quick) == 1 and quick[0].title.endswith("(with S3001)")
    chosen = [p for p in build_patches(unsafe=True) if p.id in ("S3001", "S3005")]
    assert apply_edits(text, edits_of(quick[0], path.as_uri())) == fix_text(text, chosen, str(path)).output


def test_a_malformed_suppression_is_a_warning_where_it_is_written(tmp_path):
    text = LOG_GROUP + "    Metadata:\n      cfn-fix:\n        ignore: LOG001\n"
    diags, _ = _actions(text, tmp_path / "t.yaml")
    warnings = [d for d in diags if d.severity == types.DiagnosticSeverity.Warning and not d.data["fixable"]]
    assert len(warnings) == 1 and "must be a list" in warnings[0].message
    assert text.splitlines()[warnings[0].range.start.line].strip() == "ignore: LOG001"
    assert "(advice)" not in warnings[0].message  # a warning about the file, not a patch's
    assert {d.code for d in diags if d.data["fixable"]} == {"LOG001"}  # a string ignores nothing


def test_a_suppressed_resource_gets_a_hint_and_no_fix(tmp_path):
    text = ("Resources:\n  QuietLogGroup:\n    Type: AWS::Logs::LogGroup\n    Metadata:\n"
            "      cfn-fix:\n        ignore: [LOG001]\n" + LOG_GROUP.replace("Resources:\n", ""))
    diags, actions = _actions(text, tmp_path / "t.yaml")
    fixes = [d for d in diags if d.data["fixable"]]
    assert [text.splitlines()[d.range.start.line].strip() for d in fixes] == ["KeptLogGroup:"]
    quiet = [d for d in diags if d.data["kind"] == "suppressed"]
    assert len(quiet) == 1 and quiet[0].severity == types.DiagnosticSeverity.Hint
    assert text.splitlines()[quiet[0].range.start.line].strip() == "QuietLogGroup:"
    fix_all = next(a for a in actions if a.kind == FIX_ALL)
    repaired = apply_edits(text, edits_of(fix_all, (tmp_path / "t.yaml").as_uri()))
    assert repaired.count("RetentionInDays") == 1 and repaired.index("RetentionInDays") > text.index("KeptLogGroup")


def test_the_default_link_is_the_patch_that_explain_prints(tmp_path):
    from patches import log_group_retention

    diags, _ = _actions(LOG_GROUP, tmp_path / "t.yaml")
    retention = next(d for d in diags if d.code == "LOG001")
    assert retention.code_description.href == Path(log_group_retention.__file__).resolve().as_uri()
    assert retention.data["explain"] == "cfn-fix explain LOG001"
