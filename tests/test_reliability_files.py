"""File-system oddities: FIFOs, locked folders, files swapped after the walk, deep trees,
one file under two names, long names, ownership, xattrs and ACLs, hard links, odd names,
bind mounts, and platforms without fcntl."""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from autofix import fileio, runner
from autofix.cli import app

NEEDS_FIX = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup  # keep me\n"
FIXED = NEEDS_FIX + "    Properties:\n      RetentionInDays: 30\n"
ENV = {**os.environ, "NO_COLOR": "1"}
CLI = [sys.executable, "-m", "autofix.cli"]


def cfn_fix(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "--select", "LOG001", *args], cwd=cwd, env=ENV, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["fix", "--jobs", "1", "--select", "LOG001", *args])
    return result.exit_code, result.output


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error: " in line]


# ---------------------------------------------------------------- 1: FIFOs and other non-regular files


def test_fifo_found_by_walking_is_skipped_without_hanging(tmp_path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "t.yaml").write_text(NEEDS_FIX)
    run = cfn_fix("--write", ".", cwd=tmp_path, timeout=30)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "t.yaml").read_text() == FIXED
    assert "pipe.yaml" not in run.stderr


def test_fifo_named_on_the_command_line_gets_one_clear_line(tmp_path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "t.yaml").write_text(NEEDS_FIX)
    run = cfn_fix("--write", "pipe.yaml", "t.yaml", cwd=tmp_path, timeout=30)
    assert run.returncode == 2
    assert _error_lines(run.stderr) == ["pipe.yaml: error: is a named pipe (FIFO), not a regular file; not read"]
    assert (tmp_path / "t.yaml").read_text() == FIXED


def test_device_named_on_the_command_line_is_not_read() -> None:
    code, output = invoke("/dev/zero")
    assert code == 2
    assert "/dev/zero: error: is a character device, not a regular file; not read" in output


# ---------------------------------------------------------------- 2: a folder locked by another process


def _hold_lock(folder: Path) -> subprocess.Popen:
    holder = subprocess.Popen(["flock", str(folder), "sleep", "60"], start_new_session=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(500):  # until the holder has it
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
                time.sleep(0.01)
            except BlockingIOError:
                return holder
    finally:
        os.close(fd)
    holder.kill()
    pytest.fail("flock never took the lock")


@pytest.fixture
def locked(tmp_path):
    if not shutil_which("flock"):
        pytest.skip("flock(1) is not installed")
    (tmp_path / "t.yaml").write_text(NEEDS_FIX)
    holder = _hold_lock(tmp_path)
    yield tmp_path
    os.killpg(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)


def shutil_which(name: str) -> str | None:
    import shutil

    return shutil.which(name)


def test_folder_locked_by_another_process_is_reported_after_a_bounded_wait(locked) -> None:
    code = ("import sys; from autofix import fileio; fileio.LOCK_WAIT = 0.5; "
            "sys.argv = ['cfn-fix', '--write', '--select', 'LOG001', 't.yaml']; "
            "from autofix.cli import main; main()")
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-c", code], cwd=locked, env=ENV, capture_output=True, text=True,
                         timeout=30)
    assert time.monotonic() - start < 20
    assert run.returncode == 2
    assert _error_lines(run.stderr) == ["t.yaml: error: folder locked by another process for over 0.5 s; not written"]
    assert (locked / "t.yaml").read_text() == NEEDS_FIX
    assert sorted(p.name for p in locked.iterdir()) == ["t.yaml"]


def test_killed_while_waiting_for_the_lock_leaves_no_temporary_file(locked) -> None:
    proc = subprocess.Popen([*CLI, "--write", "--select", "LOG001", "t.yaml"], cwd=locked, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.5)  # well past start-up: the run now waits for the folder
    proc.kill()
    proc.wait(timeout=30)
    assert sorted(p.name for p in locked.iterdir()) == ["t.yaml"]
    assert (locked / "t.yaml").read_text() == NEEDS_FIX


# ---------------------------------------------------------------- 4: swapped after the walk


@pytest.fixture
def swap(monkeypatch):
    """Runs `change(path)` after a file was read and repaired, just before it is written."""
    real = runner.replace_atomically
    actions = []

    def replace(path, *args, **kwargs):
        for action in actions:
            action(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(runner, "replace_atomically", replace)
    return actions


def test_file_swapped_for_a_link_out_of_the_tree_is_not_written(tmp_path, swap, monkeypatch) -> None:
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    (tree / "t.yaml").write_text(NEEDS_FIX)
    (outside / "t.yaml").write_text(NEEDS_FIX)

    def to_link(path: Path) -> None:
        path.unlink()
        path.symlink_to(outside / "t.yaml")

    swap.append(to_link)
    monkeypatch.chdir(tmp_path)
    code, output = invoke("--write", "tree")
    assert code == 2
    assert "tree/t.yaml: error: was replaced by a symbolic link after it was read; not written" in output
    assert (outside / "t.yaml").read_text() == NEEDS_FIX
    assert sorted(p.name for p in tree.iterdir()) == ["t.yaml"]


def test_walked_link_pointed_out_of_the_tree_after_the_walk_is_not_written(tmp_path, swap, monkeypatch) -> None:
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    (tree / "real.yaml").write_text(NEEDS_FIX)
    (tree / "alias.yaml").symlink_to("real.yaml")  # inside the tree: followed
    (outside / "t.yaml").write_text(NEEDS_FIX)

    def retarget(path: Path) -> None:
        path.unlink()
        path.symlink_to(outside / "t.yaml")

    swap.append(retarget)
    monkeypatch.chdir(tmp_path)
    code, output = invoke("--write", "tree")
    assert code == 2
    assert "tree/alias.yaml: error: now leads out of the folder being repaired; not written" in output
    assert (outside / "t.yaml").read_text() == NEEDS_FIX


def test_file_replaced_by_another_after_it_was_read_is_not_written(tmp_path, swap, monkeypatch) -> None:
    (tmp_path / "t.yaml").write_text(NEEDS_FIX)

    def replace_same_text(path: Path) -> None:
        (tmp_path / "new").write_text(NEEDS_FIX)
        os.replace(tmp_path / "new", path)  # same bytes, another file (an editor's save)

    swap.append(replace_same_text)
    monkeypatch.chdir(tmp_path)
    code, output = invoke("--write", "t.yaml")
    assert code == 2
    assert "t.yaml: error: file changed on disk after it was read; not written (run again)" in output


# ---------------------------------------------------------------- 5: deep trees


def test_a_thousand_nested_folders_are_walked() -> None:
    # Not in tmp_path: pytest removes old temporary folders recursively, and would itself
    # hit the recursion limit on this tree if a run stopped before the clean-up below.
    root = Path(tempfile.mkdtemp(prefix="cfnfix-deep-"))
    (root / "top.yaml").write_text(NEEDS_FIX)
    rel = ""
    try:
        for _ in range(1000):
            rel = os.path.join(rel, "d")
            os.mkdir(root / rel)
        (root / rel / "deep.yaml").write_text(NEEDS_FIX)
        run = cfn_fix("--write", ".", cwd=root, timeout=60)
        assert run.returncode == 0, run.stderr[-500:]
        assert (root / "top.yaml").read_text() == FIXED
        assert (root / rel / "deep.yaml").read_text() == FIXED
    finally:  # deepest first, without recursion
        while True:
            for leftover in (root / rel).iterdir():
                leftover.unlink()
            os.rmdir(root / rel)
            if not rel:
                break
            rel = os.path.dirname(rel)


# ---------------------------------------------------------------- 11: one file, two names


def test_the_same_file_named_twice_is_processed_once(tmp_path) -> None:
    (tmp_path / "big.yaml").write_text(NEEDS_FIX)
    (tmp_path / "link.yaml").symlink_to("big.yaml")
    run = cfn_fix("-j", "2", "--write", "big.yaml", "./big.yaml", "link.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "big.yaml").read_text() == FIXED
    assert "1 file: 1 fixed" in run.stderr


# ---------------------------------------------------------------- 12: long names


@pytest.mark.parametrize("length", [235, 250, 255])
def test_file_names_up_to_255_bytes_are_written(tmp_path, length) -> None:
    name = "a" * (length - len(".yaml")) + ".yaml"
    (tmp_path / name).write_text(NEEDS_FIX)
    run = cfn_fix("--write", name, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / name).read_text() == FIXED


def test_long_multibyte_name_gives_a_short_valid_temporary_name(tmp_path) -> None:
    name = "é" * 125 + ".yaml"  # 255 bytes
    tmp = fileio._temp_name(tmp_path, name)
    assert len(os.fsencode(Path(tmp).name)) < 100 and fileio.TMP_MARK in tmp
    Path(tmp).write_text("")  # a valid name on this file system


TOO_LONG = "a" * 295 + ".yaml"  # 300 bytes: over any file system's 255-byte name limit (ENAMETOOLONG)


def _one_clear_line(run: subprocess.CompletedProcess, shown: str, why: str) -> None:
    assert run.returncode == 2, run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert _error_lines(run.stderr) == [f"{shown}: error: {why}"]


@pytest.mark.parametrize("write", [[], ["--write"]])
def test_too_long_file_name_is_one_line_exit_2(tmp_path, write) -> None:
    _one_clear_line(cfn_fix(*write, TOO_LONG, cwd=tmp_path), TOO_LONG, "cannot read: File name too long")


def test_too_long_folder_name_in_a_path_is_one_line_exit_2(tmp_path) -> None:
    # The config lookup starts in that folder: no .cfn-fix.toml or pyproject.toml can be there.
    for name in (f"{TOO_LONG}/t.yaml", f"{TOO_LONG}/"):
        _one_clear_line(cfn_fix(name, cwd=tmp_path), name, "cannot read: File name too long")


def test_too_long_name_costs_only_that_path(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(NEEDS_FIX)
    run = cfn_fix("-j", "2", "--write", "t.yaml", TOO_LONG, cwd=tmp_path)
    _one_clear_line(run, TOO_LONG, "cannot read: File name too long")
    assert (tmp_path / "t.yaml").read_text() == FIXED


def test_path_through_a_folder_link_loop_is_one_line_exit_2(tmp_path) -> None:
    (tmp_path / "loop").symlink_to("loop")
    run = cfn_fix("loop/t.yaml", cwd=tmp_path)
    assert run.returncode == 2 and "internal error" not in run.stderr, run.stderr
    assert "loop/t.yaml: no such file or folder" in run.stderr.splitlines()
    _one_clear_line(cfn_fix("loop", cwd=tmp_path), "loop", "cannot read: Too many levels of symbolic links")


def test_folder_that_may_not_be_searched_is_one_line_exit_2(tmp_path, monkeypatch) -> None:
    # Root may search any folder: a stat refused inside `locked` stands in for a non-root user.
    (tmp_path / "locked").mkdir()
    real_stat = os.stat

    def refused(path, *args, **kwargs):
        if os.fspath(path).startswith(os.path.join(os.fspath(tmp_path), "locked") + os.sep):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_stat(path, *args, **kwargs)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "stat", refused)
    code, output = invoke(str(tmp_path / "locked" / "t.yaml"))
    assert code == 2 and "internal error" not in output, output
    assert f"{tmp_path}/locked/t.yaml: error: permission denied (cannot read)" in output.splitlines()


# ---------------------------------------------------------------- 13: owner, group, xattrs, ACLs, hard links

ACL_USER_OBJ, ACL_USER, ACL_GROUP_OBJ, ACL_MASK, ACL_OTHER = 0x01, 0x02, 0x04, 0x10, 0x20


def _acl(*entries: tuple[int, int, int]) -> bytes:
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, perm, uid) for tag, perm, uid in entries)


def _try_setxattr(path: Path, name: str, value: bytes) -> None:
    try:
        os.setxattr(path, name, value)
    except OSError as exc:
        pytest.skip(f"this file system does not keep {name}: {exc.strerror}")


@pytest.mark.skipif(not hasattr(os, "setxattr") or os.geteuid() != 0, reason="needs root and xattrs")
def test_root_keeps_owner_group_setgid_xattrs_and_acl(tmp_path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(NEEDS_FIX)
    os.chown(path, 1234, 2345)
    _try_setxattr(path, "user.origin", b"kept")
    acl = _acl((ACL_USER_OBJ, 6, 0xFFFFFFFF), (ACL_USER, 6, 4321), (ACL_GROUP_OBJ, 4, 0xFFFFFFFF),
               (ACL_MASK, 6, 0xFFFFFFFF), (ACL_OTHER, 4, 0xFFFFFFFF))
    _try_setxattr(path, "system.posix_acl_access", acl)
    os.chmod(path, 0o2664)
    before = os.stat(path)
    acl_before = os.getxattr(path, "system.posix_acl_access")
    run = cfn_fix("--write", "t.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    after = os.stat(path)
    assert path.read_text() == FIXED and after.st_ino != before.st_ino
    assert (after.st_uid, after.st_gid, after.st_mode) == (1234, 2345, before.st_mode)
    assert os.getxattr(path, "user.origin") == b"kept"
    assert os.getxattr(path, "system.posix_acl_access") == acl_before


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the file another owner")
def test_owner_that_cannot_be_given_back_refuses_the_write(tmp_path, monkeypatch) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(NEEDS_FIX)
    os.chown(path, 1234, 2345)

    def no_chown(*args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(fileio.os, "chown", no_chown)  # as for a user who does not own the file
    with pytest.raises(fileio.WriteRefused, match="cannot give the new file the owner 1234:2345 of the original"):
        fileio.replace_atomically(str(path), NEEDS_FIX.encode(), FIXED.encode())
    assert path.read_text() == NEEDS_FIX
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.yaml"]


def test_xattr_that_cannot_be_kept_refuses_the_write(tmp_path, monkeypatch) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(NEEDS_FIX)
    monkeypatch.setattr(fileio.os, "listxattr", lambda p: ["user.origin"])
    monkeypatch.setattr(fileio.os, "getxattr", lambda p, n: b"kept" if str(p) == str(path) else None)

    def refuse(*args):
        raise OSError(errno.ENOTSUP, "Operation not supported")

    monkeypatch.setattr(fileio.os, "setxattr", refuse)
    with pytest.raises(fileio.WriteRefused, match="cannot keep the extended attribute user.origin"):
        fileio.replace_atomically(str(path), NEEDS_FIX.encode(), FIXED.encode())
    assert path.read_text() == NEEDS_FIX
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.yaml"]


def test_hard_linked_file_is_refused_unless_allowed(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(NEEDS_FIX)
    os.link(tmp_path / "t.yaml", tmp_path / "other-name")
    run = cfn_fix("--write", "t.yaml", cwd=tmp_path)
    assert run.returncode == 2
    assert _error_lines(run.stderr) == [("t.yaml: error: file has 2 hard links; the other names would keep the old "
                                         "text; not written (--allow-hard-links writes it anyway)")]
    assert (tmp_path / "t.yaml").read_text() == NEEDS_FIX
    run = cfn_fix("--write", "--allow-hard-links", "t.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "t.yaml").read_text() == FIXED
    assert (tmp_path / "other-name").read_text() == NEEDS_FIX  # as documented


# ---------------------------------------------------------------- 19: names in messages, bind mounts


@pytest.mark.parametrize("name,shown", [("a\nb.yaml", "a\\nb.yaml"), ("red\x1b[31m.yaml", "red\\x1b[31m.yaml"),
                                        ("tab\t.yaml", "tab\\t.yaml")])
def test_control_characters_in_file_names_are_escaped(tmp_path, name, shown) -> None:
    (tmp_path / name).write_text("Resources: [1]\n")  # an error: one line naming the file
    (tmp_path / "fix.yaml").write_text(NEEDS_FIX)
    run = cfn_fix(name, "fix.yaml", cwd=tmp_path)
    assert run.returncode == 2
    lines = run.stderr.splitlines()
    assert any(line.startswith(f"{shown}:1:1: error: ") for line in lines), run.stderr
    assert "\x1b" not in run.stderr and not any(line.startswith("b.yaml") for line in lines)
    assert "+++ b/fix.yaml" in run.stdout


def test_undecodable_bytes_in_a_name_are_escaped(tmp_path) -> None:
    name = os.fsdecode(b"bad\xff.yaml")
    (tmp_path / name).write_text(NEEDS_FIX)
    run = subprocess.run([*CLI, "--select", "LOG001", name], cwd=tmp_path, env=ENV, capture_output=True,
                         timeout=60)
    assert run.returncode == 1
    assert b"bad\\xff.yaml:2: LOG001" in run.stderr


def test_missing_path_with_a_newline_is_one_line(tmp_path) -> None:
    run = cfn_fix("no\nsuch.yaml", cwd=tmp_path)
    assert "no\\nsuch.yaml: no such file or folder" in run.stderr.splitlines()


def test_rename_over_a_mount_point_says_why(tmp_path, monkeypatch) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(NEEDS_FIX)

    def busy(src, dst):
        raise OSError(errno.EBUSY, "Device or resource busy")

    monkeypatch.setattr(fileio.os, "replace", busy)
    monkeypatch.chdir(tmp_path)
    code, output = invoke("--write", "t.yaml")
    assert code == 2
    assert "a rename cannot replace a mount point" in output and "bind-mounted" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.yaml"]


# ---------------------------------------------------------------- 10: no fcntl (Windows)

WITHOUT_FCNTL = ("import sys; sys.modules['fcntl'] = None; sys.argv = ['cfn-fix', *sys.argv[1:]]; "
                 "from autofix.cli import main; main()")


def test_without_fcntl_checks_work_and_writes_are_refused_clearly(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(NEEDS_FIX)
    check = subprocess.run([sys.executable, "-c", WITHOUT_FCNTL, "--select", "LOG001", "t.yaml"], cwd=tmp_path,
                           env=ENV, capture_output=True, text=True, timeout=60)
    assert check.returncode == 1, check.stderr
    write = subprocess.run([sys.executable, "-c", WITHOUT_FCNTL, "--write", "--select", "LOG001", "t.yaml"],
                           cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=60)
    assert write.returncode == 2
    assert _error_lines(write.stderr) == [("t.yaml: error: writing in place needs POSIX file locking (fcntl), which "
                                           "this platform lacks; not written (dry runs and --check still work)")]
    assert (tmp_path / "t.yaml").read_text() == NEEDS_FIX
