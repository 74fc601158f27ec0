"""Obfuscation vs. tracking (PAPERS.md section 1): the paper's closed forms (a test-only
oracle, tests/oracles/obfuscation_paper.py), the exact engine beside them, and the spec's
claims and reports checked against both. Expected numbers come from an independent brute force
written here in plain NumPy from PAPERS.md's formulas (no SymPy, no engine)."""
from __future__ import annotations

import math
import pickle
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from oracles import obfuscation_paper as ob  # (a test-only oracle)
from scipy import optimize

from gamespec.solvers.continuous import best_response, symbolic_best_response

WORKED = dict(ob.WORKED_EXAMPLE)
REGIME_1 = {**WORKED, "P_S": 0.5}  # P_S < C_S: nobody obfuscates even for free
REGIME_2 = {**WORKED, "P_S": 3.0, "C_S": 0.5, "kappa": 0.5}
REGIME_3 = {**WORKED, "P_S": 3.0, "C_S": 0.5, "kappa": 0.01}
DISPUTED = {**WORKED, "P_S": 3.0, "C_S": 0.5, "kappa": 0.1}  # paper: 3, corrected tau: 2


# --------------------------------------------------------------------------- brute force
def brute_user(s, sigma_l, sbar2, p):
    """U_i straight from PAPERS.md (sbar2 = sbar_{-i}^2 with the paper's 1/N)."""
    eps_g = p["kappa"] * (sigma_l**2 + (p["N"] - 1) / p["N"] * sbar2 + s**2 / p["N"])
    with np.errstate(divide="ignore"):
        eps_p = 1.0 / np.sqrt(sigma_l**2 + s**2)
    return p["A_S"] * np.exp(-eps_g) - p["P_S"] * (1 - np.exp(-eps_p)) - p["C_S"] * (s > 0)


def brute_gain_over_zero(sigma_l, p):
    """Best deviation from sigma_i = 0 when the others play 0, on a 4e5-point grid."""
    s = np.linspace(0.0, p["M"], 400_001)[1:]
    return brute_user(s, sigma_l, 0.0, p).max() - brute_user(0.0, sigma_l, 0.0, p)


def brute_threshold(p, lo, hi):
    """Smallest promise that makes not obfuscating a best response to nobody doing so."""
    return optimize.brentq(brute_gain_over_zero, lo, hi, args=(p,), xtol=1e-12)


@pytest.fixture(scope="module")
def exact():
    """Exact solves, shared by the tests (each takes a second or two)."""
    return {name: ob.compare_regimes(p) for name, p in
            (("worked", WORKED), ("1", REGIME_1), ("2", REGIME_2), ("3", REGIME_3),
             ("disputed", DISPUTED))}


# --------------------------------------------------------------------------- the model
def test_model_matches_the_paper_formulas():
    sym = ob.SYMBOLS
    utility = sp.lambdify((sym.sigma, sym.sbar2, sym.sigma_L),
                          ob.user_utility().xreplace({sym.kappa: 0.05, sym.N: 100, sym.A_S: 1,
                                                      sym.P_S: 1.5, sym.C_S: 0.8}))
    for s, sbar2, sigma_l in ((11.36, 0.0, 0.0), (3.0, 40.0, 2.0), (100.0, 7.5, 0.3)):
        assert utility(s, sbar2, sigma_l) == pytest.approx(brute_user(s, sigma_l, sbar2, WORKED),
                                                           abs=1e-13)
    assert ob.symmetric_field() == (sym.N - 1) / sym.N * sym.sigma**2
    # PAPERS.md's numbers: U(0) = -0.50, U(11.36) = +0.011, U(M) = -0.81
    assert ob.user_payoff(WORKED, 0, 0, 0) == pytest.approx(-0.5, abs=1e-12)
    assert ob.user_payoff(WORKED, 0, 0, 11.36) == pytest.approx(0.0111, abs=1e-4)
    assert ob.user_payoff(WORKED, 0, 0, 100) == pytest.approx(-0.8082, abs=1e-4)


def test_worked_example_best_response_is_interior_not_bang_bang():
    sym = ob.SYMBOLS
    response = best_response(ob.user_utility(), sym.sigma, 0, sym.M, sym.values(WORKED),
                             {sym.sigma_L: 0.0, sym.sbar2: 0.0})
    grid = np.linspace(0, 100, 1_000_001)
    brute = brute_user(grid, 0.0, 0.0, WORKED)
    assert response.points == pytest.approx((grid[brute.argmax()],), abs=2e-4)
    assert response.points[0] == pytest.approx(11.36, abs=0.01)
    assert response.value == pytest.approx(brute.max(), abs=1e-9)
    assert response.value == pytest.approx(0.011, abs=5e-4)
    lemma3 = ob.lemma3_best_response(WORKED, 0.0, 0.0)  # P(0) = 1.5 < AC = 1.8
    assert lemma3.points == (0.0,)
    assert lemma3.value == pytest.approx(-0.5)
    assert response.value - lemma3.value > 0.5


def test_worked_example_population_cascades_to_M():
    follower = ob.population_follower(WORKED)
    at_zero = follower.solve(0.0)
    assert [p.s for p in at_zero.fixed_points] == [100.0]
    assert ob.theorem1_gamma(WORKED, 0.0) == 0.0  # the paper predicts no obfuscation
    assert at_zero.certificate.ok
    # a promise of 0.95 makes 0 an equilibrium too; users prefer it (selection)
    both = follower.solve(0.95)
    assert [p.s for p in both.fixed_points] == [0.0, 100.0]
    assert all(p.stable for p in both.fixed_points)
    assert both.selected.s == 0.0
    assert both.fixed_points[0].payoff > both.fixed_points[1].payoff
    clone = pickle.loads(pickle.dumps(follower))  # sweeps may ship it to worker processes
    assert clone(0.95) == follower(0.95)


def test_worked_example_leader_promises_noise(exact):
    result = exact["worked"]
    threshold = brute_threshold(WORKED, 0.5, 2.0)
    assert result.exact.sigma_L == pytest.approx(threshold, abs=1e-7)
    assert result.exact.sigma_L == pytest.approx(0.934071, abs=1e-6)
    assert result.exact.users == 0.0
    assert result.exact.learner_value == pytest.approx(2 * math.exp(-0.05 * threshold**2) - 0.5,
                                                       abs=1e-8)
    assert result.exact.learner_value == pytest.approx(1.4146, abs=1e-4)
    assert result.exact.leader.certificate.ok
    # Lemma 4 claims the status quo (sigma_L = 0, U_L = A_L = 2): the engine disagrees
    assert ob.lemma4_applies(WORKED)
    assert result.predictions["paper"].regime == 1
    assert result.exact.regime == 3
    assert not result.agrees("paper")


# --------------------------------------------------------------------------- closed forms
def test_tau_hat_paper_and_corrected():
    p = REGIME_3
    corrected = ob.tau_hat_corrected(p)
    assert p["P_S"] * (1 - math.exp(-1 / corrected)) == pytest.approx(p["C_S"], abs=1e-14)
    assert corrected == pytest.approx(1 / math.log(1.2))
    assert ob.tau_hat_paper(p) == pytest.approx(math.sqrt(corrected))
    assert ob.kappa_threshold(p, "paper") == pytest.approx(math.log(4) * math.log(1.2))
    assert ob.kappa_threshold(p, "corrected") == pytest.approx(math.log(4) * math.log(1.2) ** 2)


def test_exact_tau_solves_p_equals_ac():
    p = REGIME_3
    (tau,) = ob.tau_exact(p)
    equation = ob.tau_equation()
    gap = (equation.lhs - equation.rhs).xreplace(
        {**{k: v for k, v in ob.SYMBOLS.values(p).items()}, ob.TAU: tau})
    assert abs(float(gap)) < 1e-12
    assert tau == pytest.approx(1.47288, abs=1e-5)
    assert tau < ob.tau_hat_paper(p) < ob.tau_hat_corrected(p)  # the paper's tau_hat > tau
    assert ob.tau_exact(WORKED) == ()  # P_S - C_S < A_S: P < AC everywhere


@pytest.mark.parametrize("name, params, regime", [("1", REGIME_1, 1), ("2", REGIME_2, 2),
                                                  ("3", REGIME_3, 3)])
def test_table1_regimes_agree_with_exact_solution(exact, name, params, regime):
    result = exact[name]
    assert result.predictions["paper"].regime == regime
    assert result.predictions["corrected"].regime == regime
    assert result.exact.regime == regime
    assert result.agrees("paper") and result.agrees("corrected")
    assert result.exact.leader.certificate.ok


def test_table1_numbers_beside_the_closed_form(exact):
    status_quo = exact["1"].exact
    assert (status_quo.sigma_L, status_quo.users) == (0.0, 0.0)
    assert status_quo.learner_value == pytest.approx(2.0)
    cascade = exact["2"].exact
    assert (cascade.sigma_L, cascade.users) == (0.0, 100.0)
    assert abs(cascade.learner_value) < 1e-12
    promise = exact["3"]
    threshold = brute_threshold(REGIME_3, 1.0, 10.0)
    assert promise.exact.sigma_L == pytest.approx(threshold, abs=1e-7)
    assert promise.exact.sigma_L == pytest.approx(3.97177, abs=1e-5)
    # paper's tau_hat 2.342, corrected 5.485, exact P = AC root 1.473: none is the answer
    assert promise.predictions["paper"].sigma_L == pytest.approx(2.34197, abs=1e-5)
    assert promise.predictions["corrected"].sigma_L == pytest.approx(5.48481, abs=1e-5)
    assert promise.predictions["exact_tau"].sigma_L == pytest.approx(1.47288, abs=1e-5)


def test_disputed_point_paper_regime_holds_but_its_promise_fails(exact):
    result = exact["disputed"]
    assert result.predictions["paper"].regime == 3
    assert result.predictions["corrected"].regime == 2
    assert result.exact.regime == 3
    assert result.exact.sigma_L == pytest.approx(brute_threshold(DISPUTED, 1.0, 10.0), abs=1e-7)
    assert result.exact.learner_value == pytest.approx(0.06962, abs=1e-5)
    paper_promise = result.predictions["paper"].sigma_L
    assert brute_gain_over_zero(paper_promise, DISPUTED) > 0  # users still deviate at it
    follower = ob.population_follower(DISPUTED)
    assert follower(paper_promise).values[ob.SYMBOLS.sigma] > 0


def test_derivation_of_the_user_best_response():
    sym = ob.SYMBOLS
    derivation = symbolic_best_response(ob.user_utility(), sym.sigma, 0, sym.M, timeout=1.0)
    smooth = derivation.branches[0]
    assert smooth.condition == (sym.sigma > 0)
    assert smooth.stationary is None  # transcendental: no closed form
    expected = (sym.A_S * sp.exp(-ob.eps_g(sym.sigma_L, sym.sbar2, sym.sigma))
                - sym.P_S * (1 - sp.exp(-ob.eps_p(sym.sigma_L, sym.sigma))) - sym.C_S)
    assert sp.simplify(smooth.expr - expected) == 0
    # the engine's interior optimum (11.3576...) solves the derived first-order condition
    optimum = best_response(ob.user_utility(), sym.sigma, 0, sym.M, sym.values(WORKED),
                            {sym.sigma_L: 0.0, sym.sbar2: 0.0}).points[0]
    foc = smooth.foc.lhs.xreplace({**{k: sp.Float(v) for k, v in sym.values(WORKED).items()},
                                   sym.sigma_L: 0, sym.sbar2: 0, sym.sigma: sp.Float(optimum)})
    assert abs(float(foc)) < 1e-12
    assert derivation.switch_points == (0,)
    kinds = sorted(c.kind for c in derivation.candidates)
    assert kinds == ["end point", "stationary", "switch"]
    assert any("first-order condition" in note for note in derivation.notes)


# --------------------------------------------------------------------------- the spec's claims
SPEC = Path(__file__).resolve().parents[1] / "specs" / "obfuscation_mfg.game"


@pytest.fixture
def spec_result(solved_spec):
    """The spec solved through the run path (statements included), once per session."""
    return lambda **params: solved_spec("obfuscation_mfg", **params)


def test_spec_claims_at_the_worked_example_match_the_oracle(exact, spec_result):
    result = spec_result()
    oracle = exact["worked"]
    assert result.reports["regime_exact"] == oracle.exact.regime == 3
    for variant in ob.VARIANTS:
        assert result.reports[f"regime_{variant}"] == oracle.predictions[variant].regime
        assert result.reports[f"sigma_L_{variant}"] == oracle.predictions[variant].sigma_L
        assert result.claims[f"table1_{variant}"]["verdict"] == (
            "holds" if oracle.agrees(variant) else "does not hold")
    lemma3 = result.claims["lemma3"]
    assert lemma3["verdict"] == "does not hold"
    example = lemma3["counterexample"]
    assert example["claimed"] == ob.lemma3_best_response(WORKED, 0.0, 0.0).points[0] == 0.0
    assert example["best_response"] == "11.3576"
    assert example["best_payoff"] == pytest.approx(0.0111155, abs=1e-7)
    assert result.claims["lemma3_promises"]["verdict"] == "holds where"
    assert result.claims["theorem1"]["verdict"] == "holds"  # no obfuscation at the answer
    # Theorem 1 as Gamma(sigma_L): the users cascade to M below the promise ~0.934
    gamma = result.claims["theorem1_gamma"]
    assert gamma["verdict"] == "holds where" and gamma["region"] == "where sigma_L in [1, 2]"
    cascade = [p.s for p in ob.population_follower(WORKED).solve(0.0).fixed_points]
    assert gamma["counterexample"]["equilibria"] == "{" + ", ".join(f"{s:g}" for s in cascade) + "}"
    assert ob.theorem1_gamma(WORKED, 0.0) == gamma["counterexample"]["claimed"] == 0.0
    assert result.claims["theorem2_paper"]["verdict"] == "does not hold"
    assert result.claims["theorem2_corrected"]["verdict"] == "holds"
    assert result.reports["tau_exact"] == "nan" or math.isnan(result.reports["tau_exact"])


def test_spec_reports_in_regime_3_match_the_oracle(exact, spec_result):
    result = spec_result(P_S=3, C_S=0.5, kappa=0.01)
    oracle = exact["3"]
    assert result.reports["regime_exact"] == 3
    for variant in ob.VARIANTS:
        assert result.reports[f"regime_{variant}"] == oracle.predictions[variant].regime
    assert result.reports["sigma_L_paper"] == pytest.approx(2.34197, abs=1e-5)
    assert result.reports["sigma_L_corrected"] == pytest.approx(5.48481, abs=1e-5)
    # the spec's grid-and-interpolate root against brentq (tests/oracles)
    assert result.reports["tau_exact"] == pytest.approx(ob.tau_exact(REGIME_3)[0], abs=5e-6)
    assert result.claims["table1_paper"]["verdict"] == "holds"
