"""Strong Stackelberg equilibrium by multiple LPs (Conitzer & Sandholm 2006): one commitment
LP per profile of follower (type) responses, best bound first, the best feasible one wins.
"""
from __future__ import annotations

import itertools
import time
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from gamespec.errors import SolverError, SpecError
from gamespec.solvers.lp.linear_program import LinearProgram, layout
from gamespec.solvers.lp.routes import Route, remaining_time, solve_lp
from gamespec.solvers.stackelberg.equilibrium import StackelbergSolution, stackelberg_result


def commitment_lp(prior: np.ndarray, L: np.ndarray, F: np.ndarray, responses: Sequence[int]
                  ) -> LinearProgram:
    """max_x sum_t p_t x.L[t][:, j_t] s.t. each type t prefers j_t: x.(F[t][:, j'] - F[t][:, j_t])
    <= 0, x a distribution (Conitzer & Sandholm's LP for one response profile)."""
    T, m, n = L.shape
    j = np.asarray(responses)
    objective = np.einsum("t,tm->m", prior, L[np.arange(T), :, j])
    others = [(t, k) for t in range(T) for k in range(n) if k != j[t]]
    incentive = np.array([F[t, :, k] - F[t, :, j[t]] for t, k in others]).reshape(len(others), m)
    M = sp.csc_array(np.vstack([incentive, np.ones((1, m))]))
    return LinearProgram(
        A=M, c=objective, col_lower=np.zeros(m), col_upper=np.full(m, np.inf),
        row_lower=np.concatenate([np.full(len(others), -np.inf), [1.0]]),
        row_upper=np.concatenate([np.zeros(len(others)), [1.0]]), maximize=True,
        col_blocks=layout(("x", (m,))),
        row_blocks=layout(("incentive", (len(others),)), ("simplex", (1,))),
        name=f"the commitment LP for responses {tuple(int(a) for a in j)}",
    )


def solve_multiple_lps(prior: np.ndarray, L: np.ndarray, F: np.ndarray, *, route: Route,
                       time_limit: float | None, max_combinations: int) -> StackelbergSolution:
    """One commitment LP per profile of type responses, best first, pruned by an upper bound.

    The bound of a profile is max_i sum_t p_t L[t, i, j_t] (the LP without incentive rows);
    profiles whose bound cannot beat the best value found are skipped.
    """
    T, _, n = L.shape
    if n ** T > max_combinations:
        raise SpecError(f"{n}^{T} = {n ** T} response profiles exceed max_combinations="
                        f"{max_combinations}",
                        hint='solve it as a MILP: '
                             '`solve using stackelberg { stackelberg = "dobss" }`')
    profiles = np.array(list(itertools.product(range(n), repeat=T)), dtype=np.int64)
    bounds = np.einsum("t,ptm->pm", prior, L[np.arange(T)[None, :], :, profiles]).max(axis=1)
    started, solved = time.perf_counter(), 0
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for k in np.argsort(-bounds, kind="stable"):
        if best is not None and bounds[k] <= best[0] + 1e-12:
            break
        sol = solve_lp(commitment_lp(prior, L, F, profiles[k]), route=route,
                       time_limit=remaining_time(time_limit, started))
        solved += 1
        if sol.status == "optimal" and (best is None or sol.objective > best[0] + 1e-12):
            best = (sol.objective, sol.x, profiles[k])
    if best is None:  # pragma: no cover - some profile is always feasible (a best response)
        raise SolverError("no follower response profile is inducible", hint="check the payoffs")
    return stackelberg_result(prior, L, F, best[1], best[2], f"multiple_lps:{route}", solved)
