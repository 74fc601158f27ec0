"""Best responses to a behaviour profile on a tree with perfect recall, and NashConv.

For a player i, every node gets the reach probability of the others and chance; a
backward pass then gives each node i's best counterfactual value: leaves their payoff
times that reach, other players' and chance nodes the sum over their children, and i's
nodes the child of the move that is best for i's whole information set (the sum over its
nodes). Nodes are visited deepest own-history first (then by decreasing index), so under
perfect recall every node below an information set of i is valued before the set is
decided. Any number of players, general sum; exact when the values are Fractions.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gamespec.game_tree import CHANCE, DECISION, TERMINAL, GameTree
from gamespec.solvers.trees.behaviour import Behaviour, expected_payoffs
from gamespec.solvers.trees.sequences import node_sequences


@dataclass(frozen=True, eq=False)
class BestResponses:
    """Per player (in `tree.players` order): the profile's expected payoff, the best
    response value against the others, and a best pure reply (information set -> move
    index). NashConv (`exploitability`) sums the gains; 0 exactly at an equilibrium."""

    players: tuple[str, ...]
    values: tuple[Any, ...]
    best: tuple[Any, ...]
    choices: tuple[dict[int, int], ...]

    @property
    def gains(self) -> tuple[Any, ...]:
        return tuple(b - v for b, v in zip(self.best, self.values))

    @property
    def exploitability(self) -> Any:
        return sum(self.gains)


def _others_reach(tree: GameTree, behaviour: Behaviour, player: str
                  ) -> tuple[list, np.ndarray]:
    """Each node's reach probability by chance and the players other than `player`, and
    the number of `player`'s own moves on the path to it."""
    nodes = tree.nodes
    reach: list = [0] * len(nodes)
    depth = np.zeros(len(nodes), dtype=np.int64)
    reach[0] = 1
    for i, n in enumerate(nodes):
        if n.kind == TERMINAL:
            continue
        if n.kind == CHANCE:
            probs: Sequence = n.probabilities
        elif n.player == player:
            for c in n.children:
                reach[c], depth[c] = reach[i], depth[i] + 1
            continue
        else:
            probs = behaviour[n.infoset]
        for c, p in zip(n.children, probs):
            reach[c], depth[c] = reach[i] * p, depth[i]
    return reach, depth


def best_response(tree: GameTree, behaviour: Behaviour, player: str
                  ) -> tuple[Any, dict[int, int]]:
    """`player`'s best-response value against the others' behaviour, and the reply."""
    k = tree.players.index(player)
    reach, depth = _others_reach(tree, behaviour, player)
    order = np.lexsort((-np.arange(len(tree.nodes)), -depth))
    value: list = [0] * len(tree.nodes)
    choice: dict[int, int] = {}
    nodes = tree.nodes
    for i in order.tolist():
        n = nodes[i]
        if n.kind == TERMINAL:
            value[i] = reach[i] * n.payoffs[k] if reach[i] else 0
        elif n.kind == DECISION and n.player == player:
            h = n.infoset
            if h not in choice:
                members = tree.infosets[h].nodes
                q = [sum(value[nodes[m].children[a]] for m in members)
                     for a in range(len(n.children))]
                choice[h] = max(range(len(q)), key=q.__getitem__)
            value[i] = value[n.children[choice[h]]]
        else:
            value[i] = sum(value[c] for c in n.children)
    return value[0], choice


def best_responses(tree: GameTree, behaviour: Behaviour) -> BestResponses:
    """Every player's best response to the others' behaviour (perfect recall checked)."""
    node_sequences(tree)  # raises SolverError without perfect recall
    values = tuple(expected_payoffs(tree, behaviour))
    replies = [best_response(tree, behaviour, p) for p in tree.players]
    return BestResponses(tuple(tree.players), values, tuple(v for v, _ in replies),
                         tuple(c for _, c in replies))


def exploitability(tree: GameTree, behaviour: Behaviour) -> Any:
    """NashConv: the sum over players of what a best response gains over the profile."""
    return best_responses(tree, behaviour).exploitability
