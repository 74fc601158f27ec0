"""The leader's optimum against a follower map that may jump: jumps bracketed and bisected,
each continuous piece optimised, the answer checked on a second, offset grid.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy

from gamespec.errors import SolverError
from gamespec.result import Certificate
from gamespec.solvers.continuous.expressions import (
    Values,
    as_number,
    check_free,
    compile_expr,
    evaluate_compiled,
    substitute,
)
from gamespec.solvers.continuous.followers import FollowerMap
from gamespec.solvers.continuous.results import FollowerResponse, LeaderResult
from gamespec.solvers.continuous.sampling import relative_tolerance, sample_grid


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
            check_free(self.payoff, (self.leader_var, *self._keys), "the leader's payoff")
            self._fn = compile_expr((self.leader_var, *self._keys), self.payoff)
        args = [response.values[k] for k in self._keys]
        value = float(evaluate_compiled(self._fn, np.array([x]), args)[0])
        return value if math.isfinite(value) else -math.inf


def _response_gap(a: FollowerResponse | None, b: FollowerResponse | None,
                  scales: dict) -> float:
    if a is None or b is None:
        return 0.0 if a is b else math.inf
    return max((abs(a.values[k] - b.values[k]) / scales.get(k, 1.0) for k in a.values),
               default=0.0)


def _locate_jumps(objective: _LeaderObjective, brackets: list[tuple[float, float]],
                  scales: dict, xtol: float, jump_tol: float) -> list[tuple[float, float]]:
    """Shrink each bracket [a, b] onto the point where the follower map jumps, keeping
    the piece with the largest gap: bisection, or quartering when the map is batched
    (three leader values per call cost about what one does). A bracket stops as soon as
    no piece's gap exceeds `jump_tol`: the map was only steep there (a jump keeps its gap
    in one piece). All brackets step together, their new points in one batch per round;
    each bracket visits the points it would visit alone."""
    sections = 3 if objective.batched else 1
    out = [(float(a), float(b)) for a, b in brackets]
    active = list(range(len(out)))
    while active:
        rounds = []
        for i in active:
            a, b = out[i]
            if b - a <= xtol:
                continue
            points = np.linspace(a, b, sections + 2)
            if not np.any(np.diff(points) <= 0):
                rounds.append((i, points))
        objective.prefetch([v for _, points in rounds for v in points])
        active = []
        for i, points in rounds:
            responses = [objective.response(v) for v in points]
            gaps = [_response_gap(p, q, scales) for p, q in itertools.pairwise(responses)]
            k = int(np.argmax(gaps))
            out[i] = (float(points[k]), float(points[k + 1]))
            if gaps[k] > jump_tol:
                active.append(i)
    return out


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
            from scipy import optimize  # imported when needed, not at start-up

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
    tol_v = relative_tolerance(tol, v_best)
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
    steep = [(float(a), float(b)) for a, b in itertools.pairwise(xs)
             if _response_gap(objective.response(a), objective.response(b), scales) > jump_tol]
    return [(left, right) for left, right in _locate_jumps(objective, steep, scales, xtol, jump_tol)
            if _response_gap(objective.response(left), objective.response(right),
                             scales) > jump_tol]


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
