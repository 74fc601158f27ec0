"""`--time-limit` as a wall-clock limit over a whole command: load, analysis, solve and
output. A SIGALRM timer fires a second after the limit (2.5 s at the earliest; the solver
is given what is left of the limit, so a method with a time limit of its own, such as brd,
returns its partial answer first) and ends the command with a SolverError (exit 3) naming
the stage.
"""
from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Iterator

from gamespec.errors import SolverError

EXPIRED = False  # set when a limit ended a command (the console entry then exits at once)
GRACE_SECONDS = 1.0  # the alarm fires this long after the limit,
MIN_SECONDS = 2.5  # and never before this (a tiny limit still lets brd return its profile)
OUTPUT_SECONDS = 5.0  # writing an answer found in time may take this long past the limit
REPEAT_SECONDS = 0.25  # and again this often (a library's bare `except:` may swallow one)


class _WallTimeExpired(BaseException):
    """Raised by the alarm; a BaseException so that `except Exception` cannot swallow it."""


class Clock:
    """The running limit: the stage under way, and the time left for the solver."""

    def __init__(self, seconds: float | None, started: float | None = None) -> None:
        self.seconds = seconds
        self.started = time.monotonic() if started is None else started
        self.stage = "load"
        self.armed = False

    def begin_output(self) -> None:
        """The answer exists: give writing it (--out, a picture) up to OUTPUT_SECONDS, so
        that a partial answer (brd's last profile) found within the limit is not lost."""
        self.stage = "output"
        if self.armed:
            left = signal.getitimer(signal.ITIMER_REAL)[0]
            signal.setitimer(signal.ITIMER_REAL, max(left, OUTPUT_SECONDS), REPEAT_SECONDS)

    def remaining(self) -> float | None:
        """Seconds left of the limit (at least 0.05), or None without a limit."""
        if self.seconds is None:
            return None
        return max(0.05, self.seconds - (time.monotonic() - self.started))


@contextlib.contextmanager
def wall_clock_limit(seconds: float | None, started: float | None = None) -> Iterator[Clock]:
    """Run the enclosed command under a wall-clock limit counted from `started` (a
    time.monotonic() value; default now): nothing without a limit, off the main thread,
    or without SIGALRM."""
    clock = Clock(seconds, started)
    # a limit that is not a positive, finite number is refused later, with its message
    armed = isinstance(seconds, (int, float)) and 0 < seconds < 1e9 \
        and hasattr(signal, "SIGALRM")
    if armed:
        def expired(signum, frame):
            raise _WallTimeExpired()
        try:
            previous = signal.signal(signal.SIGALRM, expired)
        except ValueError:  # not the main thread
            armed = False
    if not armed:
        yield clock
        return
    deadline = max(float(seconds) + GRACE_SECONDS, MIN_SECONDS)
    delay = max(0.05, deadline - (time.monotonic() - clock.started))
    signal.setitimer(signal.ITIMER_REAL, delay, REPEAT_SECONDS)
    clock.armed = True
    try:
        yield clock
    except _WallTimeExpired:
        signal.setitimer(signal.ITIMER_REAL, 0)
        global EXPIRED
        EXPIRED = True
        took = time.monotonic() - clock.started
        raise SolverError(f"time limit of {seconds:g} s (wall clock) reached during the "
                          f"{clock.stage} stage, after {took:.1f} s; nothing is certified",
                          hint="raise --time-limit, or make the game smaller") from None
    finally:
        clock.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
