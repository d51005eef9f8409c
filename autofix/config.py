"""Settings from `[tool.cfn-fix]` in pyproject.toml or `.cfn-fix.toml`, nearest file wins."""

from __future__ import annotations

import copy
import fnmatch
import os
from typing import Any

from .document import DEFAULT_MAX_BYTES
from .fileio import is_file
from .record import field, record
from .registry import all_patches
from .selectors import ALL, SelectorError, parse

CONFIG_NAMES = (".cfn-fix.toml", "pyproject.toml")
_SELECTOR_KEYS = ("select", "ignore", "extend-select", "extend-ignore")
_LIST_KEYS = (*_SELECTOR_KEYS, "exclude")
_KNOWN = {*_SELECTOR_KEYS, "unsafe-fixes", "exclude", "max-bytes", "options", "overrides",
          "target-rps", "p99-latency-ms", "validate"}
_OVERRIDE_KNOWN = {"paths", *_SELECTOR_KEYS, "unsafe-fixes", "options"}


class ConfigError(Exception):
    """A configuration file is wrong; the message names the file and the key."""


@record
class Settings:
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    unsafe_fixes: bool = False
    exclude: list[str] = field(default_factory=list)
    exclude_base: str | None = None  # where `exclude` patterns are anchored (None: the working folder)
    max_bytes: int = DEFAULT_MAX_BYTES
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    target_rps: float | None = None
    p99_latency_ms: float | None = None
    validate: bool = False
    sources: dict[str, str] = field(default_factory=dict)
    config_file: str | None = None

    def set(self, key: str, value: Any, source: str) -> None:
        setattr(self, key.replace("-", "_"), value)
        self.sources[key] = source

    def exclusion(self) -> Any:
        from .discover import Exclusion

        return Exclusion(tuple(self.exclude), self.exclude_base)

    def key(self) -> tuple:
        """What decides the patches built for a file (files sharing it share patches)."""
        return (tuple(self.select) if self.select is not None else None, tuple(self.ignore),
                self.unsafe_fixes, repr(sorted(self.options.items())), self.target_rps, self.p99_latency_ms)


def find_config(folder: str) -> tuple[str, dict] | None:
    """The nearest config file at or above `folder` that has cfn-fix settings (its path, resolved)."""
    candidate = _resolved(folder)
    while True:
        for name in CONFIG_NAMES:
            path = os.path.join(candidate, name)
            if _is_file(path):
                table = _read_table(path)
                if table is not None:
                    return path, table
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return None
        candidate = parent


def _resolved(folder: str) -> str:
    """`folder` absolute, its links resolved as far as they resolve (a link loop, a name too long
    stay as written: no config file can be found there, and the template's own read says why)."""
    return os.path.realpath(folder)


def _is_file(path: str) -> bool:
    """Whether a config file is at `path`; one in a folder that cannot be looked in (its name too
    long, not searchable) cannot be read, nor can a template below it: none is there."""
    try:
        return is_file(path)
    except OSError:
        return False


def _read_table(path: str) -> dict | None:
    # Imported here: a run without a config file does not pay for the TOML parser.
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the same parser, from PyPI (a dependency there)
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with open(path, encoding="utf-8") as handle:
            data = tomllib.loads(handle.read())
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    if os.path.basename(path) == "pyproject.toml":
        table = data.get("tool", {}).get("cfn-fix")
        return table if isinstance(table, dict) else None
    return data


def settings_for(template: str, cli: dict[str, Any], known_ids: set[str], cache: dict | None = None) -> Settings:
    """Effective settings for one template: defaults < config file < overrides < flags."""
    folder = _parent(template) if template != "-" else os.getcwd()
    found = _cached_find(folder, cache)
    settings = Settings()
    for key in ("select", "ignore", "unsafe-fixes", "exclude", "max-bytes", "options"):
        settings.sources[key] = "default"
    if found:
        path, table = found
        settings.config_file = path
        name = os.path.basename(path)
        label = f"{name} [tool.cfn-fix]" if name == "pyproject.toml" else name
        _apply(settings, {k: v for k, v in table.items() if k != "overrides"}, f"{path}", label, known_ids,
               _KNOWN - {"overrides"})
        for index, override in enumerate(_overrides(table, path)):
            if _override_matches(override, template, os.path.dirname(path)):
                _apply(settings, {k: v for k, v in override.items() if k != "paths"}, f"{path}",
                       f"{label} overrides[{index}]", known_ids, _OVERRIDE_KNOWN - {"paths"}, override=True)
    for key, value in cli.items():
        if value is None:
            continue
        if key == "options":
            merged = copy.deepcopy(settings.options)
            for pid, opts in value.items():
                merged.setdefault(pid, {}).update(opts)
            settings.set(key, merged, "command line")
        elif key in ("extend-select", "extend-ignore"):
            _select(settings, key, list(value), "command line", override=False)
        elif key == "exclude":
            settings.exclude_base = None
            settings.set(key, value, "command line")
        else:
            settings.set(key, value, "command line")
    return settings


def _cached_find(folder: str, cache: dict | None) -> tuple[str, dict] | None:
    if cache is None:
        return find_config(folder)
    if folder not in cache:
        cache[folder] = find_config(folder)
    return cache[folder]


def _overrides(table: dict, path: str) -> list[dict]:
    overrides = table.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, dict) for o in overrides):
        raise ConfigError(f"{path}: 'overrides' must be an array of tables ([[tool.cfn-fix.overrides]])")
    for index, override in enumerate(overrides):
        paths = override.get("paths")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise ConfigError(f"{path}: overrides[{index}].paths must be a list of globs")
    return overrides


def _override_matches(override: dict, template: str, base: str) -> bool:
    rel = _relative(os.path.abspath(template), _resolved(base))
    if rel is None:  # outside the config's folder (through a link): the path as given
        from pathlib import PurePath

        rel = PurePath(template).as_posix()
    return any(fnmatch.fnmatch(rel, pattern) for pattern in override["paths"])


def _parent(path: str) -> str:
    """The folder of the file `path` names, as pathlib's parent ("." for a bare name) once resolved."""
    return os.path.dirname(path.rstrip(os.sep) or path) or "."


def _relative(path: str, base: str) -> str | None:
    """The absolute, normalised `path` relative to `base` with forward slashes, as pathlib's
    relative_to answers, or None when it is not below `base`."""
    if os.path.normcase(path) == os.path.normcase(base):
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    if not os.path.normcase(path).startswith(os.path.normcase(prefix)):
        return None
    return path[len(prefix):].replace(os.sep, "/")


def _apply(settings: Settings, table: dict, where: str, label: str, known_ids: set[str], allowed: set[str],
           override: bool = False) -> None:
    for key, value in table.items():
        if key not in allowed:
            hint = f" (known: {', '.join(sorted(allowed))})"
            raise ConfigError(f"{where}: unknown key '{key}'{hint}")
        _check_type(key, value, where, known_ids)
        if key == "options":
            merged = copy.deepcopy(settings.options)
            for pid, opts in value.items():
                merged.setdefault(pid, {}).update(opts)
            value = merged
        if key in _SELECTOR_KEYS:
            _select(settings, key, value, label, override)
            continue
        if key == "exclude":
            settings.exclude_base = os.path.dirname(where)
        settings.set(key, value, label)


def _select(settings: Settings, key: str, value: list[str], label: str, override: bool) -> None:
    """Fold a selector list in: `extend-*` add, and so does `ignore` in an override (as ruff's
    per-file-ignores do: a per-path ignore never drops the global one); `select` replaces."""
    if key == "select":
        settings.set("select", list(value), label)
    elif key == "extend-select":
        settings.set("select", [*(settings.select if settings.select is not None else [ALL]), *value],
                     _joined(settings, "select", label))
    elif key == "ignore" and not override:
        settings.set("ignore", list(value), label)
    else:
        settings.set("ignore", [*settings.ignore, *value], _joined(settings, "ignore", label))


def _joined(settings: Settings, key: str, label: str) -> str:
    before = settings.sources.get(key, "default")
    return label if before == "default" else f"{before} + {label}"


def _check_type(key: str, value: Any, where: str, known_ids: set[str]) -> None:
    if key in _LIST_KEYS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: '{key}' must be a list of strings")
        if key != "exclude":
            try:
                parse(value, all_patches(), f"'{key}'")
            except SelectorError as exc:
                raise ConfigError(f"{where}: {exc}") from None
    elif key in ("unsafe-fixes", "validate"):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: '{key}' must be true or false")
    elif key == "max-bytes":
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"{where}: 'max-bytes' must be a positive integer")
    elif key in ("target-rps", "p99-latency-ms"):
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"{where}: '{key}' must be a positive number")
    elif key == "options":
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise ConfigError(f"{where}: 'options' must be a table of tables, e.g. [tool.cfn-fix.options.LOG001]")
        unknown = [pid for pid in value if pid not in known_ids]
        if unknown:
            raise ConfigError(f"{where}: 'options' names unknown patch ids: {', '.join(unknown)}")
        for pid, values in value.items():
            _check_options(pid, values, where)


_CHECKED: dict[tuple[str, str], str | None] = {}


def _check_options(pid: str, values: dict, where: str) -> None:
    """Option values are checked when the config is read, so a bad one fails the run (exit 2)
    instead of switching its patch off at run time."""
    from .api import check_options

    key = (pid, repr(sorted(values.items())))
    if key not in _CHECKED:
        _CHECKED[key] = check_options(pid, values)
    if _CHECKED[key]:
        raise ConfigError(f"{where}: [options.{pid}]: {_CHECKED[key]}")
