"""Lemke-Howson against nashpy (same dropped label, same equilibrium on nondegenerate games)
and pygambit (every answer is one of enummixed's extreme equilibria; lcp's are reached)."""
from __future__ import annotations

import time
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
    lcp,
    random_game,
    time_limit,
    von_stengel_6x6,
)

from gamespec.errors import SolverError
from gamespec.solvers.finite.bimatrix_exact import positive, positive_exact
from gamespec.solvers.finite.lemke_howson import (
    complementary_path,
    lemke_howson,
    lemke_howson_all,
)
from gamespec.solvers.finite.mixed_equilibrium import exact_regret, max_regret


def certified(A, B, eq, exact_payoffs=None):
    payoffs = np.stack([np.asarray(A, float), np.asarray(B, float)])
    assert max_regret(payoffs, eq.strategies) < 1e-9 * max(1.0, np.abs(payoffs).max())
    if exact_payoffs is not None:
        assert exact_regret(np.stack(list(exact_payoffs)), eq.exact) == 0
        for s, e in zip(eq.strategies, eq.exact):
            assert np.allclose(s, [float(v) for v in e], atol=1e-12)


@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (4, 4), (5, 5), (3, 2), (2, 5)])
def test_same_equilibrium_as_nashpy_for_every_label(shape):
    rng = np.random.default_rng(17 * shape[0] + shape[1])
    compared = 0
    for _ in range(6):
        A, B = rng.standard_normal(shape), rng.standard_normal(shape)
        game = nashpy.Game(A, B)
        for label in range(sum(shape)):
            eq = lemke_howson(A, B, label)
            certified(A, B, eq)
            try:
                with time_limit(2), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    x, y = game.lemke_howson(initial_dropped_label=label)
            except (TimeoutError, KeyError, ValueError):
                continue  # nashpy 0.0.43 sometimes loops or fails on non-square games
            if max_regret(np.stack([A, B]), (x, y)) > 1e-8:
                continue  # nor is every nashpy answer on a non-square game an equilibrium
            assert np.allclose(x, eq.strategies[0], atol=1e-8), (label, x, eq.strategies)
            assert np.allclose(y, eq.strategies[1], atol=1e-8), (label, y, eq.strategies)
            compared += 1
    assert compared >= 3 * sum(shape)


@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (2, 5), (4, 3), (5, 5)])
@pytest.mark.parametrize("low,high", [(-9, 9), (0, 2)])
def test_every_label_reaches_an_extreme_equilibrium_of_enummixed(shape, low, high):
    rng = np.random.default_rng(100 * shape[0] + shape[1] + high)
    for _ in range(6):
        A, B = random_game(rng, *shape, low, high)
        ex = exact(A, B)
        extreme = enummixed(A, B)
        runs = lemke_howson_all(A, B, exact=ex)
        labels = sorted(label for group, _ in runs for label in group)
        assert labels == list(range(sum(shape)))
        for _, eq in runs:
            certified(A, B, eq, ex)
            assert tuple(eq.exact) in extreme
        assert len({tuple(eq.exact) for _, eq in runs}) == len(runs)


@pytest.mark.parametrize("name", sorted(DEGENERATE) + sorted(TEXTBOOK))
def test_degenerate_and_textbook_games(name):
    A, B = {**DEGENERATE, **TEXTBOOK}[name]
    ex = exact(A, B)
    extreme = enummixed(A, B)
    for labels, eq in lemke_howson_all(np.asarray(A, float), np.asarray(B, float), exact=ex):
        certified(A, B, eq, ex)
        assert tuple(eq.exact) in extreme, (labels, eq.exact)


def test_reaches_what_gambit_lcp_reaches_on_nondegenerate_games():
    rng = np.random.default_rng(23)
    for shape in [(3, 3), (4, 4), (3, 5)]:
        A, B = random_game(rng, *shape, -1000, 1000)
        mine = {tuple(eq.exact) for _, eq in lemke_howson_all(A, B, exact=exact(A, B))}
        assert lcp(A, B) <= mine | enummixed(A, B)
        assert mine & lcp(A, B)


def test_battle_of_the_sexes_labels():
    A, B = TEXTBOOK["battle_of_the_sexes"]
    runs = lemke_howson_all(np.asarray(A, float), np.asarray(B, float), exact=exact(A, B))
    reached = {tuple(eq.exact): labels for labels, eq in runs}
    # from (0, 0) every dropped label reaches a pure equilibrium in this game
    assert reached == {((F(1), F(0)), (F(1), F(0))): [0, 2],
                       ((F(0), F(1)), (F(0), F(1))): [1, 3]}


def test_matching_pennies_and_rps_exact_mix():
    A, B = TEXTBOOK["matching_pennies"]
    eq = lemke_howson(np.asarray(A, float), np.asarray(B, float), 0, exact=exact(A, B))
    assert eq.exact == ((F(1, 2), F(1, 2)), (F(1, 2), F(1, 2)))
    A, B = TEXTBOOK["rock_paper_scissors"]
    eq = lemke_howson(np.asarray(A, float), np.asarray(B, float), 4, exact=exact(A, B))
    assert eq.exact == ((F(1, 3),) * 3, (F(1, 3),) * 3)


def test_von_stengel_6x6_every_label():
    A, B = von_stengel_6x6()
    ex = exact(A, B)
    extreme = enummixed(A, B)
    for _, eq in lemke_howson_all(A, B, exact=ex):
        certified(A, B, eq, ex)
        assert tuple(eq.exact) in extreme


def test_large_random_game_is_fast():
    rng = np.random.default_rng(5)
    A, B = rng.standard_normal((50, 50)), rng.standard_normal((50, 50))
    start = time.process_time()  # CPU time: a loaded machine does not fail it
    eq = lemke_howson(A, B, 0)
    assert time.process_time() - start < 5.0  # a path of exponential length would not be
    certified(A, B, eq)
    Ai, Bi = np.round(A * 100), np.round(B * 100)
    eq = lemke_howson(Ai, Bi, 7, exact=exact(Ai, Bi))
    certified(Ai, Bi, eq, exact(Ai, Bi))


def test_label_out_of_range_is_a_solver_error():
    with pytest.raises(SolverError):
        lemke_howson(np.zeros((2, 2)), np.zeros((2, 2)), 4)


def test_exact_pivoting_follows_the_float_path():
    # the fallback when a float path goes astray: the same pivots in Fractions
    rng = np.random.default_rng(31)
    for shape in [(3, 3), (4, 2), (2, 4)]:
        for _ in range(4):
            A, B = random_game(rng, *shape, 0, 3)
            A_exact, B_exact = exact(A, B)
            for label in range(sum(shape)):
                exact_bases = complementary_path(positive_exact(A_exact),
                                                 positive_exact(B_exact), label, tol=0)
                float_bases = complementary_path(positive(A), positive(B), label, tol=1e-9)
                assert [sorted(b) for b in exact_bases] == [sorted(b) for b in float_bases]
