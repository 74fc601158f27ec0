"""Game trees built by hand in Python (gamespec.game_tree.nested_tree), for tests.

Known answers: Kuhn poker's value for the first player is -1/18 (Kuhn 1950); the entry
game's subgame-perfect equilibrium is (In, Accommodate); beer-quiche has two pooling
equilibria, of which only (Beer, Beer) survives the intuitive criterion (Cho-Kreps 1987).
"""
from __future__ import annotations

from fractions import Fraction as F

from gamespec.game_tree import nested_tree

CARDS = ("J", "Q", "K")


def kuhn_poker():
    """Kuhn poker: ante 1, one bet of 1; alice acts first; payoffs (alice, bob)."""

    def showdown(a, b, pot):
        win = pot if CARDS.index(a) > CARDS.index(b) else -pot
        return ("leaf", (F(win), F(-win)))

    deals = {}
    for a in CARDS:
        for b in CARDS:
            if a == b:
                continue
            after_check = ("decision", "bob", f"{b} after Check", {
                "Check": showdown(a, b, 1),
                "Bet": ("decision", "alice", f"{a} after Check-Bet", {
                    "Fold": ("leaf", (F(-1), F(1))),
                    "Call": showdown(a, b, 2),
                }),
            })
            after_bet = ("decision", "bob", f"{b} after Bet", {
                "Fold": ("leaf", (F(1), F(-1))),
                "Call": showdown(a, b, 2),
            })
            deals[f"{a}{b}"] = (F(1, 6), ("decision", "alice", f"{a}", {
                "Check": after_check, "Bet": after_bet}))
    return nested_tree(("alice", "bob"), ("chance", deals))


def entry_game(fight=-1, accommodate=1, monopoly=2):
    """Entry deterrence (Selten 1978): entrant Out -> (0, monopoly); In -> incumbent
    Fight (fight, fight) or Accommodate (accommodate, accommodate)."""
    return nested_tree(("entrant", "incumbent"), ("decision", "entrant", "start", {
        "Out": ("leaf", (F(0), F(monopoly))),
        "In": ("decision", "incumbent", "entered", {
            "Fight": ("leaf", (F(fight), F(fight))),
            "Accommodate": ("leaf", (F(accommodate), F(accommodate))),
        }),
    }))


def beer_quiche():
    """Beer-quiche (Cho and Kreps 1987): nature draws the sender Strong (0.9) or Weak
    (0.1); the sender has Beer or Quiche; the receiver sees the breakfast and Duels or
    Not. Sender: 1 for the preferred breakfast (Strong: beer, Weak: quiche) + 2 if no
    duel; receiver: 1 for dueling Weak or not dueling Strong."""

    def receiver(breakfast, sender_type):
        pref = 1 if (breakfast == "Beer") == (sender_type == "Strong") else 0
        likes_duel = 1 if sender_type == "Weak" else 0
        return ("decision", "receiver", f"saw {breakfast}", {
            "Duel": ("leaf", (F(pref), F(likes_duel))),
            "Not": ("leaf", (F(pref + 2), F(1 - likes_duel))),
        })

    def sender(sender_type):
        return ("decision", "sender", sender_type, {
            "Beer": receiver("Beer", sender_type), "Quiche": receiver("Quiche", sender_type)})

    return nested_tree(("sender", "receiver"), ("chance", {
        "Strong": (F(9, 10), sender("Strong")), "Weak": (F(1, 10), sender("Weak"))}))
