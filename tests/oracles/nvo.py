"""The NVO game of Ryu, Jang and Yang written by hand: an oracle for tests and benchmarks.

Not part of gamespec: the solver runs the spec (specs/nvo_pdp.game) through the general
aggregative engine and its compiled plan; this file is the hand-written payoff that the
engine, the compiled plan and the benchmark are compared against. Tests and
benchmarks/brd_scaling.py load it by path (tests/oracles is a folder, not a package).

`NVOPayoff`: players = data instances, type = bin, choice = Laplace scale;
``P = P_E + P_U``, ``P_E`` = number of instances with eps-per-instance DP,
``P_U = 1 - KL(q || Q) / ln K``. Its deltas use exact integer counts for ``P_E`` and
``log1p`` sums for the KL change; pDP is the ratio test ``w(x) / S(x) <= 1 - (n-1) e^-eps / n``
(no ``Q_{-i}`` needed), and a multiplicative bound on how far one switch can move every
ratio proves, in O(K), that no instance's pDP status flips, falling back to the exact test
of every key when the bound cannot. `nvo_fast` runs it on the aggregative engine;
`nvo_straightforward` is Algorithm 1 as printed (recompute ``Q`` and every instance's pDP
from scratch for every candidate).
"""
from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gamespec.errors import SolverError, SpecError
from gamespec.solvers.brd.aggregative import (
    AggregateState,
    AggregativeGame,
    AggregativePayoff,
    aggregative_brd,
    aggregative_max_gain,
    clock_advance,
    relative_change,
)
from gamespec.solvers.brd.engine import BRDResult, UnilateralGain, best_response_dynamics
from gamespec.stdlib.privacy import (
    bin_index,
    bin_midpoints,
    histogram,
    kl_divergence,
    laplace_bin_masses,
    pdp_all,
    pdp_holds,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_TINY = sys.float_info.min



# --------------------------------------------------------------------------- NVO payoff


class NVOPayoff(AggregativePayoff):
    """``P = P_E + P_U`` of the NVO game, priced per deviation without recomputing ``Q``.

    ``q`` is the data histogram over the K output bins (the aggregate's dimension) and
    ``eps`` the pDP target. An instance of key ``t`` is eps-pDP iff on every bin with
    ``S(x) > 0``: ``a_lo <= w_t(x) / S(x) <= a_hi`` with ``a_hi = 1 - (n-1) e^-eps / n``,
    ``a_lo = 1 - (n-1) e^eps / n`` (``|ln(Q / Q_{-j})| <= eps`` with ``Q = S/n``,
    ``Q_{-j} = (S - w_t)/(n-1)``, rearranged: no ``Q_{-j}`` needed).

    *No-flip window.* At a refresh (pass start, or a switch the window cannot vouch for)
    the exact extremes of ``w_t / S`` over bins are computed for every key whose type has
    players; from them follows a window ``[rho_lo, rho_hi]`` such that a move with
    ``S'/S`` inside it on every bin flips no key's status (kept ``1e-8`` inside the
    thresholds against rounding). Such a move changes ``P_E`` only through the mover's
    own status; other moves are priced by recomputing every key's status at ``S'``.
    Accepted moves shrink the window by their ``S'/S`` so it stays valid without touching
    the keys.

    *Drift clock.* A switch advances the clock by ``-ln(1 - max_x |delta(x)| / S(x))``;
    after an advance ``tau`` every ``S(x)`` has moved by a factor within ``e^{+-tau}``.
    `drift_budget` turns a decision's slack into the advance it survives: the KL terms
    ``q log1p(delta/S)`` move by at most ``2 (e^tau - 1) sum q |r| / (1 + r)`` with
    ``r = delta / S``, and every candidate move must stay inside the (shrinking) window.
    """

    margin = 1e-8
    rounding_drift = 1e-15
    reuse_drift = 0.1

    def __init__(self, q: ArrayLike, eps: float) -> None:
        self.q = np.asarray(q, dtype=np.float64)
        if eps <= 0:
            raise SpecError("the pDP target eps must be positive")
        self.eps = float(eps)

    # -- setup -------------------------------------------------------------------------

    def prepare(self, game: AggregativeGame) -> None:
        """Thresholds, support of ``q``, difference rows, and the keys worth tracking."""
        n, K, C = game.n, game.dim, game.n_choices
        if n < 2:
            raise SpecError("the NVO game needs at least two data instances")
        if self.q.shape != (K,):
            raise SpecError(f"data histogram has {self.q.shape[0]} bins, masses have {K}")
        self.n, self.C, self.K = n, C, K
        self.a_hi = 1.0 - (n - 1) * math.exp(-self.eps) / n
        self.a_lo = 1.0 - (n - 1) * math.exp(self.eps) / n
        support = np.flatnonzero(self.q > 0)
        self._support: slice | IntArray = slice(None) if support.size == K else support
        self._q_scaled = self.q[support] / math.log(K)
        self._D = game.difference_rows.reshape(game.n_types * C, C, K)
        present = np.unique(game.types)
        self._row_keys = (present[:, None] * C + np.arange(C)).reshape(-1)
        self._first_row = np.full(game.n_types, -1, dtype=np.int64)
        self._first_row[present] = np.arange(present.size) * C
        self._W_keys = game.contributions.reshape(-1, K)
        self._W = self._W_keys[self._row_keys]
        self._ok: NDArray[np.bool_] | None = None
        self._S_seen: FloatArray | None = None
        self._last: tuple[float, ...] | None = None
        n_keys = game.n_types * C
        self._clock = 0.0  # total drift so far (the engine's clock without the epochs)
        self._info_clock = [-math.inf] * n_keys
        self._info_min: list[list[float]] = [[] for _ in range(n_keys)]
        self._info_max: list[list[float]] = [[] for _ in range(n_keys)]

    def reset(self, state: AggregateState) -> float:
        """Recompute every tracked key's status exactly at the fresh aggregate; the clock
        advances by the recount's jump (or infinitely if some status changed)."""
        S = state.S
        if np.any(S[self._support] <= 0):
            raise SolverError(
                "the output distribution puts no mass on a bin that holds data (KL is infinite)",
                hint="use larger noise scales: the Laplace masses underflow",
            )
        previous = self._ok
        jump = math.inf if self._S_seen is None else float(relative_change(S - self._S_seen, S))
        self._refresh(S)
        self._S_seen = S  # the engine updates this very array in place during the pass
        drift = _drift(jump)
        self._advance_clock(drift)
        if previous is None or not np.array_equal(previous, self._ok):
            return math.inf
        return drift

    def _advance_clock(self, drift: float) -> None:
        """Add a finite drift to the private clock; an infinite one voids every key's
        stored extremes."""
        if drift < math.inf:
            self._clock += drift
        else:
            self._info_clock = [-math.inf] * len(self._info_clock)

    # -- exact statuses ------------------------------------------------------------------

    def _ratio_extremes(self, S: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Exact ``max_x`` and ``min_x`` of ``w_t(x) / S(x)`` per tracked key (a bin with
        ``S = 0`` counts as ``+inf`` where the key has mass there, else not at all)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            Z = self._W / S
        empty = S <= 0
        if np.any(empty):
            Z = np.where(empty & (self._W <= 0), np.nan, np.where(empty, np.inf, Z))
            return np.nanmax(Z, axis=1), np.nanmin(Z, axis=1)
        return Z.max(axis=1), Z.min(axis=1)

    def _status(self, hi: FloatArray, lo: FloatArray) -> NDArray[np.bool_]:
        """pDP holds iff every ratio lies in ``[a_lo, a_hi]``."""
        return (hi <= self.a_hi) & (lo >= self.a_lo)

    def _refresh(self, S: FloatArray) -> None:
        """Exact statuses at ``S`` and the window of moves that cannot flip any of them."""
        hi, lo = self._ratio_extremes(S)
        ok_hi, ok_lo = hi <= self.a_hi, lo >= self.a_lo
        self._ok = ok_hi & ok_lo
        m = self.margin
        lower, upper = [_TINY], [math.inf]  # S'/S must stay positive
        if np.any(ok_hi):       # an ok max-ratio hi / rho_min stays <= a_hi
            lower.append(float(hi[ok_hi].max()) / (self.a_hi * (1 - m)))
        if not np.all(ok_hi):   # a failing max-ratio hi / rho_max stays > a_hi
            upper.append(float(hi[~ok_hi].min()) / (self.a_hi * (1 + m)))
        if self.a_lo > 0:
            if np.any(ok_lo):   # an ok min-ratio lo / rho_max stays >= a_lo
                upper.append(float(lo[ok_lo].min()) / (self.a_lo * (1 + m)))
            if not np.all(ok_lo):  # a failing min-ratio lo / rho_min stays < a_lo
                lower.append(float(lo[~ok_lo].max()) / (self.a_lo * (1 - m)))
        self._rho_lo, self._rho_hi = max(lower), min(upper)
        self._fresh = True

    def _window_holds(self, ratio_min: float, ratio_max: float) -> bool:
        """Whether a move with ``S'/S - 1`` in ``[ratio_min, ratio_max]`` flips no status."""
        return 1.0 + ratio_min >= self._rho_lo and 1.0 + ratio_max <= self._rho_hi

    def _pe_change_exact(self, state: AggregateState, theta: int, c: int, c_new: int) -> int:
        """``P_E(after) - P_E(before)`` with every tracked key's status recomputed at ``S'``."""
        assert self._ok is not None
        S_new = state.S + self._D[theta * self.C + c, c_new]
        ok_new = self._status(*self._ratio_extremes(S_new))
        N_rows = state.N.reshape(-1)[self._row_keys]
        r0 = int(self._first_row[theta])
        change = int(N_rows @ ok_new) - int(N_rows @ self._ok)
        return change + int(ok_new[r0 + c_new]) - int(ok_new[r0 + c])

    # -- the engine's hooks --------------------------------------------------------------

    def deltas(self, state: AggregateState, theta: int, c: int) -> Sequence[float]:
        """``P(c') - P(c)`` for one (theta, c) player: exact integer ``P_E`` change plus
        ``sum_x q(x) log1p(delta(x) / S(x)) / ln K``."""
        assert self._ok is not None
        k = theta * self.C + c
        ratio = self._D[k] / state.S  # S'/S - 1 per candidate, (C, K)
        mins, maxs = ratio.min(axis=1).tolist(), ratio.max(axis=1).tolist()
        self._info_clock[k], self._info_min[k], self._info_max[k] = self._clock, mins, maxs
        r_min, r_max = min(mins), max(maxs)
        r_sup = ratio[:, self._support]
        util = (np.log1p(r_sup) @ self._q_scaled).tolist()
        r0 = int(self._first_row[theta])
        if self._window_holds(r_min, r_max):
            own = self._ok[r0:r0 + self.C].tolist()
            out = [util[j] + (own[j] - own[c]) for j in range(self.C)]
            spread = float((np.abs(r_sup) / (1.0 + r_sup) @ self._q_scaled).max())
            self._last = (spread, r_min, r_max, self._rho_lo, self._rho_hi)
        else:
            if not self._fresh:
                self._refresh(state.S)
            out = self._exact_outside_window(state, theta, c, ratio, util)
            self._last = None
        out[c] = 0.0
        return out

    def _exact_outside_window(
        self, state: AggregateState, theta: int, c: int, ratio: FloatArray, util: list[float]
    ) -> list[float]:
        """Deltas with the exact ``P_E`` change for candidates outside the window."""
        assert self._ok is not None
        r0 = int(self._first_row[theta])
        own = self._ok[r0:r0 + self.C].tolist()
        out = []
        mins, maxs = ratio.min(axis=1).tolist(), ratio.max(axis=1).tolist()
        for j in range(self.C):
            if self._window_holds(mins[j], maxs[j]):
                out.append(util[j] + (own[j] - own[c]))
            else:
                out.append(util[j] + self._pe_change_exact(state, theta, c, j))
        return out

    def drift_budget(self, slack: float) -> float:
        """Clock advance the last deltas survive (see the class docstring); 0 after an
        exact-path evaluation or without slack."""
        if self._last is None or not slack > 0:
            return 0.0
        spread, r_min, r_max, rho_lo, rho_hi = self._last
        sigma = 1.0
        if spread > 0:
            sigma = min(sigma, slack / (2.0 * spread))
        h = max(r_max / (1.0 + r_max), -r_min / (1.0 + r_min))
        if h > 0:
            sigma = min(sigma, 0.5 / h)
        tau = math.log1p(sigma)
        if rho_lo - r_min > 0:  # 1 + r_min e^tau >= rho_lo e^tau
            tau = min(tau, -math.log(rho_lo - r_min))
        if rho_hi < math.inf:   # 1 + r_max e^tau <= rho_hi e^-tau
            y = rho_hi if r_max <= 0 else (math.sqrt(1 + 4 * r_max * rho_hi) - 1) / (2 * r_max)
            tau = min(tau, math.log(y)) if y > 0 else 0.0
        return max(0.0, tau * (1.0 - 1e-6))

    def on_switch(self, state: AggregateState, theta: int, c: int, c_new: int) -> float:
        """Shrink the window by this move's ``S'/S`` (or refresh at ``S'``); the clock
        advances by the move's largest relative change of ``S``.

        The extremes of ``delta / S`` come from the key's last `deltas` call, widened by
        ``e^tau`` for the drift ``tau`` since (exact bounds, no O(K) work) while that
        drift is small; otherwise they are recomputed.
        """
        assert self._ok is not None
        k = theta * self.C + c
        tau = self._clock - self._info_clock[k]
        if tau <= self.reuse_drift:
            widen = math.exp(tau)
            r_min = self._info_min[k][c_new] * widen
            r_max = self._info_max[k][c_new] * widen
        else:
            ratio = self._D[k, c_new] / state.S
            r_min, r_max = float(ratio.min()), float(ratio.max())
        drift = _drift(max(r_max, -r_min))
        self._fresh = False
        if self._window_holds(r_min, r_max):
            self._rho_lo /= 1.0 + r_min
            self._rho_hi /= 1.0 + r_max
            self._advance_clock(drift)
            return drift
        previous = self._ok
        S_new = state.S + self._D[k, c_new]
        drift = _drift(float(relative_change(S_new - state.S, state.S)))
        self._advance_clock(drift)
        self._refresh(S_new)
        return drift if np.array_equal(previous, self._ok) else math.inf

    def terms(self, state: AggregateState) -> tuple[float, ...]:
        """``(P_E, P_U)`` from scratch: the literal pDP test of every occupied key (stdlib
        `pdp_holds`) weighted by its count, and ``1 - KL(q || S/n) / ln K``."""
        Q = state.S / state.n
        N = state.N.reshape(-1)
        occupied = np.flatnonzero(N)
        ok = np.asarray(pdp_holds(self._W_keys[occupied], Q, state.n, self.eps))
        p_e = float(N[occupied] @ ok)
        p_u = 1.0 - float(kl_divergence(self.q, Q)) / math.log(self.q.shape[0])
        return (p_e, p_u)


def _drift(ratio: float) -> float:
    """`clock_advance` plus the NVO payoff's rounding allowance."""
    return clock_advance(ratio) + NVOPayoff.rounding_drift


# --------------------------------------------------------------------------- NVO game


@dataclass(frozen=True, eq=False)
class NVOInstance:
    """An NVO game on normalised data: players = instances, type = bin, choice = scale.

    The mechanism input of an instance is its bin's mid-point (the paper's
    categorisation, Sec. IV-A), so ``masses[k, j]`` = `laplace_bin_masses` of mid-point
    ``k`` under scale ``b_values[j]`` is the contribution of every instance in bin ``k``
    playing ``j``.
    """

    values: FloatArray
    bins: IntArray
    b_values: FloatArray
    eps: float
    K: int
    q: FloatArray
    masses: FloatArray

    @property
    def n(self) -> int:
        """Number of instances (players)."""
        return int(self.bins.shape[0])

    @cached_property
    def game(self) -> AggregativeGame:
        """The instance as an aggregative game (types = bins, w = masses)."""
        return AggregativeGame(types=self.bins, contributions=self.masses)

    def payoff(self) -> NVOPayoff:
        """A fresh `NVOPayoff` for this instance."""
        return NVOPayoff(self.q, self.eps)


def nvo_instance(values: ArrayLike, b_values: ArrayLike, eps: float, K: int = 101) -> NVOInstance:
    """Build the NVO game of data already normalised into [0, 1] (see `minmax_normalise`).

    ``b_values`` are the Laplace scales in normalised units (the paper's V is
    ``{3, 2, 1, 0.33, 0.2} x dq / eps``).
    """
    v = np.asarray(values, dtype=np.float64)
    b = np.asarray(b_values, dtype=np.float64).reshape(-1)
    if v.ndim != 1 or v.size < 2:
        raise SpecError("the NVO game needs a 1-D data set of at least two values")
    if b.size == 0:
        raise SpecError("the NVO game needs at least one noise scale")
    bins = bin_index(v, K)
    masses = laplace_bin_masses(bin_midpoints(K)[:, None], b[None, :], K)
    return NVOInstance(values=v, bins=bins, b_values=b, eps=float(eps), K=int(K),
                       q=histogram(v, K), masses=masses)


def nvo_fast(instance: NVOInstance, **options: object) -> BRDResult:
    """Sequential BRD on the NVO game with the aggregative engine (options as in
    `aggregative_brd`: initial, seed, order, tol, max_passes, time_limit, ...)."""
    result = aggregative_brd(instance.game, instance.payoff(), **options)  # type: ignore[arg-type]
    return result


def nvo_plain_terms(instance: NVOInstance, profile: ArrayLike) -> tuple[int, float]:
    """``(P_E, KL(q || Q))`` recomputed from scratch: every instance's mass row, ``Q``
    as their mean, and every instance's pDP by `pdp_all` (O(n K))."""
    m = instance.masses[instance.bins, np.asarray(profile, dtype=np.int64)]
    p_e = int(np.count_nonzero(pdp_all(m, instance.eps)))
    return p_e, float(kl_divergence(instance.q, m.mean(axis=0)))


class NVOPlainOracle:
    """The NVO game as a plain `FiniteGameOracle`: each alternative of each player is
    priced by `nvo_plain_terms` from scratch (Algorithm 1's GET_PAYOFF). Gains are
    returned relative to the current choice: ``(P_E' - P_E) + (KL - KL') / ln K``."""

    def __init__(self, instance: NVOInstance) -> None:
        self.instance = instance
        self._log_k = math.log(instance.K)

    @property
    def n_players(self) -> int:
        """Number of instances."""
        return self.instance.n

    def n_choices(self, player: int) -> int:
        """Number of noise scales."""
        return int(self.instance.b_values.shape[0])

    def gains(self, player: int, profile: IntArray) -> FloatArray:
        """Common payoff change of each alternative scale of ``player``."""
        trial = np.array(profile, dtype=np.int64, copy=True)
        C = self.n_choices(player)
        p_e = np.empty(C, dtype=np.int64)
        kl = np.empty(C)
        for c in range(C):
            trial[player] = c
            p_e[c], kl[c] = nvo_plain_terms(self.instance, trial)
        cur = int(profile[player])
        return (p_e - p_e[cur]).astype(np.float64) + (kl[cur] - kl) / self._log_k


def nvo_straightforward(instance: NVOInstance, **options: object) -> BRDResult:
    """Algorithm 1 as printed: sequential BRD where every candidate recomputes ``Q`` and
    all pDP checks from scratch (`NVOPlainOracle` through the general engine). Options
    as in `gamespec.solvers.brd.engine.best_response_dynamics`; ``certify`` defaults to False
    here because the plain certificate costs as much as a whole pass."""
    options.setdefault("certify", False)
    return best_response_dynamics(NVOPlainOracle(instance), mode="sequential",
                                  **options)  # type: ignore[arg-type]


def nvo_certificate(instance: NVOInstance, profile: ArrayLike) -> UnilateralGain:
    """Maximum unilateral gain of an NVO profile by plain evaluation (`aggregative_max_gain`
    with the from-scratch `NVOPayoff.terms`)."""
    return aggregative_max_gain(instance.game, instance.payoff(), profile)
