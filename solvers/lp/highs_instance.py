"""Running HiGHS on a `LinearProgram`: the instance (built with stdout on the null device),
its options, the arrays handed over in one call, an optional starting basis, and the
solution read back (`LPSolution`).
"""
from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, Literal

import highspy
import numpy as np

from gamespec.errors import SolverError
from gamespec.solvers.lp.linear_program import LinearProgram

Simplex = Literal["dual", "primal"]

_BS = highspy.HighsBasisStatus
_BASIS_CODES = (_BS.kLower, _BS.kBasic, _BS.kUpper, _BS.kZero, _BS.kNonbasic)
LOWER, BASIC, UPPER, ZERO = 0, 1, 2, 3
"""HiGHS basis status codes, as stored in `LPSolution.col_status` / `row_status`."""


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
    """Hand the CSC (or CSR) arrays to HiGHS in one call (the numpy `passModel` overload)."""
    A = lp.A if lp.A.format in ("csc", "csr") else lp.A.tocsc()
    if not A.has_sorted_indices:
        A = A.sorted_indices()
    ncol = A.shape[1]
    layout = highspy.MatrixFormat.kRowwise if A.format == "csr" else \
        highspy.MatrixFormat.kColwise
    integrality = (
        np.zeros(ncol, dtype=np.int32) if lp.integrality is None
        else np.ascontiguousarray(lp.integrality, dtype=np.int32)
    )
    status = h.passModel(
        int(ncol), int(A.shape[0]), int(A.nnz), int(layout),
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
