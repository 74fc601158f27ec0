"""`gamespec export --format efg|nfg` of game trees and `gamespec import` of .efg files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gamespec.cli import main

SPECS = Path(__file__).resolve().parents[1] / "specs"


def test_kuhn_round_trip_through_efg_keeps_the_value(tmp_path, capsys):
    efg = tmp_path / "kuhn.efg"
    spec = tmp_path / "kuhn.game"
    assert main(["export", str(SPECS / "kuhn_poker.game"), "--format", "efg",
                 "--out", str(efg)]) == 0
    assert efg.read_text().startswith('EFG 2 R "Kuhn poker"')
    assert main(["import", str(efg), "--out", str(spec)]) == 0
    assert main(["solve", str(spec), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["certificate"]["details"]["exact_value"] == "-1/18"
    assert out["tree"]["sequences"] == {"alice": 13, "bob": 13}


def test_tree_exports_its_reduced_normal_form_as_nfg(tmp_path, capsys):
    assert main(["export", str(SPECS / "entry_deterrence.game"), "--format", "nfg"]) == 0
    text = capsys.readouterr().out
    assert '{ { "Out" "In" } { "Fight" "Accommodate" } }' in text
    # payoffs per profile, first player's strategy changing fastest: (Out, Fight), ...
    assert text.strip().endswith("0 2 -1 -1 0 2 1 1")


def test_nfg_import_of_the_exported_tree_gives_the_same_pure_equilibria(tmp_path, capsys):
    nfg = tmp_path / "entry.nfg"
    assert main(["export", str(SPECS / "entry_deterrence.game"), "--out", str(nfg)]) == 0
    spec = tmp_path / "entry.game"
    assert main(["import", str(nfg), "--out", str(spec)]) == 0
    capsys.readouterr()
    assert main(["solve", str(spec), "--method", "enumerate", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    profiles = sorted(tuple(eq["profile"].values()) for eq in out["equilibria"])
    assert profiles == [("In", "Accommodate"), ("Out", "Fight")]


def test_efg_export_of_a_game_without_a_tree_is_a_bad_argument(capsys):
    assert main(["export", str(SPECS / "prisoners_dilemma.game"), "--format", "efg"]) == 2
    assert "has no game tree" in capsys.readouterr().err


def test_malformed_efg_import_is_located(tmp_path, capsys):
    bad = tmp_path / "bad.efg"
    bad.write_text('EFG 2 R "x" { "A" "B" }\n""\n\np "" 1 1 "" { "L" "R" } 0\n'
                   't "" 1 "" { 1 2 }\nq\n')
    assert main(["import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.efg:" in err


@pytest.mark.parametrize("name", ["selten_horse", "beer_quiche", "recursive_inspection"])
def test_every_shipped_tree_round_trips(tmp_path, capsys, name):
    efg = tmp_path / f"{name}.efg"
    spec = tmp_path / f"{name}.game"
    assert main(["export", str(SPECS / f"{name}.game"), "--format", "efg",
                 "--out", str(efg)]) == 0
    assert main(["import", str(efg), "--out", str(spec)]) == 0
    capsys.readouterr()
    assert main(["info", str(SPECS / f"{name}.game"), "--json"]) == 0
    original = json.loads(capsys.readouterr().out)["classification"]["tree"]
    assert main(["info", str(spec), "--json"]) == 0
    imported = json.loads(capsys.readouterr().out)["classification"]["tree"]
    assert {k: v for k, v in imported.items() if k not in ("information_sets", "sequences")} \
        == {k: v for k, v in original.items() if k not in ("information_sets", "sequences")}
    assert sorted(imported["sequences"].values()) == sorted(original["sequences"].values())


def test_an_efg_file_is_solved_directly(tmp_path, capsys):
    efg = tmp_path / "kuhn.efg"
    assert main(["export", str(SPECS / "kuhn_poker.game"), "--format", "efg",
                 "--out", str(efg)]) == 0
    assert main(["solve", str(efg), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "sequence_form"
    assert out["certificate"]["details"]["exact_value"] == "-1/18"
    assert main(["solve", str(efg), "--set", "x=1"]) == 2
    assert "has no parameters" in capsys.readouterr().err


def test_efg_player_names_become_identifiers(tmp_path, capsys):
    efg = tmp_path / "named.efg"
    efg.write_text('EFG 2 R "named" { "Player 1" "Player 2" }\n""\n\n'
                   'p "" 1 1 "" { "L" "R" } 0\n'
                   'p "" 2 1 "" { "l" "r" } 0\n'
                   't "" 1 "" { 1, 0 }\nt "" 2 "" { 0, 1 }\n'
                   't "" 3 "" { 2, 2 }\n')
    assert main(["solve", str(efg), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "backward_induction"
    assert out["values"] == {"Player_1": 2.0, "Player_2": 2.0}


def test_csv_carries_exact_values_beside_the_floats(capsys):
    assert main(["solve", str(SPECS / "battle_of_the_sexes.game"), "--method",
                 "enumerate_mixed", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("equilibrium,player,action,probability,value,exact_probability,"
                        "exact_value")
    assert "3,alice,Opera,0.6,1.2,3/5,6/5" in lines
    assert main(["solve", str(SPECS / "kuhn_poker.game"), "--csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == ("equilibrium,player,given,action,probability,value,exact_probability,"
                       "exact_value")
    assert rows[1] == "1,alice,a1 | c1=J,Check,0.6666666666666666,-0.05555555555555555,2/3,-1/18"


def test_plot_of_a_tree_result_says_trees_have_no_picture(tmp_path, capsys):
    code = main(["solve", str(SPECS / "entry_deterrence.game"), "--plot",
                 str(tmp_path / "tree.png")])
    assert code == 2
    assert "game trees have none yet" in capsys.readouterr().err
    assert not (tmp_path / "tree.png").exists()
