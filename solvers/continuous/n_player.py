"""Pure Nash equilibria of a simultaneous game in which each of any number of agents (one
alone included) picks a point of an interval.

Symbolic first: every solution of the first-order and corner system (kkt.py); for a
family whose payoffs are verified symmetric, one representative member with the others
at the same choice (symmetric equilibria), then every member on its own (asymmetric.py:
exhaustive when the conditions are linear). Otherwise numeric: best-response iteration from
several starts, and, when all intervals agree, a scan of the diagonal (every agent at the
same choice). Every equilibrium is certified by the maximum unilateral gain from a global
search over each agent's interval (global_gain.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy

from gamespec.solvers.continuous.asymmetric import exact_case, search_asymmetric
from gamespec.solvers.continuous.expressions import as_expr
from gamespec.solvers.continuous.global_gain import GainCheck, PayoffTable, max_unilateral_gain
from gamespec.solvers.continuous.kkt import kkt_candidates, smooth_in_own


@dataclass(frozen=True)
class Equilibrium:
    point: tuple[float, ...]
    exact: dict | None  # symbol -> SymPy, parameters by name
    check: GainCheck
    values: tuple[float, ...] = ()


@dataclass
class NPlayerResult:
    equilibria: list[Equilibrium]
    search: str  # what was searched, in words
    exhaustive: bool
    route: str
    notes: list[str] = field(default_factory=list)
    symmetric_exhaustive: bool = False  # every symmetric equilibrium found (families)


def solve_n_player(payoffs: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol],
                   box: Sequence[tuple[float, float]], params: dict,
                   symmetric: dict[str, list[int]] | None = None, *,
                   tol: float = 1e-8, groups=None) -> NPlayerResult:
    """`params`: symbol -> number; `symmetric`: family name -> the agent indices of a
    family whose symmetry has been verified (its members are then solved as one);
    `groups`: the agent indices one player moves together (a box), certified jointly."""
    symbols = list(symbols)
    numeric = [u.xreplace({s: sympy.Float(v) for s, v in params.items()}) for u in payoffs]
    table = PayoffTable(numeric, symbols, box, groups)
    notes: list[str] = []
    found: list[Equilibrium] = []
    exhaustive = symmetric_exhaustive = False
    search = ""
    if smooth_in_own(payoffs, symbols):
        focs, reduced, expand = _reduced_system(payoffs, symbols, symmetric or {})
        exact_box = [tuple(sympy.nsimplify(v, rational=True) for v in box[symbols.index(x)])
                     for x in reduced]
        candidates = kkt_candidates(focs, reduced, exact_box, params)
        notes += candidates.notes
        for solution in candidates.solutions:
            full = expand(solution)
            point = [_number(full[x], params) for x in symbols]
            check = max_unilateral_gain(table, point, tol)
            if check.ok:
                found.append(Equilibrium(tuple(point), full, check))
        exhaustive = candidates.exhaustive and bool(candidates.solutions or not notes)
        scope = (" symmetric in " + ", ".join(sorted(symmetric)) if symmetric else "")
        search = ("every solution of the first-order and corner conditions" + scope
                  + (" (solved in closed form: the search is exhaustive"
                     + (" among such equilibria)" if symmetric else ")")
                     if candidates.exhaustive else " that SymPy solved (not exhaustive)"))
        route = "symbolic first-order and corner conditions"
        if symmetric:
            symmetric_exhaustive, exhaustive = exhaustive, False
            asym = search_asymmetric(payoffs, symbols, table, params, tol,
                                     known=[e.point for e in found])
            full_box = [tuple(sympy.nsimplify(v, rational=True) for v in b)
                        for b in box] if asym.points else []
            found += [Equilibrium(point, exact_case(payoffs, symbols, full_box, case, point,
                                                    params), check)
                      for point, check, case in asym.points]
            notes += asym.notes
            search += "; " + asym.search
            exhaustive = symmetric_exhaustive and asym.exhaustive
    else:
        notes.append("a payoff branches in its own choice: no first-order system")
    if not found:
        found = _numeric(table, tol)
        exhaustive = False
        route = "numeric: best-response iteration from several starts and a diagonal scan"
        search = ("local/sampled: best-response iteration (global best responses) from "
                  "several starts" + (" and every common choice on a grid" if
                                     len(set(table.box)) == 1 else ""))
    found = [Equilibrium(e.point, e.exact, e.check,
                         tuple(float(table.value(k, e.point)) for k in range(len(symbols))))
             for e in _distinct(found)]
    found.sort(key=lambda e: e.point)
    return NPlayerResult(found, search, exhaustive, route, notes, symmetric_exhaustive)


def _reduced_system(payoffs, symbols, symmetric: dict[str, list[int]]):
    """The first-order conditions of the agents solved for: a symmetric family by its
    first member, the others set equal to it after differentiating."""
    same = {}
    for members in symmetric.values():
        for k in members:
            same[symbols[k]] = symbols[members[0]]
    reduced = [x for x in symbols if same.get(x, x) == x]
    focs = [sympy.diff(payoffs[symbols.index(x)], x).xreplace(same) for x in reduced]

    def expand(solution: dict) -> dict:
        return {x: solution[same.get(x, x)] for x in symbols}

    return focs, reduced, expand


def _number(expr, params: dict) -> float:
    return float(as_expr(expr).xreplace({s: sympy.Float(v) for s, v in params.items()}))


def _numeric(table: PayoffTable, tol: float, iterations: int = 60) -> list[Equilibrium]:
    n = len(table.symbols)
    lows = [a for a, _ in table.box]
    highs = [b for _, b in table.box]
    mids = [(a + b) / 2 for a, b in table.box]
    rng = np.random.default_rng(0)
    starts = [mids, lows, highs] + [[rng.uniform(a, b) for a, b in table.box]
                                    for _ in range(3)]
    out = []
    for start in starts:
        point = list(start)
        for _ in range(iterations):
            before = list(point)
            for k in range(n):
                point[k] = table.best_deviation(k, point, refine=False)[0]
            if max(abs(a - b) for a, b in zip(point, before)) <= 1e-10 * max(1.0, *highs):
                break
        for _ in range(20):  # polished with refined best responses
            before = list(point)
            for k in range(n):
                point[k] = table.best_deviation(k, point)[0]
            if max(abs(a - b) for a, b in zip(point, before)) <= 1e-12 * max(1.0, *highs):
                break
        if max_unilateral_gain(table, point, 1e-6, refine=False).ok:
            check = max_unilateral_gain(table, point, tol)
            if check.ok:
                out.append(Equilibrium(tuple(point), None, check))
    if len(set(table.box)) == 1 and n > 1:  # every agent at the same choice
        lo, hi = table.box[0]
        for x in np.linspace(lo, hi, 201):
            point = [float(x)] * n
            if not max_unilateral_gain(table, point, 1e-6, refine=False).ok:
                continue
            check = max_unilateral_gain(table, point, tol)
            if check.ok:
                out.append(Equilibrium(tuple(point), None, check))
    return out


def _distinct(found: list[Equilibrium], tol: float = 1e-6) -> list[Equilibrium]:
    out: list[Equilibrium] = []
    for eq in found:
        if not any(max(abs(a - b) for a, b in zip(eq.point, o.point)) <= tol * (1 + max(
                abs(a) for a in o.point)) for o in out):
            out.append(eq)
    return out
