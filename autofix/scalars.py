"""Scalar resolution and intrinsic tags, shared by every loader so they agree on data."""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import TemplateError

# YAML 1.2 core schema, which is what ruamel.yaml's round-trip loader implements.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
_FIRST = frozenset("~nNtTfF0123456789+-.")


def resolve_plain(text: str) -> Any:
    """Value of an untagged plain scalar under the YAML 1.2 core schema."""
    if text and text[0] not in _FIRST:
        return text
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text[0] in "tT"
    if _INT10.match(text):
        return int(text)
    if _INT8.match(text):
        return int(text[2:], 8)
    if _INT16.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text[0] == "-" else math.inf
    if _NAN.match(text):
        return math.nan
    return text


# Short-form intrinsic tags and the long-form key each one stands for.
SHORT_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!FindInMap": "Fn::FindInMap",
    "!GetAtt": "Fn::GetAtt",
    "!GetAZs": "Fn::GetAZs",
    "!ImportValue": "Fn::ImportValue",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!Sub": "Fn::Sub",
    "!Transform": "Fn::Transform",
    "!And": "Fn::And",
    "!Equals": "Fn::Equals",
    "!If": "Fn::If",
    "!Not": "Fn::Not",
    "!Or": "Fn::Or",
    "!Length": "Fn::Length",
    "!ToJsonString": "Fn::ToJsonString",
    "!ForEach": "Fn::ForEach",
    "!Contains": "Fn::Contains",
    "!EachMemberEquals": "Fn::EachMemberEquals",
    "!EachMemberIn": "Fn::EachMemberIn",
    "!RefAll": "Fn::RefAll",
    "!ValueOf": "Fn::ValueOf",
    "!ValueOfAll": "Fn::ValueOfAll",
    "!Implies": "Fn::Implies",
    "!GetParam": "Fn::GetParam",
}
LONG_TO_SHORT = {v: k for k, v in SHORT_TAGS.items()}

STD_TAG = "tag:yaml.org,2002:"


def tagged(tag: str, value: Any, where: tuple[int, int] | None = None) -> Any:
    """Data for a node carrying an explicit tag: intrinsics become their long form."""
    if tag.startswith(STD_TAG):
        return value
    key = SHORT_TAGS.get(tag)
    if key is None:
        line, col = where or (None, None)
        raise TemplateError(f"unknown tag {tag}", line, col)
    if key == "Fn::GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        value = [resource, attribute]
    return {key: value}


def explicit_scalar(tag: str, text: str) -> Any:
    """A scalar with a standard explicit tag such as !!str or !!int."""
    kind = tag[len(STD_TAG):]
    if kind == "str":
        return text
    value = resolve_plain(text)
    if kind == "int" and not isinstance(value, int):
        return int(float(text))
    if kind == "float" and not isinstance(value, float):
        return float(text)
    return value
