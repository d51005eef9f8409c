"""A plain run is read without typer (autofix.cli.plain_fix) exactly as the typer app reads it.

Whatever argv plain_fix accepts, typer's fix command gets the same parameters; what it does not
accept goes to typer, which explains or runs it. Every flag the typer app declares is known to
the plain reader, so a new flag cannot silently send every run through the slow path or, worse,
be misread.
"""

from __future__ import annotations

import inspect

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from autofix import cli

DEFAULTS = {name: p.default for name, p in inspect.signature(cli.run_fix).parameters.items()
            if p.default is not inspect.Parameter.empty}


def typer_reads(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict | None:
    """The parameters the typer app hands to run_fix for `cfn-fix fix ARGV`, or None when it
    does not run the command (an error, help, the version)."""
    from typer.testing import CliRunner

    seen: dict = {}

    def record(**params) -> int:
        seen.update(params)
        return 0

    monkeypatch.setattr(cli, "run_fix", record)
    result = CliRunner().invoke(cli.app, ["fix", *argv])
    return _shown(seen) if seen and result.exit_code == 0 else None


def _shown(params: dict) -> dict:
    """Parameters compared by their repr: a NaN value is then equal to itself."""
    return {name: repr(value) for name, value in params.items()}


def test_typer_and_run_fix_take_the_same_parameters() -> None:
    command = _fix_command()
    assert {p.name for p in command.params} == set(cli.FIX_PARAMETERS) | {"version"}


def test_every_flag_of_the_fix_command_is_known_to_the_plain_reader() -> None:
    known = set(cli._SWITCHES) | set(cli._VALUED)
    for param in _fix_command().params:
        if param.name in ("paths", "version"):
            continue
        flags = set(param.opts) | set(param.secondary_opts)
        assert flags <= known, f"{param.name}: {sorted(flags - known)} unknown to plain_fix"
        names = {cli._SWITCHES[f][0] if f in cli._SWITCHES else cli._VALUED[f][0] for f in flags}
        assert names == {param.name}


def _fix_command():
    import typer.main

    return typer.main.get_command(cli.app).commands["fix"]


@pytest.mark.parametrize("argv", [
    ["t.yaml"], ["-q", "--no-diff", "t.yaml"], ["--unsafe-fixes", "-j", "1", "-q", "--no-diff", "a.yaml", "b.json"],
    ["--select", "LOG001", "--select=S3001,S3002", "-", "--stdin-filename", "x.yaml"], ["--check", "-w", "dir"],
    ["--output-format=json", "-o", "out.json", "--max-bytes", "100", "--target-rps", "2.5", "t.yaml"]])
def test_the_usual_runs_are_read_without_typer(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    plain = cli.plain_fix(argv)
    assert plain is not None
    assert typer_reads(argv, monkeypatch) == _shown({**DEFAULTS, **plain})


@pytest.mark.parametrize("argv", [
    [], ["-q"], ["--help", "t.yaml"], ["-h"], ["t.yaml", "--version"], ["--", "-odd.yaml"], ["-j2", "t.yaml"],
    ["-qw", "t.yaml"], ["--wr", "t.yaml"], ["--jobs", "two", "t.yaml"], ["--jobs=", "t.yaml"], ["--select"],
    ["--select", "-q", "t.yaml"], ["-o=x", "t.yaml"], ["--write=yes", "t.yaml"]])
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert cli.plain_fix(argv) is None


_VALUES = st.sampled_from(["a", "LOG001,S3001", "2", "0", "-1", "x=y", "", "1.5", "nan", " 3", "1_000", "-"])
_TOKENS = st.one_of(
    st.sampled_from(sorted(cli._SWITCHES)).map(lambda flag: [flag]),
    st.tuples(st.sampled_from(sorted(cli._VALUED)), _VALUES).map(list),
    st.tuples(st.sampled_from(sorted(f for f in cli._VALUED if f.startswith("--"))), _VALUES)
    .map(lambda pair: [f"{pair[0]}={pair[1]}"]),
    st.sampled_from(["t.yaml", "-", "rules", "x=y", "dir/", "--", "-h", "--version", "-j2", "-qw"]).map(lambda a: [a]))


@given(st.lists(_TOKENS, max_size=6).map(lambda parts: [arg for part in parts for arg in part] + ["end.yaml"]))
@example(["--jobs", " 3", "t.yaml"])
@example(["--select", "", "--select=", "t.yaml"])
def test_what_the_plain_reader_accepts_typer_reads_alike(argv: list[str]) -> None:
    plain = cli.plain_fix(argv)
    if plain is None:
        return
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert typer_reads(argv, monkeypatch) == _shown({**DEFAULTS, **plain})
