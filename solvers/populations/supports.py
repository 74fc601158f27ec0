"""Supports (sets of used choices) of population games, and one equilibrium point."""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np


def subsets(k: int) -> list[tuple[int, ...]]:
    """Every nonempty subset of range(k), smallest first."""
    return [c for r in range(1, k + 1) for c in itertools.combinations(range(k), r)]


def support_combinations(sizes: list[int]) -> Iterator[tuple[tuple[int, ...], ...]]:
    """Every combination of one nonempty support per population, fewest choices first."""
    combos = list(itertools.product(*(subsets(k) for k in sizes)))
    combos.sort(key=lambda combo: sum(len(s) for s in combo))
    yield from combos


@dataclass
class SharePoint:
    """An equilibrium found: shares per population (floats, and exact SymPy values when
    known); kind "regular" (equal payoffs on the support) or "threshold" (the payoff
    difference changes sign across a jump: the equilibrium of the continuum limit)."""

    shares: list[np.ndarray]
    kind: str = "regular"
    exact: list[list] | None = None
    support: tuple[tuple[int, ...], ...] = ()
    gain: float = 0.0  # max gain of switching from a used choice (regular)
    sides: dict = field(default_factory=dict)  # threshold: the one-sided check
    stable: bool | None = None  # along an edge: attracting under switching dynamics

    def close_to(self, other: SharePoint, tol: float) -> bool:
        return all(np.max(np.abs(a - b)) <= tol for a, b in zip(self.shares, other.shares))
