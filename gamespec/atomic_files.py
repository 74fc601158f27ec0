"""Writing files atomically: a temporary file in the same folder, then a rename.

The output is always a regular file: a symlink, FIFO, device or folder at the path is
refused, never replaced. Temporary files are named `.NAME.gamespec-PID-XXXX.tmp`, so
that one left by a killed run is recognisable; the next write to NAME removes those whose
process is gone.
A signal during a write waits for it: the file is then dropped, never left in part.
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from gamespec import interrupts
from gamespec.errors import SpecError

TMP_TAG = ".gamespec-"


def _readable(fd: int) -> None:
    """Give the temporary file the mode a plain open() would (0666 less the umask):
    mkstemp makes it 0600, and the renamed result would stay private to its owner."""
    if hasattr(os, "fchmod"):
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)


def write_atomic(path: str | Path, text: str) -> None:
    """Write text (UTF-8) so that readers see the old file or the new one, never a part."""
    write_atomic_bytes(path, text.encode("utf-8"))


_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def check_target(path: str | Path) -> None:
    """Refuse (exit 2) a path that exists and is not a plain file."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise SpecError(f"cannot write {path}: {exc.strerror or exc}") from None
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise SpecError(f"cannot write {path}: it is {kind}, and gamespec only replaces a "
                    "plain file", hint="give the path of a new or plain file")


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    return False


def clean_stale(folder: Path, name: str) -> list[str]:
    """Remove temporary files for `name` in `folder` left by runs that were killed:
    our own regular files whose process no longer exists. Returns the names removed."""
    prefix = f".{name}{TMP_TAG}"
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
            continue
        pid_text = entry.name[len(prefix):].split("-", 1)[0]
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not pid_text.isdigit() or not stat.S_ISREG(info.st_mode):
            continue
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            continue
        if _process_gone(int(pid_text)):
            try:
                os.unlink(entry.path)
                removed.append(entry.name)
            except OSError:
                pass
    return removed


def write_atomic_bytes(path: str | Path, data: bytes) -> None:
    """Write bytes to a temporary file in the target's folder, fsync, then rename."""
    target = Path(path)
    if not str(path) or (target.is_dir() and not target.is_symlink()):
        raise SpecError(f"cannot write {str(path)!r}: give a file name",
                        hint="--out needs a file path, not a folder or an empty string")
    check_target(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise SpecError(f"cannot write {path}: folder {folder} does not exist")
    clean_stale(folder, target.name)
    with interrupts.held():  # a signal waits: the file is written whole, or not at all
        _write_and_rename(path, target, folder, data)


def _write_and_rename(path, target: Path, folder: Path, data: bytes) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}{TMP_TAG}{os.getpid()}-",
                                   suffix=".tmp", dir=folder)
    except OSError as exc:
        raise SpecError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        _readable(fd)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        check_target(target)  # again, just before the rename
        interrupts.check()  # interrupted meanwhile: drop the file, keep the old one
        os.replace(tmp, target)
        interrupts.wrote(str(path))
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise SpecError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
