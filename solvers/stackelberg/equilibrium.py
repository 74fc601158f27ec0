"""A strong Stackelberg equilibrium of a (Bayesian) general-sum game (`StackelbergSolution`):
values recomputed with NumPy from the commitment, and its certificate, with an independent
lower bound from sampled commitments.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gamespec.result import Certificate
from gamespec.solvers.lp.distributions import as_distribution, distribution_error
from gamespec.solvers.lp.zero_sum_certificate import TOLERANCE


@dataclass(frozen=True, eq=False)
class StackelbergSolution:
    """A strong Stackelberg equilibrium: leader commitment, follower response per type, values.

    responses[t] is the pure action of follower type t; follower_values[t] its payoff;
    candidates counts the LPs solved (or 1 for the MILP).
    """

    leader_strategy: np.ndarray
    responses: tuple[int, ...]
    leader_value: float
    follower_values: tuple[float, ...]
    method: str
    certificate: Certificate
    candidates: int


def stackelberg_result(prior: np.ndarray, L: np.ndarray, F: np.ndarray, x: np.ndarray,
                       responses: Sequence[int], method: str, candidates: int
                       ) -> StackelbergSolution:
    """Values recomputed with NumPy and the best-response certificate for every type."""
    x = as_distribution(np.asarray(x, dtype=float)[None, :])[0]
    T = L.shape[0]
    j = np.asarray(responses)
    follower_payoffs = np.einsum("m,tmn->tn", x, F)
    own = follower_payoffs[np.arange(T), j]
    gain = float((follower_payoffs.max(axis=1) - own).max())
    leader_value = float(np.einsum("t,m,tm->", prior, x, L[np.arange(T), :, j]))
    checks = {"follower_gain": gain, "distribution_error": distribution_error(x),
              "sampled_commitment_gain": max(0.0, sampled_commitment_value(prior, L, F)
                                             - leader_value)}
    residual = max(checks.values())
    tol = TOLERANCE * max(1.0, float(np.abs(F).max()), float(np.abs(L).max()))
    cert = Certificate("best_response", residual, residual <= tol, tol, checks)
    return StackelbergSolution(x, tuple(int(a) for a in j), leader_value,
                               tuple(float(v) for v in own), method, cert, candidates)


def sampled_commitment_value(prior: np.ndarray, L: np.ndarray, F: np.ndarray,
                             samples: int = 4096, seed: int = 0) -> float:
    """The best leader value found over the pure commitments and `samples` random mixed ones
    (Dirichlet(1), seeded), each type answering with a best response, ties broken for the
    leader. An independent lower bound on the optimum: the solution must not fall below it."""
    T, m, _ = L.shape
    rng = np.random.default_rng(seed)
    X = np.vstack([np.eye(m), rng.dirichlet(np.ones(m), size=samples)])
    best = -np.inf
    for chunk in np.array_split(X, max(1, X.shape[0] // 512)):
        follower = np.einsum("sm,tmn->stn", chunk, F)
        leader = np.einsum("sm,tmn->stn", chunk, L)
        tie = TOLERANCE * max(1.0, float(np.abs(F).max()))
        best_reply = follower >= follower.max(axis=2, keepdims=True) - tie
        value = np.where(best_reply, leader, -np.inf).max(axis=2) @ prior
        best = max(best, float(value.max()))
    return best
