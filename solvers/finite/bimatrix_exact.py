"""Shared pieces of the bimatrix algorithms: positive payoffs and exact rational recovery.

Both vertex enumeration and Lemke-Howson work on the best-response polytopes
P = {x >= 0 : B'^T x <= 1} and Q = {y >= 0 : A' y <= 1}, where A', B' are the payoffs
mapped affinely into [1, 2] (a positive affine map of one player's payoffs does not change
the equilibria). A vertex is fixed by a square system M[rows, support] z = 1; re-solving it
in Fraction arithmetic gives the exact probabilities.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from gamespec.errors import SolverError
from gamespec.solvers.finite.mixed_equilibrium import MixedEquilibrium, max_regret


def check_bimatrix(A, B) -> tuple[np.ndarray, np.ndarray]:
    """The payoffs as float m x n arrays of the same shape, or a SolverError."""
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 2 or A.shape != B.shape or 0 in A.shape:
        raise SolverError(f"a bimatrix game needs two m x n payoff arrays of the same shape, "
                          f"got {A.shape} and {B.shape}")
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(B))):
        raise SolverError("the payoffs must be finite numbers")
    return A, B


def exact_pair(exact) -> tuple[np.ndarray, np.ndarray] | None:
    """(A_exact, B_exact) as object arrays, or None when either is missing."""
    if exact is None or exact[0] is None or exact[1] is None:
        return None
    return np.asarray(exact[0], dtype=object), np.asarray(exact[1], dtype=object)


def positive(U: np.ndarray) -> np.ndarray:
    """U mapped affinely into [1, 2] (a constant U becomes all ones)."""
    low, high = float(np.min(U)), float(np.max(U))
    span = high - low if high > low else 1.0
    return (U - low) / span + 1.0


def positive_exact(U) -> np.ndarray:
    """The same map as `positive`, in Fractions (an object array)."""
    U = np.asarray(U, dtype=object)
    low, high = min(U.flat), max(U.flat)
    span = high - low if high > low else Fraction(1)
    out = np.empty(U.shape, dtype=object)
    for idx, u in np.ndenumerate(U):
        out[idx] = (Fraction(u) - low) / span + 1
    return out


def solve_fractions(M: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """The solution of the square system M z = rhs by Gaussian elimination, None if singular."""
    k = len(M)
    rows = [list(r) + [b] for r, b in zip(M, rhs)]
    for col in range(k):
        pivot = next((r for r in range(col, k) if rows[r][col] != 0), None)
        if pivot is None:
            return None
        rows[col], rows[pivot] = rows[pivot], rows[col]
        head = rows[col]
        inv = 1 / head[col]
        head[col:] = [v * inv for v in head[col:]]
        for r in range(k):
            if r != col and rows[r][col] != 0:
                f = rows[r][col]
                rows[r][col:] = [v - f * h for v, h in zip(rows[r][col:], head[col:])]
    return [r[k] for r in rows]


def exact_vertex(M_exact: np.ndarray, rows, support, size: int) -> list[Fraction] | None:
    """The point z >= 0 (length size) with z off `support` zero and M[rows, support] z = 1."""
    system = [[M_exact[r, c] for c in support] for r in rows]
    values = solve_fractions(system, [Fraction(1)] * len(rows))
    if values is None:
        return None
    z = [Fraction(0)] * size
    for c, v in zip(support, values):
        z[c] = v
    return z


def normalized(z: list[Fraction]) -> tuple[Fraction, ...] | None:
    total = sum(z, Fraction(0))
    if total <= 0 or min(z) < 0:
        return None
    return tuple(v / total for v in z)


def is_exact_equilibrium(A_exact, B_exact, x, y) -> bool:
    """Every pure strategy a player uses is an exact best response to the other's mix."""
    m, n = len(x), len(y)
    row_values = [sum((A_exact[i, j] * y[j] for j in range(n)), Fraction(0)) for i in range(m)]
    col_values = [sum((B_exact[i, j] * x[i] for i in range(m)), Fraction(0)) for j in range(n)]
    best_row, best_col = max(row_values), max(col_values)
    return (all(row_values[i] == best_row for i in range(m) if x[i] != 0)
            and all(col_values[j] == best_col for j in range(n) if y[j] != 0))


def float_equilibrium(A, B, x, y) -> MixedEquilibrium | None:
    """The normalized float profile if it passes the regret check, else None."""
    x = np.clip(np.asarray(x, dtype=float), 0.0, None)
    y = np.clip(np.asarray(y, dtype=float), 0.0, None)
    if x.sum() <= 0 or y.sum() <= 0:
        return None
    x, y = x / x.sum(), y / y.sum()
    if max_regret(np.stack([A, B]), (x, y)) > regret_scale(A, B):
        return None
    return MixedEquilibrium((x, y))


def exact_equilibrium(x: tuple[Fraction, ...], y: tuple[Fraction, ...]) -> MixedEquilibrium:
    floats = (np.array([float(v) for v in x]), np.array([float(v) for v in y]))
    return MixedEquilibrium(floats, (x, y))


def regret_scale(A, B, tol: float = 1e-7) -> float:
    """The regret a float equilibrium may show: tol x the payoffs' range (at least tol)."""
    span = max(float(np.ptp(A)), float(np.ptp(B)), 1.0)
    return tol * span


def sort_key(eq: MixedEquilibrium) -> tuple:
    """Lexicographic by the probabilities (exact ones when known), largest first."""
    values = eq.exact if eq.exact is not None else eq.strategies
    return tuple(-v for s in values for v in s)
