"""Pure-equilibrium enumeration on the classic games, with certificates."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamespec.analysis import classify
from gamespec.language.loader import load_model, model_from_string
from gamespec.normal_form import build_normal_form
from gamespec.solvers.finite.pure_enumeration import max_unilateral_gain, pure_equilibria, solve

SPECS = Path(__file__).resolve().parents[3] / "specs"


def run(name, **overrides):
    model = load_model(SPECS / f"{name}.game", overrides or None)
    return solve(model, classify(model), {})


def profiles(result):
    return [tuple(e["profile"].values()) for e in result.extra["equilibria"]]


def test_prisoners_dilemma_defect_defect():
    result = run("prisoners_dilemma")
    assert profiles(result) == [("Defect", "Defect")]
    assert result.values == {"row": -2.0, "col": -2.0}
    assert result.certificate.ok and result.certificate.residual == 0


def test_battle_of_the_sexes_two_equilibria_selected_by_alice():
    result = run("battle_of_the_sexes")
    assert profiles(result) == [("Opera", "Opera"), ("Football", "Football")]
    assert result.strategies == {"alice": "Opera", "bob": "Opera"}


def test_matching_pennies_has_no_pure_equilibrium():
    result = run("matching_pennies")
    assert result.status == "no_pure_equilibrium"
    assert result.certificate.ok and result.certificate.residual == pytest.approx(2.0)


def test_three_player_and_congestion_games():
    assert profiles(run("three_player_coordination")) == [
        ("Left", "Left", "Left"), ("Right", "Right", "Right")]
    congestion = profiles(run("congestion"))
    assert sorted(congestion) == sorted([
        ("Short", "Short", "Long"), ("Short", "Long", "Short"), ("Long", "Short", "Short")])


@settings(max_examples=30, deadline=None)
@given(st.floats(0.1, 5), st.floats(0.1, 5), st.floats(0.1, 5), st.floats(0.1, 5))
def test_trimming_table_hard_hard_is_the_only_equilibrium(a, b, c, d):
    # P_hi > T_hi > P_lo + T_lo and P_lo > T_lo > 0, built from positive increments
    t_lo = a
    p_lo = t_lo + b
    t_hi = p_lo + t_lo + c
    p_hi = t_hi + d
    result = run("trimming_one_round", P_hi=p_hi, P_lo=p_lo, T_hi=t_hi, T_lo=t_lo)
    assert profiles(result) == [("Hard", "Hard")]


def test_trimming_table_outside_the_conditions_differs():
    # with T_hi > P_hi the collector prefers Soft: (Hard, Hard) is no longer an equilibrium
    result = run("trimming_one_round", P_hi=2, P_lo=1.5, T_hi=6, T_lo=1)
    assert ("Hard", "Hard") not in profiles(result)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_every_reported_profile_has_zero_gain_and_others_positive(seed):
    rng = np.random.default_rng(seed)
    u = rng.integers(-3, 4, size=(2, 3, 3))
    rows = "\n".join(
        f"  ({a}, {b}): ({u[0, i, j]}, {u[1, i, j]})"
        for i, a in enumerate(["A", "B", "C"]) for j, b in enumerate(["X", "Y", "Z"]))
    model = model_from_string(
        "player p { choose s in {A, B, C} }\nplayer q { choose t in {X, Y, Z} }\n"
        f"table {{\n{rows}\n}}", "t.game")
    nf = build_normal_form(model)
    assert np.array_equal(nf.payoffs, u)
    found = set(pure_equilibria(nf))
    for idx in np.ndindex(3, 3):
        gain, _ = max_unilateral_gain(nf, idx)
        assert (gain <= 1e-9) == (idx in found)


def test_no_pure_equilibrium_is_proved_on_each_players_own_scale() -> None:
    from gamespec.analysis import classify
    from gamespec.language.loader import model_from_string
    from gamespec.solvers.finite.pure_enumeration import solve

    model = model_from_string("""
player a { choose x in {H, T} }
player b { choose y in {H, T} }
payoff a = 1000000 * ([x == y] - [x != y])
payoff b = 0.000001 * ([x != y] - [x == y])
""", "t.game")
    result = solve(model, classify(model), {})
    assert result.status == "no_pure_equilibrium" and result.certificate.ok
    assert result.certificate.residual == pytest.approx(2e-6)
    assert result.certificate.tolerance == pytest.approx(1e-9)
