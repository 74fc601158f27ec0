"""Best-response dynamics (BRD) for any finite game in normal form.

The engine only talks to a *game oracle* (`FiniteGameOracle`): the number of players,
each player's number of choices, and ``gains(i, profile)``, the payoff player ``i``
would get from each of its alternatives while the others keep ``profile``. Oracles
here: `PayoffTensorGame` (dense payoff tensors, any number of players) and
`CommonPayoffOracle` (one payoff function shared by everybody, evaluated plainly).

Rules (shared with `gamespec.solvers.brd.aggregative`, so both give the same profiles):

* **Improvement tolerance** ``tol`` (absolute, on payoff *differences*): player ``i``
  at choice ``c`` with alternative payoffs ``p`` switches only if
  ``max(p) - p[c] > tol``, and then to the *lowest* index ``j`` with
  ``p[j] >= max(p) - tol``. Otherwise it keeps ``c`` (ties keep the current choice).
  Every switch therefore raises the mover's payoff by more than ``0`` and, for a
  potential game, the potential by the same amount.
* **Sequential** updates (Algorithm 1 of Ryu, Jang, Yang): players move one at a time in
  ``order``; a *pass* visits every player once. **Simultaneous** updates: every player
  best-responds to the same profile, then all switch at once (one pass = one round).
* **Stopping**: ``"converged"`` when a whole pass changes nothing; ``"cycle"`` when the
  profile at the end of a pass equals one seen at an earlier pass boundary (the cycle
  length is counted in passes); ``"pass_limit"`` / ``"time_limit"`` otherwise. A result
  that did not converge still carries the last profile, marked not certified; call
  `BRDResult.raise_for_status` to turn it into a `SolverError` (exit code 3).
* **Certificate**: `max_unilateral_gain` re-evaluates every player's every alternative
  plainly; a profile is a pure Nash equilibrium iff that gain is ``<= tol``.
"""
from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gamespec.errors import SolverError, SpecError

__all__ = [
    "DEFAULT_TOL",
    "BRDNotConverged",
    "BRDResult",
    "CommonPayoffOracle",
    "FiniteGameOracle",
    "PassInfo",
    "PayoffTensorGame",
    "PotentialDecreased",
    "PotentialMonitor",
    "UnilateralGain",
    "best_response_dynamics",
    "best_response_index",
    "decision_slack",
    "max_unilateral_gain",
    "pass_outcome",
    "profile_digest",
    "random_profile",
]

DEFAULT_TOL = 1e-12
"""Default improvement tolerance on payoff differences (see the module docstring)."""

Status = Literal["converged", "cycle", "pass_limit", "time_limit"]
IntArray = NDArray[np.int64]


@runtime_checkable
class FiniteGameOracle(Protocol):
    """What BRD needs to know about a finite game."""

    @property
    def n_players(self) -> int:
        """Number of players."""
        ...

    def n_choices(self, player: int) -> int:
        """Number of pure choices of ``player`` (indices ``0..n_choices-1``)."""
        ...

    def gains(self, player: int, profile: IntArray) -> NDArray[np.float64]:
        """Payoff of each alternative of ``player`` while the others play ``profile``.

        May be shifted by any constant per call (BRD and the certificate only compare
        entries of one vector): returning payoff *differences* is allowed.
        """
        ...


class PayoffTensorGame:
    """A finite game given by one dense payoff tensor per player.

    ``payoffs[i]`` has shape ``(C_0, ..., C_{n-1})``; ``payoffs[i][s]`` is player
    ``i``'s payoff at pure profile ``s``. A single array with a leading player axis works
    too. Best for classic games (a few players, a few choices each).
    """

    def __init__(self, payoffs: Sequence[ArrayLike] | ArrayLike) -> None:
        tensors = [np.asarray(t, dtype=np.float64) for t in payoffs]
        if not tensors:
            raise SpecError("a game needs at least one player")
        shape = tensors[0].shape
        if len(shape) != len(tensors):
            raise SpecError(
                f"{len(tensors)} players need payoff tensors with {len(tensors)} axes, "
                f"got shape {shape}"
            )
        if any(t.shape != shape for t in tensors):
            raise SpecError("every player's payoff tensor must have the same shape")
        self.payoffs = tensors
        self.shape = shape

    @property
    def n_players(self) -> int:
        """Number of players."""
        return len(self.payoffs)

    def n_choices(self, player: int) -> int:
        """Number of choices of ``player``."""
        return self.shape[player]

    def gains(self, player: int, profile: IntArray) -> NDArray[np.float64]:
        """Player ``player``'s payoff for each of its choices against ``profile``."""
        index: list[Any] = [int(c) for c in profile]
        index[player] = slice(None)
        return self.payoffs[player][tuple(index)]

    def payoff(self, player: int, profile: IntArray) -> float:
        """Player ``player``'s payoff at ``profile``."""
        return float(self.payoffs[player][tuple(int(c) for c in profile)])


class CommonPayoffOracle:
    """A common-interest game: every player receives ``payoff(profile)``.

    ``gains`` evaluates ``payoff`` once per alternative on a copy of the profile (plain
    evaluation, no incremental tricks); ``payoff`` is any callable, e.g. a lambdified
    SymPy expression.
    """

    def __init__(
        self, payoff: Callable[[IntArray], float], n_choices: Sequence[int] | IntArray
    ) -> None:
        self.payoff = payoff
        self._n_choices = [int(c) for c in n_choices]

    @property
    def n_players(self) -> int:
        """Number of players."""
        return len(self._n_choices)

    def n_choices(self, player: int) -> int:
        """Number of choices of ``player``."""
        return self._n_choices[player]

    def gains(self, player: int, profile: IntArray) -> NDArray[np.float64]:
        """The common payoff after ``player`` switches to each of its choices."""
        trial = np.array(profile, dtype=np.int64, copy=True)
        out = np.empty(self._n_choices[player])
        for c in range(self._n_choices[player]):
            trial[player] = c
            out[c] = self.payoff(trial)
        return out

    def potential(self, profile: IntArray) -> float:
        """The common payoff is an exact potential of the game."""
        return float(self.payoff(profile))


@dataclass(frozen=True)
class PassInfo:
    """Progress report handed to ``on_progress`` at the end of every pass."""

    pass_index: int
    switches: int
    total_switches: int
    elapsed: float
    potential: float | None = None


@dataclass(frozen=True)
class UnilateralGain:
    """The largest gain any single player can get by deviating alone."""

    value: float
    player: int
    alternative: int


@dataclass(frozen=True, eq=False)
class BRDResult:
    """Outcome of a BRD run: the profile plus how and whether it was certified.

    ``certificate`` is the maximum unilateral gain (plain re-evaluation) when it was
    computed; ``certified`` is true only for a converged run whose certificate is within
    the improvement tolerance.
    """

    profile: IntArray
    status: Status
    passes: int
    switches: int
    elapsed: float
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)
    cycle_length: int | None = None
    potential: float | None = None
    certificate: UnilateralGain | None = None

    @property
    def converged(self) -> bool:
        """True when a full pass changed nothing."""
        return self.status == "converged"

    @property
    def certified(self) -> bool:
        """Converged and independently checked: no unilateral gain above ``tol``."""
        tol = float(self.parameters.get("tol", DEFAULT_TOL))
        return self.converged and self.certificate is not None and self.certificate.value <= tol

    def describe(self) -> str:
        """One line on how the run ended, for error messages and logs."""
        if self.status == "converged":
            return f"converged after {self.passes} passes ({self.switches} switches)"
        if self.status == "cycle":
            return (
                f"best-response dynamics cycle: the profile after pass {self.passes} repeats "
                f"the one {self.cycle_length} passes earlier (cycle length {self.cycle_length})"
            )
        if self.status == "pass_limit":
            return f"no convergence within the pass limit ({self.passes} passes)"
        return f"time limit reached after {self.passes} passes ({self.elapsed:.1f} s)"

    def raise_for_status(self) -> BRDResult:
        """Return self if converged, else raise `BRDNotConverged` carrying this result."""
        if self.converged:
            return self
        raise BRDNotConverged(self)


class BRDNotConverged(SolverError):
    """BRD stopped without an equilibrium (cycle or limit); ``.result`` keeps the last
    profile, not certified. Exit code 3."""

    _HINTS: ClassVar[dict[str, str]] = {
        "cycle": "best-response dynamics need not converge outside potential or weakly "
        "acyclic games; try another start (--seed, or start = a profile), sequential "
        "updates if they were simultaneous, or a mixed-strategy method",
        "pass_limit": "raise the pass limit or loosen the improvement tolerance",
        "time_limit": "raise the time limit",
    }

    def __init__(self, result: BRDResult) -> None:
        super().__init__(result.describe(), hint=self._HINTS.get(result.status))
        self.result = result


class PotentialDecreased(SolverError):
    """A switch lowered the declared potential: the game is not a potential game for it
    (or the potential is wrong). Exit code 3."""


def random_profile(n_choices: Sequence[int] | IntArray, seed: int | None = 0) -> IntArray:
    """A uniformly random pure profile, reproducible from ``seed``.

    Player ``i``'s choice is ``floor(u_i * n_choices[i])`` for ``u = rng.random(n)`` so the
    same seed gives the same profile whatever the engine.
    """
    counts = np.asarray(n_choices, dtype=np.int64)
    u = np.random.default_rng(seed).random(counts.shape[0])
    return np.minimum((u * counts).astype(np.int64), counts - 1)


def profile_digest(profile: IntArray) -> bytes:
    """A 128-bit fingerprint of a profile (for cycle detection without storing profiles)."""
    data = np.ascontiguousarray(profile, dtype=np.int64).tobytes()
    return hashlib.blake2b(data, digest_size=16).digest()


def best_response_index(payoffs: Sequence[float], current: int, tol: float) -> int:
    """The choice BRD moves to from ``current`` (see the module's tie-breaking rule)."""
    values = [float(v) for v in payoffs]
    top = max(values)
    if not top - values[current] > tol:
        return current
    threshold = top - tol
    return next(j for j, v in enumerate(values) if v >= threshold)


def decision_slack(payoffs: Sequence[float], current: int, choice: int, tol: float) -> float:
    """How far every entry of ``payoffs`` may move (except ``payoffs[current]``, which the
    callers hold fixed) before `best_response_index` could answer other than ``choice``.

    Staying: ``tol - max_{k != current} p[k] + p[current]``. Switching to ``j``:
    ``min(p[j] - p[current] - tol, (p[j] - p[k] - tol)/2 for k < j, (p[j] - p[k] + tol)/2
    for k > j)`` over ``k != current``, less a few units in the last place of the largest
    entry (a perturbed entry is rounded). A perturbation strictly below the slack leaves
    the decision unchanged (used by caches that tolerate bounded drift).
    """
    values = [float(v) for v in payoffs]
    base = values[current]
    others = [k for k in range(len(values)) if k != current]
    if not others:
        return math.inf
    rounding = 4.0 * math.ulp(max(abs(v) for v in values))  # moved entries are rounded
    if choice == current:
        return tol - max(values[k] for k in others) + base - rounding
    top = values[choice]
    slack = top - base - tol
    for k in others:
        if k == choice:
            continue
        margin = top - values[k] - tol if k < choice else top - values[k] + tol
        slack = min(slack, margin / 2.0)
    return slack - rounding


def max_unilateral_gain(oracle: FiniteGameOracle, profile: ArrayLike) -> UnilateralGain:
    """The NE certificate: ``max_i max_c (u_i(c, s_-i) - u_i(s))`` by plain evaluation.

    Returns the value with the player and alternative attaining it (first one on ties);
    ``value <= tol`` certifies a pure Nash equilibrium.
    """
    s = np.asarray(profile, dtype=np.int64)
    best = UnilateralGain(value=-np.inf, player=-1, alternative=-1)
    for i in range(oracle.n_players):
        p = np.asarray(oracle.gains(i, s), dtype=np.float64)
        j = int(np.argmax(p))
        gain = float(p[j] - p[s[i]])
        if gain > best.value:
            best = UnilateralGain(value=gain, player=i, alternative=j)
    return best


class PotentialMonitor:
    """Evaluates the potential after every switch (or, with ``per_pass``, after every pass)
    and insists it never decreases."""

    def __init__(self, potential: Callable[[IntArray], float] | None, tol: float,
                 per_pass: bool = False) -> None:
        self.potential = potential
        self.tol = tol
        self.per_pass = per_pass
        self.value: float | None = None

    def start(self, profile: IntArray) -> None:
        if self.potential is not None:
            self.value = float(self.potential(profile))

    def after_switch(self, profile: IntArray, player: int) -> None:
        if not self.per_pass:
            self._check(profile, f"player {player} switched to a best response")

    def after_pass(self, profile: IntArray, index: int) -> None:
        if self.per_pass:
            self._check(profile, f"pass {index} of best responses")

    def _check(self, profile: IntArray, what: str) -> None:
        if self.potential is None:
            return
        new = float(self.potential(profile))
        assert self.value is not None
        if new < self.value - self.tol * max(1.0, abs(self.value)):
            raise PotentialDecreased(
                f"potential fell from {self.value:.12g} to {new:.12g} in {what}",
                hint="the game is not an exact/ordinal potential game for this potential",
            )
        self.value = new


def _initial_profile(
    oracle: FiniteGameOracle, initial: ArrayLike | None, seed: int | None
) -> IntArray:
    """Validate a given start profile, or draw a seeded random one."""
    counts = [oracle.n_choices(i) for i in range(oracle.n_players)]
    if initial is None:
        return random_profile(counts, seed)
    s = np.array(initial, dtype=np.int64, copy=True)
    if s.shape != (len(counts),):
        raise SpecError(f"initial profile needs {len(counts)} entries, got shape {s.shape}")
    if np.any(s < 0) or np.any(s >= np.asarray(counts)):
        raise SpecError("initial profile has a choice outside a player's strategy set")
    return s


def _sequential_pass(
    oracle: FiniteGameOracle,
    profile: IntArray,
    order: Sequence[int],
    tol: float,
    monitor: PotentialMonitor,
    deadline: float,
) -> tuple[int, bool]:
    """One pass of players in turn; returns (switches, timed_out)."""
    switches = 0
    for i in order:
        current = int(profile[i])
        best = best_response_index(oracle.gains(i, profile), current, tol)
        if best != current:
            profile[i] = best
            switches += 1
            monitor.after_switch(profile, i)
        if time.perf_counter() > deadline:
            return switches, True
    return switches, False


def _simultaneous_round(
    oracle: FiniteGameOracle, profile: IntArray, order: Sequence[int], tol: float
) -> int:
    """Every player best-responds to the same profile; all switch at once."""
    responses = profile.copy()
    for i in order:
        responses[i] = best_response_index(oracle.gains(i, profile), int(profile[i]), tol)
    switches = int(np.count_nonzero(responses != profile))
    profile[:] = responses
    return switches


def pass_outcome(profile: IntArray, passes: int, switches: int, timed_out: bool,
                 seen: dict[bytes, int]) -> tuple[Status, int | None] | None:
    """How a run ends after a pass, if it does: time limit (a partial pass is not a pass
    boundary), converged (nothing changed), or a cycle (a profile seen at an earlier pass
    boundary, with its length in passes). Records the profile in `seen` otherwise."""
    if timed_out:
        return "time_limit", None
    if switches == 0:
        return "converged", None
    digest = profile_digest(profile)
    if digest in seen:
        return "cycle", passes - seen[digest]
    seen[digest] = passes
    return None


def best_response_dynamics(
    oracle: FiniteGameOracle,
    *,
    initial: ArrayLike | None = None,
    seed: int | None = 0,
    mode: Literal["sequential", "simultaneous"] = "sequential",
    order: Sequence[int] | None = None,
    tol: float = DEFAULT_TOL,
    max_passes: int = 10_000,
    time_limit: float | None = None,
    potential: Callable[[IntArray], float] | None = None,
    potential_tol: float = 1e-9,
    potential_per_pass: bool = False,
    on_progress: Callable[[PassInfo], None] | None = None,
    certify: bool = True,
) -> BRDResult:
    """Run BRD on a finite game until a pass changes nothing, a cycle, or a limit.

    ``initial`` (else a random profile from ``seed``) is the start; ``order`` the order
    players move in (default ``0..n-1``). ``potential`` (sequential mode only: simultaneous
    moves may lower a potential legitimately) is evaluated after every switch and must
    never fall by more than ``potential_tol`` (relative to max(1, |potential|); else
    `PotentialDecreased`); with
    ``potential_per_pass`` it is checked at the end of every pass instead (for potentials
    too costly to evaluate per switch). ``on_progress``
    receives a `PassInfo` after every pass. With ``certify`` the result carries
    `max_unilateral_gain` of the final profile. Never raises for non-convergence: inspect
    ``result.status`` or call ``result.raise_for_status()``.
    """
    if mode not in ("sequential", "simultaneous"):
        raise SpecError(f"unknown BRD mode {mode!r}", hint="use 'sequential' or 'simultaneous'")
    start = time.perf_counter()
    deadline = start + time_limit if time_limit is not None else float("inf")
    profile = _initial_profile(oracle, initial, seed)
    players = list(range(oracle.n_players)) if order is None else [int(i) for i in order]
    if sorted(players) != list(range(oracle.n_players)):
        raise SpecError(f"the move order must list every one of the {oracle.n_players} "
                        "players exactly once")
    monitor = PotentialMonitor(potential if mode == "sequential" else None, potential_tol,
                                potential_per_pass)
    monitor.start(profile)
    seen = {profile_digest(profile): 0}
    status: Status = "pass_limit"
    cycle_length = None
    total = passes = 0
    while passes < max_passes:
        passes += 1
        if mode == "sequential":
            switches, timed_out = _sequential_pass(
                oracle, profile, players, tol, monitor, deadline
            )
        else:
            switches = _simultaneous_round(oracle, profile, players, tol)
            timed_out = time.perf_counter() > deadline
        total += switches
        monitor.after_pass(profile, passes)
        if on_progress is not None:
            on_progress(PassInfo(passes, switches, total, time.perf_counter() - start,
                                 monitor.value))
        ended = pass_outcome(profile, passes, switches, timed_out, seen)
        if ended is not None:
            status, cycle_length = ended
            break
    certificate = max_unilateral_gain(oracle, profile) if certify else None
    return BRDResult(
        profile=profile,
        status=status,
        passes=passes,
        switches=total,
        elapsed=time.perf_counter() - start,
        method=f"brd-{mode}",
        parameters={"tol": tol, "seed": seed, "mode": mode, "max_passes": max_passes,
                    "time_limit": time_limit},
        cycle_length=cycle_length,
        potential=monitor.value,
        certificate=certificate,
    )
