"""cfn-lint as a judge: findings a repair added that the original did not have."""

from __future__ import annotations

from collections import Counter


def findings(text: str) -> Counter:
    """cfn-lint findings of a template, keyed by rule id and template path."""
    from cfnlint.api import ManualArgs, lint  # optional extra, imported only when asked for

    matches = lint(text, config=ManualArgs(regions=["us-east-1"]))
    return Counter((m.rule.id, "/".join(str(p) for p in (getattr(m, "path", None) or [])))
                   for m in matches)


def new_findings(original: str, repaired: str) -> list[str]:
    """`RULE at path` for every finding of `repaired` that `original` lacks."""
    before = findings(original)
    after = findings(repaired)
    old_rules = Counter(rule for rule, _ in before.elements())
    added = []
    for (rule, path), count in (after - before).items():
        # A finding that only moved (a renamed or re-rendered path) is not new.
        if old_rules[rule] >= sum(n for (r, _), n in after.items() if r == rule):
            continue
        added.append(f"{rule} at {path or '<template>'}" + (f" (x{count})" if count > 1 else ""))
    return sorted(added)


def new_violations(original: str, repaired: str) -> list[str]:
    """Semantic invariants (autofix.semantics) the repair breaks and the original kept, as text.

    Both templates are read as AWS deploys them: SAM translated by aws-sam-translator.
    Raises ImportError when a SAM template needs the translator and it is not installed.
    """
    from .fastload import load_data
    from .semantics import Deployed, violations
    from .semantics.translation import NOT_INSTALLED

    def data(text: str) -> dict:  # --format converts the repair, so each text has its own dialect
        return load_data(text, "json" if text.lstrip("\ufeff \t\r\n").startswith("{") else "yaml")

    before, after = Deployed(data(original)), Deployed(data(repaired))
    if after.is_sam and after.translation_error == NOT_INSTALLED:
        raise ImportError(NOT_INSTALLED)
    known = {v.key for v in violations(before)}
    return [str(v) for v in violations(after) if v.key not in known]
