"""Trigger strategies of a repeated stage game against textbook closed forms, a brute-force
search over deviation sequences, and the Monte Carlo play of the repeated-game module."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from gamespec.api import derive_model, solve_model
from gamespec.language.loader import load_model, model_from_string
from gamespec.solvers.dynamics.repeated import simulate_repeated

SPECS = Path(__file__).resolve().parents[3] / "specs"
PD = """
param T = 5
param R = 3
param P = 1
param S = 0
param d = 0.9 in [0, 1]
param q = 1 in [0, 1]
player row { choose a in {C, D} }
player col { choose b in {C, D} }
table {
  (C, C): (R, R)
  (C, D): (S, T)
  (D, C): (T, S)
  (D, D): (P, P)
}
repeated {
  discount d
  sustain (C, C)
  strategy grim
  strategy tft: tit_for_tat
  strategy noisy: grim detect q
}
"""
PAYOFFS = [(5, 3, 1, 0), (10, 6, 2, 0), (4, 3, 1, -2), (7, 5, 0, -3), (3, 2, 1, 0.5)]


def solve(spec: str, **values):
    model = model_from_string(spec, "pd.game", overrides=values)
    return solve_model(model)


def grim(T, R, P, S, q=1.0):
    return (T - R) / ((T - P) - (1 - q) * (R - P))


def tit_for_tat(T, R, P, S):
    return max((T - R) / (T - P), (T - R) / (R - S))


@pytest.mark.parametrize("T, R, P, S", PAYOFFS)
def test_thresholds_match_the_closed_forms(T, R, P, S):
    result = solve(PD, T=T, R=R, P=P, S=S, q=0.7)
    found = result.extra["repeated"]["strategies"]
    assert found["grim"]["threshold"] == pytest.approx(grim(T, R, P, S))
    assert found["tft"]["threshold"] == pytest.approx(tit_for_tat(T, R, P, S))
    assert found["noisy"]["threshold"] == pytest.approx(grim(T, R, P, S, 0.7))
    assert result.certificate.ok


@pytest.mark.parametrize("T, R, P, S", PAYOFFS)
@pytest.mark.parametrize("shift", [-0.02, 0.02])
def test_sustained_on_the_right_side_of_each_threshold(T, R, P, S, shift):
    for name, bound in (("grim", grim(T, R, P, S)), ("tft", tit_for_tat(T, R, P, S))):
        d = bound + shift
        if not 0 < d < 1:
            continue
        entry = solve(PD, T=T, R=R, P=P, S=S, d=d).extra["repeated"]["strategies"][name]
        assert entry["sustained"] is (shift > 0), (name, d)


def test_at_the_threshold_exactly_the_weak_condition_holds():
    entry = solve(PD, d=0.5).extra["repeated"]["strategies"]["grim"]  # (5-3)/(5-1)
    assert entry["sustained"] is True
    assert all(r["at_boundary"] and r["holds"] for r in entry["conditions"])
    assert entry["condition"].startswith("d >= ")


def _best_against_tft(T, R, P, S, d, horizon=14):
    """Brute force: every sequence of row's choices for `horizon` rounds that deviates in
    the first (by stationarity, a deviation that pays later pays now) against tit-for-tat
    (col copies row's previous choice): bounds on the best deviation's gain over the path."""
    pay = {(0, 0): R, (0, 1): S, (1, 0): T, (1, 1): P}
    best = -np.inf
    for rest in itertools.product((0, 1), repeat=horizon - 1):
        other, total = 0, 0.0
        for t, mine in enumerate((1, *rest)):
            total += d**t * pay[(mine, other)]
            other = mine
        best = max(best, total)
    path = R * (1 - d**horizon) / (1 - d)
    scale = d**horizon / (1 - d)
    return (best - path + scale * (min(T, R, P, S) - R),
            best - path + scale * (max(T, R, P, S) - R))


@pytest.mark.parametrize("T, R, P, S", PAYOFFS[:3])
@pytest.mark.parametrize("d", [0.35, 0.55, 0.75])
def test_tit_for_tat_agrees_with_a_brute_force_search(T, R, P, S, d):
    low, high = _best_against_tft(T, R, P, S, d)
    assert low > 0 or high < 0, "the truncated search cannot tell at this discount"
    entry = solve(PD, T=T, R=R, P=P, S=S, d=d).extra["repeated"]["strategies"]["tft"]
    assert entry["sustained"] is (high < 0)


@pytest.mark.parametrize("q, d", [(0.8, 0.5), (0.8, 0.62), (0.5, 0.7), (0.5, 0.8)])
def test_imperfect_detection_agrees_with_monte_carlo_play(q, d):
    T, R, P = 5.0, 3.0, 1.0
    entry = solve(PD, q=q, d=d).extra["repeated"]["strategies"]["noisy"]
    sim = simulate_repeated(R, T, d, 1 - q, punish_payoff=P, paths=4000, seed=1)
    assert sim.defect_exact == pytest.approx((T + d * q * P / (1 - d)) / (1 - d * (1 - q)))
    assert entry["sustained"] is (sim.comply_exact >= sim.defect_exact)
    margin = abs(sim.comply_mean - sim.defect_mean)
    if margin > 5 * (sim.comply_se + sim.defect_se):
        assert entry["sustained"] is (sim.comply_mean > sim.defect_mean)


ASYMMETRIC = PD.replace("(C, C): (R, R)", "(C, C): (4, 2)").replace(
    "(C, D): (S, T)", "(C, D): (0, 5)").replace("(D, C): (T, S)", "(D, C): (6, -1)").replace(
    "(D, D): (P, P)", "(D, D): (1, 1)").replace("strategy tft: tit_for_tat\n", "")


@pytest.mark.parametrize("d, sustained", [(0.5, False), (0.74, False), (0.75, True)])
def test_asymmetric_payoffs_give_per_player_thresholds(d, sustained):
    # row: (6-4)/(6-1) = 0.4; col: (5-2)/(5-1) = 0.75; sustained iff d >= the larger
    entry = solve(ASYMMETRIC, d=d).extra["repeated"]["strategies"]["grim"]
    by_player = {r["player"]: r for r in entry["conditions"]}
    assert by_player["row"]["rhs"] == pytest.approx(0.4)
    assert by_player["col"]["rhs"] == pytest.approx(0.75)
    assert by_player["row"]["holds"] is True
    assert entry["threshold"] == pytest.approx(0.75)
    assert entry["sustained"] is sustained


THREE = """
param d = 0.5 in [0, 1]
player row { choose a in {Low, Mid, High} }
player col { choose b in {Low, Mid, High} }
table {
  (Low, Low): (4, 4)   (Low, Mid): (1, 6)   (Low, High): (0, 5)
  (Mid, Low): (6, 1)   (Mid, Mid): (3, 3)   (Mid, High): (1, 2)
  (High, Low): (5, 0)  (High, Mid): (2, 1)  (High, High): (2, 2)
}
repeated { discount d  sustain (Low, Low)  PUNISH  strategy grim }
"""


def test_three_choices_every_deviation_checked_and_the_punishment_named():
    # deviations: Mid (6-4)/(6-2) = 1/2, High (5-4)/(5-2) = 1/3 against punishment (High, High)
    result = solve(THREE.replace("PUNISH", "punish (High, High)"))
    entry = result.extra["repeated"]["strategies"]["grim"]
    assert sorted(r["rhs"] for r in entry["conditions"]) == pytest.approx(
        [1 / 3, 1 / 3, 0.5, 0.5])
    assert entry["threshold"] == pytest.approx(0.5) and entry["sustained"] is True
    assert result.extra["repeated"]["punish_is_stage_equilibrium"] is True
    # with the milder equilibrium (Mid, Mid) as punishment: Mid needs (6-4)/(6-3) = 2/3
    milder = solve(THREE.replace("PUNISH", "punish (Mid, Mid)")).extra["repeated"]
    assert milder["strategies"]["grim"]["threshold"] == pytest.approx(2 / 3)


def test_the_shipped_spec_gives_the_textbook_answers():
    model = load_model(SPECS / "repeated_prisoners_dilemma.game")
    result = solve_model(model)
    found = result.extra["repeated"]["strategies"]
    assert found["grim"]["threshold"] == pytest.approx(1 / 2)
    assert found["tft"]["threshold"] == pytest.approx(2 / 3)
    assert found["noisy"]["threshold"] == pytest.approx(5 / 9)
    assert [found[k]["sustained"] for k in ("grim", "tft", "noisy")] == [True, False, True]
    assert result.extra["repeated"]["punish"] == {"row": "Defect", "col": "Defect"}
    assert result.extra["repeated"]["punish_from"] == "the stage game's unique pure equilibrium"
    assert result.values == {"row": pytest.approx(7.5), "col": pytest.approx(7.5)}
    data = json.loads(result.to_json())
    assert data["method"] == "repeated" and data["certificate"]["ok"]
    assert data["derived"]["strategy grim"] == "d >= (R - T)/(P - T)"
    text = derive_model(model).plain()
    assert "strategy grim (grim: sustained at the given parameters): d >= (R - T)/(P - T)" \
        in text
    assert "strategy tft (tit_for_tat: NOT sustained" in text


def test_a_deviation_that_never_pays_is_reported_not_solved():
    # every payoff 1: no deviation gains at any discount; the condition cannot be solved
    # for d (it holds for all d) and was once folded to True by SymPy and crashed
    flat = THREE.replace("PUNISH", "punish (Mid, Mid)")
    for cell in ("(4, 4)", "(1, 6)", "(0, 5)", "(6, 1)", "(3, 3)", "(1, 2)", "(5, 0)",
                 "(2, 1)", "(2, 2)"):
        flat = flat.replace(cell, "(1, 1)")
    result = solve(flat)
    entry = result.extra["repeated"]["strategies"]["grim"]
    assert entry["sustained"] is True and "threshold" not in entry
    assert all(not r["solved"] and r["holds"] and r["at_boundary"] for r in entry["conditions"])
    assert result.certificate.ok


PUBLIC_GOODS = """
param m = 2
param d = 0.25 in [0, 1]
player p1 { choose c1 in {0, 1} }
player p2 { choose c2 in {0, 1} }
player p3 { choose c3 in {0, 1} }
payoff p1 = m * (c1 + c2 + c3) / 3 - c1
payoff p2 = m * (c1 + c2 + c3) / 3 - c2
payoff p3 = m * (c1 + c2 + c3) / 3 - c3
repeated { discount d  sustain (1, 1, 1)  strategy grim }
"""


@pytest.mark.parametrize("m", [1.5, 2, 2.5])
def test_three_player_public_goods_under_grim_trigger(m):
    # R = m - 1, T = 2m/3 (keep the unit, two others give), P = 0 (nobody gives, the
    # unique stage equilibrium for m < 3): sustained iff d >= (T - R)/(T - P) = (3 - m)/(2m)
    result = solve(PUBLIC_GOODS, m=m)
    entry = result.extra["repeated"]["strategies"]["grim"]
    assert result.extra["repeated"]["punish"] == {"p1": "0", "p2": "0", "p3": "0"}
    assert len(entry["conditions"]) == 3
    assert entry["threshold"] == pytest.approx((3 - m) / (2 * m))
    assert entry["sustained"] is (0.25 >= (3 - m) / (2 * m))
    assert result.certificate.ok
