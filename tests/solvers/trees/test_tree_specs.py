"""The shipped game-tree specs solve to their known answers, checked against pygambit
(tests/oracles/gambit_reference.py: replayed where it is not installed) and closed forms."""
from __future__ import annotations

import json
from fractions import Fraction
from math import comb
from pathlib import Path

import pytest

from gamespec.cli import main
from gamespec.language.loader import load_model
from gamespec.solvers.trees.tree_values import numeric_tree
from tests.oracles import gambit_reference as gambit
from tests.oracles.efg_text import tree_to_efg

SPECS = Path(__file__).resolve().parents[3] / "specs"


def solve_json(capsys, name: str, *args: str) -> dict:
    assert main(["solve", str(SPECS / name), "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_entry_deterrence_has_one_subgame_perfect_equilibrium(capsys):
    out = solve_json(capsys, "entry_deterrence.game")
    assert out["method"] == "backward_induction"
    records = out["tree_equilibria"]
    assert len(records) == 1
    assert records[0]["path"] == ["entrant: entry=In", "incumbent: response=Accommodate"]
    assert out["certificate"]["ok"] and out["certificate"]["residual"] == 0
    nash = solve_json(capsys, "entry_deterrence.game", "--method", "tree_nash")
    paths = sorted(tuple(r["path"]) for r in nash["tree_equilibria"])
    assert ("entrant: entry=Out",) in paths  # the Nash equilibrium on a threat that is not credible


def test_entry_deterrence_with_a_cheap_fight_deters(capsys):
    out = solve_json(capsys, "entry_deterrence.game", "--set", "fight=2")
    assert out["tree_equilibria"][0]["path"] == ["entrant: entry=In", "incumbent: response=Fight"]
    out = solve_json(capsys, "entry_deterrence.game", "--set", "accommodate=-0.5")
    assert out["tree_equilibria"][0]["path"] == ["entrant: entry=Out"]


def test_entry_derive_states_when_the_incumbent_accommodates(capsys):
    assert main(["derive", str(SPECS / "entry_deterrence.game")]) == 0
    text = capsys.readouterr().out
    assert "subgame-perfect conditions" in text
    assert "Accommodate: accommodate >= fight" in text


def test_kuhn_poker_value_is_exactly_minus_one_eighteenth(capsys):
    out = solve_json(capsys, "kuhn_poker.game")
    assert out["method"] == "sequence_form"
    assert out["certificate"]["details"]["exact_value"] == "-1/18"
    record = out["tree_equilibria"][0]
    assert record["exact_payoffs"] == {"alice": "-1/18", "bob": "1/18"}
    # Kuhn's family: bob calls a bet holding the Queen with probability 1/3
    calls = [probs for label, probs in record["exact"]["bob"].items()
             if label.startswith("b2") and "c2=Q" in label]
    assert calls == [{"Fold": "2/3", "Call": "1/3"}]


def test_kuhn_poker_agrees_with_pygambit_lp():
    tree = numeric_tree(load_model(SPECS / "kuhn_poker.game"))
    eq = gambit.solve(gambit.efg(tree_to_efg(tree)), "lp", rational=True).equilibria[0]
    assert eq.payoffs[0] == Fraction(-1, 18)


def inspection_value(n: int, m: int) -> Fraction:
    """The violator's value by the recursion over periods (an independent oracle): each
    period is a 2x2 zero-sum game whose continuation values are the smaller games'."""
    if n == 0:
        return Fraction(0)
    if m == 0:
        return Fraction(1)
    wait_inspect, wait_skip = inspection_value(n - 1, m - 1), inspection_value(n - 1, m)
    a, b, c, d = Fraction(-1), Fraction(1), wait_inspect, wait_skip  # rows V/W, cols I/S
    if max(min(a, b), min(c, d)) == min(max(a, c), max(b, d)):  # saddle point
        return max(min(a, b), min(c, d))
    return (a * d - b * c) / (a + d - b - c)


@pytest.mark.parametrize("n, m", [(2, 1), (3, 1), (4, 2), (5, 2), (4, 3)])
def test_recursive_inspection_matches_the_closed_form(capsys, n, m):
    out = solve_json(capsys, "recursive_inspection.game", "--set", f"periods={n}",
                     "--set", f"inspections={m}")
    closed = Fraction(comb(n - 1, m), sum(comb(n, i) for i in range(m + 1)))
    assert closed == inspection_value(n, m)
    assert out["certificate"]["details"]["exact_value"] == str(-closed)


def test_selten_horse_lists_both_equilibrium_components(capsys):
    out = solve_json(capsys, "selten_horse.game")
    payoffs = {tuple(r["exact_payoffs"].values()) for r in out["tree_equilibria"]}
    assert payoffs == {("3", "3", "2"), ("1", "1", "1")}
    assert "continuum" in out["covers"]


def test_selten_horse_payoffs_agree_with_pygambit_lcp():
    tree = numeric_tree(load_model(SPECS / "selten_horse.game"))
    found = gambit.solve(gambit.efg(tree_to_efg(tree)), "enumpure").equilibria
    theirs = {eq.payoffs for eq in found}
    assert theirs <= {(3, 3, 2), (1, 1, 1)} and theirs


def test_beer_quiche_has_beer_and_quiche_pooling(capsys):
    out = solve_json(capsys, "beer_quiche.game")
    sender = sorted({r["exact_payoffs"]["sender"] for r in out["tree_equilibria"]})
    assert sender == ["21/10", "29/10"]


def test_beer_quiche_intuitive_criterion_keeps_only_beer_pooling(capsys):
    out = solve_json(capsys, "beer_quiche.game")
    verdicts = {(r["exact_payoffs"]["sender"], r["refinements"]["intuitive_criterion"]["passes"])
                for r in out["tree_equilibria"]}
    assert verdicts == {("29/10", True), ("21/10", False)}
    assert all(r["refinements"]["perfect_bayesian"] for r in out["tree_equilibria"])


def test_leduc_spec_is_the_benchmark_tree_and_has_its_value(capsys):
    import importlib.util

    bench = Path(__file__).resolve().parents[3] / "benchmarks" / "poker_trees.py"
    spec = importlib.util.spec_from_file_location("poker_trees", bench)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    hand = module.leduc_poker()
    out = solve_json(capsys, "leduc_poker.game")
    assert out["tree"]["sequences"] == {"first": 1093, "second": 1093}
    assert out["tree"]["terminals"] == len(hand.terminals()) == 5520
    from gamespec.solvers.trees.sequence_form_lp import solve_sequence_form

    assert abs(out["values"]["first"] - solve_sequence_form(hand).values[0]) < 1e-9
    assert out["certificate"]["ok"]
