"""An exact certificate for a float sequence-form solution of a constant-sum tree.

The LP's behaviour probabilities are rounded to nearby Fractions (`limit_denominator`,
finer denominators in turn; a rounding is tried once it is stable); exact best responses
on the exact tree then bound the value: the first player guarantees c - (second player's
best response) and cannot get more than the first player's best response. When the two
bounds meet, the rounded profile is an equilibrium and the value is exact; the gap
between them is the profile's exploitability (NashConv).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamespec.game_tree import GameTree
from gamespec.solvers.trees.behaviour import Behaviour
from gamespec.solvers.trees.best_response import BestResponses, best_responses

DENOMINATORS = (100, 10_000, 1_000_000, 100_000_000)


@dataclass(frozen=True, eq=False)
class ExactCertificate:
    """The rounded profile, the exact bounds [lower, upper] on the first player's value,
    and the best responses behind them; `value` is set when the bounds meet."""

    behaviour: dict[int, tuple[Fraction, ...]]
    lower: Any
    upper: Any
    denominator: int
    responses: BestResponses

    @property
    def certified(self) -> bool:
        return self.lower == self.upper

    @property
    def value(self) -> Any:
        return self.upper if self.certified else None

    @property
    def exploitability(self) -> Any:
        return self.responses.exploitability


def rational_distribution(probs: Sequence[float], limit: int) -> tuple[Fraction, ...]:
    """Probabilities rounded to Fractions with denominators up to `limit`, summing to 1."""
    fr = [max(Fraction(0), Fraction(float(p)).limit_denominator(limit)) for p in probs]
    total = sum(fr)
    if total == 0:
        return (Fraction(1, len(fr)),) * len(fr)
    return tuple(v / total for v in fr)


def rationalise(behaviour: Behaviour, limit: int) -> dict[int, tuple[Fraction, ...]]:
    """A behaviour profile with every distribution rounded by `rational_distribution`."""
    return {h: rational_distribution(p, limit) for h, p in behaviour.items()}


def certify_exact(tree: GameTree, behaviour: Behaviour, constant: Any,
                  denominators: Sequence[int] = DENOMINATORS) -> ExactCertificate:
    """Round a two-player constant-sum profile (payoffs sum to `constant`) and bound the
    value exactly. A rounding is checked exactly when it is stable (the next finer limit
    rounds to the same Fractions); the first whose bounds meet is returned, else the
    bounds of the finest rounding (still rigorous). Exact when the tree's values are
    Fractions."""
    previous = cert = None
    for limit in denominators:
        exact = rationalise(behaviour, limit)
        if exact == previous and (cert is None or cert.behaviour != exact):
            cert = _bounds(tree, exact, constant, limit)
            if cert.certified:
                return cert
        previous = exact
    if cert is not None and cert.behaviour == previous:
        return cert
    return _bounds(tree, previous, constant, denominators[-1])


def _bounds(tree: GameTree, exact: dict, constant: Any, limit: int) -> ExactCertificate:
    br = best_responses(tree, exact)
    return ExactCertificate(exact, constant - br.best[1], br.best[0], limit, br)
