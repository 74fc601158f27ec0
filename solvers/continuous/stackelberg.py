"""Two-player Stackelberg games with interval strategies: numerically (follower best
response + leader search) and, where possible, in closed form.
"""
from __future__ import annotations

from typing import Any

import sympy

from gamespec.result import Certificate
from gamespec.solvers.continuous.best_response import BestResponseMap
from gamespec.solvers.continuous.expressions import Values, substitute
from gamespec.solvers.continuous.followers import BestResponseFollower
from gamespec.solvers.continuous.leader import solve_leader
from gamespec.solvers.continuous.results import StackelbergResult
from gamespec.solvers.continuous.roots import tidy
from gamespec.solvers.continuous.stackelberg_check import checked_closed_form
from gamespec.solvers.continuous.symbolic import solve_univariate


def stackelberg_closed_form(leader_payoff: sympy.Expr, follower_payoff: sympy.Expr,
                            leader_var: sympy.Symbol, follower_var: sympy.Symbol, *,
                            timeout: float | None = 5.0) -> list[dict[str, sympy.Expr]]:
    """Substitute the follower's unique stationary point y(x) into the leader's payoff
    and solve the leader's first-order condition. Each solution is a dict with the
    follower's response `response`, and the leader's and follower's strategies."""
    responses = solve_univariate(sympy.diff(follower_payoff, follower_var), follower_var,
                                 timeout)
    if not responses or len(responses) != 1:
        return []
    response = tidy(responses[0])
    reduced = leader_payoff.subs(follower_var, response)
    leaders = solve_univariate(sympy.diff(reduced, leader_var), leader_var, timeout) or ()
    return [{"response": response, leader_var.name: tidy(x),
             follower_var.name: tidy(response.subs(leader_var, x))} for x in leaders]


def stackelberg_continuous(leader_payoff: sympy.Expr, follower_payoff: sympy.Expr,
                           leader_var: sympy.Symbol, follower_var: sympy.Symbol,
                           leader_bounds: tuple[Any, Any], follower_bounds: tuple[Any, Any],
                           params: Values | None = None, *, grid: int = 201,
                           tol: float = 1e-7, symbolic: bool = True,
                           timeout: float | None = 5.0) -> StackelbergResult:
    """Two-player Stackelberg game with interval strategies.

    Symbolically first: the follower's stationary point substituted into the leader's
    payoff; a closed-form solution is the answer when a global check certifies it
    (stackelberg_check.py; `agrees` is then True). Otherwise numerically: the
    follower's best response (global, set-valued, lowest among ties) as a follower map
    and `solve_leader` against it; `agrees` says whether a closed form, evaluated,
    matches that answer.
    """
    br_map = BestResponseMap(follower_payoff, follower_var, *follower_bounds, params,
                             (leader_var,))
    closed = stackelberg_closed_form(leader_payoff, follower_payoff, leader_var, follower_var,
                                     timeout=timeout) if symbolic else []
    for form in closed:  # the closed form, kept when the global check certifies it
        checked = checked_closed_form(form, leader_payoff, br_map, leader_var, leader_bounds,
                                      params, grid=grid, tol=tol)
        if checked is not None:
            return checked
    follower = BestResponseFollower(br_map, leader_var)
    lead = solve_leader(leader_payoff, follower, *leader_bounds, leader_var=leader_var,
                        params=params, grid=grid, tol=tol)
    y = lead.follower.values[follower_var]
    strategies = {leader_var.name: lead.x, follower_var.name: y}
    values = {leader_var.name: lead.value,
              follower_var.name: br_map.value(y, {leader_var: lead.x})}
    chosen, agrees = _matching_closed_form(closed, params, strategies)
    residual = max(lead.certificate.residual, lead.follower.gain)
    certificate = Certificate("leader grid check + follower best-response gain", residual,
                              lead.certificate.ok and residual <= lead.certificate.tolerance,
                              lead.certificate.tolerance, dict(lead.certificate.details))
    return StackelbergResult(strategies, values, chosen, agrees, lead, certificate)


def _matching_closed_form(closed: list[dict], params: Values | None,
                          strategies: dict[str, float]) -> tuple[dict | None, bool | None]:
    if not closed:
        return None, None
    for form in closed:
        numbers = {}
        for name in strategies:
            value = substitute(form[name], params)
            if value.free_symbols or not value.is_real:
                break
            numbers[name] = float(value)
        else:
            if all(abs(numbers[k] - v) <= 1e-5 * (1 + abs(v)) for k, v in strategies.items()):
                return form, True
    return closed[0], False
