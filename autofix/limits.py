"""CloudFormation's own template quotas: a repair never pushes a template past one.

Values from "Understand CloudFormation quotas" in the CloudFormation User Guide (checked
2026-12; they were raised over the years: resources 200 -> 500, parameters and outputs 60 ->
200, mappings 100 -> 200) and cfn-lint's limits table, which counts 1 MB as 1,000,000 bytes.
Counts are of the template as written: a SAM or language-extension template expands later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .edits import Change
from .kinds import Kind, Safety
from .record import record, replace

SECTIONS = (("Resources", 500, "resources"), ("Parameters", 200, "parameters"),
            ("Outputs", 200, "outputs"), ("Mappings", 200, "mappings"))
BODY_IN_REQUEST = 51_200  # TemplateBody passed in a CreateStack / UpdateStack request
BODY_IN_S3 = 1_000_000  # TemplateURL: the template read from S3
BODIES = ((BODY_IN_REQUEST, "for a template body passed in the request (deploy it from S3 instead)"),
          (BODY_IN_S3, "for a template read from S3"))
APPROACHING = 0.9  # warn from 90% of a limit, as cfn-lint does
ID = "LIMIT"


@record(frozen=True)
class Measure:
    counts: tuple[int, ...]  # entries per section, in SECTIONS' order
    size: int  # bytes, as CloudFormation receives the file


def measure(data: dict, text: str, bom: bool) -> Measure:
    counts = tuple(len(data[name]) if isinstance(data.get(name), dict) else 0 for name, _, _ in SECTIONS)
    return Measure(counts, _size(text, bom))


def _size(text: str, bom: bool) -> int:
    return (len(text) if text.isascii() else len(text.encode("utf-8"))) + (3 if bom else 0)


def check(before: Measure, after: Measure, changes: list[Change],
          line_of: Callable[[tuple], int] = lambda path: 1) -> tuple[str | None, list[Change]]:
    """The limit the repair would cross (one line), or None; and warnings for those it nears."""
    found, warnings = _check(before, after, changes)
    return found, [replace(w, line=line_of(w.path)) for w in warnings]


def _check(before: Measure, after: Measure, changes: list[Change]) -> tuple[str | None, list[Change]]:
    warnings: list[Change] = []
    for (name, limit, noun), old, new in zip(SECTIONS, before.counts, after.counts, strict=True):
        if new <= old:
            continue
        added = _adders(changes, name)
        if old <= limit < new:
            return (f"the repair would give the template {new:,} {noun} ({new - old:,} added{added}), over "
                    f"CloudFormation's limit of {limit:,}; not written (leave out some fixes with --ignore)"), []
        warnings += _near(name, noun, old, new, limit, added)
    for limit, what in BODIES:
        if before.size <= limit < after.size:
            return (f"the repair would make the template {after.size:,} bytes ({before.size:,} now), over "
                    f"CloudFormation's limit of {limit:,} bytes {what}; not written"), []
        if APPROACHING * limit <= after.size <= limit and after.size > before.size:
            warnings.append(_warning((), f"the repaired template is {after.size:,} bytes, "
                                         f"{after.size / limit:.0%} of CloudFormation's limit of {limit:,} bytes {what}"))
    return None, warnings


def _near(name: str, noun: str, old: int, new: int, limit: int, added: str) -> list[Change]:
    if new > limit:  # over before the repair: CloudFormation refuses it either way
        return [_warning((name,), f"the template already has {old:,} {noun}, over CloudFormation's limit of "
                                  f"{limit:,}; the repair adds {new - old:,}{added}")]
    if new >= APPROACHING * limit:
        return [_warning((name,), f"the repaired template has {new:,} {noun} ({new - old:,} added{added}), "
                                  f"{new / limit:.0%} of CloudFormation's limit of {limit:,}")]
    return []


def _adders(changes: list[Change], section: str) -> str:
    ids = list(dict.fromkeys(c.patch_id for c in changes if c.kind == "add" and len(c.path) == 2
                             and c.path[0] == section))
    return f" by {', '.join(ids)}" if ids else ""


def _warning(path: tuple[Any, ...], message: str) -> Change:
    return Change(ID, Safety.SAFE, Kind.WARNING, path, 1, message)
