"""Best-response dynamics: classic games, the aggregative fast path, and the NVO game."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import nvo as _nvo  # (tests/oracles: test-only oracles)

from gamespec.errors import SolverError
from gamespec.solvers.brd.aggregative import (
    AggregateState,
    AggregativeGame,
    QuadraticTargetPayoff,
    aggregative_brd,
    aggregative_max_gain,
)
from gamespec.solvers.brd.engine import (
    BRDNotConverged,
    CommonPayoffOracle,
    PassInfo,
    PayoffTensorGame,
    PotentialDecreased,
    best_response_dynamics,
    best_response_index,
    decision_slack,
    max_unilateral_gain,
    random_profile,
)
from gamespec.stdlib.privacy import kl_divergence, pdp_all, theorem1_bmin

NVOPayoff, NVOPlainOracle = _nvo.NVOPayoff, _nvo.NVOPlainOracle
nvo_certificate, nvo_fast, nvo_instance = _nvo.nvo_certificate, _nvo.nvo_fast, _nvo.nvo_instance
nvo_plain_terms, nvo_straightforward = _nvo.nvo_plain_terms, _nvo.nvo_straightforward


# ------------------------------------------------------------------ classic games

PRISONERS_DILEMMA = PayoffTensorGame([[[3, 0], [5, 1]], [[3, 5], [0, 1]]])  # 0 = C, 1 = D
MATCHING_PENNIES = PayoffTensorGame([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]])
BATTLE_OF_THE_SEXES = PayoffTensorGame([[[2, 0], [0, 1]], [[1, 0], [0, 2]]])  # 0 = O, 1 = F


def congestion_game(n_players: int, slopes: list[float]) -> tuple[PayoffTensorGame, callable]:
    """Each player picks one resource; cost = slope * load. Returns (game, Rosenthal potential)."""
    R = len(slopes)
    shape = (R,) * n_players
    payoffs = np.zeros((n_players, *shape))
    for profile in itertools.product(range(R), repeat=n_players):
        loads = np.bincount(profile, minlength=R)
        for i, r in enumerate(profile):
            payoffs[(i, *profile)] = -slopes[r] * loads[r]

    def potential(profile: np.ndarray) -> float:
        loads = np.bincount(profile, minlength=R)
        return -sum(slopes[r] * k * (k + 1) / 2 for r, k in enumerate(loads))

    return PayoffTensorGame(payoffs), potential


def pure_equilibria(game: PayoffTensorGame) -> set[tuple[int, ...]]:
    """Every pure NE, by brute force over the tensor."""
    return {s for s in itertools.product(*(range(c) for c in game.shape))
            if max_unilateral_gain(game, np.array(s)).value <= 0}


@pytest.mark.parametrize("start", list(itertools.product(range(2), repeat=2)))
def test_prisoners_dilemma_reaches_defect_defect_from_every_start(start: tuple[int, int]) -> None:
    result = best_response_dynamics(PRISONERS_DILEMMA, initial=start)
    assert result.status == "converged"
    assert tuple(result.profile) == (1, 1)
    assert result.certified and result.certificate.value == 0.0


def test_max_unilateral_gain_names_the_best_deviation() -> None:
    gain = max_unilateral_gain(PRISONERS_DILEMMA, [0, 0])
    assert (gain.value, gain.player, gain.alternative) == (2.0, 0, 1)


@pytest.mark.parametrize(("start", "expected"),
                         [((0, 0), (0, 0)), ((1, 1), (1, 1)), ((0, 1), (1, 1)), ((1, 0), (0, 0))])
def test_battle_of_the_sexes_sequential(start: tuple[int, int], expected: tuple[int, int]) -> None:
    result = best_response_dynamics(BATTLE_OF_THE_SEXES, initial=start)
    assert result.status == "converged"
    assert tuple(result.profile) == expected


def test_battle_of_the_sexes_simultaneous_miscoordination_cycles() -> None:
    result = best_response_dynamics(BATTLE_OF_THE_SEXES, initial=(0, 1), mode="simultaneous")
    assert result.status == "cycle" and result.cycle_length == 2
    assert not result.certified
    same = best_response_dynamics(BATTLE_OF_THE_SEXES, initial=(0, 0), mode="simultaneous")
    assert same.status == "converged" and same.passes == 1


def test_matching_pennies_is_reported_as_a_cycle_with_its_length() -> None:
    result = best_response_dynamics(MATCHING_PENNIES, initial=(0, 0))
    assert result.status == "cycle"
    assert result.cycle_length == 2 and result.passes == 3
    assert not result.certified and result.certificate.value == 2.0
    with pytest.raises(SolverError) as info:
        result.raise_for_status()
    assert info.value.exit_code == 3
    assert "cycle length 2" in info.value.message
    assert isinstance(info.value, BRDNotConverged)
    assert info.value.result is result


def test_limits_return_the_last_profile_uncertified() -> None:
    capped = best_response_dynamics(MATCHING_PENNIES, initial=(0, 0), max_passes=1)
    assert capped.status == "pass_limit" and capped.passes == 1
    assert tuple(capped.profile) == (0, 1) and not capped.certified
    timed = best_response_dynamics(MATCHING_PENNIES, initial=(0, 0), time_limit=0.0)
    assert timed.status == "time_limit" and not timed.certified
    with pytest.raises(BRDNotConverged):
        timed.raise_for_status()


@pytest.mark.parametrize("seed", range(6))
def test_congestion_game_converges_with_the_potential_rising_at_every_switch(seed: int) -> None:
    game, potential = congestion_game(5, [1.0, 2.0, 3.0])
    trace: list[float] = []

    def recording(profile: np.ndarray) -> float:
        trace.append(potential(profile))
        return trace[-1]

    result = best_response_dynamics(game, seed=seed, potential=recording)
    assert result.status == "converged" and result.certified
    assert tuple(result.profile) in pure_equilibria(game)
    assert len(trace) == result.switches + 1
    # Rosenthal's potential is exact: every improving switch raises it strictly
    assert all(b > a for a, b in itertools.pairwise(trace))
    assert result.potential == pytest.approx(potential(result.profile))


def test_a_potential_that_falls_is_rejected() -> None:
    game, potential = congestion_game(4, [1.0, 2.0])
    with pytest.raises(PotentialDecreased) as info:
        best_response_dynamics(game, initial=(0, 0, 0, 0), potential=lambda s: -potential(s))
    assert info.value.exit_code == 3


def test_a_potential_checked_per_pass_is_rejected_at_the_pass_end() -> None:
    game, potential = congestion_game(4, [1.0, 2.0])
    calls: list[int] = []

    def falling(s):
        calls.append(1)
        return -potential(s)

    with pytest.raises(PotentialDecreased, match="pass 1"):
        best_response_dynamics(game, initial=(0, 0, 0, 0), potential=falling,
                               potential_per_pass=True)
    assert len(calls) == 2  # the start and the end of the first pass, not once per switch
    result = best_response_dynamics(game, initial=(0, 0, 0, 0), potential=potential,
                                    potential_per_pass=True)
    assert result.potential == pytest.approx(potential(result.profile))


def test_progress_is_reported_once_per_pass() -> None:
    game, _ = congestion_game(4, [1.0, 1.5, 2.5])
    seen: list[PassInfo] = []
    result = best_response_dynamics(game, seed=1, on_progress=seen.append)
    assert [p.pass_index for p in seen] == list(range(1, result.passes + 1))
    assert seen[-1].switches == 0 and seen[-1].total_switches == result.switches


def test_random_profile_is_reproducible_and_in_range() -> None:
    a = random_profile([2, 5, 3, 7], seed=9)
    np.testing.assert_array_equal(a, random_profile([2, 5, 3, 7], seed=9))
    assert np.all(a >= 0) and np.all(a < [2, 5, 3, 7])


# ------------------------------------------------------------------ decision rule


def test_ties_keep_the_current_choice_else_the_lowest_index() -> None:
    assert best_response_index([1.0, 1.0, 0.0], current=1, tol=0.0) == 1
    assert best_response_index([0.0, 2.0, 2.0], current=0, tol=0.0) == 1
    assert best_response_index([0.0, 1e-13], current=0, tol=1e-12) == 0
    assert best_response_index([0.0, 1.0, 1.0 + 1e-13], current=0, tol=1e-12) == 1


@settings(max_examples=300, deadline=None)
@given(
    payoffs=st.lists(st.floats(-1, 1, allow_nan=False), min_size=2, max_size=6),
    noise=st.lists(st.floats(-1, 1, allow_nan=False), min_size=6, max_size=6),
    tol=st.sampled_from([0.0, 1e-12, 1e-3]),
    data=st.data(),
)
def test_perturbations_below_the_slack_never_change_the_decision(
    payoffs: list[float], noise: list[float], tol: float, data: st.DataObject
) -> None:
    current = data.draw(st.integers(0, len(payoffs) - 1))
    choice = best_response_index(payoffs, current, tol)
    slack = decision_slack(payoffs, current, choice, tol)
    if choice == current:  # nonnegative but for the rounding allowance
        assert slack >= -4.0 * math.ulp(max(abs(p) for p in payoffs))
    if slack <= 0:
        return
    moved = [p if k == current else p + 0.999 * slack * noise[k] for k, p in enumerate(payoffs)]
    assert best_response_index(moved, current, tol) == choice


# ------------------------------------------------------------------ aggregative engine


def test_aggregative_engine_matches_plain_brd_on_a_target_game() -> None:
    rng = np.random.default_rng(4)
    n, T, C, K = 40, 4, 3, 5
    game = AggregativeGame(types=rng.integers(0, T, n), contributions=rng.normal(size=(T, C, K)))
    target = rng.normal(size=K) * 3
    payoff = QuadraticTargetPayoff(target)

    def plain(profile: np.ndarray) -> float:
        S = game.contributions[game.types, profile].sum(axis=0)
        return -float((S - target) @ (S - target))

    for seed in range(3):
        fast = aggregative_brd(game, payoff, seed=seed, check_potential=True)
        slow = best_response_dynamics(CommonPayoffOracle(plain, [C] * n), seed=seed,
                                      tol=1e-12, potential=plain)
        assert fast.status == slow.status == "converged"
        np.testing.assert_array_equal(fast.profile, slow.profile)
        assert fast.passes == slow.passes and fast.switches == slow.switches
        assert fast.certified and fast.certificate.value <= 1e-12
        assert fast.potential == pytest.approx(plain(fast.profile))


def test_aggregative_certificate_finds_a_planted_improvement() -> None:
    game = AggregativeGame(types=np.zeros(3, dtype=np.int64),
                           contributions=np.array([[[1.0], [0.0]]]))
    gain = aggregative_max_gain(game, QuadraticTargetPayoff([0.0]), [0, 0, 1])
    # S = 2 -> moving one player to choice 1 gives S = 1: -1 - (-4) = 3
    assert (gain.value, gain.alternative) == (3.0, 1)
    assert gain.player in (0, 1)


# ------------------------------------------------------------------ NVO game


def mixture_data(n: int, rng: np.random.Generator) -> np.ndarray:
    """Three normal components clipped into [0, 1]."""
    comp = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    mu, sd = np.array([0.3, 0.55, 0.75]), np.array([0.06, 0.05, 0.08])
    return np.clip(rng.normal(mu[comp], sd[comp]), 0.0, 1.0)


def paper_scales(eps: float) -> np.ndarray:
    """V = {3, 2, 1, 0.33, 0.2} x dq / eps with dq = 1 (normalised units)."""
    return np.array([3.0, 2.0, 1.0, 0.33, 0.2]) / eps


@pytest.mark.parametrize(("n", "eps", "seed"),
                         [(30, 0.5, 0), (45, 1.0, 1), (60, 2.0, 2), (80, 1.0, 3), (52, 2.0, 4),
                          (37, 0.5, 5)])
def test_nvo_fast_and_straightforward_reach_identical_profiles(n: int, eps: float,
                                                               seed: int) -> None:
    inst = nvo_instance(mixture_data(n, np.random.default_rng(100 + seed)), paper_scales(eps), eps)
    fast = nvo_fast(inst, seed=seed)
    slow = nvo_straightforward(inst, seed=seed)
    assert fast.status == slow.status == "converged"
    np.testing.assert_array_equal(fast.profile, slow.profile)
    assert (fast.passes, fast.switches) == (slow.passes, slow.switches)
    assert fast.certified
    p_e, kl = nvo_plain_terms(inst, fast.profile)
    assert p_e == n  # Theorem 1's condition holds for these scales and sizes
    assert fast.potential == pytest.approx(p_e + 1 - kl / math.log(inst.K), abs=1e-9)


def test_nvo_certificate_agrees_with_the_per_player_plain_certificate() -> None:
    inst = nvo_instance(mixture_data(25, np.random.default_rng(8)), paper_scales(1.0), 1.0)
    start = random_profile([5] * 25, seed=2)
    plain = max_unilateral_gain(NVOPlainOracle(inst), start)
    grouped = nvo_certificate(inst, start)
    assert plain.value > 1e-6  # a random profile is not an equilibrium
    assert grouped.value == pytest.approx(plain.value, rel=1e-9)
    # the named deviation really gains that much
    moved = start.copy()
    moved[grouped.player] = grouped.alternative
    (pe0, kl0), (pe1, kl1) = nvo_plain_terms(inst, start), nvo_plain_terms(inst, moved)
    assert (pe1 - pe0) + (kl0 - kl1) / math.log(inst.K) == pytest.approx(grouped.value)


def outlier_data(n: int, rng: np.random.Generator) -> np.ndarray:
    """A tight cluster plus two outliers: the outliers' privacy is hard to get."""
    return np.concatenate([np.clip(rng.normal(0.4, 0.05, n - 2), 0, 1), [0.9, 0.97]])


def test_nvo_pdp_constraint_binds_on_a_small_data_set() -> None:
    inst = nvo_instance(outlier_data(30, np.random.default_rng(0)), [0.3, 0.1, 0.03, 0.01], 1.0)
    start = random_profile([4] * 30, seed=1)
    fast = nvo_fast(inst, initial=start, check_potential=True)
    slow = nvo_straightforward(inst, initial=start)
    np.testing.assert_array_equal(fast.profile, slow.profile)
    assert fast.certified
    assert nvo_plain_terms(inst, start)[0] < 30          # the start violates pDP
    assert nvo_plain_terms(inst, fast.profile)[0] == 30  # the equilibrium does not
    # P_E shapes the equilibrium: some player would pick another scale for KL alone
    binding = 0
    for i in range(30):
        kls = []
        for c in range(4):
            trial = fast.profile.copy()
            trial[i] = c
            kls.append(nvo_plain_terms(inst, trial)[1])
        binding += int(np.argmin(kls)) != fast.profile[i]
    assert binding > 0


def test_nvo_equilibrium_can_violate_pdp_below_theorem1_bound() -> None:
    # b_min = 0.01 < theorem1_bmin(30, 1) ~ 0.25: an NE where the outliers keep failing
    inst = nvo_instance(outlier_data(30, np.random.default_rng(0)), [0.3, 0.1, 0.03, 0.01], 1.0)
    assert min(inst.b_values) < theorem1_bmin(30, 1.0)
    fast = nvo_fast(inst, seed=0)
    np.testing.assert_array_equal(fast.profile, nvo_straightforward(inst, seed=0).profile)
    assert fast.certified
    assert nvo_plain_terms(inst, fast.profile)[0] == 28


@pytest.mark.parametrize("seed", range(4))
def test_nvo_equilibria_are_pdp_at_theorem1_bound(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, eps = 40, 1.0
    scales = np.array([4.0, 2.0, 1.3, 1.0]) * theorem1_bmin(n, eps)
    inst = nvo_instance(outlier_data(n, rng), scales, eps)
    fast = nvo_fast(inst, seed=seed)
    assert fast.certified
    assert nvo_plain_terms(inst, fast.profile)[0] == n


@pytest.mark.parametrize("seed", range(2))
def test_nvo_lower_ratio_bound_binds_when_eps_is_tiny(seed: int) -> None:
    # eps < ln(n / (n - 1)): removing an instance can also *raise* Q too much somewhere
    n, eps = 30, 0.02
    inst = nvo_instance(mixture_data(n, np.random.default_rng(seed)), [5.0, 0.3, 0.05], eps)
    start = random_profile([3] * n, seed=seed)
    fast = nvo_fast(inst, initial=start, check_potential=True)
    np.testing.assert_array_equal(fast.profile, nvo_straightforward(inst, initial=start).profile)
    assert fast.certified
    assert nvo_plain_terms(inst, fast.profile)[0] > nvo_plain_terms(inst, start)[0]


class _InvalidateOnEverySwitch(NVOPayoff):
    """NVOPayoff with the drift-bounded cache switched off (the plain caching rule)."""

    def drift_budget(self, slack: float) -> float:
        return 0.0

    def on_switch(self, state: AggregateState, theta: int, c: int, c_new: int) -> float:
        super().on_switch(state, theta, c, c_new)
        return math.inf


@pytest.mark.parametrize("eps", [1.0, 2.0])
def test_nvo_drift_bounded_cache_changes_nothing(eps: float) -> None:
    inst = nvo_instance(mixture_data(3000, np.random.default_rng(21)), paper_scales(eps), eps)
    cached = aggregative_brd(inst.game, inst.payoff(), seed=4, certify=False)
    plain = aggregative_brd(inst.game, _InvalidateOnEverySwitch(inst.q, eps), seed=4,
                            certify=False)
    np.testing.assert_array_equal(cached.profile, plain.profile)
    assert (cached.passes, cached.switches) == (plain.passes, plain.switches)


def test_nvo_payoff_handles_bins_only_one_key_covers() -> None:
    # point masses leave bins empty or covered by a single player: ratios of inf and 0/0
    w = np.array([[[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]],
                  [[0.0, 0.0, 1.0], [0.0, 0.5, 0.5]]])
    types = np.array([0, 0, 0, 1, 1, 1, 0])
    q = np.array([4, 0, 3]) / 7
    game = AggregativeGame(types=types, contributions=w)

    def plain(profile: np.ndarray) -> float:
        m = w[types, profile]
        Q = m.mean(axis=0)
        return int(pdp_all(m, 0.7).sum()) + 1 - kl_divergence(q, Q) / math.log(3)

    for seed in range(5):
        fast = aggregative_brd(game, NVOPayoff(q, 0.7), seed=seed, check_potential=True)
        slow = best_response_dynamics(CommonPayoffOracle(plain, [2] * 7), seed=seed)
        np.testing.assert_array_equal(fast.profile, slow.profile)
        assert fast.certified and fast.potential == pytest.approx(plain(fast.profile))
