"""Strong Stackelberg equilibria of bimatrix and Bayesian games: the payoffs validated, then
multiple LPs or the DOBSS MILP, both on HiGHS.
"""
from __future__ import annotations

from typing import Literal

import numpy as np

from gamespec.errors import SpecError
from gamespec.solvers.lp.routes import Route
from gamespec.solvers.stackelberg.dobss import solve_dobss
from gamespec.solvers.stackelberg.equilibrium import StackelbergSolution
from gamespec.solvers.stackelberg.multiple_lps import solve_multiple_lps


def _validate_bayesian(prior: np.ndarray, L: np.ndarray, F: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    prior, L, F = (np.asarray(a, dtype=float) for a in (prior, L, F))
    if L.ndim != 3 or L.shape != F.shape or prior.shape != (L.shape[0],):
        raise SpecError("need prior[t], L[t, m, n] and F[t, m, n] with matching shapes, got "
                        f"{prior.shape}, {L.shape}, {F.shape}")
    if not (np.all(np.isfinite(L)) and np.all(np.isfinite(F)) and np.all(np.isfinite(prior))):
        raise SpecError("payoffs and prior must be finite")
    if np.any(prior < 0) or abs(prior.sum() - 1) > 1e-9:
        raise SpecError(f"the prior over follower types must be a distribution, got {prior}")
    return prior, L, F


def strong_stackelberg(L: np.ndarray, F: np.ndarray, *, route: Route = "pyomo",
                       time_limit: float | None = None) -> StackelbergSolution:
    """Strong Stackelberg equilibrium of the bimatrix game (L, F) by one LP per follower action."""
    L, F = np.asarray(L, dtype=float), np.asarray(F, dtype=float)
    if L.ndim != 2:
        raise SpecError(f"strong_stackelberg needs 2-D payoff matrices, got shape {L.shape}")
    return bayesian_stackelberg(np.ones(1), L[None], F[None], method="multiple_lps",
                                route=route, time_limit=time_limit,
                                max_combinations=max(256, L.shape[1]))


def bayesian_stackelberg(
    prior: np.ndarray,
    L: np.ndarray,
    F: np.ndarray,
    *,
    method: Literal["auto", "dobss", "multiple_lps"] = "auto",
    route: Route = "pyomo",
    time_limit: float | None = None,
    max_combinations: int = 256,
) -> StackelbergSolution:
    """Bayesian Stackelberg game: leader commits to x; follower type t (prob prior[t]) responds.

    method="dobss" solves the DOBSS MILP with HiGHS; "multiple_lps" solves one LP per profile of
    type responses (n^T of them, at most max_combinations); "auto" picks multiple_lps when
    n^T <= max_combinations, else DOBSS.
    """
    prior, L, F = _validate_bayesian(prior, L, F)
    T, _, n = L.shape
    if method == "auto":
        method = "multiple_lps" if n ** T <= max_combinations else "dobss"
    if method == "multiple_lps":
        return solve_multiple_lps(prior, L, F, route=route, time_limit=time_limit,
                                  max_combinations=max_combinations)
    if method != "dobss":
        raise SpecError(f"unknown method {method!r}", hint="use 'dobss' or 'multiple_lps'")
    return solve_dobss(prior, L, F, route=route, time_limit=time_limit)
