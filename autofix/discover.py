"""Which files a run looks at: explicit paths, and templates found in folders."""

from __future__ import annotations

import fnmatch
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".aws-sam", "cdk.out"}


@dataclass(frozen=True)
class Target:
    path: str  # as the user will see it; "-" for standard input
    explicit: bool  # named on the command line (not found in a folder)


def discover(paths: list[str], exclude: tuple[str, ...] = ()) -> tuple[list[Target], list[str]]:
    """Targets in deterministic order, and notes about paths that gave none."""
    targets: list[Target] = []
    notes: list[str] = []
    seen: set[str] = set()
    for raw in paths:
        if raw == "-":
            targets.append(Target("-", True))
            continue
        path = Path(raw)
        if path.is_dir():
            found = [Target(p, False) for p in _walk(path, exclude)]
            if not found:
                notes.append(f"{raw}: no templates found in this folder")
        elif path.exists() or path.is_symlink():
            found = [] if _excluded(raw, exclude) else [Target(raw, True)]
        else:
            notes.append(f"{raw}: no such file or folder")
            found = []
        for target in found:
            if target.path not in seen:
                seen.add(target.path)
                targets.append(target)
    return targets, notes


def _walk(root: Path, exclude: tuple[str, ...]) -> list[str]:
    tracked = _git_visible(root)
    real_root = os.path.realpath(root)
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not _excluded(os.path.join(folder, d), exclude))
        for name in sorted(files):
            if not name.endswith(TEMPLATE_SUFFIXES):
                continue
            full = os.path.join(folder, name)
            if _excluded(full, exclude) or (tracked is not None and os.path.realpath(full) not in tracked):
                continue
            if os.path.islink(full) and not _inside(os.path.realpath(full), real_root):
                continue  # never follow a link out of the tree being repaired
            found.append(full)
    return found


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _excluded(path: str, patterns: tuple[str, ...]) -> bool:
    posix = Path(path).as_posix()
    name = os.path.basename(path)
    return any(fnmatch.fnmatch(posix, pat) or fnmatch.fnmatch(name, pat) or fnmatch.fnmatch(posix, f"*/{pat}")
               for pat in patterns)


def _git_visible(root: Path) -> set[str] | None:
    """Real paths git does not ignore below `root`, or None outside a git work tree."""
    try:
        run = subprocess.run(["git", "-C", str(root), "ls-files", "-co", "--exclude-standard", "-z"],
                             capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if run.returncode != 0:
        return None
    names = run.stdout.decode("utf-8", "surrogateescape").split("\0")
    return {os.path.realpath(os.path.join(root, n)) for n in names if n}
