"""SARIF 2.1.0 for GitHub code scanning: one result per change, advice as notes.

What code scanning reads (docs.github.com, "SARIF support for code scanning"): file URIs relative
to the repository root under a `uriBaseId` (absolute `file://` URIs otherwise), a rule per
`ruleId` with `help`, stable `partialFingerprints` so alerts survive edits above them,
`automationDetails.id` for the analysis category, and regions on the code concerned.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import subprocess
from pathlib import Path
from typing import Any

from . import __version__
from .engine import FAILED, FIXED
from .runner import Outcome, Run

INFO_URI = "https://pypi.org/project/cfn-fix/"
DOCS_URI = "https://pypi.org/project/cfn-fix/#patches"
BASE_ID = "%SRCROOT%"
AUTOMATION_ID = "cfn-fix/"


def sarif_log(run: Run, root: str | None = None) -> dict[str, Any]:
    root = os.path.realpath(root or _repository_root())
    rules = [_rule(cls) for cls in _patches()]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for outcome in run.outcomes:
        if outcome.quiet_skip:
            continue
        results += _results(outcome, root, index)
        notifications += _notifications(outcome, root)
    notifications += [{"level": "error", "message": {"text": note}} for note in run.notes]
    failed = any(n["level"] == "error" for n in notifications)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "cfn-fix", "version": __version__, "semanticVersion": __version__,
                                "informationUri": INFO_URI, "rules": rules}},
            "automationDetails": {"id": AUTOMATION_ID},
            "originalUriBaseIds": {BASE_ID: {"uri": Path(root).as_uri().rstrip("/") + "/"}},
            "results": results,
            "invocations": [{"executionSuccessful": not failed, "toolExecutionNotifications": notifications}],
        }],
    }


def _patches() -> tuple:
    from .registry import all_patches

    return tuple(sorted(all_patches(), key=lambda cls: cls.id))


def _rule(cls: Any) -> dict[str, Any]:
    explanation = (cls.explanation or cls.title).strip()
    resolves = ", ".join(cls.resolves) or "-"
    markdown = (f"**{cls.id} `{cls.name}`** ({cls.safety})\n\n{explanation}\n\nResolves: {resolves}\n\n"
                f"Run `cfn-fix explain {cls.id}` for its options and defaults.")
    return {
        "id": cls.id, "name": cls.name,
        "shortDescription": {"text": cls.title},
        "fullDescription": {"text": " ".join(explanation.split())},
        "help": {"text": f"{explanation}\n\nResolves: {resolves}. See `cfn-fix explain {cls.id}`.",
                 "markdown": markdown},
        "helpUri": DOCS_URI,
        "defaultConfiguration": {"level": "note" if cls.safety == "advice" else "warning"},
        "properties": {"safety": cls.safety, "resolves": list(cls.resolves), "tags": ["cloudformation", cls.safety]},
    }


def artifact(path: str, root: str) -> dict[str, Any]:
    """A file's artifactLocation: relative to `root` under BASE_ID, else an absolute file URI."""
    if path == "-":
        return {"uri": "stdin"}
    real = os.path.realpath(path)
    if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
        rel = Path(os.path.relpath(real, root)).as_posix()
        return {"uri": _quote(rel), "uriBaseId": BASE_ID}
    return {"uri": Path(real).as_uri()}


def _quote(rel: str) -> str:
    from urllib.parse import quote

    return quote(rel, safe="/")


def _results(outcome: Outcome, root: str, index: dict[str, int]) -> list[dict[str, Any]]:
    from .report import distinct_changes, distinct_notes

    result = outcome.result
    changes = distinct_changes(result.changes)
    advice = [n for n in distinct_notes(result.notes) if n.kind == "advice"]
    items = [*changes, *advice]
    if not items:
        return []
    regions = _regions(result, items)
    location = artifact(result.path, root)
    fixes = _fixes(result, location)
    found = []
    for n, (item, region) in enumerate(zip(items, regions)):
        entry: dict[str, Any] = {
            "ruleId": item.patch_id, "ruleIndex": index.get(item.patch_id, 0),
            "level": "note" if item.kind == "advice" or item.safety == "advice" else "warning",
            "message": {"text": item.message},
            "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}],
            "partialFingerprints": {"cfnFixChange/v1": _fingerprint(result.path, root, item)},
            "properties": {"safety": item.safety, "propertyPath": item.dotted,
                           "resolves": list(item.resolves), "kind": item.kind},
        }
        if fixes and n == 0:  # the file's whole repair, once: what `cfn-fix --write` would write
            entry["fixes"] = fixes
        found.append(entry)
    return found


def _fingerprint(path: str, root: str, item: Any) -> str:
    """Stable across edits elsewhere in the file: file, patch, resource and property path."""
    key = "\0".join([artifact(path, root)["uri"], item.patch_id, item.kind, item.dotted, item.message])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _regions(result: Any, items: list) -> list[dict[str, Any]]:
    """Each item's region on the resource or property it concerns (start and end)."""
    fallback = [{"startLine": max(1, item.line)} for item in items]
    if not result.source:
        return fallback
    try:
        from .document import parse
        from .server.locate import spans

        doc = parse(result.source, result.path, False)
        found = spans(doc, items)
    except Exception:  # noqa: BLE001 - a region is a nicety: fall back to the line the engine gave
        return fallback
    return [_region(result.source, start, end) for start, end in found]


def _region(text: str, start: int, end: int) -> dict[str, Any]:
    line = text.count("\n", 0, start) + 1
    end_line = text.count("\n", 0, end) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    end_column = end - (text.rfind("\n", 0, end) + 1) + 1
    if end_line == line and end_column <= column:
        end_column = column + 1
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _fixes(result: Any, location: dict[str, Any]) -> list[dict[str, Any]]:
    if result.status != FIXED or result.output == result.source:
        return []
    return [{"description": {"text": "Apply every cfn-fix repair to this file (what cfn-fix --write writes)"},
             "artifactChanges": [{"artifactLocation": location,
                                  "replacements": _replacements(result.source, result.output)}]}]


def _replacements(before: str, after: str) -> list[dict[str, Any]]:
    """Line-level replacements as character offsets into the original text."""
    a = before.splitlines(keepends=True)
    b = after.splitlines(keepends=True)
    offsets = [0]
    for line in a:
        offsets.append(offsets[-1] + len(line))
    found = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        found.append({"deletedRegion": {"charOffset": offsets[i1], "charLength": offsets[i2] - offsets[i1]},
                      "insertedContent": {"text": "".join(b[j1:j2])}})
    return found


def _notifications(outcome: Outcome, root: str) -> list[dict[str, Any]]:
    result = outcome.result
    where = {"physicalLocation": {"artifactLocation": artifact(result.path, root)}}
    found = [{"level": "error" if note.kind == "error" else "warning",
              "message": {"text": f"{result.path}:{note.line}: {note.patch_id} {note.kind}: {note.message}"},
              "locations": [where]}
             for note in result.notes if note.kind in ("error", "warning")]
    if result.status == FAILED:
        region = {"startLine": result.error_line} if result.error_line else None
        location = {"physicalLocation": {**where["physicalLocation"], **({"region": region} if region else {})}}
        found.append({"level": "error", "message": {"text": f"{result.path}: {result.error}"},
                      "locations": [location]})
    return found


def _repository_root() -> str:
    """The git work tree holding the working folder, else the working folder."""
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return os.getcwd()
    top = done.stdout.strip()
    return top if done.returncode == 0 and top else os.getcwd()
