"""The Nash-equilibrium MILP against pygambit's enummixed (all extreme equilibria, exact).

Welfare and each player's payoff are bilinear, and every maximal set of equilibria is a
product of polytopes, so their optimum over all equilibria is attained at an extreme
equilibrium: the MILP's optimum must equal the best value over enummixed's list, exactly.
"""
from __future__ import annotations

from fractions import Fraction

import nashpy
import numpy as np
import pytest
from oracles import gambit_reference as gambit  # (tests/oracles: test-only oracles)

from gamespec.errors import SolverError, SpecError
from gamespec.solvers.finite.milp_nash import equilibrium_is_unique, milp_equilibrium
from gamespec.solvers.finite.mixed_equilibrium import (
    MixedEquilibrium,
    exact_regret,
    max_regret,
    rational_payoffs,
)

SHAPES = [(2, 2), (3, 3), (3, 4), (4, 3), (2, 5), (5, 5)]


def extreme_equilibria(A, B):
    """pygambit's enummixed (tests/oracles/gambit_reference.py: replayed where pygambit is
    not installed), each equilibrium as ([x...], [y...]) in Fractions."""
    found = gambit.solve(gambit.arrays(A.astype(int), B.astype(int)), "enummixed", rational=True)
    return [tuple(list(row) for row in eq.profile) for eq in found.equilibria]


def exact_value(M, x, y):
    return sum(x[i] * Fraction(int(M[i, j])) * y[j]
               for i in range(M.shape[0]) for j in range(M.shape[1]))


def exact_inputs(A, B):
    return rational_payoffs(A), rational_payoffs(B)


def random_game(rng, shape, low=-9, high=10):
    return tuple(rng.integers(low, high, size=(2, *shape)).astype(float))


@pytest.mark.parametrize("shape", SHAPES)
def test_welfare_and_payoff_optima_match_enummixed(shape):
    rng = np.random.default_rng(sum(shape) * 101 + shape[0])
    for _ in range(3):
        A, B = random_game(rng, shape)
        extremes = extreme_equilibria(A, B)
        exact = exact_inputs(A, B)
        cases = [("welfare", lambda x, y, W=A + B: exact_value(W, x, y), max)]
        for k, M in enumerate((A, B)):
            for sense, pick in (("max", max), ("min", min)):
                cases.append((("payoff", k, sense), lambda x, y, M=M: exact_value(M, x, y), pick))
        for objective, value, pick in cases:
            eq = milp_equilibrium(A, B, objective, exact=exact)
            assert eq.exact is not None, objective
            assert exact_regret(np.stack(exact), eq.exact) == 0
            best = pick(value(x, y) for x, y in extremes)
            assert value(*eq.exact) == best, (objective, A, B)


@pytest.mark.parametrize("shape", SHAPES)
def test_any_equilibrium_is_one_of_enummixed_when_nondegenerate(shape):
    rng = np.random.default_rng(sum(shape) * 7)
    for _ in range(3):
        A, B = random_game(rng, shape, -1000, 1000)  # wide range: nondegenerate in practice
        eq = milp_equilibrium(A, B, exact=exact_inputs(A, B))
        assert max_regret(np.stack([A, B]), eq.strategies) <= 1e-9
        assert (list(eq.exact[0]), list(eq.exact[1])) in extreme_equilibria(A, B)
        theirs = nashpy.Game(A, B).vertex_enumeration()  # nashpy: a second oracle
        assert any(np.allclose(x, eq.strategies[0], atol=1e-9)
                   and np.allclose(y, eq.strategies[1], atol=1e-9) for x, y in theirs)


def has_pure_equilibrium(A, B):
    return any(A[i, j] == A[:, j].max() and B[i, j] == B[i].max()
               for i in range(A.shape[0]) for j in range(A.shape[1]))


def test_any_equilibrium_of_games_without_pure_ones_comes_from_the_milp():
    rng = np.random.default_rng(77)
    checked = 0
    while checked < 6:
        A, B = random_game(rng, tuple(rng.integers(2, 6, size=2)), -1000, 1000)
        if has_pure_equilibrium(A, B):
            continue
        eq = milp_equilibrium(A, B, exact=exact_inputs(A, B))
        assert min(len(s) for s in eq.support()) >= 2
        assert (list(eq.exact[0]), list(eq.exact[1])) in extreme_equilibria(A, B)
        checked += 1


def test_without_exact_payoffs_answer_is_float_and_certified():
    rng = np.random.default_rng(5)
    A, B = rng.normal(size=(2, 6, 7))
    eq = milp_equilibrium(A, B, "welfare")
    assert eq.exact is None
    assert max_regret(np.stack([A, B]), eq.strategies) <= 1e-9


def test_battle_of_the_sexes_objectives():
    A = np.array([[3.0, 0.0], [0.0, 2.0]])
    B = np.array([[2.0, 0.0], [0.0, 3.0]])
    exact = exact_inputs(A, B)
    assert milp_equilibrium(A, B, "welfare", exact=exact).support() in (((0,), (0,)),
                                                                        ((1,), (1,)))
    worst_for_row = milp_equilibrium(A, B, ("payoff", 0, "min"), exact=exact)
    assert worst_for_row.exact == ((Fraction(3, 5), Fraction(2, 5)),
                                   (Fraction(2, 5), Fraction(3, 5)))
    best_for_col = milp_equilibrium(A, B, ("payoff", 1, "max"), exact=exact)
    assert best_for_col.exact == ((0, 1), (0, 1))


def dominance_solvable(rng, m, n):
    """Row 0 strictly dominates for player 1; column argmax of B[0] is unique."""
    A, B = random_game(rng, (m, n))
    A[0] = A[1:].max(axis=0) + rng.integers(1, 4, size=n)
    B[0] = rng.permutation(n) * 2.0
    return A, B


def test_uniqueness_on_dominance_solvable_games():
    rng = np.random.default_rng(9)
    for m, n in [(3, 3), (4, 2), (2, 5)]:
        A, B = dominance_solvable(rng, m, n)
        assert len(extreme_equilibria(A, B)) == 1
        eq = milp_equilibrium(A, B)
        assert equilibrium_is_unique(A, B, eq) == (True, None)


def test_uniqueness_agrees_with_enummixed_on_random_games():
    rng = np.random.default_rng(2024)
    seen = {True: 0, False: 0}
    for shape in [(2, 2), (3, 3), (3, 2), (4, 4)] * 3:
        A, B = random_game(rng, shape, -5, 6)  # small range: degenerate games too
        payoffs = np.stack([A, B])
        eq = milp_equilibrium(A, B)
        unique, other = equilibrium_is_unique(A, B, eq)
        assert unique == (len(extreme_equilibria(A, B)) == 1)
        seen[unique] += 1
        if not unique:
            assert max_regret(payoffs, other.strategies) <= 1e-9
            gap = max(np.max(np.abs(a - b)) for a, b in zip(eq.strategies, other.strategies))
            assert gap > 1e-6
    assert seen[True] >= 2 and seen[False] >= 2


def test_matching_pennies_unique_and_constant_game_not():
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    eq = milp_equilibrium(A, -A, exact=exact_inputs(A, -A))
    assert eq.exact == ((Fraction(1, 2), Fraction(1, 2)), (Fraction(1, 2), Fraction(1, 2)))
    assert equilibrium_is_unique(A, -A, eq) == (True, None)
    zeros = np.zeros((2, 3))
    eq = milp_equilibrium(zeros, zeros)
    unique, other = equilibrium_is_unique(zeros, zeros, eq)
    assert not unique and other is not None


def test_bad_inputs_and_limits():
    A = np.zeros((2, 2))
    with pytest.raises(SpecError):
        milp_equilibrium(A, np.zeros((2, 3)))
    with pytest.raises(SpecError):
        milp_equilibrium(A, A, ("payoff", 2, "max"))
    with pytest.raises(SpecError):
        milp_equilibrium(np.array([[np.nan, 0.0], [0.0, 0.0]]), A)
    not_eq = MixedEquilibrium((np.array([1.0, 0.0]), np.array([1.0, 0.0])))
    with pytest.raises(SolverError, match="not an equilibrium"):
        equilibrium_is_unique(np.array([[0.0, 0.0], [1.0, 1.0]]), A, not_eq)
    rng = np.random.default_rng(1)
    A, B = random_game(rng, (40, 40))
    with pytest.raises(SolverError, match="time limit"):
        milp_equilibrium(A, B, "welfare", time_limit=0.01)
