"""Compose time of the pure-Python composer against the C one, over the corpus, in one process.

    python3 bench/compose.py [--corpus DIR] [--repeat N]

For every template of the corpus (../shared/corpus by default), and for its
aws-cloudformation-templates folder alone, prints the best of N runs of:

- pure:   ruamel.yaml's pure-Python composer (what `CFN_FIX_COMPOSER=pure` uses);
- cfn-fix: autofix.document.compose, the C composer where it reads the text as the pure one
  does, the pure one for the rest (how many of each is printed);
- bare C: ruamel.yaml.clibz's own loader composing the same texts, without cfn-fix's checks;
- load:   autofix.document.load (decode, compose, checks, data with positions), pure and C,
  and how many times the bare C compose loading costs.

Figures are CPU seconds of this process (steadier than wall time on a shared machine; the
same on an idle one, as everything here runs on one core). Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autofix import ccompose, document

SUFFIXES = (".yaml", ".yml", ".json", ".template")
SET = "aws-cloudformation-templates"


def _texts(paths: list[Path]) -> list[tuple[bytes, str, str]]:
    """(raw bytes, text as parse() composes it, format) of every file that decodes."""
    out = []
    for path in paths:
        raw = path.read_bytes()
        try:
            text, _ = document.decode(raw)
        except document.TemplateError:
            continue
        if "\r" in text and "\n" not in text:
            text = text.replace("\r", "\n")
        first = document._FIRST_CHAR.search(text)
        if first is None:
            continue
        fmt = "json" if first.group() == "{" else "yaml"
        out.append((raw, document._untab_json_margins(text, first.start()) if fmt == "json" else text, fmt))
    return out


def _best(run: Callable[[], None], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        with document.gc_paused():
            start = time.process_time()
            run()
            times.append(time.process_time() - start)
    return min(times)


def _each(call: Callable[..., object], items: list) -> Callable[[], None]:
    def run() -> None:
        for item in items:
            try:
                call(*item)
            except Exception:  # noqa: BLE001, S112 - a refused file costs what it costs
                continue
    return run


def _load(composer: str) -> Callable[[bytes, str, str], object]:
    def call(raw: bytes, _text: str, _fmt: str) -> object:
        os.environ[document.COMPOSER_VARIABLE] = composer
        try:
            return document.load(raw)
        finally:
            os.environ.pop(document.COMPOSER_VARIABLE, None)
    return call


def _bare_c() -> Callable[[bytes, str, str], object] | None:
    try:
        from ruamel.yaml.cyaml import CSafeLoader
    except ImportError:
        return None
    return lambda _raw, text, _fmt: CSafeLoader(text).get_single_node()


def _c_share(items: list[tuple[bytes, str, str]]) -> int:
    composed = 0
    for _, text, _ in items:
        try:
            ccompose.compose(text, document._NODE_FLOOR, document._MIN_BYTES_PER_NODE)
        except ccompose.Declined:
            continue
        composed += 1
    return composed


def report(name: str, items: list[tuple[bytes, str, str]], repeat: int) -> None:
    pure = _best(_each(lambda _raw, text, fmt: document.compose_pure(text, fmt), items), repeat)
    print(f"{name}: {len(items)} templates, CPU seconds, best of {repeat}")
    print(f"  pure composer        {pure:7.3f} s")
    if not ccompose.AVAILABLE:
        print("  ruamel.yaml.clibz is not installed: no C figures")
        return
    auto = _best(_each(lambda _raw, text, fmt: document.compose(text, fmt), items), repeat)
    bare_c = _bare_c()
    print(f"  cfn-fix composer     {auto:7.3f} s  ({pure / auto:.1f}x faster; C composed "
          f"{_c_share(items)}, the pure composer the rest)")
    bare = _best(_each(bare_c, items), repeat) if bare_c is not None else None
    if bare is not None:
        print(f"  bare C compose       {bare:7.3f} s  (ruamel.yaml.clibz, no checks)")
    load_pure, load_c = (_best(_each(_load(c), items), repeat) for c in ("pure", "c"))
    print(f"  load, pure           {load_pure:7.3f} s")
    times_bare = f"; {load_c / bare:.1f}x the bare C compose" if bare else ""
    print(f"  load, C              {load_c:7.3f} s  ({load_pure / load_c:.1f}x faster{times_bare})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    paths = sorted(p for p in args.corpus.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
    report("corpus", _texts(paths), args.repeat)
    subset = [p for p in paths if SET in p.relative_to(args.corpus).parts[:1]]
    if subset:
        report(SET, _texts(subset), args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
