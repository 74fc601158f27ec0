"""Bounded reads: a file is checked for type (a regular file) and size before it is read,
and read with a limit (a gzip file's decompressed size too).

Spec files, data files and Gambit `.nfg`/`.efg` files all come through here: a FIFO or a
device (`/dev/zero`) is refused instead of hanging, a file over the limit is refused
before it fills memory. The refusal is a SpecError (exit 2) naming `--limit file_bytes=N`.
"""
from __future__ import annotations

import os
import stat
import zlib
from pathlib import Path

from gamespec.errors import Span, SpecError

MAX_FILE_BYTES = 256 * 2**20  # bytes of any file read, and of a gzip file decompressed

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def _too_large(what: str, path, size: str, span: Span | None) -> SpecError:
    return SpecError(f"{what} {path} {size} the limit of {MAX_FILE_BYTES:,} bytes "
                     "(file_bytes)", span=span,
                     hint=f"--limit file_bytes=N raises it (now {MAX_FILE_BYTES})")


def read_bytes(path: str | Path, what: str = "file", span: Span | None = None) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES; anything else a SpecError.

    The file is opened without blocking (a FIFO with no writer would hang a plain open)
    and its type checked on the open descriptor, so a swap between check and read is
    caught too. FileNotFoundError and IsADirectoryError pass through for callers that
    word them their own way; other OS errors become SpecErrors.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except (FileNotFoundError, IsADirectoryError):
        raise
    except OSError as exc:
        raise SpecError(f"cannot read {what} {path}: {exc.strerror or exc}", span=span) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
            raise SpecError(f"{what} {path} is {kind}, not a regular file", span=span,
                            hint="gamespec reads only regular files")
        if info.st_size > MAX_FILE_BYTES:
            raise _too_large(what, path, f"has {info.st_size:,} bytes, over", span)
        chunks, total = [], 0
        while True:
            block = os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - total))
            if not block:
                break
            chunks.append(block)
            total += len(block)
            if total > MAX_FILE_BYTES:  # grew while being read
                raise _too_large(what, path, "grew while being read, past", span)
    except OSError as exc:
        if isinstance(exc, (FileNotFoundError, IsADirectoryError)):
            raise
        raise SpecError(f"cannot read {what} {path}: {exc.strerror or exc}", span=span) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def gunzip(data: bytes, path: str | Path, what: str = "file",
           span: Span | None = None) -> bytes:
    """Decompress gzip data (every member) to at most MAX_FILE_BYTES, else a SpecError."""
    out, total = [], 0
    while data:
        engine = zlib.decompressobj(wbits=31)
        try:
            while True:
                piece = engine.decompress(data, MAX_FILE_BYTES + 1 - total)
                out.append(piece)
                total += len(piece)
                if total > MAX_FILE_BYTES:
                    raise _too_large(what, path, "decompresses to more than", span)
                data = engine.unconsumed_tail
                if engine.eof or not data:
                    break
        except zlib.error as exc:
            raise SpecError(f"{path}: damaged gzip file ({exc})", span=span) from None
        if not engine.eof:
            raise SpecError(f"{path}: damaged gzip file (it ends early)", span=span)
        data = engine.unused_data.lstrip(b"\x00")  # the next member, if any
    return b"".join(out)
