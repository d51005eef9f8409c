"""The node tree of a template composed by ruamel.yaml.clibz's C parser (libyaml).

Several times faster than ruamel.yaml's pure-Python composer, and for every text it takes,
the same tree: node types, tags (and whether each was written), values, styles, flow styles,
anchors (none) and marks (index, line and column, in code points, as the engine splices `str`
text). What libyaml's composer writes differently is rewritten as the pure one writes it (see
_as_pure). `compose` raises Declined for every text the two may read differently, and the
caller composes that text the pure way, so every refusal keeps its wording and every check
the pure composer makes still holds:

- up front: `%` directives (`%YAML 1.1` makes `yes` a boolean), verbatim and %-escaped tags,
  NEL / U+2028 / U+2029 / U+FEFF and a lone CR (libyaml: line breaks, or kept);
- anchors and aliases (libyaml's composer keeps no anchor name), and, in what is not strict
  JSON, tabs other than in quoted strings, after the start of a block scalar's content line
  and in comments (libyaml reads tabs where the pure parser refuses them);
- what libyaml refuses (JSON keys over 1,024 characters, `{a:}`), nesting over _MAX_DEPTH
  levels, a text as dense in nodes as the pure composer's node budget refuses, and empty
  keys and flow items (the two mark them in places no rule maps).

libyaml 0.1.7, which ruamel.yaml.clibz is made from, refuses `x:y` in a flow collection
(`[s3:GetObject, !Ref AWS::Region]`, common in templates); such a text is read again with a
one-code-point stand-in for each colon inside a word, put back in every value (_retried).
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from ruamel.yaml.error import StreamMark
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

try:
    from _ruamel_yaml_clibz import CParser  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # not installed (no wheel here, or not CPython): the pure composer does all
    CParser = None

AVAILABLE = CParser is not None
_STD = "tag:yaml.org,2002:"
# Where the pure composer and libyaml read a text differently (see the module docstring).
_ODD_BREAKS = "\x85\u2028\u2029\ufeff"  # U+FEFF: the pure scanner skips it, libyaml keeps it
_LONE_CR = re.compile("\r(?!\n)")
# A token starts at a line's start, after a blank or a flow indicator, or after the `:` of a
# JSON-like key (`{"a":*b}`).
_AFTER_TOKEN_START = " \t\r\n[{,"
# A verbatim or %-escaped tag: a `!` where a token starts, then `<`, or a `%` before a blank;
# or a `!!` tag with a `!` in its suffix (`!!!str`: the pure scanner reads `str`, libyaml
# `!str`; `!!a!b`: the pure parser refuses it, libyaml reads `a!b`). The `!` comes first so
# that the search skips to each `!` (the lookbehinds then check what is before it), not
# tries a pattern at every character.
_TAG_START = r"""!(?:(?<=^!)|(?<=[\s\[{,]!)|(?<=[\]}"']:!))"""  # a `!` where a token starts
_TAGS = re.compile(_TAG_START + r"(?:<|[^\s,\[\]{}]*%|![^\s,\[\]{}]*!)", re.MULTILINE)
# The non-specific tag `!` on an empty value (`a: !`, `- ! # c`): null to the pure composer,
# an empty string to libyaml. (With a value after it, `! x`, both read the same.)
_EMPTY_NON_SPECIFIC = re.compile(_TAG_START + r"(?=[ \t]*(?:#|$|[,\]}]))", re.MULTILINE)
# A block scalar's header with a `#` right after its indicators (`|#`, `>-#`, `|2#`): libyaml
# takes the `#` for a comment, the pure scanner refuses it (a comment needs a blank before it).
# Where the indicator starts a token is checked for each match (a lookbehind at every
# character costs five times the search).
_HEADER_COMMENT = re.compile(r"[|>][1-9+-]{0,2}#")
# A colon inside a word (`s3:GetObject`, `AWS::Region`): neither after a quote or a bracket
# (`{"a":1}`, where it is an indicator) nor before a blank or a flow indicator.
_INNER_COLON = re.compile(r"""(?<=[^\s"'\]}]):(?=[^\s,\[\]{}])""")
# What stands in for it: a private-use character, one code point like the colon. Not used
# where the text has one already, or an escape that makes one.
STANDIN = "\ue000"
_STANDIN_ESCAPE = re.compile(r"\\(?:u|U0000)[eE]000")
# Blanks, line breaks and comments: what the scanner skips between two tokens.
_TO_NEXT_TOKEN = re.compile(r"(?:[ \t\r\n]|(?:(?<=[ \t\r\n])|(?<![\s\S]))#[^\r\n]*)*")
# The pure composer's resolver table: YAML 1.2 core schema, the default of YAML(typ="safe").
_IMPLICIT = VersionedResolver().versioned_resolver
# The tag handles of a document without %TAG, which a written tag carries (see _written).
_HANDLES = {"!": "!", "!!": _STD}
# The pure composer recurses in Python and gives up (RecursionError) at a depth that depends
# on the caller's stack, a few hundred levels; no template nests a tenth as deep. Deeper texts
# are left to it, so it refuses them as it did; and libyaml's C recursion stays shallow.
_MAX_DEPTH = 100


class Declined(Exception):
    """The pure composer must compose this text (it may read it differently, or refuse it)."""


class _Resolved(Tag):
    """A tag the resolver gave (not written in the source); one shared instance per tag."""


_RESOLVED: dict[str, _Resolved] = {}


def _resolved(name: str) -> _Resolved:
    tag = _RESOLVED.get(name)
    if tag is None:
        tag = _RESOLVED[name] = _Resolved(suffix=name)
    return tag


_STR, _SEQ, _MAP = _resolved(_STD + "str"), _resolved(_STD + "seq"), _resolved(_STD + "map")


if CParser is not None:
    class _Composer(CParser):  # type: ignore[misc, valid-type]
        """libyaml's composer, with the pure composer's resolver and node budget as its hooks.

        libyaml calls the hooks for every node. They are set on the instance as plain functions
        (closures for the count): methods reading and writing attributes of an instance of
        this C type cost twice as much (~0.025 s more over the 298-file corpus)."""

        def __init__(self, text: str, floor: int, bytes_per_node: int, standins: bool = False) -> None:
            CParser.__init__(self, text)
            self.descend_resolver, self.ascend_resolver = _budget(floor, bytes_per_node)
            self.resolve = _resolve_standins if standins else _resolve


def _budget(floor: int, bytes_per_node: int) -> tuple[Any, Any]:
    """The hooks called before and after each node (no aliases here): the pure composer's
    node count, node for node, and the nesting depth."""
    nodes = depth = 0

    def descend(parent: Node | None, index: Any) -> None:
        nonlocal nodes, depth
        nodes += 1
        depth += 1
        if depth > _MAX_DEPTH:
            raise Declined("nested deeper than the pure composer may read")
        if nodes > floor and not nodes % 1024 and nodes * bytes_per_node > _read(parent, index):
            raise Declined("as dense in nodes as the node budget refuses")

    def ascend() -> None:
        nonlocal depth
        depth -= 1

    return descend, ascend


def _resolve(kind: type, value: str | None, implicit: Any) -> Tag:
    """The pure resolver's tag for a node without a written tag."""
    if kind is ScalarNode:
        if not implicit[0]:
            return _STR
        tag = _PLAIN_TAGS.get(value)  # type: ignore[arg-type]
        return _plain_tag(value) if tag is None else tag  # type: ignore[arg-type]
    return _SEQ if kind is SequenceNode else _MAP


def _resolve_standins(kind: type, value: str | None, implicit: Any) -> Tag:
    """_resolve, for a text read with stand-ins for colons: a plain value's tag is its own."""
    if kind is ScalarNode and implicit[0]:
        assert value is not None
        value = value.replace(STANDIN, ":")
    return _resolve(kind, value, implicit)


# The tag of each plain scalar value met, resolved once: templates repeat values (keys, types,
# `AWS::Region`...) across resources and files. Emptied when full, so a long-running server's
# memo stays small.
_PLAIN_TAGS: dict[str, _Resolved] = {}
_PLAIN_TAGS_MAX = 50_000


def _plain_tag(value: str) -> _Resolved:
    """The pure resolver's tag for an untagged plain scalar (its implicit resolver table)."""
    tag = _STR
    for name, regexp in _IMPLICIT.get(value[:1], []) + _IMPLICIT.get(None, []):
        if regexp.match(value):
            tag = _resolved(name)
            break
    if len(_PLAIN_TAGS) >= _PLAIN_TAGS_MAX:
        _PLAIN_TAGS.clear()
    _PLAIN_TAGS[value] = tag
    return tag


def _read(parent: Node | None, index: Any) -> int:
    """A position at or before the start of the node about to be composed: the end of its
    previous sibling (or the key, for a value), else where its parent starts. The pure
    composer checks the node's own start, so this refuses at least whenever it would."""
    if isinstance(index, Node):
        return index.end_mark.index
    if parent is None:
        return 0
    if not parent.value:
        return parent.start_mark.index
    last = parent.value[-1]
    return (last[1] if isinstance(last, tuple) else last).end_mark.index


def compose(text: str, floor: int, bytes_per_node: int) -> Node | None:
    """The root node of `text` as the pure composer makes it, or Declined (see the module)."""
    if CParser is None:
        raise Declined("ruamel.yaml.clibz is not installed")
    if _pure_only(text):
        raise Declined("the pure composer reads this text")
    maybe_anchors = _anchor_starts(text)
    strict_json = "\t" in text and _strict_json(text)
    if strict_json and "\t" in text[len(text.rstrip()):]:
        raise Declined("a tab after a JSON text's root (libyaml reads it, the pure parser refuses it)")
    tabs = [at for at, ch in enumerate(text) if ch == "\t"] if "\t" in text and not strict_json else []
    read, standins = text, False
    try:
        root = _Composer(read, floor, bytes_per_node).get_single_node()
    except Declined:
        raise
    except Exception as exc:  # noqa: BLE001 - libyaml refuses it: the pure composer says why, or reads it
        if not colon_refused(exc, text):
            raise Declined(str(exc)) from None
        read, standins = _INNER_COLON.sub(STANDIN, text), True
        root = _retried(read, floor, bytes_per_node)
    if root is None:
        return None
    if maybe_anchors or tabs:  # before any walk of the tree: an alias would make it a graph
        scalars = _Scalars(root, text)
        if not scalars.hold_prose(maybe_anchors) and _has_anchors(read):
            raise Declined("anchors or aliases")
        if not scalars.hold_tabs(tabs):
            raise Declined("a tab outside a quoted string or a block scalar's text")
    _as_pure(root, text, standins)
    return root


def colon_refused(exc: Exception, text: str) -> bool:
    """Whether libyaml 0.1.7 refused `text` for a colon inside a flow word, and `text` can be
    read again with STANDIN for such colons (it holds no STANDIN, nor an escape that makes one)."""
    return "found unexpected ':'" in str(exc) and STANDIN not in text and not _STANDIN_ESCAPE.search(text)


def _retried(read: str, floor: int, bytes_per_node: int) -> Node | None:
    """libyaml 0.1.7 takes `x:y` in a flow collection (`[s3:GetObject, !Ref AWS::Region]`)
    for an error; YAML 1.2 and the pure parser read a plain scalar. Read again with a stand-in
    for each colon inside a word (one code point for one: every mark holds), put back after."""
    try:
        return _Composer(read, floor, bytes_per_node, standins=True).get_single_node()
    except Declined:
        raise
    except Exception as exc:  # noqa: BLE001 - libyaml refuses it: the pure composer says why, or reads it
        raise Declined(str(exc)) from None


def _pure_only(text: str) -> bool:
    """Whether `text` has what the two parsers read differently (plain `in` tests first: fast;
    str.isascii is O(1), and an ASCII text has none of the odd breaks)."""
    if not text.isascii() and any(ch in text for ch in _ODD_BREAKS):
        return True
    if "\r" in text and _LONE_CR.search(text):
        return True
    if text.startswith("%") or "\n%" in text:  # a directive
        return True
    if _header_comment(text):
        return True
    if "!" in text and _EMPTY_NON_SPECIFIC.search(text):
        return True
    return ("%" in text or "!<" in text or "!!" in text) and _TAGS.search(text) is not None


def _header_comment(text: str) -> bool:
    """Whether a block scalar's header has a `#` right after its indicators (see _HEADER_COMMENT)."""
    for match in _HEADER_COMMENT.finditer(text):
        at = match.start()
        if at == 0 or text[at - 1] in " \t\r\n":
            return True
    return False


def _anchor_starts(text: str) -> list[int]:
    """Where an anchor (`&a`) or an alias (`*a`) may start: a `&` or `*` where a token may."""
    found = []
    for mark in "&*":
        at = text.find(mark)
        while at >= 0:
            before = text[at - 1] if at else "\n"
            if before in _AFTER_TOKEN_START or (before == ":" and _after_json_like_key(text, at - 1)):
                found.append(at)
            at = text.find(mark, at + 1)
    return found


def _after_json_like_key(text: str, colon: int) -> bool:
    """Whether the `:` at `colon` follows a quoted key or a flow collection, blanks between
    allowed (`{"a" :&b {}}`): such a colon needs no blank after it, so a mark may start there."""
    at = colon - 1
    while at >= 0 and text[at] in " \t\r\n":  # a few steps: no slice of the text before it
        at -= 1
    return at >= 0 and text[at] in "]}\"'"


def only_prose_marks(root: Node, text: str) -> bool:
    """Whether `text`, composed as `root` by either composer, has no anchor nor alias: every
    `&` or `*` where a token may start is inside the text of a scalar without a tag or an
    anchor. A few paths from the root, not a walk of the tree (see _Scalars)."""
    return _Scalars(root, text).hold_prose(_anchor_starts(text))


class _Scalars:
    """Finds the scalar whose text holds a position by descending from the root, child by
    child in document order (a bisection on their starts), so that a few positions cost a few
    paths, not a walk of the whole tree. A `&` or `*` inside the text of a scalar without a tag
    or an anchor starts no anchor nor alias (it is prose: `**WARNING**`, `a && b`); both
    parsers read a tab inside quotes alike."""

    def __init__(self, root: Node, text: str) -> None:
        self.root, self.text = root, text
        self._children: dict[int, tuple[list[int], list[Node]]] = {}

    def hold_prose(self, positions: list[int]) -> bool:
        """Whether each position is inside the text of a scalar without a tag or an anchor."""
        for at in positions:
            node = self._scalar_at(at)
            if node is None or self.text[node.start_mark.index] in "!&":
                return False
        return True

    def hold_tabs(self, positions: list[int]) -> bool:
        """Whether each tab is one both parsers read alike: a character of a value inside
        quotes, or on a content line of a block scalar after a character that is not a blank
        (one in the indentation, or on the header line, they read apart); or in a comment."""
        for at in positions:
            node = self._scalar_at(at)
            if node is None:
                if not self._in_comment(at):
                    return False
                continue
            first = self.text[node.start_mark.index]
            if first in "'\"":
                continue
            if first not in "|>" or not self._after_content(node, at):
                return False
        return True

    def _in_comment(self, at: int) -> bool:
        """Whether a `#` outside every scalar, after a blank or at the start of the line,
        comes before `at` on its line: a comment, which both parsers skip."""
        line_start = self.text.rfind("\n", 0, at) + 1
        mark = self.text.find("#", line_start, at)
        while mark >= 0:
            if (mark == line_start or self.text[mark - 1] in " \t") and self._scalar_at(mark) is None:
                return True
            mark = self.text.find("#", mark + 1, at)
        return False

    def _after_content(self, node: ScalarNode, at: int) -> bool:
        line_start = self.text.rfind("\n", node.start_mark.index, at) + 1
        return line_start > 0 and self.text[line_start:at].strip(" \t") != ""

    def _scalar_at(self, at: int) -> ScalarNode | None:
        node = self.root
        # An alias may make the tree a graph, even a cycle (`&a [*a]`): a path longer than any
        # tree's is given up, and the caller then looks for anchors in the events.
        for _ in range(_MAX_DEPTH + 2):
            if not node.start_mark.index <= at < node.end_mark.index:
                return None  # between two nodes: a blank, a comment, an indicator
            if type(node) is ScalarNode:
                return node
            starts, children = self._starts(node)
            i = bisect.bisect_right(starts, at) - 1
            if i < 0:
                return None
            node = children[i]
        return None

    def _starts(self, node: Node) -> tuple[list[int], list[Node]]:
        known = self._children.get(id(node))
        if known is None:
            children = [n for pair in node.value for n in pair] if type(node) is MappingNode else node.value
            known = self._children[id(node)] = ([child.start_mark.index for child in children], children)
        return known


def _strict_json(text: str) -> bool:
    """Whether `text` is JSON, where a tab is a blank between tokens. libyaml reads tabs in
    YAML's block context and after plain scalars, where the pure parser refuses them."""
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _has_anchors(text: str) -> bool:
    parser = CParser(text)
    try:
        while (event := parser.get_event()) is not None:
            if getattr(event, "anchor", None) is not None:  # an anchor, or an alias's name
                return True
    except Exception as exc:  # noqa: BLE001 - libyaml refuses it
        raise Declined(str(exc)) from None
    return False


def _as_pure(root: Node, text: str, standins: bool = False) -> None:
    """Write what libyaml's composer writes differently as the pure composer does: plain
    style ("" there, None here), a written tag's handles, the marks of an empty value, and
    marks at the end of a text without a final line break; and colons for their stand-ins.
    One walk over the collections, each child rewritten from its parent: an empty value of a
    block collection is marked where the pure parser marks it (libyaml: by the neighbouring
    tokens), which only the parent's neighbouring children tell."""
    eof = _Eof(text)
    stack: list[Any] = []
    if type(root) is ScalarNode:
        _as_pure_scalar(root, standins)
    else:
        stack.append(root)
    while stack:
        node = stack.pop()
        if type(node.ctag) is not _Resolved:
            node.ctag = _written(node.ctag.suffix)
        block = not node.flow_style
        if type(node) is MappingNode:
            for key, value in node.value:
                if type(key) is ScalarNode:
                    _as_pure_scalar(key, standins)
                else:
                    stack.append(key)
                if type(value) is not ScalarNode:
                    stack.append(value)
                elif block and _empty(value):
                    value.style = None
                    value.start_mark = value.end_mark = _next_token(text, value.start_mark, eof)
                else:
                    _as_pure_scalar(value, standins)
            continue
        previous = node.start_mark  # a block sequence starts at its first dash
        for item in node.value:
            if type(item) is not ScalarNode:
                stack.append(item)
            elif block and _empty(item):
                item.style = None
                item.start_mark = item.end_mark = _after_dash(text, previous)
            else:
                _as_pure_scalar(item, standins)
            previous = item.end_mark
    _mark_the_end(root, text, eof)


def _as_pure_scalar(node: ScalarNode, standins: bool) -> None:
    """A scalar as the pure composer writes it (not an empty value of a block collection)."""
    if type(node.ctag) is not _Resolved:
        node.ctag = _written(node.ctag.suffix)
    if node.style == "":
        node.style = None
        if node.value == "" and node.start_mark.index == node.end_mark.index:
            # an empty key, or an empty item of a flow collection: marked elsewhere
            raise Declined("an empty key or flow item")
    if standins and STANDIN in node.value:
        node.value = node.value.replace(STANDIN, ":")


# A tag written in the source, with the handles of a document without %TAG (document tells
# written from resolved tags by them), shared by the nodes that carry it: its decoded value
# is then worked out once, not for each node. Bounded like _PLAIN_TAGS.
_WRITTEN: dict[str, Tag] = {}
_WRITTEN_MAX = 1_000


def _written(suffix: str) -> Tag:
    tag = _WRITTEN.get(suffix)
    if tag is None:
        if len(_WRITTEN) >= _WRITTEN_MAX:
            _WRITTEN.clear()
        tag = _WRITTEN[suffix] = Tag(suffix=suffix, handles=_HANDLES)
    return tag


def _mark_the_end(root: Node, text: str, eof: _Eof) -> None:
    """Give the nodes that end where the text ends the pure parser's mark there: the root, and
    below a node that ends there, its last item or its last key and value (every other child
    has a sibling after it, and no child ends after its parent)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.end_mark.index != len(text):
            continue
        node.end_mark = eof.mark(node.end_mark)
        if type(node) is not ScalarNode and node.value:
            last = node.value[-1]
            stack.extend(last if type(node) is MappingNode else (last,))


def _empty(node: Node) -> bool:
    """An empty value the parser made up (`key:` and nothing), not written in the text."""
    return type(node) is ScalarNode and node.style == "" and node.value == "" \
        and node.start_mark.index == node.end_mark.index


class _Eof:
    """The end of the text as the pure parser marks it. libyaml adds a line break to a text
    that does not end with one, so its marks there say the next line, column 0."""

    def __init__(self, text: str) -> None:
        self.text, self._line = text, -1

    def mark(self, like: Any) -> StreamMark:
        text = self.text
        if self._line < 0:  # one count over the text, and only where a node ends there
            self._line = text.count("\n")
        return StreamMark(like.name, len(text), self._line, len(text) - text.rfind("\n") - 1)


def _next_token(text: str, mark: Any, eof: _Eof) -> StreamMark:
    """Where the pure parser puts an empty block mapping value (libyaml: right after its
    colon): where the next token starts, past blanks, line breaks and comments."""
    index = _token_after(text, mark.index)
    if index == len(text):
        return eof.mark(mark)
    if text[index] in "?:":  # a `?` or `:` indicator: the pure parser marks its end, or its start
        raise Declined("an empty value before an explicit key or value")
    return _moved(text, mark, index)


def _after_dash(text: str, previous: Any) -> StreamMark:
    """Where the pure parser puts an empty block sequence item (libyaml: where the next token
    starts): right after its dash, the first token after the previous item."""
    index = _token_after(text, previous.index)
    if text[index:index + 1] != "-":
        raise Declined("an empty item not after a dash")
    return _moved(text, previous, index + 1)


def _token_after(text: str, index: int) -> int:
    """Where the next token starts, from `index`: past blanks, line breaks and comments."""
    skipped = _TO_NEXT_TOKEN.match(text, index)
    assert skipped is not None  # it matches the empty string
    return skipped.end()


def _moved(text: str, mark: Any, index: int) -> StreamMark:
    """A mark at `index`, at or after `mark`, counting lines and columns from it."""
    start = mark.index
    breaks = text.count("\n", start, index)
    column = index - text.rfind("\n", start, index) - 1 if breaks else mark.column + index - start
    return StreamMark(mark.name, index, mark.line + breaks, column)
