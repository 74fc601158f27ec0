"""Continuous solvers: textbook closed forms, set-valued best responses, populations with
several equilibria, leaders against jumping followers, and the certificates."""
from __future__ import annotations

import pickle
import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from gamespec.errors import SolverError, SpecError
from gamespec.solvers.continuous import (
    BestResponseFollower,
    BestResponseMap,
    PopulationFollower,
    best_response,
    bracketed_roots,
    mean_field_fixed_points,
    nash_continuous,
    solve_leader,
    solve_univariate,
    stackelberg_continuous,
    symbolic_best_response,
    with_time_limit,
)

x, y, m = sp.symbols("x y m", real=True)
a, b, c = sp.symbols("a b c", positive=True)
q1, q2 = sp.symbols("q1 q2", real=True)


def indicator(condition):
    return sp.Piecewise((1, condition), (0, True))


def cournot_payoffs():
    price = a - b * (q1 + q2)
    return q1 * price - c * q1, q2 * price - c * q2


# --------------------------------------------------------------------------- textbook
def test_cournot_closed_form_and_numbers():
    u1, u2 = cournot_payoffs()
    result = nash_continuous([u1, u2], [q1, q2], [(0, 100), (0, 100)], {a: 10, b: 1, c: 1})
    assert sp.simplify(result.closed_form["q1"] - (a - c) / (3 * b)) == 0
    assert sp.simplify(result.closed_form["q2"] - (a - c) / (3 * b)) == 0
    assert result.strategies == pytest.approx({"q1": 3.0, "q2": 3.0}, abs=1e-12)
    assert result.values["q1"] == pytest.approx(9.0)
    assert result.certificate.kind == "max unilateral gain"
    assert result.certificate.ok and result.certificate.residual <= 1e-9


def test_cournot_by_best_response_iteration_matches_closed_form():
    u1, u2 = cournot_payoffs()
    params = {"a": 13, "b": 2, "c": 1}  # names work as keys too
    result = nash_continuous([u1, u2], [q1, q2], [(0, 50), (0, 50)], params, symbolic=False)
    assert result.method.startswith("best-response iteration")
    assert result.strategies["q1"] == pytest.approx(2.0, abs=1e-6)
    assert result.strategies["q2"] == pytest.approx(2.0, abs=1e-6)
    assert result.certificate.ok


def test_cournot_with_capacity_falls_back_to_iteration():
    """Interior FOC solution 3 exceeds the capacity 2: the equilibrium is the corner."""
    u1, u2 = cournot_payoffs()
    result = nash_continuous([u1, u2], [q1, q2], [(0, 2), (0, 2)], {a: 10, b: 1, c: 1})
    assert result.strategies == {"q1": 2.0, "q2": 2.0}
    assert result.method == "best-response iteration" and result.closed_form is None
    assert result.certificate.ok


def test_stackelberg_cournot_closed_form_and_numbers():
    u1, u2 = cournot_payoffs()
    result = stackelberg_continuous(u1, u2, q1, q2, (0, 100), (0, 100), {a: 10, b: 1, c: 1},
                                    grid=101)
    assert sp.simplify(result.closed_form["q1"] - (a - c) / (2 * b)) == 0
    assert sp.simplify(result.closed_form["q2"] - (a - c) / (4 * b)) == 0
    assert sp.simplify(result.closed_form["response"] - (a - c - b * q1) / (2 * b)) == 0
    assert result.strategies["q1"] == pytest.approx(4.5, abs=1e-6)
    assert result.strategies["q2"] == pytest.approx(2.25, abs=1e-6)
    assert result.values["q1"] == pytest.approx(10.125, abs=1e-9)
    assert result.agrees is True
    assert result.certificate.ok


def test_quadratic_best_response_symbolic_and_numeric():
    payoff = -(x - a * m) ** 2
    derivation = symbolic_best_response(payoff, x, 0, 1)
    assert derivation.closed_form == sp.Min(sp.Max(a * m, 0), 1)
    assert derivation.branches[0].stationary == (a * m,)
    assert best_response(payoff, x, 0, 1, {a: 0.5}, {m: 0.8}).points == pytest.approx((0.4,))
    clipped = best_response(payoff, x, 0, 1, {a: 0.5}, {m: 3.0})
    assert clipped.points == (1.0,)


def test_polynomial_first_order_conditions_give_closed_form_candidates():
    br_map = BestResponseMap(-(x - a * m) ** 2 - c * indicator(x > 0), x, 0, 1, {a: 0.5, c: 0},
                             (m,))
    assert br_map.stationary_expressions() == [0.5 * m]
    assert br_map({m: 0.9}).points == (0.45,)  # exact, not a refined bracket
    transcendental = BestResponseMap(sp.exp(-x) * sp.sin(m * x), x, 0, 1, None, (m,))
    assert transcendental.stationary_expressions() == []


def test_indicator_cost_gives_threshold_rule():
    """-(x - a)^2 - c [x > 0]: 0 or the interior optimum a, whichever pays more."""
    payoff = -(x - a) ** 2 - c * indicator(x > 0)
    derivation = symbolic_best_response(payoff, x, 0, 10)
    assert {cand.point for cand in derivation.candidates} == {a, 0, 10}
    for values, expected in (({a: 2, c: 1}, 2.0), ({a: 2, c: 5}, 0.0)):
        assert float(derivation.rule.subs(values)) == expected
        assert best_response(payoff, x, 0, 10, values).points == pytest.approx((expected,))


def test_large_upper_bound_keeps_interior_optimum():
    payoff = 30 - (x - 11) ** 2 - 5 * indicator(x > 0)
    response = best_response(payoff, x, 0, 1e8)
    assert response.points == pytest.approx((11.0,), abs=1e-9)
    assert response.value == pytest.approx(25.0)


@settings(max_examples=25, deadline=None)
@given(centre=st.floats(-5, 5), curvature=st.floats(0.1, 10), low=st.floats(-3, 0),
       width=st.floats(0.5, 6))
def test_concave_quadratic_best_response_is_clipped_centre(centre, curvature, low, width):
    response = best_response(-curvature * (x - centre) ** 2, x, low, low + width)
    assert response.points == pytest.approx((min(max(centre, low), low + width),), abs=1e-7)


# --------------------------------------------------------------------------- set-valued
def test_ties_are_reported_as_a_set():
    response = best_response(-(x**2 - 1) ** 2, x, -2, 2)
    assert response.points == pytest.approx((-1.0, 1.0))
    assert response.is_set


def test_indifference_interval():
    flat = best_response(x * (m - sp.Rational(1, 2)), x, 0, 1, others={m: 0.5})
    assert flat.intervals == ((0.0, 1.0),) and flat.points == ()
    assert flat.distance(0.3) == 0.0
    strict = best_response(x * (m - sp.Rational(1, 2)), x, 0, 1, others={m: 0.6})
    assert strict.points == (1.0,) and strict.intervals == ()


def test_supremum_not_attained_is_reported():
    open_top = best_response(x * indicator(x < 1), x, 0, 2)
    assert not open_top.attained
    assert open_top.supremum == pytest.approx(1.0, abs=1e-8)
    assert open_top.points[0] < 1.0
    closed_top = best_response(x * indicator(x <= 1), x, 0, 2)
    assert closed_top.attained and closed_top.points == (1.0,)


def test_kink_maximum_found_exactly():
    assert best_response(-sp.Abs(x - 1.3), x, 0, 5).points == pytest.approx((1.3,), abs=1e-12)


def test_missing_value_is_a_solver_error():
    with pytest.raises(SolverError, match="m"):
        best_response(x * m, x, 0, 1)


# --------------------------------------------------------------------------- populations
def coordination_map():
    """BR(m) = g(m), a steep logistic: fixed points near 0, at 1/2 and near 1."""
    g = 1 / (1 + sp.exp(-10 * (m - sp.Rational(1, 2))))
    return BestResponseMap(-(x - g) ** 2, x, 0, 1, None, (m,)), g


def test_population_with_two_stable_fixed_points():
    br_map, g = coordination_map()
    result = mean_field_fixed_points(br_map, field=m)
    fn = sp.lambdify(m, g - m)
    expected = [optimize.brentq(fn, 0, 0.3), 0.5, optimize.brentq(fn, 0.7, 1.0)]
    assert [p.s for p in result.fixed_points] == pytest.approx(expected, abs=1e-10)
    assert [p.stable for p in result.fixed_points] == [True, False, True]
    assert result.selected.s == pytest.approx(expected[0])  # payoff tie -> lowest
    assert mean_field_fixed_points(br_map, field=m, selection="highest").selected.s == \
        pytest.approx(expected[2])
    assert result.certificate.ok and result.certificate.residual <= 1e-12


def test_population_aggregate_of_squares():
    br_map, g = coordination_map()
    result = mean_field_fixed_points(br_map, field=m, aggregate=x**2)
    fn = sp.lambdify(x, g.subs(m, x**2) - x)
    grid = np.linspace(0, 1, 2001)
    signs = np.sign(fn(grid))
    k = np.nonzero(signs[:-1] * signs[1:] < 0)[0]
    expected = [optimize.brentq(fn, grid[i], grid[i + 1]) for i in k]
    assert len(expected) == 3
    assert [p.s for p in result.fixed_points] == pytest.approx(expected, abs=1e-10)
    assert [p.field for p in result.fixed_points] == pytest.approx([s * s for s in expected])


def test_fixed_point_at_a_jump_needs_indifference():
    bang_bang = BestResponseMap(x * (m - sp.Rational(1, 2)), x, 0, 1, None, (m,))
    result = mean_field_fixed_points(bang_bang, field=m)
    assert [p.s for p in result.fixed_points] == pytest.approx([0.0, 0.5, 1.0], abs=1e-9)
    assert result.fixed_points[1].response.intervals == ((0.0, 1.0),)
    assert [p.stable for p in result.fixed_points] == [True, False, True]


def test_jump_across_the_diagonal_is_not_an_equilibrium():
    payoff = -(x - 0.8) ** 2 * indicator(m < 0.5) - (x - 0.2) ** 2 * indicator(m >= 0.5)
    br_map = BestResponseMap(payoff, x, 0, 1, None, (m,))
    result = mean_field_fixed_points(br_map, field=m)
    assert result.fixed_points == () and result.selected is None
    assert result.jumps == pytest.approx((0.5,), abs=1e-8)
    leader = sp.Symbol("L", real=True)
    br_map = BestResponseMap(payoff + 0 * leader, x, 0, 1, None, (m, leader))
    follower = PopulationFollower(br_map, field=m, leader_var=leader)
    with pytest.raises(SolverError, match="no symmetric pure equilibrium"):
        follower(0.3)


def test_unknown_selection_rule_is_a_spec_error():
    br_map, _ = coordination_map()
    with pytest.raises(SpecError):
        mean_field_fixed_points(br_map, field=m, selection="median")


# --------------------------------------------------------------------------- leaders
def test_leader_supremum_not_attained_at_follower_jump():
    """Follower y = 1 iff x > 1/2 (tie at 1/2 -> 0): sup of y - x^2 is 3/4, not attained."""
    br_map = BestResponseMap(y * (x - sp.Rational(1, 2)), y, 0, 1, None, (x,))
    result = solve_leader(y - x**2, BestResponseFollower(br_map, x), 0, 1, grid=41)
    assert len(result.switches) == 1
    # the follower is indifferent within its tolerance (1e-9) just above 1/2
    assert result.switches[0] == pytest.approx((0.5, 0.5), abs=1e-8)
    assert result.x == pytest.approx(0.5, abs=1e-8) and result.x > 0.5
    assert result.value == pytest.approx(0.75, abs=1e-8)
    assert result.supremum == pytest.approx(0.75, abs=1e-10)
    assert result.follower.values[y] == 1.0
    assert result.certificate.ok
    assert dict(result.certificate.details)["grid_gain"] == 0.0


def test_leader_maximum_attained_at_follower_jump():
    """Follower y = [x >= 1/2] exactly: y - x^2 attains 3/4 at x = 1/2."""
    br_map = BestResponseMap(-(y - indicator(x >= sp.Rational(1, 2))) ** 2, y, 0, 1, None, (x,))
    result = solve_leader(y - x**2, BestResponseFollower(br_map, x), 0, 1, grid=41)
    assert result.attained
    assert result.x == pytest.approx(0.5, abs=1e-9)
    assert result.value == pytest.approx(0.75, abs=1e-8)


def test_leader_interior_optimum_on_smooth_piece():
    br_map = BestResponseMap(-(y - x) ** 2, y, 0, 1, None, (x,))  # follower copies x
    result = solve_leader(y - 2 * x**2, BestResponseFollower(br_map, x), 0, 1, grid=21)
    assert result.switches == ()
    assert result.x == pytest.approx(0.25, abs=1e-6)
    assert result.value == pytest.approx(0.125, abs=1e-10)
    assert result.certificate.ok


# --------------------------------------------------------------------------- plumbing
def test_best_response_map_pickles_and_results_are_plain():
    br_map, _ = coordination_map()
    clone = pickle.loads(pickle.dumps(br_map))
    assert clone({m: 0.3}) == br_map({m: 0.3})
    result = mean_field_fixed_points(br_map, field=m)
    assert pickle.loads(pickle.dumps(result)) == result
    again = mean_field_fixed_points(br_map, field=m)
    assert again == result  # deterministic


def test_batch_matches_single_calls():
    br_map, _ = coordination_map()
    states = np.linspace(0, 1, 7)
    xs, values = br_map.batch([states])
    for s, x_best, v in zip(states, xs, values):
        single = br_map({m: s})
        assert single.points == pytest.approx((x_best,), abs=1e-12)
        assert single.value == pytest.approx(v, abs=1e-15)


def test_bracketed_roots_vectorised():
    centres = np.array([0.3, 1.7, 2.9])
    roots = bracketed_roots(lambda z, idx: z**3 - centres[idx] ** 3, np.zeros(3), np.full(3, 4.0))
    assert roots == pytest.approx(centres, abs=1e-14)


def test_symbolic_solving_is_time_limited():
    started = time.monotonic()
    assert with_time_limit(lambda: time.sleep(3), 0.2) is None
    assert time.monotonic() - started < 2.8  # not the 3 s sleep (a margin for a loaded machine)
    assert with_time_limit(lambda: 7, 0.5) == 7
    assert set(solve_univariate(x**2 - 2, x)) == {sp.sqrt(2), -sp.sqrt(2)}
    assert solve_univariate(x - sp.exp(-x) * sp.cos(x) ** 2 - a, x, timeout=0.5) is None
