"""The reduced normal form of a game tree with perfect recall (any number of players, chance
allowed).

A player's reduced pure strategies are plans: one move at every information set that the
player's own earlier moves do not exclude, none elsewhere. A plan is a tuple of
(information set, move) pairs in information-set order; its label lists the player's moves
in information-set order, '*' at the sets it leaves out (as Gambit's reduced strategic form
does).

Payoffs are built by sequences, not by playing every profile out: a leaf contributes its
chance reach x payoffs to every profile whose plans contain the leaf's sequence of each
player. With G[s_1, ..., s_k] the leaves' weighted payoffs indexed by their players'
sequences and M_p[plan, s] = 1 when the plan contains sequence s, the payoff tensor is
G contracted with every M_p. Exact trees (Fractions) are computed in integers over a common
denominator; others in floats.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from typing import Any

import numpy as np

from gamespec.errors import SolverError
from gamespec.game_tree import CHANCE, TERMINAL, GameTree

Plan = tuple[tuple[int, str], ...]
Sequence = tuple[tuple[int, str], ...]
DEFAULT_LIMIT = 2_000_000  # profiles x players


@dataclass(frozen=True, eq=False)
class ReducedNormalForm:
    """plans[k]: player k's reduced plans; labels[k]: their names; payoffs: float array of
    shape (n_1, ..., n_k, players); exact: the same as Fractions (object array) when every
    value of the tree is a Fraction, else None."""

    players: tuple[str, ...]
    plans: tuple[tuple[Plan, ...], ...]
    labels: tuple[tuple[str, ...], ...]
    payoffs: np.ndarray
    exact: np.ndarray | None

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(p) for p in self.plans)

    def tensor(self, exact: bool = False) -> np.ndarray | None:
        """The payoffs as the finite solvers take them: shape (players, n_1, ..., n_k)."""
        table = self.exact if exact else self.payoffs
        return None if table is None else np.moveaxis(table, -1, 0)


def check_perfect_recall(tree: GameTree) -> dict[int, Sequence]:
    """Each information set's sequence (its player's own moves leading to it); SolverError
    when two nodes of a set are reached by different own moves (no perfect recall)."""
    out: dict[int, Sequence] = {}
    for h, info in enumerate(tree.infosets):
        seqs = {tree.own_history(v, info.player) for v in info.nodes}
        if len(seqs) != 1:
            raise SolverError(
                f"the tree lacks perfect recall: {info.player}'s information set "
                f"{info.label!r} is reached by different own moves "
                f"({' / '.join(sorted(_seq_text(tree, s) for s in seqs))})",
                hint="the reduced normal form and Kuhn's theorem need perfect recall")
        out[h] = seqs.pop()
    return out


def _seq_text(tree: GameTree, seq: Sequence) -> str:
    return ", ".join(f"{m}@{tree.infosets[h].label}" for h, m in seq) or "no move"


def player_plans(tree: GameTree, player: str, sequences: dict[int, Sequence]) -> list[Plan]:
    """The player's reduced plans, in the lexicographic order of their moves (by
    information set, '*' first)."""
    mine = tree.player_infosets(player)
    children: dict[tuple[int, str] | None, list[int]] = {}
    for h in mine:
        seq = sequences[h]
        children.setdefault(seq[-1] if seq else None, []).append(h)

    def plans_below(parent) -> list[Plan]:
        parts = [plans_at(h) for h in children.get(parent, [])]
        return [tuple(sorted(sum(combo, ()))) for combo in product(*parts)]

    def plans_at(h: int) -> list[Plan]:
        return [((h, m),) + rest for m in tree.infosets[h].moves for rest in plans_below((h, m))]

    order = {h: i for i, h in enumerate(mine)}

    def key(plan: Plan):
        chosen = dict(plan)
        return tuple(-1 if h not in chosen else tree.infosets[h].moves.index(chosen[h])
                     for h in sorted(order))

    return sorted(plans_below(None), key=key)


def plan_counts(tree: GameTree, sequences: dict[int, Sequence]) -> list[int]:
    """How many reduced plans each player has, without listing them."""
    counts = []
    for player in tree.players:
        kids: dict[Any, list[int]] = {}
        for h in tree.player_infosets(player):
            seq = sequences[h]
            kids.setdefault(seq[-1] if seq else None, []).append(h)

        def below(parent, kids=kids) -> int:
            return math.prod(at(h, kids) for h in kids.get(parent, []))

        def at(h, kids) -> int:
            return sum(below((h, m)) for m in tree.infosets[h].moves)

        counts.append(below(None))
    return counts


def reduced_strategy_counts(tree: GameTree) -> list[int]:
    """Each player's number of reduced plans (checks perfect recall; lists no plan)."""
    return plan_counts(tree, check_perfect_recall(tree))


def plan_label(tree: GameTree, player: str, plan: Plan) -> str:
    """The plan's moves in information-set order, '*' where it chooses none."""
    chosen = dict(plan)
    return ", ".join(chosen.get(h, "*") for h in tree.player_infosets(player)) or "(no move)"


def reduced_normal_form(tree: GameTree, limit: int = DEFAULT_LIMIT) -> ReducedNormalForm:
    """The reduced normal form of a numeric tree with perfect recall; SolverError when it
    lacks perfect recall or has more than `limit` entries (profiles x players)."""
    sequences = check_perfect_recall(tree)
    counts = plan_counts(tree, sequences)
    size = math.prod(counts) * len(tree.players)
    if size > limit:
        shown = " x ".join(f"{c:,}" for c in counts)
        raise SolverError(
            f"the reduced normal form has {shown} plans: {size:,} payoff entries "
            f"(profiles x players), over the limit of {limit:,}",
            hint="solve the tree by its sequence form instead")
    plans = [player_plans(tree, p, sequences) for p in tree.players]
    labels = tuple(tuple(plan_label(tree, p, s) for s in ps) for p, ps in zip(tree.players, plans))
    payoffs, exact_payoffs = _payoff_tensor(tree, plans, _leaf_weights(tree), limit)
    return ReducedNormalForm(tuple(tree.players), tuple(tuple(p) for p in plans), labels,
                             payoffs, exact_payoffs)


def _leaf_weights(tree: GameTree) -> list[tuple[int, Any]]:
    """(leaf, chance reach) for every leaf, by one walk down the tree."""
    out = []
    stack: list[tuple[int, Any]] = [(0, Fraction(1))]
    while stack:
        index, weight = stack.pop()
        n = tree.nodes[index]
        if n.kind == TERMINAL:
            out.append((index, weight))
        elif n.kind == CHANCE:
            stack.extend((c, weight * p) for c, p in zip(n.children, n.probabilities))
        else:
            stack.extend((c, weight) for c in n.children)
    return sorted(out)


def _payoff_tensor(tree, plans, leaves, limit):
    """(float payoffs, exact payoffs or None), shape (n_1, ..., n_k, players)."""
    players = tree.players
    k = len(players)
    exact = all(isinstance(w, Fraction | int) for _, w in leaves) and all(
        isinstance(u, Fraction | int) for leaf, _ in leaves for u in tree.nodes[leaf].payoffs)
    leaf_seqs = [[tree.own_history(leaf, p) for p in players] for leaf, _ in leaves]
    axes = []  # per player: the distinct leaf sequences, and each plan's containment row
    for p, ps in enumerate(plans):
        seqs = sorted({s[p] for s in leaf_seqs})
        sets = [set(plan) for plan in ps]
        contains = np.array([[(not s) or (s[-1] in plan) for s in seqs] for plan in sets],
                            dtype=np.int64)
        axes.append(({s: i for i, s in enumerate(seqs)}, contains))
    g_shape = tuple(len(index) for index, _ in axes) + (k,)
    if math.prod(g_shape) > limit:
        raise SolverError(f"the leaves' sequence table has {math.prod(g_shape):,} entries, "
                          f"over the limit of {limit:,}")
    values = [[w * u for u in tree.nodes[leaf].payoffs] for leaf, w in leaves]
    cells = [tuple(axes[p][0][s[p]] for p in range(k)) for s in leaf_seqs]
    if exact:
        scale = math.lcm(*(Fraction(v).denominator for row in values for v in row))
        nums = [[int(Fraction(v) * scale) for v in row] for row in values]
        bound = sum(max(abs(v) for v in row) for row in nums)
        dtype = np.int64 if bound < 2**62 else object
        table = _contract(g_shape, cells, nums, axes, dtype)
        distinct, inverse = np.unique(table.ravel(), return_inverse=True)
        fractions = np.empty(len(distinct), dtype=object)
        fractions[:] = [Fraction(int(v), scale) for v in distinct.tolist()]
        return table.astype(float) / scale, fractions[inverse].reshape(table.shape)
    table = _contract(g_shape, cells, [[float(v) for v in row] for row in values], axes, float)
    return table, None


def _contract(g_shape, cells, values, axes, dtype) -> np.ndarray:
    """G (the leaves' values by sequence profile) contracted with each player's plan x
    sequence containment matrix: shape (n_1, ..., n_k, players)."""
    g = np.zeros(g_shape, dtype=dtype)
    if dtype is object:
        g[...] = 0
    for cell, row in zip(cells, values):
        for i, v in enumerate(row):
            g[cell + (i,)] += v
    for _, contains in axes:  # contract the leading axis, append the plan axis at the end
        g = np.tensordot(g, contains.astype(dtype).T, axes=([0], [0]))
    return np.moveaxis(g, 0, -1)

