"""The four commands a fuzzed spec goes through, in-process, as the command line runs
them (gamespec/cli.py: check, info, derive, solve), and the classification of what
happened: ok, located / unlocated error (a GamespecError with / without a place in the
spec), limit (the --time-limit wall clock ended it, exit 3), escape (any other exception:
a traceback, exit 70 or a RecursionError), hang (no answer within the hard limit: the CPU
timer here, or the runner killing the worker) and memory (MemoryError, or the worker was
killed by its memory cap)."""
from __future__ import annotations

import contextlib
import json
import signal
import threading
import traceback
from pathlib import Path

COMMANDS = ("check", "info", "derive", "solve")
OUTCOMES = ("ok", "located", "unlocated", "limit", "escape", "hang", "memory")
PROBLEMS = ("escape", "hang", "memory")


class Hang(BaseException):  # noqa: N818 - not an Exception: `except Exception` cannot eat it
    """The CPU-time limit of a command ran out."""


@contextlib.contextmanager
def cpu_limit(seconds: float):
    """Raise Hang after `seconds` of user CPU time (main thread only; a no-op elsewhere)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        raise Hang(f"no answer within {seconds:g} s of CPU time")

    previous = signal.signal(signal.SIGVTALRM, on_alarm)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds, 0.25)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


def _info(model) -> None:
    """What `gamespec info` computes and prints (game_info, its JSON, the option docs and
    the dynamic parts), without the command line's own printing."""
    from gamespec.api import game_info

    info = game_info(model)
    json.dumps(info.as_dict())
    cls = info.classification
    " -> ".join("{" + ", ".join(g) + "}" if len(g) > 1 else g[0] for g in cls.order if g)
    for key, space in cls.strategy_spaces.items():
        f"{key}: {space}"
    for m in info.methods:
        "; ".join(o.describe() for o in m.options)
    for e in info.experiments:
        e.written()
    if model.repeated:
        f"{model.repeated.discount} {model.repeated.values} {model.repeated.conditions}"
    if model.dynamics:
        f"{model.dynamics.domain.describe()} {model.dynamics.lagrangian}"
    if model.updates:
        f"{model.updates.rounds.describe()} {sorted({t for t, _, _ in model.updates.rules})}"


def _derive(model) -> None:
    from gamespec.api import derive_model

    derivation = derive_model(model)
    derivation.plain()
    json.dumps(derivation.as_dict())
    derivation.latex()


def _solve(model, clock) -> None:
    from gamespec.api import solve_model
    from gamespec.render.terminal import render_result

    result = solve_model(model, None, None, round(clock.remaining(), 3))
    clock.begin_output()
    result.to_json()
    render_result(result, color=False)


def run(command: str, text: str, path: str, limit: float = 10.0,
        mirror: str | None = None) -> tuple[str, str]:
    """Run `command` on the spec text: (outcome, detail). The detail of an escape is
    its key (exception type and place) and traceback."""
    from gamespec import network_policy, wall_clock
    from gamespec.errors import GamespecError
    from gamespec.language.loader import model_from_string

    downloads = network_policy.DOWNLOADS
    network_policy.DOWNLOADS = False  # only the data mirror: never the network
    wall_clock.EXPIRED = False
    try:
        # the CPU timer is the backstop: a command that outlives the wall clock by far
        with cpu_limit(limit * 2 + 5):
            if command == "check":
                with cpu_limit(limit):
                    model_from_string(text, path, data_mirror=mirror)
            else:
                with wall_clock.wall_clock_limit(limit) as clock:
                    model = model_from_string(text, path, data_mirror=mirror)
                    clock.stage = command
                    if command == "info":
                        _info(model)
                    elif command == "derive":
                        _derive(model)
                    else:
                        _solve(model, clock)
        return "ok", ""
    except GamespecError as exc:
        if wall_clock.EXPIRED:
            return "limit", exc.message
        return ("located" if exc.span is not None else "unlocated"), exc.message
    except Hang:
        return "hang", "hang\n" + traceback.format_exc(limit=-10)
    except MemoryError:
        return "memory", "MemoryError\n" + traceback.format_exc(limit=-10)
    except BaseException as exc:  # noqa: BLE001 - that is what is counted
        return "escape", escape_key(exc) + "\n" + traceback.format_exc(limit=-14)
    finally:
        network_policy.DOWNLOADS = downloads  # the tests run commands in their own process


def escape_key(exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)
    inner = [f for f in where if "gamespec" in f.filename or "solvers" in f.filename]
    frame = (inner or where)[-1] if where else None
    place = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    return f"{type(exc).__name__}{place}"
