"""Subgame-perfect equilibria by subgames: a leader over two simultaneous followers against
brute force, cooperation sustained by a continuation in a two-stage game, random trees
checked by best responses in every subgame, and backward induction on perfect
information."""
from __future__ import annotations

from fractions import Fraction as F
from itertools import product

import pytest

from gamespec.analysis import classify
from gamespec.game_tree import DECISION
from gamespec.language.loader import model_from_string
from gamespec.solvers.trees.backward_induction import backward_induction
from gamespec.solvers.trees.best_response import best_responses
from gamespec.solvers.trees.subgame_perfect import subgame_gains, subgame_perfect
from gamespec.solvers.trees.subgame_perfect_method import ENTRY
from gamespec.solvers.trees.subgames import subgames
from gamespec.solvers.trees.tree_values import numeric_tree
from tests.oracles.random_general_trees import random_tree

Q = range(4)
COURNOT_PAYOFFS = """
payoff leader = q0 * (6 - q0 - q1 - q2)
payoff f1 = q1 * (6 - q0 - q1 - q2)
payoff f2 = q2 * (6 - q0 - q1 - q2)
"""
COURNOT_ORDER = """game "Leader and two followers"
player leader { choose q0 in {0, 1, 2, 3} }
player f1 { choose q1 in {0, 1, 2, 3} }
player f2 { choose q2 in {0, 1, 2, 3} }
order leader -> {f1, f2}
""" + COURNOT_PAYOFFS
COURNOT_TREE = """game "Leader and two followers"
player leader {}
player f1 {}
player f2 {}
tree {
  leader chooses q0 in {0, 1, 2, 3}
  f1 chooses q1 in {0, 1, 2, 3}
  f2 sees q0 chooses q2 in {0, 1, 2, 3}
  payoff (q0 * (6 - q0 - q1 - q2), q1 * (6 - q0 - q1 - q2), q2 * (6 - q0 - q1 - q2))
}
"""


def cournot_payoffs(q0, q1, q2):
    price = 6 - q0 - q1 - q2
    return (q0 * price, q1 * price, q2 * price)


def brute_force_spe() -> set:
    """(q0, f1's plan, f2's plan) with a plan a tuple over q0: Nash in every subgame."""
    def stage_nash(q0, q1, q2):
        u = cournot_payoffs(q0, q1, q2)
        return (all(cournot_payoffs(q0, d, q2)[1] <= u[1] for d in Q)
                and all(cournot_payoffs(q0, q1, d)[2] <= u[2] for d in Q))

    out = set()
    for plan1 in product(Q, repeat=4):
        for plan2 in product(Q, repeat=4):
            if not all(stage_nash(q0, plan1[q0], plan2[q0]) for q0 in Q):
                continue
            value = [cournot_payoffs(q0, plan1[q0], plan2[q0])[0] for q0 in Q]
            out.update((q0, plan1, plan2) for q0 in Q if value[q0] == max(value))
    return out


def pure_profiles(tree, found) -> set:
    """The pure SPE as (q0, f1's plan, f2's plan), read off the information sets."""
    out = set()
    for eq in found.equilibria:
        if not eq.pure:
            continue
        plans = {"f1": [None] * 4, "f2": [None] * 4}
        q0 = None
        for h, info in enumerate(tree.infosets):
            move = int(info.moves[eq.behaviour[h].index(1)])
            if info.player == "leader":
                q0 = move
            else:
                plans[info.player][int(tree.nodes[info.nodes[0]].history[0][1])] = move
        out.add((q0, tuple(plans["f1"]), tuple(plans["f2"])))
    return out


def test_leader_and_simultaneous_followers_match_brute_force():
    tree = numeric_tree(model_from_string(COURNOT_TREE))
    assert subgames(tree).inner[0] == tuple(tree.nodes[0].children)
    found = subgame_perfect(tree)
    assert found.complete
    assert pure_profiles(tree, found) == brute_force_spe()
    for eq in found.equilibria:
        assert eq.exact
        assert max(subgame_gains(tree, eq.behaviour).values()) == 0


def test_order_with_a_simultaneous_group_makes_the_same_subgames():
    model = model_from_string(COURNOT_ORDER)
    tree = numeric_tree(model)
    assert len(subgames(tree).roots) == 5
    assert pure_profiles(tree, subgame_perfect(tree)) == brute_force_spe()


def test_method_entry_reports_exact_certificate():
    model = model_from_string(COURNOT_TREE)
    result = ENTRY.solve(model, classify(model), {})
    assert result.certificate.ok and result.certificate.residual == 0
    assert result.extra["kind"] == "subgame-perfect"
    assert "vertex enumeration" in result.covers and "backward induction" in result.covers
    assert all(r["exact_max_gain"] == "0" for r in result.extra["tree_equilibria"])


TWO_STAGE = """game "Prisoner's dilemma, then coordination"
param g = {g}
player a {{}}
player b {{}}
tree {{
  a chooses x in {{C, D}}
  b sees nothing chooses y in {{C, D}}
  a chooses u in {{H, L}}
  b sees x, y chooses v in {{H, L}}
  payoff ((if x == C then (if y == C then 4 else 0) else (if y == C then 5 else 1))
            + (if u == v then (if u == H then g else 1) else 0),
          (if y == C then (if x == C then 4 else 0) else (if x == C then 5 else 1))
            + (if u == v then (if u == H then g else 1) else 0))
}}
"""


@pytest.mark.parametrize("g", [F(1), F(3, 2), F(8, 5), F(13, 8), F(2), F(3)])
def test_cooperation_needs_a_large_enough_continuation_gap(g):
    tree = numeric_tree(model_from_string(TWO_STAGE.format(g=float(g))))
    assert len(subgames(tree).roots) == 5
    found = subgame_perfect(tree)
    assert found.complete

    def cooperates(eq):
        return all(eq.behaviour[h][0] == 1 for h, info in enumerate(tree.infosets)
                   if info.label.startswith(("x", "y")))

    # defecting gains 1 now; the worst continuation is the mixed coordination equilibrium
    # (value g / (g + 1)), the best is (H, H) (value g)
    assert any(map(cooperates, found.equilibria)) == (g - g / (g + 1) >= 1)
    assert any(cooperates(eq) for eq in found.equilibria if eq.pure) == (g - 1 >= 1)
    for eq in found.equilibria:
        assert max(subgame_gains(tree, eq.behaviour).values()) == 0


def random_trees_with_subgames(count: int, players: int) -> list:
    out = []
    for seed in range(2000):
        tree = random_tree(seed, players=players, depth=4, signals=3, stop=0.25)
        if len(subgames(tree).roots) > 2 and not tree.perfect_information():
            out.append(tree)
        if len(out) == count:
            break
    return out


@pytest.mark.parametrize("players", [2, 3])
def test_random_trees_every_equilibrium_is_subgame_perfect(players):
    count = 12 if players == 2 else 8
    trees = random_trees_with_subgames(count, players)
    assert len(trees) == count
    for tree in trees:
        found = subgame_perfect(tree, max_equilibria=20, time_limit=1)
        assert found.equilibria
        for eq in found.equilibria:
            gains = subgame_gains(tree, eq.behaviour)
            exact = all(isinstance(v, F) for v in gains.values())
            assert max(gains.values()) == 0 if exact else max(gains.values()) < 1e-7
            whole = best_responses(tree, eq.behaviour).exploitability
            assert whole == 0 if exact else whole < 1e-7


def brute_subgame_roots(tree) -> set:
    """Subgame roots by the definition, node by node."""
    below = [set() for _ in tree.nodes]
    for index in range(len(tree.nodes) - 1, -1, -1):
        below[index] = {index}.union(*(below[c] for c in tree.nodes[index].children))
    roots = set()
    for index, node in enumerate(tree.nodes):
        if not node.children:
            continue
        sets = {tree.nodes[v].infoset for v in below[index]
                if tree.nodes[v].kind == DECISION}
        if all(set(tree.infosets[h].nodes) <= below[index] for h in sets) and (
                node.kind != DECISION or len(tree.infosets[node.infoset].nodes) == 1):
            roots.add(index)
    return roots | {0}


def test_subgame_roots_match_the_definition():
    for seed in range(60):
        tree = random_tree(seed, players=2 + seed % 2, depth=4, signals=1 + seed % 4)
        found = subgames(tree)
        assert set(found.roots) == brute_subgame_roots(tree)
        for root, inner in found.inner.items():
            assert all(found.owner[tree.nodes[s].parent] == root for s in inner)


@pytest.mark.parametrize("seed", range(10))
def test_perfect_information_gives_backward_induction(seed):
    tree = random_tree(seed, players=2 + seed % 2, depth=4, signals=10**9, payoffs=2)
    assert tree.perfect_information()
    staged = subgame_perfect(tree, direct=False)
    direct = backward_induction(tree)
    assert staged.complete and direct.complete

    def key(behaviour):
        return tuple(tuple(behaviour[h]) for h in range(len(tree.infosets)))

    pure = {key(eq.behaviour) for eq in staged.equilibria if eq.pure}
    assert pure == {key(eq.behaviour) for eq in direct.equilibria}
