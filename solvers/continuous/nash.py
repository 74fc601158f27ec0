"""Pure Nash equilibria of games with interval strategies: symbolic first-order conditions,
then best-response iteration, then fsolve; certificate: maximum unilateral gain.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy

from gamespec.errors import SolverError
from gamespec.lowering import LoweringError
from gamespec.result import Certificate
from gamespec.solvers.continuous.best_response import BestResponseMap
from gamespec.solvers.continuous.expressions import Values, as_number, compile_expr, substitute
from gamespec.solvers.continuous.results import NashResult
from gamespec.solvers.continuous.sampling import relative_tolerance
from gamespec.solvers.continuous.symbolic import quietly, realified, with_time_limit


def nash_closed_form(payoffs: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol], *,
                     timeout: float | None = 5.0) -> list[dict[sympy.Symbol, sympy.Expr]]:
    """Solutions of the system of first-order conditions d u_i / d x_i = 0.

    Polynomial systems of total degree <= 2 are solved directly; others under a time
    limit. Returns [] when no closed form is found.
    """
    focs = [sympy.diff(u, x) for u, x in zip(payoffs, variables)]
    if any(f.has(sympy.Derivative, sympy.Subs) for f in focs):
        return []  # a library function's derivative: SymPy would treat it as an unknown
    real_focs, forward, back = realified(focs)
    real_vars = [forward.get(v, v) for v in variables]
    simple = all(sympy.fraction(sympy.together(f))[0].is_polynomial(*real_vars)
                 and sympy.Poly(sympy.fraction(sympy.together(f))[0], *real_vars).total_degree()
                 <= 2 for f in real_focs)

    def run() -> list | None:
        return quietly(lambda: sympy.solve(real_focs, real_vars, dict=True))

    found = run() if simple else with_time_limit(run, timeout)
    out = []
    for sol in found or []:
        if all(v in sol for v in real_vars):
            out.append({var: sympy.simplify(sol[rv].xreplace(back))
                        for var, rv in zip(variables, real_vars)})
    return out


def _unilateral_gains(maps: list[BestResponseMap], variables: Sequence[sympy.Symbol],
                      point: dict[sympy.Symbol, float]) -> list[float]:
    gains = []
    for br_map, var in zip(maps, variables):
        others = {s: point[s] for s in br_map.args}
        response = br_map(others)
        gains.append(max(0.0, response.value - br_map.value(point[var], others)))
    return gains


def _nash_certificate(maps: list[BestResponseMap], variables: Sequence[sympy.Symbol],
                      point: dict[sympy.Symbol, float], tol: float) -> Certificate:
    gains = _unilateral_gains(maps, variables, point)
    values = [m.value(point[v], {s: point[s] for s in m.args}) for m, v in zip(maps, variables)]
    limits = [relative_tolerance(tol, v) for v in values]
    ok = all(g <= limit for g, limit in zip(gains, limits))
    worst = int(np.argmax(gains))  # the reported tolerance is that of the largest gain
    return Certificate("max unilateral gain", float(max(gains)), bool(ok), limits[worst],
                       {f"gain_{v.name}": float(g) for v, g in zip(variables, gains)})


def _best_response_iteration(maps: list[BestResponseMap], variables: Sequence[sympy.Symbol],
                             start: dict[sympy.Symbol, float], max_iter: int,
                             damping: float, tol_x: float) -> tuple[dict, int, bool]:
    point = dict(start)
    for it in range(1, max_iter + 1):
        change = 0.0
        for br_map, var in zip(maps, variables):
            target = br_map({s: point[s] for s in br_map.args}).choice
            new = (1 - damping) * target + damping * point[var]
            change = max(change, abs(new - point[var]))
            point[var] = new
        if change <= tol_x:
            return point, it, True
    return point, max_iter, False


def _fsolve_focs(payoffs: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol],
                 start: dict, bounds: list[tuple[float, float]]) -> dict:
    focs = [sympy.diff(u, x) for u, x in zip(payoffs, variables)]
    try:
        fn = compile_expr(variables, sympy.Matrix(focs))
    except LoweringError:  # no NumPy derivative (a library function): keep the start
        return dict(start)
    x0 = np.array([start[v] for v in variables])
    with np.errstate(all="ignore"):
        from scipy import optimize  # imported by a solve that needs it, not at start-up

        sol = optimize.fsolve(lambda z: np.ravel(fn(*z)).astype(float), x0, full_output=True)[0]
    return {v: float(np.clip(z, lo, hi)) for v, z, (lo, hi) in zip(variables, sol, bounds)}


def nash_continuous(payoffs: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol],
                    bounds: Sequence[tuple[Any, Any]], params: Values | None = None, *,
                    symbolic: bool = True, tol: float = 1e-8, max_iter: int = 500,
                    grid: int = 601, timeout: float | None = 5.0) -> NashResult:
    """A pure Nash equilibrium of a game with interval strategies (e.g. Cournot).

    First the first-order conditions are solved symbolically (closed forms kept in
    `closed_form`, parameters left symbolic); a solution is accepted only if it lies in
    the bounds and passes the best-response check. Otherwise best-response iteration
    (plain, then damped) and finally fsolve on the FOCs. Certificate: the maximum gain
    any player gets by deviating, each best response computed globally on its interval.
    """
    variables = tuple(variables)
    numeric = [substitute(u, params) for u in payoffs]
    box = [(as_number(a, params), as_number(b, params)) for a, b in bounds]
    maps = [BestResponseMap(u, v, a, b, None, tuple(w for w in variables if w != v), grid=grid)
            for u, v, (a, b) in zip(numeric, variables, box)]
    closed = nash_closed_form(payoffs, variables, timeout=timeout) if symbolic else []
    for solution in closed:
        point = _numeric_point(solution, params, variables, box)
        if point is None:
            continue
        certificate = _nash_certificate(maps, variables, point, tol)
        if certificate.ok:
            return _nash_result(maps, variables, point, solution, "symbolic first-order "
                                "conditions", 0, certificate)
    tol_x = 1e-10 * max(1.0, max(b - a for a, b in box))
    start = {v: 0.5 * (a + b) if b - a < 1e6 else a for v, (a, b) in zip(variables, box)}
    for damping in (0.0, 0.5):
        point, its, converged = _best_response_iteration(maps, variables, start, max_iter,
                                                         damping, tol_x)
        certificate = _nash_certificate(maps, variables, point, tol)
        if converged and certificate.ok:
            name = "best-response iteration" + (" (damped)" if damping else "")
            return _nash_result(maps, variables, point, None, name, its, certificate)
    point = _fsolve_focs(numeric, variables, point, box)
    certificate = _nash_certificate(maps, variables, point, tol)
    if certificate.ok:
        return _nash_result(maps, variables, point, None, "fsolve on first-order conditions",
                            max_iter, certificate)
    raise SolverError("no pure Nash equilibrium found",
                      hint=f"best-response iteration did not converge and the best "
                           f"candidate leaves a gain of {certificate.residual:.3g}")


def _numeric_point(solution: dict, params: Values | None, variables: Sequence[sympy.Symbol],
                   box: list[tuple[float, float]]) -> dict | None:
    point = {}
    for var, (a, b) in zip(variables, box):
        value = substitute(solution[var], params)
        if value.free_symbols or not value.is_real:
            return None
        x = float(value)
        slack = 1e-9 * max(1.0, b - a)
        if not a - slack <= x <= b + slack:
            return None
        point[var] = min(max(x, a), b)
    return point


def _nash_result(maps: list[BestResponseMap], variables: Sequence[sympy.Symbol],
                 point: dict, closed: dict | None, method: str, iterations: int,
                 certificate: Certificate) -> NashResult:
    values = {v.name: m.value(point[v], {s: point[s] for s in m.args})
              for m, v in zip(maps, variables)}
    forms = {v.name: e for v, e in closed.items()} if closed else None
    return NashResult({v.name: float(point[v]) for v in variables}, values, forms, method,
                      iterations, certificate)
