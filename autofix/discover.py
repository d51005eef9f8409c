"""Which files a run looks at: explicit paths, and templates found in folders."""

from __future__ import annotations

import os
from functools import lru_cache

from .fileio import exists_or_is_link, is_dir
from .record import record

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".aws-sam", "cdk.out"}


@record(frozen=True)
class Target:
    path: str  # as the user will see it; "-" for standard input
    explicit: bool  # named on the command line (not found in a folder)
    root: str | None = None  # the folder walked to find it: a write must stay inside


@record(frozen=True)
class Exclusion:
    """Gitignore-style patterns anchored at `base`: the folder of the config file that declares
    them, or the working folder for --exclude. `*` stays inside one folder; `**` crosses folders;
    a pattern without a slash matches a name at any depth."""

    patterns: tuple[str, ...] = ()
    base: str | None = None

    def matches(self, path: str, is_dir: bool = False) -> bool:
        if not self.patterns:
            return False
        base = os.path.abspath(self.base or os.getcwd())
        full = os.path.abspath(path)
        if full == base:
            return False
        if not full.startswith(base.rstrip(os.sep) + os.sep):
            rel = os.path.basename(full)  # outside the base: only name patterns can apply
        else:
            rel = os.path.relpath(full, base).replace(os.sep, "/")
        spec = _spec(self.patterns)
        return spec.match_file(rel + "/" if is_dir else rel)


@lru_cache(maxsize=64)
def _spec(patterns: tuple[str, ...]):  # type: ignore[no-untyped-def]
    import pathspec

    try:  # pathspec 1.x names git's own semantics "gitignore"; older releases only "gitwildmatch"
        return pathspec.PathSpec.from_lines("gitignore", patterns)
    except (KeyError, LookupError):
        return pathspec.PathSpec.from_lines("gitwildmatch", patterns)


Excludes = Exclusion | tuple


def _exclusion(exclude: Excludes) -> Exclusion:
    return exclude if isinstance(exclude, Exclusion) else Exclusion(tuple(exclude))


def discover(paths: list[str], exclude: Excludes = ()) -> tuple[list[Target], list[str]]:
    """Targets in deterministic order, each file once, and notes about paths that gave none."""
    exclude = _exclusion(exclude)
    targets: list[Target] = []
    notes: list[str] = []
    seen: set[object] = set()
    for raw in paths:
        if raw == "-":
            targets.append(Target("-", True))
            continue
        try:
            folder = is_dir(raw)
            present = folder or exists_or_is_link(raw)
        except OSError:  # a name too long, a folder that may not be searched: reading it says why
            folder, present = False, True
        if folder:
            # pathlib only to walk a folder, named as it writes it ("./a/" as "a"): a one-file
            # run does without it (~5 ms)
            from pathlib import Path

            found = [Target(p, False, raw) for p in _walk(str(Path(raw)), exclude)]
            if not found:
                notes.append(f"{shown(raw)}: no templates found in this folder")
        elif present:
            found = [] if _excluded(raw, exclude) else [Target(raw, True)]
        else:
            notes.append(f"{shown(raw)}: no such file or folder")
            found = []
        for target in found:
            key = _identity(target.path)
            if key not in seen:
                seen.add(key)
                targets.append(target)
    return targets, notes


def _identity(path: str) -> object:
    """One key per file: two names or links for one file are one target."""
    try:
        info = os.stat(path)
    except OSError:
        return path
    return (info.st_dev, info.st_ino)


def _walk(root: str, exclude: Exclusion) -> list[str]:
    """Template files below `root`, depth first in name order; iterative, so any depth works."""
    tracked = _git_visible(root)
    real_root = os.path.realpath(root)
    found = []
    stack = [root]
    while stack:
        folder = stack.pop()
        files, dirs = _entries(folder, exclude)
        for name in files:
            full = os.path.join(folder, name)
            if _excluded(full, exclude) or (tracked is not None and os.path.realpath(full) not in tracked):
                continue
            if os.path.islink(full) and not _inside(os.path.realpath(full), real_root):
                continue  # never follow a link out of the tree being repaired
            if not os.path.isfile(full):
                continue  # FIFOs, sockets, devices: opening one could hang or have effects
            found.append(full)
        stack.extend(os.path.join(folder, d) for d in reversed(dirs))
    return found


def _entries(folder: str, exclude: Exclusion) -> tuple[list[str], list[str]]:
    """Sorted template-named files and walkable sub-folders (never through a link)."""
    files, dirs = [], []
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if is_dir:
                    if entry.name not in _SKIP_DIRS and not exclude.matches(os.path.join(folder, entry.name), True):
                        dirs.append(entry.name)
                elif entry.name.endswith(TEMPLATE_SUFFIXES):
                    files.append(entry.name)
    except OSError:
        return [], []
    return sorted(files), sorted(dirs)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _excluded(path: str, exclude: Excludes) -> bool:
    return _exclusion(exclude).matches(path)


def _git_visible(root: str) -> set[str] | None:
    """Real paths git does not ignore below `root`, or None outside a git work tree."""
    import subprocess  # only where git runs: a one-file run does not pay its import

    try:
        run = subprocess.run(["git", "-C", root, "ls-files", "-co", "--exclude-standard", "-z"],
                             capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if run.returncode != 0:
        return None
    names = run.stdout.decode("utf-8", "surrogateescape").split("\0")
    return {os.path.realpath(os.path.join(root, n)) for n in names if n}


def shown(path: str) -> str:
    """A file name safe to print: control characters, newlines and undecodable bytes escaped."""
    if path.isprintable() and not any(0xDC80 <= ord(c) <= 0xDCFF for c in path):
        return path
    return "".join(_shown_char(c) for c in path)


def _shown_char(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if char.isprintable() or char == " ":
        return char
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
