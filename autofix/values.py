"""Build and read intrinsic-function values; the renderer writes them in the file's form."""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterator
from typing import Any

NO_VALUE = {"Ref": "AWS::NoValue"}
_SUB_VAR = re.compile(r"\$\{(?!!)([^}]+)\}")


def ref(name: str) -> dict:
    return {"Ref": name}


def get_att(resource: str, attribute: str) -> dict:
    return {"Fn::GetAtt": [resource, attribute]}


def sub(text: str, variables: dict | None = None) -> dict:
    return {"Fn::Sub": [text, variables] if variables else text}


def if_(condition: str, then: Any, otherwise: Any) -> dict:
    return {"Fn::If": [condition, then, otherwise]}


def equals(a: Any, b: Any) -> dict:
    return {"Fn::Equals": [a, b]}


def not_(condition: Any) -> dict:
    return {"Fn::Not": [condition]}


def is_intrinsic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and (key == "Ref" or key == "Condition" or key.startswith("Fn::"))


def ref_target(value: Any) -> str | None:
    """The logical id or parameter a `Ref` points at, else None."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
        return value["Ref"]
    return None


def getatt_target(value: Any) -> tuple[str, str] | None:
    """(resource, attribute) of a `Fn::GetAtt` in any of its forms, else None."""
    if not isinstance(value, dict) or len(value) != 1 or "Fn::GetAtt" not in value:
        return None
    arg = value["Fn::GetAtt"]
    if isinstance(arg, str) and "." in arg:
        resource, _, attribute = arg.partition(".")
        return resource, attribute
    if isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg):
        return arg[0], arg[1]
    return None


def sub_parts(value: Any) -> tuple[str, dict] | None:
    """The text and local variables of a `Fn::Sub` (either form), else None."""
    if not isinstance(value, dict) or len(value) != 1 or "Fn::Sub" not in value:
        return None
    arg = value["Fn::Sub"]
    if isinstance(arg, str):
        return arg, {}
    if isinstance(arg, list) and arg and isinstance(arg[0], str):
        return arg[0], arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {}
    return None


def sub_variables(text: str) -> Iterator[str]:
    """The variables of a `Fn::Sub` string as written: `${X}` gives X, `${X.Attr}` gives X.Attr;
    `${!Literal}` is text, not a variable."""
    for match in _SUB_VAR.finditer(text):
        yield match.group(1).strip()


def sub_names(text: str) -> Iterator[str]:
    """Names a `Fn::Sub` string refers to: `${X}` gives X, `${X.Attr}` gives X."""
    for variable in sub_variables(text):
        yield variable.split(".", 1)[0]


def sub_replace(text: str, replace: Callable[[str], str | None]) -> str:
    """`text` with each `${variable}` replaced by `replace(variable)`; None keeps it as written."""
    def swap(match: re.Match) -> str:
        new = replace(match.group(1).strip())
        return match.group(0) if new is None else new

    return _SUB_VAR.sub(swap, text)


def mappings(value: Any) -> Iterator[dict]:
    """Every mapping in `value`, itself included, depth first."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            yield item
            stack.extend(item.values())


def referenced_names(value: Any) -> Iterator[str]:
    """Every logical id or parameter a value refers to, through Ref, GetAtt and Sub."""
    return iter(_referenced(value))


def _referenced(value: Any) -> list[str]:
    # The hot loop of every patch run (resource references, the referrers index): one look at
    # a mapping's only key decides, in place of ref_target, getatt_target and sub_parts in turn.
    found: list[str] = []
    stack = [value]
    pop, push, add = stack.pop, stack.extend, found.append
    while stack:
        item = pop()
        if isinstance(item, list):
            push(item)
            continue
        if not isinstance(item, dict):
            continue
        if len(item) == 1:
            key = next(iter(item))
            arg = item[key]
            if key == "Ref":
                if isinstance(arg, str):
                    add(arg)
                    continue
            elif key == "Fn::GetAtt":
                if isinstance(arg, str) and "." in arg:
                    add(arg.partition(".")[0])
                    continue
                if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], str):
                    add(arg[0])
                    continue
            elif key == "Fn::Sub":
                if isinstance(arg, str):
                    found.extend(sub_names(arg))
                    continue
                if isinstance(arg, list) and arg and isinstance(arg[0], str):
                    local = arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {}
                    found.extend(n for n in sub_names(arg[0]) if n not in local)
                    push(local.values())
                    continue
        push(item.values())
    return found


def text_of(value: Any) -> str | None:
    """A string value as Fn::Sub text (literal, one-argument Sub, or Ref X as ${X}), to compare by."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Fn::Sub"), str):
        return value["Fn::Sub"]
    target = ref_target(value)
    return f"${{{target}}}" if target else None


def renamed(value: Any, renames: dict[str, str]) -> Any:
    """A copy of `value` whose Ref, GetAtt and `${}` naming a key of `renames` name its value."""
    if isinstance(value, list):
        return [renamed(v, renames) for v in value]
    if not isinstance(value, dict):
        return value
    target = ref_target(value)
    if target is not None:
        return ref(renames.get(target, target))
    att = getatt_target(value)
    if att is not None and att[0] in renames:
        arg = value["Fn::GetAtt"]
        new = renames[att[0]]
        return {"Fn::GetAtt": f"{new}.{att[1]}" if isinstance(arg, str) else [new, att[1]]}
    parts = sub_parts(value)
    if parts is not None:
        text, local = parts
        arg = value["Fn::Sub"]
        if isinstance(arg, str):
            return {"Fn::Sub": _renamed_text(text, renames, {})}
        return {"Fn::Sub": [_renamed_text(text, renames, local)] + renamed(arg[1:], renames)}
    return {k: renamed(v, renames) for k, v in value.items()}


def _renamed_text(text: str, renames: dict[str, str], local: dict) -> str:
    """Sub text with `${X}` and `${X.Attr}` renamed, unless X is one of the Sub's own variables."""
    def rename(variable: str) -> str | None:
        name, dot, attribute = variable.partition(".")
        if name not in renames or name in local:
            return None
        return "${" + renames[name] + dot + attribute + "}"

    return sub_replace(text, rename)


def first_free(base: str, taken: Container[str] | Callable[[str], bool], sep: str = "") -> str:
    """`base`, else `base2`, `base3`... (`sep` between): the first name not `taken` (a set of
    names, or a test of one)."""
    is_taken = taken if callable(taken) else taken.__contains__
    candidate, n = base, 2
    while is_taken(candidate):
        candidate, n = f"{base}{sep}{n}", n + 1
    return candidate
