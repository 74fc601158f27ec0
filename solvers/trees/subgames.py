"""The proper subgames of a game tree, and the subtree of one as a tree of its own.

A decision or chance node r roots a subgame when it is alone in its information set (if a
decision node) and every information set with a node in r's subtree has all its nodes
there. One walk numbers the nodes depth-first (a subtree is then an interval of numbers);
one bottom-up pass takes, over each subtree, the smallest and largest number of any node of
an information set met in it: r is a root when both lie in r's interval. The root of the
tree always roots a subgame.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from gamespec.game_tree import DECISION, TERMINAL, GameTree, InformationSet, Node


@dataclass(frozen=True)
class Subgames:
    """roots: the subgame roots, parents before children (0 first); inner[r]: the roots
    of the largest proper subgames inside r's (its immediate sub-subgames); owner[v]: the
    root of the smallest subgame holding node v (a root owns itself)."""

    roots: tuple[int, ...]
    inner: dict[int, tuple[int, ...]]
    owner: tuple[int, ...]


def subgames(tree: GameTree) -> Subgames:
    """Every proper subgame root of `tree`, with its immediate sub-subgame roots."""
    nodes = tree.nodes
    count = len(nodes)
    first = [0] * count  # depth-first number of the node
    last = [0] * count  # the largest depth-first number in its subtree
    stack, clock = [0], 0
    while stack:
        index = stack.pop()
        first[index] = clock
        clock += 1
        stack.extend(reversed(nodes[index].children))
    low, high = [0] * count, [0] * count
    span = {h: (min(first[v] for v in info.nodes), max(first[v] for v in info.nodes))
            for h, info in enumerate(tree.infosets)}
    for index in range(count - 1, -1, -1):  # children are numbered after their parent
        node = nodes[index]
        low[index] = high[index] = last[index] = first[index]
        if node.kind == DECISION:
            low[index], high[index] = span[node.infoset]
        for c in node.children:
            low[index] = min(low[index], low[c])
            high[index] = max(high[index], high[c])
            last[index] = max(last[index], last[c])
    is_root = [index == 0 or (
        nodes[index].kind != TERMINAL and low[index] >= first[index]
        and high[index] <= last[index]
        and (nodes[index].kind != DECISION
             or len(tree.infosets[nodes[index].infoset].nodes) == 1))
        for index in range(count)]
    owner = [0] * count
    inner: dict[int, list[int]] = {0: []}
    for index in range(1, count):  # parents first
        parent = nodes[index].parent
        if is_root[index]:
            owner[index] = index
            inner[index] = []
            inner[owner[parent]].append(index)
        else:
            owner[index] = owner[parent]
    roots = tuple(i for i in range(count) if is_root[i])
    return Subgames(roots, {r: tuple(inner[r]) for r in roots}, tuple(owner))


@dataclass(frozen=True)
class SubTree:
    """A subgame as a tree: `nodes[k]` is the original node of new node k; `infosets[j]`
    the original information set of new set j; `leaves[s]` the new leaf standing in for
    the sub-subgame rooted at original node s (when one was cut off)."""

    tree: GameTree
    nodes: tuple[int, ...]
    infosets: tuple[int, ...]
    leaves: dict[int, int]


def subtree(tree: GameTree, root: int, cut: Mapping[int, Sequence[Any]] | None = None,
            players: Sequence[str] | None = None) -> SubTree:
    """The subgame at `root` as its own tree, renumbered parents first; each node s of
    `cut` becomes a leaf with payoffs cut[s] (one per player of `tree`). players: keep
    only these players (their payoffs, in this order); default all."""
    cut = cut or {}
    keep = [tree.players.index(p) for p in (players or tree.players)]
    order, stack = [], [root]
    while stack:
        index = stack.pop()
        order.append(index)
        if index not in cut:
            stack.extend(reversed(tree.nodes[index].children))
    new = {old: k for k, old in enumerate(order)}
    sets: dict[int, int] = {}
    nodes: list[Node] = []
    for old in order:
        node = tree.nodes[old]
        parent = None if old == root else new[node.parent]
        if old in cut:
            payoffs = tuple(cut[old][k] for k in keep)
            nodes.append(Node(kind=TERMINAL, payoffs=payoffs, parent=parent,
                              history=node.history))
            continue
        infoset = None
        if node.kind == DECISION:
            infoset = sets.setdefault(node.infoset, len(sets))
        payoffs = tuple(node.payoffs[k] for k in keep) if node.kind == TERMINAL else ()
        nodes.append(replace(node, children=tuple(new[c] for c in node.children),
                             parent=parent, infoset=infoset, payoffs=payoffs))
    infosets = tuple(sorted(sets, key=sets.get))
    infos = tuple(InformationSet(tree.infosets[h].player, tree.infosets[h].label,
                                 tree.infosets[h].moves,
                                 tuple(new[v] for v in tree.infosets[h].nodes))
                  for h in infosets)
    sub = GameTree(tuple(players or tree.players), tuple(nodes), infos, tree.span)
    return SubTree(sub, tuple(order), infosets, {s: new[s] for s in cut if s in new})
