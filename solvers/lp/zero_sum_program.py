"""The leader's LP of a zero-sum observation-conditioned game and the follower's LP, its
Lagrangian dual, as arrays (and, on a Pyomo route, through Pyomo).

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
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from gamespec.solvers.lp.linear_program import LinearProgram, lagrangian_dual, layout
from gamespec.solvers.lp.routes import Route, check_route
from gamespec.solvers.lp.zero_sum_game import ConditionalGame


def leader_lp(game: ConditionalGame, scale: float = 1.0) -> LinearProgram:
    """The leader's LP (module docstring), assembled directly in CSC form, payoffs / `scale`.

    Column f[r, s] holds -C[r, s, :] in rows best_response[signal[s], :], a 1 in row_sum[r] and
    G_k[r, s] in side[k]; column x[o] holds 1 in best_response[o, :]. Zeros are dropped. The
    nonzeros are written straight into the matrix's arrays (np.compress with out=), so the
    peak is the per-column staging arrays plus the matrix, not several copies of it.
    """
    C = game.payoff
    R, S, A = C.shape
    n_obs, sig = game.n_observations, game.signals
    K = len(game.constraints)
    per_col = A + 1 + K
    data = np.empty((R, S, per_col))
    np.divide(C, -scale, out=data[:, :, :A])
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
    nnz, f_nnz = int(indptr[-1]), int(indptr[R * S])
    values = np.empty(nnz)
    indices = np.empty(nnz, dtype=np.int32)
    np.compress(keep.ravel(), data.ravel(), out=values[:f_nnz])
    del data
    np.compress(keep.ravel(), rows.ravel(), out=indices[:f_nnz])
    del rows, keep
    values[f_nnz:] = 1.0
    indices[f_nnz:] = np.arange(n_obs * A, dtype=np.int32)  # x[o] in best_response[o, :]
    M = sp.csc_array((values, indices, indptr), shape=(n_obs * A + R + K, R * S + n_obs))
    side_lo, side_hi = side_bounds(game)
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


def side_bounds(game: ConditionalGame) -> tuple[np.ndarray, np.ndarray]:
    """The side-constraint rows' lower and upper bounds (-inf / inf where one-sided)."""
    if not game.constraints:
        return np.empty(0), np.empty(0)
    senses = [con.sense for con in game.constraints]
    bounds = np.array([con.bound for con in game.constraints], dtype=float)
    return (np.where([s != "<=" for s in senses], bounds, -np.inf),
            np.where([s != ">=" for s in senses], bounds, np.inf))


def with_side_bounds(leader: LinearProgram, game: ConditionalGame) -> LinearProgram:
    """`leader` (a leader's LP of a game with the same payoff and constraint weights) with the
    side-constraint bounds of `game`: the same matrix, shared, not rebuilt."""
    lo, hi = side_bounds(game)
    side = leader.row("side").slice
    row_lower, row_upper = leader.row_lower.copy(), leader.row_upper.copy()
    row_lower[side], row_upper[side] = lo, hi
    return replace(leader, row_lower=row_lower, row_upper=row_upper)


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


def game_lps(game: ConditionalGame, route: Route, scale: float = 1.0, follower: bool = True,
             leader: LinearProgram | None = None) -> tuple[LinearProgram, LinearProgram | None]:
    """Both LPs of the game (payoffs / `scale`; the follower's only if `follower`). On a Pyomo
    route the leader's LP is declared as a Pyomo model and compiled by Pyomo; the follower's LP
    is derived from that compiled form (one Pyomo model, not two: the dual is a transpose plus
    bound bookkeeping). A given `leader` (an LP of this game at other side bounds, already
    through the route) is reused with this game's bounds."""
    check_route(route)
    if leader is not None:
        leader = with_side_bounds(leader, game)
        return leader, follower_lp_of(leader) if follower else None
    leader = leader_lp(game, scale)
    if route != "direct":
        from gamespec.solvers.lp.pyomo_lowering import through_pyomo

        leader = through_pyomo(leader, route)
    return leader, follower_lp_of(leader) if follower else None
