"""IAM001: function roles get object access to their own buckets and log groups, not `s3:*` on `*`."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Advice, AppendItem, Proposal, ReplaceValue, Skip
from autofix.model.iam import (
    WILDCARDS,
    Document,
    Graph,
    actions,
    function_log_target,
    generated_role_problem,
    lambda_roles,
    log_statements,
    other_services,
    policy_documents,
    rewrite_claims,
    role_problem,
    s3_statements,
    statements,
    suppress_w58,
    wildcard_actions,
)
from autofix.model.lambdas import FUNCTION_TYPES
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.view import TemplateView


class IamLeastPrivilege(Patch):
    id = "IAM001"
    name = "iam-least-privilege"
    title = "Scope s3:* and logs:* on * in function roles to the function's buckets and log group"
    safety = UNSAFE
    resource_types = (
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::Serverless::Function",
        "AWS::Lambda::Function",
        "AWS::Logs::LogGroup",
    )
    # Log groups (LAM009), tracing (LAM007), notifications (S3003) and parameter names (PARAM001)
    # settle first, so the statements point at what the functions finally use.
    after = ("LAM007", "LAM009", "PARAM001", "S3003")
    resolves = ("W11", "W12", "F3", "F4", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_108", "CKV_AWS_109",
                "CKV_AWS_110", "CKV_AWS_111", "IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE")
    explanation = (
        "In roles that Lambda functions run as (inline Policies, IAM Policy / ManagedPolicy\n"
        "attached to them, and inline statements in a SAM function's own Policies, which go on\n"
        "the role SAM generates), an Allow of s3:* on * becomes object actions (option\n"
        "object_actions: GetObject, PutObject, DeleteObject) on <bucket ARN>/* plus s3:ListBucket\n"
        "on the bucket ARN, for the template buckets the functions use (environment variables,\n"
        "other references, buckets that notify them); logs:* on * becomes CreateLogStream +\n"
        "PutLogEvents on the function's log group (LoggingConfig.LogGroup, a /aws/lambda/${Fn}\n"
        "group, or a literal FunctionName; CreateLogGroup only when the group is not in the\n"
        "template). A role shared by several functions gets the union. Action * is replaced only\n"
        "when nothing in the template suggests the functions call other services. Skips when the\n"
        "buckets or group are unknown, the role serves others, or the reference would close a\n"
        "dependency cycle (bucket -> function -> role -> bucket) that a name-built ARN cannot\n"
        "avoid. Unsafe: code that calls actions or buckets the template does not show will be\n"
        "denied."
    )

    class Options(PatchOptions):
        object_actions: tuple = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")
        list_bucket: bool = True
        replace_star: bool = True

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        if not view.has_any(FUNCTION_TYPES):
            return  # every document it rewrites serves a function
        roles = lambda_roles(view)
        graph = Graph.of(view)
        advised: set[str] = set()
        suppressed: set[str] = set()  # functions given a W58 suppression in this run
        for doc in policy_documents(view, roles):
            if isinstance(doc, tuple):
                holder, reason = doc
                if any(map(wildcard_actions, statements(view, ("Resources", holder, "Properties", "PolicyDocument")))):
                    yield Skip(("Resources", holder), reason)
                continue
            listed = isinstance(view.get(doc.path + ("Statement",)), list)
            for index, stmt in enumerate(statements(view, doc.path)):
                if not wildcard_actions(stmt):
                    continue
                path = doc.path + ("Statement",) + ((index,) if listed else ())
                blocker = _role_blocker(view, doc)
                if blocker:
                    acts = ", ".join(wildcard_actions(stmt))
                    yield Skip(path, f"{doc.holder}: {acts} on all resources left as is; {blocker}")
                    continue
                for proposal in self._rewrite(view, graph, doc, stmt, path, roles, suppressed):
                    if isinstance(proposal, Advice) and proposal.message in advised:
                        continue
                    advised.add(getattr(proposal, "message", ""))
                    yield proposal

    def _rewrite(self, view: TemplateView, graph: Graph, doc: Document, stmt: dict, path: tuple,
                 roles: dict[str, list[str]], suppressed: set[str]) -> Iterator[Proposal]:
        functions = [*doc.functions, *(f for r in doc.roles for f in roles[r])]
        wild = {a.lower() for a in wildcard_actions(stmt)}
        if "*" in wild:
            evidence = next((e for e in (other_services(view, f) for f in functions) if e), None)
            if not self.options.replace_star:
                evidence = "option replace_star is off"
            if evidence:
                yield Skip(path, f"{doc.holder}: Action * on all resources left as is; {evidence}")
                return
        new: list[dict] = []
        kept = [a for a in actions(stmt) or [] if a.lower() not in WILDCARDS]
        for part in ("s3:*", "logs:*"):
            if part not in wild and "*" not in wild:
                continue
            if part == "s3:*":
                built, reason = s3_statements(view, graph, doc.holder, functions, list(self.options.object_actions),
                                              self.options.list_bucket, optional="*" in wild)
            else:
                built, reason = log_statements(view, graph, doc.holder, functions)
            if reason:
                if "*" in wild:
                    yield Skip(path, f"{doc.holder}: Action * on all resources left as is; {reason}")
                    return
                yield Skip(path, f"{doc.holder}: {part} on all resources left as is; {reason}")
                kept.append(next(a for a in actions(stmt) or [] if a.lower() == part))
            new += built
            # A role SAM generates carries AWSLambdaBasicExecutionRole, which satisfies W58.
            if part == "logs:*" and not reason and doc.roles:
                yield from _suppress_w58(view, functions, suppressed)
        if not new:
            return
        done = [a for a in wildcard_actions(stmt) if a not in kept]
        yield from _edits(view, doc, stmt, path, kept, new, f"{doc.holder}: scope {', '.join(done)} (all resources) "
                          f"to the resources of {', '.join(functions)}", rewrite_claims(stmt, done, kept))
        if path[0] == "Resources" and view.suppressed(path[1], self):
            return  # the author kept the wildcard: nothing to check
        verb = "calls" if len(functions) == 1 else "call"
        yield Advice(path, f"{doc.holder}: check that {', '.join(functions)} {verb} no other action or resource "
                     "(SSE-KMS buckets also need kms:Decrypt / kms:GenerateDataKey on their key)")



def _role_blocker(view: TemplateView, doc: Document) -> str | None:
    """Why the roles a document applies to may serve more than its functions, naming each role
    as the holder's reader sees it, else None."""
    for rid in doc.roles:
        problem = role_problem(view, rid)
        if problem:
            return f"{'the role' if rid == doc.holder else f'its role {rid}'} {problem}"
    for fid in doc.functions:
        problem = generated_role_problem(view, fid)
        if problem:
            whose = "it" if fid == doc.holder else fid
            return f"the role SAM generates for {whose} ({fid}Role) {problem}"
    return None


def _suppress_w58(view: TemplateView, functions: list[str], done: set[str]) -> Iterator[Proposal]:
    """When every group is pre-created the statement has no logs:CreateLogGroup, on purpose."""
    targets = [function_log_target(view, fid) for fid in functions]
    if not all(t and t.precreated for t in targets):
        return
    for fid in functions:
        if fid not in done:
            done.add(fid)
            yield from suppress_w58(view, fid)


def _edits(view: TemplateView, doc: Document, stmt: dict, path: tuple, kept: list[str],
           new: list[dict], message: str, claims: tuple[str, ...]) -> Iterator[Proposal]:
    extra = {k: stmt[k] for k in ("Condition",) if k in stmt}
    new = [{**s, **extra} for s in new]
    if kept:
        first: dict = {**stmt, "Action": kept[0] if len(kept) == 1 else kept}
        rest = new
    else:
        first = {**({"Sid": stmt["Sid"]} if "Sid" in stmt else {}), **new[0]}
        rest = new[1:]
    if not isinstance(view.get(doc.path + ("Statement",)), list):
        yield ReplaceValue(path, [first, *rest], message, claims)
        return
    if kept:
        yield ReplaceValue(path + ("Action",), first["Action"], message, claims)
    else:
        yield ReplaceValue(path, first, message, claims)
    for item in rest:  # what replaces the wildcard resolves nothing on its own
        yield AppendItem(doc.path + ("Statement",), item, message, ())
