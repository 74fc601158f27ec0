"""The set-valued parts of a best response at one state: the maximisers merged into
distinct points, intervals of indifference, and the one-sided limit at a switch when the
supremum is not attained. `value_at(xs)` is the payoff at points, the state fixed.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from gamespec.solvers.continuous.expressions import worst_if_undefined
from gamespec.solvers.continuous.sampling import true_runs

ValueAt = Callable[[np.ndarray], np.ndarray]


def merge_points(xs: np.ndarray, vals: np.ndarray, floor: float, merge: float,
                 value_at: ValueAt) -> list[float]:
    """Distinct maximisers among points whose value is at least `floor`.

    Neighbours closer than `merge`, or joined by a plateau above `floor` (checked at
    three interior points), are one flat maximum and collapse to their best member.
    """
    keep = vals >= floor
    order = np.argsort(xs[keep], kind="stable")
    xs, vals = xs[keep][order], vals[keep][order]
    out: list[float] = []
    best_v: list[float] = []
    last = math.nan
    for x, v in zip(xs, vals):
        if out and (x - last <= merge or _plateau(last, float(x), floor, value_at)):
            if v > best_v[-1]:
                out[-1], best_v[-1] = float(x), float(v)
        else:
            out.append(float(x))
            best_v.append(float(v))
        last = float(x)
    return out


def _plateau(a: float, b: float, floor: float, value_at: ValueAt) -> bool:
    between = a + (b - a) * np.array([0.25, 0.5, 0.75])
    return bool(np.all(worst_if_undefined(value_at(between)) >= floor))


def indifference_intervals(grid: np.ndarray, row: np.ndarray, best: float, tol_abs: float,
                           value_at: ValueAt) -> list[tuple[float, float]]:
    """Intervals of indifference: runs of at least three grid points within tol of
    the best value that span more than 1e-3 of the grid's range, ends refined by
    bisection. A narrower run is the flat top of an isolated maximum (for tol = 1e-9 that
    needs curvature above ~1e-3 per unit squared), already among the point candidates."""
    inside = worst_if_undefined(row) >= best - tol_abs
    width = grid[-1] - grid[0]
    out = []
    for start, stop in true_runs(inside):
        if stop - start < 3 or grid[stop - 1] - grid[start] < 1e-3 * width:
            continue
        a = grid[start] if start == 0 else _edge(grid[start - 1], grid[start], best, tol_abs,
                                                 value_at)
        b = grid[stop - 1] if stop == grid.size else _edge(grid[stop], grid[stop - 1], best,
                                                           tol_abs, value_at)
        out.append((float(a), float(b)))
    return out


def _edge(outside: float, inside: float, best: float, tol_abs: float,
          value_at: ValueAt) -> float:
    for _ in range(60):
        mid = 0.5 * (outside + inside)
        if mid in (outside, inside):
            break
        if worst_if_undefined(value_at(np.array([mid])))[0] >= best - tol_abs:
            inside = mid
        else:
            outside = mid
    return inside


def extrapolated_limit(point: float, switches: np.ndarray, value_at: ValueAt) -> float:
    """The one-sided limit at the switch next to `point`, by linear extrapolation from
    `point` and a point as far again from the switch on the same side."""
    if switches.size == 0:
        return float(value_at(np.array([point]))[0])
    switch = switches[np.argmin(np.abs(switches - point))]
    away = point + (point - switch)
    v0, v1 = value_at(np.array([point, away]))
    return float(max(v0, v0 + (v0 - v1))) if np.isfinite(v1) else float(v0)
