"""The zero-sum observation-conditioned game (`ConditionalGame`), its named side constraints on
the leader (`SideConstraint`), and which side constraint no leader strategy can meet.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from gamespec.errors import SolverError, SpecError

Sense = Literal["<=", ">=", "=="]


@dataclass(frozen=True, eq=False)
class SideConstraint:
    """A named linear constraint on the leader: sum_{r,s} weights[r,s] f[r,s] (sense) bound.

    `offset` is for reports only: the constraint as written reads
    (weights . f + offset) (sense) (bound + offset), e.g. `1 - x[T] <= 0.3` has offset 1.
    """

    name: str
    weights: np.ndarray
    sense: Sense
    bound: float
    offset: float = 0.0

    def level(self, f: np.ndarray) -> float:
        """The written left side at the leader strategy f."""
        return float(np.sum(self.weights * f)) + self.offset

    @property
    def written_bound(self) -> float:
        return self.bound + self.offset


@dataclass(frozen=True, eq=False)
class ConditionalGame:
    """Zero-sum game: leader channel f[r, s], follower answer h[signal[s], a], payoff C[r, s, a].

    The leader maximises sum C f h, the follower minimises it. `signal` (length S, values
    0..O-1) is what the follower observes of s; None means it observes s itself.
    """

    payoff: np.ndarray
    constraints: tuple[SideConstraint, ...] = ()
    signal: np.ndarray | None = None

    def __post_init__(self) -> None:
        C = np.asarray(self.payoff, dtype=float)
        if C.ndim != 3 or min(C.shape) < 1:
            raise SpecError(f"payoff must be a non-empty R x S x A array, got shape {C.shape}")
        if not np.all(np.isfinite(C)):
            raise SpecError("payoff has non-finite entries (inf or nan)",
                            hint="check the data and any division in the payoff")
        object.__setattr__(self, "payoff", C)
        R, S, _ = C.shape
        if self.signal is not None:
            sig = np.asarray(self.signal)
            if sig.shape != (S,) or not np.issubdtype(sig.dtype, np.integer) or sig.min() < 0:
                raise SpecError(f"signal must be {S} non-negative integers")
            object.__setattr__(self, "signal", sig.astype(np.int64))
        names = [c.name for c in self.constraints]
        if len(set(names)) != len(names):
            raise SpecError(f"side constraint names must be unique, got {names}")
        for con in self.constraints:
            w = np.asarray(con.weights, dtype=float)
            if w.shape != (R, S) or not np.all(np.isfinite(w)) or not math.isfinite(con.bound):
                raise SpecError(f"side constraint '{con.name}' needs finite {R} x {S} weights "
                                "and a finite bound")
            if con.sense not in ("<=", ">=", "=="):
                raise SpecError(f"side constraint '{con.name}' has unknown sense {con.sense!r}")

    @property
    def shape(self) -> tuple[int, int, int]:
        """(R, S, A): leader states, leader signals, follower actions."""
        return self.payoff.shape  # type: ignore[return-value]

    @property
    def signals(self) -> np.ndarray:
        """signal[s] as an array (the identity when the follower sees s)."""
        return np.arange(self.shape[1]) if self.signal is None else self.signal

    @property
    def n_observations(self) -> int:
        return int(self.signals.max()) + 1


def side_constraint_range(game: ConditionalGame, con: SideConstraint) -> tuple[float, float]:
    """Min and max of the constraint's left side over all leader strategies.

    The leader's strategy set is a product of simplices (one per r), so the minimum of a linear
    function over it is sum_r min_s G[r, s]: the LP "min lhs" solved in closed form.
    """
    G = np.asarray(con.weights, dtype=float)
    return float(G.min(axis=1).sum()), float(G.max(axis=1).sum())


def side_constraint_problem(game: ConditionalGame, tol: float = 1e-9) -> SolverError | None:
    """The error for the first side constraint that no leader strategy can meet, if any."""
    for con in game.constraints:
        lo, hi = side_constraint_range(game, con)
        slack = tol * max(1.0, abs(con.bound))
        low, high, bound = lo + con.offset, hi + con.offset, con.written_bound  # as written
        if con.sense in ("<=", "==") and lo > con.bound + slack:
            return SolverError(
                f"the leader's LP is infeasible: side constraint '{con.name}' needs its left side "
                f"<= {bound:.6g}, but its minimum over all leader strategies is {low:.6g}",
                hint=f"raise the bound of '{con.name}' to at least {low:.6g}",
            )
        if con.sense in (">=", "==") and hi < con.bound - slack:
            return SolverError(
                f"the leader's LP is infeasible: side constraint '{con.name}' needs its left side "
                f">= {bound:.6g}, but its maximum over all leader strategies is {high:.6g}",
                hint=f"lower the bound of '{con.name}' to at most {high:.6g}",
            )
    return None


def check_side_constraints(game: ConditionalGame) -> None:
    """Raise SolverError naming a side constraint that no leader strategy can meet."""
    problem = side_constraint_problem(game)
    if problem is not None:
        raise problem
