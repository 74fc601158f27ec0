"""Recognise a signalling game in a game tree.

The root is a chance node drawing the sender's type; the sender moves next, at one
information set per type (it sees its type), with the same messages for every type; the
receiver (another player) then moves at one information set per message, holding one node
per type (it sees the message, not the type); every receiver move ends the game.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gamespec.game_tree import CHANCE, DECISION, TERMINAL, GameTree


@dataclass(frozen=True)
class SignallingGame:
    """types[t] with priors[t]; sender_sets[t] and receiver_sets[m] are information set
    indices; responses[m]: the receiver's moves after message m; node[(t, m)]: the
    receiver's node after type t sent m."""

    tree: GameTree
    sender: str
    receiver: str
    types: tuple[str, ...]
    priors: tuple[Any, ...]
    messages: tuple[str, ...]
    responses: dict[str, tuple[str, ...]]
    sender_sets: dict[str, int]
    receiver_sets: dict[str, int]
    node: dict[tuple[str, str], int]

    def payoffs(self, t: str, m: str, r: str) -> tuple[Any, Any]:
        """(sender's, receiver's) payoff when type t sends m and the receiver answers r."""
        n = self.tree.nodes[self.node[(t, m)]]
        leaf = self.tree.nodes[n.children[n.moves.index(r)]]
        players = self.tree.players
        return (leaf.payoffs[players.index(self.sender)],
                leaf.payoffs[players.index(self.receiver)])


def signalling_game(tree: GameTree) -> SignallingGame | None:
    """The signalling structure of `tree`, or None when it is not a signalling game."""
    root = tree.root
    if root.kind != CHANCE or len(root.children) < 2:
        return None
    senders = [tree.nodes[c] for c in root.children]
    if any(s.kind != DECISION for s in senders):
        return None
    sender, messages = senders[0].player, senders[0].moves
    sets = [s.infoset for s in senders]
    if len(set(sets)) != len(sets) or any(s.player != sender or s.moves != messages
                                          for s in senders):
        return None
    if any(len(tree.infosets[h].nodes) != 1 for h in sets):
        return None
    types = root.moves
    receiver_sets: dict[str, int] = {}
    node: dict[tuple[str, str], int] = {}
    receiver = None
    for t, s in zip(types, senders):
        for m, c in zip(messages, s.children):
            n = tree.nodes[c]
            if n.kind != DECISION or n.player == sender:
                return None
            if any(tree.nodes[leaf].kind != TERMINAL for leaf in n.children):
                return None
            receiver = receiver or n.player
            if n.player != receiver or receiver_sets.setdefault(m, n.infoset) != n.infoset:
                return None
            node[(t, m)] = c
    if len(set(receiver_sets.values())) != len(messages):
        return None
    if any(len(tree.infosets[h].nodes) != len(types) for h in receiver_sets.values()):
        return None
    return SignallingGame(
        tree=tree, sender=sender, receiver=receiver, types=types,
        priors=root.probabilities, messages=messages,
        responses={m: tree.infosets[h].moves for m, h in receiver_sets.items()},
        sender_sets=dict(zip(types, sets)), receiver_sets=receiver_sets, node=node)
