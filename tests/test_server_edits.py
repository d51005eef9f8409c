"""Code-action edits are the engine's splices, at the right LSP positions (UTF-16, CRLF, BOM)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pygls")

from lsprotocol import types

from autofix.api import build_patches, fix_text
from autofix.server.actions import FIX_ALL, Client
from autofix.server.analysis import SAFE, analyse
from autofix.server.lines import LineIndex
from autofix.server.settings import Configurations
from autofix.server.textedits import apply, edits_for

from ._lsp_client import ROOT, apply_edits, assert_minimal, edits_of, in_process

# An emoji (two UTF-16 code units) before the insertion point on the same line, CRLF line ends.
FLOW_LOG_GROUP = ('Resources:\r\n  # 😀 audit trail\r\n'
                  '  AuditLogs: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: "😀-audit"}}\r\n')


def _fix_all(text: str, path: Path, encoding: str = "utf-16") -> types.CodeAction:
    _, actions = in_process(text, path, encoding, Client())
    return next(a for a in actions if a.kind == FIX_ALL)


def test_splices_move_past_a_byte_order_mark():
    body = "Resources:\n  A:\n    Type: X\n"
    at = body.index("    Type")
    output = "\ufeff" + body[:at] + "    Metadata: {}\n" + body[at:]
    assert edits_for("\ufeff" + body, output, [(at, at, "    Metadata: {}\n")], bom=1) == \
        [(at + 1, at + 1, "    Metadata: {}\n")]


def test_touching_splices_become_one_edit():
    text = "a: 1\nb: 2\n"
    splices = [(5, 5, "x: 0\n"), (5, 9, "z: 3")]  # an insert, then a replacement from the same offset
    edits = edits_for(text, "a: 1\nx: 0\nz: 3\n", splices)
    assert edits == [(5, 9, "x: 0\nz: 3")]


def test_splices_that_do_not_rebuild_the_output_fall_back_to_a_diff():
    text, output = "a: 1\nb: 2\n", "a: 1\nb: 3\n"
    for wrong in ([(0, 4, "a: 9")], [(3, 8, "x"), (4, 6, "y")], [(5, 99, "")]):
        edits = edits_for(text, output, wrong)
        assert apply(text, edits) == output and edits == [(8, 9, "3")]


def test_a_cr_only_file_gets_its_splices_with_crs():
    text = "a: 1\rb: 2\r"
    edits = edits_for(text, "a: 1\rz: 0\rb: 2\r", [(5, 5, "z: 0\n")])  # the engine's source has LF
    assert edits == [(5, 5, "z: 0\r")]


def test_a_splice_never_splits_a_crlf():
    text = "a: 1\r\nb: 2\r\n"
    edits = edits_for(text, "a: 1\r\nz: 0\r\nb: 2\r\n", [(5, 5, "\nz: 0\r")])  # between \r and \n
    assert apply(text, edits) == "a: 1\r\nz: 0\r\nb: 2\r\n"
    for start, end, _ in edits:
        for at in (start, end):
            assert not (text[at - 1] == "\r" and text[at] == "\n")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
def test_an_edit_after_an_emoji_on_its_line_is_placed_in_the_clients_units(tmp_path, encoding):
    path = tmp_path / "flow.yaml"
    expected = fix_text(FLOW_LOG_GROUP, build_patches(), str(path)).output
    assert expected != FLOW_LOG_GROUP
    edits = edits_of(_fix_all(FLOW_LOG_GROUP, path, encoding), path.as_uri())
    assert_minimal(FLOW_LOG_GROUP, edits)
    line = FLOW_LOG_GROUP.split("\r\n")[2]
    inserted_at = line.index('"}}') + 1  # after the closing quote of the emoji's string
    units = {"utf-16": len(line[:inserted_at].encode("utf-16-le")) // 2,
             "utf-8": len(line[:inserted_at].encode("utf-8")), "utf-32": inserted_at}[encoding]
    assert [(e.range.start.line, e.range.start.character) for e in edits] == [(2, units)]
    index = LineIndex(FLOW_LOG_GROUP, encoding)
    spans = [(index.offset(e.range.start.line, e.range.start.character),
              index.offset(e.range.end.line, e.range.end.character), e.new_text) for e in edits]
    assert apply(FLOW_LOG_GROUP, spans) == expected
    if encoding == "utf-16":
        assert apply_edits(FLOW_LOG_GROUP, edits) == expected


def test_fix_all_edits_lie_within_the_engines_splices(tmp_path):
    text = "\ufeff" + FLOW_LOG_GROUP + "  Other:\r\n    Type: AWS::Logs::LogGroup  # 😀\r\n"
    path = tmp_path / "t.yaml"
    found = analyse(text, str(path), Configurations())
    result = found.fix(SAFE)
    splices = getattr(result, "splices", None)
    if not splices:
        pytest.skip("this engine records no splices (Result.splices); edits come from a diff")
    edits = found.edits(SAFE)
    assert edits and apply(text, edits) == "\ufeff" + result.output
    # Each edit is one of the engine's splices (trimmed), shifted past the byte order mark.
    for start, end, _ in edits:
        assert any(s + 1 <= start and end <= e + 1 for s, e, _ in splices), (start, end, splices)


@pytest.mark.parametrize("fixture", ["log-group-retention/crlf_no_final_newline.in.yaml",
                                     "log-group-retention/flow.in.json", "s3-https-only/basic.in.yaml"])
def test_the_engines_splices_are_used_without_a_diff(fixture, tmp_path, monkeypatch):
    from autofix.server import textedits

    text = (ROOT / "tests" / "patches" / fixture).read_bytes().decode("utf-8")
    found = analyse(text, str(tmp_path / Path(fixture).name), Configurations())
    if not getattr(found.fix(SAFE), "splices", None):
        pytest.skip("this engine records no splices (Result.splices); edits come from a diff")

    def no_diff(old, new):
        raise AssertionError("fell back to a diff of the output")

    monkeypatch.setattr(textedits, "replacements", no_diff)
    edits = found.edits(SAFE)
    assert edits and apply(text, edits) == found.fix(SAFE).output


MALFORMED = FLOW_LOG_GROUP + "  Other:\r\n    Type: AWS::Logs::LogGroup\r\n    Metadata:\r\n      cfn-fix:\r\n" \
                             "        ignore: LOG001\r\n"


@pytest.mark.parametrize("text", [FLOW_LOG_GROUP, "\ufeff" + MALFORMED,
                                  (ROOT / "tests" / "patches" / "s3-https-only" / "basic.in.yaml").read_text()])
def test_fix_all_including_unsafe_finishes_the_diagnostics_run_as_a_fresh_run_would(text, tmp_path, monkeypatch):
    from autofix.api import fix_bytes
    from autofix.server import analysis
    from autofix.server.analysis import ALL

    path = tmp_path / "t.yaml"
    found = analyse(text, str(path), Configurations())
    fresh = fix_bytes(text.encode("utf-8"), str(path), list(found.profile.every))
    runs: list[str] = []
    monkeypatch.setattr(analysis, "fix_bytes", lambda *args: runs.append("run") or fix_bytes(*args))
    assert found.fix(ALL) == fresh and found.fix(ALL).splices == fresh.splices
    assert runs == []  # the diagnostics' run was its first pass: only the verification was left


def test_fix_all_safe_runs_afresh_where_its_selection_is_not_the_diagnostics(tmp_path, monkeypatch):
    from autofix.server import analysis

    found = analyse(FLOW_LOG_GROUP, str(tmp_path / "t.yaml"), Configurations())
    assert [p.id for p in found.profile.safe] != [p.id for p in found.profile.every]
    runs: list[str] = []
    real = analysis.fix_bytes
    monkeypatch.setattr(analysis, "fix_bytes", lambda *args: runs.append("run") or real(*args))
    assert found.fix(SAFE).status == "fixed" and runs == ["run"]


def test_fix_all_safe_finishes_the_diagnostics_run_where_every_selected_patch_is_safe(tmp_path, monkeypatch):
    from autofix.server import analysis

    (tmp_path / ".cfn-fix.toml").write_text('select = ["LOG001"]\n')
    found = analyse(FLOW_LOG_GROUP, str(tmp_path / "t.yaml"), Configurations())
    assert [p.id for p in found.profile.safe] == [p.id for p in found.profile.every] == ["LOG001"]
    runs: list[str] = []
    monkeypatch.setattr(analysis, "fix_bytes", lambda *args: runs.append("run"))
    assert found.fix(SAFE).status == "fixed" and runs == []
