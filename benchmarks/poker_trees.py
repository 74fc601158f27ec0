"""Kuhn and Leduc poker as GameTrees (gamespec.game_tree.nested_tree), for benchmarks.

One generator for both: each player antes 1 and is dealt a private card; betting rounds
with a fixed bet size each and at most `max_raises` bets/raises per round; the first
player acts first in every round; between rounds a public card is dealt. At showdown a
private card pairing the public card wins, else the higher rank, equal ranks split.
Information sets: the player's own card, the public cards and the betting so far.

Kuhn poker (Kuhn 1950): ranks J < Q < K, one suit, one round with one bet of 1; value for
the first player -1/18. Leduc poker (Southey et al. 2005): two suits of J, Q, K, bets of 2
then 4, at most two raises a round; value for the first player about -0.0856.
"""
from __future__ import annotations

from fractions import Fraction

from gamespec.game_tree import GameTree, nested_tree

PLAYERS = ("first", "second")


def poker_tree(ranks: tuple[str, ...], suits: int, bets: tuple[int, ...],
               max_raises: int) -> GameTree:
    """A two-player poker tree: one betting round per entry of `bets` (its bet size)."""
    deck = [r + (str(s) if suits > 1 else "") for r in ranks for s in range(suits)]
    rank = {c: ranks.index(c[0]) for c in deck}

    def showdown(cards, public, pot):
        a, b = (2 * (rank[c] == rank[public]) if public else 0 for c in cards)
        sa, sb = (a, rank[cards[0]]), (b, rank[cards[1]])
        win = pot if sa > sb else -pot if sa < sb else 0
        return ("leaf", (Fraction(win), Fraction(-win)))

    def end_of_round(cards, board, history, contrib, r):
        if r + 1 == len(bets):
            return showdown(cards, board[-1] if board else None, contrib[0])
        left = [c for c in deck if c not in cards and c not in board]
        p = Fraction(1, len(left))
        return ("chance", {c: (p, betting(cards, board + (c,), history + (c,), contrib,
                                          r + 1, "", 0)) for c in left})

    def betting(cards, board, history, contrib, r, actions, raises):
        mover = len(actions) % 2
        label = f"{cards[mover]} " + "/".join(history + (actions,))
        facing = contrib[0] != contrib[1]
        moves = {}
        if facing:
            lost = Fraction(contrib[mover])  # the folder loses what they put in
            moves["Fold"] = ("leaf", (-lost, lost) if mover == 0 else (lost, -lost))
            called = (max(contrib), max(contrib))
            moves["Call"] = end_of_round(cards, board, history + (actions + "c",), called, r)
        elif actions == "k":
            moves["Check"] = end_of_round(cards, board, history + ("kk",), contrib, r)
        else:
            moves["Check"] = betting(cards, board, history, contrib, r, actions + "k", raises)
        if raises < max_raises:
            raised = list(contrib)
            raised[mover] = max(contrib) + bets[r]
            moves["Raise" if facing else "Bet"] = betting(
                cards, board, history, tuple(raised), r, actions + "r", raises + 1)
        return ("decision", PLAYERS[mover], label, moves)

    p1 = Fraction(1, len(deck))
    p2 = Fraction(1, len(deck) - 1)
    deals = {
        a: (p1, ("chance", {
            b: (p2, betting((a, b), (), (), (1, 1), 0, "", 0)) for b in deck if b != a}))
        for a in deck}
    return nested_tree(PLAYERS, ("chance", deals))


def kuhn_poker() -> GameTree:
    """Kuhn poker: J, Q, K; ante 1; one round with one bet of 1."""
    return poker_tree(("J", "Q", "K"), 1, (1,), 1)


def leduc_poker() -> GameTree:
    """Leduc poker: two suits of J, Q, K; ante 1; bets 2 then 4; two raises a round."""
    return poker_tree(("J", "Q", "K"), 2, (2, 4), 2)
