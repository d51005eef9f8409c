"""Incremental document sync: after any sequence of didChange ranges (and whole texts, which a
client may still send) the server holds exactly the client's text, in the negotiated position
encoding and with LSP's line breaks, so its diagnostics and fixes are those of that text."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest.importorskip("pytest_lsp")

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types

from autofix.server.actions import FIX_ALL, FIX_ALL_UNSAFE
from autofix.server.lines import LineIndex, line_starts, replaced

from ._lsp_client import ROOT, Session, apply_edits, edits_of, in_process, offset_of, run

EXAMPLE = ROOT / "examples" / "serverless-api.yaml"
# A quoted scalar may hold U+2028: a line break for str.splitlines (and pygls' own incremental
# sync), not for LSP; every edit below it is placed by LSP's lines.
ODD_DESCRIPTION = 'Description: "caf\u00e9 \u2028 next \x85 x"'


def _example() -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    plain = "Description: Lower-case suffix used in names"
    assert plain in text
    return text.replace(plain, ODD_DESCRIPTION, 1)


def _written_by_the_cli(folder: Path, text: str, *flags: str) -> str:
    """What `cfn-fix --write [flags]` makes of `text`, as a file of its own."""
    target = folder / ("cli" + "".join(flags) + ".yaml")
    target.write_bytes(text.encode("utf-8"))
    done = subprocess.run([sys.executable, "-m", "autofix", "--write", "-q", *flags, str(target)],
                          capture_output=True, timeout=120, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    return target.read_bytes().decode("utf-8")


def _after(text: str, marker: str, start: int = 0) -> int:
    return text.index(marker, start) + len(marker)


async def _type_into_the_buffer(session: Session, uri: str) -> list[types.Diagnostic]:
    """Keystrokes, pastes, deletes and multi-line edits, some several to a didChange."""
    text = session.texts[uri]
    at = _after(text, "Handler: index.handler")
    for offset, key in enumerate("2026"):  # typed fast: only the last version need be diagnosed
        session.edit_nowait(uri, (at + offset, at + offset, key))
    at = _after(session.texts[uri], "caf\u00e9 \u2028 next")  # the same line as LSP counts it
    session.edit_nowait(uri, (at, at, " \U0001f600\u00e9"))  # a surrogate pair in UTF-16, 4 bytes in UTF-8
    at = _after(session.texts[uri], "\U0001f600")
    session.edit_nowait(uri, (at, at + 1, "\U0001f680"))  # after the emoji, on its line: é -> 🚀
    emoji = session.texts[uri].index("\U0001f600")
    session.edit_nowait(uri, (emoji, emoji + 1, ""))  # delete the emoji itself (two UTF-16 units)
    text = session.texts[uri]
    # Across lines: from inside one line's value to inside another's, with lines added; then,
    # in the same didChange, a range of the text that change made, and an insert at the end.
    first = _after(text, "Default: dev")
    second = _after(text, "Default: dev", first)
    body = text[first:second]
    assert body.count("\n") >= 2
    moved = body[:-len("dev")].replace("  Environment:\n", "  # moved\n  Environment:\n") + "prod"
    made = text[:first] + moved + text[second:]
    line = made.index("\n  DomainName:")
    made = made[:line] + "\n  # a comment line, CRLF ended\r\n" + made[line + 1:]
    session.edit_nowait(uri, (first, second, moved), (line, line + 1, "\n  # a comment line, CRLF ended\r\n"),
                        (len(made), len(made), "# the end\n"))
    text = session.texts[uri]
    broken = text.index("Resources:")
    session.edit_nowait(uri, (broken, broken, "  : [\n"))  # invalid YAML for a moment
    return await session.edit(uri, (broken, broken + len("  : [\n"), ""))


def _diagnostics_of_the_clients_text(session: Session, uri: str, path: Path) -> list[types.Diagnostic]:
    return in_process(session.texts[uri], path, session.encoding)[0]


@pytest.mark.parametrize("encodings", [None, ["utf-8"], ["utf-32"]])
def test_incremental_edits_leave_the_server_with_the_clients_text(tmp_path, encodings):
    path = tmp_path / "typed.yaml"
    uri = path.as_uri()

    async def body():
        session = await Session.start(tmp_path, encodings=encodings)
        try:
            assert session.encoding == (encodings or ["utf-16"])[0]
            await session.open(uri, _example())
            diagnostics = await _type_into_the_buffer(session, uri)
            text = session.texts[uri]
            assert "\U0001f680" in text and "\U0001f600" not in text and "2026" in text and "\r\n" in text
            assert "# moved" in text and text.endswith("# the end\n")
            assert diagnostics == _diagnostics_of_the_clients_text(session, uri, path)
            actions = await session.actions(uri, [])
            return text, {a.kind: apply_edits_in(session, text, edits_of(a, uri)) for a in actions}
        finally:
            await session.stop()

    text, fixed = run(body())
    assert fixed[FIX_ALL] == _written_by_the_cli(tmp_path, text)
    assert fixed[FIX_ALL_UNSAFE] == _written_by_the_cli(tmp_path, text, "--unsafe-fixes")


def apply_edits_in(session: Session, text: str, edits: list[types.TextEdit]) -> str:
    """The edits applied by the client (which reads their positions in its encoding)."""
    if session.encoding == "utf-16":
        return apply_edits(text, edits)
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start = offset_of(text, edit.range.start, session.encoding)
        text = text[:start] + edit.new_text + text[offset_of(text, edit.range.end, session.encoding):]
    return text


def test_whole_text_changes_still_work_between_incremental_ones(tmp_path):
    path = tmp_path / "mixed.yaml"
    uri = path.as_uri()

    async def body():
        session = await Session.start(tmp_path)
        try:
            await session.open(uri, _example())
            at = _after(session.texts[uri], "Handler: index.handler")
            session.edit_nowait(uri, (at, at, "Main"))
            whole = session.texts[uri].replace("MemorySize: 128", "MemorySize: 256")
            session.change_nowait(uri, whole)  # a full-sync client's change
            at = _after(session.texts[uri], "MemorySize: 256")
            diagnostics = await session.edit(uri, (at - 3, at, "512"))
            assert "MemorySize: 512" in session.texts[uri] and "index.handlerMain" in session.texts[uri]
            assert diagnostics == _diagnostics_of_the_clients_text(session, uri, path)
        finally:
            await session.stop()

    run(body())


def test_a_change_to_a_buffer_never_opened_is_ignored(tmp_path):
    path = tmp_path / "open.yaml"
    uri = path.as_uri()

    async def body():
        session = await Session.start(tmp_path)
        try:
            other = (tmp_path / "never-opened.yaml").as_uri()
            session.versions[other], session.texts[other] = 1, "x: 1\n"
            session.edit_nowait(other, (0, 1, "y"))
            diagnostics = await session.open(uri, _example())  # the server still answers
            assert diagnostics == _diagnostics_of_the_clients_text(session, uri, path)
        finally:
            await session.stop()

    run(body())


# ---------------------------------------------------------------- in process

_CHARS = st.sampled_from(["a", " ", ":", "\u00e9", "\U0001f600", "\r", "\n", "\r\n", "\u2028", "\x85", "\x0c"])
_TEXTS = st.lists(_CHARS, max_size=30).map("".join)
_POSITIONS = st.tuples(st.integers(0, 8), st.integers(0, 12))


@settings(max_examples=400, deadline=None)
@given(_TEXTS, _POSITIONS, _POSITIONS, _TEXTS, st.sampled_from(["utf-8", "utf-16", "utf-32"]))
def test_a_range_is_replaced_where_the_client_reads_it(text, start, end, new, encoding):
    first = offset_of(text, types.Position(line=start[0], character=start[1]), encoding)
    last = offset_of(text, types.Position(line=end[0], character=end[1]), encoding)
    first, last = sorted((first, last))
    assert replaced(text, start, end, new, encoding) == text[:first] + new + text[last:]


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_lines_start_where_lsp_breaks_them(text):
    expected = [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]
    assert line_starts(text) == expected
    assert LineIndex(text).starts == expected
