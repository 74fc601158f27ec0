"""Subgame-perfect equilibria (SPE) of a game tree with perfect recall.

The proper subgames are solved bottom-up: each subgame, with its immediate sub-subgames
replaced by leaves holding the payoffs of an SPE chosen there, is a smaller tree whose
equilibria (subgame_stage.py) extend that choice to an SPE of the subgame. Every
combination of the sub-subgames' SPE is tried, so the list holds every SPE built from what
each stage's algorithm lists, up to a cap. A tree with perfect information is solved by
backward induction directly.

Checked apart from the search: at every subgame root, the largest gain of any player by a
best response within that subgame (0 at an SPE; exact with Fractions).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from typing import Any

from gamespec.game_tree import GameTree
from gamespec.solvers.trees.behaviour import Behaviour, expected_payoffs
from gamespec.solvers.trees.subgame_stage import (
    BACKWARD,
    LEMKE_HOWSON,
    LOGIT,
    stage_equilibria,
)
from gamespec.solvers.trees.subgames import Subgames, subgames, subtree

DEFAULT_MAX = 1000


@dataclass(frozen=True)
class SubgamePerfectEquilibrium:
    """behaviour: every information set of the tree -> move probabilities; payoffs: each
    player's at the root; exact: both are Fractions; pure: every probability is 0 or 1."""

    behaviour: dict[int, tuple]
    payoffs: tuple
    exact: bool
    pure: bool


@dataclass(frozen=True)
class SubgamePerfect:
    """The SPE found; complete: no cap cut the listing; stages: each subgame root -> the
    algorithms that solved it; subgames: the tree's proper subgames."""

    equilibria: list[SubgamePerfectEquilibrium]
    complete: bool
    stages: dict[int, tuple[str, ...]]
    subgames: Subgames


def subgame_perfect(tree: GameTree, max_equilibria: int = DEFAULT_MAX,
                    time_limit: float | None = None, direct: bool = True) -> SubgamePerfect:
    """The SPE of a numeric tree with perfect recall (at most `max_equilibria`);
    time_limit: seconds for support enumeration in any one subgame (then the logit
    limit); direct: solve a perfect-information tree by backward induction at once."""
    from gamespec.solvers.trees.reduced_normal_form import check_perfect_recall

    if max_equilibria < 1:
        raise ValueError("max_equilibria must be at least 1")
    check_perfect_recall(tree)
    subs = subgames(tree)
    if direct and tree.perfect_information():
        return _backward(tree, max_equilibria, subs)
    found: dict[int, list] = {}
    stages: dict[int, list[str]] = {}
    complete = True
    for root in reversed(subs.roots):  # a sub-subgame's root comes after its parent's
        inner = subs.inner[root]
        out: list = []
        for combo in product(*(found[s] for s in inner)):
            cut = {s: values for s, (_, values) in zip(inner, combo)}
            refused = any(h in (LEMKE_HOWSON, LOGIT) for h in stages.get(root, ()))
            local, how = stage_equilibria(tree, root, cut, max_equilibria + 1 - len(out),
                                          time_limit, refused)
            if how not in stages.setdefault(root, []):
                stages[root].append(how)
            out.extend(((behaviour, tuple(plan for plan, _ in combo)), values)
                       for behaviour, values in local)
            if len(out) > max_equilibria:
                break
        if len(out) > max_equilibria:
            complete = False
        found[root] = out[:max_equilibria]
        for s in inner:
            del found[s]
    equilibria = [_equilibrium(tree, _flatten(plan), values) for plan, values in found[0]]
    return SubgamePerfect(equilibria, complete, {r: tuple(h) for r, h in stages.items()},
                          subs)


def subgame_gains(tree: GameTree, behaviour: Behaviour, roots: Any = None) -> dict[int, Any]:
    """Each subgame root -> the largest gain of any player by a best response within the
    subgame (every subgame of the tree when roots is None)."""
    from gamespec.solvers.trees.best_response import best_responses

    roots = subgames(tree).roots if roots is None else roots
    gains = {}
    for root in roots:
        sub = subtree(tree, root)
        local = {j: behaviour[h] for j, h in enumerate(sub.infosets)}
        gains[root] = max(best_responses(sub.tree, local).gains)
    return gains


def subgame_name(tree: GameTree, root: int) -> str:
    """How a subgame is named in results: by the play leading to its root."""
    history = tree.nodes[root].history
    if not history:
        return "the whole game"
    return "after " + ", ".join(f"{who}={move}" for who, move in history)


def _backward(tree: GameTree, limit: int, subs: Subgames) -> SubgamePerfect:
    from gamespec.solvers.trees.backward_induction import backward_induction

    found = backward_induction(tree, max_equilibria=limit)
    equilibria = [_equilibrium(tree, eq.behaviour, eq.payoffs) for eq in found.equilibria]
    return SubgamePerfect(equilibria, found.complete, {0: (BACKWARD,)}, subs)


def _flatten(plan: Any) -> dict[int, tuple]:
    behaviour: dict[int, tuple] = {}
    stack = [plan]
    while stack:
        local, inner = stack.pop()
        behaviour.update(local)
        stack.extend(inner)
    return behaviour


def _equilibrium(tree: GameTree, behaviour: dict[int, tuple],
                 payoffs: Any) -> SubgamePerfectEquilibrium:
    behaviour = {h: tuple(behaviour[h]) for h in range(len(tree.infosets))}
    probs = [p for ps in behaviour.values() for p in ps]
    payoffs = tuple(payoffs if payoffs is not None else expected_payoffs(tree, behaviour))
    exact = all(isinstance(v, (int, Fraction)) for v in (*probs, *payoffs))
    pure = all(p == 0 or p == 1 for p in probs)
    return SubgamePerfectEquilibrium(behaviour, payoffs, exact, pure)
