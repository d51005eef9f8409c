"""How fast `cfn-fix server` answers a change, after start-up.

    python3 bench/server_latency.py [--lines 1000] [--changes 20] [--debounce-ms 150] [--pause-ms 300] [--timeline]
                                    [--full-text]

Starts the server over stdio (`python -m autofix.server`), opens a generated template of
about --lines lines (bench/generate.py), waits for its first diagnostics (start-up and the
first analysis are not counted), then sends --changes edits one at a time (typing in a
function's Handler in the middle of the file, each a range edit as editors send them, or the
whole text with --full-text) and times each from didChange sent to the diagnostics of that
version received, pausing --pause-ms between edits. The server debounces
typing (--debounce-ms, default 150) but analyses a change that follows a pause at once, so
with a pause longer than the debounce each figure is the server's own time (the run says
so); with a shorter one (or `--pause-ms 0`) each change waits out the debounce, and the
figures are printed as measured and less the debounce. Each figure also holds the client's
side: reading the message and converting it (pygls' client, a few milliseconds for 300
diagnostics); the row below it stops when the client has read the message, before it converts
it: what any editor has from the server once the server is done, its own parsing apart. It then times a code action request ("fix all", verified) on the same buffer,
and in this process the stages of one analysis as the server runs it: the YAML compose (the
parse proper: C where ruamel.yaml.clibz is installed, else pure Python; CFN_FIX_COMPOSER=pure
forces the latter, here and in the server), the rest of loading, the patches (unverified),
placing diagnostics, rendering them as JSON text and the publish message around it, with
the garbage collections that fall inside; then what a change costs beyond the parse. Prints
figures and asserts none; the target is 50 ms for 1,000 lines. With --timeline the server runs
with timestamps, and each change's time is split into its way there, the wait for the engine
thread, the analysis, the hand-off back to the event loop, the publish (JSON and write) and the
client's reading of it. The write of a publish larger than the pipe holds (64 KB; 318 diagnostics
of the 1,000-line template are ~180 KB) returns only as the client reads, so those two overlap
(the last can even come out negative on a busy machine).
"""

from __future__ import annotations

import argparse
import asyncio
import os
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


async def measure(text: str, changes: int, debounce_ms: int, pause_ms: int,
                  timeline: str | None = None, full_text: bool = False) -> dict[str, list[float]]:
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("cfn-fix-bench", "1")
    arrived: asyncio.Queue = asyncio.Queue()
    read_at = _ReadClock()  # when each message's body was read, before pygls converts it

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _published(params: types.PublishDiagnosticsParams) -> None:
        arrived.put_nowait((read_at.last, time.perf_counter(), params))

    if timeline is None:
        await client.start_io(sys.executable, "-m", "autofix.server", cwd=str(ROOT))
    else:  # the server with timestamps (_TIMELINE_SERVER), written to the file `timeline`
        await client.start_io(sys.executable, "-c", _TIMELINE_SERVER, cwd=str(ROOT),
                              env={**os.environ, "CFN_FIX_TIMELINE": timeline})
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), initialization_options={"debounceMs": debounce_ms}))
    client.initialized(types.InitializedParams())
    uri = (ROOT / "bench" / "_latency.yaml").as_uri()  # never written: the buffer is unsaved

    async def diagnostics_of(version: int) -> float:
        return (await delivered_and_converted(version))[1]

    async def delivered_and_converted(version: int) -> tuple[float, float]:
        """When the publish of `version` was read off the pipe, and when pygls had converted it."""
        while True:
            read, at, params = await asyncio.wait_for(arrived.get(), 60)
            if params.version == version:
                return read, at

    start = time.perf_counter()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="yaml", version=1, text=text)))
    figures: dict[str, list[float]] = {"first diagnostics (after open)": [(await diagnostics_of(1)) - start]}
    # Typing in a function's Handler, in the middle of the file: a different value each time.
    marker = "Handler: index.handler"
    middle = text.find(marker, len(text) // 2)
    middle = (middle if middle >= 0 else text.index(marker)) + len(marker)
    line = text.count("\n", 0, middle)  # the template is ASCII with LF line ends: units are characters
    at = types.Position(line=line, character=middle - (text.rfind("\n", 0, middle) + 1))
    typed = ""  # what the edits have put at `middle` so far

    def change(version: int, digits: str) -> None:
        """The buffer now holds `digits` at `middle`: as a range edit over the digits typed before
        (what VS Code and Neovim send), or with --full-text as the whole text."""
        nonlocal typed
        if full_text:
            content: types.TextDocumentContentChangeEvent = types.TextDocumentContentChangeWholeDocument(
                text=text[:middle] + digits + text[middle:])
        else:
            end = types.Position(line=at.line, character=at.character + len(typed))
            content = types.TextDocumentContentChangePartial(range=types.Range(start=at, end=end), text=digits)
        typed = digits
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[content]))

    def actions():
        return client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
            context=types.CodeActionContext(diagnostics=[])))

    cpu = _CpuClock(client)
    moments: list[tuple[float, float]] = []  # (change sent, its diagnostics received) of the plain changes
    version = 1
    for name, with_actions in (("diagnostics after a change", False),
                               ("... a code-action request right behind it", True)):
        latencies, answered, delivered = [], [], []
        cpu.start()
        for _ in range(changes if not with_actions else max(2, changes // 4)):
            version += 1
            await asyncio.sleep(pause_ms / 1000)
            sent = time.perf_counter()
            change(version, str(version))
            asked = asyncio.ensure_future(actions()) if with_actions else None  # as an editor's lightbulb does
            read, received = await delivered_and_converted(version)
            latencies.append(received - sent)
            delivered.append(read - sent)
            if not with_actions:
                moments.append((sent, received))
            if asked is not None:
                await asyncio.wait_for(asked, 120)
                answered.append(time.perf_counter() - sent)
        figures[name] = latencies
        if not with_actions:
            figures["  delivered: read, before the client parses it"] = delivered
            figures["server CPU a change (mean; all threads)"] = cpu.per(len(latencies))
        if answered:
            figures["its code actions (verified runs)"] = answered
    # Undo: back to a text analysed before (its analysis is remembered).
    await asyncio.sleep(pause_ms / 1000)
    version += 1
    sent = time.perf_counter()
    change(version, str(version - 1))
    figures["diagnostics after an undo"] = [(await diagnostics_of(version)) - sent]
    sent = time.perf_counter()
    await actions()
    figures["code actions after an undo (runs remembered)"] = [time.perf_counter() - sent]
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    if timeline is not None:
        figures.update(_stages(timeline, moments))
    return figures


# The server, with the moments of each change's way through it written to $CFN_FIX_TIMELINE:
# the didChange handled, the analysis (engine thread) begun and ended, the publish begun and
# written. perf_counter is the system's monotonic clock on Linux, so the bench's own moments
# (change sent, diagnostics received) line up with them.
_TIMELINE_SERVER = """
import os, time
from pygls.protocol.json_rpc import JsonRPCProtocol
from autofix.server import protocol

out = open(os.environ["CFN_FIX_TIMELINE"], "w", buffering=1)
marks = {}

def wrapped(real, before=None, after=None):
    def run(self, *args):
        if before: before(*args)
        try:
            return real(self, *args)
        finally:
            if after: after(*args)
    return run

def handled(message):
    if getattr(message, "method", "") == "textDocument/didChange":
        marks.clear()
        marks["handled"] = time.perf_counter()

def sending(data):
    if getattr(data, "method", "") == "textDocument/publishDiagnostics" and "handled" in marks:
        marks["send"] = time.perf_counter()

def sent(data):
    if all(k in marks for k in ("handled", "start", "end", "send")):  # not a remembered text's publish
        out.write(" ".join(str(marks[k]) for k in ("handled", "start", "end", "send")) + f" {time.perf_counter()}\\n")
        marks.clear()

JsonRPCProtocol.handle_message = wrapped(JsonRPCProtocol.handle_message, before=handled)
# The server's own sending (it writes a publish's JSON text as it is; the rest goes to pygls').
protocol.CfnFixProtocol._send_data = wrapped(protocol.CfnFixProtocol._send_data, before=sending, after=sent)
protocol.CfnFixServer._analyse = wrapped(protocol.CfnFixServer._analyse,
                                         before=lambda *a: marks.setdefault("start", time.perf_counter()),
                                         after=lambda *a: marks.setdefault("end", time.perf_counter()))
protocol.serve()
"""


def _stages(timeline: str, moments: list[tuple[float, float]]) -> dict[str, list[float]]:
    """Each plain change's way, from the server's timestamps and the bench's own."""
    with open(timeline, encoding="ascii") as fh:
        rows = [[float(v) for v in line.split()] for line in fh if line.strip()]
    names = ["  sent -> handled by the server", "  handled -> analysis begins (thread)", "  analysis (engine thread)",
             "  analysis ends -> publish begins (loop)", "  publish: JSON and write", "  written -> client has it (parse)"]
    stages: dict[str, list[float]] = {name: [] for name in names}
    for (sent, received), (handled, start, end, send, written) in zip(moments, rows):
        for name, value in zip(names, (handled - sent, start - handled, end - start, send - end, written - send,
                                       received - written)):
            stages[name].append(value)
    return stages


class _ReadClock:
    """The moment pygls' client last read a message's body off the pipe, before parsing it:
    what an editor has once the server is done (its own parsing is the editor's cost, a few
    milliseconds in pygls' Python client for 300 diagnostics, less in a JSON parser in C)."""

    def __init__(self) -> None:
        import json

        from pygls import io_

        self.last = 0.0
        real = json.loads

        class _Timed:
            def __getattr__(_, name: str):
                return getattr(json, name)

            @staticmethod
            def loads(body, **kwargs):
                self.last = time.perf_counter()
                return real(body, **kwargs)

        io_.json = _Timed()  # the bench's own client, in the bench's own process


class _CpuClock:
    """The server process's CPU time (user + system, every thread) from /proc: what a change costs
    it whatever else the machine runs, where wall-clock latency is only as good as an idle machine.
    It counts the collection after each run too, which no latency figure waits for."""

    def __init__(self, client) -> None:
        process = getattr(client, "_server", None)
        self.path = f"/proc/{process.pid}/stat" if process is not None else None
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.since = 0.0

    def read(self) -> float | None:
        try:
            with open(self.path or "", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime, stime

    def start(self) -> None:
        self.since = self.read() or 0.0

    def per(self, count: int) -> list[float]:
        now = self.read()
        return [] if now is None or not count else [(now - self.since) / count]


def in_process(text: str, repeat: int) -> dict[str, list[float]]:
    """The stages of one analysis and its diagnostics, as the server runs them, in this process."""
    import gc

    from lsprotocol import types

    from autofix import document
    from autofix.server import analysis, locate
    from autofix.server.diagnostics import rendered_json
    from autofix.server.protocol import RenderedDiagnostics, converter, published_text
    from autofix.server.settings import Configurations

    configurations = Configurations()
    path = str(ROOT / "bench" / "_latency.yaml")
    unstructure = converter().unstructure
    names = ["parse: compose (the YAML composer)", "load beyond compose (data, checks)", "patches, unverified",
             "placing diagnostics (locate)", "rendering diagnostics (JSON text)", "the publish's JSON text",
             "whole analysis", "not parse (all but compose)", "garbage collections within"]
    figures: dict[str, list[float]] = {name: [] for name in names}
    spent: dict[str, float] = {}
    collecting: list[float] = []

    def collections(phase: str, info: dict) -> None:
        if phase == "start":
            collecting.append(time.perf_counter())
        elif collecting:
            spent[names[8]] = spent.get(names[8], 0.0) + time.perf_counter() - collecting.pop()

    def timed(owner, attr: str, name: str):
        real = getattr(owner, attr)

        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0
        setattr(owner, attr, wrapper)
        return real

    originals = [(document, "compose", timed(document, "compose", names[0])),
                 (analysis, "load", timed(analysis, "load", "load")),
                 (analysis, "fix_document", timed(analysis, "fix_document", names[2])),
                 (locate, "spans", timed(locate, "spans", names[3]))]
    kept: list = []  # the server remembers a buffer's last three analyses: the collector sees them
    enabled = gc.isenabled()
    gc.disable()  # as in the server, which collects between runs (CfnFixServer.run_engine)
    gc.callbacks.append(collections)
    try:
        for round_ in range(repeat + 1):
            spent.clear()
            changed = text.replace("Handler: index.handler", f"Handler: index.handler{round_}", 1)
            t0 = time.perf_counter()
            found = analysis.analyse(changed, path, configurations)
            t1 = time.perf_counter()
            items = rendered_json(found, found.lines(), None)
            t2 = time.perf_counter()
            published_text(types.PublishDiagnosticsNotification(  # as the server sends it
                method=types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, jsonrpc="2.0",
                params=RenderedDiagnostics(uri="file:///x", diagnostics=[], version=round_, payload=items)),
                unstructure)
            t3 = time.perf_counter()
            within = spent.get(names[8], 0.0)  # the engine's own collection of a run's young objects
            kept = [*kept[-2:], found]
            gc.collect(1)  # off the path, as the server does after a run
            if round_ == 0:
                continue  # warming up
            stages = {names[0]: spent[names[0]], names[1]: spent["load"] - spent[names[0]],
                      names[2]: spent[names[2]], names[3]: spent[names[3]], names[4]: t2 - t1,
                      names[5]: t3 - t2, names[6]: t1 - t0, names[7]: t3 - t0 - spent[names[0]],
                      names[8]: within}
            for name, value in stages.items():
                figures[name].append(value)
    finally:
        gc.callbacks.remove(collections)
        if enabled:
            gc.enable()
        for owner, attr, real in originals:
            setattr(owner, attr, real)
    return figures


def composer() -> str:
    from autofix import ccompose, document

    if os.environ.get(document.COMPOSER_VARIABLE, "c") == "pure" or not ccompose.AVAILABLE:
        return "pure Python (ruamel.yaml)"
    return "C (ruamel.yaml.clibz), where the text allows"


def show(title: str, figures: dict[str, list[float]]) -> None:
    print(title)
    for name, values in figures.items():
        ms = sorted(v * 1000 for v in values)
        if not ms:
            continue
        if len(ms) == 1:
            print(f"  {name:46s} {ms[0]:8.1f} ms")
        else:
            nine = f"  90% {statistics.quantiles(ms, n=10)[-1]:7.1f}" if len(ms) >= 10 else ""
            print(f"  {name:46s} median {statistics.median(ms):7.1f} ms  best {ms[0]:7.1f}{nine}  worst {ms[-1]:7.1f}"
                  f"  ({len(ms)} runs)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--debounce-ms", type=int, default=150)
    parser.add_argument("--pause-ms", type=int, default=300, help="idle time before each edit")
    parser.add_argument("--timeline", action="store_true",
                        help="run the server with timestamps and show where each change's time goes")
    parser.add_argument("--full-text", action="store_true",
                        help="send each edit as the whole text (as a full-sync client does), not as a range")
    args = parser.parse_args(argv)
    text = template(args.lines)
    with open("/proc/loadavg", encoding="ascii") as fh:
        load = fh.read().split()[0]
    print(f"template: {len(text.splitlines())} lines, {len(text):,} characters; load average {load}; "
          f"composer: {composer()}")
    timeline = None
    if args.timeline:
        import tempfile

        timeline = os.path.join(tempfile.mkdtemp(prefix="cfn-fix-latency-"), "timeline.txt")
    served = asyncio.run(measure(text, args.changes, args.debounce_ms, args.pause_ms, timeline, args.full_text))
    edits = "whole-text changes" if args.full_text else "range edits"
    show(f"server over stdio ({edits}, debounce {args.debounce_ms} ms, {args.pause_ms} ms between edits):", served)
    if args.pause_ms >= args.debounce_ms:
        print(f"  (the debounce is not in the diagnostics figures: each edit follows {args.pause_ms} ms of quiet, "
              f"at least the {args.debounce_ms} ms debounce, so the server analyses it at once)")
    else:  # typing faster than the debounce: each change waits it out before its run
        less = {name: [v - args.debounce_ms / 1000 for v in values] for name, values in served.items()
                if name.startswith(("diagnostics after", "..."))}
        show(f"the same, less the {args.debounce_ms} ms debounce each change waited:", less)
    print(f"  (code actions asked right after an edit wait for typing to pause: the {args.debounce_ms} ms debounce "
          "is in their figures)")
    stages = in_process(text, max(3, args.changes // 2))
    show("one analysis in process, by stage:", stages)
    change = statistics.median(served["diagnostics after a change"])
    parse = statistics.median(stages["parse: compose (the YAML composer)"])
    print(f"after a change, all but the YAML parse: about {(change - parse) * 1000:.1f} ms "
          f"(median change {change * 1000:.1f} ms less median compose {parse * 1000:.1f} ms); target 50 ms in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
