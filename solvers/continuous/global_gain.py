"""The maximum unilateral gain at a profile, by a global search over each agent's
interval: a dense grid (uniform plus geometric near both ends) and a golden-section
refinement in the best grid cells; a player choosing a box (several intervals, `groups`)
deviates in all its choices at once: a tensor grid over its box and a bounded local polish
from the best cells (box_gain.py). Independent of how the profile was found.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy

from gamespec.lowering import to_numpy
from gamespec.solvers.continuous.bracketing import golden_maxima
from gamespec.solvers.continuous.sampling import relative_tolerance, sample_grid

GRID = 4001
REFINED_CELLS = 4
ROUNDING = 8 * float(np.finfo(float).eps)  # relative: 8 units in the last place
REFINE_STEPS = 60  # golden-section steps: each cell shrunk by 0.618^60, ~3e-13


@dataclass(frozen=True)
class GainCheck:
    gains: tuple[float, ...]  # per agent, >= 0
    deviations: tuple[float, ...]  # each agent's best deviation found
    residual: float
    ok: bool
    tolerance: float


class PayoffTable:
    """Each agent's payoff compiled once as a NumPy function of all agents' choices."""

    def __init__(self, payoffs: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol],
                 box: Sequence[tuple[float, float]],
                 groups: Sequence[Sequence[int]] | None = None) -> None:
        """`groups`: the agent indices that one player moves together (a box); by default
        every agent alone."""
        self.symbols = tuple(symbols)
        self.groups = [list(g) for g in groups] if groups else [[k] for k in range(
            len(self.symbols))]
        self.box = [(float(a), float(b)) for a, b in box]
        self.fns = [to_numpy(self.symbols, u) for u in payoffs]

    def value(self, k: int, point: Sequence[float], own=None) -> np.ndarray:
        args = [np.asarray(x, float) for x in point]
        if own is not None:
            args[k] = np.asarray(own, float)
        with np.errstate(all="ignore"):
            out = np.asarray(self.fns[k](*args), float)
        return np.broadcast_to(out, np.shape(own)) if own is not None else out

    def best_deviation(self, k: int, point: Sequence[float],
                       refine: bool = True) -> tuple[float, float]:
        """(argmax, max) of agent k's payoff over its interval, the others fixed; on the
        grid alone unless `refine`."""
        return self.best_deviations([k], point, refine)[0]

    def best_deviations(self, agents: Sequence[int], point: Sequence[float],
                        refine: bool = True) -> list[tuple[float, float]]:
        """`best_deviation` of each agent: the grid per agent, then one golden-section
        search over all the agents' best cells (each cell searched as on its own)."""
        found: dict[int, tuple[float, float]] = {}
        cells: list[tuple[int, np.ndarray, np.ndarray]] = []
        for k in agents:
            lo, hi = self.box[k]
            if hi <= lo:
                found[k] = (lo, float(self.value(k, point)))
                continue
            grid = _with_point(_base_grid(lo, hi), float(point[k]))
            values = np.where(np.isfinite(v := self.value(k, point, grid)), v, -np.inf)
            best = int(np.argmax(values))
            found[k] = (float(grid[best]), float(values[best]))
            if refine:
                top = np.argsort(values)[::-1][:REFINED_CELLS]
                a = grid[np.maximum(top - 1, 0)]
                b = grid[np.minimum(top + 1, len(grid) - 1)]
                wide = b > a
                if wide.any():
                    cells.append((k, a[wide], b[wide]))
        if cells:  # golden section in each cell: vectorised, no SciPy import
            owner = np.concatenate([np.full(a.size, k) for k, a, _ in cells])

            def h(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
                out = np.empty(x.shape)
                for k, _, _ in cells:
                    mine = owner[idx] == k
                    out[mine] = self.value(k, point, x[mine])
                return out

            xs = golden_maxima(h, np.concatenate([a for _, a, _ in cells]),
                               np.concatenate([b for _, _, b in cells]),
                               iterations=REFINE_STEPS)
            for k, _, _ in cells:
                mine = xs[owner == k]
                refined = np.where(np.isfinite(v := self.value(k, point, mine)), v, -np.inf)
                j = int(np.argmax(refined))
                if refined[j] > found[k][1]:
                    found[k] = (float(mine[j]), float(refined[j]))
        return [found[k] for k in agents]


@functools.lru_cache(maxsize=64)
def _base_grid(lo: float, hi: float) -> np.ndarray:
    """The sample grid of an interval, made once (read-only)."""
    grid = sample_grid(lo, hi, GRID)
    grid.flags.writeable = False
    return grid


def _with_point(grid: np.ndarray, x: float) -> np.ndarray:
    """np.unique(grid + [x]) for a sorted, duplicate-free grid: x inserted in place."""
    i = int(np.searchsorted(grid, x))
    if i < grid.size and grid[i] == x:
        return grid
    return np.insert(grid, i, x)


def max_unilateral_gain(table: PayoffTable, point: Sequence[float],
                        tol: float = 1e-7, refine: bool = True) -> GainCheck:
    """Every agent's gain from its best deviation (global search); ok when each gain is
    within a relative tolerance of the agent's payoff; a gain within a few units of
    rounding of the payoff (ROUNDING) is none. Without `refine` only the grid is searched
    (a quick filter: it can miss a gain, never invent one)."""
    from gamespec.solvers.continuous.box_gain import best_box_deviation

    n = len(table.symbols)
    gains, deviations, limits = [0.0] * n, [0.0] * n, [0.0] * n
    alone = [group[0] for group in table.groups if len(group) == 1]
    single = dict(zip(alone, table.best_deviations(alone, point, refine)))
    for group in table.groups:
        k = group[0]
        here = float(table.value(k, point))
        if len(group) == 1:
            xs, best = single[k]
            xs = (xs,)
        else:
            xs, best = best_box_deviation(table, group, point, refine)
        gain = max(0.0, best - here) if np.isfinite(here) else float("inf")
        if gain <= ROUNDING * max(abs(here), abs(best)):
            gain = 0.0  # within the payoff's own rounding: no gain
        for j, x in zip(group, xs):
            gains[j], deviations[j] = gain, x
            limits[j] = relative_tolerance(tol, here if np.isfinite(here) else 0.0)
    worst = int(np.argmax(gains)) if gains else 0
    ok = all(g <= lim for g, lim in zip(gains, limits))
    return GainCheck(tuple(gains), tuple(deviations), float(max(gains, default=0.0)), ok,
                     float(limits[worst]) if limits else tol)
