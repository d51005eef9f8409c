"""The server renders a buffer's diagnostics once, as the JSON pygls' converter would make of
lsprotocol Diagnostics, builds its line index once per text and places diagnostics with the
logical ids read once (issue 16's latency target)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pygls")

from lsprotocol import types
from pygls.protocol import default_converter

from autofix.edits import Change
from autofix.server import analysis, locate, protocol
from autofix.server.actions import Client, code_actions
from autofix.server.analysis import analyse
from autofix.server.diagnostics import diagnostics, rendered, rendered_json
from autofix.server.explain import hover_text
from autofix.server.settings import Configurations

from ._lsp_client import ROOT

FIXTURES = ROOT / "tests" / "patches"
BUFFERS = [(FIXTURES / "s3-default-encryption", "*.in.yaml"), (FIXTURES / "lambda-reserved-concurrency", "*.in.json")]
ODD = [
    "\ufeffResources:\n  KeptBucket😀Twin:\n    Type: AWS::S3::Bucket\n",  # a BOM, an emoji before a position
    "Resources:\r\n  KeptLogGroup:\r\n    Type: AWS::Logs::LogGroup\r\n",
    "Resources:\n  Broken: [\n",  # invalid YAML: one error at its position
    "Resources:\n  Twice: 1\n  Twice: 2\n",  # a duplicate key
]


def _texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for folder, pattern in BUFFERS for path in sorted(folder.glob(pattern))]
    assert len(texts) >= 2
    return texts + ODD


def _publish(converter, params) -> str:
    return json.dumps(converter.unstructure(types.PublishDiagnosticsNotification(
        method=types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, jsonrpc="2.0", params=params)))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8"])
@pytest.mark.parametrize("explain_url", [None, "https://rules.example/{id}/{name}"])
def test_rendered_diagnostics_are_the_json_of_lsprotocol_diagnostics(tmp_path, encoding, explain_url):
    generic, server = default_converter(), protocol.converter()
    seen = 0
    for text in _texts():
        found = analyse(text, str(tmp_path / "t.yaml"), Configurations())
        items = rendered(found, found.lines(encoding), explain_url)
        seen += len(items)
        # Each is what converting it to a typed Diagnostic and back makes of it: no key misnamed,
        # no value of the wrong type, nothing the protocol would drop.
        assert items == [generic.unstructure(generic.structure(item, types.Diagnostic)) for item in items]
        typed = types.PublishDiagnosticsParams(uri="file:///t.yaml", version=7,
                                               diagnostics=diagnostics(found, found.lines(encoding), explain_url))
        text = rendered_json(found, found.lines(encoding), explain_url)
        assert text == json.dumps(items)
        sent = protocol.RenderedDiagnostics(uri="file:///t.yaml", version=7, diagnostics=[], payload=text)
        assert _publish(server, sent) == _publish(generic, typed)  # byte for byte what pygls would send
    assert seen > 10


def test_the_servers_converter_still_converts_typed_diagnostics():
    diagnostic = types.Diagnostic(range=types.Range(start=types.Position(line=1, character=2),
                                                    end=types.Position(line=1, character=5)), message="m")
    params = types.PublishDiagnosticsParams(uri="file:///t.yaml", diagnostics=[diagnostic])
    assert _publish(protocol.converter(), params) == _publish(default_converter(), params)


def test_an_analysis_indexes_its_lines_once_for_diagnostics_actions_and_hovers(tmp_path, monkeypatch):
    built: list[str] = []
    real = analysis.LineIndex

    def counted(text, encoding="utf-16"):
        built.append(encoding)
        return real(text, encoding)

    monkeypatch.setattr(analysis, "LineIndex", counted)
    text = (FIXTURES / "s3-default-encryption" / "basic.in.yaml").read_text(encoding="utf-8")
    path = tmp_path / "t.yaml"
    found = analyse(text, str(path), Configurations())
    diags = diagnostics(found, found.lines("utf-16"))
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=diags))
    actions = code_actions(found, path.as_uri(), 1, params, Client(document_changes=True), "utf-16")
    start = diags[0].range.start
    assert actions and hover_text(found, found.lines("utf-16"), start.line, start.character)
    assert built == ["utf-16"]


def test_a_new_resource_is_placed_on_the_longest_logical_id_it_is_named_after(tmp_path):
    text = ("Resources:\n  Api:\n    Type: AWS::Serverless::Api\n"
            "  ApiStage:\n    Type: AWS::ApiGateway::Stage\n")
    found = analyse(text, str(tmp_path / "t.yaml"), Configurations())
    assert found.doc is not None
    change = Change("X001", "safe", "add", ("Resources", "ApiStageAccessLogGroup"), 1,
                             "add Resources.ApiStageAccessLogGroup")
    stage = text.index("ApiStage:")
    assert locate.spans(found.doc, [change]) == [(stage, stage + len("ApiStage"))]


def _every_fixture() -> list[str]:
    paths = sorted(FIXTURES.glob("*/*.yaml")) + sorted(FIXTURES.glob("*/*.json"))
    corpus = ROOT.parent / "shared" / "corpus"
    if corpus.is_dir():
        paths += sorted(corpus.rglob("*.yaml"))[::8] + sorted(corpus.rglob("*.json"))[::8]
    return [path.read_text(encoding="utf-8", errors="surrogateescape") for path in paths]


@pytest.mark.parametrize("explain_url", [None, "https://rules.example/{id}/{name}"])
def test_the_json_text_of_diagnostics_is_json_dumps_of_them_with_parts_kept_from_other_texts(tmp_path, explain_url):
    texts = _every_fixture() + ODD
    assert len(texts) > 100
    for encoding in ("utf-16", "utf-8"):
        for text in texts:  # each after the others: their parts are in the cache, some shared
            found = analyse(text, str(tmp_path / "t.yaml"), Configurations())
            lines = found.lines(encoding)
            assert rendered_json(found, lines, explain_url) == json.dumps(rendered(found, lines, explain_url))


class _Writer:
    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> None:
        self.data += data


def _written(proto, message) -> bytes:
    proto.writer = _Writer()
    proto._send_data(message)
    return proto.writer.data


@pytest.mark.parametrize("uri", ["file:///t.yaml", 'file:///a%20b/"diagnostics": [] \u00e9.yaml', "untitled:Untitled-1"])
def test_a_rendered_publish_is_written_byte_for_byte_as_pygls_writes_the_typed_one(tmp_path, uri):
    from pygls.lsp.server import LanguageServer
    from pygls.protocol import LanguageServerProtocol

    ours = protocol.CfnFixServer().protocol
    theirs = LanguageServer("x", "1", protocol_cls=LanguageServerProtocol).protocol
    for text in _texts():
        found = analyse(text, str(tmp_path / "t.yaml"), Configurations())
        for version in (None, 3):
            typed = types.PublishDiagnosticsParams(uri=uri, version=version,
                                                   diagnostics=diagnostics(found, found.lines()))
            sent = protocol.RenderedDiagnostics(uri=uri, version=version, diagnostics=[],
                                                payload=rendered_json(found, found.lines()))
            method = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
            assert _written(ours, types.PublishDiagnosticsNotification(method=method, jsonrpc="2.0", params=sent)) \
                == _written(theirs, types.PublishDiagnosticsNotification(method=method, jsonrpc="2.0", params=typed))
