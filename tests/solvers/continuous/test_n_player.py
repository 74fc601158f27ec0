"""`continuous` Nash with any number of players and families, one interval choice each:
closed forms against textbook answers, every equilibrium of the first-order and corner
system, the symmetry check of a family and the global certificate."""
from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from gamespec.analysis import classify
from gamespec.language.loader import load_model, model_from_string
from gamespec.solvers.continuous.global_gain import PayoffTable, max_unilateral_gain
from gamespec.solvers.continuous.method import solve
from gamespec.solvers.continuous.nash_method import lowered


def run(source: str):
    model = model_from_string(source)
    return solve(model, classify(model), {})


def profiles(result) -> list[tuple[float, ...]]:
    return [tuple(eq["profile"].values()) for eq in result.extra["equilibria"]]


def assert_global_certificate(result):
    assert result.certificate.ok
    assert result.certificate.kind == "max unilateral gain"
    assert result.extra["certificate_search"].startswith("global")
    assert all(eq["ok"] and eq["max_gain"] <= 1e-6 for eq in result.extra["equilibria"])


def test_three_named_cournot_firms():
    result = run("""
param a = 10
param b = 1
param c = 1
player f1 { choose q1 in [0, 10] }
player f2 { choose q2 in [0, 10] }
player f3 { choose q3 in [0, 10] }
payoff f1 = q1 * (a - b * (q1 + q2 + q3)) - c * q1
payoff f2 = q2 * (a - b * (q1 + q2 + q3)) - c * q2
payoff f3 = q3 * (a - b * (q1 + q2 + q3)) - c * q3
""")
    assert profiles(result) == [pytest.approx((2.25, 2.25, 2.25))]
    assert result.derived["closed_form"]["q1"] == "(a - c)/(4*b)"
    assert result.extra["search_exhaustive"]
    assert_global_certificate(result)


COURNOT_FAMILY = """
param n = {n}
param a = 20
param b = 2
param c = 4
set F = 1..n
players firms[i in F] {{ choose q in [0, a / b] }}
payoff firms = q[i] * (a - b * sum(j in F) q[j]) - c * q[i]
"""


def test_ten_firm_family_matches_the_closed_form():
    result = run(COURNOT_FAMILY.format(n=10))
    expected = (20 - 4) / (2 * 11)
    assert profiles(result) == [pytest.approx((expected,) * 10)]
    assert result.extra["equilibria"][0]["exact"]["firms[3]"] == "8/11"
    assert "symmetric_families" in result.extra
    assert_global_certificate(result)


def test_public_goods_free_riding_and_full_contribution():
    source = """
param n = 5
param r = {r}
set P = 1..n
players citizens[i in P] {{ choose x in [0, 10] }}
payoff citizens = 10 - x[i] + r * sum(j in P) x[j] / n
"""
    low = run(source.format(r=1.6))  # marginal return r / n < 1: nobody contributes
    assert profiles(low) == [pytest.approx((0.0,) * 5, abs=1e-12)]
    assert low.extra["search_exhaustive"]
    assert_global_certificate(low)
    high = run(source.format(r=6))  # r / n > 1: everybody contributes everything
    assert profiles(high) == [pytest.approx((10.0,) * 5)]
    assert_global_certificate(high)


def test_battle_of_the_sexes_in_interval_probabilities_has_three_equilibria():
    # payoffs (2, 1) at (A, A), (1, 2) at (B, B), 0 otherwise; p, q: chances of A
    result = run("""
player row { choose p in [0, 1] }
player col { choose q in [0, 1] }
payoff row = 2 * p * q + (1 - p) * (1 - q)
payoff col = p * q + 2 * (1 - p) * (1 - q)
""")
    assert profiles(result) == [pytest.approx((0.0, 0.0), abs=1e-12),
                                pytest.approx((2 / 3, 1 / 3)), pytest.approx((1.0, 1.0))]
    assert result.extra["equilibria"][1]["exact"] == {"row": "2/3", "col": "1/3"}
    assert result.extra["search_exhaustive"]
    assert_global_certificate(result)


def test_a_single_player_optimises_alone():
    result = run("""
player solo { choose x in [0, 3] }
payoff solo = x * (4 - x)
""")
    assert result.strategies["solo"] == pytest.approx(2.0)
    assert result.values["solo"] == pytest.approx(4.0)
    assert_global_certificate(result)


def test_family_with_different_costs_is_not_solved_by_a_representative():
    result = run("""
set F = 1..3
param cost[i in F] = i
players firms[i in F] { choose q in [0, 10] }
payoff firms = q[i] * (10 - sum(j in F) q[j]) - cost[i] * q[i]
""")
    # q_i = (a - 4 c_i + sum c) / 4 with a = 10, sum c = 6: 3, 2, 1
    assert profiles(result) == [pytest.approx((3.0, 2.0, 1.0))]
    assert "symmetric_families" not in result.extra
    assert "firms" in result.extra["asymmetric_families"]
    assert_global_certificate(result)


def test_bertrand_with_ties_split_is_found_on_the_diagonal():
    result = run("""
param c = 2
player f1 { choose p1 in [0, 10] }
player f2 { choose p2 in [0, 10] }
payoff f1 = (p1 - c) * (if p1 < p2 then 10 - p1 else if p1 == p2 then (10 - p1) / 2 else 0)
payoff f2 = (p2 - c) * (if p2 < p1 then 10 - p2 else if p1 == p2 then (10 - p2) / 2 else 0)
""")
    assert pytest.approx((2.0, 2.0)) in profiles(result)
    assert not result.extra["search_exhaustive"]
    assert "sampled" in result.extra["equilibrium_search"]
    assert result.certificate.ok


def test_the_global_certificate_catches_a_wrong_profile():
    model = model_from_string(COURNOT_FAMILY.format(n=3))
    listed, payoffs, box, _, _ = lowered(model)
    values = {s: sympy.Float(v) for s, v in model.scalar_values().items()}
    table = PayoffTable([u.xreplace(values) for u in payoffs], [a.symbol for a in listed], box)
    right = max_unilateral_gain(table, [2.0, 2.0, 2.0])  # (20 - 4) / (2 * 4)
    assert right.ok and right.residual <= 1e-9
    wrong = max_unilateral_gain(table, [1.0, 2.0, 2.0])
    assert not wrong.ok and wrong.gains[0] > 0.5
    assert wrong.deviations[0] == pytest.approx(2.0, abs=1e-6)  # the best response to (2, 2)


SPECS = Path(__file__).resolve().parents[3] / "specs"


@pytest.mark.parametrize("n", [5, 7])
def test_cournot_n_firms_spec_matches_the_closed_form(n):
    model = load_model(SPECS / "cournot_n_firms.game", {"n": n})
    result = solve(model, classify(model), {})
    assert list(result.strategies.values()) == pytest.approx([(10 - 1) / (n + 1)] * n)
    assert result.certificate.ok and result.extra["search_exhaustive"]


@pytest.mark.parametrize("r, contribution", [(1.6, 0.0), (6, 10.0)])
def test_public_goods_spec(r, contribution):
    model = load_model(SPECS / "public_goods.game", {"r": r})
    result = solve(model, classify(model), {})
    assert list(result.strategies.values()) == pytest.approx([contribution] * 5, abs=1e-12)
    assert result.certificate.ok
