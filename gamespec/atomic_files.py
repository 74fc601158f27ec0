"""Writing files atomically: a temporary file in the same folder, then a rename."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gamespec.errors import SpecError


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


def write_atomic_bytes(path: str | Path, data: bytes) -> None:
    """Write bytes to a temporary file in the target's folder, fsync, then rename."""
    target = Path(path)
    if not str(path) or target.is_dir():
        raise SpecError(f"cannot write {str(path)!r}: give a file name",
                        hint="--out needs a file path, not a folder or an empty string")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise SpecError(f"cannot write {path}: folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise SpecError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        _readable(fd)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise SpecError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
