"""Repeated games: value recursions, Theorem 3 of the trimming paper, Monte Carlo play."""
from __future__ import annotations

import pytest
import sympy as sp
from oracles.trimming_paper import trimming_theorem3  # (a test-only oracle)

from gamespec.errors import SolverError
from gamespec.solvers.dynamics.repeated import (
    equilibrium_condition,
    simulate_repeated,
    solve_value_recursions,
)

d, p, g, delta = sp.symbols("d p g delta", positive=True)
V, W = sp.symbols("V W")


def test_value_recursion_geometric_sum():
    values = solve_value_recursions([sp.Eq(V, g + d * V)], [V])
    assert sp.simplify(values[V] - g / (1 - d)) == 0


def test_two_state_recursion():
    # V: cooperate (gain g, stay w.p. p, else punished state W worth 0 per round)
    values = solve_value_recursions(
        [sp.Eq(V, g + d * (p * V + (1 - p) * W)), sp.Eq(W, d * W)], [V, W])
    assert values[W] == 0
    assert sp.simplify(values[V] - g / (1 - d * p)) == 0


def test_bad_recursions_are_solver_errors():
    with pytest.raises(SolverError, match="not linear"):
        solve_value_recursions([sp.Eq(V, g + d * V**2)], [V])
    with pytest.raises(SolverError, match="uniquely"):
        solve_value_recursions([sp.Eq(V, W + g), sp.Eq(W, V - g)], [V, W])
    with pytest.raises(SolverError, match="uniquely"):
        solve_value_recursions([sp.Eq(V, V)], [V])  # SymPy folds this to True


def test_theorem3_is_derived_and_equals_the_paper_form():
    theorem = trimming_theorem3()
    s = theorem.symbols
    assert theorem.matches_paper
    rel = theorem.condition.relation
    assert isinstance(rel, sp.StrictLessThan) and rel.lhs == s["delta"]
    expected = (s["d"] - s["d"] * s["p"]) / (1 - s["d"] * s["p"]) * s["g_ac"]
    assert sp.simplify(theorem.condition.boundary - expected) == 0
    # a plausible slip (the g_0 form (1-d)/(1-dp)) must not pass as equal
    assert sp.simplify(theorem.condition.boundary
                       - (1 - s["d"]) / (1 - s["d"] * s["p"]) * s["g_ac"]) != 0
    assert sp.simplify(theorem.values[s["g_com"]]
                       - (s["g_ac"] - s["delta"]) / (1 - s["d"])) == 0
    in_payoffs = expected.subs(
        s["g_ac"], (s["P_hi"] + s["T_hi"] - s["P_lo"] - s["T_lo"]) / 2)
    assert sp.simplify(theorem.boundary_in_payoffs - in_payoffs) == 0


def test_p_one_means_never_comply():
    boundary = trimming_theorem3().condition.boundary
    assert sp.simplify(boundary.subs(sp.Symbol("p", positive=True), 1)) == 0


def test_condition_needs_ranges_to_fix_the_direction():
    comply, defect = (g - delta) / (1 - d), g / (1 - d * p)
    with pytest.raises(SolverError, match="sign"):
        equilibrium_condition(comply, defect, delta)
    cond = equilibrium_condition(comply, defect, delta, unit_interval=(d, p))
    assert isinstance(cond.relation, sp.StrictLessThan)
    flipped = equilibrium_condition(defect, comply, delta, unit_interval=(d, p))
    assert isinstance(flipped.relation, sp.StrictGreaterThan)


@pytest.mark.parametrize("delta_value, complies", [(0.70, True), (0.95, False)])
def test_monte_carlo_agrees_with_theorem3_on_both_sides(delta_value, complies):
    g_ac, disc, undetected = 1.0, 0.9, 0.3
    boundary = (disc - disc * undetected) / (1 - disc * undetected) * g_ac  # 0.863
    assert (delta_value < boundary) == complies
    sim = simulate_repeated(g_ac - delta_value, g_ac, disc, undetected, paths=20_000, seed=7)
    gap = sim.comply_mean - sim.defect_mean
    assert abs(gap) > 5 * (sim.comply_se + sim.defect_se)
    assert sim.comply_better == complies
    assert abs(sim.defect_mean - g_ac / (1 - disc * undetected)) < 4 * sim.defect_se + 1e-9
    assert sim.defect_exact == pytest.approx(g_ac / (1 - disc * undetected))


def test_monte_carlo_is_seeded_and_tit_for_tat_forgives():
    a = simulate_repeated(0.2, 1.0, 0.9, 0.3, punish_rounds=1, paths=5_000, seed=3)
    b = simulate_repeated(0.2, 1.0, 0.9, 0.3, punish_rounds=1, paths=5_000, seed=3)
    assert a == b
    # one-round punishment: V = g / (1 - d p - (1 - p) d^2)
    exact = 1.0 / (1 - 0.9 * 0.3 - 0.7 * 0.81)
    assert a.defect_exact == pytest.approx(exact)
    assert abs(a.defect_mean - exact) < 4 * a.defect_se
    grim = simulate_repeated(0.2, 1.0, 0.9, 0.3, paths=5_000, seed=3)
    assert grim.defect_mean < a.defect_mean


def test_coupled_values_skip_the_simulation_instead_of_failing():
    """Two values that refer to each other are not a trigger form: the Monte Carlo check
    does not apply (it converted V5 to a float: TypeError, exit 70; construct fuzzer)."""
    from gamespec.api import solve_model
    from gamespec.language.loader import model_from_string

    model = model_from_string(
        "param d1 = 0.99 in [0, 1]\nparam g2 = 1.5\n"
        "repeated {\n  discount d1\n  value V4 = g2 - 1 + d1 * V4 + V5\n"
        "  value V5 = V4 + d1 * V5\n  condition ok6: V4 > V5\n}\n")
    result = solve_model(model)
    assert result.certificate.ok
    d, g = 0.99, 1.5  # V5 = V4 / (1 - d) and V4 (1 - d) = g - 1 + V5: solved by hand
    v4 = (g - 1) / ((1 - d) - 1 / (1 - d))
    assert result.values["V4"] == pytest.approx(v4)
    assert result.values["V5"] == pytest.approx(v4 / (1 - d))
