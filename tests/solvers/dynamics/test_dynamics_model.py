"""Dynamics through the Model: Euler-Lagrange specs, repeated play, update rules."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy

from gamespec.analysis import classify
from gamespec.language.loader import load_model, model_from_string
from gamespec.solvers.dynamics.method import conditions, solve, update_fixed_point, variant_report

SPECS = Path(__file__).resolve().parents[3] / "specs"


def run(text):
    model = model_from_string(text, "t.game")
    return model, solve(model, classify(model), {})


def test_harmonic_oscillator_matches_cos():
    model, result = run("""
param m = 2
param k = 8
dynamics over t in [0, 5] {
  coordinates x
  lagrangian = m * x'^2 / 2 - k * x^2 / 2
  initial x = 1, x' = 0
}""")
    assert result.certificate.ok
    assert result.extra["dynamics"]["squared_frequencies"] == pytest.approx([4.0])
    assert result.values["x(5)"] == pytest.approx(np.cos(2 * 5), abs=1e-7)


def test_pendulum_conserves_energy():
    model, result = run("""
param g = 9.81
param l = 1
dynamics over t in [0, 10] {
  coordinates th
  lagrangian = l^2 * th'^2 / 2 + g * l * cos(th)
  initial th = 2.5, th' = 0
}""")
    assert result.certificate.ok
    assert result.certificate.details["energy_drift"] < 1e-6
    assert "squared_frequencies" not in result.extra["dynamics"]  # nonlinear: no modes


def test_trimming_spec_theorem3_theorem4_and_the_papers_variant():
    model = load_model(SPECS / "trimming.game")
    result = solve(model, classify(model), {"solve_for": "delta"})
    assert result.certificate.ok
    assert result.extra["monte_carlo"]["comply"]["agree"]
    (name, condition), = conditions(model, "delta")
    s = {n: sympy.Symbol(n, real=True) for n in ("P_hi", "P_lo", "T_hi", "T_lo", "d", "p")}
    g_ac = ((s["P_hi"]) + (s["T_hi"] - s["P_lo"] - s["T_lo"])) / 2
    paper = (s["d"] - s["d"] * s["p"]) / (1 - s["d"] * s["p"]) * g_ac
    assert sympy.simplify(condition.boundary - paper) == 0
    omega2 = result.extra["dynamics"]["squared_frequencies"]
    assert sorted(omega2) == pytest.approx([0.0, 0.5 * (1 + 2) / (1 * 2)])
    report = variant_report(model)
    assert not report.follows and not report.momentum_conserved_claimed


def test_elastic_update_rule_series_and_fixed_point():
    model = load_model(SPECS / "trimming.game")
    result = solve(model, classify(model), {"solve_for": "delta"})
    T, A = result.strategies["T"], result.strategies["A"]
    assert T[:2] == pytest.approx([0.87, 0.9 + 0.5 * (0.91 - 0.9 - 0.01)])
    assert A[:2] == pytest.approx([0.91, 0.9 - 0.03 + 0.5 * (0.87 - 0.9)])
    fixed = update_fixed_point(model)
    values = model.scalar_values()
    t_star = float(fixed[sympy.Symbol("T_star")].xreplace(values))
    assert T[-1] == pytest.approx(t_star, abs=1e-6)  # contraction by k = 0.5 per round


def test_a_value_that_is_a_parameter_is_solved_and_checked() -> None:
    # regression: V = c + 0 V solves to the parameter c, which once crashed the value report
    model = model_from_string("""
param c = 2
param d = 0.9 in [0, 1]
repeated {
  discount d
  value V_d = c + 0 * V_d
}
""", "t.game")
    result = solve(model, classify(model), {})
    assert result.values["V_d"] == 2.0
    assert "value recursions hold" in result.certificate.kind and result.certificate.ok


def test_update_rules_certify_their_fixed_point_by_substitution() -> None:
    model = model_from_string("""
param k = 0.5
update over i in 1..20 {
  x[i + 1] = (1 - k) * x[i] + k * 3
  initial x[1] = 0
}
""", "t.game")
    result = solve(model, classify(model), {})
    assert float(result.derived["update fixed point"]["x_star"]) == 3.0
    assert "update fixed point satisfies its rules" in result.certificate.kind
    assert result.certificate.ok and result.certificate.residual <= 1e-12
    assert result.extra["distance_to_fixed_point_at_last_round"] == pytest.approx(3 * 0.5**20)


REPEATED = """
param d = 0.9 in [0, 1]
param g = 5
param p = 0.2
param delta = 1
repeated { discount d
  value V_comply = g - delta + d * V_comply
  value V_defect = g + d * p * V_defect
  condition comply: V_comply > V_defect }
solve using dynamics { solve_for = "FOR" }
"""


def test_repeated_play_mistakes_are_located(tmp_path, capsys) -> None:
    from gamespec.cli import main

    spec = tmp_path / "r.game"
    spec.write_text(REPEATED.replace("FOR", "nosuch"))
    assert main(["solve", str(spec)]) == 2
    assert ":10:24: error: solve option `solve_for`: `nosuch` is not a parameter" in \
        capsys.readouterr().err
    spec.write_text(REPEATED.replace("FOR", "g"))
    assert main(["solve", str(spec), "--set", "d=1"]) == 2
    assert ":6:1: error: the discount must be in (0, 1), got 1" in capsys.readouterr().err


def test_a_condition_that_is_not_solved_says_so() -> None:
    model = model_from_string(REPEATED.replace("FOR", "d"), "t.game")
    result = solve(model, classify(model), dict(model.solve_options))
    assert result.extra["unsolved_conditions"] == ["comply"]
    assert result.derived["condition comply"].endswith("(not solved for a parameter)")


def test_lagrangian_reads_indexed_params_and_library_functions_through_the_lowering():
    """An oscillator whose stiffness is a sum over an indexed parameter (w = 1, 2, 3: k = 1)
    plus a library function's constant: x(t) = cos(t), and the equation keeps `k` by name."""
    import math

    from gamespec.api import derive_model, solve_model
    from gamespec.language.loader import model_from_string

    spec = """
param k = 1
param w[j in 1..3] = j
dynamics over t in [0, 5] {
  coordinates x
  lagrangian = x'^2 / 2 - k * x^2 / 2 * sum(j in 1..3) w[j] / 6 + laplace_mass(0.5, 1, 1, 2)
  initial x = 1, x' = 0
}
"""
    result = solve_model(model_from_string(spec, "osc.game"))
    assert result.certificate.ok
    assert result.values["x(5)"] == pytest.approx(math.cos(5), abs=1e-7)
    text = derive_model(model_from_string(spec, "osc.game")).plain()
    assert "k*x(t)" in text.replace(" ", "")
