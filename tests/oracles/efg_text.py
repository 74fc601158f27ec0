"""A GameTree written as Gambit .efg text, for cross-checks against pygambit.

Information sets are named "h<index>" (the tree's index), so a pygambit infoset's label
gives the tree's information set back; chance nodes get their own chance infosets.
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


def read_tree(tree: GameTree, title: str = "gamespec tree"):
    """The tree as a pygambit Game (pygambit imported here: an optional test extra)."""
    import io

    import pygambit as gbt

    return gbt.read_efg(io.StringIO(tree_to_efg(tree, title)))


def gambit_behaviour(game, profile) -> dict[int, tuple]:
    """A pygambit behaviour profile as {tree infoset index: move probabilities}."""
    out = {}
    for player in game.players:
        for infoset in player.infosets:
            h = int(infoset.label[1:])
            out[h] = tuple(_exact(profile[action]) for action in infoset.actions)
    return out


def _exact(v):
    return Fraction(str(v)) if not isinstance(v, float) else v
