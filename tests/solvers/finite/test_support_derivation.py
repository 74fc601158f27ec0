"""Symbolic support conditions: closed forms against the textbook formulas, regions by
substituting parameter values, and the numeric case against support enumeration."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import sympy

from gamespec.language.loader import load_model, model_from_string
from gamespec.normal_form import build_normal_form
from gamespec.solvers.finite.support_derivation import support_conditions
from gamespec.solvers.finite.support_enumeration import support_equilibria

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

HAWK_DOVE = """game "Hawk-dove, symbolic"
param V
param C
player row { choose r in {Hawk, Dove} }
player col { choose s in {Hawk, Dove} }
payoff row = if r == Hawk then (if s == Hawk then (V - C) / 2 else V)
             else (if s == Hawk then 0 else V / 2)
payoff col = if s == Hawk then (if r == Hawk then (V - C) / 2 else V)
             else (if r == Hawk then 0 else V / 2)
"""

# Gibbons (1992), section 2.4: the worker's wage w, effort cost g, output v; inspection cost h.
INSPECTION = """game "Inspection"
param w
param g
param h
param v
player worker { choose a in {Work, Shirk} }
player employer { choose b in {Inspect, Not} }
payoff worker = if a == Work then w - g else (if b == Inspect then 0 else w)
payoff employer = if b == Inspect then (if a == Work then v - w - h else -h)
                  else (if a == Work then v - w else -w)
"""

BATTLE = """game "Battle of the sexes"
player alice { choose a in {Opera, Football} }
player bob { choose b in {Opera, Football} }
payoff alice = if a == b then (if a == Opera then 3 else 5) else 0
payoff bob = if a == b then (if a == Opera then 5 else 3) else 0
"""

BIG = """game "A 15 x 15 table"
set S = 1..15
player a { choose x in S }
player b { choose y in S }
payoff a = x * y - x^2 / 3
payoff b = (x - y) * (y - 8) / 7 + x
"""


def sym(name):
    return sympy.Symbol(name, real=True)


def by_support(items):
    """{support label: {kind: object}} from the item list (notes left out)."""
    out = {}
    for label, obj in items:
        if label != "note":
            head, kind = label.rsplit(": ", 1)
            out.setdefault(head, {})[kind] = obj
    return out


def test_hawk_dove_mixes_hawk_with_v_over_c_only_when_v_below_c():
    items = support_conditions(model_from_string(HAWK_DOVE))
    supports = by_support(items)
    assert list(supports) == ["support (row: {Hawk, Dove}, col: {Hawk, Dove})"]
    found = supports["support (row: {Hawk, Dove}, col: {Hawk, Dove})"]
    V, C = sym("V"), sym("C")
    closed = {x.name: value for x, value in found["closed form"].items()}
    assert sympy.simplify(closed["p_row_Hawk"] - V / C) == 0
    assert sympy.simplify(closed["p_col_Hawk"] - V / C) == 0
    assert sympy.simplify(closed["p_row_Dove"] - (1 - V / C)) == 0
    region = found["equilibrium iff"]
    positive = found["equilibrium iff (every parameter positive)"]
    for v, c, expected in [(2, 4, True), (4, 2, False), (3, 3, False), (-2, -4, True),
                           (1, 10, True), (5, -1, False)]:
        assert bool(region.subs({V: v, C: c})) is expected, (v, c)
    assert positive == (C > V) or positive == (V < C)
    # the closed form solves the indifference equations
    eqs = found["indifference"]
    assert sympy.simplify(eqs.subs(found["closed form"])) is sympy.true


def test_inspection_game_shirk_h_over_w_inspect_g_over_w():
    items = support_conditions(model_from_string(INSPECTION))
    found = by_support(items)["support (worker: {Work, Shirk}, employer: {Inspect, Not})"]
    w, g, h = sym("w"), sym("g"), sym("h")
    closed = {x.name: value for x, value in found["closed form"].items()}
    assert sympy.simplify(closed["p_worker_Shirk"] - h / w) == 0
    assert sympy.simplify(closed["p_employer_Inspect"] - g / w) == 0
    region = found["equilibrium iff"]
    values = {sym("v"): 5}
    assert bool(region.subs({**values, w: 3, g: 1, h: 2})) is True
    assert bool(region.subs({**values, w: 3, g: 4, h: 2})) is False  # effort costs > wage
    assert bool(region.subs({**values, w: 3, g: 1, h: 3})) is False  # h = w: not interior
    positive = found["equilibrium iff (every parameter positive)"]
    assert sympy.simplify(positive.subs({w: 3, g: 1, h: 2})) is sympy.true
    assert sympy.simplify(positive.subs({w: 3, g: 1, h: 4})) is sympy.false


def test_battle_of_the_sexes_three_eighths_and_agrees_with_support_enumeration():
    model = model_from_string(BATTLE)
    found = by_support(support_conditions(model))
    assert list(found) == ["support (alice: {Opera, Football}, bob: {Opera, Football})"]
    closed = {x.name: v for x, v in found[next(iter(found))]["closed form"].items()}
    assert closed == {"p_alice_Opera": sympy.Rational(3, 8), "p_alice_Football": sympy.Rational(5, 8),
                      "p_bob_Opera": sympy.Rational(5, 8), "p_bob_Football": sympy.Rational(3, 8)}
    assert found[next(iter(found))]["equilibrium iff"] is sympy.true
    mixed = [e for e in support_equilibria(build_normal_form(model).payoffs).equilibria
             if len(e.support()[0]) == 2]
    assert [float(x) for x in mixed[0].exact[0]] == [3 / 8, 5 / 8]


def test_hawk_dove_corpus_closed_form_at_its_numbers_matches_support_enumeration():
    model = load_model(CORPUS / "hawk_dove.game")  # V = 4, C = 6 (kept symbolic by derive)
    found = by_support(support_conditions(model))
    closed = {x.name: v for x, v in next(iter(found.values()))["closed form"].items()}
    at_spec = closed["p_row_Hawk"].subs({sym("V"): 4, sym("C"): 6})
    mixed = [e for e in support_equilibria(build_normal_form(model).payoffs).equilibria
             if e.support() == ((0, 1), (0, 1))]
    assert mixed[0].exact[0][0] == at_spec == sympy.Rational(2, 3)


def test_large_table_finishes_fast_and_says_what_it_examined():
    model = model_from_string(BIG)
    start = time.monotonic()
    items = support_conditions(model, max_supports=60)
    assert time.monotonic() - start < 15
    notes = [obj for label, obj in items if label == "note"]
    assert any("at most 2 strategies" in n for n in notes)
    assert any("first 60 of" in n for n in notes)


@pytest.mark.slow
def test_three_player_closed_form_in_radicals_matches_support_enumeration():
    # player k's gain from A is 2 - 3y - c*y*z (y, z: the next two players' chance of A)
    text = """game "Three"
param c
player p1 { choose a in {A, B} }
player p2 { choose b in {A, B} }
player p3 { choose d in {A, B} }
payoff p1 = if a == A then 2 - 3 * [b == A] - c * [b == A] * [d == A] else 0
payoff p2 = if b == A then 2 - 3 * [d == A] - c * [d == A] * [a == A] else 0
payoff p3 = if d == A then 2 - 3 * [a == A] - c * [a == A] * [b == A] else 0
"""
    found = by_support(support_conditions(model_from_string(text)))
    assert len(found) == 1  # the other root of the quadratic is never a probability
    (items,) = found.values()
    c = sym("c")
    closed = {x.name: v for x, v in items["closed form"].items()}
    assert sympy.simplify(closed["p_p1_A"] - (sympy.sqrt(8 * c + 9) - 3) / (2 * c)) == 0
    assert bool(items["equilibrium iff"].subs(c, 1)) and not bool(
        items["equilibrium iff"].subs(c, -2))
    fixed = model_from_string(text.replace("param c", "param c = 1"))
    (eq,) = support_equilibria(build_normal_form(fixed).payoffs).equilibria
    assert sympy.simplify(closed["p_p1_A"].subs(c, 1) - eq.exact[0][0]) == 0


def test_a_payoff_undefined_for_some_parameters_derives_without_the_positive_reading():
    """An entry 7 / (if 0 > c then c else 0) is 1/0 for c >= 0: the positive reading of a
    support's region compared NaN (TypeError, exit 70 from derive; construct fuzzer)."""
    from gamespec.derive import derive

    model = model_from_string(
        "player a { choose s in {A1, A2} }\nplayer b { choose t in {A1, A2} }\n"
        "param c = 10\ntable {\n  (A1, A1): (-(3 + c), abs(max(10, c)))\n"
        "  (A1, A2): (([1.5 > c] * c), (c / (0.5 + c)))\n"
        "  (A2, A1): ([3 < (0.5 / c)], -0.25)\n"
        "  (A2, A2): (1, (7 / (if 0 > c then c else 0)))\n}\n")
    text = derive(model).plain()
    assert "mixed equilibrium conditions" in text
    assert "support (a: {A1, A2}, b: {A1, A2}): closed form" in text
