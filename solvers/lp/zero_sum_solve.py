"""Solving a zero-sum observation-conditioned game: which LP first, the warm start, and the
equilibrium (`ZeroSumSolution`) assembled from what HiGHS returned.

Which LP first (the rule): cold-solve the follower's LP with HiGHS's dual simplex, then solve
the leader's LP warm-started from the complementary basis (a follower column is basic exactly
when the matching leader row is nonbasic, and vice versa), which HiGHS verifies and finishes in
a handful of iterations. Measured on synthetic location-privacy instances (50 and 100 regions,
Hamming and Euclidean dq, Qmax from 0.25 to 2 times the obfuscation level-3 loss, two seeds):
dual simplex on the follower's LP was the fastest of {leader, follower} x {dual, primal} in
almost every case (0.1-1.4 s at 100 regions) while dual simplex on the leader's LP took up to
60 s (30k iterations) when Qmax is loose. Exception seen: 200 regions at Qmax = obfuscation
loss, where primal simplex on the leader's LP (28 s) beat the follower's dual simplex (254 s);
`lp="leader", simplex="primal"` reaches that path; and 300 regions at half that loss
(benchmarks/lp_scaling.py's setting), where the follower's LP took 12,027 iterations (55 s)
against 3,674 (26 s) for the leader's LP by dual simplex, so the rule costs 2x there
(`lp="leader"`). Both LP values are always reported when both
LPs are solved (`lp="both"`, the default); `lp="leader"` or `lp="follower"` solves one LP and
reads the other player's strategy from its row duals (the other value is then None).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from gamespec.errors import SolverError, SpecError
from gamespec.result import Certificate
from gamespec.solvers.lp.distributions import as_distribution
from gamespec.solvers.lp.highs_instance import (
    BASIC,
    LOWER,
    UPPER,
    ZERO,
    LPSolution,
    Simplex,
    run_highs,
)
from gamespec.solvers.lp.linear_program import LinearProgram
from gamespec.solvers.lp.routes import Route, remaining_time, require_optimal
from gamespec.solvers.lp.zero_sum_certificate import certify_zero_sum, payoff_scale
from gamespec.solvers.lp.zero_sum_game import (
    ConditionalGame,
    check_side_constraints,
    side_constraint_problem,
)
from gamespec.solvers.lp.zero_sum_program import game_lps

WhichLP = Literal["both", "leader", "follower"]


def complementary_basis(sol: LPSolution, dual_of: LinearProgram) -> tuple[np.ndarray, np.ndarray]:
    """A basis for `dual_of` from an optimal basis of its dual (the LP `sol` solved).

    A column of `dual_of` is basic iff the matching row of its dual is not, and a row of
    `dual_of` is basic iff the matching column of its dual is not; nonbasic entries sit at
    their finite bound (free columns at zero).
    """
    assert sol.col_status is not None and sol.row_status is not None
    col = np.where(sol.row_status == BASIC, 0, BASIC).astype(np.int8)
    nonbasic = col != BASIC
    fin_lo, fin_hi = np.isfinite(dual_of.col_lower), np.isfinite(dual_of.col_upper)
    col[nonbasic & fin_lo] = LOWER
    col[nonbasic & ~fin_lo & fin_hi] = UPPER
    col[nonbasic & ~fin_lo & ~fin_hi] = ZERO
    row = np.where(sol.col_status == BASIC, LOWER, BASIC).astype(np.int8)
    row[(row != BASIC) & ~np.isfinite(dual_of.row_lower)] = UPPER
    return col, row


@dataclass(frozen=True, eq=False)
class ZeroSumSolution:
    """Equilibrium of a `ConditionalGame`.

    value: the game value (leader's LP optimum if solved, else the follower's).
    leader_lp_value / follower_lp_value: each LP's optimum (None if that LP was not solved).
    f[r, s], h[o, a]: the strategies (rows are distributions); x[o]: the leader's epigraph
    values; y[r]: multipliers of the row sums; z: shadow price of each side constraint by name;
    constraint_lhs: each side constraint's left-hand side at f.
    """

    value: float
    leader_lp_value: float | None
    follower_lp_value: float | None
    duality_gap: float | None
    f: np.ndarray
    h: np.ndarray
    x: np.ndarray
    y: np.ndarray
    z: dict[str, float]
    constraint_lhs: dict[str, float]
    certificate: Certificate
    method: str
    iterations: dict[str, int] = field(default_factory=dict)
    timing: dict[str, float] = field(default_factory=dict)
    leader_basis: tuple[np.ndarray, np.ndarray] | None = None  # HiGHS's optimal basis
    leader_program: LinearProgram | None = None  # the leader's LP solved (payoffs scaled)


def _infeasible_error(game: ConditionalGame) -> SolverError:
    """Name the culprit constraint, or all of them when only their combination is infeasible."""
    problem = side_constraint_problem(game)
    if problem is not None:
        return problem
    names = ", ".join(f"'{c.name}'" for c in game.constraints)
    return SolverError(f"the leader's LP is infeasible: the side constraints {names} cannot "
                       "hold together", hint="relax one of them")


def solve_zero_sum(
    game: ConditionalGame,
    *,
    lp: WhichLP = "both",
    route: Route = "direct",
    time_limit: float | None = None,
    warm_start: bool = True,
    simplex: Simplex = "dual",
    leader_basis: tuple[np.ndarray, np.ndarray] | None = None,
    leader_program: LinearProgram | None = None,
) -> ZeroSumSolution:
    """Solve the leader's LP and/or the follower's LP (its dual) and certify the equilibrium.

    lp="both" cold-solves the follower's LP then the leader's LP (warm-started from the
    complementary basis unless warm_start=False); "leader"/"follower" solve only that LP and
    read the other strategy from its row duals. time_limit bounds the HiGHS time in total.
    leader_basis starts the leader's LP from a basis of the same LP with other side-constraint
    bounds (a baseline's constraint levels): it stays dual feasible, so dual simplex finishes
    in a few iterations; leader_program (that LP, `ZeroSumSolution.leader_program`) is reused
    with this game's side bounds instead of being built again.
    timing: build (assembly, and Pyomo build + compile on that route), each solve, total.
    """
    if lp not in ("both", "leader", "follower"):
        raise SpecError(f"unknown lp choice {lp!r}", hint="use 'both', 'leader' or 'follower'")
    check_side_constraints(game)
    started = time.perf_counter()
    scale = payoff_scale(game.payoff)  # HiGHS sees payoffs of size 1 (its tolerances are 1e-7)
    L, F = game_lps(game, route, scale, follower=lp != "leader", leader=leader_program)
    timing: dict[str, float] = {"build": time.perf_counter() - started}
    fsol = lsol = None
    if lp != "leader":
        assert F is not None
        fsol = _solve_or_explain(game, F, remaining_time(time_limit, started), None, simplex)
        timing["follower_solve"] = fsol.solve_seconds
    if lp != "follower":
        basis = leader_basis if warm_start else None
        if fsol is not None and warm_start and fsol.col_status is not None:
            basis = complementary_basis(fsol, L)
        lsol = _solve_or_explain(game, L, remaining_time(time_limit, started), basis, simplex)
        timing["leader_solve"] = lsol.solve_seconds
    result = _assemble_zero_sum(game, L, F if fsol else None, lsol, fsol, f"lp:{lp}:{route}",
                                timing, scale)
    timing["total"] = time.perf_counter() - started
    return result


def _solve_or_explain(game: ConditionalGame, lp: LinearProgram, time_limit: float | None,
                      basis: tuple[np.ndarray, np.ndarray] | None, simplex: Simplex
                      ) -> LPSolution:
    """Solve one of the game's two LPs; an infeasible leader's LP names its side constraint.

    The leader's LP is infeasible exactly when the follower's LP is unbounded.
    """
    sol = run_highs(lp, time_limit=time_limit, basis=basis, simplex=simplex)
    leader_infeasible = ("infeasible", "unbounded_or_infeasible") if lp.maximize else (
        "unbounded", "unbounded_or_infeasible")
    if sol.status in leader_infeasible:
        raise _infeasible_error(game)
    return require_optimal(sol, lp.name, hint="the payoffs must be finite")


def _assemble_zero_sum(game: ConditionalGame, L: LinearProgram, F: LinearProgram | None,
                       lsol: LPSolution | None, fsol: LPSolution | None,
                       method: str, timing: dict[str, float], scale: float = 1.0
                       ) -> ZeroSumSolution:
    """Strategies from the primal of each solved LP (or the duals of the one solved) + checks;
    values, multipliers and shadow prices are taken back from the LPs' units (payoff / scale)."""
    R, S, A = game.shape
    n_obs = game.n_observations
    if lsol is not None:
        f_raw, x = lsol.x[L.col("f").slice], lsol.x[L.col("x").slice]
    else:
        assert fsol is not None and F is not None
        f_raw, x = fsol.row_dual[F.row("no_gain").slice], fsol.row_dual[F.row("h_sum").slice]
    if fsol is not None and F is not None:
        h_raw, y = fsol.x[F.col("h").slice], fsol.x[F.col("y").slice]
        z_raw = fsol.x[F.col("z").slice]
    else:
        assert lsol is not None
        h_raw = lsol.row_dual[L.row("best_response").slice]
        y, z_raw = lsol.row_dual[L.row("row_sum").slice], lsol.row_dual[L.row("side").slice]
    f = as_distribution(f_raw.reshape(R, S))
    h = as_distribution(h_raw.reshape(n_obs, A))
    names = [c.name for c in game.constraints]
    x, y, z_raw = x * scale, y * scale, z_raw * scale
    lv = lsol.objective * scale if lsol is not None else None
    fv = fsol.objective * scale if fsol is not None else None
    gap = abs(lv - fv) if lv is not None and fv is not None else None
    value = lv if lv is not None else float(fv)  # type: ignore[arg-type]
    cert = certify_zero_sum(game, f, h, z_raw, value, gap)
    iterations = {k: s.iterations for k, s in (("leader", lsol), ("follower", fsol)) if s}
    basis = None
    if lsol is not None and lsol.col_status is not None and lsol.row_status is not None:
        basis = (lsol.col_status, lsol.row_status)
    return ZeroSumSolution(
        value=value, leader_lp_value=lv, follower_lp_value=fv, duality_gap=gap, f=f, h=h,
        x=np.asarray(x, dtype=float), y=np.asarray(y, dtype=float),
        z={n: float(v) + 0.0 for n, v in zip(names, z_raw)},  # + 0.0: no "-0.0" in output
        constraint_lhs={c.name: c.level(f) for c in game.constraints},
        certificate=cert, method=method, iterations=iterations, timing=timing,
        leader_basis=basis, leader_program=L,
    )
