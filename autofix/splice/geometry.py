"""Where things are in the source text: where a node's text ends, where an entry's lines start."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import EditError


class Geometry:
    """Position queries on the original source; it never changes, so neither do the answers."""

    def __init__(self, src: str, eol: str) -> None:
        self.src = src
        self.eol = eol

    def content_end(self, node: Node, keep_breaks: bool = True) -> int:
        """Offset just past the node's last meaningful character.

        The line breaks that end a keep-chomped block scalar (`|+`) are part of its value, so
        text inserted after it goes after them; a replacement (`keep_breaks=False`) ends at its
        last character and leaves them, as the line breaks of the text that follows.
        """
        last = last_leaf(node)
        end = last.end_mark.index
        if isinstance(last, ScalarNode) and last.style in ("|", ">"):
            if keep_breaks and self.keeps_breaks(last):
                while self.src[end - 1] in " \t":  # a last line of spaces, at the end of the file
                    end -= 1
                return end
            while end > 0 and self.src[end - 1] in " \t\r\n":
                end -= 1
            spaced = _spaced_last_lines(last.value)
            if spaced:
                end = self._past_spaced_lines(last, end, spaced)
        return end

    def _past_spaced_lines(self, scalar: ScalarNode, end: int, lines: int) -> int:
        """The end of a block scalar whose last content lines hold only blanks (more than its
        indentation: they are its text, `"a\n \n"`): `lines` lines past the last one with a
        character, each a line of the value in a literal scalar. A folded one folds its lines,
        so where its text ends is not worked out: edits next to it are refused."""
        if scalar.style == ">":
            raise EditError("refusing to edit next to a folded block scalar that ends in lines of blanks")
        for _ in range(lines):
            newline = self.src.find("\n", end)
            if newline < 0 or newline >= scalar.end_mark.index:
                break
            line_end = self.src.find("\n", newline + 1)
            end = min(scalar.end_mark.index, len(self.src) if line_end < 0 else line_end)
            if end > newline + 1 and self.src[end - 1] == "\r":
                end -= 1
        return end

    def keeps_breaks(self, scalar: ScalarNode) -> bool:
        """Whether a block scalar's header says keep (`|+`, `>2+`)."""
        start = scalar.start_mark.index
        line_end = self.src.find("\n", start)
        header = self.src[start:line_end if line_end >= 0 else len(self.src)]
        return "+" in header.split("#", 1)[0]

    def after_node(self, node: Node, keep_breaks: bool = True) -> int:
        """Offset of the start of the line after the node's last content line."""
        end = self.content_end(node, keep_breaks)
        if end > 0 and self.src[end - 1] == "\n":
            return end
        newline = self.src.find("\n", end)
        return len(self.src) if newline < 0 else newline + 1

    def after_value(self, pair: tuple, keep_breaks: bool = True) -> int:
        key_node, value_node = pair
        if value_node.start_mark.index < key_node.end_mark.index:
            # An alias (`key: *name`): its node sits at the anchor, so use the key's line.
            line_end = self.src.find("\n", key_node.end_mark.index)
            rest = self.src[key_node.end_mark.index:line_end if line_end >= 0 else len(self.src)]
            if not rest.split("#", 1)[0].strip().lstrip(":").strip().startswith("*"):
                raise EditError("refusing to edit next to a YAML alias")
            return len(self.src) if line_end < 0 else line_end + 1
        return self.after_node(value_node, keep_breaks)

    def leading_start(self, pair: tuple) -> int:
        """Start of the own-line comments directly above an entry (or of its line)."""
        pos = self.src.rfind("\n", 0, pair[0].start_mark.index) + 1
        while pos > 0:
            prev = self.src.rfind("\n", 0, pos - 1) + 1
            if not self.src[prev:pos].lstrip().startswith("#"):
                break
            pos = prev
        return pos

    def lines_at(self, pos: int, lines: list[str]) -> str:
        """`lines` as text inserted at line start `pos` (at the end of a file with no final break,
        the break goes first)."""
        body = self.eol.join(lines)
        if pos >= len(self.src) and not self.src.endswith("\n"):
            return self.eol + body
        return body + self.eol

    def line_lead(self, index: int) -> str:
        """The spaces and tabs that start the line holding `index`."""
        start = self.src.rfind("\n", 0, index) + 1
        text = self.src[start:index]
        return text[: len(text) - len(text.lstrip(" \t"))]

    def blank_lines_end(self, pos: int, limit: int) -> int:
        """Offset past the whitespace-only lines starting at `pos` (a line start), up to `limit`."""
        while pos < limit:
            line_end = self.src.find("\n", pos, limit)
            if line_end < 0 or self.src[pos:line_end].strip():
                return pos
            pos = line_end + 1
        return pos

    def blank_and_comment_lines_end(self, pos: int) -> int:
        """Where the blank and comment-only lines from line start `pos` on end."""
        while pos < len(self.src):
            newline = self.src.find("\n", pos)
            line_end = len(self.src) if newline < 0 else newline + 1
            text = self.src[pos:line_end].strip()
            if text and not text.startswith("#"):
                break
            pos = line_end
        return pos


def _spaced_last_lines(value: str) -> int:
    """How many lines of blanks end a block scalar's value, after its chomped line breaks (the
    line breaks after its last character; none where it has no character)."""
    text = value.rstrip("\n")
    last = len(text.rstrip(" \t\n"))
    return text.count("\n", last) if last else 0


def last_leaf(node: Node) -> Node:
    """The node whose text ends a block collection's text (the node itself otherwise)."""
    while isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
        node = node.value[-1][1] if isinstance(node, MappingNode) else node.value[-1]
    return node


def is_block_scalar(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.style in ("|", ">")


def in_flow(node: Node) -> bool:
    return bool(getattr(node, "flow_style", False))


TOP_LEVEL_ORDER = ("AWSTemplateFormatVersion", "Description", "Metadata", "Transform", "Parameters",
                   "Rules", "Mappings", "Conditions", "Globals", "Resources", "Outputs")


def top_level_successor(path: tuple, key: Any, node: MappingNode) -> tuple | None:
    """The existing section a new top-level `key` goes before, in the usual section order."""
    if path or key not in TOP_LEVEL_ORDER:
        return None
    rank = TOP_LEVEL_ORDER.index(key)
    for pair in node.value:
        name = pair[0].value
        if name in TOP_LEVEL_ORDER and TOP_LEVEL_ORDER.index(name) > rank:
            return pair
    return None
