"""Finite Stackelberg games as linear programs (and one MILP) on HiGHS, built in bulk with NumPy.

Zero-sum, observation-conditioned (the general form the compiler targets)
-------------------------------------------------------------------------
The leader has a private state r (its prior is folded into the payoff) and commits to a
channel f[r, s] >= 0, sum_s f[r, s] = 1. The follower sees the observation o = signal[s]
(identity by default: it sees s) and answers with h[o, a] >= 0, sum_a h[o, a] = 1. The leader
receives sum_{r,s,a} C[r,s,a] f[r,s] h[signal[s],a]; the follower pays it. Optional named side
constraints on the leader: sum_{r,s} G_k[r,s] f[r,s] (<=, >=, ==) b_k.

Leader's LP (eqs 16-20 of Shokri et al. 2012, generalised; x_o is the epigraph variable):
    max  sum_o x_o
    s.t. x_o - sum_{r, s: signal[s]=o} C[r,s,a] f[r,s] <= 0        for all o, a   [h[o,a] >= 0]
         sum_s f[r,s] = 1                                          for all r      [y_r free]
         sum_{r,s} G_k[r,s] f[r,s] (<=, >=, ==) b_k                for all k      [z_k]
         f >= 0, x free.
Its Lagrangian dual, derived here and built by `lagrangian_dual` (the follower's LP):
    min  sum_r y_r + sum_k b_k z_k
    s.t. y_r >= sum_a C[r,s,a] h[signal[s],a] - sum_k z_k G_k[r,s]     for all r, s   [f[r,s]]
         sum_a h[o,a] = 1                                          for all o      [x_o]
         h >= 0, y free, z_k >= 0 for "<=", z_k <= 0 for ">=", z_k free for "==".
z_k is the shadow price of side constraint k: d(value)/d(b_k). For the location-privacy game
C[r,s,a] = psi(r) dp(a, r) and G[r,s] = psi(r) dq(s, r), so y_r here is psi(r) times the paper's
y_r and the constraint reads y_r >= ... - z dq: the minus sign (the paper's eq 26 prints "+").
A plain matrix game A[m, n] is R = 1, C[0, s, a] = A[s, a] with a *pooled* signal (signal = 0
for every s): if the follower saw s, the leader could only play pure strategies.

Solving (interface choice, measured on this machine; see benchmarks/lp_scaling.py)
--------------------------------------------------------------------------------------
Every LP is first assembled as NumPy/scipy.sparse arrays (`LinearProgram`). The Pyomo route
(the default, `solvers/lp/pyomo_lowering.py`) declares it as a `pyomo.kernel` model whose row blocks are
kernel `matrix_constraint`s (Pyomo's CSR-backed linear constraints: the payoff coefficients
are handed over as one sparse matrix, no Pyomo expression per term), compiles it back to arrays
in bulk, and hands them to highspy's numpy `passModel` overload. Why: it is the only Pyomo
route measured whose cost does not grow with a Python visit per nonzero. With
`python benchmarks/lp_scaling.py --sizes 30 50 100 200` (same run, synthetic city) the Pyomo
share of the build is 0.15 s at 100 regions (1M nonzeros) and 1.9 s at 200 (8M), against
1.4 s and 12.7 s for a ConcreteModel of `LinearExpression` rows compiled by Pyomo's
`LinearStandardFormCompiler` (`route="pyomo-aml"`, the previous default; ~1 us per nonzero in
its expression walk, 2.3x the direct build's memory at 200 regions against 1.13x). The
`appsi_highs`/`highs` persistent interfaces were slower still (per-constraint standard repns
and element-wise loading), and the AML `MatrixConstraint` breaks Pyomo 6.10's own compiler.
Going through highspy directly also gives us HiGHS's basis, which the warm start below needs.
For a game, only the leader's LP is declared in Pyomo; the follower's LP is derived from
the compiled matrix by `lagrangian_dual` (a transpose plus bound bookkeeping). The Pyomo model
is dropped once compiled. `route="direct"` skips Pyomo (same arrays, same HiGHS calls).

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

Certificates (`Certificate`) are computed with NumPy from the returned strategies only: the
follower's maximum gain from deviating, the leader's value recomputed from f and h, the
weak-duality bound gap (what f guarantees vs the upper bound that (h, z) proves), every row a
distribution, side-constraint violation, and the LP duality gap when both LPs were solved.

General-sum Stackelberg: `strong_stackelberg` (Conitzer & Sandholm 2006: one LP per follower
pure response, best feasible one wins) and `bayesian_stackelberg` (DOBSS, Paruchuri et al.
2008, a MILP on HiGHS through the same route; or one LP per combination of type responses when
that product is small, pruned by an upper bound).
"""
from __future__ import annotations

import itertools
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import highspy
import numpy as np
import scipy.sparse as sp

from gamespec.errors import SolverError, SpecError
from gamespec.result import Certificate

Sense = Literal["<=", ">=", "=="]
Route = Literal["pyomo", "pyomo-aml", "direct"]
ROUTES = ("pyomo", "pyomo-aml", "direct")
WhichLP = Literal["both", "leader", "follower"]
Simplex = Literal["dual", "primal"]

TOLERANCE = 1e-6
"""Certificate tolerance (relative to max(1, |value|)); HiGHS's own tolerances are 1e-7."""

_BS = highspy.HighsBasisStatus
_BASIS_CODES = (_BS.kLower, _BS.kBasic, _BS.kUpper, _BS.kZero, _BS.kNonbasic)
_LOWER, _BASIC, _UPPER, _ZERO = 0, 1, 2, 3


# ----------------------------------------------------------------------------------------------
# Linear programs as arrays
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A named, shaped range of columns or rows of a `LinearProgram` (row-major inside)."""

    name: str
    shape: tuple[int, ...]
    start: int
    labels: tuple[str, ...] | None = None

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def slice(self) -> slice:
        return slice(self.start, self.start + self.size)


def layout(*blocks: tuple[str, tuple[int, ...]] | tuple[str, tuple[int, ...], Sequence[str]]
           ) -> tuple[Block, ...]:
    """Consecutive blocks from (name, shape[, labels]) triples."""
    out, start = [], 0
    for spec in blocks:
        name, shape = spec[0], tuple(int(n) for n in spec[1])
        labels = tuple(spec[2]) if len(spec) > 2 else None
        out.append(Block(name, shape, start, labels))
        start += math.prod(shape)
    return tuple(out)


@dataclass(frozen=True, eq=False)
class LinearProgram:
    """opt c@x s.t. row_lower <= A@x <= row_upper, col_lower <= x <= col_upper (inf = none)."""

    A: sp.csc_array
    c: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    maximize: bool
    col_blocks: tuple[Block, ...]
    row_blocks: tuple[Block, ...]
    integrality: np.ndarray | None = None
    name: str = "lp"

    @property
    def shape(self) -> tuple[int, int]:
        return self.A.shape

    def col(self, name: str) -> Block:
        """The column block called `name`."""
        return next(b for b in self.col_blocks if b.name == name)

    def row(self, name: str) -> Block:
        """The row block called `name`."""
        return next(b for b in self.row_blocks if b.name == name)


def lagrangian_dual(
    lp: LinearProgram, col_names: dict[str, str], row_names: dict[str, str], name: str
) -> LinearProgram:
    """The LP dual of a maximisation `lp` (min b@u s.t. A.T@u vs c), derived from its Lagrangian.

    Each column of `lp` must be >= 0, <= 0 or free, each row one-sided or an equality. A row
    "<= b" gets a multiplier u >= 0, ">= b" gets u <= 0, "== b" a free one; a column x >= 0
    gives the dual row A_j.T u >= c_j, x <= 0 gives <=, a free column gives ==. The dual's column
    blocks are `lp`'s row blocks renamed by `row_names`; its row blocks are `lp`'s column
    blocks renamed by `col_names`.
    """
    if not lp.maximize:
        raise ValueError("lagrangian_dual expects a maximisation LP")
    lo_fin, up_fin = np.isfinite(lp.row_lower), np.isfinite(lp.row_upper)
    equality = lo_fin & up_fin & (lp.row_lower == lp.row_upper)
    if np.any(lo_fin & up_fin & ~equality) or np.any(~lo_fin & ~up_fin):
        raise ValueError("lagrangian_dual needs one-sided or equality rows")
    cost = np.where(up_fin, lp.row_upper, lp.row_lower)
    u_lower = np.where(up_fin & ~equality, 0.0, -np.inf)
    u_upper = np.where(lo_fin & ~equality, 0.0, np.inf)
    nonneg = (lp.col_lower == 0) & ~np.isfinite(lp.col_upper)
    nonpos = (lp.col_upper == 0) & ~np.isfinite(lp.col_lower)
    free = ~np.isfinite(lp.col_lower) & ~np.isfinite(lp.col_upper)
    if not np.all(nonneg | nonpos | free):
        raise ValueError("lagrangian_dual needs columns that are >= 0, <= 0 or free")
    d_lower = np.where(nonneg | free, lp.c, -np.inf)
    d_upper = np.where(nonpos | free, lp.c, np.inf)
    return LinearProgram(
        A=sp.csc_array(lp.A.T.tocsc()),
        c=cost.astype(float),
        col_lower=u_lower,
        col_upper=u_upper,
        row_lower=d_lower.astype(float),
        row_upper=d_upper.astype(float),
        maximize=False,
        col_blocks=tuple(
            Block(row_names.get(b.name, b.name), b.shape, b.start, b.labels) for b in lp.row_blocks
        ),
        row_blocks=tuple(
            Block(col_names.get(b.name, b.name), b.shape, b.start, b.labels) for b in lp.col_blocks
        ),
        name=name,
    )


# ----------------------------------------------------------------------------------------------
# Running HiGHS (directly, or after Pyomo)
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LPSolution:
    """What HiGHS returned for one LP/MILP, in the LP's own column and row order.

    `row_dual` is d(objective)/d(row bound) in the LP's own sense (HiGHS's convention);
    `col_status`/`row_status` are HiGHS basis codes (0 lower, 1 basic, 2 upper, 3 zero).
    """

    status: str
    objective: float
    x: np.ndarray
    row_dual: np.ndarray
    row_activity: np.ndarray
    col_status: np.ndarray | None
    row_status: np.ndarray | None
    iterations: int
    build_seconds: float
    solve_seconds: float
    route: str


def _new_highs() -> highspy.Highs:
    """A HiGHS instance, built with file descriptor 1 pointed at the null device: HiGHS
    1.16 prints its banner on stdout when it builds the first one, before any option can
    silence it, and stdout carries the result (``--json``)."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no stdout at all: nothing to protect
        return highspy.Highs()
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _highs_options(h: highspy.Highs, *, time_limit: float | None, simplex: Simplex,
                   mip: bool) -> None:
    """Quiet, deterministic HiGHS; dual or primal simplex; exact MIP gaps for small MILPs."""
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(max(time_limit, 1e-3)))
    if mip:
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 1e-9)
    else:
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 1 if simplex == "dual" else 4)


def _pass_model(h: highspy.Highs, lp: LinearProgram) -> None:
    """Hand the CSC arrays to HiGHS in one call (the numpy `passModel` overload)."""
    A = lp.A
    if not A.has_sorted_indices:
        A = A.sorted_indices()
    ncol = A.shape[1]
    integrality = (
        np.zeros(ncol, dtype=np.int32) if lp.integrality is None
        else np.ascontiguousarray(lp.integrality, dtype=np.int32)
    )
    status = h.passModel(
        int(ncol), int(A.shape[0]), int(A.nnz), int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize if lp.maximize else highspy.ObjSense.kMinimize), 0.0,
        np.ascontiguousarray(lp.c, dtype=np.float64),
        np.ascontiguousarray(lp.col_lower, dtype=np.float64),
        np.ascontiguousarray(lp.col_upper, dtype=np.float64),
        np.ascontiguousarray(lp.row_lower, dtype=np.float64),
        np.ascontiguousarray(lp.row_upper, dtype=np.float64),
        np.ascontiguousarray(A.indptr, dtype=np.int32),
        np.ascontiguousarray(A.indices, dtype=np.int32),
        np.ascontiguousarray(A.data, dtype=np.float64),
        integrality,
    )
    if status == highspy.HighsStatus.kError:
        raise SolverError(f"HiGHS rejected {lp.name} (bad bounds or coefficients)",
                          hint="report this with --debug: the compiler built an invalid LP")


def _set_basis(h: highspy.Highs, basis: tuple[np.ndarray, np.ndarray]) -> bool:
    """Give HiGHS a starting basis; False if it refuses it (then it starts cold)."""
    hb = highspy.HighsBasis()
    codes = np.array(_BASIS_CODES, dtype=object)
    hb.col_status = codes[basis[0]].tolist()
    hb.row_status = codes[basis[1]].tolist()
    hb.valid = True
    return h.setBasis(hb) != highspy.HighsStatus.kError


def _status_codes(statuses: list[Any]) -> np.ndarray:
    return np.fromiter((int(s) for s in statuses), dtype=np.int8, count=len(statuses))


_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "unbounded_or_infeasible",
    highspy.HighsModelStatus.kModelEmpty: "optimal",
}


def run_highs(
    lp: LinearProgram,
    *,
    time_limit: float | None = None,
    basis: tuple[np.ndarray, np.ndarray] | None = None,
    simplex: Simplex = "dual",
    route: str = "direct",
    build_seconds: float = 0.0,
) -> LPSolution:
    """Solve `lp` with HiGHS; raise SolverError on a time/iteration limit or a solver failure.

    Infeasible and unbounded come back as statuses (a Stackelberg enumeration expects some
    infeasible LPs); `require_optimal` turns them into errors.
    """
    mip = lp.integrality is not None and bool(np.any(lp.integrality))
    h = _new_highs()
    _highs_options(h, time_limit=time_limit, simplex=simplex, mip=mip)
    _pass_model(h, lp)
    if basis is not None and not mip:
        _set_basis(h, basis)
    t0 = time.perf_counter()
    h.run()
    solve_seconds = time.perf_counter() - t0
    model_status = h.getModelStatus()
    if model_status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        h.setOptionValue("presolve", "off")  # presolve could not tell which: ask the simplex
        h.run()
        solve_seconds = time.perf_counter() - t0
        model_status = h.getModelStatus()
    if model_status == highspy.HighsModelStatus.kTimeLimit:
        raise SolverError(
            f"HiGHS stopped at the time limit ({time_limit:g} s) while solving {lp.name}",
            hint="raise the time limit, or shrink the model (fewer regions/actions)",
        )
    if model_status == highspy.HighsModelStatus.kIterationLimit:
        raise SolverError(f"HiGHS hit its iteration limit while solving {lp.name}",
                          hint="raise the iteration limit or shrink the model")
    status = _STATUS.get(model_status)
    if status is None:
        raise SolverError(
            f"HiGHS could not solve {lp.name}: {h.modelStatusToString(model_status)}",
            hint="rerun with --debug; badly scaled payoffs (|C| spanning > 1e9) cause this",
        )
    info = h.getInfo()
    ncol, nrow = lp.A.shape[1], lp.A.shape[0]
    if status != "optimal":
        empty = np.full(ncol, np.nan)
        return LPSolution(status, math.nan, empty, np.full(nrow, np.nan), np.full(nrow, np.nan),
                          None, None, int(info.simplex_iteration_count), build_seconds,
                          solve_seconds, route)
    sol = h.getSolution()
    col_status = row_status = None
    if not mip:
        hb = h.getBasis()
        if hb.valid:
            col_status, row_status = _status_codes(hb.col_status), _status_codes(hb.row_status)
    return LPSolution(
        status=status,
        objective=float(info.objective_function_value),
        x=np.asarray(sol.col_value, dtype=float),
        row_dual=(np.zeros(nrow) if mip else np.asarray(sol.row_dual, dtype=float)),
        row_activity=np.asarray(sol.row_value, dtype=float),
        col_status=col_status,
        row_status=row_status,
        iterations=int(info.simplex_iteration_count),
        build_seconds=build_seconds,
        solve_seconds=solve_seconds,
        route=route,
    )


def _check_route(route: str) -> None:
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
    _check_route(route)
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


def _remaining(time_limit: float | None, started: float) -> float | None:
    return None if time_limit is None else time_limit - (time.perf_counter() - started)


# ----------------------------------------------------------------------------------------------
# Zero-sum conditional Stackelberg games
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SideConstraint:
    """A named linear constraint on the leader: sum_{r,s} weights[r,s] f[r,s] (sense) bound.

    `offset` is for reports only: the constraint as written reads
    (weights . f + offset) (sense) (bound + offset), e.g. `1 - x[T] <= 0.3` has offset 1.
    """

    name: str
    weights: np.ndarray
    sense: Sense
    bound: float
    offset: float = 0.0

    def level(self, f: np.ndarray) -> float:
        """The written left side at the leader strategy f."""
        return float(np.sum(self.weights * f)) + self.offset

    @property
    def written_bound(self) -> float:
        return self.bound + self.offset


@dataclass(frozen=True, eq=False)
class ConditionalGame:
    """Zero-sum game: leader channel f[r, s], follower answer h[signal[s], a], payoff C[r, s, a].

    The leader maximises sum C f h, the follower minimises it. `signal` (length S, values
    0..O-1) is what the follower observes of s; None means it observes s itself.
    """

    payoff: np.ndarray
    constraints: tuple[SideConstraint, ...] = ()
    signal: np.ndarray | None = None

    def __post_init__(self) -> None:
        C = np.asarray(self.payoff, dtype=float)
        if C.ndim != 3 or min(C.shape) < 1:
            raise SpecError(f"payoff must be a non-empty R x S x A array, got shape {C.shape}")
        if not np.all(np.isfinite(C)):
            raise SpecError("payoff has non-finite entries (inf or nan)",
                            hint="check the data and any division in the payoff")
        object.__setattr__(self, "payoff", C)
        R, S, _ = C.shape
        if self.signal is not None:
            sig = np.asarray(self.signal)
            if sig.shape != (S,) or not np.issubdtype(sig.dtype, np.integer) or sig.min() < 0:
                raise SpecError(f"signal must be {S} non-negative integers")
            object.__setattr__(self, "signal", sig.astype(np.int64))
        names = [c.name for c in self.constraints]
        if len(set(names)) != len(names):
            raise SpecError(f"side constraint names must be unique, got {names}")
        for con in self.constraints:
            w = np.asarray(con.weights, dtype=float)
            if w.shape != (R, S) or not np.all(np.isfinite(w)) or not math.isfinite(con.bound):
                raise SpecError(f"side constraint '{con.name}' needs finite {R} x {S} weights "
                                "and a finite bound")
            if con.sense not in ("<=", ">=", "=="):
                raise SpecError(f"side constraint '{con.name}' has unknown sense {con.sense!r}")

    @property
    def shape(self) -> tuple[int, int, int]:
        """(R, S, A): leader states, leader signals, follower actions."""
        return self.payoff.shape  # type: ignore[return-value]

    @property
    def signals(self) -> np.ndarray:
        """signal[s] as an array (the identity when the follower sees s)."""
        return np.arange(self.shape[1]) if self.signal is None else self.signal

    @property
    def n_observations(self) -> int:
        return int(self.signals.max()) + 1


def leader_lp(game: ConditionalGame) -> LinearProgram:
    """The leader's LP (module docstring), assembled directly in CSC form.

    Column f[r, s] holds -C[r, s, :] in rows best_response[signal[s], :], a 1 in row_sum[r] and
    G_k[r, s] in side[k]; column x[o] holds 1 in best_response[o, :]. Zeros are dropped.
    """
    C = game.payoff
    R, S, A = C.shape
    n_obs, sig = game.n_observations, game.signals
    K = len(game.constraints)
    per_col = A + 1 + K
    data = np.empty((R, S, per_col))
    data[:, :, :A] = -C
    data[:, :, A] = 1.0
    for k, con in enumerate(game.constraints):
        data[:, :, A + 1 + k] = con.weights
    rows = np.empty((R, S, per_col), dtype=np.int32)
    rows[:, :, :A] = (sig[None, :, None] * A + np.arange(A)[None, None, :])
    rows[:, :, A] = n_obs * A + np.arange(R)[:, None]
    rows[:, :, A + 1:] = n_obs * A + R + np.arange(K)[None, None, :]
    data, rows = data.reshape(R * S, per_col), rows.reshape(R * S, per_col)
    keep = data != 0
    counts = np.concatenate([keep.sum(axis=1), np.full(n_obs, A)])
    indptr = np.zeros(R * S + n_obs + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    x_rows = (np.arange(n_obs)[:, None] * A + np.arange(A)[None, :]).astype(np.int32)
    M = sp.csc_array(
        (np.concatenate([data[keep], np.ones(n_obs * A)]),
         np.concatenate([rows[keep], x_rows.ravel()]), indptr),
        shape=(n_obs * A + R + K, R * S + n_obs),
    )
    senses = [con.sense for con in game.constraints]
    bounds = np.array([con.bound for con in game.constraints], dtype=float)
    side_lo = np.where([s != "<=" for s in senses], bounds, -np.inf) if K else np.empty(0)
    side_hi = np.where([s != ">=" for s in senses], bounds, np.inf) if K else np.empty(0)
    return LinearProgram(
        A=M,
        c=np.concatenate([np.zeros(R * S), np.ones(n_obs)]),
        col_lower=np.concatenate([np.zeros(R * S), np.full(n_obs, -np.inf)]),
        col_upper=np.full(R * S + n_obs, np.inf),
        row_lower=np.concatenate([np.full(n_obs * A, -np.inf), np.ones(R), side_lo]),
        row_upper=np.concatenate([np.zeros(n_obs * A), np.ones(R), side_hi]),
        maximize=True,
        col_blocks=layout(("f", (R, S)), ("x", (n_obs,))),
        row_blocks=layout(("best_response", (n_obs, A)), ("row_sum", (R,)),
                          ("side", (K,), [c.name for c in game.constraints])),
        name="the leader's LP",
    )


def follower_lp(game: ConditionalGame) -> LinearProgram:
    """The follower's LP: the Lagrangian dual of `leader_lp` (module docstring), min sum y + b z."""
    return follower_lp_of(leader_lp(game))


def follower_lp_of(leader: LinearProgram) -> LinearProgram:
    """The follower's LP derived from a (possibly Pyomo-compiled) leader's LP, blocks renamed."""
    return lagrangian_dual(
        leader,
        col_names={"f": "no_gain", "x": "h_sum"},
        row_names={"best_response": "h", "row_sum": "y", "side": "z"},
        name="the follower's LP",
    )


def game_lps(game: ConditionalGame, route: Route) -> tuple[LinearProgram, LinearProgram]:
    """Both LPs of the game. On the Pyomo route the leader's LP is declared as a Pyomo model and
    compiled by Pyomo; the follower's LP is derived from that compiled form (one Pyomo model,
    not two: the dual is a transpose plus bound bookkeeping)."""
    _check_route(route)
    leader = leader_lp(game)
    if route != "direct":
        from gamespec.solvers.lp.pyomo_lowering import through_pyomo

        leader = through_pyomo(leader, route)
    return leader, follower_lp_of(leader)


def complementary_basis(sol: LPSolution, dual_of: LinearProgram) -> tuple[np.ndarray, np.ndarray]:
    """A basis for `dual_of` from an optimal basis of its dual (the LP `sol` solved).

    A column of `dual_of` is basic iff the matching row of its dual is not, and a row of
    `dual_of` is basic iff the matching column of its dual is not; nonbasic entries sit at
    their finite bound (free columns at zero).
    """
    assert sol.col_status is not None and sol.row_status is not None
    col = np.where(sol.row_status == _BASIC, 0, _BASIC).astype(np.int8)
    nonbasic = col != _BASIC
    fin_lo, fin_hi = np.isfinite(dual_of.col_lower), np.isfinite(dual_of.col_upper)
    col[nonbasic & fin_lo] = _LOWER
    col[nonbasic & ~fin_lo & fin_hi] = _UPPER
    col[nonbasic & ~fin_lo & ~fin_hi] = _ZERO
    row = np.where(sol.col_status == _BASIC, _LOWER, _BASIC).astype(np.int8)
    row[(row != _BASIC) & ~np.isfinite(dual_of.row_lower)] = _UPPER
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


def side_constraint_range(game: ConditionalGame, con: SideConstraint) -> tuple[float, float]:
    """Min and max of the constraint's left side over all leader strategies.

    The leader's strategy set is a product of simplices (one per r), so the minimum of a linear
    function over it is sum_r min_s G[r, s]: the LP "min lhs" solved in closed form.
    """
    G = np.asarray(con.weights, dtype=float)
    return float(G.min(axis=1).sum()), float(G.max(axis=1).sum())


def side_constraint_problem(game: ConditionalGame, tol: float = 1e-9) -> SolverError | None:
    """The error for the first side constraint that no leader strategy can meet, if any."""
    for con in game.constraints:
        lo, hi = side_constraint_range(game, con)
        slack = tol * max(1.0, abs(con.bound))
        low, high, bound = lo + con.offset, hi + con.offset, con.written_bound  # as written
        if con.sense in ("<=", "==") and lo > con.bound + slack:
            return SolverError(
                f"the leader's LP is infeasible: side constraint '{con.name}' needs its left side "
                f"<= {bound:.6g}, but its minimum over all leader strategies is {low:.6g}",
                hint=f"raise the bound of '{con.name}' to at least {low:.6g}",
            )
        if con.sense in (">=", "==") and hi < con.bound - slack:
            return SolverError(
                f"the leader's LP is infeasible: side constraint '{con.name}' needs its left side "
                f">= {bound:.6g}, but its maximum over all leader strategies is {high:.6g}",
                hint=f"lower the bound of '{con.name}' to at most {high:.6g}",
            )
    return None


def check_side_constraints(game: ConditionalGame) -> None:
    """Raise SolverError naming a side constraint that no leader strategy can meet."""
    problem = side_constraint_problem(game)
    if problem is not None:
        raise problem


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
    route: Route = "pyomo",
    time_limit: float | None = None,
    warm_start: bool = True,
    simplex: Simplex = "dual",
) -> ZeroSumSolution:
    """Solve the leader's LP and/or the follower's LP (its dual) and certify the equilibrium.

    lp="both" cold-solves the follower's LP then the leader's LP (warm-started from the
    complementary basis unless warm_start=False); "leader"/"follower" solve only that LP and
    read the other strategy from its row duals. time_limit bounds the HiGHS time in total.
    timing: build (assembly, and Pyomo build + compile on that route), each solve, total.
    """
    if lp not in ("both", "leader", "follower"):
        raise SpecError(f"unknown lp choice {lp!r}", hint="use 'both', 'leader' or 'follower'")
    check_side_constraints(game)
    started = time.perf_counter()
    scale = payoff_scale(game.payoff)  # HiGHS sees payoffs of size 1 (its tolerances are 1e-7)
    L, F = game_lps(replace(game, payoff=game.payoff / scale) if scale != 1.0 else game, route)
    timing: dict[str, float] = {"build": time.perf_counter() - started}
    fsol = lsol = None
    if lp != "leader":
        fsol = _solve_or_explain(game, F, _remaining(time_limit, started), None, simplex)
        timing["follower_solve"] = fsol.solve_seconds
    if lp != "follower":
        basis = None
        if fsol is not None and warm_start and fsol.col_status is not None:
            basis = complementary_basis(fsol, L)
        lsol = _solve_or_explain(game, L, _remaining(time_limit, started), basis, simplex)
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


def _as_distribution(M: np.ndarray) -> np.ndarray:
    """Clip solver round-off (entries ~ -1e-12) and renormalise each row to sum to 1."""
    M = np.clip(M, 0.0, None)
    sums = M.sum(axis=1, keepdims=True)
    uniform = np.full_like(M, 1.0 / M.shape[1])
    return np.where(sums > 0, M / np.where(sums > 0, sums, 1.0), uniform)


def payoff_scale(C: np.ndarray) -> float:
    """The largest |payoff| (1 for an all-zero game): the LPs are solved in these units."""
    largest = float(np.max(np.abs(C), initial=0.0))
    return largest if largest > 0 and math.isfinite(largest) else 1.0


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
    f = _as_distribution(f_raw.reshape(R, S))
    h = _as_distribution(h_raw.reshape(n_obs, A))
    names = [c.name for c in game.constraints]
    x, y, z_raw = x * scale, y * scale, z_raw * scale
    lv = lsol.objective * scale if lsol is not None else None
    fv = fsol.objective * scale if fsol is not None else None
    gap = abs(lv - fv) if lv is not None and fv is not None else None
    value = lv if lv is not None else float(fv)  # type: ignore[arg-type]
    cert = certify_zero_sum(game, f, h, z_raw, value, gap)
    iterations = {k: s.iterations for k, s in (("leader", lsol), ("follower", fsol)) if s}
    return ZeroSumSolution(
        value=value, leader_lp_value=lv, follower_lp_value=fv, duality_gap=gap, f=f, h=h,
        x=np.asarray(x, dtype=float), y=np.asarray(y, dtype=float),
        z={n: float(v) + 0.0 for n, v in zip(names, z_raw)},  # + 0.0: no "-0.0" in output
        constraint_lhs={c.name: c.level(f) for c in game.constraints},
        certificate=cert, method=method, iterations=iterations, timing=timing,
    )


# ---- NumPy evaluation and certificates (independent of the LP) --------------------------------


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


def distribution_error(*strategies: np.ndarray) -> float:
    """Worst violation of 'every row is a probability distribution' over the given matrices."""
    worst = 0.0
    for M in strategies:
        M = np.atleast_2d(M)
        worst = max(worst, float(np.abs(M.sum(axis=1) - 1).max()), float(max(0.0, -M.min())))
    return worst


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


# ---- follower responses -----------------------------------------------------------------------


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
    h = _as_distribution(sol.x.reshape(lp.col("h").shape))
    return Response(h, sol.objective * scale, f"lp:{route}")


# ---- matrix games -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MatrixGameSolution:
    """Value and optimal mixed strategies of a zero-sum matrix game (row player maximises)."""

    value: float
    row_strategy: np.ndarray
    column_strategy: np.ndarray
    leader_lp_value: float | None
    follower_lp_value: float | None
    certificate: Certificate


def matrix_game(A: np.ndarray) -> ConditionalGame:
    """The matrix game A as a ConditionalGame: one leader state, pooled signal."""
    A = np.asarray(A, dtype=float)
    if A.ndim != 2:
        raise SpecError(f"a matrix game needs a 2-D payoff, got shape {A.shape}")
    return ConditionalGame(payoff=A[None, :, :], signal=np.zeros(A.shape[0], dtype=np.int64))


def solve_matrix_game(A: np.ndarray, **options: Any) -> MatrixGameSolution:
    """Solve max_p min_q p^T A q; options are those of `solve_zero_sum`."""
    sol = solve_zero_sum(matrix_game(A), **options)
    return MatrixGameSolution(sol.value, sol.f[0], sol.h[0], sol.leader_lp_value,
                              sol.follower_lp_value, sol.certificate)


# ----------------------------------------------------------------------------------------------
# General-sum Stackelberg games
# ----------------------------------------------------------------------------------------------


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


def _stackelberg_result(prior: np.ndarray, L: np.ndarray, F: np.ndarray, x: np.ndarray,
                        responses: Sequence[int], method: str, candidates: int
                        ) -> StackelbergSolution:
    """Values recomputed with NumPy and the best-response certificate for every type."""
    x = _as_distribution(np.asarray(x, dtype=float)[None, :])[0]
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


def _multiple_lps(prior: np.ndarray, L: np.ndarray, F: np.ndarray, *, route: Route,
                  time_limit: float | None, max_combinations: int) -> StackelbergSolution:
    """One commitment LP per profile of type responses, best first, pruned by an upper bound.

    The bound of a profile is max_i sum_t p_t L[t, i, j_t] (the LP without incentive rows);
    profiles whose bound cannot beat the best value found are skipped.
    """
    T, _, n = L.shape
    if n ** T > max_combinations:
        raise SpecError(f"{n}^{T} = {n ** T} response profiles exceed max_combinations="
                        f"{max_combinations}",
                        hint='solve it as a MILP: `solve using stackelberg { stackelberg = "dobss" }`')
    profiles = np.array(list(itertools.product(range(n), repeat=T)), dtype=np.int64)
    bounds = np.einsum("t,ptm->pm", prior, L[np.arange(T)[None, :], :, profiles]).max(axis=1)
    started, solved = time.perf_counter(), 0
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for k in np.argsort(-bounds, kind="stable"):
        if best is not None and bounds[k] <= best[0] + 1e-12:
            break
        sol = solve_lp(commitment_lp(prior, L, F, profiles[k]), route=route,
                       time_limit=_remaining(time_limit, started))
        solved += 1
        if sol.status == "optimal" and (best is None or sol.objective > best[0] + 1e-12):
            best = (sol.objective, sol.x, profiles[k])
    if best is None:  # pragma: no cover - some profile is always feasible (a best response)
        raise SolverError("no follower response profile is inducible", hint="check the payoffs")
    return _stackelberg_result(prior, L, F, best[1], best[2], f"multiple_lps:{route}", solved)


def strong_stackelberg(L: np.ndarray, F: np.ndarray, *, route: Route = "pyomo",
                       time_limit: float | None = None) -> StackelbergSolution:
    """Strong Stackelberg equilibrium of the bimatrix game (L, F) by one LP per follower action."""
    L, F = np.asarray(L, dtype=float), np.asarray(F, dtype=float)
    if L.ndim != 2:
        raise SpecError(f"strong_stackelberg needs 2-D payoff matrices, got shape {L.shape}")
    return bayesian_stackelberg(np.ones(1), L[None], F[None], method="multiple_lps",
                                route=route, time_limit=time_limit,
                                max_combinations=max(256, L.shape[1]))


def dobss_milp(prior: np.ndarray, L: np.ndarray, F: np.ndarray) -> LinearProgram:
    """DOBSS (Paruchuri et al. 2008) as arrays: z[t,i,j] = x_i q^t_j, q binary, a[t] free.

    max sum p_t L[t,i,j] z[t,i,j] s.t. sum_ij z[t] = 1; sum_j z[t,i,:] <= 1;
    q[t,j] <= sum_i z[t,:,j] <= 1; sum_j q[t] = 1;
    0 <= a[t] - sum_i F[t,i,j] sum_h z[t,i,h] <= (1 - q[t,j]) M_t;
    sum_j z[t,i,:] = sum_j z[0,i,:] (one leader strategy for all types).
    M_t = max F[t] - min F[t] bounds any regret of type t.
    """
    T, m, n = L.shape
    cols = layout(("z", (T, m, n)), ("q", (T, n)), ("a", (T,)))
    zc = np.arange(T * m * n).reshape(T, m, n)
    qc = T * m * n + np.arange(T * n).reshape(T, n)
    ac = T * m * n + T * n + np.arange(T)
    big_m = F.max(axis=(1, 2)) - F.min(axis=(1, 2)) + 1.0
    triples: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (row, col, value) per block
    bounds: list[tuple[np.ndarray, np.ndarray]] = []
    count = 0

    def add(rows_of_cols: np.ndarray, cols_: np.ndarray, vals: np.ndarray, nrows: int,
            lo: np.ndarray, hi: np.ndarray) -> None:
        nonlocal count
        triples.append((rows_of_cols.ravel() + count, cols_.ravel(), vals.ravel()))
        bounds.append((lo, hi))
        count += nrows

    t_i_j = np.indices((T, m, n))
    add(t_i_j[0], zc, np.ones(T * m * n), T, np.ones(T), np.ones(T))  # type_total
    add(t_i_j[0] * m + t_i_j[1], zc, np.ones(T * m * n), T * m,
        np.full(T * m, -np.inf), np.ones(T * m))  # row_cap
    # response_lower: q[t,j] - sum_i z[t,i,j] <= 0 ; response_upper: sum_i z[t,i,j] <= 1
    tj = np.indices((T, n))
    add(np.concatenate([(t_i_j[0] * n + t_i_j[2]).ravel(), (tj[0] * n + tj[1]).ravel()]),
        np.concatenate([zc.ravel(), qc.ravel()]),
        np.concatenate([-np.ones(T * m * n), np.ones(T * n)]), T * n,
        np.full(T * n, -np.inf), np.zeros(T * n))
    add(t_i_j[0] * n + t_i_j[2], zc, np.ones(T * m * n), T * n,
        np.full(T * n, -np.inf), np.ones(T * n))
    add(tj[0], qc, np.ones(T * n), T, np.ones(T), np.ones(T))  # one_response
    # follower_best: a[t] - sum_{i,h} F[t,i,j] z[t,i,h] in [0, inf) and + M q[t,j] <= M
    t4, j4, i4, h4 = np.indices((T, n, m, n))
    z_terms = zc[t4, i4, h4]
    f_terms = -F[t4, i4, j4]
    for with_q in (False, True):
        rows_ = np.concatenate([(t4 * n + j4).ravel(), (tj[0] * n + tj[1]).ravel()])
        cols_ = np.concatenate([z_terms.ravel(), ac[tj[0]].ravel()])
        vals = np.concatenate([f_terms.ravel(), np.ones(T * n)])
        if with_q:
            rows_ = np.concatenate([rows_, (tj[0] * n + tj[1]).ravel()])
            cols_ = np.concatenate([cols_, qc.ravel()])
            vals = np.concatenate([vals, np.repeat(big_m, n)])
            add(rows_, cols_, vals, T * n, np.full(T * n, -np.inf), np.repeat(big_m, n))
        else:
            add(rows_, cols_, vals, T * n, np.zeros(T * n), np.full(T * n, np.inf))
    if T > 1:  # consistent: sum_j z[t,i,:] - sum_j z[0,i,:] = 0 for t >= 1
        t3, i3, j3 = np.indices((T - 1, m, n))
        rows_ = np.concatenate([(t3 * m + i3).ravel(), (t3 * m + i3).ravel()])
        cols_ = np.concatenate([zc[t3 + 1, i3, j3].ravel(), zc[np.zeros_like(t3), i3, j3].ravel()])
        vals = np.concatenate([np.ones(t3.size), -np.ones(t3.size)])
        add(rows_, cols_, vals, (T - 1) * m, np.zeros((T - 1) * m), np.zeros((T - 1) * m))
    r = np.concatenate([t[0] for t in triples])
    c = np.concatenate([t[1] for t in triples])
    v = np.concatenate([t[2] for t in triples])
    ncol = cols[-1].start + cols[-1].size
    M = sp.csc_array((v, (r, c)), shape=(count, ncol))
    M.sum_duplicates()
    objective = np.zeros(ncol)
    objective[: T * m * n] = (prior[:, None, None] * L).ravel()
    integrality = np.zeros(ncol, dtype=np.int32)
    integrality[qc.ravel()] = 1
    row_names = ["type_total", "row_cap", "response_lower", "response_upper", "one_response",
                 "follower_best_lower", "follower_best_upper", "consistent"]
    sizes = [T, T * m, T * n, T * n, T, T * n, T * n, (T - 1) * m]
    return LinearProgram(
        A=M, c=objective,
        col_lower=np.concatenate([np.zeros(T * m * n + T * n), np.full(T, -np.inf)]),
        col_upper=np.concatenate([np.ones(T * m * n + T * n), np.full(T, np.inf)]),
        row_lower=np.concatenate([b[0] for b in bounds]),
        row_upper=np.concatenate([b[1] for b in bounds]),
        maximize=True, col_blocks=cols,
        row_blocks=layout(*[(nm, (sz,)) for nm, sz in zip(row_names, sizes)]),
        integrality=integrality, name="the DOBSS MILP",
    )


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
    T, m, n = L.shape
    if method == "auto":
        method = "multiple_lps" if n ** T <= max_combinations else "dobss"
    if method == "multiple_lps":
        return _multiple_lps(prior, L, F, route=route, time_limit=time_limit,
                             max_combinations=max_combinations)
    if method != "dobss":
        raise SpecError(f"unknown method {method!r}", hint="use 'dobss' or 'multiple_lps'")
    milp = dobss_milp(prior, L, F)
    sol = require_optimal(solve_lp(milp, route=route, time_limit=time_limit), milp.name,
                          hint="the payoffs must be finite")
    z = sol.x[milp.col("z").slice].reshape(T, m, n)
    q = sol.x[milp.col("q").slice].reshape(T, n)
    return _stackelberg_result(prior, L, F, z[0].sum(axis=1), q.argmax(axis=1),
                               f"dobss:{route}", 1)
