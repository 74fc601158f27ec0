"""Every solution of the first-order and corner (Kuhn-Tucker) system of a simultaneous
game with interval choices: each agent is at its lower end, its upper end, or at a zero of
its own derivative; every one of the 3^n cases is solved symbolically (parameters by name)
and kept when it lies in the box with the right derivative signs at the ends. The list is
exhaustive when every case was solved in closed form.
"""
from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import sympy

from gamespec.solvers.continuous.expressions import as_expr
from gamespec.solvers.continuous.roots import tidy
from gamespec.solvers.continuous.symbolic import quietly, with_time_limit

MAX_CASES = 729  # 3^6 agents
LOWER, UPPER, INTERIOR = "lower", "upper", "interior"


@dataclass
class Candidates:
    solutions: list[dict] = field(default_factory=list)  # symbol -> SymPy (params by name)
    exhaustive: bool = True
    notes: list[str] = field(default_factory=list)


def smooth_in_own(payoffs: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol]) -> bool:
    """No branching (if-then-else, indicator, max/min) in an agent's own choice."""
    kinds = (sympy.Piecewise, sympy.Heaviside, sympy.Max, sympy.Min, sympy.Abs)
    return not any(x in node.free_symbols for u, x in zip(payoffs, symbols)
                   for node in u.atoms(*kinds))


def kkt_candidates(focs: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol],
                   bounds: Sequence[tuple[sympy.Expr, sympy.Expr]], params: dict, *,
                   budget: float = 20.0, case_timeout: float = 5.0) -> Candidates:
    """All corner/interior solutions (see the module doc) that are feasible at `params`;
    `focs[k]` is agent k's derivative in its own choice."""
    out = Candidates()
    params = {s: sympy.Float(v) for s, v in params.items()}
    n = len(symbols)
    if 3 ** n > MAX_CASES:
        return Candidates([], False, [f"{3 ** n} corner/interior cases: not enumerated"])
    if any(f.has(sympy.Derivative, sympy.Subs) for f in focs):
        return Candidates([], False, ["a derivative SymPy cannot take"])
    started = time.monotonic()
    for case in itertools.product((LOWER, UPPER, INTERIOR), repeat=n):
        if time.monotonic() - started > budget:
            out.exhaustive = False
            out.notes.append(f"time budget {budget:g} s spent before every case was solved")
            break
        fixed = {x: (lo if c == LOWER else hi)
                 for x, c, (lo, hi) in zip(symbols, case, bounds) if c != INTERIOR}
        free = [x for x, c in zip(symbols, case) if c == INTERIOR]
        system = [sympy.expand(focs[k].xreplace(fixed)) for k, c in enumerate(case)
                  if c == INTERIOR]
        system = [e for e in system if e != 0]
        held = _free_of(system, free, params)  # conditions on the parameters alone
        if held is None:
            continue  # one fails at the parameters' values: no solution in this case
        system = [e for e in system if e not in held]
        if not free or not system:  # nothing to solve (free: every point stationary)
            solutions = [{}]
        else:
            found = with_time_limit(lambda eqs=system, xs=free: quietly(
                lambda: sympy.solve(eqs, xs, dict=True, simplify=False)), case_timeout)
            if found is None:
                out.exhaustive = False
                out.notes.append(f"case {case}: no closed form in time")
                continue
            solutions = found
        for sol in solutions:
            if any(x not in sol for x in free) and system:
                out.exhaustive = False  # a continuum (indifference): one point is kept
                sol = {**{x: sol.get(x, _midpoint(bounds[symbols.index(x)])) for x in free},
                       **sol}
            elif free and not system:
                sol = {x: _midpoint(bounds[symbols.index(x)]) for x in free}
                out.exhaustive = False
                out.notes.append(f"case {case}: every point stationary (indifference at "
                                 "these parameters); the midpoint kept")
            full = {**fixed, **{x: tidy(sol[x].xreplace(fixed)) for x in free}}
            if _feasible(full, focs, symbols, case, bounds, params):
                out.solutions.append(full)
    return out


def _free_of(system: list, free: list, params: dict) -> list | None:
    """The equations without a free choice that hold at the parameters' values (they
    are dropped: SymPy's solve would ask whether they vanish identically, slowly), or
    None when one of them fails there."""
    held = []
    for e in system:
        if e.free_symbols & set(free):
            continue
        value = e.xreplace(params)
        if value.free_symbols or not value.is_number:
            continue  # left to solve
        size = abs(complex(value))
        if not math.isfinite(size):
            continue  # undefined there (zoo, nan): left to solve, as before
        if size > 1e-12:
            return None
        held.append(e)
    return held


def _midpoint(bound: tuple) -> sympy.Expr:
    return (bound[0] + bound[1]) / 2


def _feasible(point: dict, focs, symbols, case, bounds, params: dict,
              tol: float = 1e-9) -> bool:
    numbers = {}
    for x in symbols:
        value = point[x].xreplace(params)
        if value.free_symbols or not value.is_real:
            return False
        numbers[x] = float(value)
    for k, (x, c) in enumerate(zip(symbols, case)):
        lo, hi = (float(as_expr(b).xreplace(params)) for b in bounds[k])
        slack = tol * max(1.0, hi - lo)
        if not lo - slack <= numbers[x] <= hi + slack:
            return False
        if c == INTERIOR:
            continue
        slope = focs[k].xreplace({s: sympy.Float(v) for s, v in numbers.items()})
        slope = slope.xreplace(params)
        if slope.free_symbols or not slope.is_real:
            return False
        if (c == LOWER and float(slope) > slack) or (c == UPPER and float(slope) < -slack):
            return False
    return True
