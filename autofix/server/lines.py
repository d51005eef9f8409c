"""Offsets in a text to LSP positions and back, with LSP's line breaks and the negotiated encoding."""

from __future__ import annotations

import re
from bisect import bisect_right

_BREAK = re.compile(r"\r\n|\r|\n")  # LSP's line terminators; not str.splitlines' longer list


class LineIndex:
    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.encoding = encoding
        self.starts = [0, *(m.end() for m in _BREAK.finditer(text))]

    def position(self, offset: int) -> tuple[int, int]:
        """(line, character in the client's code units) of a code-point offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        return line, self.units(self.text[self.starts[line]:offset])

    def offset(self, line: int, character: int) -> int:
        """The code-point offset of an LSP position (clamped to the text, as LSP asks)."""
        if line >= len(self.starts):
            return len(self.text)
        start = self.starts[max(line, 0)]
        end = self.line_end(line)
        count = 0
        for at in range(start, end):
            if count >= character:
                return at
            count += self.units(self.text[at])
        return end

    def line_end(self, line: int) -> int:
        """Offset of the end of a line's content (before its line break)."""
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        while end > self.starts[line] and self.text[end - 1] in "\r\n":
            end -= 1
        return end

    def units(self, chars: str) -> int:
        if chars.isascii() or self.encoding == "utf-32":
            return len(chars)
        if self.encoding == "utf-8":
            return len(chars.encode("utf-8", "surrogatepass"))
        return len(chars) + sum(1 for c in chars if ord(c) > 0xFFFF)
