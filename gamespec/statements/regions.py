"""Where a claim holds, in words: runs of a grid axis, a threshold on one parameter, or
the box around the points where it holds."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def describe_region(axes: Sequence[tuple[str, Sequence]], holds: Sequence[bool], *,
                    scattered: bool = False) -> str:
    """`axes`: (name, value at each point) for scattered points, or (name, grid values)
    whose product (in order) gives the points; `holds`: the verdict at each point."""
    ok = np.asarray(holds, dtype=bool)
    if scattered:
        columns = [(name, np.asarray(values, dtype=float)) for name, values in axes]
    else:
        mesh = np.meshgrid(*[np.arange(len(v)) for _, v in axes], indexing="ij")
        columns = [(name, [values[i] for i in m.ravel()]) for (name, values), m in
                   zip(axes, mesh)]
    for name, column in columns:
        text = _one_axis(name, column, ok, scattered)
        if text is not None:
            return text
    return _box(columns, ok)


def _one_axis(name: str, column, ok: np.ndarray, scattered: bool) -> str | None:
    """A description by this axis alone, if the verdict depends on it alone."""
    values = list(column)
    distinct = sorted(set(values), key=_key)
    verdict = {}
    for value, good in zip(values, ok):
        verdict.setdefault(value, set()).add(bool(good))
    if any(len(v) > 1 for v in verdict.values()):
        return None
    flags = [next(iter(verdict[v])) for v in distinct]
    if scattered:
        return _threshold(name, distinct, flags)
    runs, start = [], None
    for k, good in enumerate(flags + [False]):
        if good and start is None:
            start = k
        elif not good and start is not None:
            runs.append((distinct[start], distinct[k - 1]))
            start = None
    parts = [f"{name} = {_fmt(a)}" if a == b else f"{name} in [{_fmt(a)}, {_fmt(b)}]"
             for a, b in runs]
    return "where " + " or ".join(parts) if parts else None


def _threshold(name: str, distinct: list, flags: list[bool]) -> str | None:
    """One switch along a sampled parameter: holds below (or above) a threshold."""
    switches = [k for k in range(1, len(flags)) if flags[k] != flags[k - 1]]
    if len(switches) != 1:
        return None
    k = switches[0]
    low, high = distinct[k - 1], distinct[k]
    side = "<=" if flags[0] else ">="
    edge = low if flags[0] else high
    return (f"where {name} {side} {_fmt(edge)} among the points tried (it switches between "
            f"{_fmt(low)} and {_fmt(high)})")


def _box(columns, ok: np.ndarray) -> str:
    if not ok.any():
        return "nowhere among the points tried"
    parts = []
    for name, column in columns:
        held = [v for v, good in zip(column, ok) if good]
        numeric = [float(v) for v in held if not isinstance(v, str)]
        if len(numeric) == len(held):
            parts.append(f"{name} in [{_fmt(min(numeric))}, {_fmt(max(numeric))}]")
    return (f"at {int(ok.sum())} of {ok.size} points, within " + ", ".join(parts)) if parts \
        else f"at {int(ok.sum())} of {ok.size} points"


def _key(value):
    return (0, float(value), "") if not isinstance(value, str) else (1, 0.0, value)


def _fmt(value) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)
