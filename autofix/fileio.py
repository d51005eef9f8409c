"""Reading templates and replacing them atomically, never leaving a partial file."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import threading
import time
from collections.abc import Callable, Iterator

from .record import record

try:  # POSIX only; without it cfn-fix still checks, but refuses to write in place
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

TMP_MARK = ".cfnfix-tmp-"
LOCK_WAIT = 10.0  # seconds to wait for a folder another process holds locked
_NAME_KEEP = 48  # bytes of the original name kept in the temporary name (names may be 255 bytes)
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory"))


class WriteRefused(Exception):
    """The file cannot be written as asked (changed on disk, not writable...)."""


@record(frozen=True)
class Identity:
    """Which file was read: its device and inode, and whether the name was a link then."""

    dev: int
    ino: int
    link: bool


# The errors for which pathlib's is_dir, exists and is_symlink answer False; it raises any other
# (a name too long, a folder that may not be searched), and so do these.
_ABSENT_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
_ABSENT_WINERRORS = (21, 123, 1921)  # not ready, invalid name, cannot resolve


def _mode(path: str, follow_symlinks: bool = True) -> int | None:
    """`path`'s mode, or None where it does not exist, as pathlib answers (without importing it:
    ~5 ms of a one-file run)."""
    try:
        return os.stat(path, follow_symlinks=follow_symlinks).st_mode
    except OSError as exc:
        if exc.errno in _ABSENT_ERRNOS or getattr(exc, "winerror", None) in _ABSENT_WINERRORS:
            return None
        raise
    except ValueError:  # a NUL in the name
        return None


def is_dir(path: str) -> bool:
    mode = _mode(path)
    return mode is not None and stat.S_ISDIR(mode)


def is_file(path: str) -> bool:
    mode = _mode(path)
    return mode is not None and stat.S_ISREG(mode)


def exists_or_is_link(path: str) -> bool:
    if _mode(path) is not None:
        return True
    mode = _mode(path, follow_symlinks=False)
    return mode is not None and stat.S_ISLNK(mode)


def kind(mode: int) -> str:
    """'a named pipe (FIFO)', 'a directory'...: what a non-regular file is, for messages."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_bytes(path: str, max_bytes: int) -> bytes:
    """The file's bytes; refuses oversized files without reading them whole."""
    return read_file(path, max_bytes)[0]


def read_file(path: str, max_bytes: int) -> tuple[bytes, Identity]:
    """The file's bytes and identity; only regular files are opened, and never block."""
    try:
        link = os.path.islink(path)
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise WriteRefused(f"is {kind(mode)}, not a regular file; not read")
        # O_NONBLOCK: a file swapped for a FIFO between stat and open cannot hang the run.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise WriteRefused(f"is {kind(info.st_mode)}, not a regular file; not read")
            if info.st_size > max_bytes:
                raise WriteRefused(f"file is {info.st_size:,} bytes, over the size limit of {max_bytes:,}")
            return handle.read(max_bytes + 1), Identity(info.st_dev, info.st_ino, link)
    except PermissionError:
        raise WriteRefused("permission denied (cannot read)") from None
    except FileNotFoundError:
        raise WriteRefused("no such file") from None
    except WriteRefused:
        raise
    except OSError as exc:
        raise WriteRefused(f"cannot read: {exc.strerror or exc}") from None


def replace_atomically(path: str, expected: bytes, new: bytes, crash_hook: Callable[[str], None] | None = None,
                       identity: Identity | None = None, root: str | None = None,
                       allow_hard_links: bool = False, still_wanted: Callable[[], bool] | None = None,
                       on_written: Callable[[], None] | None = None) -> None:
    """Replace `path` with `new` if it still holds `expected`.

    The folder is locked (waiting at most LOCK_WAIT seconds) before anything is created in
    it, so two cfn-fix processes never interleave. The new content goes to a temporary file
    there, is flushed to disk, takes the original's owner, group, extended attributes (POSIX
    ACLs included) and permission bits, and is renamed over the original: a reader (or a
    crash) sees either the old file or the new one. A symlink is written through to its
    target. A file changed, replaced or swapped for a link since it was read is left alone,
    and so is one whose target is outside `root` (the folder that was walked).
    """
    if fcntl is None:
        raise WriteRefused("writing in place needs POSIX file locking (fcntl), which this platform lacks; "
                           "not written (dry runs and --check still work)")
    target = os.path.realpath(path)  # strings, not pathlib: importing it is ~5 ms of a one-file run
    folder = os.path.dirname(target)
    _check_target(path, target, identity, root)
    dir_fd = _lock(folder)
    try:
        info = _current(target, identity, expected, allow_hard_links)
        tmp = _temp_name(folder, os.path.basename(target))
        try:
            _write_temp(tmp, new, info, target)
            if crash_hook:
                crash_hook(tmp)
            _current(target, identity, expected, allow_hard_links)
            if still_wanted is not None and not still_wanted():
                raise WriteRefused("cfn-fix was stopped before this file was written; not written")
            with _sigint_deferred():  # renamed and reported as written, or neither
                _rename(tmp, target)
                if on_written is not None:
                    on_written()
        except BaseException:
            if os.path.lexists(tmp):
                os.unlink(tmp)
            raise
    finally:
        os.close(dir_fd)  # closing releases the lock
    _fsync_dir(folder)


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C back for a moment: it takes effect at the end of the block."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives it
        return
    import signal  # only where a file is written: a dry run never needs it

    caught: list[tuple] = []
    previous = signal.signal(signal.SIGINT, lambda *frame: caught.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and callable(previous):
            previous(*caught[0])
        elif caught and previous == signal.SIG_DFL:
            raise KeyboardInterrupt


def _check_target(path: str, target: str, identity: Identity | None, root: str | None) -> None:
    if identity is not None and not identity.link and os.path.islink(path):
        raise WriteRefused("was replaced by a symbolic link after it was read; not written")
    if root is not None and not _inside(target, os.path.realpath(root)):
        raise WriteRefused("now leads out of the folder being repaired; not written")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _lock(folder: str) -> int:
    """An exclusive lock on the folder, waited for at most LOCK_WAIT seconds."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise WriteRefused(f"cannot open the folder {folder}: {exc.strerror or exc}") from None
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(dir_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return dir_fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(dir_fd)
                raise WriteRefused(f"folder locked by another process for over {LOCK_WAIT:g} s; not written") from None
            time.sleep(0.05)
        except BaseException:
            os.close(dir_fd)
            raise


def _current(target: str, identity: Identity | None, expected: bytes, allow_hard_links: bool) -> os.stat_result:
    """The target's status, if it is still the very file that was read, holding the same bytes."""
    try:
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise WriteRefused("file disappeared before it could be written") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise WriteRefused("was replaced by a symbolic link after it was read; not written") from None
        raise WriteRefused(f"cannot read it again before writing: {exc.strerror or exc}") from None
    with open(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise WriteRefused(f"is now {kind(info.st_mode)}; not written")
        if identity is not None and (info.st_dev, info.st_ino) != (identity.dev, identity.ino):
            raise WriteRefused("file changed on disk after it was read; not written (run again)")
        if handle.read(len(expected) + 1) != expected:
            raise WriteRefused("file changed on disk after it was read; not written (run again)")
    mode = stat.S_IMODE(info.st_mode)
    # Without a write bit the file is read-only even for root, who would otherwise replace it.
    if not os.access(target, os.W_OK) or not mode & 0o222:
        raise WriteRefused("file is read-only; not written")
    if info.st_nlink > 1 and not allow_hard_links:
        raise WriteRefused(f"file has {info.st_nlink} hard links; the other names would keep the old text; "
                           "not written (--allow-hard-links writes it anyway)")
    return info


def _temp_name(folder: str, name: str) -> str:
    """A new hidden name in `folder`, short enough even beside a 255-byte file name."""
    stem = os.fsencode(name)[:_NAME_KEEP].decode("utf-8", "ignore")
    return os.path.join(folder, f".{stem or 't'}{TMP_MARK}{os.urandom(4).hex()}")


def _write_temp(tmp: str, new: bytes, info: os.stat_result, target: str) -> None:
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        raise WriteRefused(f"cannot write in {os.path.dirname(target)}: {exc.strerror or exc}") from None
    with open(fd, "wb") as handle:
        handle.write(new)
        handle.flush()
        os.fsync(handle.fileno())
    _copy_metadata(target, tmp, info)


def _copy_metadata(source: str, tmp: str, info: os.stat_result) -> None:
    """Owner and group, then extended attributes (ACLs), then the mode (chown clears setuid)."""
    created = os.stat(tmp)
    if (created.st_uid, created.st_gid) != (info.st_uid, info.st_gid):
        try:
            os.chown(tmp, info.st_uid, info.st_gid)
        except OSError:
            raise WriteRefused(f"cannot give the new file the owner {info.st_uid}:{info.st_gid} of the "
                               "original; not written") from None
    _copy_xattrs(source, tmp)
    os.chmod(tmp, stat.S_IMODE(info.st_mode))


def _copy_xattrs(source: str, tmp: str) -> None:
    if not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(source)
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            return
        raise WriteRefused(f"cannot read the file's extended attributes: {exc.strerror}; not written") from None
    for name in names:
        try:
            value = os.getxattr(source, name)
            if _xattr(tmp, name) != value:
                os.setxattr(tmp, name, value)
        except OSError as exc:
            raise WriteRefused(f"cannot keep the extended attribute {name} ({exc.strerror}); not written") from None


def _xattr(path: str, name: str) -> bytes | None:
    try:
        return os.getxattr(path, name)
    except OSError:
        return None


def _rename(tmp: str, target: str) -> None:
    try:
        os.replace(tmp, target)
    except OSError as exc:
        if exc.errno == errno.EBUSY:
            raise WriteRefused("the file is a mount point (a bind-mounted file, as with docker -v f:f), and "
                               "a rename cannot replace a mount point; not written (mount its folder "
                               "instead)") from None
        raise


def create_atomically(path: str, new: bytes) -> None:
    """Write a new file (for format conversion); an existing file is never overwritten."""
    folder = os.path.dirname(os.path.realpath(path))
    tmp = _temp_name(folder, os.path.basename(path))
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with open(fd, "wb") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.link(tmp, path)  # fails if the path exists: never clobber
    except FileExistsError:
        raise WriteRefused(f"{path} exists; the converted template was not written") from None
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    _fsync_dir(folder)


def _fsync_dir(folder: str) -> None:
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
