"""Symbolic backward induction (`derive`): optimality conditions by case, checked for
equivalence with linear real arithmetic and against numeric backward induction."""
from __future__ import annotations

import random
from fractions import Fraction as F

import sympy as sp
from sympy.logic.inference import satisfiable

from gamespec.game_tree import as_number, nested_tree
from gamespec.solvers.trees.backward_conditions import (
    backward_conditions,
    render_conditions,
    subgame_value,
)
from gamespec.solvers.trees.backward_induction import backward_induction

fight, accommodate, monopoly, q = sp.symbols("fight accommodate monopoly q")


def symbolic_entry():
    return nested_tree(("entrant", "incumbent"), ("decision", "entrant", "start", {
        "Out": ("leaf", (sp.Integer(0), monopoly)),
        "In": ("decision", "incumbent", "entered", {
            "Fight": ("leaf", (fight, fight)),
            "Accommodate": ("leaf", (accommodate, accommodate)),
        }),
    }))


def equivalent(a, b):
    """Same truth value wherever the parameters are real (linear real arithmetic)."""
    return satisfiable(sp.Xor(a, b), use_lra_theory=True) is False


def sample_points(symbols, count=60, seed=0):
    rng = random.Random(seed)
    return [{s: sp.Rational(rng.randint(-40, 40), rng.randint(1, 7)) for s in symbols}
            for _ in range(count)]


def record(derivation, label, move, case_move=None):
    found = [r for r in derivation.records if r.label == label and r.move == move
             and (case_move is None or case_move in [m for _, m in r.case_choices])]
    assert len(found) == 1
    return found[0]


def test_entry_game_conditions():
    tree = symbolic_entry()
    d = backward_conditions(tree)
    assert d.complete
    acc = record(d, "entered", "Accommodate").condition
    assert equivalent(acc, accommodate >= fight)
    assert equivalent(record(d, "entered", "Fight").condition, fight >= accommodate)
    when_acc = record(d, "start", "In", "Accommodate")
    assert equivalent(when_acc.condition, accommodate >= 0)
    assert equivalent(when_acc.case, accommodate >= fight)
    assert when_acc.continuation == (accommodate, accommodate)
    assert equivalent(record(d, "start", "In", "Fight").condition, fight >= 0)
    for point in sample_points((fight, accommodate)):  # off the boundaries: strict
        if point[fight] != point[accommodate]:
            assert bool(acc.subs(point)) == (point[accommodate] > point[fight])
    text = render_conditions(tree, d)
    assert "incumbent at entered: Accommodate iff accommodate >= fight" in text
    assert ("entrant at start: In iff accommodate >= 0 (when incumbent at entered plays "
            "Accommodate)") in text


def test_numbers_give_always_and_never():
    tree = symbolic_entry().map_values(lambda v: v.subs({fight: -1, accommodate: 1,
                                                         monopoly: 2}))
    d = backward_conditions(tree)
    conditions = {(r.label, r.move): r.condition for r in d.records}
    assert conditions == {("entered", "Fight"): sp.false, ("entered", "Accommodate"): sp.true,
                          ("start", "Out"): sp.false, ("start", "In"): sp.true}
    assert subgame_value(d) == (1, 1)


def chance_tree():
    """A parameter in a chance probability makes the relations nonlinear."""
    return nested_tree(("a", "b"), ("decision", "a", "root", {
        "Stop": ("leaf", (sp.Integer(1), sp.Integer(0))),
        "Go": ("chance", {
            "hi": (q, ("decision", "b", "hi", {
                "X": ("leaf", (fight, sp.Integer(1))), "Y": ("leaf", (sp.Integer(3), monopoly))})),
            "lo": (1 - q, ("leaf", (accommodate, sp.Integer(0)))),
        }),
    }))


def root_moves_from(derivation, point):
    """The root moves that are optimal at `point` in a case whose assumption holds."""
    return {r.move for r in derivation.records if r.node == 0
            and bool(r.case.xreplace(point)) and bool(r.condition.xreplace(point))}


def test_against_numeric_backward_induction_at_sample_points():
    for tree in (symbolic_entry(), chance_tree()):
        d = backward_conditions(tree)
        value = subgame_value(d)
        for point in sample_points((fight, accommodate, monopoly), count=20, seed=1):
            point[q] = sp.Rational(random.Random(str(point)).randint(1, 9), 10)
            numeric = tree.map_values(lambda v, p=point: as_number(sp.sympify(v).subs(p)))
            result = backward_induction(numeric)
            root = numeric.root.infoset
            assert root_moves_from(d, point) == {e.choice[root] for e in result.equilibria}
            at_point = tuple(F(str(v.xreplace(point))) for v in value)
            assert at_point in {e.payoffs for e in result.equilibria}


def random_numeric_tree(rng):
    players = ("a", "b", "c")[: rng.choice((2, 3))]
    count = [0]

    def build(depth):
        if depth == 0 or rng.random() < 0.25 or count[0] >= 5:
            return ("leaf", tuple(F(rng.randint(0, 2)) for _ in players))
        if rng.random() < 0.2:
            return ("chance", {"h": (F(1, 3), build(depth - 1)), "t": (F(2, 3), build(depth - 1))})
        count[0] += 1
        return ("decision", rng.choice(players), f"n{count[0]}",
                {f"m{j}": build(depth - 1) for j in range(rng.choice((2, 3)))})

    return nested_tree(players, build(4))


def test_numeric_cases_are_the_spe_outcomes():
    for seed in range(25):
        tree = random_numeric_tree(random.Random(seed))
        d = backward_conditions(tree, max_cases=10_000)
        outcomes = {tuple(F(str(v)) for v in c.values) for c in d.cases[0]}
        assert outcomes == {e.payoffs for e in backward_induction(tree).equilibria}


def test_max_cases_cuts_and_says_so():
    tree = nested_tree(("a",), ("decision", "a", "root", {
        m: ("decision", "a", m, {"X": ("leaf", (fight,)), "Y": ("leaf", (accommodate,))})
        for m in ("L", "M", "R")}))
    assert not backward_conditions(tree, max_cases=4).complete
    full = backward_conditions(tree)
    # only the combinations of choices below that hold on an open set: all X or all Y
    assert full.complete and len(full.cases[0]) == 2 * 3
    assert len(full.records) == 3 * 2 + 2 * 3
