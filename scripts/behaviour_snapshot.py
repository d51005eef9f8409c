"""Record or compare what every patch does on every fixture input and corpus file (a refactoring guard).

    python scripts/behaviour_snapshot.py --save DIR      # write DIR/snapshot.pickle
    python scripts/behaviour_snapshot.py --compare DIR   # exit 1 and name each difference

Per case it keeps the output text, the status, the error, and (patch_id, kind, safety, path, line,
message, resolves) of every change and note; plus each patch's metadata and the run order.
Fixture inputs run with their own patch set (as tests/test_patch_fixtures.py) and with all
patches; corpus files with all patches, unsafe included.
"""

from __future__ import annotations

import argparse
import enum
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = ROOT / "tests" / "patches"


def _plain(value):
    """A str-valued enum and its string compare as the same behaviour."""
    return value.value if isinstance(value, enum.Enum) else value


def _record(result) -> tuple:
    def entries(items):
        return tuple((c.patch_id, _plain(c.kind), _plain(c.safety), tuple(c.path), c.line, c.message,
                      tuple(c.resolves)) for c in items)
    return (_plain(result.status), result.output, result.error, result.error_line, result.error_col,
            entries(result.changes), entries(result.notes))


def _fixture_cases() -> list[tuple[str, str]]:
    from tests.test_patch_fixtures import CASES

    return [(name, str(path)) for name, path in CASES]


def _run(case: tuple[str, str, str]) -> tuple[str, tuple]:
    from autofix.api import build_patches, fix_bytes

    kind, name, path = case
    if kind == "own":
        from tests.test_patch_fixtures import _patches

        patches = _patches(name, Path(path))
    else:
        patches = build_patches(unsafe=True)
    result = fix_bytes(Path(path).read_bytes(), path, patches)
    where = Path(path)
    label = where.relative_to(ROOT) if where.is_relative_to(ROOT) else where.name
    if kind == "corpus":
        label = Path(*where.parts[-3:])  # the same key whichever tree runs the snapshot
    return f"{kind}:{name}:{label}", _record(result)


def _metadata() -> dict:
    from autofix.registry import all_patches

    return {"order": [cls.id for cls in all_patches()],
            "meta": {cls.id: (cls.name, cls.title, _plain(cls.safety), tuple(cls.resource_types), tuple(cls.after),
                              tuple(cls.resolves), cls.default_enabled, cls.explanation, repr(cls.defaults()))
                     for cls in all_patches()}}


def snapshot(jobs: int, corpus: Path = CORPUS) -> dict:
    cases = [("own", name, path) for name, path in _fixture_cases()]
    cases += [("all", name, path) for name, path in _fixture_cases()]
    cases += [("corpus", "", str(p)) for p in sorted(corpus.rglob("*")) if p.is_file() and p.name != "SOURCES.md"]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            runs = dict(pool.map(_run, cases, chunksize=8))
    else:
        runs = dict(map(_run, cases))
    return {"runs": runs, **_metadata()}


def compare(old: dict, new: dict) -> list[str]:
    problems = []
    if old["order"] != new["order"]:
        problems.append(f"order differs: {old['order']!r} != {new['order']!r}"[:2000])
    for pid in sorted(set(old["meta"]) | set(new["meta"])):  # per patch: which one's metadata changed
        if old["meta"].get(pid) != new["meta"].get(pid):
            problems.append(f"meta of {pid} differs: {old['meta'].get(pid)!r} != {new['meta'].get(pid)!r}"[:2000])
    for case in sorted(set(old["runs"]) | set(new["runs"])):
        before, after = old["runs"].get(case), new["runs"].get(case)
        if before != after:
            problems.append(f"{case}: {_first_difference(before, after)}")
    return problems


def message_order_only(old: dict, new: dict) -> list[str]:
    """Cases whose output, status and messages are the same but messages come in another order."""
    found = []
    for case, before in old["runs"].items():
        after = new["runs"].get(case)
        if after is not None and before != after and _unordered(before) == _unordered(after):
            found.append(case)
    return found


def _unordered(run: tuple) -> tuple:
    return run[:5] + (sorted(map(repr, run[5])), sorted(map(repr, run[6])))


def _first_difference(before, after) -> str:
    if before is None or after is None:
        return "missing before" if before is None else "missing after"
    names = ("status", "output", "error", "error_line", "error_col", "changes", "notes")
    for name, a, b in zip(names, before, after):
        if a != b:
            return f"{name}: {str(a)[:300]!r} -> {str(b)[:300]!r}"
    return "?"


def main() -> int:
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", metavar="DIR")
    group.add_argument("--compare", metavar="DIR")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="a tree outside ../shared/corpus")
    args = parser.parse_args()
    current = snapshot(args.jobs, args.corpus)
    if args.save:
        folder = Path(args.save)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "snapshot.pickle").write_bytes(pickle.dumps(current))
        print(f"saved {len(current['runs'])} runs to {folder / 'snapshot.pickle'}")
        return 0
    old = pickle.loads((Path(args.compare) / "snapshot.pickle").read_bytes())
    problems = compare(old, current)
    reordered = set(message_order_only(old, current))
    for line in problems:
        print(("(message order only) " if line.split(": ", 1)[0] in reordered else "") + line[:600])
    print(f"{len(current['runs'])} runs compared: {len(problems)} differences, "
          f"{len(reordered)} of them in the order of messages only")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
