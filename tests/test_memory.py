"""Peak memory on node-dense input stays a small multiple of the file size."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autofix.document import load, walk_nodes
from autofix.errors import TemplateError
from autofix.fastload import load_data

ROOT = Path(__file__).resolve().parent.parent

# Loads the file named by argv[1] after the imports and prints the refusal (or "loaded") and
# how much the process's peak resident memory (VmHWM) grew while loading, in bytes.
_PROBE = """
import sys
from autofix.document import load
from autofix.errors import TemplateError
import autofix.engine

def peak():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM"))

raw = open(sys.argv[1], "rb").read()
before = peak()
try:
    load(raw, "dense.json")
    print("loaded")
except TemplateError as exc:
    print(exc.message)
print(peak() - before)
"""


def _dense_json(size: int) -> str:
    head = '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Metadata": {"Numbers": ['
    count = (size - len(head) - 4) // 2
    return head + ",".join(["0"] * count) + "]}}\n"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_node_dense_json_is_refused_within_a_small_multiple_of_its_size(tmp_path: Path) -> None:
    # 1 MB of `[0,0,...]` once took 560 MB and 16 s before it was processed at all.
    path = tmp_path / "dense.json"
    path.write_text(_dense_json(1_000_000))
    size = path.stat().st_size
    done = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    message, growth = done.stdout.splitlines()
    assert "no template is that dense" in message
    assert int(growth) < 10 * size, f"peak memory grew {int(growth):,} bytes for a {size:,}-byte file"


def _generated(resources: int) -> str:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(resources)


def test_large_realistic_templates_pass_the_density_check_as_yaml_and_minified_json() -> None:
    text = _generated(1200)
    minified = json.dumps(load_data(text, "yaml"), separators=(",", ":"))
    for raw in (text, minified):
        doc = load(raw.encode(), "big")
        assert sum(1 for _ in walk_nodes(doc.root)) > 25_000  # past the floor, so the density rule ran


def test_small_dense_documents_are_not_refused() -> None:
    # Under the floor any density is fine: a mapping of a few thousand numbers.
    raw = ('{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}, "Metadata": {"N": [' + ",".join(["1"] * 5000) + "]}}")
    doc = load(raw.encode(), "small")
    assert len(doc.data["Metadata"]["N"]) == 5000


def test_refusal_names_the_density() -> None:
    with pytest.raises(TemplateError, match="no template is that dense"):
        load(_dense_json(200_000).encode(), "dense")


def test_verification_data_costs_no_node_tree() -> None:
    """The data-only loader builds data from the parser's events: while it reads, memory holds
    the data and little more, where `yaml.load` held every node and mark of the text besides
    (about three times the data: half the peak of a 10,000-resource run)."""
    import tracemalloc

    text = _generated(600)
    tracemalloc.start()
    try:
        data = load_data(text, "yaml")
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert data["Resources"] and peak < 1.5 * held, f"peak {peak:,} bytes while reading {held:,} bytes of data"


def test_verification_starts_with_the_editor_freed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run's memory peaks while verification parses the output again; by then the editor
    (its ledger and layouts, which hold each other in a cycle the paused collector would keep)
    is gone, and the result still reports the splices."""
    import gc

    from autofix import engine
    from autofix.api import build_patches, fix_bytes
    from autofix.splice.block_layout import BlockLayout
    from autofix.splice.editor import Editor
    from autofix.splice.ledger import Ledger

    alive: list[list[str]] = []
    verify = engine._verify
    watched = (Editor, Ledger, BlockLayout)
    gc.collect()  # what earlier tests in this process left behind is not this run's editor
    before = {id(o) for o in gc.get_objects() if type(o) in watched}

    def counting(*args: object) -> str | None:
        alive.append(sorted({type(o).__name__ for o in gc.get_objects() if type(o) in watched and id(o) not in before}))
        return verify(*args)

    monkeypatch.setattr(engine, "_verify", counting)
    text = _generated(20)
    result = fix_bytes(text.encode(), "t.yaml", build_patches(unsafe=True))
    assert result.status == "fixed" and alive == [[]], alive
    out, pos = [], 0
    for start, end, new in result.splices:
        out.append(text[pos:start] + new)
        pos = end
    assert "".join(out) + text[pos:] == result.output
