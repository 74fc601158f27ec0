"""DOBSS (Paruchuri et al. 2008): a Bayesian Stackelberg game as one MILP on HiGHS."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from gamespec.solvers.lp.linear_program import LinearProgram, layout
from gamespec.solvers.lp.routes import Route, require_optimal, solve_lp
from gamespec.solvers.stackelberg.equilibrium import StackelbergSolution, stackelberg_result


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


def solve_dobss(prior: np.ndarray, L: np.ndarray, F: np.ndarray, *, route: Route,
                time_limit: float | None) -> StackelbergSolution:
    """Solve the DOBSS MILP with HiGHS; the commitment is sum_j z[0, :, j]."""
    T, m, n = L.shape
    milp = dobss_milp(prior, L, F)
    sol = require_optimal(solve_lp(milp, route=route, time_limit=time_limit), milp.name,
                          hint="the payoffs must be finite")
    z = sol.x[milp.col("z").slice].reshape(T, m, n)
    q = sol.x[milp.col("q").slice].reshape(T, n)
    return stackelberg_result(prior, L, F, z[0].sum(axis=1), q.argmax(axis=1),
                              f"dobss:{route}", 1)
