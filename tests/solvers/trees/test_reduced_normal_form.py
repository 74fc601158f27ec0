"""The reduced normal form of game trees, Kuhn's theorem conversion and the equilibria found
through them, against pygambit (reduced strategies, payoff tables, enummixed, lcp; through
tests/oracles/gambit_reference.py, replayed where pygambit is not installed) and
brute-force best responses played out on the tree."""
from __future__ import annotations

import math
import random
from fractions import Fraction as F

import numpy as np
import pytest
from oracles import gambit_reference
from oracles.random_general_trees import random_tree  # (tests/oracles: test-only oracles)
from oracles.trees import beer_quiche, entry_game, kuhn_poker

from gamespec.errors import SolverError
from gamespec.gambit_efg_write import write_efg
from gamespec.game_tree import nested_tree
from gamespec.solvers.trees.behaviour import expected_payoffs
from gamespec.solvers.trees.behaviour_from_mixed import behaviour_profile, player_behaviour
from gamespec.solvers.trees.normal_form_equilibria import COVERS_VERTEX, tree_equilibria
from gamespec.solvers.trees.reduced_normal_form import (
    reduced_normal_form,
    reduced_strategy_counts,
)


def gambit(tree):
    return gambit_reference.efg(write_efg(tree))


def gambit_code(tree, player, plan) -> str:
    """A plan as Gambit labels reduced strategies: move numbers by information set, '*'."""
    chosen = dict(plan)
    return "".join(str(tree.infosets[h].moves.index(chosen[h]) + 1) if h in chosen else "*"
                   for h in tree.player_infosets(player))


def plan_behaviour(tree, player, plan, base):
    """`base` with `player` playing the pure plan (uniform where the plan chooses nothing)."""
    out = dict(base)
    chosen = dict(plan)
    for h in tree.player_infosets(player):
        moves = tree.infosets[h].moves
        out[h] = (tuple(F(int(m == chosen[h])) for m in moves) if h in chosen
                  else (F(1, len(moves)),) * len(moves))
    return out


def assert_tree_equilibrium(tree, rnf, eq):
    """No player gains on the tree by switching to any reduced plan (exact when exact)."""
    for k, player in enumerate(tree.players):
        for plan in rnf.plans[k]:
            value = expected_payoffs(tree, plan_behaviour(tree, player, plan, eq.behaviour))[k]
            if eq.exact:
                assert value <= eq.payoffs[k]
            else:
                assert value <= eq.payoffs[k] + 1e-7


def small_trees(players, count, max_cost):
    """The first `count` random trees whose reduced normal form is cheap to search."""
    out = []
    for seed in range(500):
        tree = random_tree(seed, players=players)
        shape = reduced_normal_form(tree).shape
        cost = math.comb(sum(shape), shape[0]) if players == 2 else math.prod(shape)
        if cost <= max_cost and max(shape) > 1:
            out.append(tree)
        if len(out) == count:
            return out
    raise AssertionError("too few small random trees")


def test_kuhn_poker_matches_gambit_reduced_strategic_form():
    tree = kuhn_poker()
    rnf = reduced_normal_form(tree)
    assert rnf.shape == (27, 64) and reduced_strategy_counts(tree) == [27, 64]
    game = gambit_reference.strategic(gambit(tree))
    assert [len(s) for s in game["strategies"]] == [27, 64]
    for k, player in enumerate(tree.players):
        assert [gambit_code(tree, player, s) for s in rnf.plans[k]] == game["strategies"][k]
    for k in range(2):
        assert np.array_equal(rnf.exact[..., k], game["payoffs"][k])
    assert rnf.labels[0][2] == "Check, Fold, Check, Fold, Bet, *"


def test_payoffs_match_playing_out_every_profile():
    for tree in [beer_quiche(), entry_game()] + small_trees(3, 4, 60):
        rnf = reduced_normal_form(tree)
        for profile in np.ndindex(*rnf.shape):
            behaviour = {}
            for k, player in enumerate(tree.players):
                behaviour = plan_behaviour(tree, player, rnf.plans[k][profile[k]], behaviour)
            assert list(rnf.exact[profile]) == expected_payoffs(tree, behaviour)
            assert np.allclose(rnf.payoffs[profile], [float(u) for u in rnf.exact[profile]])


def test_float_trees_give_float_tables_only():
    tree = beer_quiche().map_values(float)
    rnf = reduced_normal_form(tree)
    assert rnf.exact is None
    assert np.allclose(rnf.payoffs, reduced_normal_form(beer_quiche()).payoffs.astype(float))


def test_size_limit_names_the_size():
    with pytest.raises(SolverError, match="27 x 64"):
        reduced_normal_form(kuhn_poker(), limit=1000)


def test_perfect_recall_is_required():
    forgetful = nested_tree(("a", "b"), ("decision", "a", "first", {
        "L": ("decision", "a", "later", {"x": ("leaf", (1, 0)), "y": ("leaf", (0, 1))}),
        "R": ("decision", "a", "later", {"x": ("leaf", (0, 0)), "y": ("leaf", (2, 1))}),
    }))
    with pytest.raises(SolverError, match="perfect recall"):
        reduced_normal_form(forgetful)


def test_behaviour_is_realization_equivalent_on_kuhn_poker():
    tree = kuhn_poker()
    rnf = reduced_normal_form(tree)
    rng = random.Random(3)
    for _ in range(5):
        mixed = []
        for n in rnf.shape:
            weights = [F(rng.randint(0, 3)) for _ in range(n)]
            weights[0] += 1
            mixed.append(tuple(w / sum(weights) for w in weights))
        converted = behaviour_profile(tree, rnf, mixed)
        on_tree = expected_payoffs(tree, converted.behaviour)
        assert on_tree == [table_value(rnf.exact, mixed, k) for k in range(2)]


def table_value(exact, mixed, k):
    total = F(0)
    for profile in np.ndindex(*exact.shape[:-1]):
        total += math.prod((mixed[j][i] for j, i in enumerate(profile)), start=F(1)) * \
            exact[profile + (k,)]
    return total


def test_unreached_information_sets_are_flagged_and_uniform():
    tree = nested_tree(("a", "b"), ("decision", "a", "enter?", {
        "Out": ("leaf", (0, 2)),
        "In": ("decision", "a", "then", {"x": ("leaf", (1, 0)), "y": ("leaf", (0, 1))}),
    }))
    rnf = reduced_normal_form(tree)
    assert rnf.labels[0] == ("Out, *", "In, x", "In, y")
    out = player_behaviour(tree, "a", rnf.plans[0], (F(1), F(0), F(0)))
    assert out.off_path == {1} and out.behaviour[1] == (F(1, 2), F(1, 2))
    mixed = player_behaviour(tree, "a", rnf.plans[0], (F(1, 2), F(1, 8), F(3, 8)))
    assert mixed.off_path == frozenset() and mixed.behaviour == {
        0: (F(1, 2), F(1, 2)), 1: (F(1, 4), F(3, 4))}


def test_kuhn_poker_value_by_lemke_howson_and_gambit():
    tree = kuhn_poker()
    with pytest.raises(SolverError, match="27x64"):
        tree_equilibria(tree)  # vertex enumeration: C(91, 27) bases
    found = tree_equilibria(tree, "lemke_howson", label=0)
    (eq,) = found.equilibria
    assert eq.exact and eq.ok and eq.regret == 0
    assert eq.payoffs == (F(-1, 18), F(1, 18))
    (theirs,) = gambit_reference.solve(gambit(tree), "lcp").equilibria
    assert theirs.payoffs == (F(-1, 18), F(1, 18))


def test_beer_quiche_pooling_families():
    tree = beer_quiche()
    found = tree_equilibria(tree)
    assert found.covers == COVERS_VERTEX
    assert all(eq.exact and eq.ok and eq.regret == 0 for eq in found.equilibria)
    infoset = {h.label: h for h in tree.infosets}
    by_sender = {}
    for eq in found.equilibria:
        both = {eq.behaviour[tree.infosets.index(infoset[t])] for t in ("Strong", "Weak")}
        assert len(both) == 1  # pooling
        by_sender.setdefault(both.pop(), set()).add(eq.payoffs[0])
        quiche = eq.behaviour[tree.infosets.index(infoset["saw Quiche"])]
        beer = eq.behaviour[tree.infosets.index(infoset["saw Beer"])]
        duel_off_path = quiche if eq.payoffs[0] == F(29, 10) else beer
        assert duel_off_path[0] >= F(1, 2)
    assert by_sender == {(F(1), F(0)): {F(29, 10)}, (F(0), F(1)): {F(21, 10)}}


@pytest.mark.parametrize("tree", small_trees(2, 25, 5000))
def test_two_player_extreme_equilibria_match_gambit(tree):
    found = tree_equilibria(tree)
    for eq in found.equilibria:
        assert eq.exact and eq.ok and eq.regret == 0
        assert_tree_equilibrium(tree, found.rnf, eq)
    theirs = {eq.payoffs for eq in gambit_reference.solve(gambit(tree), "enummixed").equilibria}
    assert {eq.payoffs for eq in found.equilibria} == theirs
    reached = tree_equilibria(tree, "lemke_howson")
    assert {eq.payoffs for eq in reached.equilibria} <= theirs


@pytest.mark.parametrize("seed", [4, 9, 17, 19, 29])
def test_three_player_equilibria_are_equilibria_on_the_tree(seed):
    tree = random_tree(seed, players=3)
    for method in ("support_enumeration", "logit"):
        found = tree_equilibria(tree, method)
        assert found.equilibria
        for eq in found.equilibria:
            assert eq.ok
            assert_tree_equilibrium(tree, found.rnf, eq)
