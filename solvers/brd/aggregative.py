"""Fast exact best-response dynamics for aggregative common-payoff games with player types.

Game class (`AggregativeGame`): player ``i`` has an integer type ``theta_i`` and picks a
choice ``c_i`` from a shared finite set of ``C`` choices; each (type, choice) pair
contributes a fixed vector ``w[theta, c]`` in R^K. The *aggregate* is
``S = sum_i w[theta_i, c_i]`` together with the count matrix ``N[theta, c]``, and every
player receives the common payoff ``Phi(S, N)`` (so ``Phi`` is an exact potential and
sequential BRD cannot cycle).

Players of the same type and choice are interchangeable, so the engine
(`aggregative_brd`) works on *keys* ``(theta, c)`` instead of players:

1. a player's payoff change depends only on its key and the aggregate; the payoff object
   (`AggregativePayoff`) returns the *difference* ``Phi(after) - Phi(before)`` for a move
   ``c -> c'`` of one player of type ``theta``, vectorised over ``c'`` (idea 5 of
   PERFORMANCE.md: payoffs are O(n), their differences are not, so never subtract
   payoffs);
2. each key's best response is cached; a switch invalidates it unless the payoff can
   bound how far the switch moved that key's deltas (`AggregativePayoff.drift_budget`:
   the decision survives while the drift stays below its `decision_slack`);
3. a switch updates ``S`` with one precomputed difference row ``w[theta, c'] - w[theta, c]``
   (O(K)), and ``S`` is recomputed from the exact integer counts at every pass start so
   rounding cannot accumulate.

Sequential order, improvement tolerance and tie-breaking are those of
`gamespec.solvers.brd.engine` (the shared `best_response_index`), so this engine and the plain
one give identical profiles for the same start and order.

`NVOPayoff` is the payoff of the noise-variance-optimisation game of Ryu, Jang and Yang
(players = data instances, type = bin, choice = Laplace scale):
``P = P_E + P_U``, ``P_E`` = number of instances with eps-per-instance DP,
``P_U = 1 - KL(q || Q) / ln K``. Its deltas use exact integer counts for ``P_E`` and
``log1p`` sums for the KL change; pDP is the ratio test ``w(x) / S(x) <= 1 - (n-1) e^-eps / n``
(idea 4: no ``Q_{-i}`` needed), and a multiplicative bound on how far one switch can move
every ratio proves, in O(K), that no instance's pDP status flips (idea 6), falling back to
the exact test of every key when the bound cannot.
`nvo_straightforward` is the plain implementation (Algorithm 1 as printed: recompute
``Q`` and every instance's pDP from scratch for every candidate) used for tests and the
benchmark.
"""
from __future__ import annotations

import math
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gamespec.errors import SolverError, SpecError
from gamespec.solvers.brd.engine import (
    DEFAULT_TOL,
    BRDResult,
    PassInfo,
    PotentialDecreased,
    PotentialMonitor,
    Status,
    UnilateralGain,
    best_response_dynamics,
    best_response_index,
    decision_slack,
    pass_outcome,
    profile_digest,
    random_profile,
)
from gamespec.stdlib.privacy import (
    bin_index,
    bin_midpoints,
    histogram,
    kl_divergence,
    laplace_bin_masses,
    pdp_all,
    pdp_holds,
)

__all__ = [
    "AggregateState",
    "AggregativeGame",
    "AggregativePayoff",
    "NVOInstance",
    "NVOPayoff",
    "NVOPlainOracle",
    "QuadraticTargetPayoff",
    "aggregate_from_scratch",
    "aggregative_brd",
    "aggregative_max_gain",
    "clock_advance",
    "nvo_certificate",
    "nvo_fast",
    "nvo_instance",
    "nvo_plain_terms",
    "nvo_straightforward",
    "relative_change",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


# --------------------------------------------------------------------------- game, state


@dataclass(frozen=True, eq=False)
class AggregativeGame:
    """Players with types; ``contributions[theta, c]`` is ``w[theta, c]`` in R^K.

    ``types`` has shape (n,) with values in ``0..T-1``; ``contributions`` has shape
    (T, C, K).
    """

    types: IntArray
    contributions: FloatArray

    def __post_init__(self) -> None:
        types = np.asarray(self.types, dtype=np.int64)
        w = np.asarray(self.contributions, dtype=np.float64)
        if types.ndim != 1 or w.ndim != 3:
            raise SpecError("an aggregative game needs types of shape (n,) and "
                            f"contributions of shape (T, C, K); got {types.shape}, {w.shape}")
        if types.size and (types.min() < 0 or types.max() >= w.shape[0]):
            raise SpecError(f"player types must lie in 0..{w.shape[0] - 1}")
        object.__setattr__(self, "types", types)
        object.__setattr__(self, "contributions", w)

    @property
    def n(self) -> int:
        """Number of players."""
        return int(self.types.shape[0])

    @property
    def n_types(self) -> int:
        """Number of types T."""
        return int(self.contributions.shape[0])

    @property
    def n_choices(self) -> int:
        """Number of choices C shared by every player."""
        return int(self.contributions.shape[1])

    @property
    def dim(self) -> int:
        """Dimension K of the aggregate."""
        return int(self.contributions.shape[2])

    @cached_property
    def difference_rows(self) -> FloatArray:
        """``D[theta, c, c'] = w[theta, c'] - w[theta, c]``, shape (T, C, C, K)."""
        w = self.contributions
        return w[:, None, :, :] - w[:, :, None, :]

    def counts(self, profile: ArrayLike) -> IntArray:
        """``N[theta, c]``: how many players of each type play each choice."""
        keys = self.types * self.n_choices + np.asarray(profile, dtype=np.int64)
        flat = np.bincount(keys, minlength=self.n_types * self.n_choices)
        return flat.reshape(self.n_types, self.n_choices).astype(np.int64)

    def aggregate_from_counts(self, counts: IntArray) -> FloatArray:
        """``S = sum_{theta, c} N[theta, c] w[theta, c]``."""
        return np.einsum("tc,tck->k", counts.astype(np.float64), self.contributions)


@dataclass(eq=False)
class AggregateState:
    """The aggregate the payoff sees: ``S`` (K,), counts ``N`` (T, C), ``n`` players.

    Protocol: `aggregative_brd` assigns a fresh ``S`` (recomputed from the counts) at
    every pass start and then updates that array *in place* after each switch, so a
    payoff may keep a reference to it between hooks.
    """

    S: FloatArray
    N: IntArray
    n: int


def aggregate_from_scratch(game: AggregativeGame, profile: ArrayLike,
                           chunk: int = 65_536) -> AggregateState:
    """``S`` summed over players (in chunks, not from counts) and ``N`` by counting."""
    s = np.asarray(profile, dtype=np.int64)
    total = np.zeros(game.dim)
    for start in range(0, game.n, chunk):
        stop = start + chunk
        total += game.contributions[game.types[start:stop], s[start:stop]].sum(axis=0)
    return AggregateState(S=total, N=game.counts(s), n=game.n)


class AggregativePayoff(ABC):
    """A common payoff ``Phi(S, N)`` that can price one player's deviation.

    Engine protocol (all calls from `aggregative_brd`):

    * `prepare` once per run; `reset` at every pass start (``S`` freshly recomputed from
      counts); `deltas` when a key's cached decision may be stale; `on_switch` just
      *before* a move is applied to the state.
    * Bounded-drift caching (optional): `reset` and `on_switch` return how far the
      payoff's *drift clock* advances (``math.inf``: forget every cached decision), and
      `drift_budget`, asked right after a `deltas` call, returns how far the clock may
      advance before some entry of those deltas could have moved by ``slack`` (the
      decision's `decision_slack`). The defaults (``inf`` and ``0``) give plain
      "invalidate on every switch" caching.
    * `terms` evaluates ``Phi`` from scratch as a sum of terms (the certificate subtracts
      them term by term, which keeps integer terms exact).
    """

    def prepare(self, game: AggregativeGame) -> None:  # noqa: B027 - optional hook
        """Precompute whatever depends only on the game."""

    def reset(self, state: AggregateState) -> float:
        """Rebuild any incremental bookkeeping from the state; returns the clock advance."""
        return math.inf

    @abstractmethod
    def deltas(self, state: AggregateState, theta: int, c: int) -> Sequence[float]:
        """``Phi`` after minus before moving one player of type ``theta`` from ``c`` to
        each ``c'`` (length C; entry ``c`` must be exactly 0)."""

    def drift_budget(self, slack: float) -> float:
        """Clock advance the last `deltas` result survives with every entry (but ``c``)
        moving by less than ``slack``; 0 means "until the next switch"."""
        return 0.0

    def on_switch(self, state: AggregateState, theta: int, c: int, c_new: int) -> float:
        """A player of type ``theta`` moves ``c -> c_new`` (``state`` is still the old
        one); returns the clock advance."""
        return math.inf

    @abstractmethod
    def terms(self, state: AggregateState) -> tuple[float, ...]:
        """``Phi(S, N)`` from scratch, as a tuple of terms that sum to it."""

    def value(self, state: AggregateState) -> float:
        """``Phi(S, N)`` from scratch."""
        return float(sum(self.terms(state)))


class QuadraticTargetPayoff(AggregativePayoff):
    """``Phi = -||S - target||^2``: players jointly steer the aggregate to a target.

    A small second example of the game class (used to test the engine against the plain
    one); deltas are ``-(2 delta . (S - target) + |delta|^2)`` for each difference row.
    """

    def __init__(self, target: ArrayLike) -> None:
        self.target = np.asarray(target, dtype=np.float64)
        self._D: FloatArray | None = None

    def prepare(self, game: AggregativeGame) -> None:
        """Keep the difference rows."""
        self._D = game.difference_rows

    def deltas(self, state: AggregateState, theta: int, c: int) -> Sequence[float]:
        """Exact change of ``-||S - target||^2`` for each move of one (theta, c) player."""
        assert self._D is not None
        rows = self._D[theta, c]
        out = -(2.0 * rows @ (state.S - self.target) + np.einsum("ck,ck->c", rows, rows))
        out[c] = 0.0
        return out

    def terms(self, state: AggregateState) -> tuple[float, ...]:
        """``(-||S - target||^2,)``."""
        r = state.S - self.target
        return (-float(r @ r),)


# --------------------------------------------------------------------------- the engine


class _DecisionCache:
    """Each key's best response, valid while its epoch is current and the payoff's drift
    clock has not passed the key's expiry."""

    def __init__(self, n_keys: int) -> None:
        self.best = [0] * n_keys
        self.epoch_of = [-1] * n_keys
        self.expiry = [-math.inf] * n_keys
        self.epoch = 0
        self.clock = 0.0

    def advance(self, drift: float) -> None:
        """Move the drift clock; an infinite drift forgets every decision."""
        if drift == math.inf:
            self.epoch += 1
        else:
            self.clock += drift


def _start_profile(game: AggregativeGame, initial: ArrayLike | None, seed: int | None) -> IntArray:
    """Validate a start profile or draw the same seeded one `brd.random_profile` draws."""
    if initial is None:
        return random_profile(np.full(game.n, game.n_choices), seed)
    s = np.array(initial, dtype=np.int64, copy=True)
    if s.shape != (game.n,) or (s.size and (s.min() < 0 or s.max() >= game.n_choices)):
        raise SpecError(f"initial profile must have {game.n} choices in 0..{game.n_choices - 1}")
    return s


def _check_order(order: Sequence[int], n: int) -> list[int]:
    """The players' move order must be a permutation of ``0..n-1``."""
    players = [int(i) for i in order]
    if sorted(players) != list(range(n)):
        raise SpecError(f"the move order must list every one of the {n} players exactly once")
    return players


def _check_potential(
    payoff: AggregativePayoff, before: AggregateState, after: AggregateState,
    tol: float, player: int,
) -> None:
    """Raise if a switch lowered ``Phi`` (term-wise difference, evaluated from scratch)."""
    change = sum(a - b for a, b in zip(payoff.terms(after), payoff.terms(before), strict=True))
    if change < -tol:
        raise PotentialDecreased(
            f"common payoff fell by {-change:.3g} when player {player} switched",
            hint="the payoff's deltas disagree with its terms; the payoff object is wrong",
        )


class _Run:
    """Mutable state of one `aggregative_brd` run: profile, keys, aggregate, cache."""

    def __init__(self, game: AggregativeGame, payoff: AggregativePayoff,
                 profile: IntArray, tol: float) -> None:
        self.game, self.payoff, self.tol = game, payoff, tol
        self.C = game.n_choices
        self.profile = profile
        self.keys = (game.types * self.C + profile).tolist()
        self.D = game.difference_rows.reshape(game.n_types * self.C, self.C, game.dim)
        self.state = AggregateState(S=np.zeros(game.dim), N=game.counts(profile), n=game.n)
        self.N_flat = self.state.N.reshape(-1)
        self.cache = _DecisionCache(game.n_types * self.C)

    def start_pass(self) -> None:
        """Recompute ``S`` from the exact counts and let the payoff resynchronise."""
        self.state.S = self.game.aggregate_from_counts(self.state.N)
        self.cache.advance(self.payoff.reset(self.state))

    def decide(self, k: int) -> int:
        """Fresh best response (as a key) of key ``k``, stored with its expiry."""
        theta, c = divmod(k, self.C)
        d = self.payoff.deltas(self.state, theta, c)
        j = best_response_index(d, c, self.tol)
        cache = self.cache
        budget = self.payoff.drift_budget(decision_slack(d, c, j, self.tol))
        cache.best[k] = theta * self.C + j
        cache.epoch_of[k] = cache.epoch
        cache.expiry[k] = cache.clock + budget
        return cache.best[k]

    def sequential_pass(self, players: Sequence[int] | range, deadline: float,
                        check_potential: bool, potential_tol: float) -> tuple[int, bool]:
        """One pass of players in turn; returns (switches, timed_out). The hot loop: the
        cache's epoch and clock change only at switches, so they are read back only
        then; a switch tells the payoff (`on_switch`, before the state moves), then moves
        ``S`` by one difference row and the counts by one."""
        keys, cache, profile, N_flat, C = self.keys, self.cache, self.profile, self.N_flat, self.C
        best, epoch_of, expiry = cache.best, cache.epoch_of, cache.expiry
        decide, on_switch, D, state = self.decide, self.payoff.on_switch, self.D, self.state
        S = state.S  # updated in place; a new array only at pass starts
        epoch, clock = cache.epoch, cache.clock
        switches = 0
        for i in players:
            k = keys[i]
            if epoch_of[k] != epoch or clock > expiry[k]:
                b = decide(k)
                if b == k and time.perf_counter() > deadline:
                    return switches, True
            else:
                b = best[k]
            if b == k:
                continue
            before = self._snapshot() if check_potential else None
            theta, c = divmod(k, C)
            c_new = b - theta * C
            cache.advance(on_switch(state, theta, c, c_new))
            S += D[k, c_new]
            N_flat[k] -= 1
            N_flat[b] += 1
            keys[i] = b
            profile[i] = c_new
            epoch, clock = cache.epoch, cache.clock
            switches += 1
            if before is not None:
                _check_potential(self.payoff, before, state, potential_tol, i)
            if time.perf_counter() > deadline:
                return switches, True
        return switches, False

    def _snapshot(self) -> AggregateState:
        return AggregateState(self.state.S.copy(), self.state.N.copy(), self.state.n)


def aggregative_brd(
    game: AggregativeGame,
    payoff: AggregativePayoff,
    *,
    initial: ArrayLike | None = None,
    seed: int | None = 0,
    order: Sequence[int] | None = None,
    tol: float = DEFAULT_TOL,
    max_passes: int = 10_000,
    time_limit: float | None = None,
    on_progress: Callable[[PassInfo], None] | None = None,
    check_potential: bool = False,
    potential_tol: float = 1e-9,
    certify: bool = True,
    potential: Callable[[IntArray], float] | None = None,
) -> BRDResult:
    """Sequential BRD (players in ``order``, default ``0..n-1``) on an aggregative game.

    Same start (``initial`` or ``random_profile(seed)``), tolerance, tie-breaking and
    statuses as `gamespec.solvers.brd.engine.best_response_dynamics`. ``check_potential``
    re-evaluates ``Phi`` from scratch around every switch (slow; for tests);
    ``potential``, an independent evaluation of the common payoff, is checked never to
    fall from one pass end to the next. With ``certify`` the result carries
    `aggregative_max_gain` (plain evaluation).
    """
    start = time.perf_counter()
    deadline = start + time_limit if time_limit is not None else math.inf
    payoff.prepare(game)
    run = _Run(game, payoff, _start_profile(game, initial, seed), tol)
    players = range(game.n) if order is None else _check_order(order, game.n)
    monitor = PotentialMonitor(potential, potential_tol, per_pass=True)
    monitor.start(run.profile)
    seen = {profile_digest(run.profile): 0}
    status: Status = "pass_limit"
    cycle_length = None
    total = passes = 0
    while passes < max_passes:
        passes += 1
        run.start_pass()
        switches, timed_out = run.sequential_pass(players, deadline, check_potential,
                                                  potential_tol)
        total += switches
        monitor.after_pass(run.profile, passes)
        if on_progress is not None:
            on_progress(PassInfo(passes, switches, total, time.perf_counter() - start,
                                 monitor.value))
        ended = pass_outcome(run.profile, passes, switches, timed_out, seen)
        if ended is not None:
            status, cycle_length = ended
            break
    profile = run.profile
    return BRDResult(
        profile=profile,
        status=status,
        passes=passes,
        switches=total,
        elapsed=time.perf_counter() - start,
        method="brd-aggregative",
        parameters={"tol": tol, "seed": seed, "mode": "sequential", "max_passes": max_passes,
                    "time_limit": time_limit},
        cycle_length=cycle_length,
        potential=payoff.value(aggregate_from_scratch(game, profile)),
        certificate=aggregative_max_gain(game, payoff, profile) if certify else None,
    )


def aggregative_max_gain(
    game: AggregativeGame, payoff: AggregativePayoff, profile: ArrayLike
) -> UnilateralGain:
    """The NE certificate by plain evaluation: ``S`` summed over players, then for every
    occupied (type, choice) and every alternative, ``Phi`` re-evaluated from scratch
    (term-wise differences). Players sharing a key have identical deviations, so the
    first player of each key stands for all of them.
    """
    s = np.asarray(profile, dtype=np.int64)
    payoff.prepare(game)
    base = aggregate_from_scratch(game, s)
    base_terms = payoff.terms(base)
    keys = game.types * game.n_choices + s
    uniq, first = np.unique(keys, return_index=True)
    best = UnilateralGain(value=0.0, player=int(first[0]) if first.size else -1,
                          alternative=int(s[first[0]]) if first.size else -1)
    for key, player in zip(uniq.tolist(), first.tolist(), strict=True):
        theta, c = divmod(key, game.n_choices)
        for c_new in range(game.n_choices):
            if c_new == c:
                continue
            N = base.N.copy()
            N[theta, c] -= 1
            N[theta, c_new] += 1
            S = base.S + game.contributions[theta, c_new] - game.contributions[theta, c]
            moved = payoff.terms(AggregateState(S=S, N=N, n=base.n))
            gain = float(sum(a - b for a, b in zip(moved, base_terms, strict=True)))
            if gain > best.value:
                best = UnilateralGain(value=gain, player=int(player), alternative=c_new)
    return best


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


_TINY = sys.float_info.min


def relative_change(d: FloatArray, S: FloatArray) -> FloatArray:
    """``max_k |d_k| / |S_k|`` of each row of moves ``d`` from ``S`` (``inf`` where a
    move changes an entry that is 0; 0 where an entry is 0 and stays 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(d) / np.abs(S)
    worst = ratio.max(axis=-1, initial=0.0)
    if np.isnan(worst).any():  # 0 / 0: an entry that is 0 and stays 0
        worst = np.where(d == 0, 0.0, ratio).max(axis=-1, initial=0.0)
    return worst


def clock_advance(ratio: float) -> float:
    """Clock advance ``-ln(1 - m)`` of a move whose largest relative change is ``m``
    (``inf`` from ``m = 1`` on, and for NaN): every entry of ``S`` then stays within
    ``S * e^[-advance, advance]``."""
    return -math.log1p(-ratio) if ratio < 1.0 else math.inf


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
