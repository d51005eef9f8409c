"""The configuration nearest to a buffer's file, and the patch sets it selects.

Config files are found by `autofix.config`. A lookup re-stats the candidate files (a few
stat calls), so an edited, added or removed `.cfn-fix.toml` or `pyproject.toml` takes effect
at the next request, whether or not the client reports the change (and the server looks
every few seconds for a client that watches no files).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..api import build_patches
from ..capacity import planned_options
from ..config import CONFIG_NAMES, ConfigError, Settings, settings_for
from ..record import record
from ..registry import Patch, all_patches


@record(frozen=True)
class Profile:
    """What one file's settings make of the patches."""

    settings: Settings
    every: tuple[Patch, ...]  # the selection with unsafe fixes: what diagnostics show
    safe: tuple[Patch, ...]  # the selection without: `cfn-fix --write`, and "fix all safe"

    def only(self, patch_id: str) -> tuple[Patch, ...]:
        return tuple(p for p in self.every if p.id == patch_id)

    def with_prerequisites(self, patch_id: str) -> tuple[Patch, ...]:
        """The patch and, transitively, the selected patches it runs after (in run order)."""
        by_id = {p.id: p for p in self.every}
        wanted, stack = set(), [patch_id]
        while stack:
            pid = stack.pop()
            if pid in wanted or pid not in by_id:
                continue
            wanted.add(pid)
            stack.extend(type(by_id[pid]).after)
        return tuple(p for p in self.every if p.id in wanted)


class Configurations:
    def __init__(self) -> None:
        self._known = {p.id for p in all_patches()}
        self._cache: dict[tuple, Profile | ConfigError] = {}

    def profile(self, template: str) -> Profile:
        """The profile for a template path; raises ConfigError for a broken config file."""
        key = (template, self.signature(template))
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) > 256:  # old signatures of edited config files
                self._cache.clear()
            hit = self._cache[key] = self._build(template)
        if isinstance(hit, ConfigError):
            raise hit
        return hit

    @staticmethod
    def signature(template: str) -> tuple:
        """What decides whether a profile built for `template` still holds: its config files' stats."""
        return _signature(Path(template).parent)

    def forget(self) -> None:
        self._cache.clear()

    def _build(self, template: str) -> Profile | ConfigError:
        try:
            settings = settings_for(template, {}, self._known)
            options = planned_options(settings)
            every = build_patches(settings.select, settings.ignore, True, options)
            safe = build_patches(settings.select, settings.ignore, False, options)
        except ConfigError as exc:
            return exc
        except ValueError as exc:  # an option of the wrong name or type
            return ConfigError(f"{settings.config_file or 'settings'}: {exc}")
        return Profile(settings, tuple(every), tuple(safe))


def _signature(folder: Path) -> tuple:
    """(path, mtime, size) of every config file that could apply to `folder`."""
    found = []
    try:
        folder = folder.resolve()
    except OSError:
        return ()
    for candidate in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            path = candidate / name
            try:
                stat = os.stat(path)
            except OSError:
                continue
            found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)
