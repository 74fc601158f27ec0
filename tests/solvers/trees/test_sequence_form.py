"""The sequence form, its LP, best responses and the exact certificate, against known
values (Kuhn poker -1/18, matching pennies 0), brute force, and pygambit (through
tests/oracles/gambit_reference.py, replayed where pygambit is not installed)."""
from __future__ import annotations

import random
from fractions import Fraction as F
from itertools import product

import numpy as np
import pytest
from oracles import gambit_reference as gambit  # (tests/oracles: test-only)
from oracles.efg_text import behaviour, tree_to_efg
from oracles.imperfect_trees import random_tree
from oracles.trees import kuhn_poker

from gamespec.errors import SolverError
from gamespec.game_tree import as_number, nested_tree
from gamespec.solvers.trees.behaviour import expected_payoffs
from gamespec.solvers.trees.best_response import best_responses, exploitability
from gamespec.solvers.trees.exact_certificate import certify_exact
from gamespec.solvers.trees.sequence_form_lp import solve_sequence_form
from gamespec.solvers.trees.sequences import sequence_form


def gambit_solve(tree, algorithm):
    """Gambit's first equilibrium of the tree (.efg text), exact."""
    return gambit.solve(gambit.efg(tree_to_efg(tree)), algorithm, rational=True).equilibria[0]


def kuhn():
    return kuhn_poker().map_values(as_number)


def realization(form, k, behaviour):
    """Player k's realization plan of a behaviour profile."""
    x = np.full(form.sizes[k], np.nan)
    x[0] = 1.0

    def value(s):
        if np.isnan(x[s]):
            h, a = form.sequence(k, s)
            x[s] = value(int(form.parent[h])) * float(behaviour[h][a])
        return x[s]

    for s in range(form.sizes[k]):
        value(s)
    return x


def random_behaviour(tree, rng, exact=True):
    out = {}
    for h, info in enumerate(tree.infosets):
        w = [rng.randint(0, 3) for _ in info.moves]
        if sum(w) == 0:
            w[0] = 1
        out[h] = tuple(F(v, sum(w)) if exact else v / sum(w) for v in w)
    return out


def brute_best(tree, behaviour, player):
    """The best pure-strategy payoff of `player` against the others' behaviour."""
    k = tree.players.index(player)
    own = tree.player_infosets(player)
    best = None
    for pick in product(*(range(len(tree.infosets[h].moves)) for h in own)):
        b = dict(behaviour)
        for h, a in zip(own, pick):
            b[h] = tuple(F(int(j == a)) for j in range(len(tree.infosets[h].moves)))
        u = expected_payoffs(tree, b)[k]
        best = u if best is None else max(best, u)
    return best


def test_kuhn_poker_value_is_exactly_minus_one_eighteenth():
    tree = kuhn()
    sol = solve_sequence_form(tree)
    assert sol.form.sizes == (13, 13)
    assert sol.values[0] == pytest.approx(-1 / 18, abs=1e-9)
    assert sol.values[1] == pytest.approx(1 / 18, abs=1e-9)
    cert = certify_exact(tree, sol.behaviour, sol.constant)
    assert cert.certified and cert.value == F(-1, 18)
    assert cert.lower == cert.upper == F(-1, 18)
    assert cert.exploitability == 0 and isinstance(cert.exploitability, F)
    assert exploitability(tree, sol.behaviour) == pytest.approx(0, abs=1e-9)


def test_realization_plans_satisfy_the_constraints_and_payoffs_match():
    rng = random.Random(1)
    for tree in [kuhn(), *(random_tree(s) for s in range(6))]:
        form = sequence_form(tree)
        b = random_behaviour(tree, rng)
        x, y = realization(form, 0, b), realization(form, 1, b)
        assert np.allclose(form.E @ x, form.e) and np.allclose(form.F @ y, form.f)
        u = expected_payoffs(tree, b)
        assert x @ (form.A @ y) == pytest.approx(float(u[0]))
        assert x @ (form.B @ y) == pytest.approx(float(u[1]))


def test_sequences_are_numbered_by_information_set_and_move():
    form = sequence_form(kuhn())
    assert form.sequence(0, 0) is None
    h = int(form.infosets[1][0])
    assert form.sequence(1, int(form.first[h]) + 1) == (h, 1)


def matching_pennies():
    def leaf(u):
        return ("leaf", (F(u), F(-u)))

    return nested_tree(("row", "col"), ("decision", "row", "r", {
        "H": ("decision", "col", "c", {"H": leaf(1), "T": leaf(-1)}),
        "T": ("decision", "col", "c", {"H": leaf(-1), "T": leaf(1)}),
    }))


def test_matching_pennies_as_a_tree():
    tree = matching_pennies()
    sol = solve_sequence_form(tree)
    assert sol.values == pytest.approx((0.0, 0.0), abs=1e-12)
    assert sol.behaviour[0] == pytest.approx((0.5, 0.5))
    assert sol.behaviour[1] == pytest.approx((0.5, 0.5))
    cert = certify_exact(tree, sol.behaviour, sol.constant)
    assert cert.value == 0 and cert.behaviour[1] == (F(1, 2), F(1, 2))


def test_unreached_information_sets_play_uniformly_and_are_flagged():
    def late(u):
        return ("decision", "a", "late", {"u": ("leaf", (F(u), F(-u))),
                                          "v": ("leaf", (F(u - 1), F(1 - u))),
                                          "w": ("leaf", (F(u - 2), F(2 - u)))})

    tree = nested_tree(("a", "b"), ("decision", "a", "start", {
        "Out": ("leaf", (F(0), F(0))),
        "In": ("decision", "b", "entered", {"X": late(-5), "Y": late(-3)}),
    }))
    sol = solve_sequence_form(tree)
    assert sol.values[0] == pytest.approx(0)
    assert sol.behaviour[0] == pytest.approx((1, 0))
    h = next(i for i, info in enumerate(tree.infosets) if info.label == "late")
    assert sol.unreached == (h,)
    assert sol.behaviour[h] == pytest.approx((1 / 3,) * 3)


@pytest.mark.parametrize("seed", range(16))
def test_random_zero_sum_trees_against_gambit_lp(seed):
    tree = random_tree(seed)
    sol = solve_sequence_form(tree)
    cert = certify_exact(tree, sol.behaviour, sol.constant)
    eq = gambit_solve(tree, "lp")
    value = eq.payoffs[0]
    assert cert.certified and cert.value == value
    assert cert.exploitability == 0
    assert sol.values[0] == pytest.approx(float(value), abs=1e-7)
    assert best_responses(tree, behaviour(eq)).exploitability == 0


@pytest.mark.parametrize("seed", range(4))
def test_constant_sum_values_are_in_the_games_scale(seed):
    tree = random_tree(seed, kind="constant", constant=3)
    sol = solve_sequence_form(tree)
    first, second = gambit_solve(tree, "lp").payoffs
    assert sol.values[0] == pytest.approx(float(first), abs=1e-7)
    assert sol.values[1] == pytest.approx(float(second), abs=1e-7)
    assert sol.values[0] + sol.values[1] == pytest.approx(3)
    assert certify_exact(tree, sol.behaviour, sol.constant).certified


def test_general_sum_is_refused_by_the_lp():
    with pytest.raises(SolverError, match="not zero-sum or constant-sum"):
        solve_sequence_form(random_tree(3, kind="general"))


@pytest.mark.parametrize("seed", range(6))
def test_general_sum_exploitability_of_gambit_equilibrium_and_of_random_profiles(seed):
    tree = random_tree(seed, kind="general", max_depth=3)
    eq = gambit_solve(tree, "lcp")
    assert best_responses(tree, behaviour(eq)).exploitability == 0
    rng = random.Random(seed)
    b = random_behaviour(tree, rng)
    br = best_responses(tree, b)
    assert br.best == tuple(brute_best(tree, b, p) for p in tree.players)
    assert br.values == tuple(expected_payoffs(tree, b))
    brute = sum(brute_best(tree, b, p) for p in tree.players) - sum(expected_payoffs(tree, b))
    assert br.exploitability == brute > 0


@pytest.mark.parametrize("seed", range(4))
def test_three_player_best_responses_match_brute_force(seed):
    tree = random_tree(seed, ("a", "b", "c"), kind="general", max_depth=3)
    b = random_behaviour(tree, random.Random(seed))
    br = best_responses(tree, b)
    assert br.best == tuple(brute_best(tree, b, p) for p in tree.players)


def test_a_random_profile_is_exploitable():
    tree = kuhn()
    b = random_behaviour(tree, random.Random(0))
    br = best_responses(tree, b)
    assert br.exploitability > 0
    assert br.best == tuple(brute_best(tree, b, p) for p in tree.players)


def forgetful():
    leaf = ("leaf", (F(1), F(-1)))
    return nested_tree(("a", "b"), ("decision", "a", "first", {
        "L": ("decision", "b", "mid", {"x": ("decision", "a", "again", {"u": leaf, "v": leaf})}),
        "R": ("decision", "b", "mid", {"x": ("decision", "a", "again", {"u": leaf, "v": leaf})}),
    }))


def test_imperfect_recall_is_refused():
    with pytest.raises(SolverError, match="'again' of a breaks perfect recall"):
        sequence_form(forgetful())
    with pytest.raises(SolverError, match="perfect recall"):
        best_responses(forgetful(), {0: (1, 0), 1: (1,), 2: (1, 0)})
