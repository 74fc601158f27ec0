"""Subgame-perfect equilibria of a perfect-information tree by backward induction.

Every information set must be a single node; chance nodes and any number of players
are allowed. Where several moves tie for the mover, each tied move starts a different
subgame-perfect equilibrium (SPE), and all of them are listed, lazily and up to a cap.
An SPE is a complete plan: a move at every decision node, off the path of play too.
Subgames are solved bottom-up without recursion, so deep trees are fine.

Only pure SPE are returned. In a perfect-information game every convex combination of
tied moves at a node is also subgame perfect (the mover is indifferent, and the nodes
above see the resulting mixture of continuation values), so mixed behaviour SPE form a
continuum whenever ties change other players' payoffs; the pure ones are its corners.

Ties are decided exactly when every value is a Fraction or int, else with a relative
tolerance of 1e-9 (`BackwardInduction.ties` says which).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from typing import Any

from gamespec.game_tree import CHANCE, TERMINAL, GameTree, as_number
from gamespec.solvers.trees.behaviour import pure_behaviour

RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class SubgamePerfect:
    """One pure SPE. `choice`: information set -> move; `behaviour`: the same as one-hot
    tuples; `payoffs`: each player's payoff at the root; `path`: (node, mover or
    "chance", move) for every move made with positive probability, parents first."""

    choice: dict[int, str]
    behaviour: dict[int, tuple]
    payoffs: tuple
    path: tuple[tuple[int, str, str], ...]


@dataclass(frozen=True)
class BackwardInduction:
    """The SPE found (in a fixed order); `complete` is False when `max_equilibria`
    stopped the listing; `ties` is "exact" or "relative tolerance 1e-09"."""

    equilibria: list[SubgamePerfect]
    complete: bool
    ties: str


def backward_induction(tree: GameTree, max_equilibria: int = 1000) -> BackwardInduction:
    """All pure SPE of a perfect-information tree (at most `max_equilibria`)."""
    if max_equilibria < 1:
        raise ValueError("max_equilibria must be at least 1")
    tree = numeric_tree(tree)
    check_perfect_information(tree)
    exact = all(_is_exact(v) for n in tree.nodes for v in (*n.payoffs, *n.probabilities))
    tol = 0.0 if exact else RELATIVE_TOLERANCE
    found = list(iter_equilibria(tree, tol, max_equilibria + 1))
    complete = len(found) <= max_equilibria
    ties = "exact" if exact else f"relative tolerance {RELATIVE_TOLERANCE:g}"
    return BackwardInduction(found[:max_equilibria], complete, ties)


def iter_equilibria(tree: GameTree, tol: float = 0.0,
                    limit: int | None = None) -> Iterator[SubgamePerfect]:
    """The first `limit` pure SPE (all when None), in a fixed order; values must be
    numbers; tol: the relative tolerance for ties (0: exact)."""
    for plan, values in _root_equilibria(tree, tol, limit):
        choice: dict[int, str] = {}
        _flatten(tree, plan, choice)
        yield SubgamePerfect(choice=choice, behaviour=pure_behaviour(tree, choice),
                             payoffs=tuple(values), path=play_path(tree, choice))


def play_path(tree: GameTree, choice: dict[int, str]) -> tuple[tuple[int, str, str], ...]:
    """The moves made with positive probability under `choice`, parents first."""
    out = []
    stack = [0]
    while stack:
        index = stack.pop()
        n = tree.nodes[index]
        if n.kind == TERMINAL:
            continue
        if n.kind == CHANCE:
            taken = [(c, m) for c, m, p in zip(n.children, n.moves, n.probabilities) if p]
            out.extend((index, "chance", m) for _, m in taken)
            stack.extend(c for c, _ in reversed(taken))
        else:
            move = choice[n.infoset]
            out.append((index, n.player, move))
            stack.append(n.children[n.moves.index(move)])
    return tuple(out)


def check_perfect_information(tree: GameTree) -> None:
    """Raise ValueError unless every information set is a single node."""
    shared = [h for h in tree.infosets if len(h.nodes) != 1]
    if shared:
        h = shared[0]
        raise ValueError(f"backward induction needs perfect information: {h.player}'s "
                         f"information set {h.label!r} has {len(h.nodes)} nodes")


def numeric_tree(tree: GameTree) -> GameTree:
    """The tree with SymPy values turned into Fractions or floats (as_number)."""
    values = [v for n in tree.nodes for v in (*n.payoffs, *n.probabilities)]
    if all(isinstance(v, (int, float, Fraction)) for v in values):
        return tree
    try:
        return tree.map_values(as_number)
    except TypeError as exc:
        raise ValueError(f"backward induction needs numeric values ({exc}); "
                         "symbolic parameters: see backward_conditions") from exc


def optimal_moves(values: list, tol: float = 0.0) -> list[int]:
    """Indices of the largest values; with tol > 0, those within the relative tolerance."""
    best = max(values)
    if not tol:
        return [k for k, v in enumerate(values) if v == best]
    return [k for k, v in enumerate(values)
            if best - v <= tol * max(1.0, abs(best), abs(v))]


def _is_exact(value: Any) -> bool:
    return isinstance(value, (int, Fraction))


def _root_equilibria(tree: GameTree, tol: float, limit: int | None) -> list:
    """(plan, payoff vector) of the first `limit` SPE, bottom-up without recursion.

    Each subgame keeps its first `limit` SPE: every combination of the children's SPE
    gives at least one SPE above, so the first `limit` above never need more. A plan is
    a nested tuple (node, move or None, child plans), flattened only at the end."""
    found: list[list | None] = [None] * len(tree.nodes)
    for index in range(len(tree.nodes) - 1, -1, -1):  # children come after parents
        n = tree.nodes[index]
        if n.kind == TERMINAL:
            found[index] = [(None, list(n.payoffs))]
            continue
        out: list = []
        for combo in product(*(found[c] for c in n.children)):
            plans = tuple(plan for plan, _ in combo)
            if n.kind == CHANCE:
                values = [sum(p * v[k] for p, (_, v) in zip(n.probabilities, combo))
                          for k in range(len(tree.players))]
                out.append(((index, None, plans), values))
            else:
                mover = tree.players.index(n.player)
                out.extend(((index, n.moves[k], plans), combo[k][1])
                           for k in optimal_moves([v[mover] for _, v in combo], tol))
            if limit is not None and len(out) >= limit:
                break
        found[index] = out[:limit]
        for c in n.children:
            found[c] = None
    return found[0]


def _flatten(tree: GameTree, plan: Any, choice: dict[int, str]) -> None:
    stack = [plan]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        index, move, plans = item
        if move is not None:
            choice[tree.nodes[index].infoset] = move
        stack.extend(plans)
