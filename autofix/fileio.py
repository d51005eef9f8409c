"""Reading templates and replacing them atomically, never leaving a partial file."""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
from pathlib import Path

TMP_MARK = ".cfnfix-tmp-"


class WriteRefused(Exception):
    """The file cannot be written as asked (changed on disk, not writable...)."""


def read_bytes(path: str, max_bytes: int) -> bytes:
    """The file's bytes; refuses oversized files without reading them whole."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise WriteRefused(f"file is {size:,} bytes, over the size limit of {max_bytes:,}")
            return handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise WriteRefused("is a directory") from None
    except PermissionError:
        raise WriteRefused("permission denied (cannot read)") from None
    except FileNotFoundError:
        raise WriteRefused("no such file") from None
    except OSError as exc:
        raise WriteRefused(f"cannot read: {exc.strerror or exc}") from None


def replace_atomically(path: str, expected: bytes, new: bytes, crash_hook=None) -> None:
    """Replace `path` with `new` if it still holds `expected`.

    The new content goes to a temporary file in the same folder, is flushed to disk,
    takes the original's permission bits, and is renamed over the original: a reader (or
    a crash) sees either the old file or the new one. A symlink is written through to its
    target. The folder is locked while comparing and renaming, so two cfn-fix processes
    never interleave, and a file changed since it was read is left alone.
    """
    target = Path(os.path.realpath(path))
    folder = target.parent
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        raise WriteRefused("file disappeared before it could be written") from None
    # Without a write bit the file is read-only even for root, who would otherwise replace it.
    if not os.access(target, os.W_OK) or not mode & 0o222:
        raise WriteRefused("file is read-only; not written")
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + target.name + TMP_MARK, dir=folder)
    except OSError as exc:
        raise WriteRefused(f"cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if crash_hook:
            crash_hook(tmp)
        _swap_if_unchanged(target, folder, tmp, expected)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


def create_atomically(path: str, new: bytes) -> None:
    """Write a new file (for format conversion); an existing file is never overwritten."""
    folder = Path(path).resolve().parent
    fd, tmp = tempfile.mkstemp(prefix="." + Path(path).name + TMP_MARK, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.link(tmp, path)  # fails if the path exists: never clobber
    except FileExistsError:
        raise WriteRefused(f"{path} exists; the converted template was not written") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _fsync_dir(folder)


def _swap_if_unchanged(target: Path, folder: Path, tmp: str, expected: bytes) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(dir_fd, fcntl.LOCK_EX)
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            raise WriteRefused("file disappeared before it could be written") from None
        if current != expected:
            raise WriteRefused("file changed on disk after it was read; not written (run again)")
        os.replace(tmp, target)
    finally:
        os.close(dir_fd)  # closing releases the lock


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
