"""The aggregative engine's payoff object for any `AggregatePlan` compiled from a Model.

`PlanPayoff` prices a member's deviation ``c -> c'`` from the plan alone, with no
knowledge of the game it came from:

* **smooth terms** are evaluated at ``S`` and at ``S + d(c')`` for every ``c'`` in one
  batched program call;
* **member terms** ``sum_u N[u] g(u, S)`` change by ``g(u') - g(u)`` of the mover alone
  whenever no pair's ``g`` can change between ``S`` and ``S + d(c')``. That is proved by
  a *window*: at a refresh, interval arithmetic over the box ``S_ref * e^[-tau, tau]``
  shows every pair's ``g`` constant on it (a status such as eps-pDP that no nearby
  aggregate flips), for the largest ``tau`` tried. A move whose end leaves the window is
  priced exactly (``g`` of every pair at ``S + d(c')``) and refreshes the window when it
  is taken.

Moves are measured on a multiplicative *drift clock*: a move changing every entry of
``S`` by a relative amount of at most ``r`` advances it by ``-ln(1 - r)``, so after an
advance ``tau`` every entry lies within ``S * e^[-tau, tau]``.

**Cached decisions** survive while the clock advances less than `drift_budget`: the
window must still contain every alternative's end point, and every smooth term's
deviation differences may move by less than the decision's slack. For a smooth term
that is a sum over entries of a function of one entry (``F = sum_j f_j(S_j)``), the
mean-value theorem bounds ``F(S' + d) - F(S') - (F(S + d) - F(S))`` by
``sum_j |d_j| * max|f_j''| * |S'_j - S_j|``, the maximum taken over a box holding
``S, S', S + d, S' + d``. The second derivative's bound is computed by interval
arithmetic once for a ladder of boxes around a reference aggregate ``S_0``
(`_Sensitivity`) and reused, the boxes widened by the clock distance to ``S_0``, by every
decision until that distance grows too large: a decision's budget then costs one small
matrix product (with ``max_c' |d_j(c')|`` for ``|d_j|``: one bound for every
alternative). A smooth term of any other form gets no budget (its decisions last until
the next switch).

Everything here is exact up to rounding: a decision is the one a fresh evaluation would
give, so this payoff and the grouped oracle reach the same profile.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from gamespec.errors import SpecError
from gamespec.solvers.brd.aggregate_plan import AggregatePlan, batch_rows
from gamespec.solvers.brd.aggregative import (
    AggregateState,
    AggregativeGame,
    AggregativePayoff,
    clock_advance,
    relative_change,
)

WINDOW_START = 1e-2     # first window tried (then 1.5 times the last one found)
WINDOW_FLOOR = 1e-9     # below this the window is 0: every member term priced exactly
WINDOW_MAX = 1.0        # wider boxes (S within a factor e of S_ref) prove nothing useful
BUDGET_LADDER = 0.3 * 0.5 ** np.arange(14)  # box radii around S_0 for the derivative bounds
LADDER = BUDGET_LADDER.tolist()
LADDER_EXP = np.exp(BUDGET_LADDER).tolist()
SENSITIVITY_REUSE = 0.05  # recompute the derivative bounds once S is this far from S_0
BUDGET_SAFETY = 1.0 - 1e-6
MIN_DRIFT = 1e-12  # every switch advances the clock, even one that leaves S unchanged


def relative_drift(d: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Clock advance ``-ln(1 - max_k |d_k| / |S_k|)`` of each row of moves ``d`` from
    ``S`` (``inf`` when a move reaches zero or changes an entry that is 0)."""
    worst = relative_change(d, S)
    return np.where(worst < 1.0, -np.log1p(-np.minimum(worst, 1.0)), np.inf)


def drift_box(S: np.ndarray, tau) -> tuple[np.ndarray, np.ndarray]:
    """Every aggregate within clock distance ``tau`` of ``S``: ``S * e^[-tau, tau]``
    entrywise (``tau`` broadcasts against the rows)."""
    a, b = S * np.exp(-tau), S * np.exp(tau)
    return np.minimum(a, b), np.maximum(a, b)


def _windows_to_try(last: float):
    """Window radii to try, widest first: 1.5 times the last one found (capped), then
    from 0.75 times it (or a quarter of the first) halving down to `WINDOW_FLOOR`."""
    found = 0 < last < math.inf
    first = min(1.5 * last, WINDOW_MAX) if found else WINDOW_START
    yield first
    tau = 0.75 * last if found else first / 4.0
    while tau >= WINDOW_FLOOR:
        yield tau
        tau /= 2.0


class _Sensitivity:
    """For the ladder of box radii ``R`` around ``S_0``: ``|S_0| * max |F''|`` per
    aggregate entry, summed over the smooth terms (``scaled_T``, shape (K, L)), NaN or
    ``inf`` where unbounded."""

    def __init__(self, plan: AggregatePlan, S0: np.ndarray, clock: float) -> None:
        self.clock = clock
        lo, hi = drift_box(S0[None], BUDGET_LADDER[:, None])
        curvature = np.zeros((BUDGET_LADDER.shape[0], S0.shape[0]))
        with np.errstate(all="ignore"):
            for term in plan.smooth_terms:
                c = term.curvature  # its program reads its own columns of the box
                curvature[:, c.cols] += c.magnitude(lo, hi)
            self.scaled_T = np.ascontiguousarray((curvature * np.abs(S0)).T)


class PlanPayoff(AggregativePayoff):
    """`AggregativePayoff` of an `AggregatePlan` (see the module docstring)."""

    def __init__(self, plan: AggregatePlan) -> None:
        self.plan = plan
        self.members = plan.member_terms
        self.smooth = plan.smooth_terms
        self.bounded = all(t.curvature is not None for t in self.smooth)
        self.window_tau = 0.0
        self.decisions = 0       # deltas calls
        self.exact_moves = 0     # deviations priced by evaluating every pair's g
        self.refreshes = 0

    # -- setup ---------------------------------------------------------------------------

    def prepare(self, game: AggregativeGame) -> None:
        self.C = game.n_choices
        self.D = game.difference_rows.reshape(game.n_types * self.C, self.C, game.dim)
        self.absD = np.abs(self.D)
        self.absD_max = np.ascontiguousarray(self.absD.max(axis=1))  # per key, over c'
        self.positive: bool | None = None  # whether every entry of S is > 0 (None: unknown)
        self.frozen = np.zeros(self.D.shape[0])  # sum of coefficient * g per pair (window)
        self.tau_since_refresh = 0.0
        self.clock = 0.0  # the payoff's own drift clock (restarted when the engine forgets)
        self.S_seen: np.ndarray | None = None
        self.sensitivity: _Sensitivity | None = None
        self.key_ratios: dict[int, tuple[float, list[float]]] = {}
        self.last: tuple | None = None

    def reset(self, state: AggregateState) -> float:
        """Refresh at the pass's freshly summed ``S``; the clock advances by the jump
        from the ``S`` tracked so far."""
        S = state.S
        if not np.all(np.isfinite(S)):
            raise SpecError("an aggregate of the common payoff is not finite",
                            hint="guard divisions and logarithms in what the members add up")
        jump = math.inf if self.S_seen is None else \
            float(relative_drift((S - self.S_seen)[None], S)[0])
        self.S_seen = S
        self.positive = None
        if jump == math.inf:
            self.clock, self.key_ratios, self.sensitivity = 0.0, {}, None
        else:
            self.clock += jump
        if jump < math.inf and self.tau_since_refresh + jump <= self.window_tau:
            self.tau_since_refresh += jump  # the recount stays inside the window
        else:
            self._refresh(S)
        return jump

    # -- windows -------------------------------------------------------------------------

    def _refresh(self, S: np.ndarray) -> None:
        """``g`` of every pair at ``S`` and the widest window that provably keeps all of
        them (``g`` read off the proof where one holds: constant on a box holding ``S``;
        evaluated at ``S`` only when no window does)."""
        self.refreshes += 1
        self.tau_since_refresh = 0.0
        if not self.members:
            self.window_tau = math.inf
            return
        for tau in _windows_to_try(self.window_tau):
            held = self._window_values(S, tau)
            if held is not None:
                break
        else:
            tau = 0.0
            with np.errstate(all="ignore"):
                held = [t.per_pair(S[None])[0] for t in self.members]
        self.window_tau = tau
        self.frozen = sum(t.coefficient * g for t, g in zip(self.members, held))

    def _window_values(self, S: np.ndarray, tau: float) -> list[np.ndarray] | None:
        """Every pair's ``g`` (mask applied) if each is constant on the box of clock
        radius ``tau`` around ``S``, else None."""
        lo, hi = drift_box(S[None], tau)
        values = []
        with np.errstate(all="ignore"):
            for term in self.members:
                a, b = term.program.interval(lo, hi)
                n = term.mask.shape[0]
                a = batch_rows(a, term.rank, 1, n)[0] * term.mask
                b = batch_rows(b, term.rank, 1, n)[0] * term.mask
                if not np.array_equal(a, b):  # exactly: g cannot change on the box
                    return None
                values.append(a)
        return values

    # -- the engine's hooks --------------------------------------------------------------

    def deltas(self, state: AggregateState, theta: int, c: int) -> Sequence[float]:
        self.decisions += 1
        k = theta * self.C + c
        S = state.S
        out = self._smooth_part(S, k, c)
        ratios = self._ratios(S, k)
        exact = False
        if self.members:
            base = theta * self.C
            outside = self._outside(ratios, c, self.window_tau - self.tau_since_refresh)
            if outside and self.tau_since_refresh > 0:  # a window centred here may hold them
                self._refresh(S)
                outside = self._outside(ratios, c, self.window_tau)
            member = self.frozen[base:base + self.C] - self.frozen[k]  # held by the window
            if outside:
                exact = True
                member[outside] = self._price_exactly(state, k, base, outside)
            out += member
        self.last = (S, k, ratios, exact)
        out[c] = 0.0
        values = out.tolist()
        if not math.isfinite(sum(values)):
            raise SpecError("the common payoff is not finite (NaN or infinity) at a profile "
                            "the dynamics reached",
                            hint="guard divisions and logarithms, or shrink the strategy set")
        return values

    def _outside(self, ratios: list[float], c: int, room: float) -> list[int]:
        """The alternatives whose move would leave a window with ``room`` left."""
        if clock_advance(max(ratios)) <= room:
            return []
        return [j for j, r in enumerate(ratios) if j != c and clock_advance(r) > room]

    def _smooth_part(self, S: np.ndarray, k: int, c: int) -> np.ndarray:
        """Every smooth term at ``S + d(c')`` minus at ``S``, for each ``c'`` (the row
        of ``c`` itself is ``S``: its difference row is 0)."""
        rows = S + self.D[k]
        out = None
        for term in self.smooth:
            v = term.value(rows)
            out = v - v[c] if out is None else out + (v - v[c])
        return np.zeros(self.C) if out is None else out

    def _ratios(self, S: np.ndarray, k: int) -> list[float]:
        """``max_j |d_j| / |S_j|`` of each move of key ``k`` from ``S`` (remembered with
        the clock for `on_switch`)."""
        if self.positive is None:
            self.positive = bool(S.min() > 0)
        if self.positive:
            ratios = (self.absD[k] / S).max(axis=1).tolist()
        else:
            ratios = relative_change(self.D[k], S).tolist()
        self.key_ratios[k] = (self.clock, ratios)
        return ratios

    def _price_exactly(self, state: AggregateState, k: int, base: int,
                       outside: list[int]) -> np.ndarray:
        """The member terms' change for each alternative ``outside`` the window, exactly:
        every pair's ``g`` at ``S`` and at ``S + d(c')``, the others weighted by their
        counts, plus the mover's own ``g`` after minus before."""
        self.exact_moves += len(outside)
        S = state.S
        rows = np.vstack((S[None], S + self.D[k][outside]))
        stay = state.N.reshape(-1).astype(float)  # the others: the mover leaves pair k
        stay[k] -= 1.0
        empty = stay == 0  # pairs nobody else plays add nothing, even where g is infinite
        total = np.zeros(len(outside))
        for term in self.members:
            with np.errstate(all="ignore"):
                values = term.per_pair(rows)
            now = values[0]
            for r, (row, alt) in enumerate(zip(values[1:], outside)):
                change = row - now
                change[empty] = 0.0
                total[r] += term.coefficient * (stay @ change + row[base + alt] - now[k])
        return total

    def drift_budget(self, slack: float) -> float:
        """How far the clock may advance before the last deltas could move by ``slack``."""
        if self.last is None or not slack > 0:
            return 0.0
        S, k, ratios, exact = self.last
        if exact or not self.bounded:
            return 0.0
        budget = math.inf
        if self.members:  # every end point S' + d(c') must stay in the window
            room = self.window_tau - self.tau_since_refresh
            if room < math.inf:
                grown = max(ratios) * math.exp(room)
                budget = room - clock_advance(grown) if grown < 1.0 else 0.0
                if budget <= 0:
                    return 0.0
        if self.smooth:
            budget = min(budget, self._smooth_budget(S, k, max(ratios), slack))
        return max(0.0, budget * BUDGET_SAFETY) if budget < math.inf else math.inf

    def _smooth_budget(self, S: np.ndarray, k: int, ratio: float, slack: float) -> float:
        """The largest clock advance ``tau`` after which every smooth term's deviation
        differences provably moved by less than ``slack``.

        For a separable term, ``Delta(S') - Delta(S)`` is ``sum_j d_j * int_0^1
        (F_j'(S'_j + t d_j) - F_j'(S_j + t d_j)) dt``, at most ``sum_j |d_j| *
        max|F_j''| * |S'_j - S_j|`` with ``|S'_j - S_j| <= (e^tau - 1) |S_j|`` and
        ``|S_j| <= |S_0j| e^sigma`` (``sigma``: clock distance from ``S_0``). Every point
        involved lies in the box of radius ``sigma + tau + rho(tau)`` around ``S_0``
        (``rho``: the clock length of a move ``d`` after drifting ``tau``), so each
        ladder radius ``R`` gives ``tau <= R - sigma - rho(R)`` and
        ``(e^tau - 1) * B_R < slack``, ``B_R`` taken with every alternative's largest
        ``|d_j|``."""
        sens = self.sensitivity
        if sens is None or self.clock - sens.clock > SENSITIVITY_REUSE:
            sens = self.sensitivity = _Sensitivity(self.plan, S.copy(), self.clock)
        sigma = self.clock - sens.clock
        growth = math.exp(sigma)
        bounds = (self.absD_max[k] @ sens.scaled_T).tolist()
        best = 0.0
        for radius, wide, B in zip(LADDER, LADDER_EXP, bounds):  # widest box first
            grown = ratio * wide
            reach = radius - sigma - clock_advance(grown) if grown < 1.0 else 0.0
            if reach <= best:
                break  # smaller boxes reach less
            B *= growth
            if not B >= 0:  # NaN: no bound at this radius
                continue
            if B > 0:
                reach = min(reach, math.log1p(slack / B)) if B < math.inf else 0.0
            best = max(best, reach)
        return best

    def on_switch(self, state: AggregateState, theta: int, c: int, c_new: int) -> float:
        """The clock advances by the move's relative change (from the key's last ratios,
        widened by the drift since, while that is small); the window shrinks or, when the
        move leaves it, is refreshed at the new aggregate."""
        k = theta * self.C + c
        known = self.key_ratios.get(k)
        if known is not None and self.clock - known[0] <= 0.1:
            drift = clock_advance(known[1][c_new] * math.exp(self.clock - known[0]))
        else:
            drift = clock_advance(self._ratios(state.S, k)[c_new])
        drift = max(drift, MIN_DRIFT)  # the counts moved: a decision with no budget expires
        if drift == math.inf:  # the engine forgets every decision: start the clock afresh
            self.clock, self.key_ratios, self.sensitivity = 0.0, {}, None
        else:
            self.clock += drift
        if drift == math.inf or not self.positive:
            self.positive = None  # else every entry moved by less than itself: still > 0
        if self.tau_since_refresh + drift <= self.window_tau:
            self.tau_since_refresh += drift
        else:
            self._refresh(state.S + self.D[k, c_new])
        return drift

    def potential(self, game: AggregativeGame):
        """The common payoff of a profile from its exact counts (for pass-end checks)."""
        def value(profile: np.ndarray) -> float:
            N = game.counts(profile)
            return self.value(AggregateState(game.aggregate_from_counts(N), N, game.n))
        return value

    def terms(self, state: AggregateState) -> tuple[float, ...]:
        rows = state.S[None]
        N = state.N.reshape(-1).astype(float)
        with np.errstate(all="ignore"):
            values = [self.plan.constant]
            values += [float(t.value(rows)[0]) for t in self.smooth]
            occupied = N > 0  # pairs nobody plays add nothing, even where g is infinite
            values += [t.coefficient * float(N[occupied] @ t.per_pair(rows)[0][occupied])
                       for t in self.members]
        return tuple(values)


__all__ = ["PlanPayoff", "drift_box", "relative_drift"]
