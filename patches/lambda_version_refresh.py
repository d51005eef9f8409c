"""LAM011: rename the hashed Lambda version cfn-fix published when its function's code or configuration changed."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Advice, Proposal, RenameKey, Skip
from autofix.model import lambdas as lam
from autofix.model.apis import reference_updates
from autofix.model.lambdas import version_id, versions_of
from autofix.registry import SAFE, Patch
from autofix.semantics.versions import hashed_function
from autofix.view import TemplateView


class LambdaVersionRefresh(Patch):
    id = "LAM011"
    name = "lambda-version-refresh"
    title = "Publish a new Lambda version when the function it snapshots changed"
    safety = SAFE
    resource_types = (lam.FUNCTION, lam.VERSION)
    # The version's name hashes the function's version-locked properties, so it is judged after
    # every patch of the run that edits them (LAM007 TracingConfig, LAM009 LoggingConfig, PARAM001
    # the Refs in Environment or Code), or the next run would rename it again; and after LAM002,
    # which may publish a version in the same run.
    after = ("LAM002", "LAM007", "LAM009", "PARAM001")
    explanation = (
        "Every property of an AWS::Lambda::Version is create-only: CloudFormation publishes it once, and\n"
        "while its logical id stays the same it publishes nothing more, so an alias on it (LAM002's\n"
        "`live`, with its provisioned concurrency) keeps serving the first code after the function's\n"
        "code or configuration changes. LAM002 names the versions it publishes after a hash of the\n"
        "function's code and version-locked configuration (as CDK's currentVersion: Code, Runtime,\n"
        "Handler, Environment, Layers, MemorySize, Timeout, Role, TracingConfig, VpcConfig, ...):\n"
        "FnVersionA1B2C3D4. When that hash no longer matches, this patch renames the Version and every\n"
        "Ref, GetAtt, Sub and DependsOn that names it; CloudFormation then publishes the new version,\n"
        "moves the alias to it and deletes the old version in its clean-up step. It is safe: it renames\n"
        "only a resource cfn-fix created (a version named <Function>Version<8 hex digits> of that\n"
        "function) and publishes what the template already says, so `cfn-fix --check` and the bundled\n"
        "workflow, which run safe fixes only, report a code change that an alias would not serve.\n"
        "Versions of another name (written by hand) and SAM functions (AutoPublishAlias publishes for\n"
        "itself) are left alone. A new name already taken is skipped with a reason: rename it by hand.\n"
        "If only the text changed (same code and settings), Lambda refuses to publish ('A version for\n"
        "this Lambda function exists'): keep the old name then. A code location or setting taken from a\n"
        "parameter is not seen (the hash reads the template): rename the Version when its value changes."
    )

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        if not view.has_any((lam.VERSION,)):
            return  # no version to refresh
        for rid, _ in view.of_type(lam.FUNCTION):
            yield from renamed_versions(view, rid)


def renamed_versions(view: TemplateView, rid: str) -> Iterator[Proposal]:
    """Rename the versions cfn-fix published for function `rid` whose code or configuration changed since."""
    opaque = view.opaque(rid)
    if opaque:  # no code to hash: a hashed version of it is not judged
        if hashed_versions(view, rid):
            yield Skip(("Resources", rid), opaque)
        return
    for old, new in stale_versions(view, rid):
        if view.is_taken(new):
            yield Skip(("Resources", old), f"{old}: {rid}'s code changed, but the new version name {new} "
                       "is taken; rename the version by hand")
            continue
        yield from reference_updates(view, old, new)
        yield RenameKey(("Resources",), old, new, f"{old}: renamed to {new}: {rid}'s code or configuration "
                        "changed, and a version publishes it only when created")
        yield Advice(("Resources", new), f"{new}: CloudFormation publishes it, moves the alias, then deletes "
                     f"{old}; if only the text changed (same code and settings), Lambda refuses to publish "
                     "('A version for this Lambda function exists'): keep the old name then")


def hashed_versions(view: TemplateView, rid: str) -> list[str]:
    """The versions of `rid` named `<rid>Version<HASH>`: those cfn-fix published."""
    return [v for v in versions_of(view, rid) if hashed_function(v) == rid]


def stale_versions(view: TemplateView, rid: str) -> list[tuple[str, str]]:
    """(old id, current id) of the hashed versions of `rid` whose code or configuration changed."""
    hashed = hashed_versions(view, rid)
    if not hashed:
        return []  # the code hash is not needed: no version of cfn-fix's to compare it with
    current = version_id(view, rid)
    return [(v, current) for v in hashed if v != current]
