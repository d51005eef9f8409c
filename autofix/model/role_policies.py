"""The IAM Policy and ManagedPolicy resources that attach to a role through their Roles."""

from __future__ import annotations

from autofix.values import referenced_names
from autofix.view import TemplateView

POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")


def policies_naming_role(view: TemplateView, role: str) -> list[dict]:
    """The policies whose Roles refer to `role`, in file order. Asked once per role (what lets it
    write logs, traces), a scan of every policy made templates of many roles quadratic."""
    return view.memo(_by_role).get(role, [])


def _by_role(view: TemplateView) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for _, res in view.of_type(*POLICY_TYPES):
        for name in dict.fromkeys(referenced_names(view.props(res).get("Roles"))):
            found.setdefault(name, []).append(res)
    return found
