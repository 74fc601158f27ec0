"""The certificate of subgame perfection: at every decision node, what the mover would gain
by changing its move there once (the one-shot deviation principle: a profile of a finite
perfect-information tree is subgame perfect iff no such gain is positive)."""
from __future__ import annotations

from typing import Any

from gamespec.game_tree import CHANCE, TERMINAL, GameTree
from gamespec.solvers.trees.behaviour import Behaviour


def node_values(tree: GameTree, behaviour: Behaviour) -> list[list]:
    """Every node's expected payoff vector under `behaviour`, children before parents."""
    values: list[list | None] = [None] * len(tree.nodes)
    for index in reversed(range(len(tree.nodes))):  # parents are numbered before children
        node = tree.nodes[index]
        if node.kind == TERMINAL:
            values[index] = list(node.payoffs)
            continue
        probs = node.probabilities if node.kind == CHANCE else behaviour[node.infoset]
        total = [0] * len(tree.players)
        for child, p in zip(node.children, probs):
            if p:
                total = [t + p * v for t, v in zip(total, values[child])]
        values[index] = total
    return values  # type: ignore[return-value]


def largest_one_shot_gain(tree: GameTree, behaviour: Behaviour) -> Any:
    """max over decision nodes of (best child value - node value) for the mover."""
    values = node_values(tree, behaviour)
    order = {p: k for k, p in enumerate(tree.players)}
    worst: Any = 0
    for index, node in enumerate(tree.nodes):
        if node.kind in (TERMINAL, CHANCE):
            continue
        k = order[node.player]
        best = max(values[child][k] for child in node.children)
        worst = max(worst, best - values[index][k])
    return worst
