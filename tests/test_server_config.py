"""`cfn-fix server` reloads the configuration nearest a file when the client says it changed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest.importorskip("pytest_lsp")

from lsprotocol import types

from autofix.config import CONFIG_NAMES
from autofix.server.analysis import analyse
from autofix.server.settings import Configurations

from ._lsp_client import WAIT, Session, run

TEMPLATE = ("Resources:\n  KeptLogGroup:\n    Type: AWS::Logs::LogGroup\n"
            "  KeptBucket:\n    Type: AWS::S3::Bucket\n")


def _codes(diagnostics: list[types.Diagnostic]) -> set[str]:
    return {str(d.code) for d in diagnostics if isinstance(d.data, dict) and d.data.get("fixable")}


def _stack(tmp_path: Path) -> tuple[Path, Path, str]:
    folder = tmp_path / "stack"
    folder.mkdir()
    template = folder / "template.yaml"
    template.write_text(TEMPLATE)
    return folder / ".cfn-fix.toml", template, template.as_uri()


def _file_event(path: Path, kind: types.FileChangeType) -> types.DidChangeWatchedFilesParams:
    return types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=path.as_uri(), type=kind)])


def test_the_server_registers_a_watcher_and_reloads_when_a_config_file_changes(tmp_path):
    config, template, uri = _stack(tmp_path)

    async def body():
        session = await Session.start(tmp_path, resolve=True)  # VS Code's capabilities: dynamic registration
        try:
            before = await session.open(uri, TEMPLATE)
            assert "LOG001" in _codes(before)
            watched = await session.registered(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
            assert len(watched) == 1
            options = watched[0].register_options
            watchers = options["watchers"] if isinstance(options, dict) else options.watchers
            globs = {w["globPattern"] if isinstance(w, dict) else w.glob_pattern for w in watchers}
            assert globs == {f"**/{name}" for name in CONFIG_NAMES}
            config.write_text('ignore = ["LOG001"]\n')
            ignored = await session.diagnostics_after(lambda: session.client.workspace_did_change_watched_files(
                _file_event(config, types.FileChangeType.Created)))
            assert "LOG001" not in _codes(ignored) and _codes(ignored) == _codes(before) - {"LOG001"}
            config.unlink()
            back = await session.diagnostics_after(lambda: session.client.workspace_did_change_watched_files(
                _file_event(config, types.FileChangeType.Deleted)))
            assert _codes(back) == _codes(before)
            assert template.read_text() == TEMPLATE
        finally:
            await session.stop()

    run(body())


def test_changed_settings_rediagnose_every_open_buffer(tmp_path):
    config, _, uri = _stack(tmp_path)
    other = tmp_path / "other.yaml"
    other.write_text(TEMPLATE)

    async def body():
        session = await Session.start(tmp_path)
        try:
            assert "LOG001" in _codes(await session.open(uri, TEMPLATE))
            await session.open(other.as_uri(), TEMPLATE)
            config.write_text('ignore = ["LOG001"]\n')  # no file event: the settings notification reloads
            pushed = {"cfn-fix": {"explainUrl": "https://rules.example/{id}"}}
            session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=pushed))
            # The client keeps each buffer's latest diagnostics: two publishes arriving back to
            # back are both seen (waiting for one notification after another can miss the second).
            seen = await _published_with_link(session, [uri, other.as_uri()], "https://rules.example/")
            assert "LOG001" not in _codes(seen[uri])  # under stack/: its config applies
            assert "LOG001" in _codes(seen[other.as_uri()])  # beside stack/: none applies
            assert all(d.code_description.href == f"https://rules.example/{d.code}"
                       for d in seen[uri] + seen[other.as_uri()])
        finally:
            await session.stop()

    run(body())


async def _published_with_link(session: Session, uris: list[str], prefix: str) -> dict[str, list[types.Diagnostic]]:
    """Each buffer's latest diagnostics, once every one links to `prefix` (bounded wait)."""
    def linked(uri: str) -> bool:
        found = session.client.diagnostics.get(uri) or []
        return bool(found) and all(d.code_description and d.code_description.href.startswith(prefix) for d in found)

    deadline = asyncio.get_running_loop().time() + WAIT
    while not all(linked(uri) for uri in uris):
        assert asyncio.get_running_loop().time() < deadline, "no diagnostics with the new settings"
        await asyncio.sleep(0.02)
    return {uri: list(session.client.diagnostics[uri]) for uri in uris}


def test_settings_are_pulled_from_a_client_that_answers(tmp_path):
    _, _, uri = _stack(tmp_path)

    async def body():
        session = await Session.start(tmp_path, resolve=True)  # answers workspace/configuration
        try:
            first = await session.open(uri, TEMPLATE)
            assert all("rules.example" not in d.code_description.href for d in first)
            session.client.set_configuration({"explainUrl": "https://rules.example/{name}"}, section="cfn-fix")
            pulled = await session.diagnostics_after(lambda: session.client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams(settings=None)))
            assert {d.code_description.href for d in pulled if d.code == "LOG001"} == {
                "https://rules.example/log-group-retention"}
        finally:
            await session.stop()

    run(body())


def test_the_nearest_configuration_wins_and_pyproject_needs_its_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.cfn-fix]\nignore = ["S3"]\n')
    nested = tmp_path / "nested"
    nested.mkdir()
    (nested / ".cfn-fix.toml").write_text('ignore = ["LOG001"]\n')
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no [tool.cfn-fix]: looked past
    configurations = Configurations()

    def codes(folder: Path) -> set[str]:
        found = analyse(TEMPLATE, str(folder / "template.yaml"), configurations)
        return {c.patch_id for c in found.result.changes}

    everything = {c.patch_id for c in analyse(TEMPLATE, "/nonexistent/t.yaml", configurations).result.changes}
    assert {"LOG001", "S3001"} <= everything
    assert codes(tmp_path) == everything - {p for p in everything if p.startswith("S3")}
    assert codes(nested) == everything - {"LOG001"}  # the nearer file, not merged with the farther
    assert codes(plain) == codes(tmp_path)


def test_a_client_that_watches_nothing_still_sees_a_config_change(tmp_path):
    config, _, uri = _stack(tmp_path)

    async def body():
        session = await Session.start(tmp_path)  # no file watching, no settings: the server looks itself
        try:
            assert "LOG001" in _codes(await session.open(uri, TEMPLATE))
            assert session.registrations == []
            config.write_text('ignore = ["LOG001"]\n')
            after = await session.diagnostics_after(lambda: None)  # no notification, no edit
            assert "LOG001" not in _codes(after) and _codes(after)
        finally:
            await session.stop()

    run(body())
