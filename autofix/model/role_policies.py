"""The IAM Policy and ManagedPolicy resources that attach to a role through their Roles."""

from __future__ import annotations

from autofix.values import referenced_names
from autofix.view import TemplateView

POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")


def policies_naming_role(view: TemplateView, role: str) -> list[dict]:
    """The policies whose Roles refer to `role`, in file order: found among the role's referrers,
    not by a scan of every policy, which callers asking once per role (what lets it write logs,
    traces) made quadratic."""
    resources = view.resources
    return [resources[rid] for rid in view.referrers(role) if view.type_of(rid) in POLICY_TYPES
            and role in referenced_names(view.props(resources[rid]).get("Roles"))]
