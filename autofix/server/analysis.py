"""One buffer through the engine: what diagnostics show, and the verified repairs code actions offer."""

from __future__ import annotations

import re

from ..api import fix_bytes
from ..config import ConfigError
from ..document import Document, load
from ..edits import Change
from ..engine import FAILED, FIXED, Result, fix_document, verified
from ..errors import NotATemplate, TemplateError
from ..record import field, record
from ..registry import Patch
from ..suppression_check import suppression_warnings
from . import locate
from .lines import LineIndex
from .settings import Configurations, Profile
from .textedits import Replacement, edits_for

_CONTENT = re.compile(r"^[^\S\n]*[^\s#]", re.MULTILINE)
SAFE, ALL = "safe", "all"  # the two fix-all runs; any other key names one patch


@record
class Problem:
    """Why a buffer cannot be repaired: one diagnostic."""

    message: str
    line: int | None = None  # 1-based, as the engine reports it
    col: int | None = None


@record
class Analysis:
    text: str
    path: str
    profile: Profile | None = None
    doc: Document | None = None
    result: Result | None = None  # every selected patch, unverified: for display only
    problem: Problem | None = None
    spans: list[locate.Span] = field(default_factory=list)  # changes, then notes
    _fixes: dict[str, Result] = field(default_factory=dict)
    helpers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # patch id -> the others its fix ran
    # The diagnostics' JSON text by (position encoding, explain url): a text published again costs nothing.
    rendered: dict[tuple[str, str | None], str] = field(default_factory=dict)
    _lines: dict[str, LineIndex] = field(default_factory=dict)

    def lines(self, encoding: str = "utf-16") -> LineIndex:
        """The buffer's line index: built once per text, for its diagnostics, code actions and hovers."""
        index = self._lines.get(encoding)
        if index is None:
            index = self._lines[encoding] = LineIndex(self.text, encoding)
        return index

    @property
    def bom(self) -> int:
        """1 when the buffer starts with a byte order mark, which the engine's offsets skip."""
        return 1 if self.text.startswith("\ufeff") else 0

    @property
    def items(self) -> list[Change]:
        return [*self.result.changes, *self.result.notes] if self.result else []

    def pending(self, safety: str | None = None) -> bool:
        changes = self.result.changes if self.result else []
        return any(safety is None or c.safety == safety for c in changes)

    def fix(self, key: str) -> Result:
        """A verified repair: SAFE, ALL, or one patch id (with what it runs after, if alone it does nothing)."""
        if key not in self._fixes:
            try:
                self._fixes[key] = self._run(key)
            except Exception as exc:  # noqa: BLE001 - an engine bug: this action is unavailable, the server lives
                self._fixes[key] = Result(self.path, FAILED, error=f"internal error: {type(exc).__name__}: {exc}")
        return self._fixes[key]

    def edits(self, key: str) -> list[Replacement] | None:
        """The repair as replacements of buffer offsets (the engine's splices), or None when that
        repair changes nothing or fails."""
        result = self.fix(key)
        if result.status != FIXED:
            return None
        output = ("\ufeff" if self.bom else "") + result.output
        return edits_for(self.text, output, getattr(result, "splices", None), self.bom)

    def _run(self, key: str) -> Result:
        assert self.profile is not None
        raw = self.text.encode("utf-8", "surrogatepass")
        limit = self.profile.settings.max_bytes
        if key in (SAFE, ALL):
            chosen = self.profile.safe if key == SAFE else self.profile.every
            if self.result is not None and _same(chosen, self.profile.every):
                # The diagnostics' run is this repair's first pass (same text, patches, checks): verify it.
                return verified(self.result)
            return fix_bytes(raw, self.path, list(chosen), limit)
        alone = fix_bytes(raw, self.path, list(self.profile.only(key)), limit)
        if alone.status in (FIXED, FAILED):
            return alone
        # What it fixes was made by a patch it runs after (S3004 on S3001's log bucket): both, then.
        chosen = self.profile.with_prerequisites(key)
        self.helpers[key] = tuple(p.id for p in chosen if p.id != key)
        return fix_bytes(raw, self.path, list(chosen), limit)


def _same(some: tuple[Patch, ...], others: tuple[Patch, ...]) -> bool:
    """Whether two selections run the same patches, in the same order, with the same options."""
    return len(some) == len(others) and all(type(a) is type(b) and a.options == b.options
                                            for a, b in zip(some, others))


def analyse(text: str, path: str, configurations: Configurations) -> Analysis:
    """What the engine says about a buffer; never raises for anything the buffer holds."""
    found = Analysis(text, path)
    if not _CONTENT.search(text):
        return found  # an empty buffer (a new file): nothing to say yet
    try:
        found.profile = configurations.profile(path)
    except ConfigError as exc:
        found.problem = Problem(f"configuration: {exc}")
        return found
    try:
        found.doc = load(text.encode("utf-8", "surrogatepass"), path, found.profile.settings.max_bytes)
    except NotATemplate:
        return found  # YAML or JSON, but not a template: not ours to judge
    except TemplateError as exc:
        found.problem = Problem(exc.message, exc.line, exc.col)
        return found
    except RecursionError:
        found.problem = Problem("document is nested too deeply to process")
        return found
    try:
        warnings = suppression_warnings(found.doc)  # before the run: it edits the data
        found.result = fix_document(found.doc, list(found.profile.every), verify=False)
        found.result.notes[:0] = warnings  # as `cfn-fix` reports them
        found.spans = locate.spans(found.doc, found.items)
    except Exception as exc:  # noqa: BLE001 - an engine bug costs this buffer's diagnostics, not the server
        found.result, found.spans = None, []
        found.problem = Problem(f"internal error: {type(exc).__name__}: {exc} (please report this)")
        return found
    if found.result.status == FAILED:
        found.problem = Problem(found.result.error, found.result.error_line, found.result.error_col)
    return found
