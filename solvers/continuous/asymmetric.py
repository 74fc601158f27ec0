"""Asymmetric pure equilibria of a game whose symmetric families were solved by one
representative: every member on its own. When every first-order condition is linear in
the choices (Cournot, linear public goods), each of the 3^N corner/interior cases is a
small linear system solved with NumPy, so the search is exhaustive and cheap; otherwise a
best-response multistart (local, not exhaustive). Every candidate is certified by the
global maximum-unilateral-gain check.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy

from gamespec.solvers.continuous.expressions import as_expr
from gamespec.solvers.continuous.global_gain import PayoffTable, max_unilateral_gain

MAX_CASES = 2187  # 3^7 members: each case a small linear solve (~0.1 ms)


@dataclass
class AsymmetricSearch:
    # (point, check, case: per member 0 lower, 1 upper, 2 interior)
    points: list[tuple[tuple[float, ...], object, tuple[int, ...]]] = field(
        default_factory=list)
    search: str = ""
    exhaustive: bool = False
    notes: list[str] = field(default_factory=list)


def search_asymmetric(payoffs: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol],
                      table: PayoffTable, params: dict, tol: float,
                      known: Sequence[tuple[float, ...]] = ()) -> AsymmetricSearch:
    """Every member solved on its own (see the module doc); `known` equilibria (the
    symmetric ones) are not certified again."""
    n = len(symbols)
    numbers = {s: sympy.Float(v) for s, v in params.items()}
    linear = _linear([u.xreplace(numbers) for u in payoffs], symbols)
    if linear is None:
        return AsymmetricSearch(search="asymmetric equilibria: not searched (first-order "
                                "conditions not linear in the choices)")
    if 3 ** n > MAX_CASES:
        return AsymmetricSearch(search=f"asymmetric equilibria: not searched ({3 ** n} "
                                "corner/interior cases of the members' conditions)")
    matrix, offset = linear
    out = AsymmetricSearch(exhaustive=True, search=(
        f"asymmetric equilibria: every one of the {3 ** n} corner/interior cases of the "
        f"{n} members' (linear) first-order conditions solved"))
    lows = np.array([a for a, _ in table.box])
    highs = np.array([b for _, b in table.box])
    continua = 0
    for case in itertools.product(range(3), repeat=n):  # 0 lower, 1 upper, 2 interior
        kind = np.array(case)
        point = np.where(kind == 0, lows, highs).astype(float)
        free = np.nonzero(kind == 2)[0]
        if free.size:
            fixed = np.nonzero(kind != 2)[0]
            rhs = -(offset[free] + matrix[np.ix_(free, fixed)] @ point[fixed])
            block = matrix[np.ix_(free, free)]
            solved, residual, rank, _ = np.linalg.lstsq(block, rhs, rcond=None)
            scale = 1e-9 * (1 + np.abs(rhs).max())
            if np.abs(block @ solved - rhs).max() > scale:
                continue  # inconsistent: no stationary point in this case
            if rank < free.size:
                out.exhaustive = False
                continua += 1
            point[free] = solved
        if not _feasible(point, kind, matrix, offset, lows, highs) or any(
                np.abs(point - np.asarray(p)).max() <= 1e-9 * (1 + np.abs(point).max())
                for p in known):
            continue
        check = max_unilateral_gain(table, point.tolist(), tol)
        if check.ok:
            out.points.append((tuple(float(v) for v in point), check, case))
    if continua:
        out.notes.append(f"{continua} of the {3 ** n} cases have a continuum of stationary "
                         "points (indifference): only each one's least-norm point was tried")
    return out


def _linear(payoffs, symbols) -> tuple[np.ndarray, np.ndarray] | None:
    """(A, c) with agent k's first-order condition A[k] . x + c[k] = 0, or None when a
    payoff is not a polynomial (parameters at their values) or a condition not linear."""
    n = len(symbols)
    matrix, offset = np.zeros((n, n)), np.zeros(n)
    for k, u in enumerate(payoffs):
        if u.free_symbols - set(symbols):
            return None
        try:
            poly = sympy.Poly(u, *symbols).diff(symbols[k])
        except sympy.PolynomialError:
            return None
        if poly.total_degree() > 1:
            return None
        for j, x in enumerate(symbols):
            matrix[k, j] = float(poly.coeff_monomial(x))
        offset[k] = float(poly.coeff_monomial(1))
    return matrix, offset


def _feasible(point, kind, matrix, offset, lows, highs) -> bool:
    width = np.maximum(highs - lows, 1.0)
    if np.any(point < lows - 1e-9 * width) or np.any(point > highs + 1e-9 * width):
        return False
    slope = matrix @ point + offset
    slack = 1e-9 * (1 + np.abs(slope).max())
    return bool(np.all(slope[kind == 0] <= slack) and np.all(slope[kind == 1] >= -slack))


def exact_case(payoffs: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol],
               bounds: Sequence[tuple[sympy.Expr, sympy.Expr]], case: tuple[int, ...],
               point: Sequence[float], params: dict) -> dict | None:
    """The case's solution in closed form (parameters by name) when SymPy gives exactly
    one that evaluates to `point`; else None (the numbers stand)."""
    fixed = {x: bounds[k][c] for k, (x, c) in enumerate(zip(symbols, case)) if c != 2}
    free = [x for x, c in zip(symbols, case) if c == 2]
    focs = [sympy.diff(payoffs[k], x).xreplace(fixed) for k, x in enumerate(symbols)
            if case[k] == 2]
    if free and _singular_linear(focs, free):
        return None  # no solution or a continuum: never exactly one (SymPy takes seconds)
    found = sympy.solve(focs, free, dict=True, simplify=False) if free else [{}]
    if len(found) != 1 or any(x not in found[0] for x in free):
        return None
    exact = {**fixed, **{x: sympy.cancel(found[0][x]) for x in free}}
    numbers = {s: sympy.Float(v) for s, v in params.items()}
    for x, v in zip(symbols, point):
        value = as_expr(exact[x]).xreplace(numbers)
        if value.free_symbols or abs(float(value) - v) > 1e-9 * (1 + abs(v)):
            return None
    return exact


def _singular_linear(focs: Sequence[sympy.Expr], free: Sequence[sympy.Symbol]) -> bool:
    """Whether the conditions are linear in `free` with a singular matrix of exact
    rational numbers (then they have no solution or infinitely many)."""
    jacobian = sympy.Matrix(focs).jacobian(list(free))
    if any(not (entry.is_Rational) for entry in jacobian):
        return False  # symbols, Floats or a nonlinear condition: SymPy decides
    return jacobian.rank() < len(free)
