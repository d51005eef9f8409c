"""Selection and configuration as ruff users expect: one selector parser, overrides that add,
option values checked when the config is read, suppression typos reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from autofix.api import build_patches
from autofix.config import ConfigError, settings_for
from autofix.registry import all_patches
from tests.test_cli import NEEDS_FIX, cfn_fix

KNOWN = {p.id for p in all_patches()}


def _ids(patches) -> list[str]:
    return [p.id for p in patches]


def test_an_override_ignore_adds_to_the_global_ignore(tmp_path: Path) -> None:
    (tmp_path / ".cfn-fix.toml").write_text(
        'ignore = ["S3008"]\n[[overrides]]\npaths = ["legacy/*"]\nignore = ["OUT001"]\n')
    (tmp_path / "legacy").mkdir()
    settings = settings_for(str(tmp_path / "legacy" / "a.yaml"), {}, KNOWN)
    assert settings.ignore == ["S3008", "OUT001"]
    shown = cfn_fix("config", str(tmp_path / "legacy" / "a.yaml")).stdout
    assert "ignore = ['S3008', 'OUT001']" in shown and "overrides[0]" in shown


def test_an_override_select_replaces_and_extend_select_adds(tmp_path: Path) -> None:
    (tmp_path / ".cfn-fix.toml").write_text(
        'select = ["LOG001"]\n[[overrides]]\npaths = ["a/*"]\nselect = ["S3005"]\n'
        '[[overrides]]\npaths = ["b/*"]\nextend-select = ["S3006"]\n')
    assert settings_for(str(tmp_path / "a" / "t.yaml"), {}, KNOWN).select == ["S3005"]
    assert settings_for(str(tmp_path / "b" / "t.yaml"), {}, KNOWN).select == ["LOG001", "S3006"]


def test_a_bad_option_value_fails_when_the_config_is_read(tmp_path: Path) -> None:
    (tmp_path / ".cfn-fix.toml").write_text("[options.LOG001]\ndays = 91\n")
    with pytest.raises(ConfigError, match=r"options\.LOG001.*retention 91 is not one of .*90"):
        settings_for(str(tmp_path / "t.yaml"), {}, KNOWN)
    (tmp_path / "t.yaml").write_text(NEEDS_FIX)
    run = cfn_fix("-q", str(tmp_path / "t.yaml"))
    assert run.returncode == 2
    assert ".cfn-fix.toml" in run.stderr and "LOG001" in run.stderr and "91" in run.stderr


def test_config_select_takes_names_and_refuses_an_empty_selector(tmp_path: Path) -> None:
    config = tmp_path / ".cfn-fix.toml"
    config.write_text('select = ["log-group-retention"]\n')
    assert settings_for(str(tmp_path / "t.yaml"), {}, KNOWN).select == ["log-group-retention"]
    config.write_text('select = [""]\n')
    with pytest.raises(ConfigError, match="empty selector"):
        settings_for(str(tmp_path / "t.yaml"), {}, KNOWN)
    config.write_text('ignore = "S3006"\n')
    with pytest.raises(ConfigError, match="list of strings"):
        settings_for(str(tmp_path / "t.yaml"), {}, KNOWN)


def test_all_extend_select_and_extend_ignore_in_config(tmp_path: Path) -> None:
    config = tmp_path / ".cfn-fix.toml"
    config.write_text('select = ["ALL"]\nextend-ignore = ["S3"]\n')
    settings = settings_for(str(tmp_path / "t.yaml"), {}, KNOWN)
    chosen = _ids(build_patches(settings.select, settings.ignore, unsafe=True))
    assert "LOG001" in chosen and "LAM001" in chosen and not [pid for pid in chosen if pid.startswith("S3")]
    config.write_text('select = ["LOG"]\nextend-select = ["S3005"]\n')
    settings = settings_for(str(tmp_path / "t.yaml"), {}, KNOWN)
    assert sorted(_ids(build_patches(settings.select, settings.ignore))) == ["LOG001", "S3005"]


def test_command_line_extend_flags_add_to_the_config(tmp_path: Path) -> None:
    (tmp_path / ".cfn-fix.toml").write_text('select = ["LOG"]\nignore = ["LOG002"]\n')
    cli = {"extend-select": ["S3005"], "extend-ignore": ["LOG001"]}
    settings = settings_for(str(tmp_path / "t.yaml"), cli, KNOWN)
    assert settings.select == ["LOG", "S3005"] and settings.ignore == ["LOG002", "LOG001"]


def test_the_library_raises_on_selectors_that_name_no_patch() -> None:
    with pytest.raises(ValueError, match="NOPE"):
        build_patches(select=["NOPE"])
    with pytest.raises(ValueError, match="empty"):
        build_patches(select=[""])
    with pytest.raises(ValueError, match="S3O06"):
        build_patches(ignore=["S3O06"])
    assert _ids(build_patches(select=["log-group-retention"])) == ["LOG001"]
    assert len(build_patches(select=["ALL"], unsafe=True)) >= len(build_patches(unsafe=True))


def test_the_library_refuses_a_bad_option_value() -> None:
    with pytest.raises(ValueError, match="LOG001.*91"):
        build_patches(select=["LOG001"], options={"LOG001": {"days": 91}})


def test_an_empty_select_flag_is_refused(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(NEEDS_FIX)
    run = cfn_fix(str(tmp_path / "t.yaml"), "--select", "")
    assert run.returncode == 2 and "empty selector" in run.stderr


SUPPRESSION_TYPOS = """Metadata:
  cfn-fix:
    ignor: [TAG001]
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Metadata:
      cfn-fix:
        ignore: [S3O06]
  More:
    Type: AWS::Logs::LogGroup
    Metadata:
      cfn-fix:
        ignore: LOG001
"""


def test_suppression_typos_are_warned_with_their_line(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(SUPPRESSION_TYPOS)
    run = cfn_fix("-q", "--select", "LOG001", str(tmp_path / "t.yaml"))
    assert run.returncode == 1  # the warnings leave the exit code alone
    assert "t.yaml:3: cfn-fix warning: unknown key 'ignor'" in run.stderr
    assert "t.yaml:9: cfn-fix warning:" in run.stderr and "'S3O06'" in run.stderr
    assert "t.yaml:14: cfn-fix warning: cfn-fix ignore must be a list" in run.stderr


def test_strict_suppressions_make_typos_errors(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(SUPPRESSION_TYPOS)
    run = cfn_fix("--strict-suppressions", "--select", "LOG001", "--write", str(tmp_path / "t.yaml"))
    assert run.returncode == 2 and "malformed suppression" in run.stderr
    assert (tmp_path / "t.yaml").read_text() == SUPPRESSION_TYPOS
