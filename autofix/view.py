"""Read-only access to a template for patches. Intrinsics are already in long form."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Hashable, Iterable, Iterator
from functools import cache
from itertools import islice
from typing import Any, TypeVar

from .edits import Need, SetKey, singular
from .suppress import Suppressions
from .values import first_free, referenced_names

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_LOGICAL_ID = re.compile(r"[^A-Za-z0-9]")
# The sections whose entries have names; a new name must be free in all of them.
SECTIONS = ("Resources", "Parameters", "Conditions", "Outputs", "Mappings")
T = TypeVar("T")


def _type(resource: Any) -> Any:
    return resource.get("Type") if isinstance(resource, dict) else None


class UndeclaredType(Exception):
    """A patch asked the view for resources of a type its `resource_types` does not declare."""

    def __init__(self, patch_id: str, types: list[str]) -> None:
        super().__init__(f"{patch_id} reads {', '.join(types)}, which its resource_types do not declare")


def intrinsic_name(value: Any) -> str | None:
    """The function a mapping calls (`Fn::If`, `Ref`...) when its only key is one, else None.

    Such a mapping is opaque: keys written beside the function are invalid (cfn-lint E3002).
    """
    if not isinstance(value, dict) or len(value) != 1:
        return None
    key = next(iter(value))
    return key if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::")) else None


class TemplateView:
    """What a patch may read. Patches must not mutate what it returns."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self._taken: set[str] = set()
        self._refs: dict[str, list[str]] | None = None
        # The names each resource refers to, read once per resource until the data changes:
        # `referrers`, `depends_transitively` and the IAM dependency graph all walk them.
        self._names: dict[str, tuple[Any, frozenset[str]]] = {}  # logical id -> (resource, names)
        # Resources by type, in file order, so `of_type` costs what it returns, not the
        # whole Resources section (patches call it inside per-resource loops).
        self._types: dict[str, list[tuple[str, dict]]] | None = None
        # Logical id -> (position in the file, to merge types; the mapping and Type it was filed under).
        self._filed: dict[str, tuple[int, Any, Any]] = {}
        self._types_of: tuple[Any, int] | None = None  # (the Resources mapping, its len) indexed
        self._memo: dict[Any, Any] = {}
        # Filled by the engine as patches run: resources added, and resources changed,
        # by earlier patches in this run (empty on a template nothing has touched yet).
        self.created: set[str] = set()
        self.changed: set[str] = set()
        # Top-level entries the running patch has proposed but the engine has not applied yet,
        # by (section, name): needed twice, an entry is added once (see `need`).
        self.pending: dict[tuple[str, str], Any] = {}
        # Top-level entries earlier patches of this run added, by (section, name): the patch id.
        self.declared: dict[tuple[str, str], str] = {}
        self._suppressions: Suppressions | None = None
        # Resource types asked for with `of_type` since the running patch started. The engine
        # bounds them by the patch's `resource_types` (`start_patch`); None reads every type.
        self.types_read: set[str] = set()
        self._patch_id = ""
        self._bound: frozenset[str] | None = None
        self._memo_types: dict[Any, frozenset[str]] = {}
        self._suppressed: dict[tuple[str, str], bool] = {}

    # ------------------------------------------------------------ sections

    def section(self, name: str) -> dict:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    @property
    def resources(self) -> dict:
        value = self.data.get("Resources")  # section("Resources"), asked for most often of all
        return value if isinstance(value, dict) else {}

    @property
    def parameters(self) -> dict:
        return self.section("Parameters")

    @property
    def conditions(self) -> dict:
        return self.section("Conditions")

    @property
    def outputs(self) -> dict:
        return self.section("Outputs")

    @property
    def is_sam(self) -> bool:
        transform = self.data.get("Transform")
        names = transform if isinstance(transform, list) else [transform]
        return SAM_TRANSFORM in names

    def globals(self, kind: str) -> dict:
        """SAM `Globals.<kind>` (Function, Api, HttpApi, ...), or {} (also when it is an intrinsic)."""
        return self.mapping(self.section("Globals").get(kind))

    # ------------------------------------------------------------ resources

    def of_type(self, *types: str) -> Iterator[tuple[str, dict]]:
        """(logical id, resource) for every resource of the given types, in file order; a type the
        running patch does not declare in `resource_types` raises UndeclaredType."""
        self._read(types)
        index = self._type_index()
        if len(types) == 1:
            return iter(index.get(types[0], ()))
        found = [item for t in set(types) for item in index.get(t, ())]
        filed = self._filed
        found.sort(key=lambda item: filed[item[0]][0])  # file order
        return iter(found)

    def has_any(self, types: tuple[str, ...]) -> bool:
        """Some resource is of one of `types` (a read of them, as `of_type`): a patch with nothing
        of its types to repair returns before it builds anything."""
        self._read(types)
        index = self._type_index()
        return any(t in index for t in types)

    def _read(self, types: tuple[str, ...] | frozenset[str]) -> None:
        self.types_read.update(types)
        if self._bound is not None and not self._bound.issuperset(types):
            raise UndeclaredType(self._patch_id, sorted(set(types) - self._bound))

    def _type_index(self) -> dict[str, list[tuple[str, dict]]]:
        resources = self.data.get("Resources")
        indexed = self._types_of
        if self._types is not None and indexed is not None and indexed[0] is resources \
                and indexed[1] == len(resources):
            return self._types
        resources = self.resources
        index: dict[str, list[tuple[str, dict]]] = {}
        filed = {}
        for pos, (rid, res) in enumerate(resources.items()):
            kind = _type(res)
            filed[rid] = (pos, res, kind)
            if isinstance(kind, str):
                index.setdefault(kind, []).append((rid, res))
        self._types, self._types_of, self._filed = index, (resources, len(resources)), filed
        return index

    def _refiled(self, rids: list[str]) -> bool:
        """The type index updated for `rids`, each the mapping of the Type it was filed under or
        new at the end of Resources (as the editor adds them); False when a resource went,
        changed Type or was replaced (the index is then built again)."""
        resources, filed = self.resources, self._filed
        if self._types is None or self._types_of is None or self._types_of[0] is not resources:
            return False
        new = [rid for rid in dict.fromkeys(rids) if rid not in filed]
        for rid in rids:
            known, res = filed.get(rid), resources.get(rid)
            if known is not None and (known[1] is not res or known[2] != _type(res)):
                return False
        if len(resources) != len(filed) + len(new):
            return False  # one went (or was renamed) as well
        added = list(islice(reversed(resources), len(new)))[::-1]
        if set(added) != set(new):
            return False
        for rid in added:
            res, kind = resources[rid], _type(resources[rid])
            filed[rid] = (len(filed), res, kind)
            if isinstance(kind, str):
                self._types.setdefault(kind, []).append((rid, res))
        self._types_of = (resources, len(resources))
        return True

    def type_of(self, rid: str) -> str | None:
        res = self.resources.get(rid)
        return res.get("Type") if isinstance(res, dict) else None

    @staticmethod
    def props(resource: dict) -> dict:
        """A resource's literal Properties, or {} (none, or an intrinsic such as `!If`: see `opaque`)."""
        return TemplateView.mapping(resource.get("Properties"))

    @staticmethod
    def mapping(value: Any) -> dict:
        """`value` when it is a literal mapping, else {}: an intrinsic function call (`{Fn::If: [...]}`,
        `!Ref X`) is not a mapping whose keys a patch may read or add to."""
        if not isinstance(value, dict) or (len(value) == 1 and intrinsic_name(value) is not None):
            return {}
        return value

    def opaque(self, rid: str) -> str | None:
        """Why resource `rid` cannot be read and must be left alone (its Properties are an
        intrinsic function, in long or short form), or None."""
        res = self.resources.get(rid)
        name = intrinsic_name(res.get("Properties")) if isinstance(res, dict) else None
        return None if name is None else f"Resources.{rid}.Properties is an {name}; left alone"

    def has_prop(self, resource: dict, name: str, globals_kind: str | None = None) -> bool:
        """Set on the resource, or (for SAM) in its Globals section."""
        if name in self.props(resource):
            return True
        return globals_kind is not None and self.is_sam and name in self.globals(globals_kind)

    def get(self, path: tuple, default: Any = None) -> Any:
        node: Any = self.data
        for step in path:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                return default
        return node

    def memo(self, build: Callable[..., T], *args: Hashable) -> T:
        """`build(view, *args)`, computed once until the data changes, then shared.

        For the indexes a patch would otherwise recompute inside a per-resource loop (the
        aliases of every function, the policies of every bucket): a helper that scans all
        resources once and returns a mapping, called as `view.memo(helper)[rid]`, keeps the
        patch linear in the template's size; with arguments, for an answer asked again and
        again of the same resources (`view.memo(blocked, fn, caller)`). Keyed by the function
        itself (and the arguments), so helpers of different patches never collide. The value
        must not be mutated.
        """
        key: Any = (build, args) if args else build
        if key in self._memo:
            self._read(self._memo_types[key])  # what it read counts as read by every patch using it
            return self._memo[key]
        outer, self.types_read = self.types_read, set()
        try:
            value = self._memo[key] = build(self, *args)
            self._memo_types[key] = frozenset(self.types_read)
        finally:
            self.types_read = outer | self.types_read
        return value

    def start_patch(self, patch: Any = None) -> None:
        """Called by the engine before each patch proposes: what the last one proposed is either
        in the data now or was not applied. With `patch`, `of_type` answers only for the types
        it declares in `resource_types` ("*" for every type)."""
        self.pending.clear()
        self.types_read.clear()
        self._patch_id = getattr(patch, "id", "")
        self._bound = None if patch is None else _bound_of(type(patch))

    def invalidate(self, resources: Iterable[str] | None = None) -> None:
        """Forget cached indexes after the data changed. `resources`, when given, names every
        resource the edits added, changed, replaced or removed (a renamed one by its new id): what
        the others refer to is kept, and the type index is brought up to date while resources were
        only edited in place or added (the engine passes the resources of the changes it applied)."""
        self._refs = None
        self._memo.clear()
        self._memo_types.clear()
        self._suppressed.clear()
        if resources is None:
            self._names.clear()
            self._types = None
            return
        touched = list(resources)
        for rid in touched:
            self._names.pop(rid, None)
        if not self._refiled(touched):
            self._types = None

    # ------------------------------------------------------------ references

    def references(self, rid: str) -> frozenset[str]:
        """The names resource `rid`'s definition refers to (Ref, GetAtt, Sub); empty for no resource."""
        res = self.resources.get(rid)
        known = self._names.get(rid)
        if known is not None and known[0] is res:
            return known[1]
        names = frozenset(referenced_names(res))
        self._names[rid] = (res, names)
        return names

    def in_file_order(self, rids: Iterable[str]) -> list[str]:
        """Logical ids of this template's resources, once each, in the order the file holds them
        (a union of several `referrers` lists, say)."""
        self._type_index()  # files every resource with its place
        filed = self._filed
        return sorted(set(rids), key=lambda rid: filed[rid][0])

    def referrers(self, name: str) -> list[str]:
        """Logical ids of resources whose definition refers to `name`, in file order."""
        if self._refs is None:
            refs: dict[str, list[str]] = {}
            for rid in self.resources:
                for target in self.references(rid):
                    refs.setdefault(target, []).append(rid)
            self._refs = refs
        return self._refs.get(name, [])

    def depends_on(self, resource: dict) -> list[str]:
        value = resource.get("DependsOn")
        if isinstance(value, str):
            return [value]
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    def depends_transitively(self, start: str, target: str) -> bool:
        """Resource `start` refers to `target`, directly or through other resources (Ref, GetAtt,
        Sub, DependsOn)."""
        seen, stack = {start}, [start]
        while stack:
            rid = stack.pop()
            res = self.resources.get(rid)
            if not isinstance(res, dict):
                continue
            for name in self.references(rid) | set(self.depends_on(res)):
                if name == target:
                    return True
                if name not in seen and name in self.resources:
                    seen.add(name)
                    stack.append(name)
        return False

    # ------------------------------------------------------------ conditions

    def same_condition(self, a: str, b: str) -> bool:
        """Resources `a` and `b` exist in the same stacks: both unconditional or under one condition."""
        return self.resources[a].get("Condition") == self.resources[b].get("Condition")

    def may_refer(self, holder: str, target: str) -> bool:
        """`holder` can refer to `target` in every stack it exists in: `target` is unconditional or
        under `holder`'s condition."""
        condition = self.resources[target].get("Condition")
        return condition is None or condition == self.resources[holder].get("Condition")

    # ------------------------------------------------------------ suppressions

    def suppressed(self, rid: str, patch: Any) -> bool:
        """Resource `rid` opts out of `patch` (cfn-fix's ignore, or a scanner skip of what the patch
        resolves): a patch leaves it alone and creates nothing to serve it."""
        key = (rid, patch.id)
        if key not in self._suppressed:
            if self._suppressions is None:
                self._suppressions = Suppressions(self.data)
            path = ("Resources", rid, "Properties")
            self._suppressed[key] = self._suppressions.resource_suppresses(path, patch) is not None
        return self._suppressed[key]

    # ------------------------------------------------------------ needs

    def need(self, need: Need) -> Generator[SetKey, None, str]:
        """`name = yield from view.need(need)`: the name to use for what `need` asks, yielding the
        edit that declares it when no entry of this template (or of an earlier patch of this
        run, or of this patch) serves it already. Two patches needing one parameter, condition or
        resource get one entry; a need an entry of the asked-for name cannot serve gets the first
        free (or serving) variant, and its message says why."""
        chosen, new, why = self._choose(need)
        if new and need.parts is not None:
            yield from self._declare_parts(need.parts(chosen), (need.section, chosen), why)
        elif new:
            self.pending[(need.section, chosen)] = need.value
            yield need.edit(chosen, why)
        return chosen

    def _declare_parts(self, parts: Generator[Need, str, None], whole: tuple[str, str], why: str) \
            -> Iterator[SetKey]:
        """The edits of a new need with parts: its own entry (`whole`), each companion as a need of
        its own (part of it), every message closed with why `whole` is not the asked-for name."""
        try:
            part = next(parts)
            while True:
                if (part.section, part.name) == whole:
                    name, new, own, of = whole[1], True, "", None
                else:
                    (name, new, own), of = self._choose(part), whole
                if new:
                    self.pending[(part.section, name)] = part.value
                    yield part.edit(name, "; ".join(w for w in (why, own) if w), of)
                part = parts.send(name)
        except StopIteration:
            return

    def need_into(self, need: Need, proposals: list) -> str:
        """`need` for a builder that returns its proposals as a list: the declaring edit, if any,
        is appended to `proposals`; returns the name."""
        steps = self.need(need)
        while True:
            try:
                proposals.append(next(steps))
            except StopIteration as stop:
                return stop.value

    def need_name(self, need: Need) -> str:
        """The name `need` would get, without declaring it (for a patch that builds its edits
        first and declares the need only if one of them uses it)."""
        return self._choose(need)[0]

    def _choose(self, need: Need) -> tuple[str, bool, str]:
        """(the name to use, whether to add it, why it is not the asked-for name, or "")."""
        base = _LOGICAL_ID.sub("", need.name)[:240] or "CfnFix"
        reason = ""
        candidate, n = base, 2
        while True:
            why = self._unfit(need, candidate)
            if why is None:
                return candidate, False, ""
            if why == "":
                return candidate, True, reason
            reason = reason or f"{candidate} {why}"
            candidate, n = f"{base}{n}", n + 1

    def _unfit(self, need: Need, name: str) -> str | None:
        """None when `name` holds an entry that serves `need`, "" when it is free, else why not."""
        section = need.section
        if (section, name) in self.pending:  # this patch needs it already
            return None if need.unfit(self.pending[(section, name)]) is None else "is needed otherwise"
        holder = self.name_holder(name)
        if holder is None:
            return ""
        if holder != section:
            return "names a resource" if holder == "Resources" else \
                "is a name this run reserved" if holder == "reserved" else f"is in {holder}"
        why = need.unfit(self.section(section)[name])
        by = self.declared.get((section, name))
        if by is None:  # a template's own entry cannot vouch for the parts a need declares with it
            return f"is the template's own {singular(section)}" if why is None and need.parts else why
        return None if why is None else f"(added by {by}) {why}"

    # ------------------------------------------------------------ naming

    def unique_id(self, base: str) -> str:
        """A logical id derived from `base` that no section uses (and reserve it)."""
        base = _LOGICAL_ID.sub("", base)[:240] or "CfnFix"
        candidate = first_free(base, self.is_taken)
        self._taken.add(candidate)
        return candidate

    def is_taken(self, name: str) -> bool:
        """A section of the template holds `name`, or this run reserved or is about to add it."""
        if name in self._taken or any(name == n for _, n in self.pending):
            return True
        return any(name in self.section(s) for s in SECTIONS)

    def name_holder(self, name: str) -> str | None:
        """The section that holds (or the run reserved) top-level name `name`, else None."""
        for section in SECTIONS:
            if name in self.section(section) or (section, name) in self.pending:
                return section
        return "reserved" if name in self._taken else None


@cache
def _bound_of(patch_class: type) -> frozenset[str] | None:
    """The types a patch class may read with `of_type` (None: every type), made once per class
    rather than once per run of every patch on every template."""
    types = tuple(getattr(patch_class, "resource_types", ()) or ())
    return None if "*" in types else frozenset(types)
