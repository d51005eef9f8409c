"""Are the checkov ids a repair says it resolves really resolved? (a developer tool)

    python scripts/check_claims.py [--jobs N] [--corpus DIR] [--unclaimed]

Repairs every corpus file with every patch (unsafe included), and for each checkov id an edit
claims on a resource, scans the original and the repair with checkov: a claim whose check
still fails on that resource afterwards (and is not skipped there) is reported. Claims on
checks that did not fail before are counted, not reported: a fix may also prevent a failure.
About 20 s for the corpus on two cores (checkov runs only on files with such a claim).

With --unclaimed, the other way round as well: every checkov failure on a resource the repair
changed that is gone afterwards (not skipped) and that no change on it claims, counted by the
patches that changed the resource and whether the id is among their `resolves` (a claim narrowed
away) or not (one they could add). checkov then scans every repaired file: a few minutes.
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


def _claims(path: str, unclaimed: bool = False) -> tuple[str, list[tuple[str, str, str, bool, bool]], list]:
    """(file, [(patch, resource, check, failed before, fails after)], [(patches, resource, check,
    among their resolves)] of what was resolved unclaimed, when asked) for one file."""
    from autofix.api import build_patches, fix_bytes
    from autofix.registry import by_id
    from autofix.semantics._checkov import scan_text

    raw = Path(path).read_bytes()
    result = fix_bytes(raw, path, build_patches(unsafe=True))
    if result.status != "fixed":
        return path, [], []
    wanted = {(c.patch_id, c.resource, check) for c in result.changes if c.resource
              for check in c.resolves if check.startswith("CKV_")}
    if not wanted and not unclaimed:
        return path, [], []
    fmt = "json" if result.fmt == "json" else "yaml"
    before = scan_text(raw.decode("utf-8", "replace").lstrip("\ufeff"), fmt)
    after = scan_text(result.output, fmt)
    claims = [(patch, rid, check, check in before.failed.get(rid, {}),
               check in after.failed.get(rid, {}) and check not in after.skipped.get(rid, {}))
              for patch, rid, check in sorted(wanted)]
    missed = []
    if unclaimed:
        claimed = {(rid, check) for _, rid, check in wanted}
        for change in result.changes:  # Globals.<Kind> applies to every resource of that SAM type
            if change.path[:1] == ("Globals",) and len(change.path) > 1:
                kind = f"AWS::Serverless::{change.path[1]}"
                claimed |= {(rid, check) for rid, rtype in after.types.items() if rtype == kind
                            for check in change.resolves}
        changers: dict[str, set[str]] = {}
        for change in result.changes:
            if change.resource:
                changers.setdefault(change.resource, set()).add(change.patch_id)
        for rid, patches in sorted(changers.items()):
            for check in sorted(before.failed.get(rid, {})):
                if check in after.failed.get(rid, {}) or check in after.skipped.get(rid, {}) \
                        or (rid, check) in claimed:
                    continue
                named = any(check in getattr(by_id(p), "resolves", ()) for p in patches)
                missed.append(("+".join(sorted(patches)), rid, check, named))
    return path, claims, missed


def _counts(found: Counter) -> str:
    return ", ".join(f"{patch} {check}: {n}" for (patch, check), n in found.most_common())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--unclaimed", action="store_true",
                        help="also count failures a repair resolved that no change on the resource claims")
    args = parser.parse_args()
    files = sorted(str(p) for p in args.corpus.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    held, not_failing, broken = Counter(), Counter(), 0
    narrowed, unnamed = Counter(), Counter()
    with ProcessPoolExecutor(args.jobs) as pool:  # checkov starts processes of its own: not a daemon pool
        for path, claims, missed in pool.map(_claims, files, [args.unclaimed] * len(files), chunksize=4):
            for patch, rid, check, failed, fails in claims:
                if fails:
                    broken += 1
                    print(f"{Path(path).relative_to(args.corpus)}: {rid}: {patch} claims {check}, which still fails")
                elif failed:
                    held[(patch, check)] += 1
                else:
                    not_failing[(patch, check)] += 1
            for patches, _, check, named in missed:
                (narrowed if named else unnamed)[(patches, check)] += 1
    print(f"{sum(held.values())} claims held ({_counts(held)}), {broken} did not, {sum(not_failing.values())} "
          f"on checks that passed before or on resources the repair adds ({_counts(not_failing)})")
    if args.unclaimed:
        print(f"resolved and not claimed: {sum(narrowed.values())} among the changing patches' ids "
              f"({_counts(narrowed)}); {sum(unnamed.values())} not among them ({_counts(unnamed)})")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
