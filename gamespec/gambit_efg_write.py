"""Write a GameTree with numeric values as a Gambit .efg file (EFG 2 R).

Information sets are numbered per player 1..k in the tree's order, chance nodes 1..m, and
every leaf gets its own outcome (numbered 1..L in prefix order). Fractions are written
exactly (`a/b`); floats always with an exponent, so gamespec reads them back as floats.
"""
from __future__ import annotations

from gamespec.errors import SpecError
from gamespec.gambit_efg_lexer import format_number, quote
from gamespec.game_tree import CHANCE, TERMINAL, GameTree, as_number


def _number(value) -> str:
    try:
        return format_number(as_number(value))
    except TypeError:
        raise SpecError(f"the tree has a value that is not a number ({value}); give every "
                        "parameter a value before exporting to Gambit") from None


def write_efg(tree: GameTree, title: str = "", comment: str = "") -> str:
    """EFG text of `tree`: nodes in prefix order (parent, then each child's subtree)."""
    player_number = {p: k for k, p in enumerate(tree.players, 1)}
    infoset_number: dict[int, int] = {}
    for player in tree.players:
        for k, h in enumerate(tree.player_infosets(player), 1):
            infoset_number[h] = k
    players = " ".join(quote(p) for p in tree.players)
    lines = [f"EFG 2 R {quote(title)} {{ {players} }}", quote(comment), ""]
    chance = outcome = 0
    stack = [0]
    while stack:
        index = stack.pop()
        node = tree.nodes[index]
        if node.kind == TERMINAL:
            outcome += 1
            if len(node.payoffs) != len(tree.players):
                raise SpecError(f"leaf {index} has {len(node.payoffs)} payoffs for "
                                f"{len(tree.players)} players")
            payoffs = ", ".join(_number(u) for u in node.payoffs)
            lines.append(f't "" {outcome} "" {{ {payoffs} }}')
            continue
        if node.kind == CHANCE:
            chance += 1
            moves = " ".join(f"{quote(m)} {_number(p)}"
                             for m, p in zip(node.moves, node.probabilities))
            lines.append(f'c "" {chance} "" {{ {moves} }} 0')
        else:
            h = tree.infosets[node.infoset]
            if node.player not in player_number:
                raise SpecError(f"node {index} belongs to {node.player!r}, not a player")
            moves = " ".join(quote(m) for m in h.moves)
            lines.append(f"p \"\" {player_number[node.player]} {infoset_number[node.infoset]}"
                         f" {quote(h.label)} {{ {moves} }} 0")
        stack.extend(reversed(node.children))
    return "\n".join(lines) + "\n"
