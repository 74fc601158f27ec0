"""Symmetric mean-field fixed points s = BR(aggregate(s)) of a population, for one or many
states of everything else at once; every candidate checked against the full best-response
set (certificate: fixed-point residual and maximum unilateral gain).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import sympy

from gamespec.errors import SolverError, SpecError
from gamespec.result import Certificate
from gamespec.solvers.continuous.best_response import BestResponseMap
from gamespec.solvers.continuous.bracketing import refine_sign_changes
from gamespec.solvers.continuous.expressions import (
    Values,
    check_free,
    compile_expr,
    evaluate_compiled,
    substitute,
    symbol_values,
)
from gamespec.solvers.continuous.results import FixedPoint, MeanFieldResult
from gamespec.solvers.continuous.sampling import (
    nonzero_2d,
    relative_tolerance,
    sample_grid,
    true_runs,
)

SELECTIONS = ("payoff", "min_payoff", "lowest", "highest")


def _aggregate_function(aggregate: sympy.Expr | None, var: sympy.Symbol,
                        params: Values) -> Callable[[np.ndarray], np.ndarray]:
    expr = var if aggregate is None else substitute(aggregate, params)
    check_free(expr, (var,), "the mean-field aggregate")
    fn = compile_expr((var,), expr)
    return lambda s: evaluate_compiled(fn, np.asarray(s, float), [])


_CHUNK_ELEMENTS = 2_000_000  # grid points x opponent states per NumPy call


class _PopulationResidual:
    """BR(aggregate(s)) - s for (row, s) pairs, where a row is one state of everything
    else (e.g. one leader strategy); evaluated in chunks of bounded memory."""

    def __init__(self, br_map: BestResponseMap, field: sympy.Symbol, agg: Callable,
                 rows: Sequence[Values | None]) -> None:
        if field not in br_map.args:
            raise SolverError(f"the best-response map does not take the mean field {field}",
                              hint="compile it with args=(field, ...)")
        self.br_map, self.field, self.agg = br_map, field, agg
        fixed_symbols = [s for s in br_map.args if s != field]
        table = []
        for row in rows:
            given = symbol_values(row, set(fixed_symbols))
            missing = [s.name for s in fixed_symbols if s not in given]
            if missing:
                raise SolverError(f"no value for {', '.join(missing)} in the population game")
            table.append([given[s] for s in fixed_symbols])
        self.fixed = np.array(table, float).reshape(len(rows), len(fixed_symbols))
        self.column = {s: k for k, s in enumerate(fixed_symbols)}
        self.chunk = max(1, _CHUNK_ELEMENTS // br_map._grid.size)

    def state(self, row: int, s: float) -> dict[sympy.Symbol, float]:
        """The opponent state a member faces at symmetric state s in this row."""
        out = {sym: float(self.fixed[row, k]) for sym, k in self.column.items()}
        out[self.field] = float(self.agg(np.array([s]))[0])
        return out

    def table(self, states: np.ndarray) -> np.ndarray:
        """The residual of every row at every state: (rows, states). The rows' values
        and the states' fields go to the map as a column and a row (see BestResponseMap
        .batch), chunked by rows."""
        n = self.fixed.shape[0]
        out = np.empty((n, states.size))
        field_values = self.agg(states)[None, :]
        step = max(1, self.chunk // max(states.size, 1))
        for start in range(0, n, step):
            part = slice(start, start + step)
            args = [field_values if sym == self.field
                    else self.fixed[part, self.column[sym]][:, None] for sym in self.br_map.args]
            x, _ = self.br_map.batch(args)
            out[part] = x.reshape(-1, states.size) - states[None, :]
        return out

    def __call__(self, rows: np.ndarray, s: np.ndarray) -> np.ndarray:
        out = np.empty(s.size)
        for start in range(0, s.size, self.chunk):
            part = slice(start, start + self.chunk)
            field_values = self.agg(s[part])
            args = [field_values if sym == self.field else self.fixed[rows[part], self.column[sym]]
                    for sym in self.br_map.args]
            x, _ = self.br_map.batch(args)
            out[part] = x - s[part]
        return out


def _stable(s: float, grid: np.ndarray, residual: np.ndarray, tol_x: float) -> bool:
    """Locally attracting under best-response dynamics: BR above s on the left,
    below on the right (end points only need the inner side)."""
    left = np.nonzero(grid < s - tol_x)[0]
    right = np.nonzero(grid > s + tol_x)[0]
    ok_left = left.size == 0 or residual[left[-1]] > tol_x
    ok_right = right.size == 0 or residual[right[0]] < -tol_x
    return bool(ok_left and ok_right)


def mean_field_fixed_points(br_map: BestResponseMap, lo: float | None = None,
                            hi: float | None = None, *, field: sympy.Symbol,
                            aggregate: sympy.Expr | None = None,
                            others: Values | None = None, selection: str = "payoff",
                            grid: int = 201, tol: float = 1e-7) -> MeanFieldResult:
    """All symmetric fixed points s = BR(aggregate(s)) of a population on [lo, hi].

    `br_map` is the member's best response with the mean-field symbol `field` among its
    args; `aggregate` gives the field at the symmetric state s (default s itself; e.g.
    s**2 for a mean of squares). The residual BR(aggregate(s)) - s is computed on a grid
    in one batch; zeros on the grid are candidates, sign changes are bracketed and
    refined. A candidate is claimed only if the full best-response set there contains s
    within tol (a jump of BR across the diagonal goes to `jumps`, not to equilibria).
    `selection`: "payoff" (highest member payoff), "min_payoff" (lowest), "lowest" or
    "highest" s.
    """
    return mean_field_equilibria(br_map, [others], field=field, aggregate=aggregate, lo=lo,
                                 hi=hi, selection=selection, grid=grid, tol=tol)[0]


def mean_field_equilibria(br_map: BestResponseMap, rows: Sequence[Values | None], *,
                          field: sympy.Symbol, aggregate: sympy.Expr | None = None,
                          lo: float | None = None, hi: float | None = None,
                          selection: str = "payoff", grid: int = 201,
                          tol: float = 1e-7) -> list[MeanFieldResult]:
    """`mean_field_fixed_points` for many states of the other symbols at once (e.g. a
    grid of leader strategies): one batched residual grid for all rows, one batched
    refinement of all sign changes, then a per-row check of every candidate."""
    if selection not in SELECTIONS:
        raise SpecError(f"unknown selection rule {selection!r}",
                        hint=f"use one of {', '.join(SELECTIONS)}")
    lo = br_map.lo if lo is None else float(lo)
    hi = br_map.hi if hi is None else float(hi)
    residual = _PopulationResidual(br_map, field,
                                   _aggregate_function(aggregate, br_map.var, br_map.params),
                                   rows)
    states = sample_grid(lo, hi, grid)
    tol_x = tol * max(1.0, hi - lo)
    n = len(rows)
    table = residual.table(states)
    candidates = _grid_candidates(table, states, tol_x)
    close = np.abs(table) <= tol_x
    row_of, k = nonzero_2d((np.sign(table[:, :-1]) * np.sign(table[:, 1:]) < 0)
                           & ~close[:, :-1] & ~close[:, 1:])
    refined = refine_sign_changes(lambda x, idx: residual(row_of[idx], x), states[k],
                                  states[k + 1], 1e-3 * tol_x)
    for row, s in zip(row_of, refined):
        if np.isfinite(s):
            candidates[row].append(float(s))
    return [_row_result(residual, row, candidates[row], states, table[row], selection, tol,
                        tol_x) for row in range(n)]


def _grid_candidates(table: np.ndarray, states: np.ndarray, tol_x: float) -> list[list[float]]:
    """Per row: the best grid point of each run of near-zero residuals."""
    out = []
    for r in table:
        close = np.abs(r) <= tol_x
        out.append([float(states[a + np.argmin(np.abs(r[a:b]))]) for a, b in true_runs(close)])
    return out


def _row_result(residual: _PopulationResidual, row: int, candidates: list[float],
                states: np.ndarray, table_row: np.ndarray, selection: str, tol: float,
                tol_x: float) -> MeanFieldResult:
    points, jumps = _verify_fixed_points(residual, row, candidates, states, table_row, tol_x)
    selected = _select(points, selection, tol)
    certificate = None
    if selected is not None:
        ok = selected.residual <= tol_x and selected.gain <= relative_tolerance(
            tol, selected.payoff)
        certificate = Certificate(
            "mean-field fixed point", selected.residual, bool(ok), tol_x,
            {"max_deviation_gain": selected.gain, "fixed_points": float(len(points)),
             "gain_tolerance": relative_tolerance(tol, selected.payoff)})
    return MeanFieldResult(tuple(points), selected, selection, tuple(jumps), certificate)


def _verify_fixed_points(residual: _PopulationResidual, row: int, candidates: list[float],
                         states: np.ndarray, table_row: np.ndarray,
                         tol_x: float) -> tuple[list[FixedPoint], list[float]]:
    """Keep the candidates whose full best-response set contains them."""
    br_map = residual.br_map
    points: list[FixedPoint] = []
    jumps: list[float] = []
    for s in sorted(candidates):
        if points and abs(s - points[-1].s) <= tol_x:
            continue
        state = residual.state(row, s)
        response = br_map(state)
        own = br_map.value(s, state)
        distance = response.distance(s)
        if distance > tol_x:
            jumps.append(float(s))
            continue
        gain = max(0.0, response.value - own)
        points.append(FixedPoint(float(s), state[residual.field], float(distance), float(gain),
                                 float(own), _stable(s, states, table_row, tol_x), response))
    return points, jumps


def _select(points: list[FixedPoint], rule: str, tol: float) -> FixedPoint | None:
    """The fixed point the rule picks; payoff ties (within tol) go to the lowest s."""
    if not points:
        return None
    if rule == "lowest":
        return points[0]
    if rule == "highest":
        return points[-1]
    if rule == "min_payoff":
        worst = min(p.payoff for p in points)
        return next(p for p in points if p.payoff <= worst + relative_tolerance(tol, worst))
    best = max(p.payoff for p in points)
    return next(p for p in points if p.payoff >= best - relative_tolerance(tol, best))
