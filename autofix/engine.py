"""Run patches on one document, splice, verify, and return what happened."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from types import ModuleType
from typing import Any

from . import limits
from .document import Document, gc_paused, parse
from .edits import Advice, AppendItem, Change, DeleteKey, Edit, Proposal, RenameKey, ReplaceValue, SetKey, Skip, \
    dotted, edit_kind, target_path
from .errors import EditError
from .kinds import Kind, Status
from .record import field, record, replace
from .registry import ADVICE, Patch
from .scanner_scope import in_scope, resource_type
from .splice import Editor
from .suppress import Suppressions, scanner_ids
from .values import mappings, referenced_names
from .view import SECTIONS, TemplateView, UndeclaredType, intrinsic_name

FIXED, UNCHANGED, SKIPPED, FAILED = Status.FIXED, Status.UNCHANGED, Status.SKIPPED, Status.FAILED


@record
class Result:
    path: str
    status: str
    source: str = ""
    output: str = ""
    fmt: str = "yaml"
    bom: bool = False
    changes: list[Change] = field(default_factory=list)
    notes: list[Change] = field(default_factory=list)  # skips, advice, suppressed
    error: str = ""
    error_line: int | None = None
    error_col: int | None = None
    summary: list[str] = field(default_factory=list)  # semantic, from the applied changes (when asked)
    # The text edits that turn `source` into `output`: (start, end, text), for the language server.
    splices: list[tuple[int, int, str]] = field(default_factory=list)
    # An unverified run's repair, for `verified` to finish as the verified run would.
    unverified: _Unverified | None = field(default=None, repr=False, compare=False)

    @property
    def changed(self) -> bool:
        return self.status == FIXED


def fix_document(doc: Document, patches: list[Patch], verify: bool = True) -> Result:
    with gc_paused():
        return _fix_document(doc, patches, verify)


def _fix_document(doc: Document, patches: list[Patch], verify: bool) -> Result:
    source = doc.as_written(doc.source)
    before = limits.measure(doc.data, source, doc.bom)
    result = Result(doc.path, UNCHANGED, source=source, output=source, fmt=doc.fmt, bom=doc.bom)
    editor = Editor(doc)
    view = TemplateView(doc.data)
    suppressions = Suppressions(doc.data)
    originals = _original_types(doc.data)
    for patch in patches:
        if suppressions.template_ignores(patch):
            continue
        _run_patch(patch, doc, editor, view, suppressions, result, originals)
    if not result.changes:
        return result
    result.changes[:] = _unclaim_skipped(result.changes, doc.data)
    try:
        output = doc.as_written(editor.output())
    except EditError as exc:  # two patches' edits collide in the text: a bug, never a half-written file
        result.status, result.error = FAILED, f"internal error: {exc}"
        return result
    # Verification needs neither the editor nor the view: keep the splices the result reports
    # and free the rest before the output is parsed again, where a run's memory peaks. Closing
    # the editor breaks the cycle its ledger and layouts make, which the paused collector
    # (gc_paused) would keep, so dropping it frees it at once (a 10,000-resource template:
    # 35 MB), with no collection of everything the run made (0.4 s of CPU there).
    splices = editor.splices()
    editor.close()
    del editor, view
    refused = {n.patch_id for n in result.notes if n.kind == ERROR}
    repair = _Unverified(doc, output, splices, [p for p in patches if p.id not in refused], originals, before)
    if not verify:
        result.unverified = repair
    return _finish(result, repair, verify)


@record
class _Unverified:
    """A run's repair before its verification: what `_finish` needs, and `verified` later."""

    doc: Document  # as the run left it: its data is what the edits intended
    output: str
    splices: list[tuple[int, int, str]]
    patches: list[Patch]  # those to run again on the output: all but the ones that raised or were refused
    originals: dict[str, str]
    before: limits.Measure
    warned: int = 0  # the notes `_finish` appended (limit warnings): the last ones of the result's notes


def _finish(result: Result, repair: _Unverified, verify: bool) -> Result:
    """Verify the repair (when asked), then hold it to CloudFormation's quotas."""
    doc = repair.doc
    failure = _verify(doc, repair.output, repair.patches, repair.originals) if verify else None
    if failure:
        result.status, result.error = FAILED, failure
        return result
    crossed, warnings = limits.check(repair.before, limits.measure(doc.data, repair.output, doc.bom),
                                     result.changes, doc.line_of)
    result.notes.extend(warnings)
    repair.warned = len(warnings)
    if crossed:  # CloudFormation would refuse the repair: the file fails, nothing is written
        result.status, result.error = FAILED, crossed
        return result
    result.status, result.output = FIXED, repair.output
    result.splices = repair.splices
    return result


def verified(result: Result) -> Result:
    """What `fix_document(doc, patches)` (verified) gives, from the unverified run of the same
    document and patches: that run's first pass is the verified run's, so only the verification
    (and what follows it) is left to do. The document must be as the run left it. The result
    given is a new one; the unverified one is not changed."""
    repair = result.unverified
    again = replace(result, changes=list(result.changes), notes=list(result.notes), summary=list(result.summary),
                    splices=list(result.splices), unverified=None)
    if repair is None:  # nothing to repair, edits that collided, or a run verified already
        return again
    if repair.warned:
        del again.notes[-repair.warned:]  # the limit warnings, which follow the verification
    again.status, again.output, again.error, again.splices = UNCHANGED, again.source, "", []
    with gc_paused():
        return _finish(again, repair, verify=True)


def _run_patch(patch: Patch, doc: Document, editor: Editor, view: TemplateView,
               suppressions: Suppressions, result: Result, originals: dict[str, str]) -> None:
    view.start_patch(patch)
    try:
        proposals = list(patch.propose(view))
    except Exception as exc:  # a broken patch must not stop the others
        result.notes.append(_note(patch, ERROR, (), doc, _raised(exc)))
        return
    if not proposals:  # most patches on most templates: nothing to judge or apply
        return
    steps = _judge(patch, proposals, view.data, suppressions, originals, _sharing(doc))
    error = next((step for step in steps if step.verdict == ERROR), None)
    if error is not None:  # a patch bug: none of its edits in this file
        result.notes.append(_note(patch, ERROR, error.path, doc, error.message))
        return
    undos = []
    applied: list[Change] = []
    resolves = tuple(patch.resolves)
    replaced: dict[tuple[str, str], list[str]] = {}
    for step in steps:
        if step.verdict in NOTES:
            result.notes.append(_note(patch, step.verdict, step.path, doc, step.message))
            continue
        if step.verdict == DROP:
            continue
        proposal = step.proposal
        path = target_path(proposal)
        try:
            undos.append(editor.apply(proposal))
        except EditError as exc:
            for undo in reversed(undos):
                undo()
            result.notes.append(_note(patch, ERROR, path, doc, f"invalid edit at {dotted(path)}: {exc}"))
            return
        kind = edit_kind(proposal)
        applied.append(Change(patch.id, patch.safety, kind, path, doc.line_of(path),
                              proposal.message or f"{kind} {dotted(path)}",
                              in_scope(_claimed(resolves, proposal), resource_type(doc.data, path))))
        if step.replaces:  # applied, with a consequence the user must hear of
            replaced.setdefault(step.replaces[:2], []).append(step.replaces[2])
    if applied:
        view.invalidate(_touched(applied))
        for change in applied:
            if len(change.path) == 2 and change.kind == Kind.ADD:  # what later needs of this run find
                view.declared[(change.path[0], change.path[1])] = patch.id
            if change.resource is None:
                continue
            (view.created if len(change.path) == 2 and change.kind == Kind.ADD else view.changed).add(change.resource)
        result.changes.extend(applied)
        for (rtype, rid), why in replaced.items():  # one note per resource
            result.notes.append(_note(patch, REPLACES, ("Resources", rid), doc,
                                      f"replaces {rtype} {rid} on update: {_joined(why)}"))


def _claimed(resolves: tuple[str, ...], edit: Edit) -> tuple[str, ...]:
    """The patch's ids that one of its edits claims: those it names, when it names any."""
    own = edit.resolves
    return resolves if own is None else tuple(r for r in resolves if r in own)


def _unclaim_skipped(changes: list[Change], data: dict) -> list[Change]:
    """The changes without the ids their resource tells a scanner to skip when the run ends: S3001's
    new log bucket skips the access-logging checks its source bucket's change resolves."""
    resources = data.get("Resources")
    out = []
    for change in changes:
        res = resources.get(change.resource) if change.resolves and change.resource and isinstance(resources, dict) \
            else None
        skipped = scanner_ids(res.get("Metadata")) if isinstance(res, dict) else set()
        if skipped & set(change.resolves):
            change = replace(change, resolves=tuple(r for r in change.resolves if r not in skipped))
        out.append(change)
    return out


def _sharing(doc: Document) -> Callable[[tuple], tuple[tuple, str] | None] | None:
    """What finds anchored or aliased content along a path, or None where the document has none
    (then it never finds any: judging need not walk each edit's path for it)."""
    return doc.shared_at if doc.shared or doc.shared_scalars else None


def _touched(changes: list[Change]) -> list[str] | None:
    """The resources the changes added, edited, replaced or removed (a renamed one by its new
    id), for the view to forget what it knew of them only; None when one rewrote the Resources
    section as a whole."""
    if any(change.path[:1] == ("Resources",) and change.resource is None for change in changes):
        return None
    return [change.resource for change in changes if change.resource is not None]


def _raised(exc: Exception) -> str:
    """The note for a patch that raised: the error and where (for an undeclared read, where the
    patch or its model helper asked, not the view that refused)."""
    import traceback  # only when a patch raises: a run without one does not pay its import

    frames = list(traceback.extract_tb(exc.__traceback__))
    if isinstance(exc, UndeclaredType):
        frames = [f for f in frames if not f.filename.endswith("view.py")] or frames
        head = f"{exc} (add it to resource_types)"
    else:
        head = f"patch raised {type(exc).__name__}: {exc}"
    frame = frames[-1]
    return f"{head} ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})"


def _joined(reasons: list[str]) -> str:
    """"A is create-only" and "B is create-only" as "A, B are create-only"."""
    reasons = list(dict.fromkeys(reasons))
    suffix = " is create-only"
    if len(reasons) > 1 and all(r.endswith(suffix) for r in reasons):
        return ", ".join(r[:-len(suffix)] for r in reasons) + " are create-only"
    return "; ".join(reasons)


# ---------------------------------------------------------------- judging proposals
#
# Before anything is applied, every edit of a patch is judged against the engine's guarantees:
# no key is written beside an intrinsic function (an opaque mapping), no create-only property
# of a resource of the original template changes unless the resource is known to be stateless
# (then the change is applied and reported as a replacement), and no new top-level name takes
# a name another section holds. A refused edit takes the patch's other edits on the same
# resource (or parameter, condition...) with it, so a resource is never half fixed, and the
# names the patch added only for what was refused (its parameter, its condition) go too.

EDIT, DROP = "edit", "drop"  # verdicts only: neither is ever reported
ERROR, SKIP, ADVISE, SUPPRESSED, REPLACES = Kind.ERROR, Kind.SKIP, Kind.ADVICE, Kind.SUPPRESSED, Kind.REPLACES
NOTES = (SKIP, ADVISE, SUPPRESSED)
_ABSENT = object()


@record
class _Step:
    proposal: Proposal
    verdict: str
    path: tuple = ()
    message: str = ""  # the note's text
    replaces: tuple[str, str, str] | None = None  # (type, logical id, why) of an applied edit that replaces


def _judge(patch: Patch, proposals: list[Proposal], data: dict, suppressions: Suppressions,
           originals: dict[str, str], shared_at: Callable[[tuple], tuple[tuple, str] | None] | None = None) \
        -> list[_Step]:
    """What the engine does with each proposal of one patch, in the patch's order."""
    steps: list[_Step] = []
    refused: set[tuple] = set()
    added: dict[str, str] = {}  # new top-level names of this patch -> section
    said: set[tuple] = set()  # (verdict, path, message) of the notes so far: each is said once
    for proposal in proposals:
        if isinstance(proposal, Skip):
            steps.append(_Step(proposal, SKIP, proposal.path, proposal.reason))
            said.add((SKIP, tuple(proposal.path), proposal.reason))
            continue
        if isinstance(proposal, Advice) or patch.safety == ADVICE:
            message = proposal.message if isinstance(proposal, Advice) else getattr(proposal, "message", "")
            steps.append(_Step(proposal, ADVISE, proposal.path, message))
            said.add((ADVISE, tuple(proposal.path), message))
            continue
        path = target_path(proposal)
        reason = suppressions.resource_suppresses(path, patch)
        if reason:
            steps.append(_Step(proposal, SUPPRESSED, path, reason))
            continue
        step = _collision(proposal, data, added) or _opaque(proposal, data) or _shared(proposal, shared_at) \
            or _create_only(proposal, data, originals) or _Step(proposal, EDIT)
        if step.verdict in (SKIP, ADVISE):
            refused |= _units(proposal)
            said_as = (step.verdict, tuple(step.path), step.message)
            if said_as in said:
                step.verdict = DROP  # said once per patch
            said.add(said_as)
        steps.append(step)
    if refused or any(step.verdict == SUPPRESSED for step in steps):
        _drop_with(steps, refused, data)
    return steps


def _units(edit: Edit) -> set[tuple]:
    """What an edit belongs to: the resource (or parameter, condition, output...) it changes."""
    units = {target_path(edit)[:2]}
    if isinstance(edit, RenameKey) and len(edit.path) == 1:
        units.add((edit.path[0], edit.old))
    if isinstance(edit, SetKey) and edit.part_of is not None:  # a companion goes with its entry
        units.add(edit.part_of)
    return units


def _drop_with(steps: list[_Step], refused: set[tuple], data: dict) -> None:
    """Drop the edits on refused units, then the names added only for what was dropped or
    suppressed (a parameter no kept edit uses is a cfn-lint W2001, a condition W8001), and the
    edits that refer to a name the patch does not add after all (a dangling Ref, E1012)."""
    edits = [s for s in steps if s.verdict == EDIT]
    for step in edits:
        if _units(step.proposal) & refused:
            step.verdict = DROP
    mentions = {id(s): _mentions(s.proposal) for s in edits}
    existing: set[str] | None = None
    served = set().union(*(_mentions(s.proposal) for s in steps if s.verdict in (SKIP, ADVISE, SUPPRESSED, DROP)))
    while True:
        kept = [s for s in edits if s.verdict == EDIT]
        served |= set().union(*(mentions[id(s)] for s in edits if s.verdict == DROP))
        orphans = []
        for step in kept:
            edit = step.proposal
            if not (isinstance(edit, SetKey) and len(edit.path) == 1 and edit.key in served):
                continue
            whole = (edit.path[0], edit.key)
            if any(edit.key in mentions[id(other)] for other in kept
                   if other is not step and getattr(other.proposal, "part_of", None) != whole):
                continue  # used by a kept edit other than its own companions
            if existing is None:
                existing = _mentions(data)
            if edit.key not in existing:
                orphans.append((edit.path[0], edit.key))
        missing = _not_added(steps, data)
        users = {id(s) for s in kept if mentions[id(s)] & missing}  # they would refer to nothing
        if not orphans and not users:
            break
        for step in kept:
            if _units(step.proposal) & set(orphans) or id(step) in users:
                step.verdict = DROP
    dropped = {(s.proposal.path[0], s.proposal.key) for s in edits
               if s.verdict == DROP and isinstance(s.proposal, SetKey) and len(s.proposal.path) == 1}
    for step in steps:  # advice on what the patch would have added (how to subscribe to its topic)
        if step.verdict == ADVISE and isinstance(step.proposal, Advice) and tuple(step.path[:2]) in dropped:
            step.verdict = DROP


def _not_added(steps: list[_Step], data: dict) -> set[str]:
    """New top-level names the patch proposed that it will not add (refused, or dropped with
    what they served) and no section holds."""
    names = {s.proposal.key for s in steps if s.verdict != EDIT and isinstance(s.proposal, SetKey)
             and len(s.proposal.path) == 1}
    return {n for n in names if not any(isinstance(data.get(sec), dict) and n in data[sec] for sec in SECTIONS)}


def _mentions(value: Any) -> set[str]:
    """Names a value refers to: Ref, GetAtt, Sub, conditions (Fn::If, Condition), DependsOn, mappings."""
    if isinstance(value, SetKey | ReplaceValue | AppendItem):
        value = value.value
    elif not isinstance(value, dict | list):
        return set()
    names = set(referenced_names(value))
    for item in mappings(value):
        for key, arg in item.items():
            if key in ("Condition", "DependsOn") and isinstance(arg, str):
                names.add(arg)
            elif key == "DependsOn" and isinstance(arg, list):
                names.update(a for a in arg if isinstance(a, str))
            elif key in ("Fn::If", "Fn::FindInMap") and isinstance(arg, list) and arg and isinstance(arg[0], str):
                names.add(arg[0])
    return names


def _collision(edit: Edit, data: dict, added: dict[str, str]) -> _Step | None:
    """A new top-level name that another section holds, or that the patch also adds to
    another section (E3007-like): a bug in the patch."""
    if not (isinstance(edit, SetKey) and len(edit.path) == 1 and edit.path[0] in SECTIONS):
        return None
    mine = edit.path[0]
    holders = [other for other in SECTIONS if other != mine and isinstance(data.get(other), dict)
               and edit.key in data[other]]
    if added.get(edit.key, mine) != mine:
        holders.append(added[edit.key])
    added.setdefault(edit.key, mine)
    if not holders:
        return None
    return _Step(edit, ERROR, target_path(edit),
                 f"refusing to add {mine}.{edit.key}: {holders[0]}.{edit.key} "
                 f"{'exists' if holders[0] in data and edit.key in data[holders[0]] else 'is added too'}; "
                 "names must be unique across the template's sections")


def _opaque(edit: Edit, data: dict) -> _Step | None:
    """An edit that would add, remove or rename a key of an intrinsic function call's mapping.

    Going into the function's argument (a `Fn::Sub` string, an item of a `Fn::Join` list) is
    fine; writing a key beside `Fn::If` is not (cfn-lint E3002), whatever the form in the file.
    """
    keyed = isinstance(edit, SetKey | DeleteKey | RenameKey)
    node: Any = data
    for depth, step in enumerate(edit.path):
        name = intrinsic_name(node)
        if name is not None and step != name:
            break  # a key beside the function: refused below
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None  # created by this edit: a new mapping is never an intrinsic
    else:
        depth = len(edit.path)
        name = intrinsic_name(node) if keyed else None
    if name is None:
        return None
    where = dotted(edit.path[:depth])
    return _Step(edit, SKIP, edit.path[:depth], f"{where} is an {name}; left alone")


def _shared(edit: Edit, shared_at: Callable[[tuple], tuple[tuple, str] | None] | None) -> _Step | None:
    """An edit inside YAML anchored or aliased content: it would change every copy of it."""
    found = shared_at(target_path(edit)) if shared_at is not None else None
    if found is None:
        return None
    where, anchor = found
    name = f" (&{anchor})" if anchor else ""
    return _Step(edit, SKIP, where, f"{dotted(where)} is YAML anchored or aliased content{name}; an edit there "
                                    "would change every copy of it; left alone")


def _original_types(data: dict) -> dict[str, str]:
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return {}
    return {rid: res.get("Type") for rid, res in resources.items()
            if isinstance(res, dict) and isinstance(res.get("Type"), str)}


def _create_only(edit: Edit, data: dict, originals: dict[str, str]) -> _Step | None:
    """An edit that changes a create-only property of a resource of the original template
    (which replaces it on update): refused as advice, or applied with a note where the type
    is known to be stateless. Resources this run adds are never judged."""
    if not edit.path or edit.path[0] != "Resources":
        return None
    if len(edit.path) == 1:
        return _resource_replaced(edit, data, originals)
    rid = edit.path[1]
    rtype = originals.get(rid)
    paths = _create_only_paths(rtype) if rtype is not None else None
    if not paths or _type_of(data, rid) != rtype:
        return None
    hits = [prop for loc, old, new in _changes(edit, data) for prop in _create_only_hits(rid, loc, old, new, paths)]
    if not hits:
        return None
    if stateless(rtype, data["Resources"][rid]):
        names = ", ".join(dict.fromkeys(".".join(p) for p in hits))
        return _Step(edit, EDIT, replaces=(rtype, rid, f"{names} {'is' if ',' not in names else 'are'} create-only"))
    where = ", ".join(dict.fromkeys(f"Resources.{rid}.Properties.{'.'.join(p)}" for p in hits))
    return _Step(edit, ADVISE, ("Resources", rid, "Properties", *hits[0]),
                 f"{where} {'is' if len(hits) == 1 else 'are'} create-only: changing it replaces {rtype} {rid} "
                 "(a new physical resource, the old one deleted); left alone")


@cache
def _create_only_table() -> ModuleType:
    """The create-only and stateless tables (a large generated module), imported when an edit is first judged."""
    from . import create_only

    return create_only


@record(frozen=True)
class _CreateOnly:
    """A type's create-only paths below Properties, in the table's order, and those of each
    first step (the property they are of), in the same order: an edit of one property (Tags)
    is held against that property's paths only, not every path of the type."""

    every: tuple[tuple[str, ...], ...]  # never empty: a type without paths has no table
    by_property: dict[str, tuple[tuple[str, ...], ...]]


@cache
def _create_only_paths(rtype: str) -> _CreateOnly | None:
    paths = _create_only_table().CREATE_ONLY.get(rtype, ())
    if not paths:
        return None
    by_property: dict[str, list[tuple[str, ...]]] = {}
    for path in paths:
        by_property.setdefault(path[0], []).append(path)
    return _CreateOnly(tuple(paths), {name: tuple(group) for name, group in by_property.items()})


def _resource_replaced(edit: Edit, data: dict, originals: dict[str, str]) -> _Step | None:
    """Renaming (or deleting) a resource of the original template replaces (or deletes) it."""
    if isinstance(edit, RenameKey):
        rid, verb = edit.old, "renaming it replaces"
    elif isinstance(edit, DeleteKey):
        rid, verb = edit.key, "removing it deletes"
    else:
        return None
    rtype = originals.get(rid)
    if rtype is None or _type_of(data, rid) != rtype:
        return None
    if stateless(rtype, data["Resources"][rid]):
        return _Step(edit, EDIT, replaces=(rtype, rid, f"a new logical id ({edit.new})")) \
            if isinstance(edit, RenameKey) else None
    return _Step(edit, ADVISE, ("Resources", rid), f"Resources.{rid}: {verb} {rtype} {rid}; left alone")


def _type_of(data: dict, rid: Any) -> Any:
    res = data.get("Resources", {}).get(rid) if isinstance(data.get("Resources"), dict) else None
    return res.get("Type") if isinstance(res, dict) else None


def stateless(rtype: str, resource: dict) -> bool:
    """Whether replacing the resource loses nothing (create_only.STATELESS): the engine then
    reports a create-only edit as `replaces`, and the semantic check of translated templates
    (semantics.replacements) accepts it."""
    table = _create_only_table().STATELESS
    if rtype not in table:
        return False
    rule = table[rtype]
    if rule is None:
        return True
    prop, values = rule
    value = TemplateView.props(resource).get(prop)
    return isinstance(value, str) and value.lower() in values


def _changes(edit: Edit, data: dict) -> list[tuple[tuple, Any, Any]]:
    """(path, value before, value after) of what an edit writes; _ABSENT where there is none."""
    if isinstance(edit, SetKey):
        return [(edit.path + (edit.key,), _at(data, edit.path + (edit.key,)), edit.value)]
    if isinstance(edit, ReplaceValue):
        return [(edit.path, _at(data, edit.path), edit.value)]
    if isinstance(edit, DeleteKey):
        return [(edit.path + (edit.key,), _at(data, edit.path + (edit.key,)), _ABSENT)]
    if isinstance(edit, RenameKey):
        value = _at(data, edit.path + (edit.old,))
        return [(edit.path + (edit.old,), value, _ABSENT), (edit.path + (edit.new,), _at(data, edit.path + (edit.new,)), value)]
    seq = _at(data, edit.path)
    return [(edit.path + (len(seq) if isinstance(seq, list) else 0,), _ABSENT, edit.value)]


def _at(data: Any, path: tuple) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return _ABSENT
    return data


def _create_only_hits(rid: str, loc: tuple, old: Any, new: Any, table: _CreateOnly) -> list[tuple]:
    """The create-only property paths whose value a change at `loc` (old -> new) alters."""
    if len(loc) == 2:  # the whole resource written anew
        old = old.get("Properties", _ABSENT) if isinstance(old, dict) else _ABSENT
        new = new.get("Properties", _ABSENT) if isinstance(new, dict) else _ABSENT
        rel: tuple = ()
    elif loc[2] == "Properties":
        rel = loc[3:]
    else:
        return []  # Metadata, DependsOn...: not a property
    # Below one property, only its paths can match (a path's first step is a property name,
    # never "*"); an item index there (Properties written as a list) is held against them all.
    paths = table.by_property.get(rel[0], ()) if rel and isinstance(rel[0], str) else table.every
    hits = []
    for prop in paths:
        if len(rel) >= len(prop):
            if _matches(prop, rel[:len(prop)]) and old != new:
                hits.append(prop)
        elif _matches(prop[:len(rel)], rel) and _pick(old, prop[len(rel):]) != _pick(new, prop[len(rel):]):
            hits.append(prop)
    return hits


def _matches(prop: tuple, rel: tuple) -> bool:
    return all(p == r or (p == "*" and isinstance(r, int)) for p, r in zip(prop, rel, strict=True))


def _pick(value: Any, rest: tuple) -> list:
    """The values at `rest` below `value` ("*" for every item of a list), _ABSENT where missing."""
    if not rest:
        return [value]
    step, more = rest[0], rest[1:]
    if step == "*":
        return [v for item in value for v in _pick(item, more)] if isinstance(value, list) else [_ABSENT]
    if isinstance(value, dict) and step in value:
        return _pick(value[step], more)
    return [_ABSENT]


def _note(patch: Patch, kind: str, path: tuple, doc: Document, message: str) -> Change:
    return Change(patch.id, patch.safety, kind, path, doc.line_of(path), message,
                  in_scope(tuple(patch.resolves), resource_type(doc.data, path)))


def _verify(doc: Document, output: str, patches: list[Patch], originals: dict[str, str]) -> str | None:
    """None when the output parses, holds exactly the intended data, and is stable."""
    from . import fastload  # imported only when a repair is verified (PyYAML only without ruamel.yaml.clibz)

    ids = ", ".join(sorted({p.id for p in patches}))
    try:
        data = fastload.load_data(output, doc.fmt)
    except Exception as exc:  # the spliced text must parse; anything else is our bug
        data = _read_as_loaded(doc, output)  # a template's data, never None
        if data is None:
            return f"internal error: repaired text does not parse ({str(exc).splitlines()[0]}); patches: {ids}"
    if data != doc.data:
        return f"internal error: repaired data differs from the intended data ({_explain(doc.data, data)})"
    view = TemplateView(data)
    suppressions = Suppressions(data)
    for patch in patches:
        if patch.safety == ADVICE or suppressions.template_ignores(patch):
            continue
        view.start_patch(patch)
        try:
            proposals = list(patch.propose(view))
        except Exception:  # reported on the first pass already
            continue
        if not proposals:
            continue
        again = [s.proposal for s in _judge(patch, proposals, data, suppressions, originals, _sharing(doc))
                 if s.verdict == EDIT]
        if again:
            return f"internal error: patch {patch.id} is not idempotent (proposes {dotted(target_path(again[0]))} again)"
    return None


def _read_as_loaded(doc: Document, output: str) -> Any:
    """The output's data read by the loader that read the source, where the verifying parser
    (libyaml) refuses the source itself: YAML that libyaml reads more strictly than ruamel.yaml,
    as an anchor of other than word characters (`&"a"`). Its refusal then says nothing of the
    splices. None where libyaml reads the source, or where the output fails this loader too."""
    from . import fastload

    try:
        fastload.load_data(doc.source, doc.fmt)
        return None  # libyaml reads the source: its refusal of the output is the splices' doing
    except Exception:  # noqa: BLE001 - nor the source: read the output as the source was read
        pass
    try:
        return parse(output.replace("\r", "\n") if doc.cr_only else output, doc.path).data
    except Exception:  # noqa: BLE001 - the output does not parse for either reader
        return None


def _explain(intended: Any, actual: Any) -> str:
    from deepdiff import DeepDiff  # only on the failure path: it is slow to import

    diff = DeepDiff(intended, actual, verbose_level=1)
    return diff.pretty().replace("\n", "; ")[:400] if diff else "types differ"
