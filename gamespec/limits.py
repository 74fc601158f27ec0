"""Resource limits, in one place, overridable (`--limit NAME=N` on the command line).

Defaults are sized for a 24 GB, 2-core machine: a spec that would exceed one is refused
before anything large is built, with the estimate in the message. Each limit lives as a
constant in the module that enforces it; this table names them and sets them.
"""
from __future__ import annotations

import contextlib
import importlib
import signal
from collections.abc import Iterable, Iterator

from gamespec.errors import SolverError, SpecError

# name -> (module, constant, what it bounds)
LIMITS: dict[str, tuple[str, str, str]] = {
    "set_size": ("gamespec.language.build_sets", "MAX_SET_SIZE", "elements of a range lo..hi"),
    "table_entries": ("gamespec.language.build_definitions", "MAX_TABLE_ELEMENTS",
                      "entries of an indexed parameter"),
    "array_elements": ("gamespec.evaluate", "MAX_ELEMENTS",
                       "elements of any array built while evaluating"),
    "pure_profiles": ("gamespec.normal_form", "MAX_PROFILES",
                      "pure profiles of a finite game's payoff tensor"),
    "lp_coefficients": ("gamespec.solvers.lp.size_limit", "MAX_ENTRIES",
                        "coefficients of the LP method's payoff array"),
    "sweep_points": ("gamespec.sweep", "MAX_POINTS", "points of a sweep grid"),
    "tree_nodes": ("gamespec.language.tree_play", "MAX_TREE_NODES", "nodes of a game tree"),
    "grid_cells": ("gamespec.data.sources", "MAX_GRID_CELLS",
                   "cells of checkin_regions' grid"),
    "network_paths": ("gamespec.solvers.populations.network_paths", "MAX_PATHS",
                      "simple paths of a network's demands (the wardrop method)"),
    "file_bytes": ("gamespec.file_limits", "MAX_FILE_BYTES",
                   "bytes of a spec, data or Gambit file read (a gzip file decompressed)"),
}


def current(names: Iterable[str] | None = None) -> dict[str, int]:
    """Every limit's value now, or those of `names` (unknown names are left out).

    Reading a limit imports the module that enforces it; a command that is about to
    override a few limits asks for just those, so it does not import every module.
    """
    wanted = LIMITS if names is None else [name for name in names if name in LIMITS]
    return {name: int(getattr(importlib.import_module(LIMITS[name][0]), LIMITS[name][1]))
            for name in wanted}


def apply(overrides: dict[str, float]) -> None:
    """Set limits by name (unknown names and non-positive values are bad arguments)."""
    for name, value in overrides.items():
        if name not in LIMITS:
            raise SpecError(f"--limit {name}: unknown limit",
                            hint="limits: " + ", ".join(LIMITS))
        if not value >= 1:
            raise SpecError(f"--limit {name}: must be at least 1")
        module, const, _ = LIMITS[name]
        setattr(importlib.import_module(module), const, int(value))


@contextlib.contextmanager
def cpu_time_limit(seconds: float | None) -> Iterator[None]:
    """End the enclosed work with a SolverError (exit 3) after `seconds` of CPU time.

    A backstop for methods without a time limit of their own. It uses the profiling
    timer (SIGPROF), so it does not disturb the wall-clock alarms some solvers use
    internally; outside the main thread, or where there is no SIGPROF, it does nothing.
    """
    usable = seconds is not None and hasattr(signal, "SIGPROF") and hasattr(signal, "setitimer")
    if usable:
        try:
            previous = signal.signal(signal.SIGPROF, _expired)
        except ValueError:  # not the main thread
            usable = False
    if not usable:
        yield
        return
    global _armed
    _armed = True
    # repeating: a library's bare `except:` (SymPy has some) may swallow one expiry
    signal.setitimer(signal.ITIMER_PROF, float(seconds), REPEAT_SECONDS)
    try:
        yield
    except _CpuTimeExpired:
        _armed = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        raise SolverError("time limit reached before the solver finished; nothing is certified",
                          hint="raise --time-limit, or use a method with its own time limit"
                          ) from None
    finally:
        _armed = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


class _CpuTimeExpired(BaseException):
    """Raised by the SIGPROF handler; a BaseException so that solvers' broad `except
    Exception` around symbolic work (a normal "no closed form" outcome) cannot swallow it."""


REPEAT_SECONDS = 0.25  # after the limit, the expiry is raised again this often
_armed = False


def _expired(signum, frame):
    if _armed:
        raise _CpuTimeExpired()
