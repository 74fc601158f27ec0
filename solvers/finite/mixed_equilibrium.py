"""Mixed profiles of a finite game in normal form, and the check every method's answer gets.

A payoff tensor has shape (n_agents, |S_1|, ..., |S_n|); a mixed profile is one probability
vector per agent. `max_regret` is the certificate: the largest gain any agent gets by a
pure deviation, computed by contracting the tensor with the profile, independently of the
method that found it.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np


@dataclass(frozen=True, eq=False)
class MixedEquilibrium:
    """strategies[k]: agent k's probabilities over its pure strategies.

    exact[k], when known, holds the same probabilities exactly (Fractions for rational
    payoffs, or SymPy numbers such as algebraic irrationals); None when only floats are known.
    """

    strategies: tuple[np.ndarray, ...]
    exact: tuple[tuple, ...] | None = None
    how: str = ""  # how the method reached it, when that matters to what the answer covers

    def support(self, tol: float = 1e-9) -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(int(i) for i in np.flatnonzero(s > tol)) for s in self.strategies)


def deviation_payoffs(payoffs: np.ndarray, strategies) -> list[np.ndarray]:
    """Agent k's expected payoff of each of its pure strategies against the others' mix."""
    n = payoffs.shape[0]
    out = []
    for k in range(n):
        u = payoffs[k]
        for j in reversed(range(n)):  # contract the last axes first so positions hold
            if j != k:
                u = np.tensordot(u, np.asarray(strategies[j], dtype=float), axes=([j], [0]))
        out.append(np.asarray(u, dtype=float))
    return out


def expected_payoffs(payoffs: np.ndarray, strategies) -> np.ndarray:
    """Each agent's expected payoff at the mixed profile."""
    rows = deviation_payoffs(payoffs, strategies)
    return np.array([float(r @ np.asarray(s, dtype=float)) for r, s in zip(rows, strategies)])


def max_regret(payoffs: np.ndarray, strategies) -> float:
    """The largest gain any agent gets by switching to a pure strategy (0 at an equilibrium).

    Also counts how far each vector is from a probability distribution, so a profile that
    is not one cannot pass."""
    rows = deviation_payoffs(payoffs, strategies)
    worst = 0.0
    for r, s in zip(rows, strategies):
        s = np.asarray(s, dtype=float)
        worst = max(worst, float(np.max(r) - r @ s), float(-np.min(s, initial=0.0)),
                    abs(float(np.sum(s)) - 1.0))
    return worst


def regret_tolerance(payoffs: np.ndarray, tol: float = 1e-7) -> float:
    """The regret a floating-point equilibrium may show: tol x the payoffs' scale."""
    return tol * max(1.0, float(np.max(np.abs(payoffs), initial=0.0)))


def rational_payoffs(payoffs: np.ndarray, max_denominator: int = 10**6) -> np.ndarray | None:
    """The payoffs as exact Fractions (an object array) if every entry is a float that is
    exactly the nearest double to a rational with a small denominator, else None."""
    flat = payoffs.ravel()
    out = np.empty(flat.shape, dtype=object)
    cache: dict[float, Fraction] = {}
    for i, x in enumerate(flat.tolist()):
        f = cache.get(x)
        if f is None:
            f = Fraction(x).limit_denominator(max_denominator)
            if float(f) != x:
                return None
            cache[x] = f
        out[i] = f
    return out.reshape(payoffs.shape)


def exact_regret(payoffs: np.ndarray, exact: tuple[tuple, ...]) -> Fraction | None:
    """max_regret in exact arithmetic, for Fraction payoffs and a Fraction profile."""
    n = payoffs.shape[0]
    worst = Fraction(0)
    for k in range(n):
        u = payoffs[k]
        for j in reversed(range(n)):
            if j != k:
                u = np.tensordot(u, np.array(exact[j], dtype=object), axes=([j], [0]))
        values = list(np.atleast_1d(u))
        mine = sum((v * p for v, p in zip(values, exact[k])), Fraction(0))
        worst = max(worst, max(values) - mine)
        if sum(exact[k]) != 1 or min(exact[k]) < 0:
            return None
    return worst
