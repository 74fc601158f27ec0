"""Mixed strategies as row-stochastic matrices: repaired after solver round-off, and how far
a matrix is from being one.
"""
from __future__ import annotations

import numpy as np


def as_distribution(M: np.ndarray) -> np.ndarray:
    """Clip solver round-off (entries ~ -1e-12) and renormalise each row to sum to 1."""
    M = np.clip(M, 0.0, None)
    sums = M.sum(axis=1, keepdims=True)
    uniform = np.full_like(M, 1.0 / M.shape[1])
    return np.where(sums > 0, M / np.where(sums > 0, sums, 1.0), uniform)


def distribution_error(*strategies: np.ndarray) -> float:
    """Worst violation of 'every row is a probability distribution' over the given matrices."""
    worst = 0.0
    for M in strategies:
        M = np.atleast_2d(M)
        worst = max(worst, float(np.abs(M.sum(axis=1) - 1).max()), float(max(0.0, -M.min())))
    return worst
