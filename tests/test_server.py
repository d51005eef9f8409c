"""`cfn-fix server` end to end: a real LSP client talks to `python -m autofix.server` over stdio."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest.importorskip("pytest_lsp")

from lsprotocol import types

from autofix.api import build_patches, fix_text
from autofix.server.actions import FIX_ALL, FIX_ALL_UNSAFE

from ._lsp_client import ROOT, Session, apply_edits, assert_minimal, edits_of, run

EXAMPLE = ROOT / "examples" / "serverless-api.yaml"
CHANGE_KINDS = {"add", "set", "append", "delete", "rename"}


def _copy(tmp_path: Path, name: str = "template.yaml") -> tuple[Path, str]:
    target = tmp_path / name
    shutil.copyfile(EXAMPLE, target)
    return target, target.as_uri()


def _fixable(diagnostics: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diagnostics if isinstance(d.data, dict) and d.data.get("fixable")]


def _by_kind(actions: list[types.CodeAction], kind: str) -> types.CodeAction:
    found = [a for a in actions if a.kind == kind]
    assert len(found) == 1, [a.title for a in actions]
    return found[0]


def _written_by_the_cli(tmp_path: Path, *flags: str, text: str | None = None) -> str:
    """What `cfn-fix --write [flags]` makes of the example (or `text`), in a folder of its own."""
    folder = tmp_path / ("cli" + "".join(flags))
    folder.mkdir()
    target, _ = _copy(folder)
    if text is not None:
        target.write_bytes(text.encode("utf-8"))
    done = subprocess.run([sys.executable, "-m", "autofix", "--write", "-q", *flags, str(target)],
                          capture_output=True, timeout=120, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    return target.read_bytes().decode("utf-8")


def test_fix_all_is_byte_identical_to_the_cli_and_a_second_round_offers_nothing(tmp_path):
    path, uri = _copy(tmp_path, "my template.yaml")
    assert "%20" in uri
    text = path.read_text()
    safe = _written_by_the_cli(tmp_path)
    every = _written_by_the_cli(tmp_path, "--unsafe-fixes")
    assert safe == fix_text(text, build_patches(unsafe=False), str(path)).output

    async def body():
        session = await Session.start(tmp_path)
        try:
            diagnostics = await session.open(uri, text)
            fixable = _fixable(diagnostics)
            expected = fix_text(text, build_patches(unsafe=True), str(path))
            assert len(fixable) == len(expected.changes)
            assert {d.code for d in fixable} == {c.patch_id for c in expected.changes}
            for d in diagnostics:
                assert d.source == "cfn-fix" and d.code_description is not None
            actions = await session.actions(uri, fixable)
            fix_safe, fix_every = _by_kind(actions, FIX_ALL), _by_kind(actions, FIX_ALL_UNSAFE)
            for action in (fix_safe, fix_every):
                assert_minimal(text, edits_of(action, uri))
            assert apply_edits(text, edits_of(fix_safe, uri)) == safe
            repaired = apply_edits(text, edits_of(fix_every, uri))
            assert repaired == every
            after = await session.change(uri, repaired)
            assert _fixable(after) == []
            assert await session.actions(uri, after) == []
            assert path.read_text() == text  # the server never writes the file
        finally:
            await session.stop()

    run(body())


def _crlf_with_emoji(text: str) -> str:
    """The example with CRLF line ends and an emoji (two UTF-16 code units) on many lines before
    what the fixes edit: a comment on each resource, and in every Description."""
    text = text.replace("  # ", "  # 😀 ").replace("Description: ", "Description: 😀 ")
    text = text.replace("Description: 😀 >-", "Description: >-")  # a block scalar's header stays a header
    return text.replace("\n", "\r\n")


def test_edits_on_a_crlf_buffer_with_emoji_are_byte_identical_to_the_cli(tmp_path):
    path, uri = _copy(tmp_path)
    text = _crlf_with_emoji(path.read_text())
    assert "😀" in text and "\r\n" in text
    path.write_bytes(text.encode("utf-8"))
    every = _written_by_the_cli(tmp_path, "--unsafe-fixes", text=text)
    assert "\r\n" in every and "\n" not in every.replace("\r\n", "")

    async def body():
        session = await Session.start(tmp_path)
        try:
            diagnostics = await session.open(uri, text)
            actions = await session.actions(uri, _fixable(diagnostics))
            for diag in _fixable(diagnostics)[:3]:  # each quickfix: small edits of its own
                quick = [a for a in await session.actions(uri, [diag]) if a.kind == "quickfix"]
                assert len(quick) == 1 and quick[0].diagnostics[0].code == diag.code
                assert_minimal(text, edits_of(quick[0], uri))
            edits = edits_of(_by_kind(actions, FIX_ALL_UNSAFE), uri)
            assert_minimal(text, edits)
            repaired = apply_edits(text, edits)
            assert repaired == every
            after = await session.change(uri, repaired)
            assert _fixable(after) == [] and await session.actions(uri, after) == []
        finally:
            await session.stop()

    run(body())


def test_diagnostics_sit_on_the_resource_and_quickfix_runs_only_that_patch(tmp_path):
    path, uri = _copy(tmp_path)
    text = path.read_text()
    lines = text.splitlines()

    async def body():
        session = await Session.start(tmp_path)
        try:
            diagnostics = await session.open(uri, text)
            retention = [d for d in diagnostics if d.code == "LOG001"]
            assert len(retention) == 1
            diag = retention[0]
            assert lines[diag.range.start.line].strip() == "OrdersAuditLogGroup:"
            assert diag.severity == types.DiagnosticSeverity.Warning
            assert "safe" in diag.message and "CKV_AWS_66" in diag.message
            assert diag.data["resolves"] == ["CKV_AWS_66", "W86", "CW_LOGGROUP_RETENTION_PERIOD_CHECK"]
            timeout = next(d for d in diagnostics if d.code == "LAM005")
            assert lines[timeout.range.start.line].strip().startswith("Timeout:")
            hints = [d for d in diagnostics if not d.data["fixable"]]
            assert hints and all(d.severity in (types.DiagnosticSeverity.Hint, types.DiagnosticSeverity.Information)
                                 for d in hints)
            actions = await session.actions(uri, [diag])
            quick = _by_kind(actions, "quickfix")
            assert quick.diagnostics and quick.diagnostics[0].code == "LOG001" and quick.is_preferred
            alone = fix_text(text, [p for p in build_patches() if p.id == "LOG001"], str(path)).output
            assert apply_edits(text, edits_of(quick, uri)) == alone
            hover = await asyncio.wait_for(session.client.text_document_hover_async(types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=diag.range.start)), 30)
            assert hover is not None and "**LOG001**" in hover.contents.value and "CKV_AWS_66" in hover.contents.value
            only = await session.actions(uri, [diag], only=["source.fixAll"])
            assert [a.kind for a in only] == [FIX_ALL]  # fix-all on save never takes the unsafe action
        finally:
            await session.stop()

    run(body())


def test_typing_through_invalid_states_never_crashes(tmp_path):
    path, uri = _copy(tmp_path)
    text = path.read_text()
    cut = text.index("  OrdersFunction:")
    states = [
        text[:cut + 9],  # a key cut mid-word
        text.replace("Type: AWS::Lambda::Function", "Type: [AWS::Lambda::Function", 1),  # unclosed flow
        text.replace("  OrdersBucket:", "  OrdersBucket:\n    Type: AWS::S3::Bucket\n  OrdersBucket:", 1),
        "",
        "Resources: {",
        "\t- : :",
        "foo: bar\n",  # YAML, but no template: nothing to say
        "Resources:\n  X:\n    Type: AWS::Logs::LogGroup\n",
    ]

    async def body():
        session = await Session.start(tmp_path, debounce_ms=20)
        try:
            await session.open(uri, text)
            for state in states[:3]:
                session.change_nowait(uri, state)  # faster than the debounce: only the last is analysed
            dup = await session.change(uri, states[2])
            errors = [d for d in dup if d.severity == types.DiagnosticSeverity.Error]
            assert len(errors) == 1 and "duplicate key" in errors[0].message
            line = states[2].splitlines()[errors[0].range.start.line]
            assert line.strip() == "OrdersBucket:"
            broken = await session.change(uri, states[1])
            assert len(broken) == 1 and broken[0].severity == types.DiagnosticSeverity.Error
            assert await session.change(uri, "") == []
            for state in states[4:6]:
                found = await session.change(uri, state)
                assert len(found) == 1 and found[0].severity == types.DiagnosticSeverity.Error
            assert await session.change(uri, states[6]) == []
            fine = await session.change(uri, states[7])
            assert {d.code for d in _fixable(fine)} == {"LOG001"}
        finally:
            await session.stop()

    run(body())


def test_config_nearest_the_file_is_honoured_and_reloaded(tmp_path):
    folder = tmp_path / "stack"
    folder.mkdir()
    path, uri = _copy(folder)
    text = path.read_text()
    config = folder / ".cfn-fix.toml"
    config.write_text('ignore = ["TAG001"]\n')

    async def body():
        session = await Session.start(tmp_path, resolve=True)
        try:
            first = {d.code for d in _fixable(await session.open(uri, text))}
            assert "TAG001" not in first and "LOG001" in first
            config.write_text('select = ["TAG001", "LOG001"]\n')
            second = await session.diagnostics_after(lambda: session.client.workspace_did_change_watched_files(
                types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
                    uri=config.as_uri(), type=types.FileChangeType.Changed)])))
            assert {d.code for d in _fixable(second)} == {"TAG001", "LOG001"}
            config.write_text("select = [\n")
            broken = await session.change(uri, text + "\n")
            assert len(broken) == 1 and "invalid TOML" in broken[0].message
            config.write_text('select = ["LOG001"]\n')
            fixed = await session.change(uri, text)
            assert {d.code for d in _fixable(fixed)} == {"LOG001"}
            # A client that resolves actions gets them without edits, then the edit on resolve.
            actions = await session.actions(uri, _fixable(fixed))
            fix_all = _by_kind(actions, FIX_ALL)
            assert fix_all.edit is None
            resolved = await session.resolve(fix_all)
            expected = fix_text(text, build_patches(select=["LOG001"]), str(path)).output
            assert apply_edits(text, edits_of(resolved, uri)) == expected
        finally:
            await session.stop()

    run(body())


def test_suppressions_in_the_buffer_are_honoured(tmp_path):
    path, uri = _copy(tmp_path)
    text = path.read_text()
    unsaved = text.replace("Resources:\n", "Metadata:\n  cfn-fix:\n    ignore: [TAG001, S3]\nResources:\n", 1)
    assert unsaved != text

    async def body():
        session = await Session.start(tmp_path)
        try:
            codes = {d.code for d in _fixable(await session.open(uri, unsaved))}
            assert codes and not any(c == "TAG001" or c.startswith("S3") for c in codes)
            closed = await session.diagnostics_after(lambda: session.client.text_document_did_close(
                types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))))
            assert closed == []
        finally:
            await session.stop()

    run(body())


def test_requests_between_keystrokes_are_answered_for_the_text_after_the_pause(tmp_path):
    path, uri = _copy(tmp_path)
    text = path.read_text()
    cut = text.index("  OrdersFunction:")
    function_line = text[:cut].count("\n")
    # Cut mid-key, an unclosed flow, then the whole text again: the answers are for the last.
    states = [text[:cut + n] for n in (3, 9, 15)] + [text.replace("Resources:", "Resources: [", 1), text]

    async def body():
        session = await Session.start(tmp_path, debounce_ms=30)
        try:
            await session.open(uri, text)
            answers = []
            for state in states:
                session.change_nowait(uri, state)  # typing: no wait for diagnostics in between
                hover = session.client.text_document_hover_async(types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=function_line, character=4)))
                answers.append(asyncio.gather(session.actions(uri, []), asyncio.wait_for(hover, 30)))
            for actions, hover in [await answer for answer in answers]:
                assert {a.kind for a in actions} == {FIX_ALL, FIX_ALL_UNSAFE}
                assert {a.data["version"] for a in actions} == {session.versions[uri]}
                assert apply_edits(text, edits_of(_by_kind(actions, FIX_ALL), uri)) == fix_text(
                    text, build_patches(), str(path)).output
                assert hover is not None and "**" in hover.contents.value
            assert _fixable(await session.change(uri, text + "\n"))  # and the server still serves
        finally:
            await session.stop()

    run(body())
