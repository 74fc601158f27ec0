"""All extreme Nash equilibria of a bimatrix game, by vertex enumeration.

With the payoffs mapped into [1, 2] (bimatrix_exact.positive), the best-response polytopes
are P = {x >= 0 : B'^T x <= 1} and Q = {y >= 0 : A' y <= 1}. A vertex of P has label i when
x_i = 0 and label m + j when column j is a best response (row j of B'^T x is 1); Q's labels
are the best-response rows i and the unused columns m + j. The extreme equilibria are the
completely labelled vertex pairs other than (0, 0), normalized (von Stengel, "Computing
equilibria for two-person games", Handbook of Game Theory 3, 2002; Avis, Rosenberg, Savani
and von Stengel, Economic Theory 42, 2010). Degenerate games are covered: every vertex is
found from each basis that fixes it and then deduplicated, and a vertex may carry more
labels than its dimension.

Vertices are found in bulk: for each size k, every k x k system M[rows, support] z = 1 is
solved at once with batched np.linalg.solve and the feasible solutions kept. Each matched
pair is certified by its regret; with exact payoffs its basis is re-solved in Fractions.
"""
from __future__ import annotations

import math
from itertools import combinations

import numpy as np

from gamespec.errors import SolverError
from gamespec.solvers.finite.bimatrix_exact import (
    check_bimatrix,
    exact_equilibrium,
    exact_pair,
    exact_vertex,
    float_equilibrium,
    is_exact_equilibrium,
    normalized,
    positive,
    positive_exact,
    sort_key,
)
from gamespec.solvers.finite.mixed_equilibrium import MixedEquilibrium

MAX_BASES = 1_000_000
LABEL_TOL = 1e-9
SCREEN_TOL = 1e-6
MAX_CONDITION = 1e12  # bases worse conditioned than this count as singular
CHUNK_ENTRIES = 4_000_000  # float entries of the k x k systems solved in one batch


def enumeration_cost(m: int, n: int) -> int:
    """Candidate bases examined for each polytope of an m x n game: C(m + n, m)."""
    return math.comb(m + n, m)


def extreme_equilibria(A, B, exact=None, max_bases: int = MAX_BASES) -> list[MixedEquilibrium]:
    """Every extreme Nash equilibrium of the bimatrix game (A, B), in a deterministic order.

    exact: (A_exact, B_exact) Fraction arrays (rational_payoffs) to recover exact
    probabilities; each equilibrium is then verified in exact arithmetic."""
    A, B = check_bimatrix(A, B)
    m, n = A.shape
    cost = enumeration_cost(m, n)
    if cost > max_bases:
        raise SolverError(
            f"vertex enumeration of a {m}x{n} game examines C({m + n},{m}) = {cost:,} bases "
            f"per polytope, over the limit of {max_bases:,}",
            hint="use lemke_howson (one equilibrium per starting label) or milp")
    Ap, Bp = positive(A), positive(B)
    xs, x_bases = polytope_vertices(Bp.T)
    ys, y_bases = polytope_vertices(Ap)
    x_labels = np.hstack([xs <= LABEL_TOL, xs @ Bp >= 1 - LABEL_TOL])
    y_labels = np.hstack([ys @ Ap.T >= 1 - LABEL_TOL, ys <= LABEL_TOL])
    pairs = completely_labelled_pairs(x_labels, y_labels)
    exact_parts = None
    exact = exact_pair(exact)
    if exact is not None:
        A_exact, B_exact = exact
        exact_parts = (A_exact, B_exact, positive_exact(A_exact), positive_exact(B_exact))
    found: dict[tuple, MixedEquilibrium] = {}
    for i, j in pairs:
        eq = _certified(A, B, xs[i], ys[j], x_bases[i], y_bases[j], exact_parts)
        if eq is not None:
            found.setdefault(_identity(eq), eq)
    return sorted(found.values(), key=sort_key)


def polytope_vertices(M: np.ndarray) -> tuple[np.ndarray, list[tuple[tuple, tuple]]]:
    """The nonzero vertices z of {z >= 0 : M z <= 1} and for each one basis (rows, support)
    with M[rows, support] z[support] = 1. M is p x q with positive entries."""
    p, q = M.shape
    points, bases = [], []
    for k in range(1, min(p, q) + 1):
        rowsets = np.array(list(combinations(range(p), k)), dtype=np.intp)
        supports = np.array(list(combinations(range(q), k)), dtype=np.intp)
        total = len(rowsets) * len(supports)
        step = max(1, CHUNK_ENTRIES // (k * k + p * k))
        for start in range(0, total, step):
            flat = np.arange(start, min(total, start + step))
            r_idx, s_idx = np.divmod(flat, len(supports))
            z, keep = _solve_batch(M, rowsets[r_idx], supports[s_idx], q)
            points.append(z)
            bases.extend(zip(map(tuple, rowsets[r_idx[keep]].tolist()),
                             map(tuple, supports[s_idx[keep]].tolist())))
    Z = np.vstack(points) if points else np.zeros((0, q))
    if len(Z) == 0:
        return Z, []
    _, first = np.unique(np.round(Z, 9), axis=0, return_index=True)
    first = np.sort(first)
    return Z[first], [bases[i] for i in first]


def _solve_batch(M, rows, supports, q):
    """Solve M[rows_b, supports_b] z = 1 for each b; the feasible points and their mask."""
    mats = M[rows[:, :, None], supports[:, None, :]]
    sol, regular = _solve_ones(mats)
    # a feasible z has z >= 0 and sum(z) <= 1, as every entry of M is at least 1
    keep = np.flatnonzero(regular & (np.min(sol, axis=1) >= -SCREEN_TOL)
                          & (np.sum(sol, axis=1) <= 1 + SCREEN_TOL))
    keep = keep[_feasible(M, sol[keep], supports[keep], q, SCREEN_TOL)]
    sol, mats = sol[keep], mats[keep]
    well_posed = np.linalg.cond(mats) < MAX_CONDITION
    keep, sol, mats = keep[well_posed], sol[well_posed], mats[well_posed]
    residual = 1.0 - np.einsum("bij,bj->bi", mats, sol)  # one step of iterative refinement
    sol = sol + np.linalg.solve(mats, residual[:, :, None])[:, :, 0]
    feasible = _feasible(M, sol, supports[keep], q, LABEL_TOL)
    keep, sol = keep[feasible], sol[feasible]
    full = np.zeros((len(keep), q))
    np.put_along_axis(full, supports[keep], np.clip(sol, 0.0, None), axis=1)
    mask = np.zeros(len(rows), dtype=bool)
    mask[keep] = True
    return full, mask


def _feasible(M, sol, supports, q, tol):
    """Whether z (sol on supports) satisfies z >= 0 and M z <= 1 up to tol."""
    full = np.zeros((len(sol), q))
    np.put_along_axis(full, supports, sol, axis=1)
    return (np.min(sol, axis=1, initial=0.0) >= -tol) & \
        (np.max(full @ M.T, axis=1, initial=0.0) <= 1 + tol)


def _solve_ones(mats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve mats[b] z = (1, ..., 1) for every b at once; also which systems were regular."""
    count, k, _ = mats.shape
    try:
        return np.linalg.solve(mats, np.ones((count, k, 1)))[:, :, 0], np.ones(count, bool)
    except np.linalg.LinAlgError:  # some basis is singular: solve only the others
        regular = np.linalg.det(mats) != 0
        sol = np.zeros((count, k))
        sol[regular] = np.linalg.solve(mats[regular], np.ones((int(regular.sum()), k, 1)))[
            :, :, 0]
        return sol, regular


def completely_labelled_pairs(x_labels: np.ndarray, y_labels: np.ndarray):
    """Index pairs (i, j) whose labels together cover every label."""
    missing_x = (~x_labels).astype(np.float32)
    missing_y = (~y_labels).astype(np.float32)
    step = max(1, 10_000_000 // max(1, len(missing_y)))
    pairs = []
    for start in range(0, len(missing_x), step):
        both = missing_x[start:start + step] @ missing_y.T
        i, j = np.nonzero(both == 0)
        pairs.extend(zip((i + start).tolist(), j.tolist()))
    return pairs


def _certified(A, B, x, y, x_basis, y_basis, exact_parts) -> MixedEquilibrium | None:
    """The pair as an equilibrium if it passes the regret check (and the exact one)."""
    eq = float_equilibrium(A, B, x, y)
    if eq is None or exact_parts is None:
        return eq
    A_exact, B_exact, Ap_exact, Bp_exact = exact_parts
    m, n = A.shape
    x_rows, x_support = x_basis
    y_rows, y_support = y_basis
    xe = exact_vertex(Bp_exact.T, x_rows, x_support, m)
    ye = exact_vertex(Ap_exact, y_rows, y_support, n)
    if xe is None or ye is None:
        return None
    xe, ye = normalized(xe), normalized(ye)
    if xe is None or ye is None or not is_exact_equilibrium(A_exact, B_exact, xe, ye):
        return None
    return exact_equilibrium(xe, ye)


def _identity(eq: MixedEquilibrium) -> tuple:
    if eq.exact is not None:
        return tuple(eq.exact)
    return tuple(tuple(np.round(s, 8).tolist()) for s in eq.strategies)
