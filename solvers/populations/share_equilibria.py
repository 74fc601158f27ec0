"""Every equilibrium of a population game whose payoffs are rational functions of the
fields, exactly: for each support (one set of used choices per population) the payoffs of
the used choices are set equal and the shares summed to one, solved by SymPy; a solution
counts if its shares on the support are positive and no unused choice pays more."""
from __future__ import annotations

import numpy as np
import sympy

from gamespec.solvers.populations.finite_shares import ShareGame
from gamespec.solvers.populations.supports import SharePoint, support_combinations

DIGITS = 30  # precision of sign checks on algebraic (non-rational) solutions


def share_symbols(game: ShareGame) -> list[list[sympy.Symbol]]:
    """x_<population>_<choice> for every share."""
    return [[sympy.Symbol(f"x_{pop.name}_{label}", real=True) for label in pop.labels]
            for pop in game.populations]


def choice_payoffs_in_shares(game: ShareGame, xs: list[list[sympy.Symbol]]):
    """payoffs[p][c] with each field written out in the shares."""
    fields = game.field_exprs(xs)
    return [[sympy.expand(u.xreplace(fields)) if u.is_polynomial(*fields)
             else u.xreplace(fields) for u in row] for row in game.payoffs]


class Continuum(Exception):
    """A support whose equations leave a share free: a continuum of equilibria."""


def exact_equilibria(game: ShareGame) -> tuple[list[SharePoint], list[str]]:
    """All equilibria (isolated ones as points) and notes on continua found."""
    xs = share_symbols(game)
    payoffs = choice_payoffs_in_shares(game, xs)
    points: list[SharePoint] = []
    notes: list[str] = []
    flat = [x for row in xs for x in row]
    linear = all(_degree(u, flat) <= 1 for row in payoffs for u in row)
    for support in support_combinations([len(p.labels) for p in game.populations]):
        values = {x: sympy.Integer(0) for p, row in enumerate(xs) for c, x in enumerate(row)
                  if c not in support[p]}
        unknowns = [xs[p][c] for p, used in enumerate(support) for c in used]
        equations = []
        for p, used in enumerate(support):
            equations.append(sympy.Add(*[xs[p][c] for c in used]) - 1)
            base = payoffs[p][used[0]].xreplace(values)
            equations += [payoffs[p][c].xreplace(values) - base if linear else
                          _numerator(payoffs[p][c].xreplace(values) - base) for c in used[1:]]
        equations = [e for e in equations if e != 0]
        for solution in (_linear_solve if linear else _solve)(equations, unknowns):
            full = {**values, **solution}
            if any(not full.get(x, x).is_number for x in unknowns):
                notes.append(_continuum_note(game, support, solution))
                continue
            point = _checked(game, xs, payoffs, support, full)
            if point is not None:
                points.append(point)
    return points, notes


def _degree(expr: sympy.Expr, symbols: list[sympy.Symbol]) -> int:
    """Total degree in `symbols` (a large number when not a polynomial)."""
    try:
        return sympy.Poly(expr, *symbols).total_degree()
    except sympy.PolynomialError:
        return 10**6


def _linear_solve(equations: list, unknowns: list) -> list[dict]:
    """A linear system by Gauss-Jordan in exact rationals; free parameters stay symbols."""
    matrix, rhs = sympy.linear_eq_to_matrix(equations, unknowns)
    try:
        solution, _ = matrix.gauss_jordan_solve(rhs)
    except ValueError:  # inconsistent
        return []
    return [{x: v for x, v in zip(unknowns, solution) if v != x}]


def _solve(equations: list, unknowns: list) -> list[dict]:
    return sympy.solve(equations, unknowns, dict=True)


def _numerator(expr: sympy.Expr) -> sympy.Expr:
    return sympy.numer(sympy.together(expr))


def _checked(game: ShareGame, xs, payoffs, support, full: dict) -> SharePoint | None:
    """The point if its used shares are positive reals and no unused choice pays more
    (a payoff that is not a finite number there rules the point out)."""
    exact = [[sympy.simplify(full[x]) for x in row] for row in xs]
    for p, used in enumerate(support):
        for c in used:
            value = _real(exact[p][c])
            if value is None or value <= 0:
                return None
        best = _real(payoffs[p][used[0]].xreplace(full))
        if best is None:
            return None
        for c in range(len(xs[p])):
            value = _real(payoffs[p][c].xreplace(full))
            if value is None or (c not in used and value - best > 1e-20):
                return None
    shares = [np.array([_real(v) if _real(v) is not None else np.nan for v in row])
              for row in exact]
    return SharePoint(shares, "regular", exact, tuple(support))


def _real(expr: sympy.Expr) -> float | None:
    """A finite real number (to DIGITS digits), else None."""
    if not expr.is_number:
        return None
    try:
        value = complex(sympy.N(expr, DIGITS))
    except (TypeError, ValueError):
        return None
    if not np.isfinite(value) or abs(value.imag) > 1e-20:
        return None
    return value.real


def _continuum_note(game: ShareGame, support, solution: dict) -> str:
    used = "; ".join(f"{pop.name}: {', '.join(pop.labels[c] for c in s)}"
                     for pop, s in zip(game.populations, support))
    shown = ", ".join(f"{k} = {sympy.sstr(v)}" for k, v in solution.items())
    return (f"a continuum of equal-payoff shares on the support ({used}): {shown or 'any'}"
            " (not listed as points; check which of them leave no better unused choice)")
