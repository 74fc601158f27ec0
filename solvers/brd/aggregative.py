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

The NVO game's hand-written payoff, an oracle for tests and benchmarks, is in
tests/oracles/nvo.py; the solver compiles the spec's payoff instead
(`gamespec.solvers.brd.aggregate_payoff`).
"""
from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gamespec.errors import SpecError
from gamespec.solvers.brd.engine import (
    DEFAULT_TOL,
    BRDResult,
    PassInfo,
    PotentialDecreased,
    PotentialMonitor,
    Status,
    UnilateralGain,
    best_response_index,
    decision_slack,
    pass_outcome,
    profile_digest,
    random_profile,
)

__all__ = [
    "AggregateState",
    "AggregativeGame",
    "AggregativePayoff",
    "QuadraticTargetPayoff",
    "aggregate_from_scratch",
    "aggregative_brd",
    "aggregative_max_gain",
    "clock_advance",
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
