"""Continuous games through the Model: Cournot, Stackelberg, populations, the obfuscation spec."""
from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from gamespec.analysis import classify
from gamespec.cli import main
from gamespec.language.loader import load_model, model_from_string
from gamespec.solvers.continuous.method import solve

SPECS = Path(__file__).resolve().parents[3] / "specs"


def run_model(model):
    return solve(model, classify(model), {})


@pytest.mark.parametrize("a, b, c", [(10, 1, 1), (20, 2, 4)])
def test_cournot_matches_the_closed_form(a, b, c):
    model = load_model(SPECS / "cournot.game", {"a": a, "b": b, "c": c})
    result = run_model(model)
    assert result.strategies["firm1"] == pytest.approx((a - c) / (3 * b), rel=1e-6)
    assert result.strategies["firm2"] == pytest.approx((a - c) / (3 * b), rel=1e-6)
    assert result.certificate.ok


def test_stackelberg_matches_the_closed_form():
    result = run_model(load_model(SPECS / "stackelberg_duopoly.game"))
    assert result.strategies["leader"] == pytest.approx(4.5, rel=1e-5)
    assert result.strategies["follower"] == pytest.approx(2.25, rel=1e-5)
    assert result.certificate.ok


def test_derive_gives_the_textbook_closed_forms(capsys):
    assert main(["derive", str(SPECS / "stackelberg_duopoly.game")]) == 0
    out = capsys.readouterr().out
    assert "closed form: q1: (a - c)/(2*b)" in out and "closed form: q2: (a - c)/(4*b)" in out
    assert main(["derive", str(SPECS / "cournot.game")]) == 0
    assert "closed form: q1: (a - c)/(3*b)" in capsys.readouterr().out


def test_population_with_two_stable_fixed_points():
    # each member's best response to the crowd's mean m is 3 m^2 - 2 m^3 (a smoothstep):
    # fixed points 0, 1/2 and 1; the outer two are stable, the middle one is not
    model = model_from_string("""
population crowd of 50 {
  choose x in [0, 1]
  field m = mean x
}
payoff crowd = -(x - (3 * m^2 - 2 * m^3))^2
""", "t.game")
    result = run_model(model)
    points = sorted(round(p["s"], 6) for p in result.extra["fixed_points"])
    assert points[0] == pytest.approx(0.0, abs=1e-6)
    assert points[-1] == pytest.approx(1.0, abs=1e-6)
    assert any(abs(p - 0.5) < 1e-5 for p in points)  # the unstable middle one
    stable = sorted(round(p["s"], 6) for p in result.extra["fixed_points"] if p["stable"])
    assert stable == [0.0, 1.0]


def test_obfuscation_worked_example_interior_best_response_and_leader(solved_spec):
    model = load_model(SPECS / "obfuscation_mfg.game")
    result = solved_spec("obfuscation_mfg")  # the continuous method, solved once a session
    assert result.method == "continuous"
    assert result.strategies["learner"] == pytest.approx(0.934071, abs=1e-5)
    assert result.values["learner"] == pytest.approx(1.414627, abs=1e-5)
    assert result.certificate.ok
    # Lemma 3 would give 0 at sigma_L = 0 with everyone at 0; the true best response is
    # interior: check it directly on the spec's own payoff
    from gamespec.solvers.continuous import best_response

    users = model.players["users"]
    sigma, s2 = users.strategies[0].symbol, users.fields[0].symbol
    learner = model.players["learner"].strategies[0].symbol
    payoff = model.expand_lets(model.payoffs["users"].expr)
    br = best_response(payoff, sigma, 0, 100, {**model.scalar_values(), s2: 0, learner: 0})
    assert br.choice == pytest.approx(11.3576, abs=1e-3)
    assert br.value == pytest.approx(0.011115, abs=1e-5)
    assert isinstance(payoff, sympy.Expr)


def test_paper_regimes_beside_the_exact_answer(solved_spec):
    # the worked example: the paper's Table I says regime 1 (status quo); the exact
    # answer is a positive promise with users not obfuscating (regime 3). The regimes are
    # the spec's own `report` and `claim` statements (gamespec.statements)
    result = solved_spec("obfuscation_mfg")
    assert (result.reports["regime_exact"], result.reports["regime_paper"]) == (3, 1)
    assert result.claims["table1_paper"]["verdict"] == "does not hold"
    assert result.compare == {}
    # a point of regime 2 where the paper is right: high kappa, users obfuscate at M
    result = solved_spec("obfuscation_mfg", kappa=0.5, P_S=3, C_S=0.5)
    assert result.reports["regime_exact"] == 2
    assert result.claims["table1_paper"]["verdict"] == "holds"
    assert result.strategies["users"] == pytest.approx(100)


CROWD = """
population crowd of 50 {
  choose x in [0, 1]
  field m = mean x
}
payoff crowd = -(x - (3 * m^2 - 2 * m^3))^2 + m
select RULE
"""


@pytest.mark.parametrize("rule, expected", [("max payoff crowd", 1.0), ("min payoff crowd", 0.0),
                                            ("max x", 1.0), ("min x", 0.0)])
def test_select_statement_picks_the_fixed_point(rule: str, expected: float) -> None:
    # fixed points 0, 1/2, 1 with member payoffs 0, 1/2, 1 (the first term vanishes there)
    result = run_model(model_from_string(CROWD.replace("RULE", rule), "t.game"))
    assert result.strategies["crowd"] == pytest.approx(expected, abs=1e-6)


def test_select_by_an_expression_other_than_the_strategy_is_refused() -> None:
    from gamespec.errors import SpecError

    with pytest.raises(SpecError, match="population's strategy") as info:
        run_model(model_from_string(CROWD.replace("RULE", "max m * 2"), "t.game"))
    assert info.value.span is not None and info.value.span.line == 7


def test_constrained_interval_player_is_refused_not_ignored() -> None:
    from gamespec.solvers.continuous.method import ENTRY

    model = model_from_string("""
player a { choose x in [0, 1]  subject to cap: x <= 0.5 }
player b { choose y in [0, 1] }
payoff a = x*y - x^2
payoff b = x*y - y^2
""", "t.game")
    ok, reason = ENTRY.fits(model, classify(model))
    assert not ok and "`cap`" in reason


def test_interval_mistakes_are_refused_or_located() -> None:
    from gamespec.errors import SpecError
    from gamespec.solvers.continuous.method import ENTRY

    dependent = model_from_string("player p1 { choose x in [0, 1] }\n"
                                  "player p2 { choose y in [0, x] }\n"
                                  "payoff p1 = x * y\npayoff p2 = -(y - 0.5)^2\n", "t.game")
    ok, reason = ENTRY.fits(dependent, classify(dependent))
    assert not ok and "depends on another player's strategy" in reason
    empty = model_from_string("player p1 { choose x in [1, 0] }\n"
                              "player p2 { choose y in [0, 1] }\n"
                              "payoff p1 = x * y\npayoff p2 = -(y - 0.5)^2\n", "t.game")
    with pytest.raises(SpecError, match="is empty") as info:
        run_model(empty)
    assert info.value.span is not None and info.value.span.line == 1


def test_a_player_with_a_box_is_refused_with_the_reason(capsys) -> None:
    from gamespec.solvers.continuous.method import ENTRY

    model = model_from_string("""
player f1 { choose q1 in [0, 10]  choose r1 in [0, 10]  choose s1 in [0, 1]  choose t1 in [0, 1] }
player f2 { choose q2 in [0, 10] }
payoff f1 = q1 * (10 - q1 - q2) + r1 * (10 - r1) - q1 * r1 / 2 + s1 + t1
payoff f2 = q2 * (10 - q1 - q2)
""", "t.game")
    ok, reason = ENTRY.fits(model, classify(model))
    assert not ok and "at most 3 intervals (a box)" in reason
    assert "`f1` has 4 (q1, r1, s1, t1)" in reason and reason.span.line == 2
    assert "supported: simultaneous" not in reason
