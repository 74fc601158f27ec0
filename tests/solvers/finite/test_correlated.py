"""Correlated and coarse correlated equilibria: the bulk LP against scipy's linprog on a
loop-built LP, the chicken textbook CE, and Nash equilibria as product distributions."""
from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from oracles import gambit_reference as gambit  # (tests/oracles: pygambit, or replayed)
from scipy.optimize import linprog

from gamespec.errors import SpecError
from gamespec.solvers.finite.correlated import correlated_equilibrium, obedience_violation

CHICKEN = np.array([[[6, 2], [7, 0]], [[6, 7], [2, 0]]], dtype=float)


def loop_lp(u, coarse):
    """The obedience constraints written out profile by profile (the oracle's own build)."""
    n, shape = u.shape[0], u.shape[1:]
    profiles = list(itertools.product(*[range(s) for s in shape]))
    index = {s: i for i, s in enumerate(profiles)}
    rows = []
    for k in range(n):
        for alt in range(shape[k]):
            recommended = [None] if coarse else [a for a in range(shape[k]) if a != alt]
            for a in recommended:
                row = np.zeros(len(profiles))
                for s in profiles:
                    if a is not None and s[k] != a:
                        continue
                    dev = s[:k] + (alt,) + s[k + 1:]
                    row[index[s]] = u[(k,) + dev] - u[(k,) + s]
                rows.append(row)
    return np.array(rows), profiles


def linprog_value(u, weights, maximize, coarse):
    A_ub, profiles = loop_lp(u, coarse)
    c = np.array([sum(w * u[(k,) + s] for k, w in enumerate(weights)) for s in profiles])
    res = linprog(-c if maximize else c, A_ub=A_ub, b_ub=np.zeros(len(A_ub)),
                  A_eq=np.ones((1, len(profiles))), b_eq=[1.0], bounds=(0, None),
                  method="highs-ds")
    assert res.status == 0
    return (-res.fun if maximize else res.fun), A_ub


def test_chicken_welfare_ce_beats_the_mixed_nash_equilibrium():
    sol = correlated_equilibrium(CHICKEN)
    assert sol.objective == pytest.approx(10.5)
    assert np.allclose(sol.distribution, [[0.5, 0.25], [0.25, 0.0]], atol=1e-9)
    assert np.allclose(sol.payoffs, [5.25, 5.25])
    assert sol.max_violation <= 1e-12
    mixed_nash_welfare = 2 * (Fraction(2, 3) * 6 + Fraction(1, 3) * 2)  # col plays C w.p. 2/3
    assert mixed_nash_welfare == Fraction(28, 3)
    assert sol.objective > float(mixed_nash_welfare) + 1


def test_obedience_violation_closed_form_on_chicken():
    all_on_cc = np.array([[1.0, 0.0], [0.0, 0.0]])
    assert obedience_violation(CHICKEN, all_on_cc) == pytest.approx(1.0)  # 7 - 6
    assert obedience_violation(CHICKEN, all_on_cc, coarse=True) == pytest.approx(1.0)
    half = np.array([[0.0, 0.5], [0.5, 0.0]])  # the two pure equilibria, mixed publicly
    assert obedience_violation(CHICKEN, half) == 0.0
    assert obedience_violation(CHICKEN, half * 2) == pytest.approx(1.0)  # total 2


@pytest.mark.parametrize("shape", [(2, 3, 3), (2, 4, 2), (3, 2, 3, 2), (3, 3, 2, 2)])
@pytest.mark.parametrize("coarse", [False, True])
def test_matches_linprog_on_random_games(shape, coarse):
    rng = np.random.default_rng(hash((shape, coarse)) % 2**32)
    for _ in range(3):
        u = rng.integers(-5, 6, size=shape).astype(float)
        n = shape[0]
        objectives = [("welfare", [1.0] * n, True)] + [
            (("payoff", k, sense), [1.0 if j == k else 0.0 for j in range(n)], sense == "max")
            for k in range(n) for sense in ("max", "min")]
        for objective, weights, maximize in objectives:
            sol = correlated_equilibrium(u, objective, coarse=coarse)
            expected, A_ub = linprog_value(u, weights, maximize, coarse)
            assert sol.objective == pytest.approx(expected, abs=1e-7)
            assert sol.max_violation <= 1e-8
            mu = sol.distribution.ravel()
            assert np.max(A_ub @ mu) <= 1e-8 and mu.min() >= 0
            assert sum(w * p for w, p in zip(weights, sol.payoffs)) == pytest.approx(expected)


def test_cce_welfare_at_least_ce_welfare():
    rng = np.random.default_rng(7)
    for shape in [(2, 3, 3), (3, 2, 2, 3), (2, 4, 4)]:
        for _ in range(4):
            u = rng.normal(size=shape)
            ce = correlated_equilibrium(u)
            cce = correlated_equilibrium(u, coarse=True)
            assert cce.objective >= ce.objective - 1e-9
            # every CE is a CCE: the CE optimum passes the coarse check
            assert obedience_violation(u, ce.distribution, coarse=True) <= 1e-9


def test_nash_equilibria_are_correlated_equilibria():
    rng = np.random.default_rng(3)
    for m, n in [(3, 3), (2, 4), (4, 3)]:
        A, B = rng.integers(-9, 10, size=(2, m, n))
        u = np.stack([A, B]).astype(float)
        for eq in gambit.solve(gambit.arrays(A, B), "enummixed", rational=True).equilibria:
            x, y = ([float(v) for v in row] for row in eq.profile)
            product = np.outer(x, y)
            assert obedience_violation(u, product) <= 1e-12
            A_ub, _ = loop_lp(u, coarse=False)
            assert np.max(A_ub @ product.ravel()) <= 1e-12
            welfare = float(np.sum(product * u.sum(axis=0)))
            assert correlated_equilibrium(u).objective >= welfare - 1e-9


def test_pure_equilibria_of_three_player_games_are_correlated_equilibria():
    rng = np.random.default_rng(11)
    u = rng.integers(0, 3, size=(3, 3, 2, 3)).astype(float)
    found = 0
    for s in itertools.product(range(3), range(2), range(3)):
        if all(u[(k,) + s] >= max(u[(k,) + s[:k] + (a,) + s[k + 1:]]
                                  for a in range(u.shape[k + 1])) for k in range(3)):
            point = np.zeros(u.shape[1:])
            point[s] = 1.0
            assert obedience_violation(u, point) == 0.0
            found += 1
    assert found > 0


def test_bad_input_is_a_spec_error():
    with pytest.raises(SpecError):
        correlated_equilibrium(np.zeros((3, 2, 2)))
    with pytest.raises(SpecError):
        correlated_equilibrium(CHICKEN, objective=("payoff", 2, "max"))
    with pytest.raises(SpecError):
        correlated_equilibrium(CHICKEN, objective="fairness")
