"""checkov as a judge: a repair must not make the scanner fail where it did not before.

Two rules, on the template as written (checkov reads SAM resources itself):
(a) a resource of the original fails no check it did not fail before;
(b) a resource cfn-fix adds fails no check, and every check skipped on it says why (a skip
    without a comment reads "No comment provided" in checkov's report).
A resource that a repair renamed (same type, original id gone) is held to rule (a) against
the resources it may have replaced.

checkov runs in-process, one file at a time: its CloudFormation runner takes ~0.15 s of CPU a
template after a ~2 s import (measured on the 512 corpus files). The CLI costs ~2.6 s of CPU
to start for each call, ~0.1 s a file when given a whole folder; but one run's graph spans
every file, and one template checkov cannot read ("unhashable type" on 12 corpus templates)
fails the whole run, so a batch would need a fallback, for no gain in CPU.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..record import field, record
from .model import Violation

NO_COMMENT = "No comment provided"  # what checkov records for a skip without a comment


@record
class Scan:
    """checkov's verdict on one template: by logical id, failed check ids and skipped (id, comment)."""

    types: dict[str, str] = field(default_factory=dict)
    failed: dict[str, dict[str, str]] = field(default_factory=dict)  # rid -> {check id: check name}
    skipped: dict[str, dict[str, str]] = field(default_factory=dict)  # rid -> {check id: comment}
    error: str | None = None


def available() -> bool:
    try:
        import checkov.cloudformation.runner  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def _quiet() -> Iterator[None]:
    """checkov logs warnings and errors (one of its own checks raising) on the root logger."""
    previous = logging.root.manager.disable
    logging.disable(logging.ERROR)
    try:
        yield
    finally:
        logging.disable(previous)


def scan_file(path: str) -> Scan:
    """Run checkov's CloudFormation checks on one template file."""
    from checkov.cloudformation.runner import Runner
    from checkov.runner_filter import RunnerFilter

    scan = Scan()
    try:
        with _quiet():
            report = Runner().run(None, files=[path], runner_filter=RunnerFilter(framework=["cloudformation"]))
    except Exception as exc:  # checkov cannot read some templates; the judge says so
        scan.error = f"{type(exc).__name__}: {exc}"[:200]
        return scan
    reports = report if isinstance(report, list) else [report]
    for rep in reports:
        if rep.parsing_errors:
            scan.error = "checkov could not parse the template"
        for record in rep.failed_checks:
            kind, rid = _split(record.resource)
            scan.types[rid] = kind
            scan.failed.setdefault(rid, {})[record.check_id] = record.check_name
        for record in rep.skipped_checks:
            kind, rid = _split(record.resource)
            scan.types[rid] = kind
            comment = (record.check_result or {}).get("suppress_comment") or NO_COMMENT
            scan.skipped.setdefault(rid, {})[record.check_id] = str(comment)
        for record in rep.passed_checks:
            kind, rid = _split(record.resource)
            scan.types[rid] = kind
    return scan


def scan_text(text: str, fmt: str = "yaml") -> Scan:
    """Run checkov on a template held in memory (written to a private temporary file)."""
    fd, path = tempfile.mkstemp(suffix=".json" if fmt == "json" else ".yaml", prefix="cfnfix-checkov-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        return scan_file(path)
    finally:
        Path(path).unlink(missing_ok=True)


def _split(resource: str) -> tuple[str, str]:
    """checkov names a resource `AWS::S3::Bucket.LogicalId`; logical ids have no dots."""
    kind, _, rid = resource.rpartition(".")
    return kind, rid


def judge(original: Scan, repaired: Scan, original_ids: set[str]) -> list[Violation]:
    """Violations of rules (a) and (b); `original_ids` are the original's resource logical ids."""
    if original.error is not None:
        return []  # nothing to compare with: checkov cannot read the original
    if repaired.error is not None:
        return [Violation("checkov", "<template>", f"checkov cannot scan the repair: {repaired.error}")]
    found: list[Violation] = []
    for rid, checks in repaired.failed.items():
        before = _failed_before(original, repaired, rid, original_ids)
        for check_id, name in sorted(checks.items()):
            if check_id in before:
                continue
            how = "now fails" if rid in original_ids else "new resource fails"
            found.append(Violation("checkov", rid, f"{how} {check_id} ({name}) with no skip and reason"))
    for rid, skips in repaired.skipped.items():
        if rid in original_ids:
            continue
        for check_id, comment in sorted(skips.items()):
            if not comment.strip() or comment == NO_COMMENT:
                found.append(Violation("checkov", rid, f"new resource skips {check_id} without a reason"))
    return found


def _failed_before(original: Scan, repaired: Scan, rid: str, original_ids: set[str]) -> set[str]:
    if rid in original_ids:
        return set(original.failed.get(rid, {}))
    kind = repaired.types.get(rid)
    gone = [old for old in original_ids if old not in repaired.types and original.types.get(old) == kind]
    return {check for old in gone for check in original.failed.get(old, {})}


def new_failures(original: str, repaired: str, fmt: str = "yaml", original_ids: set[str] | None = None,
                 original_scan: Scan | None = None) -> list[Violation]:
    """checkov violations a repair adds. `original_ids` default to what checkov saw in the original."""
    before = original_scan if original_scan is not None else scan_text(original, fmt)
    ids = original_ids if original_ids is not None else _resource_ids(original) or set(before.types)
    return judge(before, scan_text(repaired, fmt), ids)


def _resource_ids(text: str) -> set[str]:
    from ..document import load

    try:
        resources = load(text.encode("utf-8"), "<original>").data.get("Resources")
    except Exception:  # not a template cfn-fix reads; checkov's own view decides
        return set()
    return {str(rid) for rid in resources} if isinstance(resources, dict) else set()
