"""The last pass over the splices: block scalars next to an edit keep the value they had."""

from __future__ import annotations

import re

from ruamel.yaml.nodes import Node, ScalarNode

from ..document import walk_nodes
from .geometry import Geometry, last_leaf
from .ledger import Splice

_KEEP_HEADER = re.compile(r"[|>][1-9]?\+")


class BlockScalarPass:
    def __init__(self, geometry: Geometry, root: Node) -> None:
        self.geo = geometry
        self.src = geometry.src
        self.root = root
        self._keep_ends: set[int] | None = None

    def apply(self, splices: list[Splice]) -> list[Splice]:
        """The splices (in output order), adjusted so no block scalar's value changes."""
        return self._keep_last_scalar_unbroken(self._keep_blank_lines_off_keep_scalars(splices))

    def _keep_blank_lines_off_keep_scalars(self, splices: list[Splice]) -> list[Splice]:
        """Blank lines right after a keep-chomped block scalar (`|+`) are part of its value.

        Where an edit starts right after one, the text that now follows it must not begin with
        a blank line: a new entry's blank separator goes after the entry, and blank lines left
        behind by a removal (an entry deleted after the scalar) are removed with it.
        """
        ends = self._keep_scalar_ends()
        if not ends:
            return splices
        out = list(splices)
        for i, (start, _, _) in enumerate(splices):
            if start in ends:
                self._no_blank_line_from(out, i)
        return out

    def _no_blank_line_from(self, splices: list[Splice], i: int) -> None:
        """Make the text from splice `i` on (right after a keep scalar) start with a non-blank line."""
        for j in range(i, len(splices)):
            start, end, text = splices[j]
            if text.startswith(("\n", "\r\n")) and (start == 0 or self.src[start - 1] == "\n"):
                # Every blank line it starts with goes after its content; a text of blank lines
                # only (what a removal kept of a deleted keep scalar's value) goes.
                rest = text.lstrip("\r\n")
                splices[j] = (start, end, rest + text[:len(text) - len(rest)] if rest else "")
                if rest:
                    return
                text = ""
            if text:
                return  # a line with content follows the scalar
            next_start = splices[j + 1][0] if j + 1 < len(splices) else len(self.src)
            if next_start > end:  # the source text after the removal must not start blank
                splices[j] = (start, self.geo.blank_lines_end(end, next_start), text)
                return

    def _keep_scalar_ends(self) -> set[int]:
        """Offsets where the text after each keep-chomped block scalar of the source begins."""
        if self._keep_ends is None:
            self._keep_ends = set()
            if _KEEP_HEADER.search(self.src):
                self._keep_ends = {self.geo.content_end(node) for node in walk_nodes(self.root)
                                   if isinstance(node, ScalarNode) and node.style in ("|", ">")
                                   and self.geo.keeps_breaks(node)}
        return self._keep_ends

    def _keep_last_scalar_unbroken(self, splices: list[Splice]) -> list[Splice]:
        """A block scalar that ends the file without a line break has no final break in its
        value; text added after it gives it one, so its header must say strip (`|-`)."""
        size = len(self.src)
        if self.src.endswith("\n") or not any(start == size and text for start, _, text in splices):
            return splices
        last = last_leaf(self.root)
        if not isinstance(last, ScalarNode) or last.style not in ("|", ">") or last.value.endswith("\n"):
            return splices
        start, end, indicators = self._block_header(last)
        if any(s <= start < e for s, e, _ in splices):
            return splices  # the scalar itself is rewritten
        strip = (start, end, "-" + indicators.replace("+", "").replace("-", ""))
        return sorted([*splices, strip], key=lambda splice: splice[0])

    def _block_header(self, scalar: ScalarNode) -> tuple[int, int, str]:
        """Span and text of a block scalar's indicators (`2-` of `|2-`), after its `|` or `>`."""
        style_at = self.src.index(scalar.style, scalar.start_mark.index)
        end = style_at + 1
        while end < len(self.src) and self.src[end] in "123456789+-":
            end += 1
        return style_at + 1, end, self.src[style_at + 1:end]
