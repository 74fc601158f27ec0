"""Sample grids of an interval (uniform plus geometric near both ends), run detection on
masks and relative tolerances shared by the continuous solvers.
"""
from __future__ import annotations

import math

import numpy as np

from gamespec.errors import SolverError, SpecError


def sample_grid(lo: float, hi: float, n: int = 601) -> np.ndarray:
    """Points of [lo, hi]: uniform, plus geometric clusters at both ends.

    The geometric parts resolve structure near either end even when the interval is
    huge (an upper bound M "arbitrarily large").
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise SolverError(
            f"the interval [{lo}, {hi}] is not finite",
            hint="give the strategy a finite upper bound such as M = 1e6",
        )
    if hi < lo:
        raise SpecError(f"empty interval [{lo}, {hi}]")
    if hi == lo:
        return np.array([float(lo)])
    width = hi - lo
    k = max(n // 4, 8)
    offsets = np.geomspace(width * 1e-12, width, k)
    points = np.concatenate([np.linspace(lo, hi, n), lo + offsets, hi - offsets])
    return np.unique(np.clip(points, lo, hi))


def relative_tolerance(tol: float, value: float) -> float:
    return tol * (1.0 + (abs(value) if math.isfinite(value) else 0.0))


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index ranges where mask is True."""
    padded = np.concatenate([[False], mask, [False]]).astype(int)
    edges = np.diff(padded)
    return list(zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]))


def nonzero_2d(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.nonzero of a 2-D mask (same indices, same row-major order), through the flat
    index: NumPy's 2-D nonzero is about thirty times slower on large masks."""
    flat = np.flatnonzero(mask)
    return flat // mask.shape[1], flat % mask.shape[1]
