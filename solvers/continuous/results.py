"""Result records of the continuous solvers: best-response sets, fixed points, leaders,
Nash and Stackelberg equilibria.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy

from gamespec.result import Certificate


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
