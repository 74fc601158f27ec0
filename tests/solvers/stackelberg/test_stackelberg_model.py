"""General-sum and Bayesian Stackelberg games through the Model."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gamespec.analysis import classify
from gamespec.language.loader import load_model, model_from_string
from gamespec.solvers.stackelberg.method import payoff_tensors, solve

SPECS = Path(__file__).resolve().parents[3] / "specs"


def test_security_game_against_brute_force():
    model = load_model(SPECS / "security_game.game")
    result = solve(model, classify(model), {})
    assert result.values["defender"] == pytest.approx(-2 / 15, abs=1e-7)
    assert result.strategies["defender"] == pytest.approx({"Gate": 1 / 3, "Vault": 2 / 3})
    assert result.strategies["attacker"] == {"Thief": "Vault", "Saboteur": "Gate"}
    prior, L, F = payoff_tensors(model)
    best = -np.inf
    for g in np.linspace(0, 1, 3001):  # leader's coverage of Gate
        x = np.array([g, 1 - g])
        total = 0.0
        for t in range(2):
            follower = x @ F[t]
            ties = np.flatnonzero(follower >= follower.max() - 1e-9)
            total += prior[t] * max(x @ L[t][:, n] for n in ties)  # strong: ties favour leader
        best = max(best, total)
    assert result.values["defender"] >= best - 1e-9
    assert result.values["defender"] == pytest.approx(best, abs=1e-3)


def test_extracted_tensors_match_the_payoff_definitions():
    model = load_model(SPECS / "security_game.game")
    prior, L, F = payoff_tensors(model)
    assert prior == pytest.approx([0.6, 0.4])
    # attacker Thief at Vault: covered (leader pure Vault) -1, uncovered (leader Gate) 3
    assert F[0, 1, 1] == -1 and F[0, 0, 1] == 3
    # the leader's expected payoff recombines exactly: sum_t prior_t L_t[m, n_t]
    assert prior[0] * L[0][0, 1] + prior[1] * L[1][0, 0] == pytest.approx(0.6 * -4 + 0.4 * 1)


def test_commitment_beats_nash_in_a_bimatrix_game():
    # von Stengel & Zamir's example: committing to a mix earns the leader more than any
    # pure commitment; SSE: leader mixes 1/2-1/2, follower plays R, leader value 3.5
    model = model_from_string("""
player leader { mixed x over {U, D} }
player follower { choose y in {L, R} }
table { (U, L): (2, 1)  (U, R): (4, 0)  (D, L): (1, 0)  (D, R): (3, 1) }
order leader -> follower
""", "t.game")
    result = solve(model, classify(model), {})
    assert result.values["leader"] == pytest.approx(3.5, abs=1e-7)
    assert result.strategies["leader"] == pytest.approx({"U": 0.5, "D": 0.5})
    assert result.strategies["follower"] == "R"


TYPED = """
set K = {A, B}
set T = {Gate, Vault}
param prior[k in K] = if k == A then PA else 0.5
player d { mixed x over T }
player att { types k in K with prior[k]  choose CHOICE in T }
payoff d = sum(t in T) [a == t] * (2 * x[t] - 1)
payoff att[k in K] = sum(t in T) [a == t] * (1 - x[t])
order d -> att
"""


def test_a_typed_follower_with_one_choice_for_all_types_is_refused_with_its_place() -> None:
    from gamespec.solvers.stackelberg.method import can_solve

    model = model_from_string(TYPED.replace("PA", "0.5").replace("CHOICE", "a"), "t.game")
    ok, reason = can_solve(model, classify(model))
    assert not ok and "chooses per type" in reason
    assert reason.span is not None and reason.span.line == 6


def test_a_prior_that_does_not_sum_to_one_is_located() -> None:
    from gamespec.errors import SolverError

    text = TYPED.replace("PA", "0.6").replace("CHOICE", "a[k in K]").replace(
        "[a == t]", "[a[k] == t]").replace(
        "payoff d = sum(t in T) [a[k] == t] * (2 * x[t] - 1)",
        "payoff d = sum(k in K, t in T) prior[k] * [a[k] == t] * (2 * x[t] - 1)")
    model = model_from_string(text, "t.game")
    with pytest.raises(SolverError, match="sums to 1.1") as info:
        solve(model, classify(model), {})
    assert info.value.span is not None and info.value.span.line == 6
