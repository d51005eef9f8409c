"""An alias inside its own anchor (`&a [*a]`) makes the node tree a cycle: it is refused with
its line, not followed for ever (it once hung the CLI on a 60-byte file)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

TOPIC = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
CYCLES = {
    "sequence": TOPIC + "    P: &a [*a, x]\n",
    "mapping": TOPIC + "    P: &a {k: *a}\n",
    "deeper": TOPIC + "    P: &a\n      - x\n      - {k: [1, *a]}\n",
    "through another anchor": TOPIC + "    P: &a [&b [*a], *b]\n",
}
# Refused in a child process, so that a regression fails the test instead of hanging it.
_PARSE = """
import json, sys
from autofix.document import parse
from autofix.errors import TemplateError
try:
    parse(sys.stdin.read())
except TemplateError as exc:
    print(json.dumps([str(exc), exc.line, exc.col]))
"""


def refused(text: str) -> list:
    done = subprocess.run([sys.executable, "-c", _PARSE], input=text, capture_output=True, text=True, timeout=120,
                          check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("text", CYCLES.values(), ids=CYCLES.keys())
def test_alias_inside_its_own_anchor_is_refused(text: str) -> None:
    message, line, col = refused(text)
    assert message == "an alias inside its own anchor &a: a recursive structure, which no template can hold"
    assert (line, col) == (4, 8)


def test_alias_after_its_anchor_is_read() -> None:
    done = subprocess.run([sys.executable, "-c", _PARSE.replace("parse(sys.stdin.read())",
                                                                "print(parse(sys.stdin.read()).data['Resources'])")],
                          input=TOPIC + "    P: &a [x]\n    Q: [*a, *a]\n", capture_output=True, text=True,
                          timeout=120, check=True)
    assert "'Q': [['x'], ['x']]" in done.stdout
