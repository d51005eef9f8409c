"""Verification's data from ruamel.yaml.clibz's C parser, read as PyYAML's libyaml reads it.

The main loader imports ruamel.yaml.clibz (autofix/ccompose.py), so verifying a repair with
its parser costs no import; PyYAML's (autofix/fastload_pyyaml.py) costs ~16 ms of a one-file
run. Verification must stay as strict as PyYAML's reading: the same data for every text, the
same refusals. ruamel.yaml.clibz's libyaml (it calls itself 0.1.7) is PyYAML's 0.2.5 less two
changes, and `read` hands over (HandedOver) every text where they could matter:

- plain scalars in a flow collection: a colon before a character that is not a blank is an
  error, and a `?` ends the scalar (which the parser then refuses: a key after a node). So it
  refuses `[s3:GetObject, !Ref AWS::Region]`, common in templates, which 0.2.5 reads. Such a
  text is read again with a one-code-point stand-in for each colon 0.2.5 reads inside a plain
  word, put back in every value (the way autofix/ccompose.py reads it, with a stricter rule
  of where; see _WORD_COLONS);
- `,`, `[` and `]` are tag characters (`[!Ref, x]` gives the tag `!Ref,`): no such tag is one
  the builder accepts (intrinsics, core scalars), so it refuses; a %TAG directive is handed
  over, as its prefix could make one accepted.

Everything else it refuses is handed over too, so that PyYAML refuses it in its own words
(and PyYAML reads what this parser alone refuses).
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml import events

from .ccompose import STANDIN, CParser, colon_refused
from .fastload import Events, build

AVAILABLE = CParser is not None
_EVENTS = Events.of(events)
# A run of colons that libyaml 0.2.5 reads inside a plain word, also in a flow collection
# (`s3:GetObject`, `AWS::Region`): after a character that ends no token there (not a blank, a
# quote, a flow indicator, `?` or a colon: `[:a]`, `{"a":b}`, `[a,:b]` hold an indicator), and
# before one that is not a blank, a flow indicator or `?` (`a:,` is an error there). Any other
# colon replaced would be a tag's, a directive's or one after an anchor, where the stand-in is
# refused.
_WORD_COLONS = re.compile(r"""(?<=[^\s"'\[\]{},?:\ufeff]):+(?=[^\s,\[\]{}?])""")


class HandedOver(Exception):
    """PyYAML's way must read this text (this parser might read it otherwise, or refuses it)."""


def read(text: str) -> Any:
    """What PyYAML's libyaml makes of `text` (see autofix/fastload.py), or HandedOver."""
    try:
        return _read(text, "")
    except HandedOver:
        raise
    except Exception as exc:  # noqa: BLE001 - refused: PyYAML says why, or reads it
        if not colon_refused(exc, text):
            raise HandedOver from None
    try:
        return _read(_WORD_COLONS.sub(_standins, text), STANDIN)
    except Exception:  # noqa: BLE001 - as above
        raise HandedOver from None


def _standins(colons: re.Match[str]) -> str:
    return STANDIN * len(colons.group())


def _read(text: str, standins: str) -> Any:
    parser = CParser(text)
    parser.get_event()  # stream start
    document = parser.get_event()
    if type(document) is _EVENTS.stream_end:
        return None
    if document.tags:  # %TAG: its prefix and a suffix read with `,[]` could make a known tag
        raise HandedOver
    return build(parser.get_event, _EVENTS, standins)
