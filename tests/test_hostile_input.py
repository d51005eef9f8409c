"""Hostile and broken input: one clear line per bad file, exit code 2, nothing written,
the rest of the batch still processed; bounded time and memory on attacks."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from autofix.api import build_patches, fix_bytes
from autofix.cli import app

HERE = Path(__file__).resolve().parent
FIXABLE = (HERE / "patches" / "log-group-retention" / "basic.in.yaml").read_bytes()
LOG001 = build_patches(select=["LOG001"])
EXPECTED = fix_bytes(FIXABLE, "fixable.yaml", LOG001).output.encode("utf-8")
DEPTH = 100_000
MAX_RSS_MB = 400  # bounded, with room for a loaded machine; the interpreter with the engine loaded takes ~40 MB


def _flow_deep() -> bytes:
    return b"Resources:\n  A:\n    Type: X\n    Properties:\n      P: " + b"[" * DEPTH + b"]" * DEPTH + b"\n"


def _block_deep() -> bytes:
    # `- - - x`: each dash opens a block sequence, two bytes a level.
    return b"Resources:\n  A:\n    Type: X\n    Properties:\n      P:\n        " + b"- " * DEPTH + b"x\n"


def _json_deep() -> bytes:
    return b'{"Resources": {"A": {"Type": "X", "Properties": {"P": ' + b"[" * DEPTH + b"]" * DEPTH + b"}}}}"


def _mapping_deep() -> bytes:
    return b"Resources:\n  A:\n    Type: X\n    Properties:\n      P: " + b"{a: " * DEPTH + b"1" + b"}" * DEPTH + b"\n"


def _billion_laughs() -> bytes:
    lines = ["Resources:", "  A:", "    Type: X", "    Properties:",
             '      a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        name, prev = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"      {name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def _laughs_in_keys() -> bytes:
    # Aliases of big mappings used as values many times over: same attack, other shape.
    lines = ["Resources:", "  A:", "    Type: X", "    Properties:", "      a: &a {k1: v, k2: v, k3: v, k4: v}"]
    for level in range(1, 12):
        name, prev = f"l{level}", "a" if level == 1 else f"l{level - 1}"
        lines.append(f"      {name}: &{name} {{" + ", ".join(f"x{i}: *{prev}" for i in range(8)) + "}")
    return ("\n".join(lines) + "\n").encode()


# name, content, a fragment of the one-line error
BAD_FILES = [
    ("invalid_utf8.yaml", b"Resources:\n  A:\n    Type: X\n    Description: caf\xe9\n", "not valid UTF-8"),
    ("utf16.yaml", "Resources:\n  A:\n    Type: X\n".encode("utf-16"), "UTF-16 with a byte order mark"),
    ("utf16_no_bom.yaml", "Resources:\n  A:\n    Type: X\n".encode("utf-16-le"), "UTF-16 without a byte order mark"),
    ("utf32.yaml", "Resources:\n  A:\n    Type: X\n".encode("utf-32"), "UTF-32 with a byte order mark"),
    ("lone_cr.yaml", b"Resources:\n  A:\r    Type: X\n", "a line ends in CR alone"),
    ("node_dense.json", b'{"Resources": {"A": {"Type": "X"}}, "Metadata": {"N": [' + b",".join([b"0"] * 30_000) + b"]}}",
     "no template is that dense"),
    ("binary.template", bytes(range(256)) * 8, "binary file"),
    ("empty.yaml", b"", "empty template"),
    ("only_comments.yaml", b"# nothing\n   # but comments\n\n", "empty template"),
    ("two_documents.yaml", b"Resources:\n  A: {Type: X}\n---\nResources:\n  B: {Type: Y}\n", "several YAML documents"),
    ("resources_list.yaml", b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  - A\n",
     "Resources must be a mapping, found list"),
    ("resources_string.yaml", b"Resources: nothing here\n", "Resources must be a mapping, found str"),
    ("resource_empty.yaml", b"Resources:\n  A:\n  B:\n    Type: X\n", "resource A is empty"),
    ("properties_scalar.yaml", b"Resources:\n  A:\n    Type: AWS::Lambda::Function\n    Properties: 5\n",
     "Properties must be a mapping"),
    ("unknown_tag.yaml", b"Resources:\n  A:\n    Type: X\n    Properties:\n      P: !Foo bar\n", "unknown tag !Foo"),
    ("binary_tag.yaml", b"Resources:\n  A:\n    Type: X\n    Properties:\n      P: !!binary aGk=\n",
     "unsupported YAML tag !!binary"),
    ("python_tag.yaml", b"Resources:\n  A:\n    Type: X\n    Properties:\n      P: !!python/object:os.system x\n",
     "unsupported YAML tag"),
    ("bad_int_tag.yaml", b"Resources:\n  A:\n    Type: X\n    Properties:\n      P: !!int ''\n", "!!int '' is not a valid int"),
    ("tagged_key.yaml", b"Resources:\n  A:\n    Type: X\n    Properties:\n      !Ref k: v\n",
     "mapping keys must be plain scalars"),
    ("empty_key.yaml", b"Resources:\n  A:\n    Type: AWS::S3::Bucket\n: \n", "a mapping key is empty"),
    ("inner_bom.yaml", b"Resources:\n  A:\n    Type: X\n\xef\xbb\xbfDescription: d\n", "byte order mark"),
    ("line_separator.yaml", "Resources:\n  A:\n    Type: X\n    Description: a\u2028b\n".encode(),
     "U+2028 line separator outside a quoted string"),
    ("lone_surrogate.yaml", b'Resources:\n  A:\n    Type: X\n    Properties:\n      P: "\\ud800"\n', "surrogate"),
    # ruamel_limit.yaml (a value below a comment) is readable since compose uses the plain
    # scanner (docs/known-issues/perf-7.md); test_editor_properties.py
    # test_mapping_value_below_a_comment_is_replaced covers it.
    ("billion_laughs.yaml", _billion_laughs(), "aliases expand"),
    ("laughs_mapping.yaml", _laughs_in_keys(), "aliases expand"),
    ("deep_flow.yaml", _flow_deep(), "nested too deeply"),
    ("deep_block.yaml", _block_deep(), "nested too deeply"),
    ("deep_json.json", _json_deep(), "nested too deeply"),
    ("deep_mapping.yaml", _mapping_deep(), "nested too deeply"),
]
DUPLICATES = [
    ("dup_top.yaml", b"Resources:\n  A: {Type: X}\nDescription: d\nResources:\n  B: {Type: Y}\n",
     "4:1: error: duplicate key 'Resources' (first at line 1)"),
    ("dup_nested.yaml", (b"Resources:\n  A:\n    Type: X\n    Properties:\n      Tags:\n        - Key: a\n"
                         b"          Key: b\n"), "7:11: error: duplicate key 'Key' (first at line 6)"),
    ("dup_flow.yaml", b"Resources:\n  A: {Type: X, Type: Y}\n", "2:16: error: duplicate key 'Type' (first at line 2)"),
    ("dup_json.json", b'{\n  "Resources": {\n    "A": {"Type": "X"},\n    "A": {"Type": "Y"}\n  }\n}\n',
     "4:5: error: duplicate key 'A' (first at line 3)"),
    ("dup_resource.yaml", b"Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n", "4:3: error: duplicate key 'A' (first at line 2)"),
    ("dup_anchor.yaml", (b"Resources:\n  A:\n    Type: X\n    Properties: &p {K: 1}\n  B:\n    Type: X\n"
                         b"    Metadata: &p {M: 2}\n"), "7:15: error: duplicate anchor &p (first at line 4)"),
]


# Runs the CLI and reports the process's own peak memory on its last stderr line. VmHWM, not
# ru_maxrss: exec keeps the parent's high-water mark in ru_maxrss, so a child of a large pytest
# worker (corpus caches, checkov loaded) would report the worker's memory as its own.
_WRAPPER = """
import re, sys
from autofix.cli import main
sys.argv = ["cfn-fix", *sys.argv[1:]]
try:
    main()
finally:
    with open("/proc/self/status") as status:
        peak = re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1)
    sys.stderr.write(f"PEAK_RSS_KB={peak}\\n")
"""


def _cli(args: list[str], cwd: Path, timeout: float = 120, prefix: list[str] | None = None,
         stdin: bytes | None = None) -> tuple[int, str, str, int]:
    """Run cfn-fix in a subprocess: (exit code, stdout, stderr, peak memory in MB)."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(HERE.parent)}
    proc = subprocess.Popen([*(prefix or []), sys.executable, "-c", _WRAPPER, *args], cwd=cwd, env=env,
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"cfn-fix {' '.join(args)} did not finish in {timeout} s")
    lines = err.decode("utf-8", "replace").splitlines(keepends=True)
    assert lines and lines[-1].startswith("PEAK_RSS_KB="), lines[-3:]
    peak = int(lines[-1].strip().split("=")[1]) // 1024
    return proc.returncode, out.decode("utf-8", "replace"), "".join(lines[:-1]), peak


def _lines_about(stderr: str, name: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith(name + ":")]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, int, str, str]:
    """Every bad file and two fixable ones, in one `--write` run."""
    folder = tmp_path_factory.mktemp("hostile")
    for name, content, _ in BAD_FILES + DUPLICATES:
        (folder / name).write_bytes(content)
    (folder / "fixable.yaml").write_bytes(FIXABLE)
    (folder / "zz_fixable.yaml").write_bytes(FIXABLE)
    names = ["fixable.yaml"] + [n for n, _, _ in BAD_FILES + DUPLICATES] + ["zz_fixable.yaml"]
    code, out, err, _ = _cli(["--write", "--jobs", "2", *names], folder, timeout=300)
    return folder, code, out, err


def test_batch_exit_code_and_no_traceback(batch) -> None:
    _, code, out, err = batch
    assert code == 2
    assert "Traceback" not in err + out
    assert "internal error" not in err


@pytest.mark.parametrize("name,content,message", BAD_FILES, ids=[n for n, _, _ in BAD_FILES])
def test_bad_file_one_clear_line_nothing_written(batch, name, content, message) -> None:
    folder, _, _, err = batch
    lines = _lines_about(err, name)
    assert len(lines) == 1, lines
    assert "error" in lines[0] and message in lines[0], lines[0]
    assert (folder / name).read_bytes() == content


@pytest.mark.parametrize("name,content,message", DUPLICATES, ids=[n for n, _, _ in DUPLICATES])
def test_duplicate_keys_report_both_lines(batch, name, content, message) -> None:
    folder, _, _, err = batch
    assert _lines_about(err, name) == [f"{name}:{message}"]
    assert (folder / name).read_bytes() == content


def test_rest_of_the_batch_is_fixed(batch) -> None:
    folder, _, _, err = batch
    for name in ("fixable.yaml", "zz_fixable.yaml"):
        assert (folder / name).read_bytes() == EXPECTED
        assert not [ln for ln in _lines_about(err, name) if "error" in ln]
    leftovers = [p.name for p in folder.iterdir() if ".cfnfix-tmp-" in p.name]
    assert leftovers == []


@pytest.mark.parametrize("name", ["deep_flow.yaml", "deep_block.yaml", "deep_json.json", "deep_mapping.yaml",
                                  "billion_laughs.yaml", "laughs_mapping.yaml"])
def test_attacks_refused_with_bounded_memory(tmp_path, name) -> None:
    content = {n: c for n, c, _ in BAD_FILES}[name]
    (tmp_path / name).write_bytes(content)
    code, _, err, peak = _cli([name], tmp_path, timeout=120)
    assert code == 2 and "Traceback" not in err and "RecursionError" not in err
    assert len(_lines_about(err, name)) == 1
    assert peak < MAX_RSS_MB, f"peak memory {peak} MB"


def test_size_limit(tmp_path) -> None:
    """A 50 MB template is refused without being read; --max-bytes lets it through."""
    big = tmp_path / "big.yaml"
    # Invalid YAML on line 2: once the size gate is passed, the parser stops there at once.
    with open(big, "wb") as handle:
        handle.write(b"Resources:\n  A: : :\n")
        handle.write((b"# " + b"x" * 97 + b"\n") * 500_000)
    assert big.stat().st_size > 50_000_000
    code, _, err, peak = _cli(["big.yaml"], tmp_path)
    assert code == 2 and _lines_about(err, "big.yaml") == \
        [f"big.yaml: error: file is {big.stat().st_size:,} bytes, over the size limit of 10,485,760"]
    assert peak < MAX_RSS_MB
    code, _, err, _ = _cli(["--max-bytes", "60000000", "big.yaml"], tmp_path)
    lines = _lines_about(err, "big.yaml")
    assert code == 2 and len(lines) == 1 and lines[0].startswith("big.yaml:2:") and "invalid YAML" in lines[0]
    assert "Traceback" not in err
    big.unlink()  # pytest keeps recent temporary folders; do not keep 50 MB in them


def test_small_size_limit_refuses_small_file(tmp_path) -> None:
    (tmp_path / "t.yaml").write_bytes(FIXABLE)
    code, _, err, _ = _cli(["--write", "--max-bytes", "100", "t.yaml"], tmp_path)
    assert code == 2 and "over the size limit of 100" in err
    assert (tmp_path / "t.yaml").read_bytes() == FIXABLE


def test_bad_input_on_stdin(tmp_path) -> None:
    code, _, err, _ = _cli(["-"], tmp_path, stdin=b"Resources:\n  A: \xff\n")
    assert code == 2 and "Traceback" not in err
    assert [ln for ln in err.splitlines() if "error" in ln] == ["-:2:1: error: not valid UTF-8 (byte 0xff)"]


def test_resource_without_type_is_left_alone(tmp_path) -> None:
    """A resource without Type (a Rain module, a half-written template) is not ours to judge:
    patches skip it, and the rest of the template is still fixed."""
    source = FIXABLE + b"  Module:\n    Properties:\n      Source: ./mod.yaml\n"
    (tmp_path / "t.yaml").write_bytes(source)
    code, _, err, _ = _cli(["--write", "t.yaml"], tmp_path)
    assert code == 0 and "Traceback" not in err
    out = (tmp_path / "t.yaml").read_text()
    assert out.endswith("  Module:\n    Properties:\n      Source: ./mod.yaml\n")
    assert out == fix_bytes(source, "t.yaml", build_patches()).output


def test_refused_edit_is_not_reported_as_an_internal_error() -> None:
    source = (b"Conditions:\n  C: !Equals [a, b]\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n"
              b"    Properties: !If [C, {LogGroupName: a}, {LogGroupName: b}]\n  Bucket:\n    Type: AWS::S3::Bucket\n")
    result = fix_bytes(source, "t.yaml", build_patches())
    assert not result.error.startswith("internal error"), result.error


# ---------------------------------------------------------------- writing


def test_read_only_file_is_not_written(tmp_path) -> None:
    target = tmp_path / "ro.yaml"
    target.write_bytes(FIXABLE)
    target.chmod(0o444)
    (tmp_path / "rw.yaml").write_bytes(FIXABLE)
    code, _, err, _ = _cli(["--write", "ro.yaml", "rw.yaml"], tmp_path)
    assert code == 2 and "Traceback" not in err
    assert _lines_about(err, "ro.yaml")[-1] == "ro.yaml: error: file is read-only; not written"
    assert target.read_bytes() == FIXABLE and stat.S_IMODE(target.stat().st_mode) == 0o444
    assert (tmp_path / "rw.yaml").read_bytes() == EXPECTED


def test_symlink_is_written_through_and_kept(tmp_path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "template.yaml").write_bytes(FIXABLE)
    (real / "template.yaml").chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(real / "template.yaml")
    code, _, err, _ = _cli(["--write", "link.yaml"], tmp_path)
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(real / "template.yaml")
    assert (real / "template.yaml").read_bytes() == EXPECTED
    assert stat.S_IMODE((real / "template.yaml").stat().st_mode) == 0o640
    assert sorted(p.name for p in real.iterdir()) == ["template.yaml"]


def _unprivileged() -> list[str]:
    """A command prefix under which permission bits apply, or a skip saying why not."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, which ignores permission bits, and setpriv is not installed "
                    "to drop CAP_DAC_OVERRIDE")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_folder_without_write_permission(tmp_path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "t.yaml").write_bytes(FIXABLE)
    (tmp_path / "open.yaml").write_bytes(FIXABLE)
    prefix = _unprivileged()
    locked.chmod(0o555)
    try:
        probe = subprocess.run([*prefix, "touch", str(locked / "probe")], capture_output=True, check=False)
        if probe.returncode == 0:
            pytest.skip("cannot take write permission away here (root without a way to drop it)")
        code, _, err, _ = _cli(["--write", "locked/t.yaml", "open.yaml"], tmp_path, prefix=prefix)
    finally:
        locked.chmod(0o755)
    assert code == 2 and "Traceback" not in err
    lines = _lines_about(err, "locked/t.yaml")
    assert lines[-1].startswith("locked/t.yaml: error: cannot write in ") and "Permission denied" in lines[-1]
    assert (locked / "t.yaml").read_bytes() == FIXABLE
    assert sorted(p.name for p in locked.iterdir()) == ["t.yaml"]
    assert (tmp_path / "open.yaml").read_bytes() == EXPECTED


def test_file_that_disappears_before_writing(tmp_path, monkeypatch) -> None:
    """In process (so a hook can delete the file after it was read): one line, exit 2."""
    from autofix import runner

    gone = tmp_path / "gone.yaml"
    gone.write_bytes(FIXABLE)
    (tmp_path / "stays.yaml").write_bytes(FIXABLE)
    real_fix = runner.fix_bytes

    def fix_then_delete(raw, path, *args, **kwargs):
        result = real_fix(raw, path, *args, **kwargs)
        if path.endswith("gone.yaml"):
            os.unlink(path)
        return result

    monkeypatch.setattr(runner, "fix_bytes", fix_then_delete)
    monkeypatch.chdir(tmp_path)
    outcome = CliRunner().invoke(app, ["fix", "--write", "--jobs", "1", "gone.yaml", "stays.yaml"])
    assert outcome.exit_code == 2, outcome.output
    lines = [ln for ln in outcome.output.splitlines() if ln.startswith("gone.yaml:")]
    assert lines[-1] == "gone.yaml: error: file disappeared before it could be written"
    assert not gone.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stays.yaml"]
    assert (tmp_path / "stays.yaml").read_bytes() == EXPECTED


def test_engine_exception_costs_one_file_only(tmp_path, monkeypatch) -> None:
    """A bug that raises inside the engine is one 'internal error' line, not a traceback."""
    from autofix import runner

    (tmp_path / "boom.yaml").write_bytes(FIXABLE)
    (tmp_path / "fine.yaml").write_bytes(FIXABLE)
    real_fix = runner.fix_bytes

    def explode(raw, path, *args, **kwargs):
        if path.endswith("boom.yaml"):
            raise TypeError("'NoneType' object is not subscriptable")
        return real_fix(raw, path, *args, **kwargs)

    monkeypatch.setattr(runner, "fix_bytes", explode)
    monkeypatch.chdir(tmp_path)
    outcome = CliRunner().invoke(app, ["fix", "--write", "--jobs", "1", "boom.yaml", "fine.yaml"])
    assert outcome.exit_code == 2 and outcome.exception is None or isinstance(outcome.exception, SystemExit)
    lines = [ln for ln in outcome.output.splitlines() if ln.startswith("boom.yaml:")]
    assert len(lines) == 1 and lines[0].startswith("boom.yaml: error: internal error: TypeError:")
    assert (tmp_path / "boom.yaml").read_bytes() == FIXABLE
    assert (tmp_path / "fine.yaml").read_bytes() == EXPECTED
