"""NumPy evaluation of a zero-sum game at given strategies, and its certificate (independent
of the LP).

Certificates (`Certificate`) are computed with NumPy from the returned strategies only: the
follower's maximum gain from deviating, the leader's value recomputed from f and h, the
weak-duality bound gap (what f guarantees vs the upper bound that (h, z) proves), every row a
distribution, side-constraint violation, and the LP duality gap when both LPs were solved.
"""
from __future__ import annotations

import math

import numpy as np

from gamespec.result import Certificate
from gamespec.solvers.lp.distributions import distribution_error
from gamespec.solvers.lp.zero_sum_game import ConditionalGame

TOLERANCE = 1e-6
"""Certificate tolerance (relative to max(1, |value|)); HiGHS's own tolerances are 1e-7."""


def payoff_scale(C: np.ndarray) -> float:
    """The largest |payoff| (1 for an all-zero game): the LPs are solved in these units."""
    largest = float(np.max(np.abs(C), initial=0.0))
    return largest if largest > 0 and math.isfinite(largest) else 1.0


def observation_payoff(C: np.ndarray, f: np.ndarray, signal: np.ndarray | None = None
                       ) -> np.ndarray:
    """W[o, a] = sum_{r, s: signal[s]=o} C[r, s, a] f[r, s]: the follower's cost of a at o."""
    per_signal = np.einsum("rsa,rs->sa", C, f)
    if signal is None:
        return per_signal
    W = np.zeros((int(np.max(signal)) + 1, C.shape[2]))
    np.add.at(W, signal, per_signal)
    return W


def evaluate(C: np.ndarray, f: np.ndarray, h: np.ndarray, signal: np.ndarray | None = None
             ) -> float:
    """The leader's payoff sum_{r,s,a} C[r,s,a] f[r,s] h[signal[s],a], by NumPy."""
    return float(np.sum(observation_payoff(C, f, signal) * h))


def follower_max_gain(C: np.ndarray, f: np.ndarray, h: np.ndarray,
                      signal: np.ndarray | None = None) -> float:
    """How much the (minimising) follower gains by switching to its best response: >= 0."""
    W = observation_payoff(C, f, signal)
    return float(np.sum(W * h) - W.min(axis=1).sum())


def leader_upper_bound(game: ConditionalGame, h: np.ndarray, z: np.ndarray) -> float:
    """A bound no leader strategy can beat against h (weak duality with multipliers z).

    z is first projected onto its sign (z >= 0 for "<=", z <= 0 for ">="), so the bound is valid
    whatever the numbers: sum_r max_s (sum_a C h - sum_k z_k G_k)[r, s] + sum_k z_k b_k.
    """
    C, sig = game.payoff, game.signals
    gain = np.einsum("rsa,sa->rs", C, h[sig])
    bound = 0.0
    for zk, con in zip(np.asarray(z, dtype=float), game.constraints):
        zk = max(zk, 0.0) if con.sense == "<=" else min(zk, 0.0) if con.sense == ">=" else zk
        gain = gain - zk * con.weights
        bound += zk * con.bound
    return float(gain.max(axis=1).sum() + bound)


def constraint_violation(game: ConditionalGame, f: np.ndarray) -> float:
    """Largest amount by which f violates a side constraint (0 if it meets all)."""
    worst = 0.0
    for con in game.constraints:
        lhs = float(np.sum(con.weights * f))
        excess = {"<=": lhs - con.bound, ">=": con.bound - lhs, "==": abs(lhs - con.bound)}
        worst = max(worst, excess[con.sense])
    return worst


def certify_zero_sum(game: ConditionalGame, f: np.ndarray, h: np.ndarray, z: np.ndarray,
                     value: float, duality_gap: float | None,
                     tolerance: float = TOLERANCE) -> Certificate:
    """Check (f, h, z) with NumPy alone; `bound_gap` <= tol proves both strategies optimal."""
    C, sig = game.payoff, game.signal
    guaranteed = float(observation_payoff(C, f, sig).min(axis=1).sum())
    played = evaluate(C, f, h, sig)
    checks = {
        "bound_gap": leader_upper_bound(game, h, z) - guaranteed,
        "follower_gain": follower_max_gain(C, f, h, sig),
        "value_mismatch": abs(played - value),
        "distribution_error": distribution_error(f, h),
        "constraint_violation": constraint_violation(game, f),
    }
    if duality_gap is not None:
        checks["duality_gap"] = duality_gap
    residual = max(abs(v) for v in checks.values())
    tol = tolerance * max(abs(value), payoff_scale(C))  # relative to the payoffs' size
    return Certificate("lp_duality+best_response", residual, residual <= tol, tol, checks)
