"""Fuzzing the whole pipeline in memory: bytes in, `fix_bytes` out, nothing escapes.

Inputs: random bytes, a soup of YAML/JSON fragments, and real templates from the shared
corpus with random mutations. `fix_bytes` must return a Result, never raise; a failed or
skipped file with a clean message is fine, but an error that starts with "internal error"
is a bug, and so is a repaired text that cfn-fix itself cannot read back.

Bounded for CI (about 30 s with the "ci" profile); HYPOTHESIS_PROFILE=long runs many more.
tests/fuzz/atheris_fuzz.py drives the same target with coverage guidance.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import event, given, note, settings
from hypothesis import strategies as st

from autofix import fastload
from autofix.api import build_patches, fix_bytes
from autofix.document import load
from autofix.engine import FIXED, Result

from .conftest import CORPUS

ALL = build_patches(unsafe=True)
# Small templates keep each example fast; the corpus test covers the big ones whole.
SEEDS = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json", ".template")
               and p.stat().st_size < 6_000) if CORPUS.is_dir() else []
SEED_BYTES = [p.read_bytes() for p in SEEDS[::3]] or [
    (Path(__file__).parent / "patches" / "log-group-retention" / "basic.in.yaml").read_bytes()]
FRAGMENTS = [
    b"Resources:", b"AWSTemplateFormatVersion: '2010-09-09'", b"Type: AWS::S3::Bucket", b"Type: AWS::Lambda::Function",
    b"Type: AWS::Logs::LogGroup", b"Properties:", b"Transform: AWS::Serverless-2016-10-31", b"\n", b"\r\n", b"  ",
    b"    ", b"\t", b"- ", b"-", b": ", b":", b"{", b"}", b"[", b"]", b", ", b"'", b'"', b"|", b">-", b"|+", b"#",
    b"# c", b"!Ref X", b"!Sub", b"!GetAtt A.B", b"!If", b"Ref: X", b"Fn::GetAtt:", b"&a ", b"*a", b"<<: *a", b"? ",
    b"---", b"...", b"%YAML 1.2", b"!!str", b"!!int", b"!!binary", b"~", b"null", b"true", b"0x1F", b"1e9",
    b"\xef\xbb\xbf", b"\x00", b"\xff", b"\xc3\xa9", b"\\u00e9", b"\\ud800", b"\x85", b"\xe2\x80\xa8", b"A", b"Name",
    b'{"Resources": {', b'"Type": "AWS::SNS::Topic"', b"}}", b"@", b"`", b"%", b"\x1b",
]
# About 30 s in all on one core with the "ci" profile; the "long" profile runs 10,000 each.
FUZZ = settings(max_examples=max(settings.default.max_examples * 2, 1500), deadline=None)


GENTLE = ["comment-line", "trailing-comment", "blank-line", "scalar", "crlf", "no-final-newline", "fragment-line"]
HARSH = ["insert", "delete", "replace", "dup-line", "swap-lines", "indent", "truncate", "fragment"]
SCALARS = [b"x", b"''", b'"a: b"', b"!Ref Env", b"!Sub '${AWS::Region}'", b"[a, b]", b"{}", b"|\n  text", b"~",
           b"yes", b"0x10", b"'#'", b"!GetAtt A.Arn", b"- item", b"&anc v", b"*anc"]


def _mutate(data: st.DataObject, raw: bytes) -> bytes:
    """Mostly small edits that keep the template readable (so the patches run), some rough ones."""
    text = bytearray(raw)
    for _ in range(data.draw(st.sampled_from([1, 1, 1, 2, 3]), label="mutations")):
        kind = data.draw(st.sampled_from(GENTLE * 2 + HARSH), label="kind")
        at = data.draw(st.integers(0, len(text)), label="at")
        if kind == "insert":
            text[at:at] = data.draw(st.binary(min_size=1, max_size=8), label="bytes")
        elif kind == "fragment":
            text[at:at] = data.draw(st.sampled_from(FRAGMENTS), label="fragment")
        elif kind == "delete":
            text[at:at + data.draw(st.integers(1, 40), label="length")] = b""
        elif kind == "replace" and text:
            text[min(at, len(text) - 1)] = data.draw(st.integers(0, 255), label="byte")
        elif kind == "truncate":
            del text[at:]
        elif kind == "crlf":
            text = bytearray(bytes(text).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        elif kind == "no-final-newline":
            text = bytearray(bytes(text).rstrip(b"\r\n"))
        else:
            text = bytearray(_mutate_line(data, kind, bytes(text)))
    return bytes(text)


def _mutate_line(data: st.DataObject, kind: str, text: bytes) -> bytes:
    lines = text.split(b"\n")
    i = min(data.draw(st.integers(0, len(lines)), label="line"), len(lines) - 1)
    line = lines[i]
    lead = line[:len(line) - len(line.lstrip(b" "))]
    if kind == "dup-line":
        lines.insert(i, line)
    elif kind == "swap-lines":
        j = min(data.draw(st.integers(0, len(lines)), label="other"), len(lines) - 1)
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "indent":
        lines[i] = data.draw(st.sampled_from([b"", b" ", b"  ", b"\t"]), label="indent") + line.lstrip(b" ")
    elif kind == "comment-line":
        lines.insert(i, lead + b"# fuzz comment")
    elif kind == "trailing-comment" and line.strip() and b"#" not in line and not line.rstrip().endswith((b"|", b">")):
        lines[i] = line.rstrip(b"\r") + b"  # fuzz"
    elif kind == "blank-line":
        lines.insert(i, b"")
    elif kind == "fragment-line":
        lines.insert(i, lead + data.draw(st.sampled_from(FRAGMENTS), label="fragment"))
    elif kind == "scalar" and b": " in line:
        head = line.split(b": ", 1)[0]
        lines[i] = head + b": " + data.draw(st.sampled_from(SCALARS), label="scalar")
    return b"\n".join(lines)


def _known_bug(raw: bytes, result: Result) -> str | None:
    """The report in docs/known-issues/ (or .engine-bugs/) that explains an internal error.

    None is open: every internal error is a new bug.
    """
    return None


def _check(raw: bytes) -> Result:
    note(f"input: {raw[:3000]!r}")
    result = fix_bytes(raw, "fuzz.yaml", ALL)  # must not raise
    event(f"status: {result.status}")  # shown with --hypothesis-show-statistics
    assert isinstance(result, Result)
    assert result.status in ("fixed", "unchanged", "skipped", "failed")
    if result.error.startswith("internal error"):
        known = _known_bug(raw, result)
        note(f"internal error explained by {known}" if known else "internal error with no known cause")
        assert known, result.error
        return result
    assert "\n" not in result.error, "an error is one line"
    if result.status == FIXED:
        # What would be written is read back by both parsers as a template.
        doc = load(result.output.encode("utf-8"), "fuzz.yaml")
        assert fastload.load_data(result.output, doc.fmt) == doc.data
    return result


@FUZZ
@given(raw=st.binary(max_size=3000))
def test_random_bytes(raw: bytes) -> None:
    _check(raw)


@FUZZ
@given(parts=st.lists(st.sampled_from(FRAGMENTS), max_size=60))
def test_fragment_soup(parts: list[bytes]) -> None:
    _check(b"Resources:\n  A:\n    Type: AWS::S3::Bucket\n" + b"".join(parts))


@FUZZ
@given(data=st.data())
def test_mutated_corpus_templates(data: st.DataObject) -> None:
    raw = data.draw(st.sampled_from(SEED_BYTES), label="seed")
    _check(_mutate(data, raw))
