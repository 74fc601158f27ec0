"""A closed-form Stackelberg solution checked by a global search: the follower's global
best response at the leader's choice (set-valued, with its gain), and the leader's payoff
against the follower's global best response at every point of two grids over the leader's
interval (uniform plus geometric near both ends, and an offset one), refined by a golden
section in the best cells. The closed form is kept only when nothing beats it.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy

from gamespec.errors import SolverError
from gamespec.result import Certificate
from gamespec.solvers.continuous.best_response import BestResponseMap
from gamespec.solvers.continuous.bracketing import golden_maxima
from gamespec.solvers.continuous.expressions import (
    Values,
    as_number,
    check_free,
    compile_expr,
    evaluate_compiled,
    substitute,
    worst_if_undefined,
)
from gamespec.solvers.continuous.results import FollowerResponse, LeaderResult, StackelbergResult
from gamespec.solvers.continuous.sampling import relative_tolerance, sample_grid

REFINED_CELLS = 4


def checked_closed_form(form: dict, leader_payoff: sympy.Expr, br_map: BestResponseMap,
                        leader_var: sympy.Symbol, leader_bounds: tuple[Any, Any],
                        params: Values | None, *, grid: int = 201,
                        tol: float = 1e-7) -> StackelbergResult | None:
    """The StackelbergResult of `form` (see `stackelberg_closed_form`) when it is real,
    inside the intervals and certified; None otherwise (the caller searches numerically)."""
    follower_var = br_map.var
    lo, hi = as_number(leader_bounds[0], params), as_number(leader_bounds[1], params)
    x = _number(form[leader_var.name], params)
    if x is None or not lo <= x <= hi:
        return None
    expr = substitute(leader_payoff, params)
    check_free(expr, (leader_var, follower_var), "the leader's payoff")
    fn = compile_expr((leader_var, follower_var), expr)

    def against_best_response(xs: np.ndarray) -> np.ndarray:
        ys, _ = br_map.batch([xs])
        return worst_if_undefined(evaluate_compiled(fn, xs, [ys]))

    try:
        response = br_map({leader_var: x})
    except SolverError:
        return None
    y = response.choice
    y_closed = _number(form[follower_var.name], params)
    if y_closed is None or abs(y_closed - y) > 1e-6 * (1 + abs(y)):
        return None
    value = float(against_best_response(np.array([x]))[0])
    if not math.isfinite(value):
        return None
    best_x, best = _global_leader_search(against_best_response, lo, hi, grid)
    tol_v = relative_tolerance(tol, value)
    gain = max(0.0, best - value)
    follower_gain = max(0.0, response.value - br_map.value(y, {leader_var: x}))
    ok = gain <= tol_v and follower_gain <= tol_v and response.attained
    if not ok:
        return None
    certificate = Certificate(
        "leader grid check + follower best-response gain", float(max(gain, follower_gain)),
        True, tol_v, {"grid_points": float(2 * grid), "grid_gain": float(gain),
                      "follower_gain": float(follower_gain),
                      "best_grid_leader": float(best_x)})
    follower = FollowerResponse({follower_var: y}, 0.0, follower_gain, response.attained)
    lead = LeaderResult(x, value, follower, True, value, (), certificate)
    values = {leader_var.name: value, follower_var.name: br_map.value(y, {leader_var: x})}
    return StackelbergResult({leader_var.name: x, follower_var.name: y}, values, form, True,
                             lead, certificate)


def _global_leader_search(value_at, lo: float, hi: float, n: int) -> tuple[float, float]:
    """(argmax, max) of the leader's payoff against the follower's best response: two
    grids, then a golden section in the best cells."""
    step = (hi - lo) / max(n, 1)
    offset = lo + step * (np.arange(n) + 0.5 * (math.sqrt(5.0) - 1.0))
    xs = np.unique(np.concatenate([sample_grid(lo, hi, n), offset[offset <= hi]]))
    values = value_at(xs)
    cells = np.argsort(values)[::-1][:REFINED_CELLS]
    a, b = xs[np.maximum(cells - 1, 0)], xs[np.minimum(cells + 1, xs.size - 1)]
    wide = b > a
    found = golden_maxima(lambda v, idx: value_at(v), a[wide], b[wide], iterations=30)
    xs, values = np.concatenate([xs, found]), np.concatenate([values, value_at(found)])
    k = int(np.argmax(values))
    return float(xs[k]), float(values[k])


def _number(expr: sympy.Expr, params: Values | None) -> float | None:
    value = substitute(expr, params)
    if value.free_symbols or not value.is_real:
        return None
    return float(value)
