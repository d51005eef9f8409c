"""How fast `cfn-fix server` answers a change, after start-up.

    python3 bench/server_latency.py [--lines 1000] [--changes 20] [--debounce-ms 150] [--pause-ms 300]

Starts the server over stdio (`python -m autofix.server`), opens a generated template of
about --lines lines (bench/generate.py), waits for its first diagnostics (start-up and the
first analysis are not counted), then sends --changes edits one at a time (typing in a
function's Handler in the middle of the file) and times each from didChange sent to the
diagnostics of that version received, pausing --pause-ms between edits. The server debounces
typing (--debounce-ms, default 150) but analyses a change that follows a pause at once, so
with a pause longer than the debounce each figure is the server's own time; with a shorter
one (or `--pause-ms 0`) the debounce is part of it. It then times a
code action request ("fix all", verified) on the same buffer, and in this process the
steps of one analysis: parse, patches (unverified), and turning the result into
diagnostics. Prints figures and asserts none; the target is 50 ms for 1,000 lines.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate


def template(lines: int) -> str:
    """A generated template of at least `lines` lines."""
    n = max(1, lines // 11)
    while len(generate(n).splitlines()) < lines:
        n += 1
    return generate(n)


async def measure(text: str, changes: int, debounce_ms: int, pause_ms: int) -> dict[str, list[float]]:
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("cfn-fix-bench", "1")
    arrived: asyncio.Queue = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _published(params: types.PublishDiagnosticsParams) -> None:
        arrived.put_nowait((time.perf_counter(), params))

    await client.start_io(sys.executable, "-m", "autofix.server", cwd=str(ROOT))
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), initialization_options={"debounceMs": debounce_ms}))
    client.initialized(types.InitializedParams())
    uri = (ROOT / "bench" / "_latency.yaml").as_uri()  # never written: the buffer is unsaved

    async def diagnostics_of(version: int) -> float:
        while True:
            at, params = await asyncio.wait_for(arrived.get(), 60)
            if params.version == version:
                return at

    start = time.perf_counter()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="yaml", version=1, text=text)))
    figures: dict[str, list[float]] = {"first diagnostics (after open)": [(await diagnostics_of(1)) - start]}
    # Typing in a function's Handler, in the middle of the file: a different value each time.
    marker = "Handler: index.handler"
    middle = text.find(marker, len(text) // 2)
    middle = (middle if middle >= 0 else text.index(marker)) + len(marker)
    latencies = []
    for version in range(2, changes + 2):
        changed = text[:middle] + str(version) + text[middle:]
        await asyncio.sleep(pause_ms / 1000)
        sent = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=changed)]))
        latencies.append((await diagnostics_of(version)) - sent)
    figures["diagnostics after a change"] = latencies
    sent = time.perf_counter()
    await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=[])))
    figures["code actions (verified fix-all runs)"] = [time.perf_counter() - sent]
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return figures


def in_process(text: str, repeat: int) -> dict[str, list[float]]:
    from autofix.document import load
    from autofix.engine import fix_document
    from autofix.server.analysis import analyse
    from autofix.server.diagnostics import diagnostics
    from autofix.server.lines import LineIndex
    from autofix.server.settings import Configurations

    configurations = Configurations()
    path = str(ROOT / "bench" / "_latency.yaml")
    profile = configurations.profile(path)
    figures: dict[str, list[float]] = {"parse (autofix.document.load)": [], "patches, unverified": [],
                                       "result to diagnostics": [], "whole analysis": []}
    for _ in range(repeat):
        t0 = time.perf_counter()
        doc = load(text.encode("utf-8"), path)
        t1 = time.perf_counter()
        fix_document(doc, list(profile.every), verify=False)
        t2 = time.perf_counter()
        found = analyse(text, path, configurations)
        t3 = time.perf_counter()
        diagnostics(found, LineIndex(text))
        t4 = time.perf_counter()
        figures["parse (autofix.document.load)"].append(t1 - t0)
        figures["patches, unverified"].append(t2 - t1)
        figures["whole analysis"].append(t3 - t2)
        figures["result to diagnostics"].append(t4 - t3)
    return figures


def show(title: str, figures: dict[str, list[float]]) -> None:
    print(title)
    for name, values in figures.items():
        ms = sorted(v * 1000 for v in values)
        if len(ms) == 1:
            print(f"  {name:40s} {ms[0]:8.1f} ms")
        else:
            print(f"  {name:40s} median {statistics.median(ms):7.1f} ms  best {ms[0]:7.1f}  worst {ms[-1]:7.1f}"
                  f"  ({len(ms)} runs)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--debounce-ms", type=int, default=150)
    parser.add_argument("--pause-ms", type=int, default=300, help="idle time before each edit")
    args = parser.parse_args(argv)
    text = template(args.lines)
    with open("/proc/loadavg", encoding="ascii") as fh:
        load = fh.read().split()[0]
    print(f"template: {len(text.splitlines())} lines, {len(text):,} characters; load average {load}")
    show(f"server over stdio (debounce {args.debounce_ms} ms, {args.pause_ms} ms between edits):",
         asyncio.run(measure(text, args.changes, args.debounce_ms, args.pause_ms)))
    show("one analysis in process:", in_process(text, max(3, args.changes // 4)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
