"""The follower's optimal response to a fixed leader strategy: in closed form (per observation)
or as an LP.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from gamespec.errors import SpecError
from gamespec.solvers.lp.distributions import as_distribution
from gamespec.solvers.lp.linear_program import LinearProgram, layout
from gamespec.solvers.lp.routes import Route, require_optimal, solve_lp
from gamespec.solvers.lp.zero_sum_certificate import observation_payoff, payoff_scale


@dataclass(frozen=True, eq=False)
class Response:
    """A follower strategy h[o, a] against a fixed leader strategy and the leader's value."""

    h: np.ndarray
    value: float
    method: str


def best_response_closed_form(C: np.ndarray, f: np.ndarray, signal: np.ndarray | None = None
                              ) -> Response:
    """The follower's optimal response, decomposed per observation: argmin_a W[o, a]."""
    W = observation_payoff(np.asarray(C, float), np.asarray(f, float), signal)
    h = np.zeros_like(W)
    h[np.arange(W.shape[0]), W.argmin(axis=1)] = 1.0
    return Response(h, float(W.min(axis=1).sum()), "closed_form")


def response_lp(W: np.ndarray) -> LinearProgram:
    """LP 33-34 of the paper: min sum W[o, a] h[o, a] s.t. each row of h sums to 1, h >= 0."""
    n_obs, n_act = W.shape
    size = n_obs * n_act
    rows_of = sp.csc_array((np.ones(size), np.repeat(np.arange(n_obs), n_act),
                            np.arange(size + 1)), shape=(n_obs, size))
    return LinearProgram(
        A=rows_of, c=W.ravel().astype(float), col_lower=np.zeros(size),
        col_upper=np.full(size, np.inf), row_lower=np.ones(n_obs), row_upper=np.ones(n_obs),
        maximize=False, col_blocks=layout(("h", (n_obs, n_act))),
        row_blocks=layout(("h_sum", (n_obs,))), name="the optimal-response LP",
    )


def optimal_response(C: np.ndarray, f: np.ndarray, signal: np.ndarray | None = None, *,
                     route: Route = "pyomo", time_limit: float | None = None) -> Response:
    """The follower's optimal attack against a fixed leader strategy f, solved as an LP."""
    C, f = np.asarray(C, dtype=float), np.asarray(f, dtype=float)
    if f.shape != C.shape[:2]:
        raise SpecError(f"leader strategy has shape {f.shape}, expected {C.shape[:2]}")
    scale = payoff_scale(C)
    lp = response_lp(observation_payoff(C, f, signal) / scale)
    sol = require_optimal(solve_lp(lp, route=route, time_limit=time_limit), lp.name,
                          hint="the payoff must be finite")
    h = as_distribution(sol.x.reshape(lp.col("h").shape))
    return Response(h, sol.objective * scale, f"lp:{route}")
