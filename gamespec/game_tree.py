"""A game tree: decision nodes of players, chance nodes, terminal payoffs, information sets.

Built from a spec's `tree` block (gamespec.language.build_tree), from an `order` over pure
choices, or from a Gambit .efg file; read by the tree solvers (solvers/trees/). Values
(chance probabilities, payoffs) are SymPy expressions in the model (parameters stay
symbolic for `derive`); `GameTree.map_values` turns them into numbers for a solver:
`fractions.Fraction` where exact, float otherwise.

Nodes are numbered so that a parent comes before its children; node 0 is the root.
Every decision node belongs to exactly one information set, whose moves it shares.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from gamespec.errors import Span

DECISION, CHANCE, TERMINAL = "decision", "chance", "terminal"


@dataclass(frozen=True)
class Node:
    """One node. `moves` label the edges to `children` (aligned); a chance node has one
    probability per move; a terminal node has one payoff per player of the tree.
    `history` is what happened on the way here, as (variable or mover, move) pairs."""

    kind: str
    children: tuple[int, ...] = ()
    moves: tuple[str, ...] = ()
    player: str | None = None
    infoset: int | None = None
    probabilities: tuple[Any, ...] = ()
    payoffs: tuple[Any, ...] = ()
    parent: int | None = None
    history: tuple[tuple[str, str], ...] = ()
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class InformationSet:
    """The decision nodes of one player that the player cannot tell apart."""

    player: str
    label: str
    moves: tuple[str, ...]
    nodes: tuple[int, ...]
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class GameTree:
    players: tuple[str, ...]
    nodes: tuple[Node, ...]
    infosets: tuple[InformationSet, ...]
    span: Span | None = field(default=None, compare=False, repr=False)

    @property
    def root(self) -> Node:
        return self.nodes[0]

    def terminals(self) -> list[int]:
        return [i for i, n in enumerate(self.nodes) if n.kind == TERMINAL]

    def player_infosets(self, player: str) -> list[int]:
        return [i for i, h in enumerate(self.infosets) if h.player == player]

    def sequence_counts(self) -> dict[str, int]:
        """Sequences per player: the empty sequence plus one per (information set, move)."""
        return {p: 1 + sum(len(self.infosets[h].moves) for h in self.player_infosets(p))
                for p in self.players}

    def perfect_information(self) -> bool:
        return all(len(h.nodes) == 1 for h in self.infosets)

    def size(self) -> dict[str, Any]:
        """What `info` prints: nodes, terminals, information sets and sequences."""
        return {
            "nodes": len(self.nodes),
            "terminals": len(self.terminals()),
            "chance_nodes": sum(n.kind == CHANCE for n in self.nodes),
            "information_sets": {p: len(self.player_infosets(p)) for p in self.players},
            "sequences": self.sequence_counts(),
            "perfect_information": self.perfect_information(),
        }

    def map_values(self, fn: Callable[[Any], Any]) -> GameTree:
        """The same tree with every probability and payoff replaced by fn(value)."""
        nodes = tuple(
            replace(n, probabilities=tuple(fn(p) for p in n.probabilities),
                    payoffs=tuple(fn(u) for u in n.payoffs))
            for n in self.nodes)
        return replace(self, nodes=nodes)

    def own_history(self, node: int, player: str) -> tuple[tuple[int, str], ...]:
        """The (information set, move) pairs of `player` on the path to `node`, in order:
        the player's sequence leading to the node."""
        out = []
        child = node
        parent = self.nodes[node].parent
        while parent is not None:
            p = self.nodes[parent]
            if p.kind == DECISION and p.player == player:
                out.append((p.infoset, p.moves[p.children.index(child)]))
            child, parent = parent, p.parent
        return tuple(reversed(out))

    def reach_probability(self, node: int) -> Any:
        """The product of the chance probabilities on the path to `node`."""
        prob: Any = 1
        child = node
        parent = self.nodes[node].parent
        while parent is not None:
            p = self.nodes[parent]
            if p.kind == CHANCE:
                prob = prob * p.probabilities[p.children.index(child)]
            child, parent = parent, p.parent
        return prob


def as_number(value: Any) -> Fraction | float:
    """A SymPy or Python number as a Fraction when it is rational, else a float."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(value) if value.is_integer() else value
    if getattr(value, "is_Rational", False):
        return Fraction(int(value.p), int(value.q))
    if getattr(value, "is_Float", False) or getattr(value, "is_number", False):
        return float(value)
    raise TypeError(f"not a number: {value}")


def nested_tree(players: Sequence[str], nested: Any) -> GameTree:
    """A tree from nested tuples, for imports and tests:

    ("decision", player, infoset_label, {move: subtree, ...})
    ("chance", {move: (probability, subtree), ...})
    ("leaf", (payoff of each player, ...))

    Decision nodes with the same (player, label) form one information set."""
    nodes: list[dict] = []
    infoset_of: dict[tuple[str, str], int] = {}
    infosets: list[dict] = []

    def add(sub, parent, history) -> int:
        index = len(nodes)
        nodes.append({"parent": parent, "history": history})
        kind = sub[0]
        if kind == "leaf":
            nodes[index].update(kind=TERMINAL, payoffs=tuple(sub[1]))
            return index
        if kind == "chance":
            branches = sub[1]
            nodes[index].update(kind=CHANCE, moves=tuple(branches),
                                probabilities=tuple(p for p, _ in branches.values()))
            nodes[index]["children"] = tuple(
                add(child, index, history + (("chance", move),))
                for move, (_, child) in branches.items())
            return index
        _, player, label, branches = sub
        key = (player, label)
        if key not in infoset_of:
            infoset_of[key] = len(infosets)
            infosets.append({"player": player, "label": label, "moves": tuple(branches),
                             "nodes": []})
        h = infoset_of[key]
        if infosets[h]["moves"] != tuple(branches):
            raise ValueError(f"information set {label!r} of {player}: nodes with different "
                             f"moves {infosets[h]['moves']} and {tuple(branches)}")
        infosets[h]["nodes"].append(index)
        nodes[index].update(kind=DECISION, player=player, infoset=h, moves=tuple(branches))
        nodes[index]["children"] = tuple(
            add(child, index, history + ((player, move),)) for move, child in branches.items())
        return index

    add(nested, None, ())
    return GameTree(
        players=tuple(players),
        nodes=tuple(Node(**n) for n in nodes),
        infosets=tuple(InformationSet(player=h["player"], label=h["label"], moves=h["moves"],
                                      nodes=tuple(h["nodes"])) for h in infosets),
    )
