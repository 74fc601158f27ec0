"""Backward induction on perfect-information trees: known games, ties, a cap, and a brute
force oracle (every pure profile that is a Nash equilibrium in every subgame)."""
from __future__ import annotations

import random
from fractions import Fraction as F
from itertools import product

import pytest
from oracles.trees import entry_game, kuhn_poker  # (tests/oracles: test-only oracles)

from gamespec.game_tree import CHANCE, DECISION, TERMINAL, nested_tree
from gamespec.solvers.trees.backward_induction import backward_induction
from gamespec.solvers.trees.behaviour import expected_payoffs, pure_behaviour


def choices(result):
    return {frozenset(e.choice.items()) for e in result.equilibria}


def moves_by_label(tree, equilibrium):
    return {tree.infosets[h].label: m for h, m in equilibrium.choice.items()}


def test_entry_game_unique_spe():
    tree = entry_game()
    result = backward_induction(tree)
    assert result.complete and result.ties == "exact"
    [spe] = result.equilibria
    assert moves_by_label(tree, spe) == {"start": "In", "entered": "Accommodate"}
    assert spe.payoffs == (F(1), F(1))
    assert [(p, m) for _, p, m in spe.path] == [("entrant", "In"), ("incumbent", "Accommodate")]
    assert spe.behaviour == {0: (0, 1), 1: (0, 1)}


def test_entry_game_out_fight_is_nash_but_not_subgame_perfect():
    tree = entry_game()
    start, entered = 0, 1  # information sets
    out_fight = pure_behaviour(tree, {start: "Out", entered: "Fight"})
    base = expected_payoffs(tree, out_fight)
    for h, player in ((start, 0), (entered, 1)):
        for move in tree.infosets[h].moves:
            deviation = pure_behaviour(tree, {start: "Out", entered: "Fight", h: move})
            assert expected_payoffs(tree, deviation)[player] <= base[player]  # Nash
    node = tree.infosets[entered].nodes[0]
    fight = expected_payoffs(tree, out_fight, node)[1]
    accommodate = expected_payoffs(
        tree, pure_behaviour(tree, {start: "Out", entered: "Accommodate"}), node)[1]
    assert fight < accommodate  # Fight is no best response in the incumbent's subgame
    spe = {frozenset({(start, "Out"), (entered, "Fight")})}
    assert not spe & choices(backward_induction(tree))


def centipede(n):
    """Rosenthal's centipede: at stage k the mover takes (k + 1 for the mover, k - 1 for
    the other) or passes; after n passes both get n."""
    sub = ("leaf", (F(n), F(n)))
    for k in range(n, 0, -1):
        mover = (k - 1) % 2
        take = [F(k - 1), F(k - 1)]
        take[mover] = F(k + 1)
        sub = ("decision", ("alice", "bob")[mover], f"stage {k}",
               {"Take": ("leaf", tuple(take)), "Pass": sub})
    return nested_tree(("alice", "bob"), sub)


@pytest.mark.parametrize("n", [4, 6])
def test_centipede_takes_at_first_node(n):
    tree = centipede(n)
    [spe] = backward_induction(tree).equilibria
    assert set(spe.choice.values()) == {"Take"}  # at every stage, off the path too
    assert spe.path == ((0, "alice", "Take"),)
    assert spe.payoffs == (F(2), F(0))


def test_deep_tree_without_recursion():
    [spe] = backward_induction(centipede(400)).equilibria  # deeper than Python's recursion
    assert len(spe.choice) == 400 and spe.path == ((0, "alice", "Take"),)


def ultimatum(total=2):
    """The proposer offers x in 0..total to the responder, who accepts or rejects."""
    offers = {f"offer {x}": ("decision", "responder", f"offered {x}", {
        "Accept": ("leaf", (F(total - x), F(x))), "Reject": ("leaf", (F(0), F(0)))})
        for x in range(total + 1)}
    return nested_tree(("proposer", "responder"), ("decision", "proposer", "start", offers))


def test_ultimatum_two_spe():
    tree = ultimatum(2)
    result = backward_induction(tree)
    assert result.complete
    found = sorted((moves_by_label(tree, e) for e in result.equilibria),
                   key=lambda m: m["start"])
    assert found == [
        {"start": "offer 0", "offered 0": "Accept", "offered 1": "Accept",
         "offered 2": "Accept"},
        {"start": "offer 1", "offered 0": "Reject", "offered 1": "Accept",
         "offered 2": "Accept"},
    ]
    assert sorted(e.payoffs for e in result.equilibria) == [(F(1), F(1)), (F(2), F(0))]


def test_three_players_with_chance():
    players = ("ann", "bob", "cat")
    leaf = lambda *u: ("leaf", tuple(F(x) for x in u))  # noqa: E731
    tree = nested_tree(players, ("decision", "ann", "start", {
        "Safe": leaf(1, 1, 1),
        "Risky": ("chance", {
            "good": (F(1, 3), ("decision", "bob", "good", {
                "Up": leaf(6, 0, 3), "Down": ("decision", "cat", "after Down", {
                    "L": leaf(0, 2, 1), "R": leaf(3, 1, 2)})})),
            "bad": (F(2, 3), ("decision", "cat", "bad", {
                "L": leaf(0, 0, 4), "R": leaf(9, 9, 0)})),
        }),
    }))
    # cat: R after Down (2 > 1), L when bad (4 > 0); bob: Down (1 > 0); ann: Risky gives
    # 1/3 * 3 + 2/3 * 0 = 1, as Safe does: two SPE
    result = backward_induction(tree)
    assert result.complete and len(result.equilibria) == 2
    for e in result.equilibria:
        assert {k: v for k, v in moves_by_label(tree, e).items() if k != "start"} == {
            "good": "Down", "after Down": "R", "bad": "L"}
    assert {moves_by_label(tree, e)["start"] for e in result.equilibria} == {"Safe", "Risky"}
    risky = next(e for e in result.equilibria if moves_by_label(tree, e)["start"] == "Risky")
    assert risky.payoffs == (F(1), F(1, 3), F(1, 3) * 2 + F(2, 3) * 4)
    assert [m for _, p, m in risky.path if p == "chance"] == ["good", "bad"]
    assert brute_force_spe(tree) == choices(result)


def test_float_ties_with_tolerance_and_exact_fractions():
    def game(a, b):
        return nested_tree(("p",), ("decision", "p", "only", {
            "A": ("leaf", (a,)), "B": ("leaf", (b,))}))

    floats = backward_induction(game(0.1 + 0.2, 0.3))
    assert len(floats.equilibria) == 2 and floats.ties == "relative tolerance 1e-09"
    assert len(backward_induction(game(1.0, 1.0 + 1e-6)).equilibria) == 1
    exact = backward_induction(game(F(3, 10), F(3, 10) + F(1, 10**20)))
    assert len(exact.equilibria) == 1 and exact.ties == "exact"


def test_cap_on_exploding_ties():
    def indifferent(depth, name):
        if depth == 0:
            return ("leaf", (F(0),))
        return ("decision", "p", name, {m: indifferent(depth - 1, name + m) for m in "LR"})

    tree = nested_tree(("p",), indifferent(10, "x"))  # 1023 nodes: 2**1023 SPE
    result = backward_induction(tree, max_equilibria=50)
    assert len(result.equilibria) == 50 and not result.complete
    assert len(choices(result)) == 50
    small = backward_induction(nested_tree(("p",), indifferent(3, "x")))
    assert small.complete and len(small.equilibria) == 2 ** 7


def test_imperfect_information_is_refused():
    with pytest.raises(ValueError, match="perfect information"):
        backward_induction(kuhn_poker())


# --- the oracle: pure profiles that are Nash equilibria in every subgame ---------------

def value(tree, index, plan):
    n = tree.nodes[index]
    if n.kind == TERMINAL:
        return n.payoffs
    if n.kind == CHANCE:
        parts = [value(tree, c, plan) for c in n.children]
        return tuple(sum(p * v[k] for p, v in zip(n.probabilities, parts))
                     for k in range(len(tree.players)))
    return value(tree, n.children[n.moves.index(plan[n.infoset])], plan)


def below(tree, index):
    out, stack = [], [index]
    while stack:
        i = stack.pop()
        out.append(i)
        stack.extend(tree.nodes[i].children)
    return out


def brute_force_spe(tree):
    deciders = [i for i, n in enumerate(tree.nodes) if n.kind == DECISION]
    moves = [tree.nodes[i].moves for i in deciders]
    infoset = [tree.nodes[i].infoset for i in deciders]
    found = set()
    for pick in product(*moves):
        plan = dict(zip(infoset, pick))
        if all(subgame_nash(tree, s, plan) for s, n in enumerate(tree.nodes)
               if n.kind != TERMINAL):
            found.add(frozenset(plan.items()))
    return found


def subgame_nash(tree, root, plan):
    base = value(tree, root, plan)
    for k, player in enumerate(tree.players):
        own = [i for i in below(tree, root)
               if tree.nodes[i].kind == DECISION and tree.nodes[i].player == player]
        for pick in product(*(tree.nodes[i].moves for i in own)):
            deviation = {**plan, **{tree.nodes[i].infoset: m for i, m in zip(own, pick)}}
            if value(tree, root, deviation)[k] > base[k]:
                return False
    return True


def random_tree(rng):
    players = ("a", "b", "c")[: rng.choice((2, 3))]
    budget = {"decisions": 5, "profiles": 1}

    def build(depth):
        if depth == 0 or rng.random() < 0.25 or budget["decisions"] == 0:
            return ("leaf", tuple(F(rng.randint(0, 2)) for _ in players))
        if rng.random() < 0.2:
            p = rng.choice((F(1, 2), F(1, 3)))
            return ("chance", {"h": (p, build(depth - 1)), "t": (1 - p, build(depth - 1))})
        width = 3 if budget["profiles"] * 3 <= 200 and rng.random() < 0.3 else 2
        budget["decisions"] -= 1
        budget["profiles"] *= width
        label = f"n{5 - budget['decisions']}"
        return ("decision", rng.choice(players), label,
                {f"m{j}": build(depth - 1) for j in range(width)})

    return nested_tree(players, build(4))


@pytest.mark.parametrize("seed", range(40))
def test_random_trees_against_brute_force(seed):
    tree = random_tree(random.Random(seed))
    result = backward_induction(tree)
    assert result.complete
    assert choices(result) == brute_force_spe(tree)
    for e in result.equilibria:
        assert tuple(expected_payoffs(tree, e.behaviour)) == e.payoffs
