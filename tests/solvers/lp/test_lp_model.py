"""The LP method driven by the Model: classic zero-sum games and the location-privacy spec."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gamespec.analysis import classify
from gamespec.errors import SolverError
from gamespec.language.loader import load_model, model_from_string
from gamespec.solvers.lp.compile import bilinear_game
from gamespec.solvers.lp.method import solve

SPECS = Path(__file__).resolve().parents[3] / "specs"


def run_model(model):
    return solve(model, classify(model), {})


def run(name, **overrides):
    return run_model(load_model(SPECS / f"{name}.game", overrides or None))


def test_matching_pennies_value_zero_uniform():
    result = run("matching_pennies")
    assert result.values["matcher"] == pytest.approx(0, abs=1e-9)
    assert result.strategies["matcher"] == pytest.approx({"Heads": 0.5, "Tails": 0.5})
    assert result.strategies["mismatcher"] == pytest.approx({"Heads": 0.5, "Tails": 0.5})
    assert result.certificate.ok


def test_biased_rock_paper_scissors_hand_value():
    # Rock beating Scissors pays 2; the matrix is skew-symmetric, so the value is 0 and the
    # maximin strategy (1/4, 1/2, 1/4) makes every column pay exactly 0 (checked by hand)
    model = model_from_string("""
player one { mixed x over {Rock, Paper, Scissors} }
player two { mixed y over {Rock, Paper, Scissors} }
table {
  (Rock, Rock): (0)  (Rock, Paper): (-1)  (Rock, Scissors): (2)
  (Paper, Rock): (1)  (Paper, Paper): (0)  (Paper, Scissors): (-1)
  (Scissors, Rock): (-2)  (Scissors, Paper): (1)  (Scissors, Scissors): (0)
}
zero_sum
""", "t.game")
    result = run_model(model)
    assert result.values["one"] == pytest.approx(0.0, abs=1e-9)
    x = result.strategies["one"]
    assert x == pytest.approx({"Rock": 1 / 4, "Paper": 1 / 2, "Scissors": 1 / 4})


def test_dominated_strategy_gets_probability_zero():
    model = model_from_string("""
player one { mixed x over {Good, Bad} }
player two { mixed y over {L, R} }
table { (Good, L): (3)  (Good, R): (1)  (Bad, L): (2)  (Bad, R): (0) }
zero_sum
""", "t.game")
    result = run_model(model)
    assert result.strategies["one"] == pytest.approx({"Good": 1.0})
    assert result.values["one"] == pytest.approx(1.0)


def test_location_privacy_extraction_matches_the_formula():
    model = load_model(SPECS / "location_privacy.game")
    game = bilinear_game(model, "user_lppm", "adversary")
    psi, dp, dq = (model.params[k].array for k in ("psi", "dp", "dq"))
    assert np.allclose(game.payoff, psi[:, None, None] * dp.T[:, None, :])
    name, weights, sense, bound, offset = game.constraints[0]
    assert (name, sense, bound, offset) == ("quality", "<=", pytest.approx(0.869), 0.0)
    assert np.allclose(weights, psi[:, None] * dq.T)


def test_location_privacy_primal_dual_and_limits():
    result = run("location_privacy")
    lp = result.extra["lp"]
    assert lp["leader_lp_value"] == pytest.approx(lp["follower_lp_value"], abs=1e-7)
    assert result.certificate.ok
    zero = run("location_privacy", Qmax=0)
    assert zero.values["user_lppm"] == pytest.approx(0, abs=1e-9)
    model = load_model(SPECS / "location_privacy.game", {"Qmax": 1000})
    psi, dp = model.params["psi"].array, model.params["dp"].array
    expected = min(float(np.sum(psi * dp[a])) for a in range(len(psi)))
    assert run_model(model).values["user_lppm"] == pytest.approx(expected, rel=1e-7)


def test_shadow_price_is_the_slope_in_qmax():
    q, step = 0.05, 1e-4
    base = run("location_privacy", Qmax=q)
    z = base.extra["lp"]["shadow_prices"]["quality"]
    up = run("location_privacy", Qmax=q + step).values["user_lppm"]
    down = run("location_privacy", Qmax=q - step).values["user_lppm"]
    assert z > 0
    assert (up - down) / (2 * step) == pytest.approx(z, rel=1e-3)


def test_baselines_are_never_better_than_the_optimum():
    result = run("location_privacy", Qmax=0.3)
    for k in range(1, 6):
        entry = result.compare[f"obfuscation[{k}]"]
        assert entry["optimal_value_at_same_constraint_levels"] >= \
            entry["value_against_optimal_response"] - 1e-7
        bayes = result.compare[f"obfuscation_bayes[{k}]"]
        assert bayes["value_against_optimal_response"] <= \
            bayes["value_against_profile_response"] + 1e-9  # optimal attack never weaker
    # level 1 reports the true region: no privacy, no quality loss
    assert result.compare["obfuscation[1]"]["value_against_optimal_response"] == \
        pytest.approx(0, abs=1e-9)
    assert result.compare["obfuscation[1]"]["constraint_lhs"]["quality"] == 0


def test_obfuscation_profile_matches_the_stdlib_lppm():
    from gamespec.solvers.lp.method import profile_matrix
    from gamespec.stdlib.location import obfuscation_lppm

    model = load_model(SPECS / "location_privacy.game", {"n_regions": 12})
    game = bilinear_game(model, "user_lppm", "adversary")
    f = profile_matrix(model, game, "obfuscation[3]")
    x = model.columns["city.x"][2]
    y = model.columns["city.y"][2]
    expected = obfuscation_lppm(np.column_stack([x, y]), 3)
    assert np.allclose(f, expected)  # same nearest regions, ties broken by region number


def test_infeasible_quality_bound_names_the_constraint():
    model = load_model(SPECS / "location_privacy.game", {"Qmax": 0})
    text = model.source.replace("<= Qmax", ">= Qmax + 2")
    bad = model_from_string(text, "t.game")
    with pytest.raises(SolverError, match="quality"):
        run_model(bad)


def test_follower_constraint_is_refused_not_ignored() -> None:
    from gamespec.solvers.lp.method import can_solve

    model = model_from_string("""
set S = {H, T}
player row { mixed p over S }
player col { mixed q over S  subject to lean: q[H] <= 0.2 }
payoff row = sum(s in S, t in S) p[s] * q[t] * (if s == t then 1 else -1)
zero_sum
""", "t.game")
    ok, reason = can_solve(model, classify(model))
    assert not ok and "`lean`" in reason and "follower" in reason


def test_forced_lp_on_a_nonbilinear_payoff_points_at_the_payoff() -> None:
    from gamespec.solvers.registry import plan

    model = model_from_string("""
set S = {H, T}
player a { mixed x over S }
player b { mixed y over S }
payoff a = sum(s in S, t in S) x[s] * x[s] * y[t] * (if s == t then 1 else -1)
zero_sum
""", "t.game")
    with pytest.raises(SolverError, match="not bilinear") as info:
        plan(model, classify(model), "lp")
    assert info.value.span is not None and info.value.span.line == 5


@pytest.mark.parametrize("written, level, sense, bound", [
    ("0.3 >= x[H]", 0.3, "<=", 0.3),          # strategies on the right: reported flipped
    ("1 - x[T] <= 0.3", 0.3, "<=", 0.3),      # a constant beside the strategies: kept
    ("x[H] + 2 <= 2.3", 2.3, "<=", 2.3),
])
def test_constraints_are_reported_as_written(written, level, sense, bound) -> None:
    model = model_from_string(f"""
set S = {{H, T}}
player a {{ mixed x over S  subject to cap: {written} }}
player b {{ mixed y over S }}
payoff a = sum(s in S, t in S) x[s] * y[t] * (if s == t then 1 else -1)
zero_sum
""", "t.game")
    result = run_model(model)
    lp = result.extra["lp"]
    assert lp["constraint_lhs"]["cap"] == pytest.approx(level, abs=1e-9)
    assert lp["constraint_bounds"]["cap"] == {"sense": sense, "bound": pytest.approx(bound)}
    assert result.strategies["a"]["H"] == pytest.approx(0.3, abs=1e-9)  # the bound binds
    assert lp["shadow_prices"]["cap"] > 0  # relaxing a binding <= helps the leader


MP = """
set S = {H, T}
param w[s in S] = if s == H then 1 else 2
player a { mixed x over S }
player b { mixed y over S }
payoff a = PAYOFF
zero_sum
"""


@pytest.mark.parametrize("payoff, value, p_heads", [
    # the diagonal written with a shared index; matching pennies: value 0, uniform
    ("sum(s in S) x[s] * y[s] - sum(s in S, t in S : s != t) x[s] * y[t]", 0.0, 0.5),
    # a constant: the rows of x and y sum to 1, so it just shifts the value
    ("5 + sum(s in S, t in S) x[s] * y[t] * (2 * [s == t] - 1)", 5.0, 0.5),
    # a term in x alone: C = [[1.5, -0.5], [-1, 1]], value 0.25 at x = (1/2, 1/2)
    ("sum(s in S) (if s == H then 0.5 else 0) * x[s] + sum(s in S, t in S) x[s] * y[t] * "
     "(2 * [s == t] - 1)", 0.25, 0.5),
    # a term in y alone: C = [[1, -0.5], [-1, 1.5]]: value 0.25 at x = (5/8, 3/8)
    ("sum(t in S) (if t == T then 0.5 else 0) * y[t] + sum(s in S, t in S) x[s] * y[t] * "
     "(2 * [s == t] - 1)", 0.25, 0.625),
    # a product of two sums: C[s, t] = w[s] w[t] - 2.25 [s = t = H]: a plays T, value 2
    ("(sum(s in S) w[s] * x[s]) * (sum(t in S) w[t] * y[t]) - 2.25 * x[H] * y[H]", 2.0, 0.0),
    # the same with the same index name in both sums: (x_H - x_T)(y_H - y_T) after w -> +-1
    ("(sum(s in S) (3 - 2 * w[s]) * x[s]) * (sum(s in S) (3 - 2 * w[s]) * y[s])", 0.0, 0.5),
])
def test_bilinear_payoffs_in_any_written_form(payoff: str, value: float, p_heads: float) -> None:
    result = run_model(model_from_string(MP.replace("PAYOFF", payoff), "t.game"))
    assert result.values["a"] == pytest.approx(value, abs=1e-9)
    assert result.strategies["a"].get("H", 0.0) == pytest.approx(p_heads, abs=1e-9)
    assert result.certificate.ok


def test_a_follower_only_term_is_refused_when_the_follower_sees_the_choice() -> None:
    model = model_from_string("""
set S = {H, T}
player a { mixed x over S }
player b { mixed y[s in S] over S }
payoff a = sum(s in S, t in S) x[s] * y[s, t] * [s == t] + sum(s in S, t in S) y[s, t]
zero_sum
order a -> b
""", "t.game")
    with pytest.raises(SolverError, match="not bilinear when `y` observes"):
        run_model(model)


def test_derive_places_each_term_at_its_own_indices() -> None:
    from gamespec.api import loads

    text = loads(MP.replace("PAYOFF", "sum(s in S) x[s] * y[s]")).derive().plain()
    assert "C[s, s] += 1 (sum s in S)" in text


def test_an_indexed_constraint_is_one_side_constraint_per_element() -> None:
    from scipy.optimize import linprog

    model = model_from_string("""
set R = 1..4
param psi[r in R] = r / 10
param dp[a in R, b in R] = abs(a - b) + [a == 1 and b == 4] * 2
player u {
  mixed f[r in R] over R
  subject to cap[r in R]: sum(s in R) f[r, s] * [s != r] <= 0.3
}
player adv { mixed h[s in R] over R }
payoff u = sum(r in R, s in R, a in R) psi[r] * f[r, s] * h[s, a] * dp[a, r]
zero_sum
order u -> adv
""", "t.game")
    result = run_model(model)
    assert set(result.extra["lp"]["shadow_prices"]) == {"cap[1]", "cap[2]", "cap[3]", "cap[4]"}
    # the same LP written out for scipy: max sum_s v_s, v_s <= sum_r psi dp f, rows of f sum
    # to 1, and sum_{s != r} f[r, s] <= 0.3 for every r
    n = 4
    psi = np.arange(1, 5) / 10
    dp = np.array([[abs(a - b) + 2 * (a == 1 and b == 4) for b in range(1, 5)]
                   for a in range(1, 5)], dtype=float)
    c = np.r_[np.zeros(n * n), -np.ones(n)]
    A, b = [], []
    for s in range(n):
        for a in range(n):
            row = np.zeros(n * n + n)
            row[n * n + s] = 1
            row[[r * n + s for r in range(n)]] -= psi * dp[a]
            A.append(row), b.append(0.0)
    for r in range(n):
        row = np.zeros(n * n + n)
        row[[r * n + s for s in range(n) if s != r]] = 1
        A.append(row), b.append(0.3)
    eq = np.zeros((n, n * n + n))
    for r in range(n):
        eq[r, r * n:(r + 1) * n] = 1
    ref = linprog(c, A_ub=A, b_ub=b, A_eq=eq, b_eq=np.ones(n),
                  bounds=[(0, None)] * (n * n) + [(None, None)] * n)
    assert result.values["u"] == pytest.approx(-ref.fun, abs=1e-9)


def test_derive_gives_the_linear_programs_in_latex_too() -> None:
    from gamespec.api import load

    derivation = load(SPECS / "matching_pennies.game").derive()
    tex = derivation.latex()
    assert r"\max v \text{ over }" in tex and r"\sum_{a}" in tex and "C_{s,a}" in tex
    items = derivation.as_dict()["linear programs (built by the LP method)"]
    rows = {item["label"].strip(): item for item in items}
    assert rows["best-response rows"]["plain"].startswith("v <= sum_s C[s, a]")
    assert rows["best-response rows"]["latex"].startswith(r"v \le \sum_{s} C_{s,a}")


@pytest.mark.parametrize("route", ["pyomo", "pyomo-aml"])
def test_pyomo_routes_agree_with_the_direct_default(route) -> None:
    """`solve using lp { route = ... }` keeps Pyomo selectable: same value, strategies and
    baselines as the default direct route, and the result names the route it took."""
    model = load_model(SPECS / "location_privacy.game", {"n_regions": 12, "Qmax": 0.4})
    direct = solve(model, classify(model), {})
    through = solve(model, classify(model), {"route": route})
    assert "bulk" in direct.extra["lp"]["interface"]
    assert "Pyomo" in through.extra["lp"]["interface"] or "pyomo" in \
        through.extra["lp"]["interface"]
    assert through.values["user_lppm"] == pytest.approx(direct.values["user_lppm"], abs=1e-9)
    assert through.extra["lp"]["duality_gap"] < 1e-9
    for name, entry in direct.compare.items():
        for key in ("value_against_optimal_response", "optimal_value_at_same_constraint_levels"):
            assert through.compare[name][key] == pytest.approx(entry[key], abs=1e-9)


def test_baselines_match_independent_lps() -> None:
    """Each baseline's optimal response (computed in closed form) equals the response LP's
    optimum, and the optimum at its constraint levels (the leader's LP re-solved from the
    main solution's basis, once per distinct level) equals a cold solve of both LPs."""
    from gamespec.solvers.lp.follower_response import optimal_response
    from gamespec.solvers.lp.method import conditional_game, profile_matrix
    from gamespec.solvers.lp.zero_sum_solve import solve_zero_sum

    model = load_model(SPECS / "location_privacy.game", {"n_regions": 15, "Qmax": 0.1})
    result = solve(model, classify(model), {})
    game = bilinear_game(model, "user_lppm", "adversary")
    conditional = conditional_game(game)
    for k in (2, 4):
        f = profile_matrix(model, game, f"obfuscation[{k}]")
        lp_response = optimal_response(conditional.payoff, f, conditional.signal)
        level = result.compare[f"obfuscation[{k}]"]["constraint_lhs"]["quality"]
        cold = solve_zero_sum(conditional_game(game, {"quality": level}), warm_start=False)
        for name in (f"obfuscation[{k}]", f"obfuscation_bayes[{k}]"):
            entry = result.compare[name]
            assert entry["value_against_optimal_response"] == pytest.approx(
                lp_response.value, abs=1e-9)
            assert entry["optimal_value_at_same_constraint_levels"] == pytest.approx(
                cold.value, abs=1e-9)
        # the levels differ from Qmax = 0.1, which binds: a re-solve, not the main optimum
        assert cold.value > result.values["user_lppm"] + 1e-3
