"""The routes from a `LinearProgram` to HiGHS: through Pyomo (`pyomo`, `pyomo-aml`) or direct.

Interface choice, measured on this machine (see benchmarks/lp_scaling.py)
---------------------------------------------------------------------------
Every LP is first assembled as NumPy/scipy.sparse arrays (`LinearProgram`). The LP method's
default is `direct` (those arrays straight to highspy): Pyomo's import alone costs about 1 s
per process (it pulls in scipy.stats), more than the whole hand-written program at 30 regions
(benchmarks/end_to_end.py, issue 22). The Pyomo route (`solvers/lp/pyomo_lowering.py`)
declares it as a `pyomo.kernel` model whose row blocks
are kernel `matrix_constraint`s (Pyomo's CSR-backed linear constraints: the payoff coefficients
are handed over as one sparse matrix, no Pyomo expression per term), compiles it back to arrays
in bulk, and hands them to highspy's numpy `passModel` overload. Why: it is the only Pyomo route
measured whose cost does not grow with a Python visit per nonzero. With `python
benchmarks/lp_scaling.py --sizes 30 50 100 200` (same run, synthetic city) the Pyomo share of
the build is 0.15 s at 100 regions (1M nonzeros) and 1.9 s at 200 (8M), against 1.4 s and 12.7 s
for a ConcreteModel of `LinearExpression` rows compiled by Pyomo's `LinearStandardFormCompiler`
(`route="pyomo-aml"`, the previous default; ~1 us per nonzero in its expression walk, 2.3x the
direct build's memory at 200 regions against 1.13x). The `appsi_highs`/`highs` persistent
interfaces were slower still (per-constraint standard repns and element-wise loading), and the
AML `MatrixConstraint` breaks Pyomo 6.10's own compiler. Going through highspy directly also
gives us HiGHS's basis, which the warm start needs (solvers/lp/zero_sum_solve.py). For a game,
only the leader's LP is declared in Pyomo; the follower's LP is derived from the compiled matrix
by `lagrangian_dual` (a transpose plus bound bookkeeping). The Pyomo model is dropped once
compiled. `route="direct"` skips Pyomo (same arrays, same HiGHS calls).
"""
from __future__ import annotations

import time
from typing import Literal

import numpy as np

from gamespec.errors import SolverError, SpecError
from gamespec.solvers.lp.highs_instance import LPSolution, Simplex, run_highs
from gamespec.solvers.lp.linear_program import LinearProgram

Route = Literal["pyomo", "pyomo-aml", "direct"]
ROUTES = ("pyomo", "pyomo-aml", "direct")


def check_route(route: str) -> None:
    if route not in ROUTES:
        raise SpecError(f"unknown LP route {route!r}", hint="use one of " + ", ".join(ROUTES))


def solve_lp(
    lp: LinearProgram,
    *,
    route: Route = "pyomo",
    time_limit: float | None = None,
    basis: tuple[np.ndarray, np.ndarray] | None = None,
    simplex: Simplex = "dual",
) -> LPSolution:
    """Solve `lp` through Pyomo (build, compile, HiGHS) or directly; see the module docstring."""
    check_route(route)
    t0 = time.perf_counter()
    if route != "direct":
        from gamespec.solvers.lp.pyomo_lowering import through_pyomo

        lp = through_pyomo(lp, route)  # the Pyomo model is freed before HiGHS copies the LP
    return run_highs(lp, time_limit=time_limit, basis=basis, simplex=simplex, route=route,
                     build_seconds=time.perf_counter() - t0)


def require_optimal(sol: LPSolution, what: str, hint: str) -> LPSolution:
    """Turn an infeasible/unbounded status into a SolverError with a one-line reason."""
    if sol.status == "optimal":
        return sol
    reason = sol.status.replace("_", " ")
    raise SolverError(f"{what} is {reason}", hint=hint)


def remaining_time(time_limit: float | None, started: float) -> float | None:
    return None if time_limit is None else time_limit - (time.perf_counter() - started)
