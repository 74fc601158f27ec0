"""Behaviour strategies on a game tree and the payoffs they give.

A behaviour profile maps every information set (its index in `GameTree.infosets`) to
probabilities over its moves, aligned with `InformationSet.moves`. Values may be
Fractions (exact) or floats; the tree's values must be numbers (`GameTree.map_values`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gamespec.game_tree import CHANCE, TERMINAL, GameTree

Behaviour = Mapping[int, Sequence[Any]]


def expected_payoffs(tree: GameTree, behaviour: Behaviour, node: int = 0) -> list:
    """Each player's expected payoff from `node` on when everyone plays `behaviour`."""
    totals: list = [0] * len(tree.players)
    stack = [(node, 1)]
    while stack:
        index, weight = stack.pop()
        n = tree.nodes[index]
        if n.kind == TERMINAL:
            for k, u in enumerate(n.payoffs):
                totals[k] += weight * u
            continue
        probs = n.probabilities if n.kind == CHANCE else behaviour[n.infoset]
        for child, p in zip(n.children, probs):
            if p:
                stack.append((child, weight * p))
    return totals


def pure_behaviour(tree: GameTree, choice: Mapping[int, str]) -> dict[int, tuple]:
    """The behaviour profile that plays move `choice[h]` at every information set h."""
    return {h: tuple(1 if m == choice[h] else 0 for m in info.moves)
            for h, info in enumerate(tree.infosets)}
