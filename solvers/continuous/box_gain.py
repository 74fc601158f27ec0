"""A player's best deviation over its whole box (two or three interval choices moved at
once, the others' choices fixed): a tensor grid of BOX_GRID points per side, then a
bounded local polish (L-BFGS-B) from the best POLISHED cells.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BOX_GRID = 41
POLISHED = 4
MAX_BOX = 3


def best_box_deviation(table, group: Sequence[int], point: Sequence[float],
                       refine: bool = True) -> tuple[tuple[float, ...], float]:
    """(argmax, max) of the group's payoff (table.fns[group[0]]) over the group's box."""
    from scipy.optimize import minimize

    k = group[0]
    sides = [np.unique(np.concatenate([np.linspace(*table.box[j], BOX_GRID), [point[j]]]))
             for j in group]
    mesh = np.meshgrid(*sides, indexing="ij")
    args = [np.asarray(x, float) for x in point]
    for j, m in zip(group, mesh):
        args[j] = m
    with np.errstate(all="ignore"):
        values = np.broadcast_to(np.asarray(table.fns[k](*args), float), mesh[0].shape)
    values = np.where(np.isfinite(values), values, -np.inf).ravel()
    order = np.argsort(values)[::-1]
    flat = [m.ravel() for m in mesh]
    best_x = tuple(float(f[order[0]]) for f in flat)
    best_v = float(values[order[0]])
    if not refine:
        return best_x, best_v

    def negative(x: np.ndarray) -> float:
        here = list(args)
        for j, v in zip(group, x):
            here[j] = float(v)
        with np.errstate(all="ignore"):
            v = float(table.fns[k](*here))
        return -v if np.isfinite(v) else np.inf

    bounds = [table.box[j] for j in group]
    for cell in order[:POLISHED]:
        start = np.array([f[cell] for f in flat], float)
        found = minimize(negative, start, method="L-BFGS-B", bounds=bounds,
                         options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 500})
        if np.isfinite(found.fun) and -found.fun > best_v:
            best_x = tuple(float(np.clip(v, *b)) for v, b in zip(found.x, bounds))
            best_v = -negative(np.array(best_x))
    return best_x, best_v
