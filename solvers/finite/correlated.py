"""Correlated and coarse correlated equilibria of an n-player finite game, as one LP on HiGHS.

The variables are a distribution mu over pure profiles. Correlated (CE): for every agent k
and own strategies a != a', sum over profiles s with s_k = a of mu(s) [u_k(a', s_-k) -
u_k(s)] <= 0 (obeying the recommendation a beats switching to a'). Coarse (CCE): for every
agent k and strategy a', sum over all s of mu(s) [u_k(a', s_-k) - u_k(s)] <= 0 (following
the mediator beats committing to a' beforehand). The constraint matrix is built in bulk
from the payoff tensor, one NumPy pass per agent. `max_violation` re-checks the answer from
the distribution alone, by a different contraction.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from gamespec.errors import SpecError
from gamespec.solvers.lp.linear_program import LinearProgram, layout
from gamespec.solvers.lp.routes import Route, require_optimal, solve_lp


@dataclass(frozen=True, eq=False)
class CorrelatedSolution:
    """distribution[s1, ..., sn]: probability of each pure profile; payoffs[k]: agent k's
    expected payoff; objective: the LP's optimum; max_violation: the largest gain from
    disobeying (or negative probability / total off 1), recomputed from the distribution."""

    distribution: np.ndarray
    payoffs: np.ndarray
    objective: float
    max_violation: float
    coarse: bool


def correlated_equilibrium(payoffs, objective="welfare", coarse: bool = False,
                           time_limit: float | None = None, *,
                           route: Route = "direct") -> CorrelatedSolution:
    """The (coarse) correlated equilibrium optimising `objective`: "welfare" (max sum of
    expected payoffs) or ("payoff", k, "max" | "min") for agent k."""
    u = _check_payoffs(payoffs)
    lp = correlated_lp(u, objective, coarse)
    sol = require_optimal(solve_lp(lp, route=route, time_limit=time_limit), lp.name,
                          hint="the payoffs must be finite numbers")
    mu = np.clip(sol.x, 0.0, None)
    mu = (mu / mu.sum()).reshape(u.shape[1:])
    expected = np.array([float(np.sum(mu * u[k])) for k in range(u.shape[0])])
    return CorrelatedSolution(mu, expected, float(sol.objective),
                              obedience_violation(u, mu, coarse), coarse)


def correlated_lp(u: np.ndarray, objective="welfare", coarse: bool = False) -> LinearProgram:
    """The CE (or CCE) LP over mu, one column per pure profile (row-major)."""
    n, shape = u.shape[0], u.shape[1:]
    size = math.prod(shape)
    blocks = [_coarse_rows(u, k) if coarse else _obedience_rows(u, k) for k in range(n)]
    matrix = sp.vstack(blocks + [sp.csr_array(np.ones((1, size)))], format="csc")
    counts = [b.shape[0] for b in blocks]
    c, maximize = _objective_vector(u, objective)
    rows = sum(counts)
    kind = "coarse correlated" if coarse else "correlated"
    return LinearProgram(
        A=sp.csc_array(matrix), c=c, col_lower=np.zeros(size), col_upper=np.full(size, np.inf),
        row_lower=np.concatenate([np.full(rows, -np.inf), [1.0]]),
        row_upper=np.concatenate([np.zeros(rows), [1.0]]),
        maximize=maximize, col_blocks=layout(("mu", shape)),
        row_blocks=layout(*[(f"obey{k}", (cnt,)) for k, cnt in enumerate(counts)],
                          ("total", (1,))),
        name=f"the {kind} equilibrium LP",
    )


def _gains(u: np.ndarray, k: int) -> np.ndarray:
    """gains[a', s] = u_k(a', s_-k) - u_k(s), shape (S_k, S_1, ..., S_n)."""
    own = u[k]
    switched = np.moveaxis(own, k, 0)  # switched[a', ...rest with axis k removed]
    switched = np.expand_dims(switched, axis=k + 1)  # broadcast over s_k
    return switched - own[None]


def _obedience_rows(u: np.ndarray, k: int) -> sp.csr_array:
    """Rows (a, a'), a != a', of agent k: entries G[a', s] on the profiles with s_k = a."""
    shape = u.shape[1:]
    sk = shape[k]
    gains = _gains(u, k)  # (a', s)
    own_index = np.indices(shape)[k].ravel()  # s_k of each profile, row-major
    profiles = np.arange(math.prod(shape))
    alt = np.arange(sk)[:, None]
    keep = alt != own_index[None, :]  # drop a' == a
    row_of = own_index[None, :] * (sk - 1) + np.where(alt < own_index[None, :], alt, alt - 1)
    rows = np.broadcast_to(row_of, keep.shape)[keep]
    cols = np.broadcast_to(profiles[None, :], keep.shape)[keep]
    vals = gains.reshape(sk, -1)[keep]
    return sp.csr_array((vals, (rows, cols)), shape=(sk * (sk - 1), profiles.size))


def _coarse_rows(u: np.ndarray, k: int) -> sp.csr_array:
    """Row a' of agent k: G[a', s] on every profile s."""
    sk = u.shape[1:][k]
    return sp.csr_array(_gains(u, k).reshape(sk, -1))


def _objective_vector(u: np.ndarray, objective) -> tuple[np.ndarray, bool]:
    if objective == "welfare":
        return u.sum(axis=0).ravel().astype(float), True
    if (isinstance(objective, tuple) and len(objective) == 3 and objective[0] == "payoff"
            and isinstance(objective[1], int) and 0 <= objective[1] < u.shape[0]
            and objective[2] in ("max", "min")):
        return u[objective[1]].ravel().astype(float), objective[2] == "max"
    raise SpecError(f"unknown correlated-equilibrium objective {objective!r}",
                    hint='use "welfare" or ("payoff", agent index, "max" or "min")')


def obedience_violation(payoffs: np.ndarray, mu: np.ndarray, coarse: bool = False) -> float:
    """The certificate: the largest expected gain of any agent from disobeying `mu` (CE: per
    recommended strategy; CCE: before the recommendation), or how far mu is from a
    distribution; 0 at an exact (coarse) correlated equilibrium."""
    worst = max(0.0, float(-np.min(mu)), abs(float(np.sum(mu)) - 1.0))
    for k in range(payoffs.shape[0]):
        M = np.moveaxis(mu, k, 0).reshape(mu.shape[k], -1)  # M[a, rest]
        U = np.moveaxis(payoffs[k], k, 0).reshape(mu.shape[k], -1)  # U[a, rest]
        if coarse:
            others = M.sum(axis=0)  # marginal of the others' profile
            gain = U @ others - float(np.sum(M * U))
        else:
            gain = M @ U.T - np.sum(M * U, axis=1)[:, None]  # gain[a, a']
        worst = max(worst, float(np.max(gain)))
    return worst


def _check_payoffs(payoffs) -> np.ndarray:
    u = np.asarray(payoffs, dtype=float)
    if u.ndim < 2 or u.shape[0] != u.ndim - 1 or 0 in u.shape:
        raise SpecError(f"a payoff tensor has shape (n, S_1, ..., S_n); got {u.shape}")
    if not np.all(np.isfinite(u)):
        raise SpecError("the payoffs must be finite numbers")
    return u
