"""Where text goes in block YAML: entries and items on lines of their own, at their siblings'
column, before the blank lines and comments that introduce what follows."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .. import render
from ..dialect import Dialect
from ..errors import EditError
from ..record import replace
from .geometry import Geometry, top_level_successor
from .ledger import Added, Ledger, Undo, both

_TRAILING_COMMENT = re.compile(r"[ \t]+#[^\r\n]*")  # after a value, to the end of its line


class BlockLayout:
    def __init__(self, geometry: Geometry, ledger: Ledger, dialect: Dialect) -> None:
        self.geo = geometry
        self.src = geometry.src
        self.ledger = ledger
        self.d = dialect

    # ------------------------------------------------------------ adding entries and items

    def insert_entry(self, node: MappingNode, path: tuple, added: Added, mapping: dict, after: Any) -> Undo:
        col = node.value[0][0].start_mark.column
        before = top_level_successor(path, added.key, node)
        blank_before = path == ("Resources",) and self.d.blank_between_resources
        if before is not None:
            pos = self.geo.leading_start(before)
            blank_after = pos >= 2 and self.src[:pos].endswith(("\n\n", "\n\r\n"))
            blank_before = False
        else:
            anchor = self.ledger.pair(node, after) if after is not None else None
            pos = self.geo.after_value(anchor) if anchor else self.geo.after_value(node.value[-1])
            blank_after = False

        def text() -> str:
            if not added.alive or added.key not in mapping:
                return ""
            lines = render.entry_lines(added.key, mapping[added.key], col, self.d)
            if blank_before:
                lines.insert(0, "")
            if blank_after:
                lines.append("")
            return self.geo.lines_at(pos, lines)

        return self.ledger.add(path, pos, pos, text)

    def append_item(self, path: tuple, node: SequenceNode, item: Callable[[], Any]) -> Undo:
        last = node.value[-1]
        dash = self._dash_column(node)
        pos = self.geo.after_node(last)

        def text() -> str:
            return self.geo.lines_at(pos, render.item_lines(item(), dash, self.d, self._item_offset(last)))

        return self.ledger.add(path, pos, pos, text)

    def _dash_column(self, seq: SequenceNode) -> int:
        """Column of a block sequence's dashes; the node starts at its tag or anchor if it has one."""
        at = seq.start_mark.index
        if self.src[at] == "-":
            return seq.start_mark.column
        line_start = self.src.find("\n", at) + 1  # the dashes start below `key: !Tag`
        while line_start:
            line_end = self.src.find("\n", line_start)
            line = self.src[line_start:line_end if line_end >= 0 else len(self.src)]
            text = line.lstrip(" ")
            if text.startswith("-"):
                return len(line) - len(text)
            if text.strip() and not text.startswith("#"):
                break
            line_start = line_end + 1
        raise EditError("cannot find where the items of this sequence start")

    def _item_offset(self, item: Node) -> int | None:
        """Columns from an existing item's dash to its content, when both share a line."""
        dash_at = self.src.rfind("-", 0, item.start_mark.index)
        between = self.src[dash_at + 1:item.start_mark.index]
        if dash_at < 0 or between.strip():
            return None
        return len(between) + 1 if "\n" not in between and len(between) >= 1 else None

    # ------------------------------------------------------------ replacing values

    def replacement(self, key_node: Node | None, target: Node, start: int, end: int,
                    value: Callable[[], Any]) -> tuple[int, int, Callable[[], str]]:
        """(start, end, text) of a splice that writes `value` in place of the block value `target`."""
        if isinstance(target, MappingNode | SequenceNode) and target.flow_style and target.value:
            # A flow collection stays a flow collection: never reflow the author's style.
            return start, end, lambda: render.flow(value(), self.d)
        span_start, span_end, text = self._text(key_node, target, start, end, value)
        one_line = isinstance(target, ScalarNode) and end > start and "\n" not in self.src[start:end]
        comment = _TRAILING_COMMENT.match(self.src, end) if one_line and span_end == end else None
        if comment is None:
            return span_start, span_end, text
        # `value  # note` becoming a block: the note stays on the line it was on, the first.
        return span_start, comment.end(), lambda: _after_first_line(text(), comment.group(), self.d.eol)

    def _text(self, key_node: Node | None, target: Node, start: int, end: int,
              value: Callable[[], Any]) -> tuple[int, int, Callable[[], str]]:
        if key_node is None:
            # An empty item (`-` and nothing) starts right after its dash: add the space.
            space = " " if self.src[start - 1:start] == "-" else ""
            item_col = target.start_mark.column + len(space)

            def item_text() -> str:
                lines = render.value_lines(value(), item_col, self.d)
                lines[0] = space + lines[0][item_col:]
                return self.d.eol.join(lines)

            return start, end, item_text
        colon_end = self.src.find(":", key_node.end_mark.index) + 1
        comment_between = "#" in self.src[colon_end:start]
        key_col = key_node.start_mark.column
        line_start = self.src.rfind("\n", 0, start) + 1
        span_start = line_start if comment_between else colon_end

        one_line = isinstance(target, ScalarNode) and "\n" not in self.src[start:end]
        quoted = one_line and target.style in ("'", '"')
        dialect = replace(self.d, quote=target.style, force_quote=True) if quoted else self.d

        def entry_text() -> str:
            new = value()
            if one_line and not comment_between:
                # A one-line scalar stays one line, however long: the diff shows only what changed.
                keep_quotes = isinstance(new, str) or (isinstance(new, dict) and "Fn::Sub" in new)
                text = render.inline(new, dialect if keep_quotes else self.d, limit=None)
                if text is not None:
                    return " " + text
            lines = render.entry_lines("k", new, key_col, self.d)
            first = lines[0][key_col + 2:]  # after "k:"
            rest = lines[1:]
            if comment_between:
                if first:  # an inline value, or a short tag and its block, goes under the comment
                    return self.d.eol.join(render.value_lines(new, key_col + self.d.map_indent, self.d))
                return self.d.eol.join(rest)
            return first + "".join(self.d.eol + ln for ln in rest)

        return span_start, end, entry_text

    # ------------------------------------------------------------ deleting entries

    def check_own_line(self, key_node: Node) -> None:
        line_start = self.src.rfind("\n", 0, key_node.start_mark.index) + 1
        if self.src[line_start:key_node.start_mark.index].strip():
            raise EditError("refusing to delete a key that shares its line with a dash")

    def cut_pair(self, target: tuple, pair: tuple, after_scalar: bool) -> Undo:
        start = self.src.rfind("\n", 0, pair[0].start_mark.index) + 1
        end = self.geo.after_value(pair, keep_breaks=False)  # blank lines stay (see BlockScalarPass)
        kept = [ln for ln in self.src[start:end].splitlines(keepends=True) if ln.lstrip().startswith("#")]
        if not after_scalar:
            return self.ledger.add(target, start, end, lambda: "".join(kept))
        # Comments indented deeper than the key would become the scalar's text: those of the
        # pair, and those below it up to the next entry, now right below the scalar. So would
        # the spaces of a blank line indented deeper than the scalar's text (a `>-` scalar gains
        # them): blank lines are indented no deeper than the key, too.
        column = pair[0].start_mark.column
        below = self.geo.blank_and_comment_lines_end(end)
        own = self.ledger.add(target, start, end, lambda: "".join(_no_deeper(kept, column)))
        if below == end:
            return own
        # The lines below are a splice of their own, after the pair's: an entry added after the
        # mapping that ends with this pair goes where the pair ended, between the two.
        lines = self.src[end:below].splitlines(keepends=True)
        return both(own, self.ledger.add(target, end, below, lambda: "".join(_no_deeper(lines, column))))


def _no_deeper(lines: list[str], column: int) -> list[str]:
    """Comment and blank lines indented no deeper than `column`; other lines as they are."""
    return [" " * min(column, len(ln) - len(ln.lstrip(" \t"))) + ln.lstrip(" \t")
            if ln.lstrip().startswith("#") or not ln.strip() else ln for ln in lines]


def _after_first_line(text: str, comment: str, eol: str) -> str:
    first, sep, rest = text.partition(eol)
    return first + comment + sep + rest
