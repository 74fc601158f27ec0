"""From mixed strategies over reduced plans to realization-equivalent behaviour strategies
(Kuhn's theorem, for trees with perfect recall).

A player's probability of move a at information set h is the mass of the plans that
choose a at h over the mass of the plans that reach h (a reduced plan chooses a move at h
exactly when its own earlier moves allow h to be reached). Where no plan in the mix
reaches h, the move is uniform and h is listed as off the player's own path: any choice
there is realization-equivalent. Exact with Fractions, floats otherwise.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamespec.game_tree import GameTree
from gamespec.solvers.trees.reduced_normal_form import Plan, ReducedNormalForm

OFF_PATH = "off the player's own path"


@dataclass(frozen=True)
class BehaviourFromMixed:
    """behaviour: information set -> move probabilities (aligned with its moves);
    off_path: the sets no plan in the mix reaches (uniform there)."""

    behaviour: dict[int, tuple]
    off_path: frozenset[int]


def player_behaviour(tree: GameTree, player: str, plans: Sequence[Plan],
                     mixed: Sequence[Any]) -> BehaviourFromMixed:
    """The behaviour strategy of `player` equivalent to `mixed` (one weight per plan)."""
    if len(plans) != len(mixed):
        raise ValueError(f"{len(mixed)} weights for {len(plans)} plans of {player}")
    exact = all(isinstance(w, Fraction | int) for w in mixed)
    zero: Any = Fraction(0) if exact else 0.0
    mass: dict[tuple[int, str], Any] = {}
    for plan, w in zip(plans, mixed):
        if w:
            for pair in plan:
                mass[pair] = mass.get(pair, zero) + w
    behaviour: dict[int, tuple] = {}
    off: set[int] = set()
    for h in tree.player_infosets(player):
        moves = tree.infosets[h].moves
        weights = [mass.get((h, m), zero) for m in moves]
        reach = sum(weights, zero)
        if reach:
            behaviour[h] = tuple(w / reach for w in weights)
        else:
            off.add(h)
            share = Fraction(1, len(moves)) if exact else 1.0 / len(moves)
            behaviour[h] = (share,) * len(moves)
    return BehaviourFromMixed(dict(sorted(behaviour.items())), frozenset(off))


def behaviour_profile(tree: GameTree, rnf: ReducedNormalForm,
                      mixed: Sequence[Sequence[Any]]) -> BehaviourFromMixed:
    """Every player's equivalent behaviour strategy, for a mixed profile (one weight
    vector per player, aligned with rnf.plans)."""
    behaviour: dict[int, tuple] = {}
    off: set[int] = set()
    for player, plans, weights in zip(rnf.players, rnf.plans, mixed):
        part = player_behaviour(tree, player, plans, list(weights))
        behaviour.update(part.behaviour)
        off |= part.off_path
    return BehaviourFromMixed(dict(sorted(behaviour.items())), frozenset(off))
