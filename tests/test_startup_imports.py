"""A plain dry run imports neither `dataclasses` nor `inspect`, and a one-file run no `pathlib`
(never how long it takes).

`dataclasses` compiles every method of every class with `exec` and imports `inspect`, `ast`,
`dis` and `tokenize`: with the project's ~45 classes, about a tenth of a one-file run's
start-up. cfn-fix's classes are records (autofix.record) instead, and patch discovery lists
the `patches` folder itself (pkgutil imports `inspect` to name a module file). `pathlib` (with
`urllib.parse` and `ipaddress`, ~5 ms) is left to walking a folder: paths are strings.

Modules owned elsewhere move to records by one-line swaps; until they have, they are PENDING
here: the run may import `dataclasses` through them alone (and `autofix.record` imports it when
they call dataclasses' functions on a record), and imports none of the watched modules once none
of them does. Each command runs in a fresh interpreter
through the console script's entry point, with every import statement watched (an import
statement is seen even when the module is loaded already, as pathlib is by an editable install's
finder).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import test_startup as startup

ROOT = startup.ROOT
WATCHED = ("dataclasses", "inspect", "ast", "dis")
NOT_FOR_ONE_FILE = ("pathlib",)
# Modules that may still import dataclasses; remove each one as it moves to records.
PENDING: set[str] = set()

# test_startup's probe (the entry point run as the console script runs it, then the exit code and
# which watched modules were loaded), with every import statement watched from the start: one
# more line on stderr says which module's statement named each watched module.
PROBE = """
import builtins, json, sys
importers = {}
real_import = builtins.__import__
named = set(json.loads(sys.argv[1]))

def watching(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and name in named:
        importers.setdefault(name, set()).add((globals or {}).get("__name__", "?"))
    return real_import(name, globals, locals, fromlist, level)

builtins.__import__ = watching
""" + startup.PROBE + """
sys.stderr.write("\\nIMPORTERS " + json.dumps({name: sorted(who) for name, who in importers.items()}) + "\\n")
"""


TEMPLATE = """\
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
  Bucket:
    Type: AWS::S3::Bucket
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/x
      Code:
        ZipFile: "def handler(event, context): pass"
"""


def probe(*args: str, cwd: Path) -> dict:
    env = {**os.environ, "NO_COLOR": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, "-c", PROBE, json.dumps(WATCHED + NOT_FOR_ONE_FILE), *args], cwd=cwd,
                         capture_output=True, text=True, env=env, timeout=120)
    lines = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in run.stderr.splitlines()
             if line.startswith(("PROBE ", "IMPORTERS "))}
    assert len(lines) == 2, f"probe did not finish (exit {run.returncode}): {run.stderr[-2000:]}"
    return {**json.loads(lines["PROBE"]), "importers": json.loads(lines["IMPORTERS"])}


def _through(report: dict) -> set[str]:
    """The modules outside the import chain of dataclasses itself whose import statements name
    a watched module (dataclasses imports inspect, inspect ast and dis)."""
    return {who for name in WATCHED for who in report["importers"].get(name, ())} - {*WATCHED, "autofix.record"}


def test_a_plain_dry_run_imports_dataclasses_only_through_modules_not_yet_on_records(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    for args in (("t.yaml",), ("-q", "--no-diff", "t.yaml"), ("--unsafe-fixes", "t.yaml")):
        report = probe(*args, cwd=tmp_path)
        assert report["code"] == 1, report  # fixes pending: the run went through every stage
        through = _through(report)
        assert through <= PENDING, (args, report["importers"])
        assert bool(set(report["loaded"]) & set(WATCHED)) == bool(through), (args, report["loaded"])
        assert "pathlib" not in report["importers"], (args, report["importers"])


def test_walking_a_folder_does_import_pathlib(tmp_path: Path) -> None:
    """The control for the probe's pathlib: a folder's templates are named as pathlib writes it."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "t.yaml").write_text(TEMPLATE)
    report = probe("./folder/", cwd=tmp_path)
    assert report["code"] == 1 and "autofix.discover" in report["importers"]["pathlib"]


def test_the_probe_sees_a_module_that_does_import_inspect(tmp_path: Path) -> None:
    """The control: `--help` goes to typer, which reads its commands' signatures with inspect."""
    report = probe("--help", cwd=tmp_path)
    assert report["code"] == 0 and "inspect" in report["loaded"]
    assert any(who.startswith(("typer", "click")) for who in report["importers"]["inspect"]), report["importers"]
