"""A GameTree written as Gambit .efg text, for cross-checks against pygambit (through
tests/oracles/gambit_reference.py).

Information sets are named "h<index>" (the tree's index), so a Gambit behaviour profile's
information set label gives the tree's information set back (`behaviour`); chance nodes get
their own chance infosets.
Values must be numbers (Fractions are written as a/b). Also used by
benchmarks/game_trees.py (loaded by path).
"""
from __future__ import annotations

from fractions import Fraction

from gamespec.game_tree import CHANCE, TERMINAL, GameTree


def _num(v) -> str:
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    return repr(float(v))


def _q(s: str) -> str:
    return '"' + str(s).replace('"', "'") + '"'


def tree_to_efg(tree: GameTree, title: str = "gamespec tree") -> str:
    """The .efg text of `tree` (nodes in depth-first order from the root)."""
    number = {}  # tree infoset -> its number within its player (1-based)
    per_player = {p: 0 for p in tree.players}
    for h, info in enumerate(tree.infosets):
        per_player[info.player] += 1
        number[h] = per_player[info.player]
    player_no = {p: k + 1 for k, p in enumerate(tree.players)}
    lines = [f"EFG 2 R {_q(title)} {{ {' '.join(_q(p) for p in tree.players)} }}", '""', ""]
    chance_sets = outcomes = 0
    stack = [0]
    while stack:
        i = stack.pop()
        n = tree.nodes[i]
        if n.kind == TERMINAL:
            outcomes += 1
            pay = ", ".join(_num(u) for u in n.payoffs)
            lines.append(f't "" {outcomes} "" {{ {pay} }}')
            continue
        if n.kind == CHANCE:
            chance_sets += 1
            moves = " ".join(f"{_q(m)} {_num(p)}" for m, p in zip(n.moves, n.probabilities))
            lines.append(f'c "" {chance_sets} "" {{ {moves} }} 0')
        else:
            moves = " ".join(_q(m) for m in n.moves)
            lines.append(f'p "" {player_no[n.player]} {number[n.infoset]} '
                         f'"h{n.infoset}" {{ {moves} }} 0')
        stack.extend(reversed(n.children))
    return "\n".join(lines) + "\n"


def behaviour(eq) -> dict[int, tuple]:
    """A Gambit behaviour profile (gambit_reference.Equilibrium) as {tree infoset index: move
    probabilities}."""
    return {int(label[1:]): probs for label, probs in eq.behaviour.items()}
