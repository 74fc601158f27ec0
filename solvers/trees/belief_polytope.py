"""Linear inequalities over a belief simplex: is some belief in the region, and which.

A region is a list of rows r, each meaning sum_x r[x] * mu[x] >= 0, over beliefs mu
(mu >= 0, sum mu = 1). Exact rows (Fractions) are decided exactly by trying every vertex
candidate when there are few; otherwise by a feasibility LP (scipy.optimize.linprog).
"""
from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import combinations
from math import comb
from typing import Any

import numpy as np

MAX_CANDIDATES = 20_000
FLOAT_TOLERANCE = 1e-9


def is_exact(values) -> bool:
    return all(isinstance(v, (Fraction, int)) for v in values)


def witness_belief(rows: Sequence[Sequence[Any]], size: int) -> tuple | None:
    """A belief over `size` points satisfying every row, or None when there is none
    (Fractions when the rows are exact and few, floats from the LP otherwise)."""
    rows = [tuple(r) for r in rows]
    if not rows:
        return tuple(Fraction(1 if x == 0 else 0) for x in range(size))
    exact = all(is_exact(r) for r in rows)
    if exact and comb(len(rows) + size, size - 1) <= MAX_CANDIDATES:
        return _vertex_witness(rows, size)
    return _lp_witness(rows, size)


def _vertex_witness(rows: list[tuple], size: int) -> tuple | None:
    """A nonempty polytope in the simplex has a vertex: size-1 tight inequalities (rows or
    mu[x] >= 0) plus sum mu = 1, linearly independent. Try each choice."""
    rows = [tuple(Fraction(c) for c in r) for r in rows]
    units = [tuple(Fraction(int(x == y)) for y in range(size)) for x in range(size)]
    candidates = rows + units
    ones = (Fraction(1),) * size
    for chosen in combinations(candidates, size - 1):
        mu = solve_exact([*chosen, ones], [Fraction(0)] * (size - 1) + [Fraction(1)])
        if mu is None or min(mu) < 0:
            continue
        if all(sum(c * m for c, m in zip(r, mu)) >= 0 for r in rows):
            return mu
    return None


def solve_exact(matrix: list[tuple], rhs: list) -> tuple | None:
    """The unique solution of a square system in Fractions, or None when it is singular."""
    n = len(matrix)
    a = [list(row) + [b] for row, b in zip(matrix, rhs)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if a[r][col] != 0), None)
        if pivot is None:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col and a[r][col] != 0:
                f = a[r][col] / a[col][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col])]
    return tuple(a[r][n] / a[r][r] for r in range(n))


def _lp_witness(rows: list[tuple], size: int) -> tuple | None:
    from scipy.optimize import linprog

    a = np.array([[float(c) for c in r] for r in rows])
    scale = max(1.0, float(np.abs(a).max()))
    res = linprog(np.zeros(size), A_ub=-a, b_ub=np.full(len(rows), FLOAT_TOLERANCE * scale),
                  A_eq=np.ones((1, size)), b_eq=[1.0], bounds=[(0, None)] * size,
                  method="highs")
    return tuple(float(x) for x in res.x) if res.status == 0 else None
