"""Does any patch grow faster than the template? Every corpus template, copied small and large.

    python3 bench/corpus_scaling.py [FOLDER] [--small 4] [--large 40] [--top 15] [--min-seconds 0.05]

bench/patch_times.py scales one generated shape; real templates hold others (many APIs with
their own deployments, buckets with policies, roles shared by functions). This copies the
Resources, Conditions and Outputs of each template in FOLDER (default ../shared/corpus) --small
and --large times, renaming every logical id and condition in each copy (keys, Ref, GetAtt,
Sub, DependsOn, Condition, Fn::If), runs every patch (unsafe included, unverified) on both, and
prints the files whose CPU time grows most, normalised so that 1.0 is linear (a quadratic
step shows the size factor, 10 for 4 -> 40), with the patches that grow most in each. Only
files whose large copy takes --min-seconds or more are ranked (below that, fixed costs rule).

Physical names (BucketName, FunctionName, Export names) stay the same in every copy, so a
helper that matches by name finds all copies at once: a growth there may be the copying, not
the patch (check against a template with distinct names). Prints figures and asserts none.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SUFFIXES = (".yaml", ".yml", ".json", ".template")
_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)([.}])")


def _renamed(value: Any, ids: set[str], conditions: set[str], suffix: str) -> Any:
    """`value` with every reference to one of `ids` or `conditions` given `suffix`."""
    def rid(name: Any) -> Any:
        return name + suffix if isinstance(name, str) and name in ids else name

    def cond(name: Any) -> Any:
        return name + suffix if isinstance(name, str) and name in conditions else name

    def sub(text: str) -> str:
        return _SUB_NAME.sub(lambda m: "${" + rid(m.group(1)) + m.group(2), text)

    def walk(item: Any) -> Any:
        if isinstance(item, list):
            return [walk(v) for v in item]
        if not isinstance(item, dict):
            return item
        out = {}
        for key, arg in item.items():
            if key == "Ref":
                out[key] = rid(arg)
            elif key == "Fn::GetAtt" and isinstance(arg, list) and arg:
                out[key] = [rid(arg[0]), *walk(arg[1:])]
            elif key == "Fn::GetAtt" and isinstance(arg, str):
                name, dot, attribute = arg.partition(".")
                out[key] = rid(name) + dot + attribute
            elif key == "Fn::Sub" and isinstance(arg, str):
                out[key] = sub(arg)
            elif key == "Fn::Sub" and isinstance(arg, list) and arg and isinstance(arg[0], str):
                out[key] = [sub(arg[0]), *walk(arg[1:])]
            elif key == "DependsOn":
                out[key] = [rid(d) for d in arg] if isinstance(arg, list) else rid(arg)
            elif key in ("Condition", "Fn::Condition"):
                out[key] = cond(arg)
            elif key == "Fn::If" and isinstance(arg, list) and arg:
                out[key] = [cond(arg[0]), *walk(arg[1:])]
            else:
                out[key] = walk(arg)
        return out

    return walk(value)


def copied(data: dict, copies: int) -> str:
    """The template with its Resources, Conditions and Outputs `copies` times, as JSON text."""
    sections = ("Resources", "Conditions", "Outputs")
    ids = set(data.get("Resources") or {})
    conditions = set(data.get("Conditions") or {})
    out: dict[str, Any] = {k: v for k, v in data.items() if k not in sections}
    for section in sections:
        entries = data.get(section)
        if not isinstance(entries, dict) or not entries:
            continue
        out[section] = {f"{name}X{i}": _renamed(body, ids, conditions, f"X{i}")
                        for i in range(copies) for name, body in entries.items()}
    return json.dumps(out, indent=2)


def timed_run(text: str, patches: list) -> tuple[float, dict[str, float]]:
    """CPU seconds of an unverified run of every patch, and each patch's share."""
    from autofix import document, engine

    shares: dict[str, float] = defaultdict(float)
    real = engine._run_patch

    def run_patch(patch: Any, *args: Any) -> None:
        start = time.process_time()
        try:
            real(patch, *args)
        finally:
            shares[patch.id] += time.process_time() - start

    engine._run_patch = run_patch
    try:
        doc = document.load(text.encode(), "copies.json")
        start = time.process_time()
        engine.fix_document(doc, patches, verify=False)
        return time.process_time() - start, dict(shares)
    finally:
        engine._run_patch = real


def main(argv: list[str] | None = None) -> int:
    from autofix.api import build_patches
    from autofix.document import load
    from autofix.errors import TemplateError

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--small", type=int, default=4)
    parser.add_argument("--large", type=int, default=40)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--min-seconds", type=float, default=0.05)
    args = parser.parse_args(argv)
    patches = build_patches(unsafe=True)
    factor = args.large / args.small
    rows, unreadable = [], []
    files = sorted(p for p in args.folder.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    for path in files:
        try:
            data = load(path.read_bytes(), str(path)).data
        except (TemplateError, RecursionError):
            continue
        if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict) or not data["Resources"]:
            continue
        try:
            small, small_shares = timed_run(copied(data, args.small), patches)
            large, large_shares = timed_run(copied(data, args.large), patches)
        except (TemplateError, TypeError, ValueError) as exc:  # a copy cfn-fix refuses (names too long...)
            unreadable.append(f"{path.relative_to(args.folder)}: {exc}")
            continue
        if large < args.min_seconds or not small:
            continue
        growth = large / small / factor
        worst = sorted(((share / max(small_shares.get(p, 0.0), 1e-6) / factor, p)
                        for p, share in large_shares.items() if share >= 0.1 * large), reverse=True)[:3]
        rows.append((growth, large, path.relative_to(args.folder), worst))
    rows.sort(key=lambda row: row[0], reverse=True)
    print(f"{len(files)} files, {len(unreadable)} whose copies cannot be run, {len(rows)} ranked "
          f"(large copy >= {args.min_seconds} s CPU); "
          f"growth from {args.small} to {args.large} copies, 1.0 = linear:")
    for growth, large, name, worst in rows[:args.top]:
        patches_text = ", ".join(f"{p} {g:.1f}" for g, p in worst)
        print(f"  {growth:5.2f}  {large:6.2f} s  {name}  ({patches_text})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
