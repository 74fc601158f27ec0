"""A `repeated` block's own conditions: solved for the discount even when rational in it,
the comparison kept as written, and evaluated at the given parameters (the issue's
reproducer: grim trigger typed as value recursions, d = 0.5 exactly at the threshold)."""
from __future__ import annotations

import json

import pytest

from gamespec.api import derive_model, solve_model
from gamespec.cli import main
from gamespec.language.loader import model_from_string

GRIM_BY_HAND = """
param T = 5
param R = 3
param P = 1
param d = 0.5 in [0, 1]
repeated {
  discount d
  value V_coop = R + d * V_coop
  value V_pun = P + d * V_pun
  value V_dev = T + d * V_pun
  condition sustain: V_coop OP V_dev
}
"""


@pytest.mark.parametrize("op, holds", [(">=", True), (">", False)])
def test_at_the_threshold_weak_holds_and_strict_does_not(op, holds):
    model = model_from_string(GRIM_BY_HAND.replace("OP", op), "g.game")
    result = solve_model(model)
    record = result.extra["conditions"]["sustain"]
    # R/(1-d) OP T + d P/(1-d)  <=>  d OP (T-R)/(T-P) = 1/2 (signs from the values: stated)
    assert record["condition"] == f"d {op} (R - T)/(P - T)"
    assert record["assuming"] == ["P - T < 0"]
    assert record["holds"] is holds and record["at_boundary"] is True
    assert record["lhs"] == record["rhs"] == 0.5
    assert result.derived["condition sustain"] == f"d {op} (R - T)/(P - T)"
    verdict = "holds" if holds else "fails"
    assert f"condition sustain ({verdict} at the given parameters, at the boundary): " \
           f"d {op} (R - T)/(P - T)" in derive_model(model).plain()


@pytest.mark.parametrize("d, holds", [(0.45, False), (0.55, True)])
def test_away_from_the_threshold_the_verdict_follows_the_values(d, holds):
    model = model_from_string(GRIM_BY_HAND.replace("OP", ">="), "g.game", {"d": d})
    record = solve_model(model).extra["conditions"]["sustain"]
    assert record["holds"] is holds and record["at_boundary"] is False
    # the direct comparison of the values agrees
    v_coop, v_dev = 3 / (1 - d), 5 + d * 1 / (1 - d)
    assert (v_coop >= v_dev) is holds


def test_declared_ranges_decide_the_signs(tmp_path, capsys):
    spec = tmp_path / "g.game"
    spec.write_text(GRIM_BY_HAND.replace("OP", ">=")
                    .replace("param T = 5", "param T = 5 in [4, 9]")
                    .replace("param P = 1", "param P = 1 in [0, 2]"))
    assert main(["solve", str(spec), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "assuming" not in data["conditions"]["sustain"]
    assert data["conditions"]["sustain"]["holds"] is True
    assert main(["solve", str(spec)]) == 0
    out = " ".join(capsys.readouterr().out.split())  # long lines wrap to the width
    assert "condition sustain: d >= (R - T)/(P - T): holds at the given parameters " \
           "(0.5 vs 0.5, at the boundary)" in out


def test_the_repeated_method_on_the_command_line(capsys):
    from pathlib import Path

    spec = Path(__file__).resolve().parents[3] / "specs" / "repeated_prisoners_dilemma.game"
    assert main(["solve", str(spec), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "repeated" and data["status"] == "solved"
    grim = data["repeated"]["strategies"]["grim"]
    assert grim["condition"] == "d >= (R - T)/(P - T)" and grim["sustained"] is True
    assert data["certificate"]["details"]["tft: row best-response gain"] > 0  # TFT fails
    assert data["sustained"] == {"grim": True, "tft": False, "noisy": True}
    assert main(["solve", str(spec), "--set", "d=0.7"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # long lines wrap to the width
    assert "strategy tft (tit_for_tat): d >= Max(" in out
    assert "sustained at the given parameters (d = 0.7, threshold 0.666667)" in out
    assert main(["derive", str(spec)]) == 0
    assert "== repeated play: trigger strategies" in capsys.readouterr().out


SYMBOLIC_PD = """
param T in [4, 10]
param R in [2, 4]
param P in [0, 2]
param S in [-2, 0]
param d in [0, 1]
player row { choose a in {C, D} }
player col { choose b in {C, D} }
table { (C, C): (R, R)  (C, D): (S, T)  (D, C): (T, S)  (D, D): (P, P) }
repeated { discount d  sustain (C, C)  punish (D, D)  strategy grim  strategy tit_for_tat }
"""


def test_derive_without_values_solves_under_the_declared_ranges():
    import sympy as sp

    from gamespec.solvers.dynamics.repeated_method import analyse, exact_values

    model = model_from_string(SYMBOLIC_PD, "s.game")
    found = analyse(model, exact_values(model))
    T, R, P, S, d = (model.params[n].symbol for n in "TRPSd")
    overall, per_check = found["_relations"]["grim"]
    assert overall.lhs == d and sp.simplify(overall.rhs - (T - R) / (T - P)) == 0
    _, tft = found["_relations"]["tit_for_tat"]
    bounds = {sp.simplify(rel.rhs) for rel in tft}
    assert {sp.simplify((T - R) / (T - P)), sp.simplify((T - R) / (R - S))} == bounds
    assert all("holds" not in r for r in found["strategies"]["grim"]["conditions"])
    text = derive_model(model).plain()
    assert "strategy grim (grim): d >= (R - T)/(P - T)" in text


def test_a_sequential_stage_game_is_refused(tmp_path, capsys):
    from pathlib import Path

    spec = Path(__file__).resolve().parents[3] / "specs" / "repeated_prisoners_dilemma.game"
    sequential = tmp_path / "seq.game"
    sequential.write_text(spec.read_text().replace("repeated {", "order row -> col\nrepeated {"))
    assert main(["solve", str(sequential), "--method", "repeated"]) == 3
    assert "trigger strategies here are for simultaneous stage games" in capsys.readouterr().err
