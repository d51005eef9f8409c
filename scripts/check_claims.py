"""Are the checkov ids a repair says it resolves really resolved? (a developer tool)

    python scripts/check_claims.py [--jobs N] [--corpus DIR]

Repairs every corpus file with every patch (unsafe included), and for each checkov id an edit
claims on a resource, scans the original and the repair with checkov: a claim whose check
still fails on that resource afterwards (and is not skipped there) is reported. Claims on
checks that did not fail before are counted, not reported: a fix may also prevent a failure.
About 20 s for the corpus on two cores (checkov runs only on files with such a claim).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"
SUFFIXES = (".yaml", ".yml", ".json", ".template")


def _claims(path: str) -> tuple[str, list[tuple[str, str, str, bool, bool]]]:
    """(file, [(patch, resource, check, failed before, fails after)]) for one file."""
    from autofix.api import build_patches, fix_bytes
    from autofix.semantics._checkov import scan_text

    raw = Path(path).read_bytes()
    result = fix_bytes(raw, path, build_patches(unsafe=True))
    wanted = {(c.patch_id, c.resource, check) for c in result.changes if result.status == "fixed" and c.resource
              for check in c.resolves if check.startswith("CKV_")}
    if not wanted:
        return path, []
    fmt = "json" if result.fmt == "json" else "yaml"
    before = scan_text(raw.decode("utf-8", "replace").lstrip("\ufeff"), fmt)
    after = scan_text(result.output, fmt)
    return path, [(patch, rid, check, check in before.failed.get(rid, {}),
                   check in after.failed.get(rid, {}) and check not in after.skipped.get(rid, {}))
                  for patch, rid, check in sorted(wanted)]


def _counts(found: Counter) -> str:
    return ", ".join(f"{patch} {check}: {n}" for (patch, check), n in found.most_common())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    files = sorted(str(p) for p in args.corpus.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    held, not_failing, broken = Counter(), Counter(), 0
    with ProcessPoolExecutor(args.jobs) as pool:  # checkov starts processes of its own: not a daemon pool
        for path, claims in pool.map(_claims, files, chunksize=4):
            for patch, rid, check, failed, fails in claims:
                if fails:
                    broken += 1
                    print(f"{Path(path).relative_to(args.corpus)}: {rid}: {patch} claims {check}, which still fails")
                elif failed:
                    held[(patch, check)] += 1
                else:
                    not_failing[(patch, check)] += 1
    print(f"{sum(held.values())} claims held ({_counts(held)}), {broken} did not, {sum(not_failing.values())} "
          f"on checks that passed before or on resources the repair adds ({_counts(not_failing)})")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
