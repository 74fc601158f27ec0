"""Vertex enumeration against pygambit's enummixed and nashpy, on random, degenerate and
textbook bimatrix games and von Stengel's 6x6 game with 75 equilibria."""
from __future__ import annotations

import warnings
from fractions import Fraction as F

import nashpy
import numpy as np
import pytest
from oracles.bimatrix import (  # (tests/oracles: test-only oracles)
    DEGENERATE,
    TEXTBOOK,
    enummixed,
    exact,
    random_game,
    von_stengel_6x6,
)

from gamespec.errors import SolverError
from gamespec.solvers.finite.mixed_equilibrium import exact_regret, max_regret
from gamespec.solvers.finite.vertex_enumeration import enumeration_cost, extreme_equilibria


def solve_exact(A, B):
    return extreme_equilibria(np.asarray(A, float), np.asarray(B, float), exact=exact(A, B))


def exact_set(equilibria):
    return {tuple(eq.exact) for eq in equilibria}


def assert_certified(A, B, equilibria):
    payoffs = np.stack([np.asarray(A, float), np.asarray(B, float)])
    exact_payoffs = np.stack(list(exact(A, B)))
    for eq in equilibria:
        assert max_regret(payoffs, eq.strategies) < 1e-9 * max(1.0, np.abs(payoffs).max())
        assert exact_regret(exact_payoffs, eq.exact) == 0
        for s, e in zip(eq.strategies, eq.exact):
            assert np.allclose(s, [float(v) for v in e], atol=1e-12)


SHAPES = [(2, 2), (3, 3), (2, 5), (4, 3), (5, 5), (1, 4), (5, 2)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("low,high", [(-20, 20), (0, 2)])
def test_random_games_match_enummixed(shape, low, high):
    rng = np.random.default_rng(1000 * shape[0] + 10 * shape[1] + high)
    for _ in range(8):
        A, B = random_game(rng, *shape, low, high)
        found = solve_exact(A, B)
        assert exact_set(found) == enummixed(A, B)
        assert len(found) == len(exact_set(found))
        assert_certified(A, B, found)


@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_degenerate_games_match_enummixed(name):
    A, B = DEGENERATE[name]
    found = solve_exact(A, B)
    assert exact_set(found) == enummixed(A, B)
    assert_certified(A, B, found)


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_textbook_games_match_enummixed(name):
    A, B = TEXTBOOK[name]
    found = solve_exact(A, B)
    assert exact_set(found) == enummixed(A, B)
    assert_certified(A, B, found)


def test_battle_of_the_sexes_closed_form():
    A, B = TEXTBOOK["battle_of_the_sexes"]
    assert exact_set(solve_exact(A, B)) == {
        ((F(1), F(0)), (F(1), F(0))),
        ((F(0), F(1)), (F(0), F(1))),
        ((F(3, 5), F(2, 5)), (F(2, 5), F(3, 5))),
    }


def test_rock_paper_scissors_uniform_only():
    A, B = TEXTBOOK["rock_paper_scissors"]
    third = (F(1, 3),) * 3
    assert exact_set(solve_exact(A, B)) == {(third, third)}


def test_float_mode_matches_nashpy_on_nondegenerate_games():
    rng = np.random.default_rng(7)
    for m, n in [(2, 2), (3, 3), (4, 3), (2, 5), (5, 5)]:
        A, B = rng.standard_normal((m, n)), rng.standard_normal((m, n))
        found = extreme_equilibria(A, B)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = list(nashpy.Game(A, B).vertex_enumeration())
        assert len(found) == len(theirs)
        for x, y in theirs:
            assert any(np.allclose(x, eq.strategies[0], atol=1e-8)
                       and np.allclose(y, eq.strategies[1], atol=1e-8) for eq in found)
        assert all(eq.exact is None for eq in found)


def test_von_stengel_6x6_has_75_equilibria_as_enummixed():
    A, B = von_stengel_6x6()
    found = solve_exact(A, B)
    assert len(found) == 75
    assert exact_set(found) == enummixed(A, B)
    assert_certified(A, B, found)
    floats_only = extreme_equilibria(A, B)
    assert len(floats_only) == 75


def test_negative_and_shifted_payoffs_give_the_same_equilibria():
    rng = np.random.default_rng(3)
    A, B = random_game(rng, 4, 4, -5, 5)
    base = exact_set(solve_exact(A, B))
    assert exact_set(solve_exact(3 * A - 100, 0.5 * B + 7)) == base


def test_order_is_deterministic_and_lexicographic():
    rng = np.random.default_rng(11)
    A, B = random_game(rng, 5, 5, 0, 3)
    first, second = solve_exact(A, B), solve_exact(A, B)
    keys = [tuple(v for s in eq.exact for v in s) for eq in first]
    assert keys == [tuple(v for s in eq.exact for v in s) for eq in second]
    assert keys == sorted(keys, reverse=True)


def test_too_many_bases_is_a_solver_error_naming_the_count():
    A = np.zeros((12, 12))
    assert enumeration_cost(12, 12) == 2_704_156
    with pytest.raises(SolverError) as err:
        extreme_equilibria(A, A, max_bases=1_000_000)
    assert "2,704,156" in err.value.message and "1,000,000" in err.value.message
    assert "lemke_howson" in err.value.hint


def test_bad_shapes_are_solver_errors():
    with pytest.raises(SolverError):
        extreme_equilibria(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(SolverError):
        extreme_equilibria(np.array([[np.nan]]), np.zeros((1, 1)))
