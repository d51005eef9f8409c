"""Run patches over the shared corpus and report every problem (a developer tool).

    python scripts/corpus_check.py [--select ID,...] [--lint] [--jobs N] [--show-diff ID]

Reports files where cfn-fix failed verification, a patch raised or proposed an invalid
edit, and (with --lint) repairs that add a cfn-lint finding the original lacked.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"


def _check(args: tuple[str, list[str] | None, bool]) -> list[str]:
    from autofix.api import build_patches, fix_bytes
    from autofix.validate import new_findings

    path, select, lint = args
    patches = build_patches(select=select, unsafe=True)
    result = fix_bytes(Path(path).read_bytes(), path, patches)
    rel = str(Path(path).relative_to(CORPUS))
    problems = []
    if result.status == "failed" and result.error.startswith("internal error"):
        problems.append(f"VERIFY {rel}: {result.error}")
    for note in result.notes:
        if note.kind == "error":
            problems.append(f"PATCH {rel}: {note.patch_id} {note.message}")
    if lint and result.status == "fixed":
        try:
            added = new_findings(result.source, result.output)
        except Exception as exc:  # cfn-lint itself crashing is worth knowing about
            added = [f"cfn-lint raised {type(exc).__name__}: {exc}"]
        if added:
            ids = sorted({c.patch_id for c in result.changes})
            problems.append(f"LINT {rel}: {', '.join(added)} (patches {', '.join(ids)})")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--select", default=None)
    parser.add_argument("--lint", action="store_true")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="", help="substring of corpus paths to keep")
    ns = parser.parse_args()
    select = ns.select.split(",") if ns.select else None
    files = sorted(str(p) for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json", ".template")
                   and ns.only in str(p))
    with ProcessPoolExecutor(ns.jobs) as pool:
        problems = [p for batch in pool.map(_check, [(f, select, ns.lint) for f in files], chunksize=4) for p in batch]
    for line in problems:
        print(line)
    print(f"{len(files)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
