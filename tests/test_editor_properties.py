"""Property tests of the splicing editor on generated CloudFormation-shaped sources.

The generators write source TEXT directly, so they control style: block and flow
collections, both dash styles, 2- and 4-space indentation, comments everywhere (also
where insertions land), blank lines, block scalars, quoting, short and long intrinsics,
CRLF, with and without a final newline; and JSON with any indentation and layout.

For random edit sequences chosen from the parsed data, every output must: parse to
exactly the intended data; keep every comment outside the regions an edit replaced or
deleted; keep every other input line (or, for a line edited in place, every one of its
characters in order); and refuse or change nothing when the same edits run again.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from autofix import fastload
from autofix.document import Document, parse
from autofix.edits import AppendItem, DeleteKey, RenameKey, ReplaceValue, SetKey
from autofix.errors import EditError
from autofix.scalars import SHORT_TAGS
from autofix.splice import Editor

RELAXED = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.filter_too_much], deadline=None)

# Refusals the editor may give for an edit a patch could legitimately propose.
CLEAN_REFUSALS = ("already exists", "refusing to delete the only key", "shares its line with a dash",
                  "aliased or anchored", "YAML alias", "anchored value")

WORDS = ["alpha", "beta", "Gamma", "delta-1", "eu-west-1", "my_bucket", "Value9", "x", "hello world",
         "a.b.c", "arn-like/path", "CamelCase", "snake_case_word"]
KEYS = ["Name", "Value", "Key", "Enabled", "Timeout", "Tags", "Description", "Mode", "Size",
        "Items", "Config", "Rules", "Target", "Id", "Prefix", "Status", "Level", "Count"]
TYPES = ["AWS::S3::Bucket", "AWS::Lambda::Function", "AWS::Logs::LogGroup", "AWS::SNS::Topic",
         "AWS::SQS::Queue", "AWS::IAM::Role", "Custom::Thing"]


# ---------------------------------------------------------------- YAML source generator


@dataclass
class Gen:
    """Drawing state for one YAML document."""

    draw: Any
    indent: int  # columns per mapping level
    dash_indented: bool  # `key:\n  - x` rather than `key:\n- x`
    mixed: bool  # each sequence may pick its own dash style
    comments: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    # ------------------------------------------------------------ comments / blanks

    def comment(self) -> str:
        token = f"k{len(self.comments)}k"
        self.comments.append(token)
        return self.draw(st.sampled_from([f"# {token}", f"#{token}", f"# {token} note: [x] {{y}}", f"## {token}"]))

    def trailing(self, line: str) -> str:
        if self.draw(st.integers(0, 4)) == 0:
            return line + self.draw(st.sampled_from([" ", "  ", "   "])) + self.comment()
        return line

    def gap(self, col: int) -> None:
        """Blank lines and own-line comments at column `col` or 0, before an entry or at a block end."""
        for _ in range(self.draw(st.integers(0, 2)) if self.draw(st.integers(0, 2)) == 0 else 0):
            if self.draw(st.booleans()):
                self.lines.append(self.draw(st.sampled_from(["", "", " " * col])))
            else:
                at = self.draw(st.sampled_from([col, col, 0]))
                self.lines.append(" " * at + self.comment())

    # ------------------------------------------------------------ scalars

    def plain(self, flow: bool = False) -> str:
        choices = WORDS + ["5", "42", "-3", "2.5", "true", "false", "0x1F", "null", "~", "1e3"]
        if not flow:
            choices += ["arn:aws:s3:::bucket/*", "a:b", "with#hash", "it's"]
        return self.draw(st.sampled_from(choices))

    def quoted(self) -> str:
        inner = self.draw(st.sampled_from(WORDS + ["", "yes", "no", "1.0", "a: b", "# not comment", "${AWS::Region}",
                                                   "tab\there", "é ✓", "[x]", "{y}", "  pad  "]))
        if self.draw(st.booleans()):
            return "'" + inner.replace("'", "''") + "'"
        return json.dumps(inner, ensure_ascii=self.draw(st.booleans()))

    def short_scalar(self) -> str:
        return self.draw(st.sampled_from([
            "!Ref Env", "!Ref AWS::Region", "!Sub '${AWS::StackName}-logs'", '!Sub "arn:${AWS::Partition}:s3:::x"',
            "!Sub plain-${Env}", "!GetAtt Thing.Arn", "!GetAtt [Thing, Arn]", "!Join ['', [a, !Ref Env]]",
            "!If [IsProd, 5, !Ref AWS::NoValue]", "!Select [0, !GetAZs '']", "!Base64 abc", "!ImportValue shared-x"]))

    def inline_scalar(self, flow: bool = False) -> str:
        kind = self.draw(st.integers(0, 5))
        if kind <= 2:
            return self.plain(flow)
        if kind <= 4:
            return self.quoted()
        return self.short_scalar()

    def flow_text(self, depth: int) -> str:
        """A one-line flow collection with random spacing."""
        sp = self.draw(st.sampled_from(["", " "]))
        comma = self.draw(st.sampled_from([", ", ",", " , "]))
        n = self.draw(st.integers(0, 3))
        if self.draw(st.booleans()):
            items = [self.flow_item(depth) for _ in range(n)]
            return "[" + sp + comma.join(items) + sp + "]" if items else "[]"
        keys = self.unique_keys(n)
        items = [f"{k}: {self.flow_item(depth)}" for k in keys]
        return "{" + sp + comma.join(items) + sp + "}" if items else "{}"

    def flow_map(self, depth: int) -> str:
        keys = self.unique_keys(self.draw(st.integers(0, 3)))
        return "{" + ", ".join(f"{k}: {self.flow_item(depth)}" for k in keys) + "}"

    def flow_item(self, depth: int) -> str:
        if depth > 0 and self.draw(st.integers(0, 3)) == 0:
            return self.flow_text(depth - 1)
        if self.draw(st.integers(0, 6)) == 0:
            return self.draw(st.sampled_from(["!Ref Env", "!GetAtt Thing.Arn", "!Sub 'x-${Env}'"]))
        return self.plain(flow=True) if self.draw(st.booleans()) else self.quoted()

    def unique_keys(self, n: int) -> list[str]:
        names = self.draw(st.lists(st.sampled_from(KEYS), min_size=n, max_size=n, unique=True))
        out = []
        for name in names:
            style = self.draw(st.integers(0, 7))
            out.append(f"'{name}'" if style == 0 else f'"{name}"' if style == 1 else name)
        return out

    # ------------------------------------------------------------ values

    def value(self, depth: int) -> tuple:
        """A node to render: ("inline", text) | ("block", header, lines) | ("map", entries) | ("seq", items)
        | ("tagged", tag, node) | ("null",)."""
        options = ["inline", "inline", "inline", "flow", "null", "block"]
        if depth > 0:
            options += ["map", "map", "seq", "seq", "long", "tagged"]
        kind = self.draw(st.sampled_from(options))
        if kind == "inline":
            return ("inline", self.inline_scalar())
        if kind == "flow":
            return ("inline", self.flow_text(1))
        if kind == "null":
            return ("null",)
        if kind == "block":
            header = self.draw(st.sampled_from(["|", ">", "|-", ">-", "|+", ">+"]))
            lines = self.draw(st.lists(st.sampled_from(WORDS + ["a: b # not a comment", "", "- dash"]),
                                       min_size=1, max_size=3))
            if not lines[0]:
                lines[0] = "first"
            if header.endswith("+") and self.draw(st.booleans()):
                lines += [""]
            return ("block", header, lines)
        if kind == "map":
            keys = self.unique_keys(self.draw(st.integers(1, 3)))
            return ("map", [(k, self.value(depth - 1)) for k in keys])
        if kind == "seq":
            return ("seq", [self.value(depth - 1) for _ in range(self.draw(st.integers(1, 3)))])
        if kind == "long":
            which = self.draw(st.sampled_from(["Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join"]))
            arg = {"Ref": ("inline", "Env"),
                   "Fn::GetAtt": ("seq", [("inline", "Thing"), ("inline", "Arn")]) if self.draw(st.booleans())
                   else ("inline", "[Thing, Arn]"),
                   "Fn::Sub": ("inline", "'${AWS::StackName}-x'"),
                   "Fn::Join": ("seq", [("inline", "''"), ("seq", [("inline", "a"), ("inline", "b")])])}[which]
            return ("map", [(which, arg)])
        tag = self.draw(st.sampled_from(["!If", "!Join", "!Sub"]))
        args = {"!If": [("inline", "IsProd"), ("inline", "a"), ("inline", "!Ref AWS::NoValue")],
                "!Join": [("inline", "'-'"), ("seq", [("inline", "a"), ("inline", "!Ref Env")])],
                "!Sub": [("inline", "'${A}-${B}'"), ("map", [("A", ("inline", "x")), ("B", ("inline", "!Ref Env"))])]}
        return ("tagged", tag, ("seq", args[tag]))

    # ------------------------------------------------------------ rendering

    def entries(self, entries: list, col: int, first_inline: bool = False) -> None:
        for i, (key, value) in enumerate(entries):
            if not (first_inline and i == 0):
                self.gap(col)
            self.entry(key, value, col)
        self.gap(col)  # comments right where an insertion at the block's end lands

    def entry(self, key: str, value: tuple, col: int) -> None:
        head = " " * col + key + ":"
        kind = value[0]
        if kind == "inline":
            self.lines.append(self.trailing(f"{head} {value[1]}"))
        elif kind == "null":
            self.lines.append(self.trailing(head))
        elif kind == "block":
            self.block_scalar(head + " ", value, col + self.indent)
        elif kind == "map":
            self.lines.append(self.trailing(head))
            self.entries(value[1], col + self.indent)
        elif kind == "seq":
            self.lines.append(self.trailing(head))
            self.items(value[1], col + self.indent if self.dash_style() else col)
        else:  # tagged block
            self.lines.append(self.trailing(f"{head} {value[1]}"))
            self.items(value[2][1], col + self.indent)

    def dash_style(self) -> bool:
        return self.draw(st.booleans()) if self.mixed else self.dash_indented

    def block_scalar(self, prefix: str, value: tuple, content_col: int) -> None:
        _, header, lines = value
        self.lines.append(self.trailing(prefix + header))
        self.lines.extend(" " * content_col + ln if ln else "" for ln in lines)

    def items(self, items: list, dash: int) -> None:
        offset = self.draw(st.sampled_from([2, 2, self.indent]))
        for item in items:
            self.gap(dash)
            self.item(item, dash, offset)
        self.gap(dash)

    def item(self, value: tuple, dash: int, offset: int) -> None:
        prefix = " " * dash + "-" + " " * (offset - 1)
        kind = value[0]
        if kind == "inline":
            self.lines.append(self.trailing(prefix + value[1]))
        elif kind == "null":
            self.lines.append(self.trailing(" " * dash + "-"))
        elif kind == "block":
            self.block_scalar(prefix, value, dash + offset)
        elif kind in ("map", "seq") and self.draw(st.integers(0, 4)) == 0:
            self.lines.append(self.trailing(" " * dash + "-"))  # the item starts on the next line
            if kind == "map":
                self.entries(value[1], dash + offset)
            else:
                self.items(value[1], dash + offset)
        elif kind in ("map", "seq"):
            start = len(self.lines)
            if kind == "map":
                self.entries(value[1], dash + offset, first_inline=True)
            else:
                self.items_inline(value[1], dash + offset)
            self.lines[start] = prefix + self.lines[start][dash + offset:]
        else:  # tagged block as an item
            self.lines.append(self.trailing(prefix + value[1]))
            self.items(value[2][1], dash + offset)

    def items_inline(self, items: list, dash: int) -> None:
        """A nested sequence whose first dash shares the parent item's line (`- - a`)."""
        for i, item in enumerate(items):
            if i:
                self.gap(dash)
            self.item(item, dash, 2)
        self.gap(dash)


def _resource(g: Gen) -> tuple:
    entries = [("Type", ("inline", g.draw(st.sampled_from(TYPES))))]
    if g.draw(st.integers(0, 4)):
        keys = g.unique_keys(g.draw(st.integers(1, 4)))
        props = ("map", [(k, g.value(2)) for k in keys]) if g.draw(st.integers(0, 6)) else ("inline", g.flow_map(1))
        entries.append(("Properties", props))
    if g.draw(st.integers(0, 5)) == 0:
        entries.insert(0, ("DependsOn", ("inline", "Thing")))
    return ("map", entries)


@st.composite
def yaml_documents(draw) -> str:
    g = Gen(draw, indent=draw(st.sampled_from([2, 4])), dash_indented=draw(st.booleans()),
            mixed=draw(st.integers(0, 3)) == 0)
    g.gap(0)
    sections: list[tuple[str, tuple]] = []
    if draw(st.booleans()):
        sections.append(("AWSTemplateFormatVersion",
                         ("inline", draw(st.sampled_from(["'2010-09-09'", '"2010-09-09"', "2010-09-09"])))))
    if draw(st.booleans()):
        sections.append(("Description", draw(st.sampled_from([("inline", g.quoted()), ("inline", "plain words"),
                                                               ("block", ">-", ["folded", "text"])]))))
    if draw(st.booleans()):
        params = draw(st.lists(st.sampled_from(["Env", "Size", "Days"]), min_size=1, max_size=3, unique=True))
        sections.append(("Parameters", ("map", [(p, ("map", [("Type", ("inline", "String")),
                                                             ("Default", ("inline", g.inline_scalar()))]))
                                                for p in params])))
    if draw(st.integers(0, 3)) == 0:
        sections.append(("Conditions", ("map", [("IsProd", ("inline", "!Equals [!Ref Env, prod]"))])))
    names = draw(st.lists(st.sampled_from(["Thing", "Bucket", "Fn", "Queue", "Topic", "Role"]),
                          min_size=1, max_size=4, unique=True))
    if draw(st.integers(0, 9)) == 0:
        sections.append(("Resources", ("inline", "{" + ", ".join(f"{n}: {{Type: 'AWS::SNS::Topic'}}" for n in names) + "}")))
    else:
        sections.append(("Resources", ("map", [(n, _resource(g)) for n in names])))
    if draw(st.booleans()):
        sections.append(("Outputs", ("map", [("ThingArn", ("map", [("Value", ("inline", "!GetAtt Thing.Arn"))]))])))
    if draw(st.integers(0, 5)) == 0:
        sections = draw(st.permutations(sections))
    g.entries(sections, 0)
    text = "\n".join(g.lines) + "\n"
    if draw(st.integers(0, 3)) == 0:
        text = text.rstrip("\n")
    if draw(st.integers(0, 3)) == 0:
        text = text.replace("\n", "\r\n")
    return text


# ---------------------------------------------------------------- JSON source generator


def _json_scalars() -> st.SearchStrategy:
    return st.one_of(st.sampled_from(WORDS + ["", "yes", "a: b", "${AWS::Region}", "é ✓", "line\nbreak"]),
                     st.integers(-10**6, 10**6), st.booleans(), st.none(),
                     st.floats(allow_nan=False, allow_infinity=False, width=32))


def _json_values(depth: int) -> st.SearchStrategy:
    if depth == 0:
        return _json_scalars()
    inner = _json_values(depth - 1)
    return st.one_of(_json_scalars(), _json_scalars(),
                     st.lists(inner, max_size=3),
                     st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
                     st.builds(lambda r: {"Ref": r}, st.sampled_from(["Env", "AWS::Region"])),
                     st.just({"Fn::GetAtt": ["Thing", "Arn"]}))


@st.composite
def json_documents(draw) -> str:
    resources = draw(st.dictionaries(
        st.sampled_from(["Thing", "Bucket", "Fn", "Queue"]),
        st.builds(lambda t, p: {"Type": t, **({"Properties": p} if p is not None else {})},
                  st.sampled_from(TYPES), st.none() | st.dictionaries(st.sampled_from(KEYS), _json_values(2), max_size=4)),
        min_size=1, max_size=3))
    data: dict = {}
    if draw(st.booleans()):
        data["AWSTemplateFormatVersion"] = "2010-09-09"
    if draw(st.booleans()):
        data["Parameters"] = {"Env": {"Type": "String", "Default": "dev"}}
    data["Resources"] = resources
    if draw(st.booleans()):
        data["Outputs"] = {"Out": {"Value": {"Ref": "Thing"}}}
    unit = draw(st.sampled_from(["  ", "    ", "\t", " ", "\t\t"]))
    colon = draw(st.sampled_from([": ", ":", " : "]))
    inline_below = draw(st.integers(0, 4))  # containers deeper than this stay on one line
    text = _json_text(draw, data, "", unit, colon, 0, inline_below)
    text = draw(st.sampled_from(["", "\n", " \n", "\t"])) + text + draw(st.sampled_from(["", "\n", "\n\n"]))
    if draw(st.integers(0, 3)) == 0:
        text = text.replace("\n", "\r\n")
    return text


def _json_text(draw, value: Any, base: str, unit: str, colon: str, depth: int, inline_below: int) -> str:
    if not isinstance(value, dict | list) or not value:
        return json.dumps(value, ensure_ascii=False)
    one_line = depth >= inline_below or (depth > 0 and draw(st.integers(0, 3)) == 0)
    if one_line:
        sep = draw(st.sampled_from([", ", ","]))
        if isinstance(value, dict):
            return "{" + sep.join(json.dumps(k) + colon + _json_text(draw, v, base, unit, colon, depth + 1, 0)
                                  for k, v in value.items()) + "}"
        return "[" + sep.join(_json_text(draw, v, base, unit, colon, depth + 1, 0) for v in value) + "]"
    inner = base + unit
    if isinstance(value, dict):
        parts = [inner + json.dumps(k) + colon + _json_text(draw, v, inner, unit, colon, depth + 1, inline_below)
                 for k, v in value.items()]
        return "{\n" + ",\n".join(parts) + "\n" + base + "}"
    parts = [inner + _json_text(draw, v, inner, unit, colon, depth + 1, inline_below) for v in value]
    return "[\n" + ",\n".join(parts) + "\n" + base + "]"


# ---------------------------------------------------------------- new values for edits


def _new_scalars(json_only: bool) -> st.SearchStrategy:
    texts = st.sampled_from(WORDS + ["", "yes", "No", "on", "null", "~", "1.0", "0x10", "1_000", "a: b", "#x", "x #y",
                                     "- dash", "multi\nline", "  lead", "trail ", "it's", 'say "hi"', "é ✓",
                                     "${AWS::StackName}-x", "[x]", "{y}", "!Ref X", "*alias", "&anchor", "@at", "%p"])
    scalars = [texts, st.integers(-10**9, 10**9), st.booleans(), st.none(),
               st.floats(allow_nan=False, allow_infinity=json_only is False, width=32)]
    return st.one_of(*scalars)


def _new_values(json_only: bool, depth: int = 2) -> st.SearchStrategy:
    scalar = _new_scalars(json_only)
    if depth == 0:
        return scalar
    inner = _new_values(json_only, depth - 1)
    keys = st.sampled_from(KEYS + ["New Key", "a:b", "1", "true", "Ref"])
    return st.one_of(
        scalar, scalar,
        st.lists(inner, max_size=3),
        st.dictionaries(keys, inner, max_size=3),
        st.builds(lambda r: {"Ref": r}, st.sampled_from(["Env", "Thing", "AWS::Region"])),
        st.builds(lambda r: {"Fn::GetAtt": [r, "Arn"]}, st.sampled_from(["Thing", "Bucket"])),
        st.builds(lambda s: {"Fn::Sub": s}, st.sampled_from(["${AWS::StackName}-logs", "arn:${AWS::Partition}:x"])),
        st.builds(lambda xs: {"Fn::Join": ["", xs]}, st.lists(scalar | st.just({"Ref": "Env"}), max_size=3)),
        st.just({"Fn::If": ["IsProd", {"Ref": "Env"}, {"Ref": "AWS::NoValue"}]}),
    )


# ---------------------------------------------------------------- choosing edits


def _containers(data: Any, path: tuple = ()) -> tuple[list, list, list]:
    """Paths of mappings, of sequences, and of every value below the top level."""
    maps, seqs, values = [], [], []
    stack = [(data, path)]
    while stack:
        node, here = stack.pop()
        if here:
            values.append(here)
        if isinstance(node, dict):
            maps.append(here)
            stack.extend((v, here + (k,)) for k, v in node.items())
        elif isinstance(node, list):
            seqs.append(here)
            stack.extend((v, here + (i,)) for i, v in enumerate(node))
    return sorted(maps, key=repr), sorted(seqs, key=repr), sorted(values, key=repr)


def _get(data: Any, path: tuple) -> Any:
    for step in path:
        data = data[step]
    return data


def _fresh(existing: Any, draw) -> str:
    base = draw(st.sampled_from(["Added", "NewKey", "Extra", "Zeta", "New Thing", "a:b", "Ref", "0"]))
    name, n = base, 1
    while name in existing:
        n += 1
        name = f"{base}{n}"
    return name


# Paths whose replacement, deletion or renaming would make the output no template at all.
def _structural(path: tuple) -> bool:
    return path[:1] == ("Resources",) and (len(path) <= 2 or path[2:] in (("Type",), ("Properties",)))


def draw_edit(draw, data: dict, json_only: bool):
    maps, seqs, values = _containers(data)
    values = [p for p in values if not _structural(p)]
    value = draw(_new_values(json_only))
    kinds = ["set", "set", "deep", "resource", "parameter", "replace", "replace", "delete", "rename"]
    if seqs:
        kinds += ["append", "append"]
    kind = draw(st.sampled_from(kinds))
    path = draw(st.sampled_from(maps))
    if kind in ("set", "deep") and path == ("Resources",):
        kind = "resource"  # a resource must stay a mapping
    if kind == "resource":
        props = draw(st.dictionaries(st.sampled_from(KEYS), _new_values(json_only, 1), max_size=3))
        res = {"Type": draw(st.sampled_from(TYPES)), **({"Properties": props} if props else {})}
        return SetKey(("Resources",), _fresh(data["Resources"], draw), res)
    if kind == "parameter":
        params = data.get("Parameters")
        assume(params is None or isinstance(params, dict))
        return SetKey(("Parameters",), _fresh(params if isinstance(params, dict) else {}, draw),
                      {"Type": "String", "Default": draw(_new_scalars(True))})
    if kind == "append":
        return AppendItem(draw(st.sampled_from(seqs)), value)
    if kind == "replace":
        assume(values)
        return ReplaceValue(draw(st.sampled_from(values)), value)
    mapping = _get(data, path)
    if kind == "set":
        after = draw(st.none() | st.sampled_from(sorted(map(str, mapping)) or [None]))
        after = after if after in mapping else None
        return SetKey(path, _fresh(mapping, draw), value, after=after)
    if kind == "deep":
        return SetKey(path + (_fresh(mapping, draw),), "Inner", value)
    assume(mapping)
    key = draw(st.sampled_from(sorted(mapping, key=repr)))
    assume(not _structural(path + (key,)))
    if kind == "delete":
        return DeleteKey(path, key)
    return RenameKey(path, key, _fresh(mapping, draw))


# ---------------------------------------------------------------- regions an edit may rewrite


class Regions:
    """Source spans (start, end) whose text an edit replaced or deleted, found from the original nodes."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.src = doc.source
        self.spans: list[tuple[int, int]] = []
        # (id(mapping), current name) -> the source's name, or None where the source has no entry
        # by that name any more (deleted, or renamed away): the edits' view of original keys.
        self.names: dict[tuple[int, Any], Any] = {}

    def node_at(self, path: tuple) -> tuple[Node | None, Node | None]:
        """(key node or None, value node) of an original node at `path`, if it is still original.

        Inside a short-form intrinsic built from a scalar (`!GetAtt A.B`), the scalar's node.
        """
        data: Any = self.doc.data
        node: Node = self.doc.root
        key_node = None
        for step in path:
            original_wrapper = id(data) in self.doc.frozen  # the data of `!GetAtt A.B`, `!Join [...]`
            if isinstance(node, ScalarNode):
                return (key_node, node) if original_wrapper else (None, None)
            if SHORT_TAGS.get(node.tag) == step and original_wrapper:
                data = data[step]  # the wrapper of `!Join [...]`: the same node
                continue
            if self.doc.node_of.get(id(data)) is not node:
                return None, None  # written anew by an earlier edit
            name = self.names.get((id(data), step), step)
            if isinstance(node, MappingNode):
                pair = self.doc.entry(node, name) if name is not None else None
                if pair is None:
                    return None, None
                key_node, node = pair
            elif isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.value):
                key_node, node = None, node.value[step]
            else:
                return None, None
            try:
                data = data[step]
            except (KeyError, IndexError, TypeError):
                return None, None
        return key_node, node

    def before(self, edit) -> None:
        """Record the span an edit is about to rewrite (call before applying it)."""
        if isinstance(edit, ReplaceValue):
            self._value_span(edit.path)
        elif isinstance(edit, SetKey):
            data: Any = self.doc.data
            depth = 0
            for depth, step in enumerate(edit.path):  # a null on the way is replaced by a mapping
                if isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
                    data = data[step]
                    continue
                if not isinstance(data, dict) or step not in data:
                    break
                if data[step] is None:
                    self._value_span(edit.path[:depth + 1])
                    return
                data = data[step]
            else:
                depth = len(edit.path)
            if isinstance(data, dict) and not data:
                self._value_span(edit.path[:depth])  # an empty `{}` is written anew
        elif isinstance(edit, AppendItem):
            if _walk_or_none(self.doc.data, edit.path) == []:
                self._value_span(edit.path)
        elif isinstance(edit, DeleteKey):
            key_node, node = self.node_at(edit.path + (edit.key,))
            if node is None or key_node is None or isinstance(node, ScalarNode) and id(
                    _walk_or_none(self.doc.data, edit.path)) in self.doc.frozen:
                return  # not an original entry (the editor refuses inside `!Ref X`)
            start = self.src.rfind("\n", 0, key_node.start_mark.index) + 1
            _, parent = self.node_at(edit.path)
            if isinstance(parent, MappingNode) and (parent.flow_style or self.doc.fmt == "json"):  # its comma too
                pairs = [pair for pair in parent.value]
                index = next(i for i, pair in enumerate(pairs) if pair[0] is key_node)
                start = self._content_end(pairs[index - 1][1]) if index else start
            end = self._line_end(self._content_end(node))
            if start in self._keep_ends():
                end = self._past_blank_lines(end)  # they would join the `|+` scalar before
            if self._follows_block_scalar(parent, key_node):
                end = self._past_comment_lines(end)  # outdented, or they would join the scalar
            self.spans.append((start, end))
        elif isinstance(edit, RenameKey):
            key_node, node = self.node_at(edit.path + (edit.old,))
            if key_node is not None:
                self.spans.append((key_node.start_mark.index, key_node.end_mark.index))

    def _keep_ends(self) -> set[int]:
        """Where keep-chomped block scalars (`|+`) end, and the starts of deleted spans after them
        (the text after such a scalar now starts there)."""
        ends = set()
        stack = [self.doc.root]
        while stack:
            node = stack.pop()
            if isinstance(node, MappingNode):
                stack.extend(n for pair in node.value for n in pair)
            elif isinstance(node, SequenceNode):
                stack.extend(node.value)
            elif node.style in ("|", ">") and "+" in self.src[node.start_mark.index:].split("\n", 1)[0].split("#")[0]:
                end = node.end_mark.index
                while self.src[end - 1] in " \t":
                    end -= 1
                ends.add(end)
        for start, end in sorted(self.spans):
            if start in ends:
                ends.add(end)
        return ends

    @staticmethod
    def _follows_block_scalar(parent: Node | None, key_node: Node) -> bool:
        """Whether the entry of `key_node` comes right after a value ending in a block scalar."""
        if not isinstance(parent, MappingNode) or parent.flow_style:
            return False
        index = next(i for i, pair in enumerate(parent.value) if pair[0] is key_node)
        if index == 0:
            return False
        last = parent.value[index - 1][1]
        while isinstance(last, MappingNode | SequenceNode) and not last.flow_style and last.value:
            last = last.value[-1][1] if isinstance(last, MappingNode) else last.value[-1]
        return isinstance(last, ScalarNode) and last.style in ("|", ">")

    def _past_comment_lines(self, pos: int) -> int:
        """Past the blank and comment-only lines from `pos`, a line start."""
        while pos < len(self.src) and self.src[pos:self._line_end(pos)].strip()[:1] in ("", "#"):
            pos = self._line_end(pos)
        return pos

    def _past_blank_lines(self, pos: int) -> int:
        """Past the blank lines (and deleted spans) from `pos`, a line start."""
        while pos < len(self.src):
            span = next((s for s in self.spans if s[0] == pos and s[1] > pos), None)
            if span is not None:
                pos = span[1]
            elif not self.src[pos:self._line_end(pos)].strip():
                pos = self._line_end(pos)
            else:
                break
        return pos

    def _value_span(self, path: tuple) -> None:
        key_node, node = self.node_at(path)
        if node is None:
            return
        start = node.start_mark.index
        if key_node is not None:
            # From the colon (`key: value` may become `key:` + lines), unless comments sit between
            # the key and its value: they stay, and the value's own lines are rewritten.
            between = self.src[key_node.end_mark.index:start]
            start = self.src.rfind("\n", 0, start) + 1 if "#" in between else key_node.end_mark.index
        self.spans.append((start, self._line_end(self._content_end(node))))

    def after(self, edit) -> None:
        if isinstance(edit, RenameKey):
            mapping = _get(self.doc.data, edit.path)
            self.names[(id(mapping), edit.new)] = self.names.get((id(mapping), edit.old), edit.old)
            self.names[(id(mapping), edit.old)] = None
        elif isinstance(edit, DeleteKey):
            self.names[(id(_get(self.doc.data, edit.path)), edit.key)] = None

    def _content_end(self, node: Node) -> int:
        if isinstance(node, MappingNode) and not node.flow_style and node.value:
            return self._content_end(node.value[-1][1])
        if isinstance(node, SequenceNode) and not node.flow_style and node.value:
            return self._content_end(node.value[-1])
        end = node.end_mark.index
        while end > node.start_mark.index and self.src[end - 1] in " \t\r\n":
            end -= 1
        return end

    def _line_end(self, index: int) -> int:
        end = self.src.find("\n", index)
        return len(self.src) if end < 0 else end + 1

    def covers(self, index: int) -> bool:
        return any(start <= index < end for start, end in self.spans)

    def lines_touched(self) -> set[int]:
        touched = set()
        for start, end in self.spans:
            first = self.src.count("\n", 0, start)
            last = self.src.count("\n", 0, max(start, end - 1))
            touched.update(range(first, last + 1))
        header = self._last_block_scalar_header()
        if header is not None:
            touched.add(self.src.count("\n", 0, header))
        return touched

    def _last_block_scalar_header(self) -> int | None:
        """Where the header of a block scalar that ends the file without a line break is: text
        added after it makes the editor write its chomping as strip (`|` becomes `|-`)."""
        node: Node = self.doc.root
        while isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
            node = node.value[-1][1] if isinstance(node, MappingNode) else node.value[-1]
        if self.src.endswith("\n") or not isinstance(node, ScalarNode) or node.style not in ("|", ">"):
            return None
        return node.start_mark.index


# ---------------------------------------------------------------- the property


def _embed(line: str, lines: list[str], start: int) -> int | None:
    """Index of the output line where an in-place edited `line` ends, or None.

    The line must begin an output line unchanged up to its first bracket or comma (edits in
    flow collections and JSON insert after those), and its other characters must follow in
    order, on that line or the next ones (an insertion may bring line breaks).
    """
    cut = min((line.index(ch) for ch in "[{," if ch in line), default=len(line))
    head, rest = line[:cut], line[cut:]
    first = next((j for j in range(start, len(lines)) if lines[j].startswith(head)), None)
    if first is None:
        return None
    want = 0
    for j in range(first, len(lines)):
        for ch in lines[j][len(head) if j == first else 0:]:
            if want < len(rest) and ch == rest[want]:
                want += 1
        if want == len(rest):
            return j
    return None


def check_edits(source: str, draw, json_only: bool, comments: list[str], max_edits: int = 5) -> None:
    doc = parse(source)
    assert fastload.load_data(source, doc.fmt) == doc.data, "generator produced text the two parsers read differently"
    editor = Editor(doc)
    regions = Regions(doc)
    applied = []
    refused = []
    for _ in range(draw(st.integers(1, max_edits))):
        edit = draw_edit(draw, doc.data, json_only)
        snapshot = copy.deepcopy(doc.data)
        regions_before = list(regions.spans)
        regions.before(edit)
        try:
            editor.apply(edit)
        except EditError as exc:
            regions.spans = regions_before
            note(f"refused {edit!r}: {exc}")
            assert doc.data == snapshot, f"a refused edit changed the data: {edit!r}: {exc}"
            assert any(r in str(exc) for r in CLEAN_REFUSALS), f"unexpected refusal of {edit!r}: {exc}"
            refused.append(edit)
            continue
        regions.after(edit)
        applied.append(edit)
        note(f"applied {edit!r}")
    out = editor.output()
    note(f"output:\n{out}")
    intended = doc.data

    # 1. The output parses, to exactly the intended data, with both parsers.
    assert fastload.load_data(out, doc.fmt) == intended
    again = parse(out)
    assert again.data == intended and again.fmt == doc.fmt
    if doc.fmt == "json":
        assert json.loads(out) == intended, "a JSON template must stay strict JSON"

    # 2. Comments outside rewritten regions survive, own-line ones as whole lines.
    out_lines = {ln.strip() for ln in out.splitlines()}
    for token in comments:
        at = source.index(token)
        if regions.covers(at):
            continue
        assert out.count(token) == 1, f"comment {token} lost or duplicated"
        line_start = source.rfind("\n", 0, at) + 1
        line_end = source.find("\n", at)
        line = source[line_start:line_end if line_end >= 0 else len(source)]
        if line.lstrip().startswith("#"):
            assert line.strip() in out_lines, f"own-line comment {token} was moved onto another line"

    # 3. Bytes outside the edits are unchanged: every untouched input line is still there, in
    #    order; a line edited in place (insertions into flow collections and JSON) keeps all its
    #    characters in order. Earliest matching decides whether such an embedding exists.
    touched = regions.lines_touched()
    dst_lines = out.splitlines()
    at = 0
    for number, line in enumerate(source.splitlines()):
        if number in touched:
            continue
        if doc.fmt == "json" or "[" in line or "{" in line:
            found = _embed(line, dst_lines, at)  # may gain text, even line breaks, inside
        else:
            found = next((j for j in range(at, len(dst_lines)) if dst_lines[j] == line), None)
        assert found is not None, f"input line {number + 1} changed or moved: {line!r}"
        at = found + 1

    # 4. The same edits again are refused (or change nothing), judged on the final data.
    second = Editor(again)
    for edit in applied:
        data = again.data
        try:
            if isinstance(edit, SetKey):
                target = _walk_or_none(data, edit.path)
                if isinstance(target, dict) and edit.key in target:
                    with pytest.raises(EditError, match="already exists"):
                        second.apply(edit)
            elif isinstance(edit, DeleteKey):
                target = _walk_or_none(data, edit.path)
                if isinstance(target, dict) and edit.key not in target:
                    with pytest.raises(EditError):
                        second.apply(edit)
            elif isinstance(edit, RenameKey):
                target = _walk_or_none(data, edit.path)
                if isinstance(target, dict) and edit.old not in target:
                    with pytest.raises(EditError):
                        second.apply(edit)
            elif isinstance(edit, ReplaceValue) and _walk_or_none(data, edit.path, missing=_MISSING) == edit.value:
                before = copy.deepcopy(data)
                second.apply(edit)
                assert data == before
        except EditError as exc:
            assert any(r in str(exc) for r in CLEAN_REFUSALS), f"unexpected refusal on the second run: {exc}"
    out2 = second.output()
    assert fastload.load_data(out2, doc.fmt) == again.data == intended


_MISSING = object()


def _walk_or_none(data: Any, path: tuple, missing: Any = None) -> Any:
    try:
        return _get(data, path)
    except (KeyError, IndexError, TypeError):
        return missing


# ---------------------------------------------------------------- tests


@st.composite
def yaml_with_comments(draw):
    text = draw(yaml_documents())
    return text, re.findall(r"k\d+k", text)


@RELAXED
@given(case=yaml_with_comments(), data=st.data())
def test_yaml_edits(case, data) -> None:
    source, comments = case
    note(f"source:\n{source}")
    check_edits(source, data.draw, json_only=False, comments=comments)


@RELAXED
@given(source=json_documents(), data=st.data())
def test_json_edits(source, data) -> None:
    note(f"source:\n{source}")
    check_edits(source, data.draw, json_only=True, comments=[])


ANCHORED = """\
Parameters:
  Env:
    Type: String
Resources:
  Shared:
    Type: AWS::SNS::Topic
    Properties: &props   # k0k
      TopicName: shared
      Tags: &tags
        - Key: team
          Value: core
  Copy:
    Type: AWS::SNS::Topic
    Properties: *props
  Other:
    Type: AWS::SQS::Queue
    Properties:
      Tags: *tags
      # k1k
      QueueName: other   # k2k
  Free:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: free
"""


@RELAXED
@given(data=st.data())
def test_edits_in_documents_with_anchors(data) -> None:
    """Edits touching anchored or aliased content are refused cleanly; edits elsewhere work."""
    doc = parse(ANCHORED)
    editor = Editor(doc)
    frozen_paths = [("Resources", "Shared", "Properties"), ("Resources", "Copy", "Properties"),
                    ("Resources", "Shared", "Properties", "Tags"), ("Resources", "Other", "Properties", "Tags"),
                    ("Resources", "Shared", "Properties", "Tags", 0)]
    path = data.draw(st.sampled_from(frozen_paths))
    value = data.draw(_new_values(False, 1))
    container = _get(doc.data, path)
    edits = [ReplaceValue(path + ("TopicName",), value)] if isinstance(container, dict) and "TopicName" in container \
        else []
    if isinstance(container, dict):
        edits += [SetKey(path, "Added", value), RenameKey(path, next(iter(container)), "Renamed")]
    else:
        edits += [AppendItem(path, value)]
    edit = data.draw(st.sampled_from(edits))
    before = copy.deepcopy(doc.data)
    with pytest.raises(EditError, match="alias|anchor"):
        editor.apply(edit)
    assert doc.data == before
    assert editor.output() == ANCHORED
    # Edits elsewhere in the same document still hold every property.
    check_edits(ANCHORED, data.draw, json_only=False, comments=["k0k", "k1k", "k2k"], max_edits=3)


@pytest.mark.parametrize("path", [("Resources", "Copy"), ("Resources", "Other", "Properties")])
def test_replacing_an_alias_is_refused(path) -> None:
    doc = parse(ANCHORED)
    editor = Editor(doc)
    target = path + (("Properties",) if path[-1] == "Copy" else ("Tags",))
    before = copy.deepcopy(doc.data)
    with pytest.raises(EditError):
        editor.apply(ReplaceValue(target, {"Fresh": 1}))
    assert doc.data == before and editor.output() == ANCHORED


# ---------------------------------------------------------------- editor bugs found here
# Each reproduces a report once in docs/known-issues/robustness-N.md, now fixed; N is named above
# the first test of each (the report left with its fix: git log -- docs/known-issues).


def _edits_hold(source: str, *edits) -> None:
    """The edits apply, and the output reads back (both parsers) as exactly the intended data."""
    doc = parse(source)
    editor = Editor(doc)
    for edit in edits:
        editor.apply(edit)
    out = editor.output()
    assert fastload.load_data(out, doc.fmt) == doc.data
    assert parse(out).data == doc.data


EMPTY_LAST = "Resources:\n  A:\n    Type: X\n    Properties:\n      K:\n  B:\n    Type: Y\n"
PROPS = ("Resources", "A", "Properties")
TWO_KEYS = "Resources:\n  A:\n    Type: X\n    Properties:\n      P: 1\n      R: 2\n"
TWO_KEYS_JSON = '{"Resources": {"A": {"Type": "X", "Properties": {"P": 1, "R": 2}}}}'


# robustness-1
@pytest.mark.parametrize("edit", [SetKey(PROPS, "N", 1), ReplaceValue(PROPS + ("K",), 1),
                                  SetKey(PROPS + ("K",), "N", 1), SetKey(PROPS, "N", 1, after="K")],
                         ids=["add-after", "replace", "add-into", "add-after-named"])
def test_edits_beside_an_empty_value_at_block_end_hold(edit) -> None:
    _edits_hold(EMPTY_LAST, edit)


def test_deleting_an_empty_value_holds() -> None:
    _edits_hold("Resources:\n  A:\n    Type: X\n    Properties:\n      K:\n      L: 1\n", DeleteKey(PROPS, "K"))


@pytest.mark.parametrize("index,value", [(1, 1), (0, {"a": 1, "b": 2}), (1, [1, [2, 3]])], ids=["scalar", "map", "seq"])
def test_empty_sequence_item_is_replaced(index, value) -> None:
    _edits_hold("Resources:\n  A:\n    Type: X\n    Properties:\n      L:\n        -\n        -   # c\n",
                ReplaceValue(PROPS + ("L", index), value))


def test_empty_value_before_comments_is_replaced_on_its_line() -> None:
    source = "Resources:\n  A:\n    Type: X\n    Properties:\n      K:   # c\n\n      # d\n      L: 1\n"
    doc = parse(source)
    editor = Editor(doc)
    editor.apply(ReplaceValue(PROPS + ("K",), 5))
    assert editor.output() == source.replace("K:   # c", "K: 5   # c")


# robustness-2
@pytest.mark.parametrize("source", [TWO_KEYS, TWO_KEYS_JSON], ids=["yaml", "json"])
@pytest.mark.parametrize("edits", [
    (SetKey(PROPS, "N", 1), DeleteKey(PROPS, "N")),
    (SetKey(PROPS, "N", 1), RenameKey(PROPS, "N", "M")),
    (RenameKey(PROPS, "P", "Q"), DeleteKey(PROPS, "Q")),
    (RenameKey(PROPS, "P", "Q"), RenameKey(PROPS, "Q", "Z")),
    (RenameKey(PROPS, "P", "Q"), ReplaceValue(PROPS + ("Q",), 5)),
    (ReplaceValue(PROPS + ("P",), 5), RenameKey(PROPS, "P", "Q")),
], ids=["add-delete", "add-rename", "rename-delete", "rename-rename", "rename-replace", "replace-rename"])
def test_edits_find_keys_an_earlier_edit_added_or_renamed(source, edits) -> None:
    _edits_hold(source, *edits)


# robustness-3
@pytest.mark.parametrize("source", [
    '{"Resources": {"A": {"Type": "X"}}, "Outputs": {"Out": {"Value": 1}}}',
    "Resources:\n  A: {Type: X}\nOutputs:\n  Out: {Value: 1}\n"], ids=["json", "yaml-flow"])
def test_flow_mapping_loses_its_only_original_key_after_an_addition(source) -> None:
    _edits_hold(source, SetKey(("Outputs", "Out"), "N", 2), DeleteKey(("Outputs", "Out"), "Value"))


# robustness-4
def test_append_to_block_sequence_after_a_short_tag() -> None:
    source = 'Resources:\n  A:\n    Type: X\n    Properties:\n      P: !Join\n        - ""\n        - - a\n          - b\n'
    _edits_hold(source, AppendItem(PROPS + ("P", "Fn::Join"), "x"))


def test_append_to_short_tagged_sequence_below_comments() -> None:
    source = ('Resources:\n  A:\n    Type: X\n    Properties:\n      P: !Join  # a-b\n\n      # c-d\n'
              '      - ""\n      - - a\n        - b\n')
    _edits_hold(source, AppendItem(PROPS + ("P", "Fn::Join"), "x"), AppendItem(PROPS + ("P", "Fn::Join", 1), "y"))


# robustness-5
@pytest.mark.parametrize("value", [{"Fn::Base64": {"Fn::Sub": "echo ${AWS::Region}"}},
                                   [{"Fn::Base64": {"Fn::Sub": "x"}}],
                                   {"Fn::Join": ["", [{"Fn::Base64": {"Ref": "x"}}]]}],
                         ids=["entry", "item", "flow"])
def test_nested_intrinsic_renders_in_a_short_tag_file(value) -> None:
    _edits_hold("Resources:\n  A:\n    Type: X\n    Properties:\n      P: !Ref Env\n", SetKey(PROPS, "U", value))


@pytest.mark.parametrize("value", [{"Ref": 5}, {"Ref": None}, {"Fn::Sub": True}], ids=["int", "null", "bool"])
def test_non_string_intrinsic_argument_renders_in_a_short_tag_file(value) -> None:
    _edits_hold("Resources:\n  A:\n    Type: X\n    Properties:\n      P: !Ref Env\n", SetKey(PROPS, "U", value))


# robustness-6
@pytest.mark.parametrize("source,path", [
    ("Resources:\n  A:\n    Type: X\n    Properties:\n      Count: >+\n        text\n  B:\n    Type: Y\n", ("Count",)),
    ("Resources:\n  A:\n    Type: X\n    Properties:\n      L:\n        - |+\n          text\n\n      M: 1\n", ("L", 0)),
], ids=["entry", "item"])
def test_replacing_a_keep_chomped_block_scalar_holds(source, path) -> None:
    _edits_hold(source, ReplaceValue(PROPS + path, True))


def test_new_resource_after_a_keep_chomped_block_scalar_holds() -> None:
    source = ("Resources:\n  A:\n    Type: X\n\n  B:\n    Type: Y\n    Properties:\n      Key: |+\n"
              "        beta\n# end\n")
    _edits_hold(source, SetKey(("Resources",), "C", {"Type": "Z"}))


# robustness-7
def test_quoted_scalar_replaced_by_a_list() -> None:
    source = "Resources:\n  A:\n    Type: X\nAWSTemplateFormatVersion: '2010-09-09'\n"
    _edits_hold(source, ReplaceValue(("AWSTemplateFormatVersion",), ["a"]))


# robustness-8.md: fixed since document.compose uses the plain scanner (docs/known-issues/perf-7.md).
def test_mapping_value_below_a_comment_is_replaced() -> None:
    source = ("Resources:\n  A:\n    Type: X\n    Properties:\n      Id:   # note\n        Old: value\n\n"
              "      Next: 1\n")
    _edits_hold(source, ReplaceValue(PROPS + ("Id",), "Gamma"))


# robustness-5
@pytest.mark.parametrize("arg", ["A.B", "alpha"])
def test_getatt_string_argument_renders(arg) -> None:
    _edits_hold("Resources:\n  A:\n    Type: X\n", SetKey(("Resources", "A"), "G", {"Fn::GetAtt": arg}))


# robustness-11
@pytest.mark.parametrize("edit", [SetKey(PROPS, "W", 1), SetKey(("Resources",), "B", {"Type": "Y"})],
                         ids=["property", "resource"])
def test_block_scalar_ending_the_file_without_newline_keeps_its_value(edit) -> None:
    _edits_hold("Resources:\n  A:\n    Type: X\n    Properties:\n      V: |\n        alpha", edit)


# Found by the "long" profile: a short-tagged block value below a comment lost its block.
@pytest.mark.parametrize("value", [{"Fn::If": ["C", {"Ref": "Env", "Other": 1}, "x"]}, {"Fn::Sub": "x"}, 5],
                         ids=["tag-and-block", "tag-inline", "scalar"])
def test_value_replaced_below_a_comment_between_key_and_value_keeps_every_line(value) -> None:
    source = "Resources:\n  A:\n    Type: X\n    Properties:\n      P:  # note\n        # more\n        K: 1\n"
    _edits_hold(source, ReplaceValue(PROPS + ("P",), value))


# Found by the "long" profile: a comment below a deleted pair, after a block scalar, joined its text.
@pytest.mark.parametrize("tail", ["  # below", "  # below\n", "  # below\n\n  # more\nLast: 1\n"],
                         ids=["end-of-file", "final-newline", "next-key"])
def test_comments_below_a_pair_deleted_after_a_block_scalar_stay_comments(tail) -> None:
    source = f"Resources:\n  T:\n    Type: X\nDescription: >-\n  folded\n  text\nOutputs:\n  A:\n    Value: 1\n{tail}"
    _edits_hold(source, DeleteKey((), "Outputs"))
