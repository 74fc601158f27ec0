"""The sequence form of a game tree: sequences, realization-plan constraints, payoffs.

A player's sequences are numbered 0 (the empty sequence) and then one per (information
set, move), the player's information sets in index order and each set's moves in order.
A realization plan x of a player satisfies E x = e, x >= 0: x[0] = 1 and, for each
information set, the realizations of its moves sum to that of its parent sequence.
The payoff matrices A (first player) and B (second player) sum, over the leaves reached
by a pair of sequences, the leaf's payoff times the chance probability of reaching it.

The tree's values must be numbers (`GameTree.map_values(as_number)`); the matrices are
floats. Perfect recall is checked: every information set's nodes must share the player's
own history, else `SolverError`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from gamespec.errors import SolverError
from gamespec.game_tree import DECISION, TERMINAL, GameTree


def sequence_layout(tree: GameTree) -> tuple[np.ndarray, dict[str, int]]:
    """The first sequence of every information set (in its player's numbering; its moves
    follow) and each player's number of sequences."""
    first = np.zeros(len(tree.infosets), dtype=np.int64)
    counts = {p: 1 for p in tree.players}
    for h, info in enumerate(tree.infosets):
        first[h] = counts[info.player]
        counts[info.player] += len(info.moves)
    return first, counts


@dataclass(frozen=True, eq=False)
class NodeSequences:
    """One pass over the tree: each node's sequence for every player (columns in
    `tree.players` order), its chance reach probability (float), each information set's
    parent sequence (the sequence of its player leading to its nodes), and the leaves
    with their payoffs (floats, one column per player)."""

    first: np.ndarray
    counts: dict[str, int]
    node_sequence: np.ndarray
    chance_reach: np.ndarray
    parent: np.ndarray
    leaves: np.ndarray
    payoffs: np.ndarray


def node_sequences(tree: GameTree) -> NodeSequences:
    """Each node's sequences and chance reach; raises SolverError without perfect recall."""
    first, counts = sequence_layout(tree)
    index = {p: k for k, p in enumerate(tree.players)}
    nodes = tree.nodes
    seq: list = [None] * len(nodes)
    reach = [0.0] * len(nodes)
    seq[0], reach[0] = (0,) * len(tree.players), 1.0
    leaves, payoffs = [], []
    for i, n in enumerate(nodes):
        if n.kind == TERMINAL:
            leaves.append(i)
            payoffs.append(n.payoffs)
        elif n.kind == DECISION:
            k, base, own = index[n.player], int(first[n.infoset]), seq[i]
            for a, c in enumerate(n.children):
                s = list(own)
                s[k] = base + a
                seq[c], reach[c] = tuple(s), reach[i]
        else:
            for c, p in zip(n.children, n.probabilities):
                seq[c], reach[c] = seq[i], reach[i] * float(p)
    table = np.array(seq, dtype=np.int64).reshape(len(nodes), len(tree.players))
    parent = _parent_sequences(tree, table, index)
    return NodeSequences(first, counts, table, np.array(reach), parent,
                         np.array(leaves, dtype=np.int64),
                         np.array(payoffs, dtype=float).reshape(len(leaves), len(tree.players)))


def _parent_sequences(tree: GameTree, table: np.ndarray, index: dict[str, int]) -> np.ndarray:
    """Each information set's parent sequence: the one its player has at all its nodes
    (perfect recall); SolverError if two nodes of a set disagree."""
    sizes = np.array([len(h.nodes) for h in tree.infosets], dtype=np.int64)
    members = np.fromiter((n for h in tree.infosets for n in h.nodes), dtype=np.int64,
                          count=int(sizes.sum()))
    owner = np.array([index[h.player] for h in tree.infosets], dtype=np.int64)
    which = np.repeat(np.arange(len(sizes)), sizes)
    own = table[members, owner[which]]
    starts = np.cumsum(sizes) - sizes
    bad = np.flatnonzero(own != own[starts][which])
    if bad.size:
        h = int(which[bad[0]])
        _imperfect_recall(tree, h, int(members[starts[h]]), int(members[bad[0]]))
    return own[starts]


def _imperfect_recall(tree: GameTree, h: int, a: int, b: int) -> None:
    info = tree.infosets[h]

    def shown(node: int) -> str:
        moves = [f"{tree.infosets[g].label}:{m}" for g, m in tree.own_history(node, info.player)]
        return "(" + ", ".join(moves) + ")" if moves else "(none)"

    raise SolverError(
        f"information set {info.label!r} of {info.player} breaks perfect recall: its nodes "
        f"{a} and {b} follow different moves of {info.player}: {shown(a)} vs {shown(b)}",
        hint="the sequence form and best responses need perfect recall: a player must "
             "remember their own earlier moves and what they knew")


@dataclass(frozen=True, eq=False)
class SequenceForm:
    """The sequence form of a two-player tree (chance allowed).

    `infosets[k]`: player k's information sets (tree indices, ascending); `first[h]`,
    `parent[h]`, `moves[h]`: per information set h, the first sequence of its moves and
    its parent sequence (in its player's numbering), and its number of moves.
    Constraints E x = e (first player), F y = f (second); payoffs A, B indexed
    [first player's sequence, second player's sequence].
    """

    players: tuple[str, str]
    infosets: tuple[np.ndarray, np.ndarray]
    first: np.ndarray
    parent: np.ndarray
    sizes: tuple[int, int]
    E: sp.csr_matrix
    e: np.ndarray
    F: sp.csr_matrix
    f: np.ndarray
    A: sp.csr_matrix
    B: sp.csr_matrix
    moves: np.ndarray

    def sequence(self, k: int, s: int) -> tuple[int, int] | None:
        """Sequence s of player k as (information set, move index); None if empty."""
        if s == 0:
            return None
        own = self.infosets[k]
        h = int(own[np.searchsorted(self.first[own], s, side="right") - 1])
        return h, s - int(self.first[h])


def _constraints(own: np.ndarray, first: np.ndarray, parent: np.ndarray, n_moves: np.ndarray,
                 size: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """E with rows: x[0] = 1, then per own information set -x[parent] + sum x[moves] = 0."""
    moves = n_moves[own]
    rows = np.arange(1, len(own) + 1)
    move_rows = np.repeat(rows, moves)
    offsets = np.arange(int(moves.sum())) - np.repeat(np.cumsum(moves) - moves, moves)
    move_cols = np.repeat(first[own], moves) + offsets
    r = np.concatenate(([0], rows, move_rows))
    c = np.concatenate(([0], parent[own], move_cols))
    v = np.concatenate(([1.0], -np.ones(len(own)), np.ones(len(move_rows))))
    E = sp.coo_matrix((v, (r, c)), shape=(len(own) + 1, size)).tocsr()
    e = np.zeros(len(own) + 1)
    e[0] = 1.0
    return E, e


def sequence_form(tree: GameTree) -> SequenceForm:
    """The sequence form of a two-player tree with numeric values."""
    if len(tree.players) != 2:
        raise SolverError(f"the sequence form here is for two players; this tree has "
                          f"{len(tree.players)} ({', '.join(tree.players)})")
    ns = node_sequences(tree)
    leaves, pay = ns.leaves, ns.payoffs
    weight = ns.chance_reach[leaves]
    s1, s2 = ns.node_sequence[leaves, 0], ns.node_sequence[leaves, 1]
    sizes = (ns.counts[tree.players[0]], ns.counts[tree.players[1]])
    A = sp.coo_matrix((weight * pay[:, 0], (s1, s2)), shape=sizes).tocsr()
    B = sp.coo_matrix((weight * pay[:, 1], (s1, s2)), shape=sizes).tocsr()
    A.eliminate_zeros()
    B.eliminate_zeros()
    owner = np.array([tree.players.index(h.player) for h in tree.infosets], dtype=np.int64)
    own = tuple(np.flatnonzero(owner == k) for k in range(2))
    moves = np.array([len(h.moves) for h in tree.infosets], dtype=np.int64)
    E, e = _constraints(own[0], ns.first, ns.parent, moves, sizes[0])
    F, f = _constraints(own[1], ns.first, ns.parent, moves, sizes[1])
    return SequenceForm(tuple(tree.players), own, ns.first, ns.parent, sizes,
                        E, e, F, f, A, B, moves)
