"""A player's best response over an interval as a compiled, batched map.

Candidates for a maximum over [lo, hi] are the end points, the points where a Piecewise
branch switches (and the one-sided limits there), and the stationary points of the
payoff: roots of the derivative bracketed on a grid that is uniform plus geometric at both
ends (so a large upper bound M does not hide structure near zero) and refined by a
vectorised Illinois regula falsi.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from gamespec.errors import SolverError
from gamespec.lowering import LoweringError
from gamespec.solvers.continuous.best_response_set import (
    extrapolated_limit,
    indifference_intervals,
    merge_points,
)
from gamespec.solvers.continuous.bracketing import bracketed_roots, golden_maxima
from gamespec.solvers.continuous.expressions import (
    Values,
    all_symbols,
    as_number,
    broadcast_args,
    check_free,
    compile_expr,
    evaluate_compiled,
    substitute,
    symbol_values,
    worst_if_undefined,
)
from gamespec.solvers.continuous.results import BestResponse
from gamespec.solvers.continuous.sampling import (
    nonzero_2d,
    relative_tolerance,
    sample_grid,
)
from gamespec.solvers.continuous.symbolic import smooth_branches, solve_univariate, switch_functions

# Kinds of candidate points for a maximum.
ENDPOINT, STATIONARY, SWITCH, PROBE, REFINED = range(5)


@dataclass
class _Candidates:
    rows: np.ndarray
    xs: np.ndarray
    kinds: np.ndarray
    grid_values: np.ndarray  # (B, G) payoff on the grid


class BestResponseMap:
    """A player's best response over [lo, hi] as a function of other symbols.

    Compiled once to NumPy; `batch` evaluates it for many opponent states at once and
    `__call__` gives the full set-valued answer at one state. Pickles by its SymPy data.
    """

    def __init__(self, payoff: sympy.Expr, var: sympy.Symbol, lo: Any, hi: Any,
                 params: Values | None = None, args: Sequence[sympy.Symbol] = (), *,
                 grid: int = 601, tol: float = 1e-9, symbolic: bool = True) -> None:
        self.payoff = payoff
        self.symbolic = symbolic
        self.var = var
        self.params = dict(symbol_values(params, all_symbols(payoff, lo, hi)))
        self.lo = as_number(lo, self.params)
        self.hi = as_number(hi, self.params)
        self.args = tuple(args)
        self.grid_size = grid
        self.tol = tol
        self.expr = substitute(payoff, self.params)
        check_free(self.expr, (var, *self.args), "the payoff")
        self._compile()

    # -- compilation and pickling
    def _compile(self) -> None:
        symbols = (self.var, *self.args)
        self._f = compile_expr(symbols, self.expr)
        try:
            self._df = compile_expr(symbols, sympy.diff(self.expr, self.var))
        except LoweringError:  # e.g. a library function's derivative: golden section instead
            self._df = None
        switches = switch_functions(self.expr, self.var)
        self._switches = [compile_expr(symbols, g) for g in switches]
        self._roots = [compile_expr(symbols, r) for r in self.stationary_expressions()]
        self._grid = sample_grid(self.lo, self.hi, self.grid_size)
        # a condition on the own variable alone switches at the same points in every row
        self._static_switches = [None if g.free_symbols & set(self.args)
                                 else self._static_switch_points(fn)
                                 for g, fn in zip(switches, self._switches)]

    def stationary_expressions(self) -> list[sympy.Expr]:
        """Closed-form stationary points of each smooth branch, as functions of the
        other symbols: only polynomial first-order conditions (bounded time); the
        others are left to the numerical search, which always runs as well."""
        if not self.symbolic:
            return []
        out = []
        for expr, _ in smooth_branches(self.expr):
            if self.var not in expr.free_symbols:
                continue
            roots = solve_univariate(sympy.diff(expr, self.var), self.var,
                                     polynomial_only=True) or ()
            out += [r for r in roots if r.free_symbols <= set(self.args)]
        return out

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for key in ("_f", "_df", "_switches", "_roots", "_grid", "_static_switches"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._compile()

    # -- evaluation
    def arg_vector(self, others: Values | None) -> list[np.ndarray]:
        """The other symbols' values, in `args` order, as 1-element arrays."""
        table = symbol_values(others, set(self.args))
        missing = [s.name for s in self.args if s not in table]
        if missing:
            raise SolverError(f"no value for {', '.join(missing)} in a best-response call")
        return [np.array([table[s]]) for s in self.args]

    def values(self, x: Any, args: Sequence[Any]) -> np.ndarray:
        """The payoff at x against the given other-symbol values (broadcast)."""
        return evaluate_compiled(self._f, x, args)

    def value(self, x: float, others: Values | None = None) -> float:
        """The payoff at one point."""
        return float(self.values(np.array([x]), self.arg_vector(others))[0])

    def batch(self, arg_values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Best response (highest payoff, lowest x among exact ties) and its value for
        each entry of the broadcast other-symbol arrays (flattened in row-major order).

        Arrays of two or more dimensions that broadcast (e.g. a column of leader values
        against a row of mean fields) keep their shapes on the grid: a part of the payoff
        that depends on some of them only is computed once per distinct value."""
        args = broadcast_args(arg_values)
        shaped = None
        if any(np.ndim(a) > 1 for a in arg_values):
            shaped = [np.asarray(a, float)[..., None] for a in arg_values]
        cand = self._candidates(args, shaped=shaped)
        vals = self._candidate_values(cand, args)
        order = np.lexsort((cand.xs, -vals, cand.rows))
        rows = cand.rows[order]
        first = order[np.r_[True, rows[1:] != rows[:-1]]]
        size = args[0].size if args else 1
        best_x, best_v = np.full(size, np.nan), np.full(size, -np.inf)
        best_x[cand.rows[first]] = cand.xs[first]
        best_v[cand.rows[first]] = vals[first]
        return best_x, best_v

    def __call__(self, others: Values | None = None) -> BestResponse:
        """The full best-response set at one opponent state (ties, intervals, suprema)."""
        args = self.arg_vector(others)
        cand = self._candidates(args, grid_values=True)
        vals = self._candidate_values(cand, args)
        if not np.isfinite(vals).any():
            raise SolverError(f"the payoff is undefined everywhere on [{self.lo}, {self.hi}]")
        regular = cand.kinds != PROBE
        v_reg = vals[regular].max() if regular.any() else -np.inf
        v_all = vals.max()
        tol_abs = relative_tolerance(self.tol, v_all)
        attained = v_all <= v_reg + tol_abs
        pool = regular if attained else ~regular
        best = v_reg if attained else v_all
        value_at = lambda z: self.values(z, args)  # noqa: E731 - the state fixed
        points = merge_points(cand.xs[pool], vals[pool], best - tol_abs, self._merge_tol(),
                              value_at)
        intervals = indifference_intervals(self._grid, cand.grid_values[0], best, tol_abs,
                                           value_at)
        points = [p for p in points if not any(a - 1e-12 <= p <= b + 1e-12 for a, b in intervals)]
        supremum = None
        if not attained:
            switches = cand.xs[cand.kinds == SWITCH]
            supremum = extrapolated_limit(points[0], switches, value_at)
        order = np.lexsort((cand.xs[pool], -vals[pool]))
        argmax = float(cand.xs[pool][order[0]])
        return BestResponse(tuple(points), tuple(intervals), float(best), bool(attained),
                            supremum, argmax)

    # -- candidate search
    def _merge_tol(self) -> float:
        return 1e-9 * max(1.0, self.hi - self.lo)

    def _h(self, fn: Callable, args: Sequence[np.ndarray], rows: np.ndarray) -> Callable:
        picked = [a[rows] for a in args]
        return lambda x, idx: evaluate_compiled(fn, x, [p[idx] for p in picked])

    def _on_grid(self, fn: Callable, columns: list, size: int) -> np.ndarray:
        """fn on the grid for every row: (size, grid) (read-only when broadcast)."""
        out = evaluate_compiled(fn, self._grid[None, :], columns)
        return np.broadcast_to(out.reshape(-1, self._grid.size), (size, self._grid.size))

    def _grid_values(self, args: list[np.ndarray], rows: np.ndarray | None,
                     columns: list | None = None) -> np.ndarray:
        """The payoff on the grid, for the given rows (None: every row, evaluated on
        `columns` when given)."""
        size = args[0].size if args else 1
        picked = args if rows is None else [a[rows] for a in args]
        count = size if rows is None else rows.size
        if rows is not None or columns is None:
            columns = [a[:, None] for a in picked]
        return self._on_grid(self._f, columns, count)

    def _candidates(self, args: list[np.ndarray], grid_values: bool = False,
                    shaped: list | None = None) -> _Candidates:
        """Candidate maximisers of every row; the payoff on the whole grid is computed
        only when asked (`grid_values`) or where the derivative cannot be used.
        `shaped`: the arguments in their broadcast shapes with a grid axis (see batch)."""
        size = args[0].size if args else 1
        columns = shaped if shaped is not None else [a[:, None] for a in args]
        parts: list[tuple[np.ndarray, np.ndarray, int]] = []
        every = np.arange(size)
        parts.append((every, np.full(size, self.lo), ENDPOINT))
        parts.append((every, np.full(size, self.hi), ENDPOINT))
        for fn in self._roots:  # closed-form stationary points (do not depend on x)
            parts.append((every, evaluate_compiled(fn, np.zeros(size), args), STATIONARY))
        slopes = None
        if self._df is not None:
            slopes = self._on_grid(self._df, columns, size)
            parts += self._stationary(slopes, args)
        values = (self._grid_values(args, None, columns) if grid_values or slopes is None
                  else None)
        parts += self._refined_grid_maxima(values, slopes, args)
        for fn, static in zip(self._switches, self._static_switches):
            parts += self._switch_points(fn, columns, args, slopes, static)
        rows = np.concatenate([p[0] for p in parts])
        xs = np.concatenate([p[1] for p in parts])
        kinds = np.concatenate([np.full(p[0].size, p[2]) for p in parts])
        good = np.isfinite(xs) & (xs >= self.lo) & (xs <= self.hi)
        return _Candidates(rows[good], xs[good], kinds[good], values)

    def _stationary(self, slopes: np.ndarray, args: list[np.ndarray]) -> list:
        """Local maxima where the derivative changes sign from + to - (or is zero)."""
        grid = self._grid
        rows, j = nonzero_2d((slopes[:, :-1] > 0) & (slopes[:, 1:] < 0))
        roots = bracketed_roots(self._h(self._df, args, rows), grid[j], grid[j + 1])
        zr, zj = nonzero_2d(slopes == 0)
        return [(rows, roots, STATIONARY), (zr, grid[zj], STATIONARY)]

    def _refined_grid_maxima(self, values: np.ndarray | None, slopes: np.ndarray | None,
                             args: list[np.ndarray]) -> list:
        """Golden-section refinement of grid maxima where no derivative is usable.

        Only local maxima that could reach the row's best grid value within twice their
        local variation are refined (rounding noise elsewhere makes many tiny ones).
        `values`: the payoff on the grid of every row, or None (then it is computed for
        the rows that need it only).
        """
        grid = self._grid
        if grid.size < 3:
            return []
        if slopes is None:
            rows, j = nonzero_2d(np.ones((values.shape[0], grid.size - 2), bool))
            return self._golden_refinement(worst_if_undefined(values), rows, j, args)
        bad = ~np.isfinite(slopes)
        need = np.flatnonzero(bad.any(axis=1))  # rows with a flagged triple of grid points
        if need.size == 0:
            return []
        bad = bad[need]
        rows, j = nonzero_2d(bad[:, :-2] | bad[:, 1:-1] | bad[:, 2:])
        values = self._grid_values(args, need) if values is None else values[need]
        return self._golden_refinement(worst_if_undefined(values), rows, j, args, need)

    def _golden_refinement(self, f: np.ndarray, rows: np.ndarray, j: np.ndarray,
                           args: list[np.ndarray], row_ids: np.ndarray | None = None) -> list:
        """Golden sections around the local maxima at grid index j + 1 of rows of f
        (row k of f is the argument row row_ids[k], or k)."""
        grid = self._grid
        left, mid, right = f[rows, j], f[rows, j + 1], f[rows, j + 2]
        local = (mid >= left) & (mid >= right) & ((mid > left) | (mid > right))
        local &= np.isfinite(mid)
        with np.errstate(invalid="ignore"):
            spread = np.maximum(mid - left, mid - right)
            spread = np.where(np.isfinite(spread), spread, np.inf)
            local &= mid + 2 * spread >= f.max(axis=1)[rows]
        rows, j = rows[local], j[local] + 1
        if row_ids is not None:
            rows = row_ids[rows]
        found = golden_maxima(self._h(self._f, args, rows), grid[j - 1], grid[j + 1])
        return [(rows, found, REFINED)]

    def _static_switch_points(self, fn: Callable) -> tuple[np.ndarray, np.ndarray]:
        """Roots of a condition that depends on the own variable only (the same in every
        row): its sign changes on the grid, refined, and its zeros on the grid."""
        grid = self._grid
        unused = [np.zeros(1)] * len(self.args)  # the condition does not read them
        g = evaluate_compiled(fn, grid, unused)
        j = np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0)
        roots = bracketed_roots(lambda x, idx: evaluate_compiled(fn, x, unused), grid[j],
                                grid[j + 1])
        return roots, grid[np.flatnonzero(g == 0)]

    def _switch_points(self, fn: Callable, columns: list, args: list[np.ndarray],
                       slopes: np.ndarray | None,
                       static: tuple[np.ndarray, np.ndarray] | None = None) -> list:
        """Switch points of one condition, probes beside them, and stationary points
        between a switch and its neighbouring grid points."""
        grid = self._grid
        size = args[0].size if args else 1
        if static is not None:  # the same points in every row, rows in order
            roots, zeros = static
            rows = np.concatenate([np.repeat(np.arange(size), roots.size),
                                   np.repeat(np.arange(size), zeros.size)])
            points = np.concatenate([np.tile(roots, size), np.tile(zeros, size)])
        else:
            g = self._on_grid(fn, columns, size)
            rows, j = nonzero_2d(np.sign(g[:, :-1]) * np.sign(g[:, 1:]) < 0)
            roots = bracketed_roots(self._h(fn, args, rows), grid[j], grid[j + 1])
            zr, zj = nonzero_2d(g == 0)
            rows = np.concatenate([rows, zr])
            points = np.concatenate([roots, grid[zj]])
        keep = np.isfinite(points)
        rows, points = rows[keep], points[keep]
        step = 1e-9 * max(1.0, self.hi - self.lo)
        below = np.clip(points - step, self.lo, self.hi)
        above = np.clip(points + step, self.lo, self.hi)
        parts = [(rows, points, SWITCH), (rows, below, PROBE), (rows, above, PROBE)]
        if slopes is not None and rows.size:
            parts += self._stationary_beside(rows, below, above, args)
        return parts

    def _stationary_beside(self, rows: np.ndarray, below: np.ndarray, above: np.ndarray,
                           args: list[np.ndarray]) -> list:
        grid = self._grid
        h = self._h(self._df, args, rows)
        idx = np.arange(rows.size)
        k = np.clip(np.searchsorted(grid, above, side="right"), 0, grid.size - 1)
        right_ok = (h(above, idx) > 0) & (h(grid[k], idx) < 0) & (grid[k] > above)
        kl = np.clip(np.searchsorted(grid, below, side="left") - 1, 0, grid.size - 1)
        left_ok = (h(grid[kl], idx) > 0) & (h(below, idx) < 0) & (grid[kl] < below)
        out = []
        for ok, a, b in ((right_ok, above, grid[k]), (left_ok, grid[kl], below)):
            sel = np.nonzero(ok)[0]
            if sel.size:
                hs = self._h(self._df, args, rows[sel])
                out.append((rows[sel], bracketed_roots(hs, a[sel], b[sel]), STATIONARY))
        return out

    def _candidate_values(self, cand: _Candidates, args: list[np.ndarray]) -> np.ndarray:
        picked = [a[cand.rows] for a in args]
        return worst_if_undefined(evaluate_compiled(self._f, cand.xs, picked))


def best_response(payoff: sympy.Expr, var: sympy.Symbol, lo: Any, hi: Any,
                  params: Values | None = None, others: Values | None = None, *,
                  grid: int = 601, tol: float = 1e-9) -> BestResponse:
    """The set of maximisers of `payoff` over var in [lo, hi] given values of everything
    else (parameters and the other players' variables)."""
    table = dict(others or {})
    symbols = payoff.free_symbols - {var} - set(symbol_values(params, payoff.free_symbols))
    given = symbol_values(table, symbols)
    br_map = BestResponseMap(payoff, var, lo, hi, params, tuple(sorted(given, key=str)),
                             grid=grid, tol=tol)
    return br_map(given)
