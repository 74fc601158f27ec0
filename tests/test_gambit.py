"""Gambit .nfg interop: import (payoff and outcome versions), export, round trips."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gamespec.analysis import classify
from gamespec.cli import main
from gamespec.errors import SpecError
from gamespec.gambit import check_imported_spec, export_nfg, nfg_to_spec, parse_nfg
from gamespec.language.loader import load_model, model_from_string
from gamespec.normal_form import build_normal_form
from gamespec.solvers.finite.pure_enumeration import pure_equilibria

SPECS = Path(__file__).resolve().parents[1] / "specs"

OUTCOME_PD = """NFG 1 R "PD" { "Row" "Column" }
{ { "C" "D" } { "C" "D" } }
""
{
{ "CC" 3, 3 }
{ "DC" 5, 0 }
{ "CD" 0, 5 }
{ "DD" 1, 1 }
}
1 2 3 4
"""

PAYOFF_BOS = """NFG 1 R "BoS" { "A" "B" } { 2 2 }

3 2 0 0 0 0 2 3
"""


def test_outcome_version_profiles_first_player_fastest():
    game = parse_nfg(OUTCOME_PD)
    assert game.strategies == (("C", "D"), ("C", "D"))
    assert game.payoffs[0, 1, 0] == 5 and game.payoffs[1, 1, 0] == 0  # (D, C)
    model = model_from_string(nfg_to_spec(game, "pd.nfg"), "t.game")
    nf = build_normal_form(model)
    assert [nf.labels[0][i] + nf.labels[1][j] for i, j in pure_equilibria(nf)] == ["DD"]


def test_payoff_version_with_counts():
    game = parse_nfg(PAYOFF_BOS)
    assert np.array_equal(game.payoffs.astype(float),
                          [[[3, 0], [0, 2]], [[2, 0], [0, 3]]])


@pytest.mark.parametrize("name", ["prisoners_dilemma", "battle_of_the_sexes",
                                  "three_player_coordination", "congestion",
                                  "rock_paper_scissors"])
def test_round_trip_keeps_payoffs_and_equilibria(name):
    model = load_model(SPECS / f"{name}.game")
    before = build_normal_form(model)
    again = model_from_string(nfg_to_spec(parse_nfg(export_nfg(model)), "x"), "t.game")
    after = build_normal_form(again)
    assert np.allclose(before.payoffs, after.payoffs)
    assert pure_equilibria(before) == pure_equilibria(after)
    assert classify(again).potential == classify(model).potential


def test_cli_import_writes_a_spec_that_solves(tmp_path, capsys):
    source = tmp_path / "bos.nfg"
    source.write_text(PAYOFF_BOS)
    target = tmp_path / "bos.game"
    assert main(["import", str(source), "--out", str(target)]) == 0
    capsys.readouterr()
    assert main(["solve", str(target), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [e["profile"] for e in result["equilibria"]] == [
        {"A": "s1", "B": "s1"}, {"A": {"s1": 0.6, "s2": 0.4}, "B": {"s1": 0.4, "s2": 0.6}},
        {"A": "s2", "B": "s2"}]
    assert result["equilibria"][1]["exact"] == {"A": {"s1": "3/5", "s2": "2/5"},
                                                "B": {"s1": "2/5", "s2": "3/5"}}


def test_bad_nfg_is_a_located_error():
    with pytest.raises(SpecError, match="payoffs, expected 8"):
        parse_nfg('NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3')
    with pytest.raises(SpecError, match="not an NFG file"):
        parse_nfg("hello")


@pytest.mark.parametrize("players, strategies", [
    (("x2", "x1"), ("x1", "in")),  # players named like the choices; a keyword
    (("A", "A"), ("a b", "a-b")),  # a repeated player; names that need cleaning
    (("table", "game"), ("sum", "exp")),
])
def test_the_import_check_accepts_what_the_model_builder_accepts(players, strategies):
    """`gamespec import` checks the spec it writes by parsing it and comparing it with the
    .nfg game (no SymPy model): the specs it passes also build as models, same payoffs."""
    nfg = (f'NFG 1 R "t" {{ "{players[0]}" "{players[1]}" }}\n'
           f'{{ {{ "{strategies[0]}" "{strategies[1]}" }} {{ "u" "v" }} }}\n'
           "1 2 3/4 -4/3 5 6 -7/2 -8\n")
    game = parse_nfg(nfg)
    text = nfg_to_spec(game, "t.nfg")
    check_imported_spec(text, game)
    nf = build_normal_form(model_from_string(text, "t.game"))
    assert np.allclose(nf.payoffs, game.payoffs.astype(float))


def test_the_import_check_refuses_a_spec_that_differs_from_the_game():
    game = parse_nfg(PAYOFF_BOS)
    text = nfg_to_spec(game, "bos.nfg")
    check_imported_spec(text, game)
    first_row = next(line for line in text.splitlines() if line.startswith("  ("))
    key, values = first_row.split(": ")
    for wrong in (text.replace(first_row, f"{key}: (9, 9)"),  # another payoff
                  text.replace(first_row + "\n", ""),  # a profile left out
                  text.replace(first_row, first_row + "\n" + first_row)):  # one twice
        with pytest.raises(SpecError, match="does not state the .nfg game"):
            check_imported_spec(wrong, game)
    with pytest.raises(SpecError, match="unexpected"):  # not a spec at all
        check_imported_spec(text.replace("table {", "table {{"), game)
