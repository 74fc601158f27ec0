"""Logit QRE tracing and its limit, against pygambit's logit (an independent implementation
of the same principal branch; tests/oracles/gambit_reference.py replays it where pygambit is
not installed), closed forms, and exact algebra (sympy)."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from oracles import gambit_reference as gambit  # (tests/oracles: test-only oracles)

from gamespec.errors import SolverError
from gamespec.solvers.finite import logit
from gamespec.solvers.finite.logit import (
    LimitNotCertified,
    limit_equilibrium,
    logit_path,
    logit_qre,
    qre_residual,
)
from gamespec.solvers.finite.mixed_equilibrium import max_regret

SHAPES = [(2, 2), (3, 3), (2, 2, 2), (3, 3, 2), (5, 4, 3), (2, 2, 2, 2)]
LAMBDAS = [0.2, 1.0, 4.0]

# A 2x2x2 game with a unique Nash equilibrium, totally mixed, in irrational numbers. Found
# by a random search over integer payoffs (none published with these numbers): no pure
# equilibrium, pygambit's enumpoly finds exactly one equilibrium, and sympy solves the
# indifference system in closed form with sqrt(3095889) (1759^2 < 3095889 < 1760^2).
IRRATIONAL = np.array(
    [[[[9, -5], [8, -5]], [[0, 0], [0, 0]]],
     [[[7, 9], [0, 0]], [[-5, -4], [0, 0]]],
     [[[-8, 0], [7, 0]], [[-6, 0], [2, 0]]]], dtype=float)
ROOT = sp.sqrt(3095889)
IRRATIONAL_FIRST = (  # probability of each agent's first strategy
    (-919 + ROOT) / 2426, sp.Rational(-555, 88) + ROOT / 264, sp.Rational(1767, 20) - ROOT / 20)

# A 3x3x2 game (seeded random integers) whose principal branch turns back in lambda: it
# climbs to lambda ~ 5.1, falls back to ~ 1.4, then rises again.
FOLDED = np.array(
    [[[[-8, 0], [1, 2], [-1, 9]], [[-2, -2], [-5, 4], [2, 5]], [[-7, -5], [9, -2], [-2, -3]]],
     [[[-4, -7], [-2, -4], [6, -4]], [[-7, 6], [8, 9], [-3, -9]], [[2, 3], [9, 3], [-6, -4]]],
     [[[-7, 6], [-1, -2], [-1, -8]], [[-5, -8], [2, 3], [3, 9]], [[4, 1], [-9, 9], [-1, -5]]]],
    dtype=float)


def random_game(shape, seed, integers=True):
    rng = np.random.default_rng(seed)
    size = (len(shape),) + tuple(shape)
    return rng.integers(-9, 10, size=size).astype(float) if integers else rng.normal(size=size)


def gambit_game(payoffs):
    return gambit.arrays(*[payoffs[k] for k in range(payoffs.shape[0])])


def as_arrays(eq):
    return [np.array(row, dtype=float) for row in eq.profile]


def gambit_qres(payoffs, lams):
    return [as_arrays(q) for q in gambit.logit_lambda(gambit_game(payoffs), lams).equilibria]


def gambit_limit(payoffs):
    return as_arrays(gambit.solve(gambit_game(payoffs), "logit").equilibria[0])


def distance(a, b):
    return max(float(np.max(np.abs(np.asarray(x) - np.asarray(y)))) for x, y in zip(a, b))


GAMES = [random_game(s, seed, integers=seed % 2 == 0) for s in SHAPES for seed in (0, 1)]
DEGENERATE = {
    # agent 1's last two strategies are copies of each other
    "duplicate": np.array([[[1, 3, 3], [4, 0, 0], [2, 2, 2]], [[2, 1, 1], [0, 3, 3], [1, 0, 0]]],
                          dtype=float),
    # the third agent is indifferent to everything
    "indifferent": np.stack([random_game((2, 2, 2), 5)[0], random_game((2, 2, 2), 6)[1],
                             np.full((2, 2, 2), 3.0)]),
    # ties in the rows and columns; a continuum of equilibria
    "ties": np.array([[[3, 3, 0], [3, 3, 1], [0, 2, 2]], [[3, 3, 0], [3, 3, 1], [0, 2, 2]]],
                     dtype=float),
}
# seeded random 4x4 integers: at the limit agent 0 mixes, agent 1 plays a pure strategy and
# keeps agent 0 indifferent to a strategy it plays with probability 0 (regret ~ 1/lambda)
ZERO_BEST_RESPONSE = np.array(
    [[[-9, -3, 4, -3], [0, 0, -8, -8], [-4, 1, -8, 8], [7, 1, 4, 5]],
     [[-9, 8, -9, 7], [6, 5, -7, 6], [9, 6, 4, -5], [1, 0, 7, -3]]], dtype=float)


@pytest.mark.parametrize("payoffs", GAMES + list(DEGENERATE.values()) + [IRRATIONAL, FOLDED, ZERO_BEST_RESPONSE])
def test_qre_equals_gambit(payoffs):
    ours = [logit_qre(payoffs, lam) for lam in LAMBDAS]
    for lam, mine, theirs in zip(LAMBDAS, ours, gambit_qres(payoffs, LAMBDAS)):
        assert distance(mine, theirs) < 1e-6
        assert qre_residual(payoffs, lam, mine) < 1e-9


@pytest.mark.parametrize("payoffs", GAMES + [IRRATIONAL, FOLDED])
def test_limit_equals_gambit_and_is_certified(payoffs):
    equilibrium = limit_equilibrium(payoffs)
    assert max_regret(payoffs, equilibrium.strategies) < 1e-9
    # Gambit stops at regret 1e-8 x the payoff range: its profile is within ~1e-6 of ours
    assert distance(equilibrium.strategies, gambit_limit(payoffs)) < 1e-5


@pytest.mark.parametrize("name", list(DEGENERATE))
def test_degenerate_limit_is_certified(name):
    payoffs = DEGENERATE[name]
    equilibrium = limit_equilibrium(payoffs)
    assert max_regret(payoffs, equilibrium.strategies) < 1e-9
    assert distance(equilibrium.strategies, gambit_limit(payoffs)) < 1e-5


def test_limit_keeps_the_indifference_of_a_zero_probability_best_response():
    # agent 0's mix is the one that keeps agent 1 indifferent to its strategy 1, whose
    # probability vanishes along the branch (Gambit: 1.5e-7 there when it stops)
    payoffs = ZERO_BEST_RESPONSE
    equilibrium = limit_equilibrium(payoffs)
    np.testing.assert_allclose(equilibrium.strategies[0], [7 / 24, 0, 0, 17 / 24], atol=1e-12)
    np.testing.assert_allclose(equilibrium.strategies[1], [0, 0, 1, 0], atol=1e-12)
    assert distance(equilibrium.strategies, gambit_limit(payoffs)) < 1e-5


def test_irrational_game_is_as_documented():
    x, y, z = sp.symbols("x y z")
    mix = [x, y, z]
    for k in range(3):  # agent k's payoff gap between its strategies vanishes at the point
        gap = 0
        for idx in np.ndindex(2, 2, 2):
            weight = sp.Integer(1 if idx[k] == 0 else -1) * int(IRRATIONAL[(k,) + idx])
            for m in range(3):
                if m != k:
                    weight *= mix[m] if idx[m] == 0 else 1 - mix[m]
            gap += weight
        assert sp.simplify(gap.subs(dict(zip(mix, IRRATIONAL_FIRST)))) == 0
    assert ROOT.is_rational is False
    assert all(0 < float(p) < 1 for p in IRRATIONAL_FIRST)
    assert len(gambit.solve(gambit_game(IRRATIONAL), "enumpoly").equilibria) == 1


def test_irrational_limit_to_machine_precision():
    equilibrium = limit_equilibrium(IRRATIONAL)
    for k, first in enumerate(IRRATIONAL_FIRST):
        exact = float(first)
        np.testing.assert_allclose(equilibrium.strategies[k], [exact, 1 - exact], atol=1e-13)
    assert max_regret(IRRATIONAL, equilibrium.strategies) < 1e-12


def test_folded_branch_is_followed_past_its_turning_points():
    path = logit_path(FOLDED, max_lambda=8.0)
    lams = np.array(path.lambdas)
    turn = int(np.argmax(np.diff(lams) < 0))  # the first turning point
    assert turn > 0 and lams[turn] > 5.0 and lams[turn:].min() < 1.5
    assert lams[-1] == 8.0
    # the first time the branch reaches lambda is where both implementations stop
    folds = [2.0, 3.0, 4.5, 6.0]
    for lam, theirs in zip(folds, gambit_qres(FOLDED, folds)):
        assert distance(logit_qre(FOLDED, lam), theirs) < 1e-6


@pytest.mark.parametrize("shape", SHAPES)
def test_path_starts_uniform_and_stops_exactly_at_max_lambda(shape):
    payoffs = random_game(shape, 11)
    path = logit_path(payoffs, max_lambda=2.5)
    assert path.lambdas[0] == 0.0 and path.lambdas[-1] == 2.5
    for k, size in enumerate(shape):
        np.testing.assert_allclose(path.profiles[0][k], np.full(size, 1 / size), atol=1e-15)
    assert all(abs(float(p.sum()) - 1) < 1e-12 for prof in path.profiles for p in prof)
    assert qre_residual(payoffs, 2.5, path.profiles[-1]) < 1e-9


def test_path_to_the_limit_ends_with_small_regret():
    payoffs = random_game((3, 3, 2), 4)
    path = logit_path(payoffs, tol=1e-8)
    spread = float(np.ptp(payoffs))
    assert max_regret(payoffs, path.profiles[-1]) <= 1e-8 * spread
    assert max_regret(payoffs, path.profiles[-2]) <= 1e-8 * spread


def test_as_series_holds_every_point_as_plain_lists():
    payoffs = random_game((3, 2), 2)
    path = logit_path(payoffs, max_lambda=3.0)
    series = path.as_series()
    assert sorted(series) == [0, 1] and sorted(series[0]) == [0, 1, 2]
    lams, probs = series[0][2]
    assert type(lams) is list and type(probs[0]) is float
    assert lams == path.lambdas
    assert probs == [float(p[0][2]) for p in path.profiles]


def test_one_agent_is_a_softmax_and_the_limit_its_best_choice():
    payoffs = np.array([[1.0, 3.0, 2.0, 3.0 - 1e-3]])
    for lam in (0.5, 2.0, 10.0):
        expected = np.exp(lam * payoffs[0]) / np.exp(lam * payoffs[0]).sum()
        np.testing.assert_allclose(logit_qre(payoffs, lam)[0], expected, atol=1e-12)
    np.testing.assert_allclose(limit_equilibrium(payoffs).strategies[0], [0, 1, 0, 0])


def test_symmetric_coordination_continues_through_its_bifurcation():
    # the uniform profile is a QRE at every lambda; at lambda = 2 two branches split off.
    # The trace keeps to the smooth branch it is on (Gambit stops at the split point).
    payoffs = np.array([[[1, 0], [0, 1]], [[1, 0], [0, 1]]], dtype=float)
    for p in logit_qre(payoffs, 5.0):
        np.testing.assert_allclose(p, [0.5, 0.5], atol=1e-12)
    assert max_regret(payoffs, limit_equilibrium(payoffs).strategies) < 1e-12


def test_an_unpolished_limit_says_so(monkeypatch):
    monkeypatch.setattr(logit, "_polish", lambda *args: None)
    payoffs = np.array([[[3, -1], [-1, 1]], [[-1, 1], [1, -1]]], dtype=float)
    with pytest.raises(LimitNotCertified) as raised:
        limit_equilibrium(payoffs, tolerances=(1e-3,))
    assert raised.value.regret == pytest.approx(max_regret(payoffs, raised.value.strategies))
    assert raised.value.regret > 1e-7 and raised.value.exit_code == 3


@pytest.mark.parametrize("bad", [np.zeros((2, 2)), np.zeros((3, 2, 2)),
                                 np.array([[[np.nan, 0], [0, 0]], [[0, 0], [0, 0]]])])
def test_bad_payoff_tensors_are_refused(bad):
    with pytest.raises(SolverError):
        logit_path(bad)


def test_negative_lambda_is_refused():
    with pytest.raises(SolverError):
        logit_qre(np.zeros((2, 2, 2)), -1.0)
