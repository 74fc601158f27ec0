"""One Nash equilibrium of a bimatrix game by the Lemke-Howson algorithm.

Complementary pivoting on two tableaux (Shapley 1974; von Stengel, "Computing equilibria
for two-person games", Handbook of Game Theory 3, 2002): with the payoffs mapped into
[1, 2], P's tableau holds B'^T x + r = 1 and Q's holds s + A' y = 1. Column l of either
tableau is the variable with label l (x_i and s_i carry label i, r_j and y_j label m + j).
Starting from the artificial equilibrium (0, 0), the variable with the dropped label enters,
and whichever variable leaves has its complement enter the other tableau, until the dropped
label leaves. The lexicographic minimum-ratio rule (on the rows of the basis inverse, the
slack columns) keeps degenerate games from cycling.

Pivoting is done in floats; the final bases are re-solved (in Fractions when exact payoffs
are given, falling back to exact pivoting if the float path went astray) and certified.
"""
from __future__ import annotations

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
)
from gamespec.solvers.finite.mixed_equilibrium import MixedEquilibrium

TIE_TOL = 1e-9


def lemke_howson(A, B, label: int, exact=None) -> MixedEquilibrium:
    """The equilibrium reached by dropping `label` (0..m-1 rows, m..m+n-1 columns).

    exact: (A_exact, B_exact) Fraction arrays (rational_payoffs) to recover exact
    probabilities, verified in exact arithmetic."""
    A, B = check_bimatrix(A, B)
    m, n = A.shape
    if not 0 <= int(label) < m + n:
        raise SolverError(f"the Lemke-Howson label must be in 0..{m + n - 1}, got {label}")
    label = int(label)
    basis_p, basis_q = complementary_path(positive(A), positive(B), label, tol=TIE_TOL)
    eq = _float_answer(A, B, basis_p, basis_q)
    exact = exact_pair(exact)
    if exact is None:
        if eq is None:
            raise SolverError(f"Lemke-Howson from label {label} lost accuracy: the answer "
                              "fails the regret check", hint="pass exact payoffs")
        return eq
    A_exact, B_exact = exact
    Ap_exact, Bp_exact = positive_exact(A_exact), positive_exact(B_exact)
    found = _exact_answer(A_exact, B_exact, Ap_exact, Bp_exact, basis_p, basis_q)
    if found is None:  # the float path took a wrong turn: walk it again exactly
        basis_p, basis_q = complementary_path(Ap_exact, Bp_exact, label, tol=0)
        found = _exact_answer(A_exact, B_exact, Ap_exact, Bp_exact, basis_p, basis_q)
    if found is None:  # pragma: no cover - exact pivoting always ends at an equilibrium
        raise SolverError(f"Lemke-Howson from label {label} did not reach an equilibrium")
    return found


def lemke_howson_all(A, B, exact=None) -> list[tuple[list[int], MixedEquilibrium]]:
    """Lemke-Howson from every label: the distinct equilibria reached, each with the labels
    that reach it, in order of the first such label."""
    A, B = check_bimatrix(A, B)
    groups: dict[tuple, tuple[list[int], MixedEquilibrium]] = {}
    for label in range(sum(A.shape)):
        eq = lemke_howson(A, B, label, exact)
        key = (tuple(eq.exact) if eq.exact is not None
               else tuple(tuple(np.round(s, 8).tolist()) for s in eq.strategies))
        groups.setdefault(key, ([], eq))[0].append(label)
    return list(groups.values())


def complementary_path(Ap, Bp, label: int, tol: float) -> tuple[list[int], list[int]]:
    """Pivot from (0, 0) dropping `label` until it is picked up; the final bases of P and
    Q as lists of labels. Works on floats (tol > 0) or Fraction object arrays (tol = 0)."""
    m, n = Ap.shape
    dtype = object if tol == 0 else float
    one = Ap.flat[0] * 0 + 1
    tab_p = np.hstack([np.asarray(Bp.T, dtype=dtype), _identity(n, one, dtype),
                       np.full((n, 1), one, dtype=dtype)])
    tab_q = np.hstack([_identity(m, one, dtype), np.asarray(Ap, dtype=dtype),
                       np.full((m, 1), one, dtype=dtype)])
    tableaux = {"P": (tab_p, list(range(m, m + n)), list(range(m, m + n))),
                "Q": (tab_q, list(range(m)), list(range(m)))}
    side = "P" if label < m else "Q"
    entering = label
    for _ in range(_max_pivots(m, n)):
        tableau, basis, slacks = tableaux[side]
        leaving = _pivot(tableau, basis, slacks, entering, tol)
        if leaving == label:
            return tableaux["P"][1], tableaux["Q"][1]
        entering = leaving
        side = "Q" if side == "P" else "P"
    raise SolverError(f"Lemke-Howson from label {label} did not finish "  # pragma: no cover
                      f"within {_max_pivots(m, n):,} pivots")


def _identity(size, one, dtype):
    out = np.zeros((size, size), dtype=dtype)
    if dtype is object:
        out[:] = one * 0
    for i in range(size):
        out[i, i] = one
    return out


def _max_pivots(m: int, n: int) -> int:
    return 10 * 2 ** min(m + n, 40)


def _pivot(tableau: np.ndarray, basis: list[int], slacks: list[int], entering: int,
           tol: float) -> int:
    """Bring `entering` into the basis by the lexicographic minimum-ratio rule, updating
    the tableau in place; returns the label that left."""
    column = tableau[:, entering]
    candidates = [r for r in range(len(basis)) if column[r] > tol]
    if not candidates:  # pragma: no cover - the polytopes are bounded
        raise SolverError("Lemke-Howson met an unbounded ray (the payoffs are not positive)")
    order = [tableau.shape[1] - 1] + slacks  # right-hand side, then the basis inverse
    for c in order:
        if len(candidates) == 1:
            break
        ratios = [tableau[r, c] / column[r] for r in candidates]
        best = min(ratios)
        candidates = [r for r, v in zip(candidates, ratios) if v <= best + tol]
    row = candidates[0]
    tableau[row] = tableau[row] / tableau[row, entering]
    factors = tableau[:, entering].copy()
    factors[row] = 0 * factors[row]
    tableau -= np.outer(factors, tableau[row])
    leaving = basis[row]
    basis[row] = entering
    return leaving


def _float_answer(A, B, basis_p, basis_q) -> MixedEquilibrium | None:
    """The bases' vertices re-solved from the original payoffs, if they are an equilibrium."""
    m, n = A.shape
    x_support, x_rows = _split(basis_p, m, n, "P")
    y_support, y_rows = _split(basis_q, m, n, "Q")
    x = _float_vertex(positive(B).T, x_rows, x_support, m)
    y = _float_vertex(positive(A), y_rows, y_support, n)
    if x is None or y is None:
        return None
    return float_equilibrium(A, B, x, y)


def _exact_answer(A_exact, B_exact, Ap_exact, Bp_exact, basis_p, basis_q):
    m, n = A_exact.shape
    x_support, x_rows = _split(basis_p, m, n, "P")
    y_support, y_rows = _split(basis_q, m, n, "Q")
    x = exact_vertex(Bp_exact.T, x_rows, x_support, m)
    y = exact_vertex(Ap_exact, y_rows, y_support, n)
    if x is None or y is None:
        return None
    x, y = normalized(x), normalized(y)
    if x is None or y is None or not is_exact_equilibrium(A_exact, B_exact, x, y):
        return None
    return exact_equilibrium(x, y)


def _split(basis: list[int], m: int, n: int, side: str) -> tuple[list[int], list[int]]:
    """A final basis as (the basic strategy variables, the tight constraints' indices)."""
    if side == "P":  # x_i basic -> support; r_j nonbasic -> constraint j tight
        support = sorted(v for v in basis if v < m)
        tight = sorted(set(range(n)) - {v - m for v in basis if v >= m})
    else:  # y_j basic -> support; s_i nonbasic -> constraint i tight
        support = sorted(v - m for v in basis if v >= m)
        tight = sorted(set(range(m)) - {v for v in basis if v < m})
    return support, tight


def _float_vertex(M, rows, support, size):
    if len(rows) != len(support) or not support:
        return None
    try:
        values = np.linalg.solve(M[np.ix_(rows, support)], np.ones(len(rows)))
    except np.linalg.LinAlgError:
        return None
    z = np.zeros(size)
    z[support] = values
    return z
