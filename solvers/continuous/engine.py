"""Continuous strategy spaces: best responses, mean-field fixed points, leaders, Nash.

Payoffs arrive as SymPy expressions in real Symbols (strategy variables, mean-field
symbols, parameters). SymPy builds and derives; every number is computed by lambdified
NumPy functions evaluated in bulk (a whole grid, or a whole batch of opponents, per call).

The methods never assume a shape for the best response. Candidates for a maximum over
[lo, hi] are the end points, the points where a Piecewise branch switches (and the
one-sided limits there), and the stationary points of the payoff: roots of the derivative
bracketed on a grid that is uniform plus geometric at both ends (so a large upper bound M
does not hide structure near zero) and refined by a vectorised Illinois regula falsi.

Every solver checks its own answer independently and says what it checked in a
`Certificate`: a fixed-point residual and a maximum unilateral gain for populations, a
dense-grid check for leaders, a best-response check for Nash equilibria.
"""
from __future__ import annotations

import itertools
import math
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import sympy
from scipy import optimize

from gamespec.errors import SolverError, SpecError
from gamespec.result import Certificate

Values = Mapping[Any, float]  # Symbol (or its name) -> number

# Kinds of candidate points for a maximum.
ENDPOINT, STATIONARY, SWITCH, PROBE, REFINED = range(5)
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
SELECTIONS = ("payoff", "min_payoff", "lowest", "highest")


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class BestResponse:
    """The set of maximisers of a payoff over an interval (ties within a tolerance).

    `points` are isolated maximisers, `intervals` intervals of indifference (closed, ends
    attained). When the supremum is a one-sided limit at a discontinuity and not attained,
    `attained` is False, `points` holds the nearest attained points and `supremum` the
    estimated limit.
    """

    points: tuple[float, ...]
    intervals: tuple[tuple[float, float], ...]
    value: float
    attained: bool = True
    supremum: float | None = None
    argmax: float | None = None

    @property
    def choice(self) -> float:
        """One element of the set for single-valued uses: the exact best candidate
        (lowest among exactly equal values), else the lowest element."""
        if self.argmax is not None:
            return float(self.argmax)
        starts = list(self.points) + [a for a, _ in self.intervals]
        return float(min(starts))

    @property
    def is_set(self) -> bool:
        """True when the best response is not a single point."""
        return len(self.points) + len(self.intervals) > 1 or bool(self.intervals)

    def distance(self, x: float) -> float:
        """Distance from x to the set of maximisers."""
        gaps = [abs(x - p) for p in self.points]
        gaps += [max(a - x, 0.0, x - b) for a, b in self.intervals]
        return float(min(gaps))

    def describe(self) -> str:
        """A short plain-text form: `{0, 11.36}` or `[0, 100]`."""
        parts = [f"{p:.6g}" for p in self.points]
        parts += [f"[{a:.6g}, {b:.6g}]" for a, b in self.intervals]
        text = parts[0] if len(parts) == 1 else "{" + ", ".join(parts) + "}"
        return text if self.attained else f"{text} (supremum {self.supremum:.6g} not attained)"


@dataclass(frozen=True)
class FixedPoint:
    """A symmetric population state s with s in BR(aggregate(s))."""

    s: float
    field: float
    residual: float
    gain: float
    payoff: float
    stable: bool
    response: BestResponse


@dataclass(frozen=True)
class MeanFieldResult:
    """All symmetric fixed points found, the selected one and its certificate."""

    fixed_points: tuple[FixedPoint, ...]
    selected: FixedPoint | None
    selection: str
    jumps: tuple[float, ...]
    certificate: Certificate | None


@dataclass(frozen=True)
class FollowerResponse:
    """What the followers do against one leader strategy, with their own check."""

    values: dict[sympy.Symbol, float]
    residual: float = 0.0
    gain: float = 0.0
    ok: bool = True


@dataclass(frozen=True)
class LeaderResult:
    """The leader's optimum against a (possibly jumping) follower map."""

    x: float
    value: float
    follower: FollowerResponse
    attained: bool
    supremum: float
    switches: tuple[tuple[float, float], ...]
    certificate: Certificate


@dataclass(frozen=True)
class NashResult:
    """A pure Nash equilibrium of a game with interval strategies."""

    strategies: dict[str, float]
    values: dict[str, float]
    closed_form: dict[str, sympy.Expr] | None
    method: str
    iterations: int
    certificate: Certificate


@dataclass(frozen=True)
class StackelbergResult:
    """Leader and follower strategies of a two-player continuous Stackelberg game."""

    strategies: dict[str, float]
    values: dict[str, float]
    closed_form: dict[str, sympy.Expr] | None
    agrees: bool | None
    leader: LeaderResult
    certificate: Certificate


@dataclass(frozen=True)
class Branch:
    """One smooth branch of a payoff and its first-order condition."""

    expr: sympy.Expr
    condition: sympy.Basic
    foc: sympy.Basic
    stationary: tuple[sympy.Expr, ...] | None  # None: no closed form found
    second_derivative: sympy.Expr
    constant: bool


@dataclass(frozen=True)
class Candidate:
    """A candidate maximiser: its point, payoff there, origin and when it is admissible."""

    point: sympy.Expr
    value: sympy.Expr
    kind: str
    valid: sympy.Basic


@dataclass(frozen=True)
class BestResponseDerivation:
    """The symbolic best response: FOCs, switch points, candidates and the rule."""

    var: sympy.Symbol
    lo: sympy.Expr
    hi: sympy.Expr
    branches: tuple[Branch, ...]
    switch_points: tuple[sympy.Expr, ...]
    candidates: tuple[Candidate, ...]
    rule: sympy.Expr
    closed_form: sympy.Expr | None
    notes: tuple[str, ...]


# --------------------------------------------------------------------------- helpers
def sample_grid(lo: float, hi: float, n: int = 601) -> np.ndarray:
    """Points of [lo, hi]: uniform, plus geometric clusters at both ends.

    The geometric parts resolve structure near either end even when the interval is
    huge (an upper bound M "arbitrarily large").
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise SolverError(
            f"the interval [{lo}, {hi}] is not finite",
            hint="give the strategy a finite upper bound such as M = 1e6",
        )
    if hi < lo:
        raise SpecError(f"empty interval [{lo}, {hi}]")
    if hi == lo:
        return np.array([float(lo)])
    width = hi - lo
    k = max(n // 4, 8)
    offsets = np.geomspace(width * 1e-12, width, k)
    points = np.concatenate([np.linspace(lo, hi, n), lo + offsets, hi - offsets])
    return np.unique(np.clip(points, lo, hi))


def _symbol_values(values: Values | None, symbols: set) -> dict[sympy.Symbol, float]:
    """Map a {Symbol or name: number} dict onto the given symbols (others ignored)."""
    if not values:
        return {}
    by_name = {s.name: s for s in symbols}
    out: dict[sympy.Symbol, float] = {}
    for key, value in values.items():
        sym = by_name.get(key) if isinstance(key, str) else key
        if sym is not None and sym in symbols:
            out[sym] = float(value)
    return out


def as_expr(value: Any) -> sympy.Basic:
    """A number or SymPy object as a SymPy object (never parses text)."""
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("a truth value is not a number here")
    if isinstance(value, (int, np.integer)):
        return sympy.Integer(int(value))
    if isinstance(value, (float, np.floating)):
        return sympy.Float(float(value))
    raise TypeError(f"expected a number or a SymPy expression, got {type(value).__name__}")


def substitute(expr: sympy.Basic, values: Values | None) -> sympy.Basic:
    """Replace parameter symbols (or names) by their numeric values."""
    expr = as_expr(expr)
    table = _symbol_values(values, expr.free_symbols)
    return expr.xreplace({s: sympy.Float(v) for s, v in table.items()})


def as_number(bound: Any, params: Values | None = None) -> float:
    """A bound (number or SymPy expression in parameters) as a float."""
    if isinstance(bound, (int, float, np.floating, np.integer)):
        return float(bound)
    value = substitute(bound, params)
    if value.free_symbols:
        names = ", ".join(sorted(s.name for s in value.free_symbols))
        raise SolverError(f"a bound depends on {names}, which has no value",
                          hint="give the parameter a value (param X = ... or --set X=...)")
    return float(value)


def _lambdify(args: Sequence[sympy.Symbol], expr: sympy.Basic) -> Callable:
    return sympy.lambdify(tuple(args), expr, modules="numpy", cse=True)


def _evaluate(fn: Callable, x: Any, args: Sequence[Any]) -> np.ndarray:
    """fn(x, *args) as a float array broadcast over all inputs; warnings silenced."""
    args = [np.asarray(a, float) for a in args]  # NumPy semantics: 0**-0.5 is inf
    with np.errstate(all="ignore"):
        out = np.asarray(fn(np.asarray(x, float), *args))
        if np.iscomplexobj(out):
            out = np.where(np.abs(out.imag) <= 1e-12 * (1 + np.abs(out.real)), out.real, np.nan)
        shape = np.broadcast_shapes(np.shape(x), *(np.shape(a) for a in args))
        return np.broadcast_to(out.astype(float), shape).copy()


def _finite(values: np.ndarray) -> np.ndarray:
    """NaN (undefined) payoffs become -inf so that they never win a comparison."""
    return np.where(np.isnan(values), -np.inf, values)


def _tolerance(tol: float, value: float) -> float:
    return tol * (1.0 + (abs(value) if math.isfinite(value) else 0.0))


def bracketed_roots(h: Callable[[np.ndarray, np.ndarray], np.ndarray],
                    a: np.ndarray, b: np.ndarray, maxiter: int = 200,
                    xtol: float = 0.0) -> np.ndarray:
    """Vectorised Illinois regula falsi: one root of h(., k) in each bracket [a_k, b_k].

    h(x, idx) evaluates bracket idx's function at x. The end values must have opposite
    signs; across a discontinuity the bracket shrinks onto the jump. Stops when the
    bracket is narrower than `xtol`, or the iterates stop moving (machine precision).
    Returns NaN where the function is undefined inside the bracket.
    """
    a = np.asarray(a, float).copy()
    b = np.asarray(b, float).copy()
    n = a.size
    root = np.full(n, np.nan)
    if n == 0:
        return root
    every = np.arange(n)
    fa, fb = h(a, every), h(b, every)
    root[fa == 0] = a[fa == 0]
    root[(fb == 0) & (fa != 0)] = b[(fb == 0) & (fa != 0)]
    active = ~((fa == 0) | (fb == 0)) & np.isfinite(fa) & np.isfinite(fb)
    side = np.zeros(n, int)
    last = np.full(n, np.nan)
    eps = 4 * np.finfo(float).eps
    for _ in range(maxiter):
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            break
        ai, bi, fai, fbi = a[idx], b[idx], fa[idx], fb[idx]
        lo, hi = np.minimum(ai, bi), np.maximum(ai, bi)
        c = (ai * fbi - bi * fai) / (fbi - fai)
        c = np.where(np.isfinite(c) & (c > lo) & (c < hi), c, 0.5 * (ai + bi))
        fc = h(c, idx)
        scale = eps * np.maximum(1.0, np.abs(c))
        stop = (fc == 0) | ~np.isfinite(fc) | (c <= lo) | (c >= hi)
        stop |= (hi - lo <= np.maximum(xtol, scale)) | (np.abs(c - last[idx]) <= scale)
        last[idx] = c
        root[idx[stop]] = np.where(np.isfinite(fc[stop]), c[stop], np.nan)
        active[idx[stop]] = False
        keep = ~stop
        idx, c, fc = idx[keep], c[keep], fc[keep]
        same_b = np.sign(fc) == np.sign(fb[idx])
        # Illinois: an end retained twice in a row has its value halved
        ib = idx[same_b]
        fa[ib] = np.where(side[ib] == -1, 0.5 * fa[ib], fa[ib])
        b[ib], fb[ib], side[ib] = c[same_b], fc[same_b], -1
        ia = idx[~same_b]
        fb[ia] = np.where(side[ia] == 1, 0.5 * fb[ia], fb[ia])
        a[ia], fa[ia], side[ia] = c[~same_b], fc[~same_b], 1
    left = np.isnan(root) & active
    root[left] = 0.5 * (a[left] + b[left])
    return root


def refine_sign_changes(fn: Callable[[np.ndarray, np.ndarray], np.ndarray], a: np.ndarray,
                        b: np.ndarray, xtol: float, sections: int = 16,
                        steep: float = 10.0) -> np.ndarray:
    """Shrink brackets [a_k, b_k] of sign changes of a vectorised fn onto the change.

    fn(x, idx) evaluates bracket idx's function at x. Every bracket is cut into
    `sections` + 1 pieces per round, all brackets in one call of fn. After the first
    round, a bracket whose end values are within `steep` times its width looks
    continuous and finishes with Illinois steps; the others (jumps) are cut until
    narrower than `xtol`, so that an indifference at a jump can still be recognised.
    """
    a = np.asarray(a, float).copy()
    b = np.asarray(b, float).copy()
    if a.size == 0:
        return a
    every = np.arange(a.size)
    fa, fb = fn(a, every), fn(b, every)
    fractions = np.linspace(0.0, 1.0, sections + 2)[1:-1]
    first_round = True
    while True:
        width = b - a
        smooth = np.minimum(np.abs(fa), np.abs(fb)) <= steep * width
        active = np.nonzero((width > xtol) & (first_round | ~smooth))[0]
        first_round = False
        if active.size == 0:
            break
        inner = a[active, None] + width[active, None] * fractions[None, :]
        values = fn(inner.ravel(), np.repeat(active, sections)).reshape(inner.shape)
        xs = np.concatenate([a[active, None], inner, b[active, None]], axis=1)
        fs = np.concatenate([fa[active, None], values, fb[active, None]], axis=1)
        change = (np.sign(fs[:, :-1]) * np.sign(fs[:, 1:]) <= 0) & np.isfinite(fs[:, :-1])
        first = np.argmax(change, axis=1)
        rows = np.arange(active.size)
        a[active], b[active] = xs[rows, first], xs[rows, first + 1]
        fa[active], fb[active] = fs[rows, first], fs[rows, first + 1]
    out = 0.5 * (a + b)
    smooth = np.nonzero(np.minimum(np.abs(fa), np.abs(fb)) <= steep * (b - a))[0]
    if smooth.size:
        out[smooth] = bracketed_roots(lambda x, idx: fn(x, smooth[idx]), a[smooth],
                                      b[smooth], xtol=xtol)
    return out


def golden_maxima(h: Callable[[np.ndarray, np.ndarray], np.ndarray],
                  a: np.ndarray, b: np.ndarray, iterations: int = 60) -> np.ndarray:
    """Vectorised golden-section search for a maximum of h(., k) on each [a_k, b_k]."""
    a = np.asarray(a, float).copy()
    b = np.asarray(b, float).copy()
    if a.size == 0:
        return a
    idx = np.arange(a.size)
    c = b - _GOLDEN * (b - a)
    d = a + _GOLDEN * (b - a)
    fc, fd = _finite(h(c, idx)), _finite(h(d, idx))
    for _ in range(iterations):
        left = fc >= fd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        new = np.where(left, b - _GOLDEN * (b - a), a + _GOLDEN * (b - a))
        fnew = _finite(h(new, idx))
        c, d, fc, fd = (np.where(left, new, d), np.where(left, c, new),
                        np.where(left, fnew, fd), np.where(left, fc, fnew))
    return np.where(fc >= fd, c, d)


def _relations(condition: sympy.Basic) -> list[sympy.Basic]:
    if isinstance(condition, sympy.core.relational.Relational):
        return [condition]
    if isinstance(condition, sympy.Basic):
        return sorted(condition.atoms(sympy.core.relational.Relational),
                      key=sympy.default_sort_key)
    return []


def switch_functions(expr: sympy.Basic, var: sympy.Symbol) -> list[sympy.Expr]:
    """Expressions whose zeros in var mark a branch switch or a kink of expr."""
    found: list[sympy.Expr] = []
    for pw in expr.atoms(sympy.Piecewise):
        for _, cond in pw.args:
            found += [r.lhs - r.rhs for r in _relations(cond) if var in r.free_symbols]
    for fn in expr.atoms(sympy.Abs, sympy.sign, sympy.Heaviside):
        if var in fn.args[0].free_symbols:
            found.append(fn.args[0])
    for fn in expr.atoms(sympy.Max, sympy.Min):
        parts = [p for p in fn.args]
        found += [p - q for i, p in enumerate(parts) for q in parts[i + 1:]
                  if var in (p - q).free_symbols]
    unique = {sympy.default_sort_key(g): g for g in found}
    return [unique[k] for k in sorted(unique)]


def _check_free(expr: sympy.Basic, allowed: Sequence[sympy.Symbol], what: str) -> None:
    extra = expr.free_symbols - set(allowed)
    if extra:
        names = ", ".join(sorted(s.name for s in extra))
        raise SolverError(
            f"{what} depends on {names}, which has no value here",
            hint="give every parameter a value, and list the other players' variables",
        )


# --------------------------------------------------------------------------- best response
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
        self.params = dict(_symbol_values(params, _all_symbols(payoff, lo, hi)))
        self.lo = as_number(lo, self.params)
        self.hi = as_number(hi, self.params)
        self.args = tuple(args)
        self.grid_size = grid
        self.tol = tol
        self.expr = substitute(payoff, self.params)
        _check_free(self.expr, (var, *self.args), "the payoff")
        self._compile()

    # -- compilation and pickling
    def _compile(self) -> None:
        symbols = (self.var, *self.args)
        self._f = _lambdify(symbols, self.expr)
        try:
            self._df = _lambdify(symbols, sympy.diff(self.expr, self.var))
        except (TypeError, NameError, SyntaxError):  # unprintable: golden section instead
            self._df = None
        self._switches = [_lambdify(symbols, g) for g in switch_functions(self.expr, self.var)]
        self._roots = [_lambdify(symbols, r) for r in self.stationary_expressions()]
        self._grid = sample_grid(self.lo, self.hi, self.grid_size)

    def stationary_expressions(self) -> list[sympy.Expr]:
        """Closed-form stationary points of each smooth branch, as functions of the
        other symbols: only polynomial first-order conditions (bounded time); the
        others are left to the numerical search, which always runs as well."""
        if not self.symbolic:
            return []
        out = []
        for expr, _ in _branches(self.expr):
            if self.var not in expr.free_symbols:
                continue
            roots = solve_univariate(sympy.diff(expr, self.var), self.var,
                                     polynomial_only=True) or ()
            out += [r for r in roots if r.free_symbols <= set(self.args)]
        return out

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for key in ("_f", "_df", "_switches", "_roots", "_grid"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._compile()

    # -- evaluation
    def arg_vector(self, others: Values | None) -> list[np.ndarray]:
        """The other symbols' values, in `args` order, as 1-element arrays."""
        table = _symbol_values(others, set(self.args))
        missing = [s.name for s in self.args if s not in table]
        if missing:
            raise SolverError(f"no value for {', '.join(missing)} in a best-response call")
        return [np.array([table[s]]) for s in self.args]

    def values(self, x: Any, args: Sequence[Any]) -> np.ndarray:
        """The payoff at x against the given other-symbol values (broadcast)."""
        return _evaluate(self._f, x, args)

    def value(self, x: float, others: Values | None = None) -> float:
        """The payoff at one point."""
        return float(self.values(np.array([x]), self.arg_vector(others))[0])

    def batch(self, arg_values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Best response (highest payoff, lowest x among exact ties) and its value for
        each entry of the broadcast other-symbol arrays."""
        args = _broadcast_args(arg_values)
        cand = self._candidates(args)
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
        cand = self._candidates(args)
        vals = self._candidate_values(cand, args)
        if not np.isfinite(vals).any():
            raise SolverError(f"the payoff is undefined everywhere on [{self.lo}, {self.hi}]")
        regular = cand.kinds != PROBE
        v_reg = vals[regular].max() if regular.any() else -np.inf
        v_all = vals.max()
        tol_abs = _tolerance(self.tol, v_all)
        attained = v_all <= v_reg + tol_abs
        pool = regular if attained else ~regular
        best = v_reg if attained else v_all
        points = _merge_points(cand.xs[pool], vals[pool], best - tol_abs, self._merge_tol(),
                               lambda z: _finite(self.values(z, args)))
        intervals = self._intervals(cand.grid_values[0], best, tol_abs, args)
        points = [p for p in points if not any(a - 1e-12 <= p <= b + 1e-12 for a, b in intervals)]
        supremum = None
        if not attained:
            switches = cand.xs[cand.kinds == SWITCH]
            supremum = self._extrapolated_limit(points[0], switches, args)
        order = np.lexsort((cand.xs[pool], -vals[pool]))
        argmax = float(cand.xs[pool][order[0]])
        return BestResponse(tuple(points), tuple(intervals), float(best), bool(attained),
                            supremum, argmax)

    # -- candidate search
    def _merge_tol(self) -> float:
        return 1e-9 * max(1.0, self.hi - self.lo)

    def _h(self, fn: Callable, args: Sequence[np.ndarray], rows: np.ndarray) -> Callable:
        picked = [a[rows] for a in args]
        return lambda x, idx: _evaluate(fn, x, [p[idx] for p in picked])

    def _candidates(self, args: list[np.ndarray]) -> _Candidates:
        size = args[0].size if args else 1
        grid = self._grid
        columns = [a[:, None] for a in args]
        values = _evaluate(self._f, grid[None, :], columns)
        if values.shape[0] != size:
            values = np.broadcast_to(values, (size, grid.size)).copy()
        parts: list[tuple[np.ndarray, np.ndarray, int]] = []
        every = np.arange(size)
        parts.append((every, np.full(size, self.lo), ENDPOINT))
        parts.append((every, np.full(size, self.hi), ENDPOINT))
        for fn in self._roots:  # closed-form stationary points (do not depend on x)
            parts.append((every, _evaluate(fn, np.zeros(size), args), STATIONARY))
        slopes = None
        if self._df is not None:
            slopes = _evaluate(self._df, grid[None, :], columns)
            slopes = np.broadcast_to(slopes, values.shape)
            parts += self._stationary(slopes, args)
        parts += self._refined_grid_maxima(values, slopes, args)
        for fn in self._switches:
            parts += self._switch_points(fn, columns, args, slopes)
        rows = np.concatenate([p[0] for p in parts])
        xs = np.concatenate([p[1] for p in parts])
        kinds = np.concatenate([np.full(p[0].size, p[2]) for p in parts])
        good = np.isfinite(xs) & (xs >= self.lo) & (xs <= self.hi)
        return _Candidates(rows[good], xs[good], kinds[good], values)

    def _stationary(self, slopes: np.ndarray, args: list[np.ndarray]) -> list:
        """Local maxima where the derivative changes sign from + to - (or is zero)."""
        grid = self._grid
        rows, j = np.nonzero((slopes[:, :-1] > 0) & (slopes[:, 1:] < 0))
        roots = bracketed_roots(self._h(self._df, args, rows), grid[j], grid[j + 1])
        zr, zj = np.nonzero(slopes == 0)
        return [(rows, roots, STATIONARY), (zr, grid[zj], STATIONARY)]

    def _refined_grid_maxima(self, values: np.ndarray, slopes: np.ndarray | None,
                             args: list[np.ndarray]) -> list:
        """Golden-section refinement of grid maxima where no derivative is usable.

        Only local maxima that could reach the row's best grid value within twice their
        local variation are refined (rounding noise elsewhere makes many tiny ones).
        """
        grid = self._grid
        if grid.size < 3:
            return []
        if slopes is None:
            rows, j = np.nonzero(np.ones((values.shape[0], grid.size - 2), bool))
        else:
            bad = ~np.isfinite(slopes)
            rows, j = np.nonzero(bad[:, :-2] | bad[:, 1:-1] | bad[:, 2:])
        f = _finite(values)
        left, mid, right = f[rows, j], f[rows, j + 1], f[rows, j + 2]
        local = (mid >= left) & (mid >= right) & ((mid > left) | (mid > right))
        local &= np.isfinite(mid)
        with np.errstate(invalid="ignore"):
            spread = np.maximum(mid - left, mid - right)
            spread = np.where(np.isfinite(spread), spread, np.inf)
            local &= mid + 2 * spread >= f.max(axis=1)[rows]
        rows, j = rows[local], j[local] + 1
        found = golden_maxima(self._h(self._f, args, rows), grid[j - 1], grid[j + 1])
        return [(rows, found, REFINED)]

    def _switch_points(self, fn: Callable, columns: list, args: list[np.ndarray],
                       slopes: np.ndarray | None) -> list:
        """Switch points of one condition, probes beside them, and stationary points
        between a switch and its neighbouring grid points."""
        grid = self._grid
        g = _evaluate(fn, grid[None, :], columns)
        g = np.broadcast_to(g, (args[0].size if args else 1, grid.size))
        rows, j = np.nonzero(np.sign(g[:, :-1]) * np.sign(g[:, 1:]) < 0)
        roots = bracketed_roots(self._h(fn, args, rows), grid[j], grid[j + 1])
        zr, zj = np.nonzero(g == 0)
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
        return _finite(_evaluate(self._f, cand.xs, picked))

    # -- set-valued extras for the single-state call
    def _intervals(self, row: np.ndarray, best: float, tol_abs: float,
                   args: list[np.ndarray]) -> list[tuple[float, float]]:
        """Intervals of indifference: runs of at least three grid points within tol of
        the best value that span more than 1e-3 of [lo, hi], ends refined by bisection.
        A narrower run is the flat top of an isolated maximum (for tol = 1e-9 that needs
        curvature above ~1e-3 per unit squared), already among the point candidates."""
        inside = _finite(row) >= best - tol_abs
        grid = self._grid
        out = []
        for start, stop in _runs(inside):
            if stop - start < 3 or grid[stop - 1] - grid[start] < 1e-3 * (self.hi - self.lo):
                continue
            a = grid[start] if start == 0 else self._edge(grid[start - 1], grid[start], best,
                                                          tol_abs, args)
            b = grid[stop - 1] if stop == grid.size else self._edge(grid[stop], grid[stop - 1],
                                                                    best, tol_abs, args)
            out.append((float(a), float(b)))
        return out

    def _edge(self, outside: float, inside: float, best: float, tol_abs: float,
              args: list[np.ndarray]) -> float:
        for _ in range(60):
            mid = 0.5 * (outside + inside)
            if mid in (outside, inside):
                break
            if _finite(self.values(np.array([mid]), args))[0] >= best - tol_abs:
                inside = mid
            else:
                outside = mid
        return inside

    def _extrapolated_limit(self, point: float, switches: np.ndarray,
                            args: list[np.ndarray]) -> float:
        """The one-sided limit at the switch next to `point`, by linear extrapolation
        from `point` and a point as far again from the switch on the same side."""
        if switches.size == 0:
            return float(self.values(np.array([point]), args)[0])
        switch = switches[np.argmin(np.abs(switches - point))]
        away = point + (point - switch)
        v0, v1 = self.values(np.array([point, away]), args)
        return float(max(v0, v0 + (v0 - v1))) if np.isfinite(v1) else float(v0)


def _all_symbols(*items: Any) -> set:
    out: set = set()
    for item in items:
        if isinstance(item, sympy.Basic):
            out |= item.free_symbols
    return out


def _broadcast_args(arg_values: Sequence[Any]) -> list[np.ndarray]:
    if not arg_values:
        return []
    arrays = [np.atleast_1d(np.asarray(a, float)) for a in arg_values]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    return [np.broadcast_to(a, shape).ravel().copy() for a in arrays]


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index ranges where mask is True."""
    padded = np.concatenate([[False], mask, [False]]).astype(int)
    edges = np.diff(padded)
    return list(zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]))


def _plateau(a: float, b: float, floor: float,
             value_at: Callable[[np.ndarray], np.ndarray]) -> bool:
    between = a + (b - a) * np.array([0.25, 0.5, 0.75])
    return bool(np.all(value_at(between) >= floor))


def _merge_points(xs: np.ndarray, vals: np.ndarray, floor: float, merge: float,
                  value_at: Callable[[np.ndarray], np.ndarray]) -> list[float]:
    """Distinct maximisers among points whose value is at least `floor`.

    Neighbours closer than `merge`, or joined by a plateau above `floor` (checked at
    three interior points), are one flat maximum and collapse to their best member.
    """
    keep = vals >= floor
    order = np.argsort(xs[keep], kind="stable")
    xs, vals = xs[keep][order], vals[keep][order]
    out: list[float] = []
    best_v: list[float] = []
    last = math.nan
    for x, v in zip(xs, vals):
        if out and (x - last <= merge or _plateau(last, float(x), floor, value_at)):
            if v > best_v[-1]:
                out[-1], best_v[-1] = float(x), float(v)
        else:
            out.append(float(x))
            best_v.append(float(v))
        last = float(x)
    return out


def best_response(payoff: sympy.Expr, var: sympy.Symbol, lo: Any, hi: Any,
                  params: Values | None = None, others: Values | None = None, *,
                  grid: int = 601, tol: float = 1e-9) -> BestResponse:
    """The set of maximisers of `payoff` over var in [lo, hi] given values of everything
    else (parameters and the other players' variables)."""
    table = dict(others or {})
    symbols = payoff.free_symbols - {var} - set(_symbol_values(params, payoff.free_symbols))
    given = _symbol_values(table, symbols)
    br_map = BestResponseMap(payoff, var, lo, hi, params, tuple(sorted(given, key=str)),
                             grid=grid, tol=tol)
    return br_map(given)


# --------------------------------------------------------------------------- symbolic BR
class _TimeUp(BaseException):
    """Raised by the alarm to abandon a symbolic computation (not an Exception, so that
    SymPy's own `except Exception` blocks cannot swallow it)."""


def with_time_limit(fn: Callable[[], Any], seconds: float | None) -> Any:
    """fn() or None when it takes longer than `seconds`.

    Uses SIGALRM, which only the main thread can receive; elsewhere it returns None
    without running fn, and the caller falls back to numbers.
    """
    if seconds is None:
        return fn()
    if threading.current_thread() is not threading.main_thread() or not hasattr(
            signal, "SIGALRM"):
        return None

    def alarm(signum: int, frame: Any) -> None:
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, alarm)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        return fn()
    except _TimeUp:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_delay > 0:
            left = max(old_delay - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)


def _realified(exprs: Sequence[sympy.Basic]) -> tuple[list[sympy.Basic], dict, dict]:
    """Copies of exprs whose symbols are all real (solve then drops complex roots)."""
    symbols = set().union(*(e.free_symbols for e in exprs)) if exprs else set()
    forward = {s: sympy.Symbol(s.name, real=True) for s in symbols if not s.is_real}
    back = {v: k for k, v in forward.items()}
    return [e.xreplace(forward) for e in exprs], forward, back


def _quietly(fn: Callable[[], Any]) -> Any:
    """fn(), or None when SymPy gives up (NotImplementedError and kin)."""
    try:
        return fn()
    except (NotImplementedError, ValueError, TypeError, RecursionError):
        return None


def _max_polynomial_degree(expr: sympy.Expr, var: sympy.Symbol) -> int | None:
    numerator = sympy.fraction(sympy.together(expr))[0]
    if not numerator.is_polynomial(var):
        return None
    return sympy.degree(numerator, var)


def solve_univariate(expr: sympy.Expr, var: sympy.Symbol, timeout: float | None = 2.0, *,
                     polynomial_only: bool = False) -> tuple[sympy.Expr, ...] | None:
    """Closed-form real solutions of expr = 0 in var, or None when none is found in time.

    Low-degree polynomial equations (after clearing denominators) are solved directly,
    which is fast and bounded; anything else goes to solveset under a time limit, unless
    `polynomial_only`, when it returns None at once.
    """
    (real_expr,), forward, back = _realified([expr])
    real_var = forward.get(var, var)
    degree = _max_polynomial_degree(real_expr, real_var)
    numeric = not (real_expr.free_symbols - {real_var})
    if degree is not None and degree <= (4 if numeric else 2):
        found = _quietly(lambda: sympy.solve(real_expr, real_var))
    elif polynomial_only:
        return None
    else:
        found = with_time_limit(
            lambda: _quietly(lambda: sympy.solveset(real_expr, real_var, sympy.S.Reals)),
            timeout)
        if found is sympy.S.EmptySet:
            return ()
        found = list(found) if isinstance(found, sympy.FiniteSet) else None
    if found is None:
        return None
    roots = [r.xreplace(back) for r in found if r.is_real is not False]
    return tuple(sorted(set(roots), key=sympy.default_sort_key))


def _branches(payoff: sympy.Expr) -> list[tuple[sympy.Expr, sympy.Basic]]:
    """(expression, exclusive condition) for each smooth piece of the payoff."""
    if not payoff.has(sympy.Piecewise):
        return [(payoff, sympy.true)]
    folded = sympy.piecewise_fold(payoff)
    if not isinstance(folded, sympy.Piecewise):
        return [(folded, sympy.true)]
    folded = sympy.piecewise_exclusive(folded)
    return [(e, c) for e, c in folded.args]


def _branch(expr: sympy.Expr, condition: sympy.Basic, var: sympy.Symbol,
            timeout: float | None) -> Branch:
    derivative = sympy.diff(expr, var)
    constant = var not in expr.free_symbols
    stationary = () if constant else solve_univariate(derivative, var, timeout)
    return Branch(expr, condition, sympy.Eq(derivative, 0), stationary,
                  sympy.diff(expr, var, 2), constant)


def _degenerate_region(condition: sympy.Basic, var: sympy.Symbol, lo: sympy.Expr,
                       hi: sympy.Expr) -> bool:
    """True when a branch condition holds at isolated points of [lo, hi] only (e.g.
    x <= 0 on [0, M]). Symbolic bounds are tried at two widths, 1 and 1e6."""
    if condition is sympy.true or condition.free_symbols - {var}:
        return False
    bound_symbols = (lo.free_symbols | hi.free_symbols) - {var}
    verdicts = []
    for width in (1, 10**6):
        stand_in = {b: lo.subs({c: 0 for c in bound_symbols}) + width for b in bound_symbols}
        a, b = lo.subs(stand_in), hi.subs(stand_in)
        if not (a.is_number and b.is_number) or not bool(a < b):
            return False
        try:
            region = condition.as_set().intersect(sympy.Interval(a, b))
        except (NotImplementedError, TypeError, ValueError):
            return False
        verdicts.append(isinstance(region, sympy.FiniteSet) or region is sympy.S.EmptySet)
    return all(verdicts)


def _placeholder(var: sympy.Symbol, k: int, many: bool) -> sympy.Symbol:
    suffix = f"_{k}" if many else ""
    return sympy.Symbol(f"{var.name}^*{suffix}", real=True)


def _bounded(point: sympy.Expr, lo: sympy.Expr, hi: sympy.Expr) -> sympy.Basic:
    return sympy.And(sympy.Ge(point, lo), sympy.Le(point, hi))


def _candidates_symbolic(payoff: sympy.Expr, var: sympy.Symbol, lo: sympy.Expr,
                         hi: sympy.Expr, branches: list[Branch],
                         switches: list[sympy.Expr]) -> tuple[list[Candidate], list[str]]:
    out: list[Candidate] = []
    notes: list[str] = []
    live = [b for b in branches if not _degenerate_region(b.condition, var, lo, hi)]
    if len(live) < len(branches):
        notes.append("branches active only at isolated points of the interval are covered "
                     "by the switch and end-point candidates")
    many = sum(1 for b in live if b.stationary is None) > 1
    for k, branch in enumerate(live):
        if branch.constant:
            notes.append(f"payoff constant in {var} where {branch.condition}: any such point "
                         "is a best response there")
            continue
        points = branch.stationary
        if points is None:
            star = _placeholder(var, k, many)
            notes.append(f"{star} solves the first-order condition {branch.foc} "
                         f"(no closed form)")
            points = (star,)
        for p in points:
            valid = sympy.And(branch.condition.subs(var, p), _bounded(p, lo, hi))
            if valid is not sympy.false:
                out.append(Candidate(p, branch.expr.subs(var, p), "stationary", valid))
    for p in switches:
        valid = _bounded(p, lo, hi)
        if valid is not sympy.false:
            out.append(Candidate(p, payoff.subs(var, p), "switch", valid))
    out.append(Candidate(lo, payoff.subs(var, lo), "end point", sympy.true))
    out.append(Candidate(hi, payoff.subs(var, hi), "end point", sympy.true))
    unique: dict = {}
    for c in out:
        unique.setdefault(c.point, c)
    return list(unique.values()), notes


def _selection_rule(candidates: list[Candidate]) -> sympy.Expr:
    """Piecewise: the candidate whose payoff is at least every other admissible one's."""
    pieces = []
    for i, c in enumerate(candidates[:-1]):
        beats = [sympy.Or(sympy.Not(d.valid), sympy.Ge(c.value, d.value))
                 for j, d in enumerate(candidates) if j != i]
        pieces.append((c.point, sympy.And(c.valid, *beats)))
    pieces.append((candidates[-1].point, True))
    return sympy.Piecewise(*pieces)


def symbolic_best_response(payoff: sympy.Expr, var: sympy.Symbol, lo: Any, hi: Any, *,
                           timeout: float | None = 2.0) -> BestResponseDerivation:
    """The derivation `gamespec derive` prints: FOC per smooth branch and its solutions,
    branch switch points, the candidates and the rule choosing among them (for an
    indicator cost C*[x > 0] the rule reads "0 or the interior optimum, whichever pays
    more"), and the clipped closed form when the payoff is smooth with one stationary
    point."""
    lo, hi = as_expr(lo), as_expr(hi)
    branches = [_branch(e, c, var, timeout) for e, c in _branches(payoff)]
    switches: list[sympy.Expr] = []
    for g in switch_functions(payoff, var):
        roots = solve_univariate(g, var, timeout)
        switches += list(roots or ())
    switches = sorted(set(switches), key=sympy.default_sort_key)
    candidates, notes = _candidates_symbolic(payoff, var, lo, hi, branches, switches)
    closed = None
    if len(branches) == 1 and branches[0].stationary is not None \
            and len(branches[0].stationary) == 1:
        concave = branches[0].second_derivative.is_negative
        closed = sympy.Min(sympy.Max(branches[0].stationary[0], lo), hi)
        if concave is not True:
            notes.append(f"the clipped stationary point is the best response when "
                         f"{branches[0].second_derivative} < 0 (concave payoff)")
    return BestResponseDerivation(var, lo, hi, tuple(branches), tuple(switches),
                                  tuple(candidates), _selection_rule(candidates), closed,
                                  tuple(notes))


# --------------------------------------------------------------------------- mean field
def _aggregate_function(aggregate: sympy.Expr | None, var: sympy.Symbol,
                        params: Values) -> Callable[[np.ndarray], np.ndarray]:
    expr = var if aggregate is None else substitute(aggregate, params)
    _check_free(expr, (var,), "the mean-field aggregate")
    fn = _lambdify((var,), expr)
    return lambda s: _evaluate(fn, np.asarray(s, float), [])


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
            given = _symbol_values(row, set(fixed_symbols))
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
    table = residual(np.repeat(np.arange(n), states.size), np.tile(states, n))
    table = table.reshape(n, states.size)
    candidates = _grid_candidates(table, states, tol_x)
    close = np.abs(table) <= tol_x
    row_of, k = np.nonzero((np.sign(table[:, :-1]) * np.sign(table[:, 1:]) < 0)
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
        out.append([float(states[a + np.argmin(np.abs(r[a:b]))]) for a, b in _runs(close)])
    return out


def _row_result(residual: _PopulationResidual, row: int, candidates: list[float],
                states: np.ndarray, table_row: np.ndarray, selection: str, tol: float,
                tol_x: float) -> MeanFieldResult:
    points, jumps = _verify_fixed_points(residual, row, candidates, states, table_row, tol_x)
    selected = _select(points, selection, tol)
    certificate = None
    if selected is not None:
        ok = selected.residual <= tol_x and selected.gain <= _tolerance(tol, selected.payoff)
        certificate = Certificate(
            "mean-field fixed point", selected.residual, bool(ok), tol_x,
            {"max_deviation_gain": selected.gain, "fixed_points": float(len(points)),
             "gain_tolerance": _tolerance(tol, selected.payoff)})
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
        return next(p for p in points if p.payoff <= worst + _tolerance(tol, worst))
    best = max(p.payoff for p in points)
    return next(p for p in points if p.payoff >= best - _tolerance(tol, best))


class FollowerMap(Protocol):
    """What `solve_leader` needs: the followers' answer to one leader strategy. A map
    may also offer `batch(xs) -> list[FollowerResponse | None]` (None: no equilibrium),
    which the leader uses for its grids."""

    def __call__(self, x: float) -> FollowerResponse: ...


class PopulationFollower:
    """Gamma(leader): the selected symmetric equilibrium of a population, as a follower
    map for `solve_leader`. Values returned: the own strategy s* and the field."""

    def __init__(self, br_map: BestResponseMap, *, field: sympy.Symbol,
                 leader_var: sympy.Symbol, aggregate: sympy.Expr | None = None,
                 others: Values | None = None, selection: str = "payoff",
                 grid: int = 201, tol: float = 1e-7) -> None:
        self.br_map = br_map
        self.field = field
        self.leader_var = leader_var
        self.aggregate = aggregate
        self.others = dict(others or {})
        self.selection = selection
        self.grid = grid
        self.tol = tol

    def solve_many(self, xs: Sequence[float]) -> list[MeanFieldResult]:
        """The population game at each leader strategy in xs (one batch)."""
        rows = [{**self.others, self.leader_var: float(x)} for x in xs]
        return mean_field_equilibria(self.br_map, rows, field=self.field,
                                     aggregate=self.aggregate, selection=self.selection,
                                     grid=self.grid, tol=self.tol)

    def solve(self, x: float) -> MeanFieldResult:
        """The population game at leader strategy x."""
        return self.solve_many([x])[0]

    def batch(self, xs: Sequence[float]) -> list[FollowerResponse | None]:
        """Followers' responses at many leader strategies (None: no pure equilibrium)."""
        return [self._response(r) for r in self.solve_many(xs)]

    def __call__(self, x: float) -> FollowerResponse:
        response = self.batch([x])[0]
        if response is None:
            raise SolverError(
                f"no symmetric pure equilibrium of the population at "
                f"{self.leader_var} = {x:.6g}",
                hint="the best response jumps across the diagonal; a mixed equilibrium "
                     "may exist")
        return response

    def _response(self, result: MeanFieldResult) -> FollowerResponse | None:
        chosen = result.selected
        if chosen is None:
            return None
        values = {self.br_map.var: chosen.s, self.field: chosen.field}
        return FollowerResponse(values, chosen.residual, chosen.gain,
                                bool(result.certificate and result.certificate.ok))


class BestResponseFollower:
    """A single follower's best response (lowest among ties) as a follower map."""

    def __init__(self, br_map: BestResponseMap, leader_var: sympy.Symbol,
                 others: Values | None = None) -> None:
        self.br_map = br_map
        self.leader_var = leader_var
        self.others = dict(others or {})

    def __call__(self, x: float) -> FollowerResponse:
        state = dict(self.others)
        state[self.leader_var] = float(x)
        response = self.br_map(state)
        y = response.choice
        gain = max(0.0, response.value - self.br_map.value(y, state))
        return FollowerResponse({self.br_map.var: y}, 0.0, gain, response.attained)


# --------------------------------------------------------------------------- leader
class _LeaderObjective:
    """The leader's payoff against the follower map, memoised per leader strategy."""

    def __init__(self, payoff: sympy.Expr, leader_var: sympy.Symbol,
                 follower_map: FollowerMap) -> None:
        self.payoff = payoff
        self.leader_var = leader_var
        self.follower_map = follower_map
        self.memo: dict[float, FollowerResponse | None] = {}
        self._fn: Callable | None = None
        self._keys: tuple[sympy.Symbol, ...] = ()

    @property
    def batched(self) -> bool:
        """Whether the follower map answers many leader strategies in one call."""
        return callable(getattr(self.follower_map, "batch", None))

    def prefetch(self, xs: Sequence[float]) -> None:
        """Fill the memo for many leader strategies at once when the map is batched."""
        missing = sorted({float(x) for x in xs} - set(self.memo))
        if missing and self.batched:
            self.memo.update(zip(missing, self.follower_map.batch(missing)))

    def response(self, x: float) -> FollowerResponse | None:
        """The followers' answer to x (None when they have no equilibrium there)."""
        x = float(x)
        if x not in self.memo:
            try:
                self.memo[x] = self.follower_map(x)
            except SolverError:
                self.memo[x] = None  # no follower equilibrium: the leader cannot play x
        return self.memo[x]

    def __call__(self, x: float) -> float:
        response = self.response(x)
        if response is None:
            return -math.inf
        if self._fn is None:
            self._keys = tuple(sorted(response.values, key=lambda s: s.name))
            _check_free(self.payoff, (self.leader_var, *self._keys), "the leader's payoff")
            self._fn = _lambdify((self.leader_var, *self._keys), self.payoff)
        args = [response.values[k] for k in self._keys]
        value = float(_evaluate(self._fn, np.array([x]), args)[0])
        return value if math.isfinite(value) else -math.inf


def _response_gap(a: FollowerResponse | None, b: FollowerResponse | None,
                  scales: dict) -> float:
    if a is None or b is None:
        return 0.0 if a is b else math.inf
    return max((abs(a.values[k] - b.values[k]) / scales.get(k, 1.0) for k in a.values),
               default=0.0)


def _locate_jump(objective: _LeaderObjective, a: float, b: float, scales: dict,
                 xtol: float) -> tuple[float, float]:
    """Shrink [a, b] onto the point where the follower map jumps, keeping the piece with
    the largest gap: bisection, or quartering when the map is batched (three leader
    values per call cost about what one does)."""
    sections = 3 if objective.batched else 1
    while b - a > xtol:
        points = np.linspace(a, b, sections + 2)
        if np.any(np.diff(points) <= 0):
            break
        objective.prefetch(points)
        responses = [objective.response(v) for v in points]
        gaps = [_response_gap(p, q, scales) for p, q in itertools.pairwise(responses)]
        k = int(np.argmax(gaps))
        a, b = float(points[k]), float(points[k + 1])
    return a, b


def _piece_optimum(objective: _LeaderObjective, xs: np.ndarray, us: np.ndarray,
                   a: float, b: float, xtol: float) -> list[float]:
    """Candidates on one continuous piece [a, b]: its ends, the best grid point and a
    bounded Brent search around it (skipped when the best point is an end of the piece
    and the payoff rises monotonically towards it, as a midpoint probe shows)."""
    inside = np.nonzero((xs >= a) & (xs <= b))[0]
    out = [a, b]
    if inside.size:
        k = inside[np.argmax(us[inside])]
        left = max(a, xs[k - 1]) if k > 0 else a
        right = min(b, xs[k + 1]) if k + 1 < xs.size else b
        out.append(float(xs[k]))
        best_end = max((a, b), key=objective)
        if objective(best_end) >= us[k]:
            near = xs[inside[0]] if best_end == a else xs[inside[-1]]
            near = near if near != best_end else (left if best_end == b else right)
            if objective(0.5 * (near + best_end)) <= objective(best_end):
                return out
        if right - left > xtol:
            found = optimize.minimize_scalar(lambda v: -objective(v), bounds=(left, right),
                                             method="bounded", options={"xatol": xtol})
            out.append(float(found.x))
    return out


def solve_leader(leader_payoff: sympy.Expr, follower_map: FollowerMap, lo: Any, hi: Any, *,
                 leader_var: sympy.Symbol | None = None, params: Values | None = None,
                 grid: int = 101, certificate_grid: int | None = None, tol: float = 1e-7,
                 jump_tol: float = 1e-3) -> LeaderResult:
    """The leader's best strategy in [lo, hi] against a follower map that may jump.

    Jumps of the follower map are bracketed on a grid (uniform plus geometric near
    both ends, so a huge upper bound keeps resolution near lo) and bisected to ~1e-11 of
    the interval; each continuous piece is optimised (grid + bounded Brent); pieces and their
    end points are compared. When the best value sits at a jump, the one-sided limit is
    estimated and `attained` says whether the supremum is reached. Certificate: no point
    of a second, offset grid beats the answer by more than tol, and the followers'
    own residual at the answer.
    """
    leader_var = leader_var if leader_var is not None else follower_map.leader_var
    lo, hi = as_number(lo, params), as_number(hi, params)
    expr = substitute(leader_payoff, params)
    objective = _LeaderObjective(expr, leader_var, follower_map)
    xtol = 1e-11 * max(1.0, hi - lo)
    xs = sample_grid(lo, hi, grid)  # uniform plus geometric near both ends
    objective.prefetch(xs)
    us = np.array([objective(x) for x in xs])
    if not np.isfinite(us).any():
        raise SolverError("the followers have no equilibrium at any leader strategy tried")
    scales = _value_scales([objective.response(x) for x in xs])
    switches = _find_switches(objective, xs, scales, jump_tol, xtol)
    candidates = _leader_candidates(objective, xs, us, lo, hi, switches, xtol)
    values = [objective(x) for x in candidates]
    best = max(range(len(candidates)), key=lambda i: (values[i], -candidates[i]))
    x_best, v_best = candidates[best], values[best]
    supremum = _leader_supremum(objective, x_best, v_best, switches, xtol)
    tol_v = _tolerance(tol, v_best)
    certificate = _leader_certificate(objective, lo, hi, certificate_grid or grid,
                                      x_best, v_best, tol_v)
    return LeaderResult(float(x_best), float(v_best), objective.response(x_best),
                        bool(supremum - v_best <= tol_v), float(supremum),
                        tuple(switches), certificate)


def _value_scales(responses: list[FollowerResponse | None]) -> dict:
    scales: dict = {}
    for r in responses:
        if r is None:
            continue
        for k, v in r.values.items():
            scales[k] = max(scales.get(k, 1.0), 1.0 + abs(v))
    return scales


def _find_switches(objective: _LeaderObjective, xs: np.ndarray, scales: dict,
                   jump_tol: float, xtol: float) -> list[tuple[float, float]]:
    switches = []
    for a, b in itertools.pairwise(xs):
        if _response_gap(objective.response(a), objective.response(b), scales) <= jump_tol:
            continue
        left, right = _locate_jump(objective, float(a), float(b), scales, xtol)
        if _response_gap(objective.response(left), objective.response(right),
                         scales) > jump_tol:
            switches.append((left, right))
    return switches


def _leader_candidates(objective: _LeaderObjective, xs: np.ndarray, us: np.ndarray,
                       lo: float, hi: float, switches: list[tuple[float, float]],
                       xtol: float) -> list[float]:
    ends = [lo] + [v for s in switches for v in s] + [hi]
    candidates: list[float] = []
    for a, b in zip(ends[0::2], ends[1::2]):
        candidates += _piece_optimum(objective, xs, us, a, b, xtol)
    return sorted(set(candidates))


def _leader_supremum(objective: _LeaderObjective, x: float, value: float,
                     switches: list[tuple[float, float]], xtol: float) -> float:
    """Estimate of the one-sided limit when x sits beside a jump (else the value)."""
    for a, b in switches:
        if x not in (a, b):
            continue
        other = b if x == a else a
        step = max(1e3 * xtol, abs(b - a))
        inner = x - step if x == a else x + step
        slope = (value - objective(inner)) / (x - inner)
        if math.isfinite(slope):
            return max(value, value + slope * (other - x))
    return value


def _leader_certificate(objective: _LeaderObjective, lo: float, hi: float, n: int,
                        x: float, value: float, tol_v: float) -> Certificate:
    step = (hi - lo) / max(n, 1)
    check = lo + step * (np.arange(n) + 0.5 * (math.sqrt(5.0) - 1.0))
    check = check[(check >= lo) & (check <= hi)]
    objective.prefetch(check)
    best_grid = max((objective(v) for v in check), default=-math.inf)
    gain = max(0.0, best_grid - value)
    response = objective.response(x)
    follower_residual = response.residual if response else math.inf
    ok = gain <= tol_v and response is not None and response.ok
    return Certificate("leader grid check + follower residual", float(max(gain, 0.0)), bool(ok),
                       tol_v, {"grid_points": float(check.size), "grid_gain": float(gain),
                               "follower_residual": float(follower_residual),
                               "follower_gain": float(response.gain if response else math.inf)})


# --------------------------------------------------------------------------- Nash / Cournot
def nash_closed_form(payoffs: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol], *,
                     timeout: float | None = 5.0) -> list[dict[sympy.Symbol, sympy.Expr]]:
    """Solutions of the system of first-order conditions d u_i / d x_i = 0.

    Polynomial systems of total degree <= 2 are solved directly; others under a time
    limit. Returns [] when no closed form is found.
    """
    focs = [sympy.diff(u, x) for u, x in zip(payoffs, variables)]
    real_focs, forward, back = _realified(focs)
    real_vars = [forward.get(v, v) for v in variables]
    simple = all(sympy.fraction(sympy.together(f))[0].is_polynomial(*real_vars)
                 and sympy.Poly(sympy.fraction(sympy.together(f))[0], *real_vars).total_degree()
                 <= 2 for f in real_focs)

    def run() -> list | None:
        return _quietly(lambda: sympy.solve(real_focs, real_vars, dict=True))

    found = run() if simple else with_time_limit(run, timeout)
    out = []
    for sol in found or []:
        if all(v in sol for v in real_vars):
            out.append({var: sympy.simplify(sol[rv].xreplace(back))
                        for var, rv in zip(variables, real_vars)})
    return out


def _unilateral_gains(maps: list[BestResponseMap], variables: Sequence[sympy.Symbol],
                      point: dict[sympy.Symbol, float]) -> list[float]:
    gains = []
    for br_map, var in zip(maps, variables):
        others = {s: point[s] for s in br_map.args}
        response = br_map(others)
        gains.append(max(0.0, response.value - br_map.value(point[var], others)))
    return gains


def _nash_certificate(maps: list[BestResponseMap], variables: Sequence[sympy.Symbol],
                      point: dict[sympy.Symbol, float], tol: float) -> Certificate:
    gains = _unilateral_gains(maps, variables, point)
    values = [m.value(point[v], {s: point[s] for s in m.args}) for m, v in zip(maps, variables)]
    limits = [_tolerance(tol, v) for v in values]
    ok = all(g <= limit for g, limit in zip(gains, limits))
    worst = int(np.argmax(gains))  # the reported tolerance is that of the largest gain
    return Certificate("max unilateral gain", float(max(gains)), bool(ok), limits[worst],
                       {f"gain_{v.name}": float(g) for v, g in zip(variables, gains)})


def _best_response_iteration(maps: list[BestResponseMap], variables: Sequence[sympy.Symbol],
                             start: dict[sympy.Symbol, float], max_iter: int,
                             damping: float, tol_x: float) -> tuple[dict, int, bool]:
    point = dict(start)
    for it in range(1, max_iter + 1):
        change = 0.0
        for br_map, var in zip(maps, variables):
            target = br_map({s: point[s] for s in br_map.args}).choice
            new = (1 - damping) * target + damping * point[var]
            change = max(change, abs(new - point[var]))
            point[var] = new
        if change <= tol_x:
            return point, it, True
    return point, max_iter, False


def _fsolve_focs(payoffs: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol],
                 start: dict, bounds: list[tuple[float, float]]) -> dict:
    focs = [sympy.diff(u, x) for u, x in zip(payoffs, variables)]
    fn = _lambdify(variables, sympy.Matrix(focs))
    x0 = np.array([start[v] for v in variables])
    with np.errstate(all="ignore"):
        sol = optimize.fsolve(lambda z: np.ravel(fn(*z)).astype(float), x0, full_output=True)[0]
    return {v: float(np.clip(z, lo, hi)) for v, z, (lo, hi) in zip(variables, sol, bounds)}


def nash_continuous(payoffs: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol],
                    bounds: Sequence[tuple[Any, Any]], params: Values | None = None, *,
                    symbolic: bool = True, tol: float = 1e-8, max_iter: int = 500,
                    grid: int = 601, timeout: float | None = 5.0) -> NashResult:
    """A pure Nash equilibrium of a game with interval strategies (e.g. Cournot).

    First the first-order conditions are solved symbolically (closed forms kept in
    `closed_form`, parameters left symbolic); a solution is accepted only if it lies in
    the bounds and passes the best-response check. Otherwise best-response iteration
    (plain, then damped) and finally fsolve on the FOCs. Certificate: the maximum gain
    any player gets by deviating, each best response computed globally on its interval.
    """
    variables = tuple(variables)
    numeric = [substitute(u, params) for u in payoffs]
    box = [(as_number(a, params), as_number(b, params)) for a, b in bounds]
    maps = [BestResponseMap(u, v, a, b, None, tuple(w for w in variables if w != v), grid=grid)
            for u, v, (a, b) in zip(numeric, variables, box)]
    closed = nash_closed_form(payoffs, variables, timeout=timeout) if symbolic else []
    for solution in closed:
        point = _numeric_point(solution, params, variables, box)
        if point is None:
            continue
        certificate = _nash_certificate(maps, variables, point, tol)
        if certificate.ok:
            return _nash_result(maps, variables, point, solution, "symbolic first-order "
                                "conditions", 0, certificate)
    tol_x = 1e-10 * max(1.0, max(b - a for a, b in box))
    start = {v: 0.5 * (a + b) if b - a < 1e6 else a for v, (a, b) in zip(variables, box)}
    for damping in (0.0, 0.5):
        point, its, converged = _best_response_iteration(maps, variables, start, max_iter,
                                                         damping, tol_x)
        certificate = _nash_certificate(maps, variables, point, tol)
        if converged and certificate.ok:
            name = "best-response iteration" + (" (damped)" if damping else "")
            return _nash_result(maps, variables, point, None, name, its, certificate)
    point = _fsolve_focs(numeric, variables, point, box)
    certificate = _nash_certificate(maps, variables, point, tol)
    if certificate.ok:
        return _nash_result(maps, variables, point, None, "fsolve on first-order conditions",
                            max_iter, certificate)
    raise SolverError("no pure Nash equilibrium found",
                      hint=f"best-response iteration did not converge and the best "
                           f"candidate leaves a gain of {certificate.residual:.3g}")


def _numeric_point(solution: dict, params: Values | None, variables: Sequence[sympy.Symbol],
                   box: list[tuple[float, float]]) -> dict | None:
    point = {}
    for var, (a, b) in zip(variables, box):
        value = substitute(solution[var], params)
        if value.free_symbols or not value.is_real:
            return None
        x = float(value)
        slack = 1e-9 * max(1.0, b - a)
        if not a - slack <= x <= b + slack:
            return None
        point[var] = min(max(x, a), b)
    return point


def _nash_result(maps: list[BestResponseMap], variables: Sequence[sympy.Symbol],
                 point: dict, closed: dict | None, method: str, iterations: int,
                 certificate: Certificate) -> NashResult:
    values = {v.name: m.value(point[v], {s: point[s] for s in m.args})
              for m, v in zip(maps, variables)}
    forms = {v.name: e for v, e in closed.items()} if closed else None
    return NashResult({v.name: float(point[v]) for v in variables}, values, forms, method,
                      iterations, certificate)


# --------------------------------------------------------------------------- Stackelberg
def stackelberg_closed_form(leader_payoff: sympy.Expr, follower_payoff: sympy.Expr,
                            leader_var: sympy.Symbol, follower_var: sympy.Symbol, *,
                            timeout: float | None = 5.0) -> list[dict[str, sympy.Expr]]:
    """Substitute the follower's unique stationary point y(x) into the leader's payoff
    and solve the leader's first-order condition. Each solution is a dict with the
    follower's response `response`, and the leader's and follower's strategies."""
    responses = solve_univariate(sympy.diff(follower_payoff, follower_var), follower_var,
                                 timeout)
    if not responses or len(responses) != 1:
        return []
    response = sympy.simplify(responses[0])
    reduced = leader_payoff.subs(follower_var, response)
    leaders = solve_univariate(sympy.diff(reduced, leader_var), leader_var, timeout) or ()
    return [{"response": response, leader_var.name: sympy.simplify(x),
             follower_var.name: sympy.simplify(response.subs(leader_var, x))} for x in leaders]


def stackelberg_continuous(leader_payoff: sympy.Expr, follower_payoff: sympy.Expr,
                           leader_var: sympy.Symbol, follower_var: sympy.Symbol,
                           leader_bounds: tuple[Any, Any], follower_bounds: tuple[Any, Any],
                           params: Values | None = None, *, grid: int = 201,
                           tol: float = 1e-7, symbolic: bool = True,
                           timeout: float | None = 5.0) -> StackelbergResult:
    """Two-player Stackelberg game with interval strategies.

    Numerically: the follower's best response (global, set-valued, lowest among ties)
    as a follower map and `solve_leader` against it. Symbolically (when possible): the
    follower's stationary point substituted into the leader's payoff. `agrees` says
    whether the closed form, evaluated, matches the numerical answer.
    """
    br_map = BestResponseMap(follower_payoff, follower_var, *follower_bounds, params,
                             (leader_var,))
    follower = BestResponseFollower(br_map, leader_var)
    lead = solve_leader(leader_payoff, follower, *leader_bounds, leader_var=leader_var,
                        params=params, grid=grid, tol=tol)
    y = lead.follower.values[follower_var]
    strategies = {leader_var.name: lead.x, follower_var.name: y}
    values = {leader_var.name: lead.value,
              follower_var.name: br_map.value(y, {leader_var: lead.x})}
    closed = stackelberg_closed_form(leader_payoff, follower_payoff, leader_var, follower_var,
                                     timeout=timeout) if symbolic else []
    chosen, agrees = _matching_closed_form(closed, params, strategies)
    residual = max(lead.certificate.residual, lead.follower.gain)
    certificate = Certificate("leader grid check + follower best-response gain", residual,
                              lead.certificate.ok and residual <= lead.certificate.tolerance,
                              lead.certificate.tolerance, dict(lead.certificate.details))
    return StackelbergResult(strategies, values, chosen, agrees, lead, certificate)


def _matching_closed_form(closed: list[dict], params: Values | None,
                          strategies: dict[str, float]) -> tuple[dict | None, bool | None]:
    if not closed:
        return None, None
    for form in closed:
        numbers = {}
        for name in strategies:
            value = substitute(form[name], params)
            if value.free_symbols or not value.is_real:
                break
            numbers[name] = float(value)
        else:
            if all(abs(numbers[k] - v) <= 1e-5 * (1 + abs(v)) for k, v in strategies.items()):
                return form, True
    return closed[0], False


__all__ = [
    "BestResponse",
    "BestResponseDerivation",
    "BestResponseFollower",
    "BestResponseMap",
    "Branch",
    "Candidate",
    "Certificate",
    "FixedPoint",
    "FollowerMap",
    "FollowerResponse",
    "LeaderResult",
    "MeanFieldResult",
    "NashResult",
    "PopulationFollower",
    "StackelbergResult",
    "as_expr",
    "as_number",
    "best_response",
    "bracketed_roots",
    "golden_maxima",
    "mean_field_equilibria",
    "mean_field_fixed_points",
    "nash_closed_form",
    "nash_continuous",
    "refine_sign_changes",
    "sample_grid",
    "solve_leader",
    "solve_univariate",
    "stackelberg_closed_form",
    "stackelberg_continuous",
    "substitute",
    "switch_functions",
    "symbolic_best_response",
    "with_time_limit",
]

