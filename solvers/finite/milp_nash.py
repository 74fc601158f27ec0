"""Nash equilibria of a two-player game as a mixed-integer program on HiGHS.

Formulation 1 of Sandholm, Gilpin and Conitzer, "Mixed-integer programming methods for
finding Nash equilibria" (AAAI 2005). For each player i and pure strategy a: probability
p_i(a) in [0, 1], regret r_i(a) = u_i* - u_i(a) >= 0 where u_i(a) is a's expected payoff
against the other's mix and u_i* the best one, a binary s_i(a) with p_i(a) <= 1 - s_i(a)
and r_i(a) <= U_i s_i(a), U_i = max - min of i's payoffs (the largest possible regret).
So a strategy is played only at zero regret. u_i(a) and r_i(a) are substituted out, leaving
columns p1, p2, u1*, u2*, s1, s2. At an equilibrium u_i* is i's expected payoff, so the
welfare p1' (A + B) p2 is the linear objective u1* + u2*.

The answer is rebuilt from the support the binaries chose (solvers/finite/milp_recovery.py):
exactly, when exact payoffs are given and the rebuilt profile has exact regret 0, else by a
floating-point polish; either way its max regret is checked before it is returned.
"""
from __future__ import annotations

import dataclasses
import time
from fractions import Fraction

import numpy as np
import scipy.sparse as sp

from gamespec.errors import SolverError, SpecError
from gamespec.solvers.finite.milp_recovery import exact_mix, polished_mix
from gamespec.solvers.finite.mixed_equilibrium import (
    MixedEquilibrium,
    exact_regret,
    max_regret,
    regret_tolerance,
)
from gamespec.solvers.lp.linear_program import LinearProgram, layout
from gamespec.solvers.lp.routes import Route, remaining_time, require_optimal, solve_lp

UNIQUENESS_TOLERANCE = 1e-6
"""Two equilibria whose probabilities all agree within this count as the same."""


def nash_milp(A: np.ndarray, B: np.ndarray) -> LinearProgram:
    """The SGC formulation-1 MILP for bimatrix (A, B), with a zero objective."""
    m, n = A.shape
    U1, U2 = float(A.max() - A.min()), float(B.max() - B.min())
    cols = layout(("p1", (m,)), ("p2", (n,)), ("u1", (1,)), ("u2", (1,)),
                  ("s1", (m,)), ("s2", (n,)))
    one_m, one_n = np.ones((m, 1)), np.ones((n, 1))
    Im, In = sp.identity(m, format="csr"), sp.identity(n, format="csr")
    blocks = [  # columns: p1, p2, u1, u2, s1, s2
        [np.ones((1, m)), None, None, None, None, None],           # total1: sum p1 = 1
        [None, np.ones((1, n)), None, None, None, None],           # total2: sum p2 = 1
        [None, -A, one_m, None, None, None],                       # regret1 >= 0
        [None, -A, one_m, None, -U1 * Im, None],                   # regret1 <= U1 s1
        [-B.T, None, None, one_n, None, None],                     # regret2 >= 0
        [-B.T, None, None, one_n, None, -U2 * In],                 # regret2 <= U2 s2
        [Im, None, None, None, Im, None],                          # p1 <= 1 - s1
        [None, In, None, None, None, In],                          # p2 <= 1 - s2
    ]
    matrix = sp.csc_array(sp.bmat(blocks, format="csc"))
    inf = np.inf
    row_lower = np.concatenate([[1.0, 1.0], np.zeros(m), np.full(m, -inf), np.zeros(n),
                                np.full(n, -inf), np.full(m + n, -inf)])
    row_upper = np.concatenate([[1.0, 1.0], np.full(m, inf), np.zeros(m), np.full(n, inf),
                                np.zeros(n), np.ones(m + n)])
    ncol = 2 * (m + n) + 2
    integrality = np.zeros(ncol, dtype=np.int32)
    integrality[cols[4].start:] = 1
    return LinearProgram(
        A=matrix, c=np.zeros(ncol),
        col_lower=np.concatenate([np.zeros(m + n), [A.min(), B.min()], np.zeros(m + n)]),
        col_upper=np.concatenate([np.ones(m + n), [A.max(), B.max()], np.ones(m + n)]),
        row_lower=row_lower, row_upper=row_upper, maximize=True, col_blocks=cols,
        row_blocks=layout(("total1", (1,)), ("total2", (1,)), ("regret1_lower", (m,)),
                          ("regret1_upper", (m,)), ("regret2_lower", (n,)),
                          ("regret2_upper", (n,)), ("support1", (m,)), ("support2", (n,))),
        integrality=integrality, name="the Nash equilibrium MILP",
    )


def milp_equilibrium(A, B, objective=None, time_limit: float | None = None, *,
                     exact: tuple[np.ndarray, np.ndarray] | None = None,
                     route: Route = "direct") -> MixedEquilibrium:
    """A Nash equilibrium of (A, B) optimising `objective` over all equilibria.

    objective: None (any equilibrium; the MILP maximises the number of unused strategies,
    which HiGHS finds several times faster than a zero objective), "welfare" (max sum of
    expected payoffs) or
    ("payoff", k, "max" | "min") for player k in {0, 1}. `exact`: the payoffs as Fraction
    object arrays; then the answer carries exact probabilities when they verify.
    A finite game always has an equilibrium, so the MILP is never infeasible; a time limit
    or solver failure raises SolverError.
    """
    A, B = _check_bimatrix(A, B)
    if objective is None:  # a pure equilibrium, if any, is that objective's optimum
        pure = _pure_equilibrium(A, B)
        if pure is not None:
            return _pure_profile(A.shape, pure, exact is not None)
    milp = nash_milp(A, B)
    c = np.zeros(milp.shape[1])
    maximize = True
    if objective is None:  # any equilibrium: the smallest support is the fastest to find
        c[milp.col("s1").start:] = 1.0
    elif objective == "welfare":
        c[milp.col("u1").start] = c[milp.col("u2").start] = 1.0
    elif objective is not None:
        k, sense = _payoff_objective(objective)
        c[milp.col(f"u{k + 1}").start] = 1.0
        maximize = sense == "max"
    return _solve(A, B, dataclasses.replace(milp, c=c, maximize=maximize), exact, route,
                  time_limit)


def equilibrium_is_unique(A, B, eq: MixedEquilibrium, time_limit: float | None = None, *,
                          tol: float = UNIQUENESS_TOLERANCE,
                          exact: tuple[np.ndarray, np.ndarray] | None = None,
                          route: Route = "direct") -> tuple[bool, MixedEquilibrium | None]:
    """(True, None) if `eq` is the game's only Nash equilibrium, else (False, another one).

    Method: the equilibrium set is a finite union of polytopes, so it is the single point
    `eq` iff every probability is constant on it. One MILP maximises the total probability
    of the strategies outside eq's support (over both players); then, for each player and
    each strategy of its support but the last (the sum fixes that one), one MILP maximises
    and one minimises its probability over all equilibria. The first optimum more than
    `tol` away from eq's value stops the search and its equilibrium is returned. Sound up to
    `tol` (MILP optima are global: HiGHS runs with a zero gap). Cost: at most
    1 + 2 (|supp1| - 1) + 2 (|supp2| - 1) MILPs, each as hard as `milp_equilibrium`.
    """
    A, B = _check_bimatrix(A, B)
    payoffs = np.stack([A, B])
    if max_regret(payoffs, eq.strategies) > regret_tolerance(payoffs, 1e-6):
        raise SolverError("equilibrium_is_unique was given a profile that is not an equilibrium")
    started = time.perf_counter()
    milp = nash_milp(A, B)
    base = np.concatenate([np.asarray(s, dtype=float) for s in eq.strategies])
    m = A.shape[0]
    off_support = base <= tol
    searches: list[tuple[np.ndarray, bool]] = []
    if off_support.any():
        searches.append((off_support.astype(float), True))
    for player_cols in (np.arange(m), m + np.arange(A.shape[1])):
        for col in [c for c in player_cols if not off_support[c]][:-1]:
            unit = np.zeros(base.size)
            unit[col] = 1.0
            searches += [(unit, True), (unit, False)]
    for weights, maximize in searches:
        c = np.zeros(milp.shape[1])
        c[: base.size] = weights
        lp = dataclasses.replace(milp, c=c, maximize=maximize)
        other = _solve(A, B, lp, exact, route, remaining_time(time_limit, started))
        found = np.concatenate(other.strategies) @ weights
        target = base @ weights
        if (found > target + tol) if maximize else (found < target - tol):
            return False, other
    return True, None


def _solve(A: np.ndarray, B: np.ndarray, milp: LinearProgram, exact, route: Route,
           time_limit: float | None) -> MixedEquilibrium:
    if time_limit is not None and time_limit <= 0:
        raise SolverError("the time limit ran out before the Nash equilibrium MILP started",
                          hint="raise the time limit")
    sol = require_optimal(solve_lp(milp, route=route, time_limit=time_limit), milp.name,
                          hint="the payoffs must be finite numbers")
    x = sol.x
    parts = [x[milp.col(name).slice] for name in ("p1", "p2", "s1", "s2")]
    u = (float(x[milp.col("u1").start]), float(x[milp.col("u2").start]))
    equilibrium = _recover(A, B, *parts, u, exact)
    payoffs = np.stack([A, B])
    regret = max_regret(payoffs, equilibrium.strategies)
    if regret > regret_tolerance(payoffs, 1e-6):
        raise SolverError(f"the MILP's equilibrium failed its check: max regret {regret:.3g}",
                          hint="badly scaled payoffs cause this; rescale them")
    return equilibrium


def _recover(A, B, p1, p2, s1, s2, u, exact) -> MixedEquilibrium:
    """Rebuild the equilibrium on the support the binaries allow (s < 1/2)."""
    allowed = [np.flatnonzero(s1 < 0.5), np.flatnonzero(s2 < 0.5)]
    mixes = [np.where(s1 < 0.5, np.clip(p1, 0.0, None), 0.0),
             np.where(s2 < 0.5, np.clip(p2, 0.0, None), 0.0)]
    mixes = [mix / mix.sum() for mix in mixes]
    # player 1's mix makes player 2's allowed strategies indifferent (matrix B'), and vice
    # versa; the rival's strategies are taken most-played first (the support before ties)
    systems = []
    for me, value in ((0, u[1]), (1, u[0])):
        rival = 1 - me
        rows = sorted(allowed[rival].tolist(), key=lambda i: -mixes[rival][i])
        systems.append((me, rows, allowed[me].tolist(), value))
    if exact is not None:
        found = _exact_profile(exact, systems, mixes)
        if found is not None:
            return found
    polished = []
    for (me, rows, cols, value), matrix in zip(systems, (B.T, A)):
        out = np.zeros_like(mixes[me])
        out[cols] = polished_mix(matrix, rows, cols, mixes[me][cols], value)
        polished.append(out)
    payoffs = np.stack([A, B])
    if max_regret(payoffs, polished) <= max_regret(payoffs, mixes):
        return MixedEquilibrium(tuple(polished))
    return MixedEquilibrium(tuple(mixes))


def _exact_profile(exact, systems, mixes) -> MixedEquilibrium | None:
    """The profile solved in Fractions, if it has exact regret 0."""
    A_exact, B_exact = (np.asarray(e, dtype=object) for e in exact)
    profile = []
    for (me, rows, cols, value), matrix in zip(systems, (B_exact.T, A_exact)):
        y = exact_mix(matrix, rows, cols, mixes[me][cols], value)
        if y is None:
            return None
        full = [Fraction(0)] * mixes[me].size
        for j, v in zip(cols, y):
            full[j] = v
        profile.append(tuple(full))
    if exact_regret(np.stack([A_exact, B_exact]), tuple(profile)) != 0:
        return None
    floats = tuple(np.array([float(v) for v in p]) for p in profile)
    return MixedEquilibrium(floats, tuple(profile))


def _pure_equilibrium(A: np.ndarray, B: np.ndarray) -> tuple[int, int] | None:
    """The first pure equilibrium (row-major), found in bulk, or None."""
    best = (A >= A.max(axis=0, keepdims=True)) & (B >= B.max(axis=1, keepdims=True))
    hits = np.argwhere(best)
    return (int(hits[0][0]), int(hits[0][1])) if hits.size else None


def _pure_profile(shape: tuple[int, int], cell: tuple[int, int],
                  with_exact: bool) -> MixedEquilibrium:
    units = [np.eye(size)[i] for size, i in zip(shape, cell)]
    exact = (tuple(tuple(Fraction(int(v)) for v in unit) for unit in units)
             if with_exact else None)
    return MixedEquilibrium(tuple(units), exact)


def _payoff_objective(objective) -> tuple[int, str]:
    if (isinstance(objective, tuple) and len(objective) == 3 and objective[0] == "payoff"
            and objective[1] in (0, 1) and objective[2] in ("max", "min")):
        return int(objective[1]), objective[2]
    raise SpecError(f"unknown MILP objective {objective!r}",
                    hint='use None, "welfare" or ("payoff", 0 or 1, "max" or "min")')


def _check_bimatrix(A, B) -> tuple[np.ndarray, np.ndarray]:
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A.ndim != 2 or A.shape != B.shape or A.size == 0:
        raise SpecError(f"a bimatrix game needs two payoff matrices of one shape, got "
                        f"{A.shape} and {B.shape}")
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(B))):
        raise SpecError("the payoff matrices must be finite numbers")
    return A, B
