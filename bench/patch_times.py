"""Where the time goes per patch, and how it grows with template size.

    python3 bench/patch_times.py [--sizes 1000,10000] [--top 15]

For each size, fixes a generated template (bench/generate.py) with every patch and times
each patch's `propose` (first pass and the verification pass together), plus the engine's
own steps: load (parse + build), splicing/rendering the output, and verification's parse.
The last column is how the time grows from the smallest to the largest size, normalised so
that 1.0 is linear: a patch with a quadratic step shows the size factor again (about 10 for
1,000 -> 10,000 resources). CPU time, so a busy machine skews the figures less.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402


def measure(n: int) -> dict[str, float]:
    from autofix import document, engine, fastload, splice
    from autofix.api import build_patches

    times: dict[str, float] = defaultdict(float)
    patches = build_patches(unsafe=True)
    for patch in patches:
        original = patch.propose

        def timed(view, _original=original, _id=patch.id):  # type: ignore[no-untyped-def]
            start = time.process_time()
            try:
                return list(_original(view))
            finally:
                times[f"patch {_id}"] += time.process_time() - start

        patch.propose = timed  # type: ignore[method-assign]

    def wrap(owner, name: str, label: str) -> None:  # type: ignore[no-untyped-def]
        original = getattr(owner, name)

        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                times[label] += time.process_time() - start

        setattr(owner, name, timed)
        restore.append((owner, name, original))

    restore: list = []
    wrap(splice.Editor, "output", "engine: splice + render output")
    wrap(fastload, "load_data", "engine: verify parse (libyaml)")
    wrap(splice.Editor, "apply", "engine: apply edits")
    try:
        text = generate(n).encode()
        start = time.process_time()
        doc = document.load(text, f"generated-{n}.yaml", max(len(text) + 1, 10 << 20))
        times["engine: load (compose + build)"] = time.process_time() - start
        start = time.process_time()
        result = engine.fix_document(doc, patches)
        times["total fix_document"] = time.process_time() - start
    finally:
        for owner, name, original in restore:
            setattr(owner, name, original)
    if result.status not in ("fixed", "unchanged"):
        raise SystemExit(f"generated template of {n} resources: {result.status}: {result.error}")
    return dict(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = {n: measure(n) for n in sizes}
    small, large = sizes[0], sizes[-1]
    factor = large / small
    keys = sorted(runs[large], key=lambda k: -runs[large][k])[: args.top]
    print(f"{'CPU seconds':<36}" + "".join(f"{n:>12,}" for n in sizes) + "   growth/linear")
    for key in keys:
        row = "".join(f"{runs[n].get(key, 0.0):12.3f}" for n in sizes)
        base = runs[small].get(key, 0.0)
        growth = f"{runs[large][key] / base / factor:10.1f}" if base > 1e-3 else f"{'-':>10}"
        print(f"{key:<36}{row}   {growth}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
