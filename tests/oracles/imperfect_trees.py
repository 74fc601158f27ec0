"""Seeded random game trees with imperfect information and perfect recall, for tests.

Random depth, chance nodes with random rational probabilities, decision nodes of random
players. A decision node's information set is drawn from a few groups among the player's
nodes at the same depth with the same own history (the player's earlier information sets
and moves), so every information set has perfect recall; its number of moves is fixed by
the set. Payoffs are small integers (Fractions): zero-sum, constant-sum or general sum.
"""
from __future__ import annotations

import random
from fractions import Fraction

from gamespec.game_tree import GameTree, nested_tree


def random_tree(seed: int, players: tuple[str, ...] = ("p1", "p2"), *, kind: str = "zero",
                max_depth: int | None = None, groups: int = 2, chance: float = 0.25,
                constant: int = 3) -> GameTree:
    """A random tree; `kind` is "zero", "constant" (payoffs sum to `constant`) or
    "general"."""
    rng = random.Random(seed)
    depth_limit = max_depth if max_depth is not None else rng.randint(3, 5)
    moves_of: dict[str, int] = {}

    def payoffs():
        u = Fraction(rng.randint(-5, 5))
        if kind == "zero":
            return (u, -u) + tuple(Fraction(0) for _ in players[2:])
        if kind == "constant":
            return (u, constant - u) + tuple(Fraction(0) for _ in players[2:])
        return (u,) + tuple(Fraction(rng.randint(-5, 5)) for _ in players[1:])

    def build(depth: int, own: dict[str, tuple]) -> tuple:
        if depth >= depth_limit or (depth > 0 and rng.random() < 0.2):
            return ("leaf", payoffs())
        if rng.random() < chance:
            n = rng.randint(2, 3)
            weights = [rng.randint(1, 4) for _ in range(n)]
            total = sum(weights)
            return ("chance", {f"c{j}": (Fraction(w, total), build(depth + 1, own))
                               for j, w in enumerate(weights)})
        player = rng.choice(players)
        label = f"{player}|{depth}|{own[player]}|g{rng.randrange(groups)}"
        n = moves_of.setdefault(label, rng.randint(2, 3))
        branches = {}
        for j in range(n):
            move = f"m{j}"
            after = {**own, player: own[player] + ((label, move),)}
            branches[move] = build(depth + 1, after)
        return ("decision", player, label, branches)

    return nested_tree(players, build(0, {p: () for p in players}))
