"""Generate autofix/model/tag_shapes.py: which resource types take `Tags`, and in which shape.

    python3 scripts/gen_tag_shapes.py          # rewrite the table
    python3 scripts/gen_tag_shapes.py --check  # exit 1 when the committed table is stale

Sources: the provider schemas cfn-lint ships (region us-east-1, read in cfn-lint 1.58's layout
by scripts/_cfnlint_schemas.py, which refuses another) and the SAM schema that
aws-sam-translator builds from its pydantic models (cfn-lint 1.58 no longer installs it; the
validate and test extras do).

A type is listed when its schema has a `Tags` property shaped as a list of {Key, Value}
(no other required field) or as a string-to-string map. Left out on purpose:
  * types whose tag items need more than Key and Value (AutoScalingGroup: PropagateAtLaunch);
  * types that declare `tagging.taggable: false`.
Types whose Tags are create-only (or not updatable) go to CREATE_ONLY: adding tags to a
deployed resource of such a type replaces or fails it, so TAG001 tags them only when new.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

SCRIPTS = Path(__file__).resolve().parent
if str(SCRIPTS) not in sys.path:  # the shared modules beside this script
    sys.path.insert(0, str(SCRIPTS))

import _cfnlint_schemas as schemas
from _generated import write_or_check

ROOT = SCRIPTS.parent
TARGET = ROOT / "autofix" / "model" / "tag_shapes.py"
REGION = "us-east-1"
LIST_FIELDS = {"Key", "Value"}

Table = tuple[dict[str, str], dict[str, str], tuple[str, ...]]


def _resolve(schema: dict, node: Any) -> Any:
    """Follow local `$ref`s (`#/definitions/...`)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = schema
        for step in node["$ref"][2:].split("/"):
            target = target[step]
        node = target
    return node


def _is_key_value_item(schema: dict, item: Any) -> bool:
    item = _resolve(schema, item)
    if not isinstance(item, dict):
        return False
    options = item.get("oneOf") or item.get("anyOf")
    if options:  # e.g. AppStream: {Key, Value} or {TagKey, TagValue}
        return any(_is_key_value_item(schema, option) for option in options)
    props = set(item.get("properties", {}))
    return LIST_FIELDS <= props and set(item.get("required", [])) <= LIST_FIELDS


def tags_shape(schema: dict) -> str | None:
    """'list' or 'map' for a schema's `Tags` property, or None when it takes none we can write."""
    if schema.get("tagging", {}).get("taggable") is False:
        return None
    node = _resolve(schema, schema.get("properties", {}).get("Tags"))
    if not isinstance(node, dict):
        return None
    kinds = node.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    if "array" in kinds:
        return "list" if _is_key_value_item(schema, node.get("items")) else None
    if "object" in kinds or (None in kinds and "patternProperties" in node):
        return "map"
    return None


def _create_only(schema: dict) -> bool:
    return ("/properties/Tags" in schema.get("createOnlyProperties", [])
            or schema.get("tagging", {}).get("tagUpdatable") is False)


def provider_table() -> tuple[dict[str, str], dict[str, str]]:
    updatable: dict[str, str] = {}
    create_only: dict[str, str] = {}
    for rtype, schema in schemas.provider_schemas(REGION):
        shape = tags_shape(schema)
        if shape:
            (create_only if _create_only(schema) else updatable)[rtype] = shape
    return updatable, create_only


def sam_table() -> tuple[dict[str, str], tuple[str, ...]]:
    """SAM resource types with Tags (shape from the SAM schema) and Globals kinds that take Tags."""
    from samtranslator.internal.schema_source.schema import Model, get_schema

    schema = get_schema(Model)
    shapes: dict[str, str] = {}
    for name, definition in schema["definitions"].items():
        if not name.endswith("__Resource"):
            continue
        for rtype in definition["properties"]["Type"].get("enum", []):
            props = _resolve(schema, definition["properties"].get("Properties", {}))
            tags = _resolve(schema, props.get("properties", {}).get("Tags"))
            kind = tags.get("type") if isinstance(tags, dict) else None
            if kind in ("object", "array"):
                shapes[rtype] = "map" if kind == "object" else "list"
    kinds = []
    for kind, node in _resolve(schema, schema["properties"]["Globals"]).get("properties", {}).items():
        node = _resolve(schema, node)
        node = _resolve(schema, (node.get("anyOf") or node.get("allOf") or [node])[0])
        if "Tags" in node.get("properties", {}):
            kinds.append(kind)
    return dict(sorted(shapes.items())), tuple(sorted(kinds))


def build() -> Table:
    updatable, create_only = provider_table()
    sam, kinds = sam_table()
    return dict(sorted({**updatable, **sam}.items())), create_only, kinds


def render(table: Table) -> str:
    import samtranslator

    shapes, create_only, kinds = table
    lines = [
        f'"""Generated by scripts/gen_tag_shapes.py from {schemas.source(REGION)}',
        f'and aws-sam-translator {samtranslator.__version__}; do not edit by hand."""',
        "",
        "# Resource type -> shape of its Tags: 'list' of {Key, Value} or 'map' of key -> value.",
        "TAG_SHAPES: dict[str, str] = {",
        *(f'    "{t}": "{s}",' for t, s in shapes.items()),
        "}",
        "",
        "# Types whose Tags are create-only or not updatable: tagging a deployed one replaces or fails it.",
        "CREATE_ONLY: dict[str, str] = {",
        *(f'    "{t}": "{s}",' for t, s in create_only.items()),
        "}",
        "",
        "# SAM Globals sections that accept Tags (always a map).",
        f"SAM_GLOBALS_WITH_TAGS: tuple[str, ...] = {kinds!r}",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    return write_or_check(TARGET, lambda: render(build()))


if __name__ == "__main__":
    sys.exit(main())
