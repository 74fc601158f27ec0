"""Interrupts (Ctrl-C, SIGTERM) end a command with exit 130 and no partial output.

The console entry installs the handler while the package is imported, before any heavy
import: until the command starts, a signal ends the process at once (nothing has been
written). While the command runs, the first signal raises KeyboardInterrupt and later ones
are ignored, so that clean-up runs; inside `held()` (an atomic file write) it waits for the
end of the block. Standard output is held (`HeldOutput`) and delivered in one piece when
the command is over; from then on signals are ignored: the command has finished.
"""
from __future__ import annotations

import contextlib
import io
import os
import signal
import sys

SIGNALS = (signal.SIGINT, signal.SIGTERM)
MESSAGE = "gamespec: interrupted; no output was written"
# mode: "exit" (before the command), "raise" (running), "stopping" (interrupted), "done"
_state = {"mode": "exit", "held": 0, "pending": False}
WRITTEN: list[str] = []  # files this command completed (--out), named if it is interrupted


def _handler(signum, frame):
    mode = _state["mode"]
    if mode == "exit":
        os.write(2, (MESSAGE + "\n").encode())
        os._exit(130)
    if mode != "raise":
        return
    if _state["held"]:
        _state["pending"] = True
        return
    _state["mode"] = "stopping"
    raise KeyboardInterrupt


def interrupted() -> bool:
    """Has a signal interrupted the running command (its KeyboardInterrupt may come back
    wrapped, e.g. as a SystemError from a C function it was raised in)?"""
    return _state["mode"] == "stopping"


def install() -> None:
    """At start-up of the console entry: a signal during imports exits 130 at once."""
    for signum in SIGNALS:
        signal.signal(signum, _handler)
    sys.unraisablehook = _unraisable


def _unraisable(unraisable, _default=sys.unraisablehook) -> None:
    """The interrupt raised where Python cannot propagate it (a weakref callback of the
    import system, a __del__): the command cannot unwind, so it ends here, exit 130 (its
    output is held and its atomic writes hold signals: nothing partial is left)."""
    if issubclass(unraisable.exc_type, KeyboardInterrupt) and _state["mode"] == "stopping":
        os.write(2, (message() + "\n").encode())
        end_workers()
        os._exit(130)
    _default(unraisable)


def end_workers() -> None:
    """An interrupted sweep's worker processes end with it: os._exit skips the pool's
    shutdown, and a worker waiting for its next point would wait for ever."""
    processes = sys.modules.get("multiprocessing")
    if processes is not None:
        for child in processes.active_children():
            child.kill()


def message() -> str:
    if WRITTEN:
        return f"gamespec: interrupted; nothing printed, but {', '.join(WRITTEN)} was written"
    return MESSAGE


@contextlib.contextmanager
def command():
    """Around one command: the first signal raises KeyboardInterrupt. Afterwards the
    handlers are restored, or, in the console entry, signals are ignored (it is exiting)."""
    saved = _state["mode"]
    try:
        previous = {signum: signal.signal(signum, _handler) for signum in SIGNALS}
    except ValueError:  # not the main thread: signals are not ours to handle
        previous = None
    _state.update(mode="raise", pending=False)
    WRITTEN.clear()
    try:
        yield
    finally:
        if previous is None:
            _state["mode"] = saved
        elif all(handler is _handler for handler in previous.values()):
            _state["mode"] = "done"  # the console entry: the process ends next
        else:
            _state["mode"] = "done"
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            _state["mode"] = saved


def check() -> None:
    """Inside `held()`: raise now if a signal came (before an irrevocable step)."""
    if _state["pending"] and _state["mode"] == "raise":
        _state.update(pending=False, mode="stopping")
        raise KeyboardInterrupt


@contextlib.contextmanager
def held():
    """A signal during the block waits for its end (then raises KeyboardInterrupt)."""
    _state["held"] += 1
    try:
        yield
    finally:
        _state["held"] -= 1
    if not _state["held"]:
        check()


def wrote(path: str) -> None:
    """A file of the running command is complete (named if the command is interrupted)."""
    if _state["mode"] == "raise":
        WRITTEN.append(path)


def finished(exiting: bool = False) -> None:
    """The command is over: signals from now on are ignored. When the process is exiting,
    ignored by the system too: the interpreter's finalisation restores the default
    handlers (a late SIGINT would end the process silently with status -2)."""
    _state["mode"] = "done"
    if exiting:
        for signum in SIGNALS:
            signal.signal(signum, signal.SIG_IGN)


class HeldOutput(io.StringIO):
    """Standard output kept in memory until the command is over, then written at once."""

    def __init__(self, real) -> None:
        super().__init__()
        self.real = real

    def isatty(self) -> bool:
        return bool(getattr(self.real, "isatty", lambda: False)())

    def fileno(self) -> int:
        return self.real.fileno()

    @property
    def encoding(self):
        return getattr(self.real, "encoding", "utf-8")

    def deliver(self) -> None:
        """Ignore signals, then write everything held (the command has finished)."""
        finished()
        text = self.getvalue()
        if text:
            self.real.write(text)
        self.real.flush()


def is_entry() -> bool:
    """Is this process the `gamespec` command (console script or `python -m gamespec.cli`)?"""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if name in ("gamespec", "gamespec.exe", "gamespec-script.py"):
        return True
    argv = list(getattr(sys, "orig_argv", []))
    return any(a == "-m" and b == "gamespec.cli" for a, b in zip(argv, argv[1:]))
