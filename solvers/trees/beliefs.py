"""Beliefs at information sets and the weak perfect Bayesian equilibrium check.

On the path of play a belief is Bayes' rule: each node's reach probability over the set's
(exact in Fractions). Off the path it is None: weak PBE allows any belief, and
`supporting_beliefs` gives the linear inequalities over the set's belief simplex under
which the mover's behaviour there is optimal. `sequentially_rational` checks that each
mover's behaviour is optimal at every set (against one-shot deviations there) given the
beliefs and the continuation behaviour; `weak_pbe` combines both.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from gamespec.game_tree import CHANCE, TERMINAL, GameTree
from gamespec.solvers.trees.behaviour import Behaviour
from gamespec.solvers.trees.belief_polytope import FLOAT_TOLERANCE, is_exact, witness_belief

Beliefs = Mapping[int, Sequence[Any] | None]


def reach_probabilities(tree: GameTree, behaviour: Behaviour) -> list:
    """Each node's probability of being reached (chance and every player)."""
    reach: list = [0] * len(tree.nodes)
    reach[0] = 1
    for i, n in enumerate(tree.nodes):
        if n.kind == TERMINAL:
            continue
        probs = n.probabilities if n.kind == CHANCE else behaviour[n.infoset]
        for child, p in zip(n.children, probs):
            reach[child] = reach[i] * p
    return reach


def node_values(tree: GameTree, behaviour: Behaviour) -> list[list]:
    """Each node's expected payoffs (one per player) when everyone plays `behaviour`."""
    values: list[list] = [[] for _ in tree.nodes]
    for i in reversed(range(len(tree.nodes))):
        n = tree.nodes[i]
        if n.kind == TERMINAL:
            values[i] = list(n.payoffs)
            continue
        probs = n.probabilities if n.kind == CHANCE else behaviour[n.infoset]
        total: list = [0] * len(tree.players)
        for child, p in zip(n.children, probs):
            if p:
                total = [t + p * v for t, v in zip(total, values[child])]
        values[i] = total
    return values


def bayes_beliefs(tree: GameTree, behaviour: Behaviour) -> dict[int, tuple | None]:
    """information set -> probabilities over its nodes (aligned with `.nodes`) by Bayes'
    rule, or None when the set is reached with probability 0."""
    reach = reach_probabilities(tree, behaviour)
    out: dict[int, tuple | None] = {}
    for h, info in enumerate(tree.infosets):
        total = sum(reach[x] for x in info.nodes)
        out[h] = tuple(reach[x] / total for x in info.nodes) if total else None
    return out


@dataclass(frozen=True)
class SupportingBeliefs:
    """The beliefs over `nodes` under which the behaviour at `infoset` is optimal: every
    row r means sum_x r[x] * mu[x] >= 0; `witness` is one such belief, or None."""

    infoset: int
    nodes: tuple[int, ...]
    rows: tuple[tuple, ...]
    witness: tuple | None = field(default=None)

    @property
    def supported(self) -> bool:
        return self.witness is not None

    def interval(self, node: int | None = None) -> tuple | None:
        """For a set of two nodes: the (low, high) probability of `node` (default: the
        second) under which the behaviour is optimal, or None when no belief is."""
        if len(self.nodes) != 2:
            raise ValueError("an interval needs an information set of two nodes")
        k = 1 if node is None else self.nodes.index(node)
        exact = all(is_exact(r) for r in self.rows)
        low, high = (Fraction(0), Fraction(1)) if exact else (0.0, 1.0)
        tol = 0 if exact else FLOAT_TOLERANCE
        for row in self.rows:
            slope, base = row[k] - row[1 - k], row[1 - k]  # slope * q + base >= 0
            if slope > tol:
                low = max(low, -base / slope)
            elif slope < -tol:
                high = min(high, base / -slope)
            elif base < -tol:
                return None
        return (low, high) if low <= high + tol else None


def supporting_beliefs(tree: GameTree, behaviour: Behaviour, infoset: int,
                       values: list[list] | None = None) -> SupportingBeliefs:
    """The linear inequalities over beliefs at `infoset` under which each move the mover
    plays there is at least as good as every other move, given the continuation
    behaviour; with a witness belief (exact for small exact sets, else from an LP)."""
    values = node_values(tree, behaviour) if values is None else values
    info = tree.infosets[infoset]
    k = tree.players.index(info.player)
    rows = []
    for a, pa in enumerate(behaviour[infoset]):
        if not pa:
            continue
        for b in range(len(info.moves)):
            if b != a:
                rows.append(tuple(values[tree.nodes[x].children[a]][k]
                                  - values[tree.nodes[x].children[b]][k] for x in info.nodes))
    return SupportingBeliefs(infoset, info.nodes, tuple(rows),
                             witness_belief(rows, len(info.nodes)))


@dataclass(frozen=True)
class RationalityCheck:
    """ok: optimal everywhere; failures: information set -> why not; supporting: the
    supporting beliefs computed for sets whose belief was None."""

    ok: bool
    failures: dict[int, str]
    supporting: dict[int, SupportingBeliefs]


def sequentially_rational(tree: GameTree, behaviour: Behaviour, beliefs: Beliefs,
                          values: list[list] | None = None) -> RationalityCheck:
    """Whether every move played at every information set is a best one-shot choice there
    given the set's belief (for None: given some belief, see `supporting_beliefs`)."""
    values = node_values(tree, behaviour) if values is None else values
    failures: dict[int, str] = {}
    supporting: dict[int, SupportingBeliefs] = {}
    for h, info in enumerate(tree.infosets):
        belief = beliefs.get(h)
        if belief is None:
            supporting[h] = supporting_beliefs(tree, behaviour, h, values)
            if not supporting[h].supported:
                failures[h] = "no belief makes the behaviour there optimal"
            continue
        k = tree.players.index(info.player)
        worth = [sum(mu * values[tree.nodes[x].children[a]][k]
                     for mu, x in zip(belief, info.nodes)) for a in range(len(info.moves))]
        best = max(worth)
        tol = 0 if is_exact(worth) else FLOAT_TOLERANCE * max(1.0, abs(float(best)))
        worse = [info.moves[a] for a, p in enumerate(behaviour[h]) if p and worth[a] < best - tol]
        if worse:
            failures[h] = f"{', '.join(worse)} played but a better move exists"
    return RationalityCheck(not failures, failures, supporting)


@dataclass(frozen=True)
class PBECheck:
    """A weak perfect Bayesian check: Bayes beliefs on the path (None off it), and
    sequential rationality with some supporting belief at every off-path set."""

    ok: bool
    beliefs: dict[int, tuple | None]
    rationality: RationalityCheck


def weak_pbe(tree: GameTree, behaviour: Behaviour) -> PBECheck:
    """Whether `behaviour` with Bayes beliefs on the path and some off-path beliefs is a
    weak perfect Bayesian equilibrium (the standard PBE in signalling games)."""
    beliefs = bayes_beliefs(tree, behaviour)
    check = sequentially_rational(tree, behaviour, beliefs)
    return PBECheck(check.ok, beliefs, check)
