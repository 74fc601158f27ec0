"""Seeded random game trees with perfect recall, for tests: general-sum payoffs, any number
of players, chance nodes, and information sets that merge a player's decision nodes that
share the player's own history (and a random signal), so recall stays perfect."""
from __future__ import annotations

import random
from fractions import Fraction as F

from gamespec.game_tree import GameTree, nested_tree

CHANCE_SPLITS = ((F(1, 2), F(1, 2)), (F(1, 3), F(2, 3)), (F(1, 4), F(3, 4)))
MOVE_NAMES = "LRM"


def random_tree(seed: int, players: int = 2, depth: int = 3, chance: float = 0.25,
                signals: int = 2, stop: float = 0.2, payoffs: int = 5) -> GameTree:
    """A random tree: each inner node is chance (probability `chance`) or a random player's
    decision with 2 or 3 moves; a branch ends early with probability `stop` or at `depth`.
    Payoffs are integers in 0..payoffs (all players independently)."""
    rng = random.Random(seed)
    names = tuple(f"p{k + 1}" for k in range(players))
    infosets: dict[tuple, tuple[str, int]] = {}  # (player, own history, signal) -> label

    def build(level: int, own: dict[str, tuple]):
        if level == depth or (level > 0 and rng.random() < stop):
            return ("leaf", tuple(F(rng.randint(0, payoffs)) for _ in names))
        if rng.random() < chance:
            split = rng.choice(CHANCE_SPLITS)
            return ("chance", {f"c{i}": (p, build(level + 1, own)) for i, p in enumerate(split)})
        player = rng.choice(names)
        key = (player, own[player], rng.randrange(signals))
        if key not in infosets:
            infosets[key] = (f"{player}.{len(infosets)}", rng.choice((2, 2, 3)))
        label, count = infosets[key]
        branches = {}
        for move in MOVE_NAMES[:count]:
            after = dict(own)
            after[player] = own[player] + ((label, move),)
            branches[move] = build(level + 1, after)
        return ("decision", player, label, branches)

    return nested_tree(names, build(0, {p: () for p in names}))
