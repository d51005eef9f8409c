"""A template as AWS will deploy it: SAM translated, resources read without mutation."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from ..record import record
from ..values import getatt_target, ref_target, sub_parts, sub_replace, sub_variables
from ..view import SAM_TRANSFORM


@record(frozen=True)
class Reference:
    """One place that refers to a resource: `source` resource (or "Outputs.X"), its path, how."""

    source: str
    path: tuple
    target: str
    attribute: str | None  # GetAtt / ${X.Attr} attribute; None for Ref / ${X}


@record(frozen=True)
class Violation:
    """One broken promise: which invariant, on which resource, and what a user would see."""

    invariant: str
    resource: str
    message: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.invariant, self.resource, self.message)

    def __str__(self) -> str:
        return f"{self.invariant}: {self.resource}: {self.message}"


class Deployed:
    """The template's data, and (for SAM) what aws-sam-translator turns it into.

    `raw` is the template as written. `resources` are the resources CloudFormation will
    create: the translated ones for a SAM template when the translator is installed and
    accepts it, else the written ones (`translated` says which; `translation_error` why not,
    reported once by the sam_translates invariant). Nothing here mutates `raw`.

    Answered once for every invariant: who refers to a resource (`references_to`: Ref, GetAtt
    and Sub variables, in resources and outputs) and whether a condition holds with every
    parameter at its default (`condition_value`, `exists_by_default`).
    """

    def __init__(self, data: dict) -> None:
        self.raw = data
        self._translated: dict | None = None
        self._translation_error: str | None = None
        self._done = False
        self._references: list[Reference] | None = None
        self._by_target: dict[str, list[Reference]] | None = None

    @property
    def is_sam(self) -> bool:
        transform = self.raw.get("Transform")
        names = transform if isinstance(transform, list) else [transform]
        return SAM_TRANSFORM in names

    def _translate(self) -> None:
        if self._done:
            return
        self._done = True
        if not self.is_sam:
            return
        from ._sam import translate  # the translator is an optional dependency

        self._translated, self._translation_error = translate(self.raw)

    @property
    def translated(self) -> bool:
        self._translate()
        return self._translated is not None

    @property
    def translation_error(self) -> str | None:
        self._translate()
        return self._translation_error

    @property
    def template(self) -> dict:
        """The translated template where there is one, else the written one."""
        self._translate()
        return self._translated if self._translated is not None else self.raw

    def section(self, name: str) -> dict:
        value = self.template.get(name)
        return value if isinstance(value, dict) else {}

    @property
    def resources(self) -> dict:
        return self.section("Resources")

    def of_type(self, *types: str) -> Iterator[tuple[str, dict]]:
        for rid, res in self.resources.items():
            if isinstance(res, dict) and res.get("Type") in types:
                yield rid, res

    def resource(self, rid: str) -> dict:
        res = self.resources.get(rid)
        return res if isinstance(res, dict) else {}

    def type_of(self, rid: str) -> str | None:
        kind = self.resource(rid).get("Type")
        return kind if isinstance(kind, str) else None

    # ------------------------------------------------------------ references

    def references(self) -> list[Reference]:
        """Every Ref, GetAtt and Sub variable naming a resource, in resources and outputs (built once)."""
        if self._references is None:
            found: list[Reference] = []
            for rid, res in self.resources.items():
                found.extend(r for r in refs(res, str(rid)) if r.target in self.resources)
            for oid, out in self.section("Outputs").items():
                found.extend(r for r in refs(out, f"Outputs.{oid}") if r.target in self.resources)
            self._references = found
        return self._references

    def references_to(self, rid: str) -> list[Reference]:
        """The places that refer to resource `rid`, in template order."""
        if self._by_target is None:
            index: dict[str, list[Reference]] = {}
            for r in self.references():
                index.setdefault(r.target, []).append(r)
            self._by_target = index
        return self._by_target.get(rid, [])

    @staticmethod
    def target(value: Any) -> tuple[str, str | None] | None:
        """(logical id, attribute) when the whole value is one reference: Ref, GetAtt, "${X}" or "${X.Arn}"."""
        return target_of(value)

    # ------------------------------------------------------------ conditions

    def condition_of(self, rid: str) -> str | None:
        cond = self.resource(rid).get("Condition")
        return cond if isinstance(cond, str) else None

    def parameter_default(self, name: str) -> Any:
        param = self.section("Parameters").get(name)
        return param.get("Default") if isinstance(param, dict) else None

    def condition_value(self, name: str) -> bool | None:
        """The condition's value with every parameter at its default; None when it cannot be told."""
        return self._evaluate({"Condition": name}, set())

    def exists_by_default(self, rid: str) -> bool | None:
        """Whether the resource is created when the stack is deployed with the defaults."""
        cond = self.condition_of(rid)
        return True if cond is None else self.condition_value(cond)

    def _evaluate(self, expr: Any, seen: set[str]) -> bool | None:
        if isinstance(expr, bool):
            return expr
        if not isinstance(expr, dict) or len(expr) != 1:
            return None
        (fn, arg), = expr.items()
        if fn == "Condition" and isinstance(arg, str):
            body = self.section("Conditions").get(arg)
            return None if arg in seen or body is None else self._evaluate(body, seen | {arg})
        args = arg if isinstance(arg, list) else None
        if args is None:
            return None
        if fn == "Fn::Equals" and len(args) == 2:
            a, b = (self._scalar(v) for v in args)
            return None if a is None or b is None else a == b
        values = [self._evaluate(v, seen) for v in args]
        if fn == "Fn::Not" and len(values) == 1:
            return None if values[0] is None else not values[0]
        if fn == "Fn::And":
            return False if False in values else (None if None in values else True)
        if fn == "Fn::Or":
            return True if True in values else (None if None in values else False)
        return None

    def _scalar(self, value: Any) -> str | None:
        """A literal, or a parameter's default, as CloudFormation compares them (strings)."""
        name = ref_target(value)
        if name is not None:
            value = self.parameter_default(name)
        if isinstance(value, bool):
            return str(value).lower()
        return str(value) if isinstance(value, (str, int, float)) else None

    @staticmethod
    def props(resource: Any) -> dict:
        value = resource.get("Properties") if isinstance(resource, dict) else None
        if not isinstance(value, dict):
            return {}
        if len(value) == 1 and isinstance(next(iter(value)), str) and next(iter(value)).startswith("Fn::"):
            return {}  # an intrinsic function: opaque
        return value


def target_of(value: Any) -> tuple[str, str | None] | None:
    """(logical id, attribute) when the whole value is one reference, else None."""
    name = ref_target(value)
    if name is not None:
        return name, None
    att = getatt_target(value)
    if att is not None:
        return att
    parts = sub_parts(value)
    if parts is not None:
        variable = _whole_variable(parts[0])
        if variable is not None and variable not in parts[1]:
            name, _, attribute = variable.partition(".")
            return name, attribute or None
    return None


def _whole_variable(text: str) -> str | None:
    """X or X.Attr when a Sub text is nothing but `${X}` or `${X.Attr}` (white space around it aside)."""
    variables = list(sub_variables(text))
    return variables[0] if len(variables) == 1 and not sub_replace(text, lambda _: "").strip() else None


def refs(value: Any, source: str, path: tuple = ()) -> Iterator[Reference]:
    """Every reference inside `value`: Ref, GetAtt (both forms) and Sub variables (not ${!x})."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from refs(item, source, path + (i,))
        return
    if not isinstance(value, dict):
        return
    name = ref_target(value)
    if name is not None:
        yield Reference(source, path, name, None)
        return
    att = getatt_target(value)
    if att is not None:
        yield Reference(source, path, att[0], att[1])
        return
    parts = sub_parts(value)
    if parts is not None:
        text, local = parts
        for variable in sub_variables(text):
            name, _, attribute = variable.partition(".")
            if name not in local:
                yield Reference(source, path, name, attribute or None)
        for key, item in local.items():
            yield from refs(item, source, path + ("Fn::Sub", 1, key))
        return
    for key, item in value.items():
        yield from refs(item, source, path + (key,))


def plain(data: Any) -> Any:
    """A JSON-only deep copy (ruamel scalars and tuples become plain Python values)."""
    return json.loads(json.dumps(data, default=str))


def deep(data: Any) -> Any:
    return copy.deepcopy(data)
