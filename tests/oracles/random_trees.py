"""Seeded random game trees with perfect recall, for cross-checks (Gambit interop, solvers).

A tree is played in stages; each stage has one mover (a player or chance), its moves, and
the players who see its result (the mover always does). A player's information set is
the stage with everything the player has seen so far, so every player remembers what it
knew and did (perfect recall). Plays may end early; payoffs are small integers and halves.
"""
from __future__ import annotations

import random
from fractions import Fraction as F

from gamespec.game_tree import GameTree, nested_tree

ODD_LABELS = ("go", "say \"hi\"", "", "2", "in", "a b", "x\\y", "")


def random_tree(seed: int, players: tuple[str, ...] = ("alice", "bob"), stages: int = 3,
                zero_sum: bool = False, chance: bool = True, odd_labels: bool = False
                ) -> GameTree:
    """A random tree (see the module docstring); zero_sum needs two players."""
    rng = random.Random(seed)
    movers = players + (("chance",) if chance else ())
    plan = []
    for stage in range(stages):
        mover = rng.choice(movers)
        count = rng.randint(2, 3)
        moves = [f"m{stage}{k}" for k in range(count)]
        if odd_labels:
            moves = [rng.choice(ODD_LABELS) + f"{stage}{k}" for k in range(count)]
        weights = [rng.randint(1, 4) for _ in moves]
        probs = [F(w, sum(weights)) for w in weights]
        seen = {p for p in players if p == mover or rng.random() < 0.5}
        plan.append((mover, tuple(moves), probs, seen))

    def leaf():
        values = [F(rng.randint(-8, 8), rng.choice((1, 1, 2))) for _ in players]
        if zero_sum:
            values = [values[0], -values[0]]
        return ("leaf", tuple(values))

    def build(stage: int, views: dict[str, tuple]):
        if stage == len(plan) or (stage > 0 and rng.random() < 0.15):
            return leaf()
        mover, moves, probs, seen = plan[stage]

        def after(move):
            new = {p: v + ((stage, move),) if p in seen else v for p, v in views.items()}
            return build(stage + 1, new)

        if mover == "chance":
            return ("chance", {m: (p, after(m)) for m, p in zip(moves, probs)})
        label = f"{mover} {stage} {views[mover]}"
        return ("decision", mover, label, {m: after(m) for m in moves})

    return nested_tree(players, build(0, {p: () for p in players}))
