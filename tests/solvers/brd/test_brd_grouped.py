"""The grouped BRD oracle (members priced by type and choice) and the aggregative engine on
a payoff compiled from the Model, against the plain oracle."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from gamespec.analysis import classify
from gamespec.errors import SolverError
from gamespec.language.loader import load_model, model_from_string
from gamespec.solvers.brd.engine import best_response_dynamics, max_unilateral_gain, random_profile
from gamespec.solvers.brd.grouped import GroupedOracle, grouped_certificate, plan_grouping
from gamespec.solvers.brd.method import ModelOracle, choose_oracle, solve
from gamespec.stdlib.functions import laplace_mass
from gamespec.stdlib.privacy import (
    histogram,
    kl_divergence,
    laplace_bin_masses,
    pdp_all,
)

SPECS = Path(__file__).resolve().parents[3] / "specs"
TOL = 1e-12

NVO_LIKE = """\
game "NVO-like test game"
param eps = {eps}
param dq = 1
param p = 90%
param K = {K}
data t = csv("heights.csv")
set I = t.rows
param raw[i in I] = t.h[i]
param n = card(I)
param Delta = (dq / eps) * abs(ln(2 - 2 * p))
param lo = min(i in I) raw[i] - Delta
param hi = max(i in I) raw[i] + Delta
param d[i in I] = (raw[i] - lo) / (hi - lo)
set X = 1..K
param q[x in X] = count(i in I : bin_of(d[i], K) == x) / n
set V = {{{scales}}} * dq / eps
players instances[i in I] {{ choose b in V }}
let m[i in I, x in X] = laplace_mass(d[i], b[i], x, K)
let Q[x in X] = mean(j in I) m[j, x]
let Q_without[i in I, x in X] = (n * Q[x] - m[i, x]) / (n - 1)
let pdp[i in I] = [max(x in X) abs(ln(Q[x] / Q_without[i, x])) <= eps]
let KL = sum(x in X : q[x] > 0) q[x] * ln(q[x] / Q[x])
let private = sum(i in I) pdp[i]
common payoff = sum(i in I) pdp[i] + 1 - KL / ln(K)
profile laplace {{ b[i in I] = dq / eps }}
"""

PAPER = "3, 2, 1, 0.33, 0.2"  # the paper's scales (times dq / eps)
WIDE = "3, 1, 0.2, 0.05, 0.02"   # smaller scales: with outliers, pDP binds
# (n, K, eps, seed, scales, outliers)
CASES = [(20, 11, 1.0, 0, PAPER, False), (40, 21, 2.0, 1, PAPER, False),
         (60, 15, 0.5, 2, PAPER, False), (60, 21, 4.0, 3, PAPER, False),
         (20, 21, 0.5, 5, WIDE, True), (24, 15, 0.25, 7, WIDE, True)]
CASE_NAMES = "n, K, eps, seed, scales, outliers"


def nvo_like(folder: Path, n: int, K: int, eps: float, seed: int, scales: str = PAPER,
             outliers: bool = False):
    """A small NVO game on seeded integer 'heights' (many ties, so few types), with two
    outliers if asked (their instances fail pDP under the smallest scales)."""
    heights = np.round(np.random.default_rng(seed).normal(200.0, 8.0, n))
    if outliers:
        heights[:2] = [150.0, 260.0]
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"{k + 1},{h}\n" for k, h in enumerate(heights))
    (folder / "heights.csv").write_text("id,h\n" + rows)
    (folder / "g.game").write_text(NVO_LIKE.format(eps=eps, K=K, scales=scales))
    return load_model(folder / "g.game")


def relative_gains(oracle, k: int, profile: np.ndarray) -> np.ndarray:
    """An oracle's answer for player k as differences to its current choice."""
    p = np.asarray(oracle.gains(k, profile), dtype=float)
    return p - p[profile[k]]


@pytest.mark.parametrize(CASE_NAMES, CASES)
@pytest.mark.parametrize("active_share", [0.0, 1.1])  # never / always cut to weighted pairs
def test_grouped_and_plain_oracles_give_identical_runs(tmp_path, monkeypatch, active_share, n,
                                                       K, eps, seed, scales, outliers):
    import gamespec.solvers.brd.grouped as brd_grouped

    monkeypatch.setattr(brd_grouped, "ACTIVE_SHARE", active_share)
    model = nvo_like(tmp_path, n, K, eps, seed, scales, outliers)
    grouping, reason = plan_grouping(model)
    assert grouping is not None, reason
    assert grouping.type_tables == ("d",) and grouping.n_types < n
    plain = best_response_dynamics(ModelOracle(model), seed=seed, tol=TOL)
    assert plain.converged and plain.certificate.value <= TOL
    for lookahead in (1, None):  # pricing one decision at a time, or several ahead
        oracle = GroupedOracle(model, grouping, lookahead=lookahead)
        grouped = best_response_dynamics(oracle, seed=seed, tol=TOL, certify=False)
        assert grouped.converged
        np.testing.assert_array_equal(grouped.profile, plain.profile)
        assert (grouped.passes, grouped.switches) == (plain.passes, plain.switches)
    best, _ = grouped_certificate(model, grouping, grouped.profile)
    assert best.value <= TOL
    assert best.value == pytest.approx(plain.certificate.value, abs=1e-9)


def test_look_ahead_never_changes_answers_when_the_order_is_not_the_expected_one(tmp_path):
    model = nvo_like(tmp_path, 40, 21, 2.0, 1)
    grouping, _ = plan_grouping(model)
    order = np.random.default_rng(5).permutation(40)  # the oracle expects 0..n-1
    plain = best_response_dynamics(ModelOracle(model), seed=4, tol=TOL, order=order)
    oracle = GroupedOracle(model, grouping, lookahead=8)
    grouped = best_response_dynamics(oracle, seed=4, tol=TOL, order=order, certify=False)
    np.testing.assert_array_equal(grouped.profile, plain.profile)
    assert oracle.decisions_priced > oracle.evaluations  # it did look ahead (in vain)


@pytest.mark.parametrize(CASE_NAMES, [CASES[0], CASES[4]])
def test_grouped_gains_and_certificate_equal_the_plain_ones_off_equilibrium(
        tmp_path, n, K, eps, seed, scales, outliers):
    model = nvo_like(tmp_path, n, K, eps, seed, scales, outliers)
    grouping, _ = plan_grouping(model)
    plain, grouped = ModelOracle(model), GroupedOracle(model, grouping)
    start = random_profile([5] * n, seed)
    assert (_numpy_lets(model, start)["private"] < n) == outliers  # pDP binds here
    for k in range(n):
        np.testing.assert_allclose(relative_gains(grouped, k, start),
                                   relative_gains(plain, k, start), rtol=0, atol=1e-9)
    want = max_unilateral_gain(plain, start)
    got, pairs = grouped_certificate(model, grouping, start)
    assert want.value > TOL and pairs <= grouping.n_types * 5
    assert got.value == pytest.approx(want.value, rel=1e-9)
    assert grouping.types[got.player] == grouping.types[want.player]
    assert (start[got.player], got.alternative) == (start[want.player], want.alternative)


def _numpy_lets(model, profile: np.ndarray) -> dict[str, float]:
    """KL, the number of eps-pDP instances and the common payoff, straight from the
    privacy standard library (no spec evaluation)."""
    d = model.params["d"].array
    K = int(model.params["K"].value)
    eps = model.params["eps"].value
    b = model.sets["V"].values()[profile]
    masses = laplace_bin_masses(d, b, K)
    kl = float(kl_divergence(histogram(d, K), masses.mean(axis=0)))
    private = int(np.count_nonzero(pdp_all(masses, eps)))
    return {"KL": kl, "private": private, "common payoff": private + 1 - kl / math.log(K)}


def _choices(model, result) -> np.ndarray:
    """The equilibrium profile of a Result, back as choice indices."""
    labels = [str(e) for e in model.players["instances"].strategies[0].domain.elements]
    return np.array([labels.index(v) for v in result.strategies.values()])


@pytest.mark.parametrize(CASE_NAMES, CASES)
def test_spec_lets_equal_a_direct_numpy_recomputation(tmp_path, n, K, eps, seed, scales,
                                                      outliers):
    model = nvo_like(tmp_path, n, K, eps, seed, scales, outliers)
    result = solve(model, classify(model), {"seed": seed, "oracle": "grouped"})
    assert result.certificate.ok and result.extra["oracle"] == "grouped"
    assert result.extra["types"] == plan_grouping(model)[0].n_types
    laplace = int(np.flatnonzero(np.isclose(model.sets["V"].values(), 1.0 / eps))[0])
    profiles = {"equilibrium": _choices(model, result), "laplace": np.full(n, laplace)}
    for name, profile in profiles.items():
        got, want = result.compare[name], _numpy_lets(model, profile)
        assert got["private"] == want["private"], name
        assert got["KL"] == pytest.approx(want["KL"], rel=1e-9, abs=1e-14), name
        assert got["common payoff"] == pytest.approx(want["common payoff"], rel=1e-12), name
    assert result.compare["equilibrium"]["common payoff"] >= (
        result.compare["laplace"]["common payoff"] - 1e-12)


def test_laplace_mass_and_laplace_bin_masses_share_one_discretisation():
    # both: CDF differences over the K bins of [0, 1], renormalised to the mass of [0, 1];
    # laplace_mass takes F(hi) - F(lo) directly, so far upper-tail bins lose relative
    # precision (absolute error ~1e-16); laplace_bin_masses uses the small tail instead.
    for K in (11, 21, 101):
        x = np.arange(1, K + 1)
        for b in (3.0, 1.0, 0.2, 0.05):
            for d in np.linspace(0.0, 1.0, 9):
                direct, tails = laplace_mass(d, b, x, K), laplace_bin_masses(d, b, K)
                np.testing.assert_allclose(direct, tails, rtol=0, atol=2e-15)
                big = tails > 1e-4
                np.testing.assert_allclose(direct[big], tails[big], rtol=1e-10)


@pytest.mark.parametrize(("payoff", "why"), [
    ("sum(i in I) b[i] * i", "as a value"),
    ("sum(i in I, j in I : i != j) b[i] * b[j]", "as a value"),
    ("sum(i in I) w[i] * b[i]", "not over I"),
    ("b[1] + sum(i in I) b[i]", "member position"),
])
def test_grouping_refuses_payoffs_that_tell_members_apart(payoff, why):
    model = model_from_string(
        "set I = 1..60\nset X = 1..70\nparam w[x in X] = x\n"
        f"players pl[i in I] {{ choose b in {{0, 1}} }}\ncommon payoff = {payoff}", "t.game")
    grouping, reason = plan_grouping(model)
    assert grouping is None and why in reason
    choice = choose_oracle(model, {})
    assert choice.name == "plain" and why in choice.reason


def test_types_come_from_every_member_indexed_parameter_the_payoff_uses():
    model = model_from_string(
        "set I = 1..60\nparam a[i in I] = i - 2 * floor(i / 2)\nparam c[i in I] = i\n"
        "param e[i in I] = floor((i - 1) / 15)\nplayers pl[i in I] { choose b in {0, 1} }\n"
        "let s[i in I] = a[i] * b[i] + e[i]\n"
        "common payoff = -(sum(i in I) s[i] - 17)^2", "t.game")
    grouping, _ = plan_grouping(model)
    assert grouping.type_tables == ("a", "e")  # c is not used: it defines nothing
    assert grouping.n_types == 2 * 4
    choice = choose_oracle(model, {})
    assert choice.name == "aggregative"  # one aggregate: sum(i in I) s[i]
    result = solve(model, classify(model), {"seed": 1})
    grouped = solve(model, classify(model), {"seed": 1, "oracle": "grouped"})
    plain = solve(model, classify(model), {"seed": 1, "oracle": "plain"})
    assert [r.extra["oracle"] for r in (result, grouped, plain)] == [
        "aggregative", "grouped", "plain"]
    assert result.strategies == grouped.strategies == plain.strategies
    assert result.certificate.ok and grouped.certificate.ok


def test_a_data_column_used_directly_defines_the_types(tmp_path):
    heights = np.round(np.random.default_rng(0).normal(200.0, 8.0, 70))
    (tmp_path / "h.csv").write_text("id,h\n" + "".join(
        f"{k + 1},{h}\n" for k, h in enumerate(heights)))
    (tmp_path / "g.game").write_text(
        'data t = csv("h.csv")\nset I = t.rows\nparam K = 11\nset X = 1..K\n'
        "param lo = min(i in I) t.h[i] - 5\nparam hi = max(i in I) t.h[i] + 5\n"
        "players pl[i in I] { choose b in {1, 0.3, 0.1} }\n"
        "let m[i in I, x in X] = laplace_mass((t.h[i] - lo) / (hi - lo), b[i], x, K)\n"
        "let Q[x in X] = mean(j in I) m[j, x]\n"
        "let target[x in X] = count(i in I : bin_of((t.h[i] - lo) / (hi - lo), K) == x) / 70\n"
        "common payoff = -sum(x in X) (Q[x] - target[x])^2\n")
    model = load_model(tmp_path / "g.game")
    grouped = solve(model, classify(model), {"seed": 0})
    plain = solve(model, classify(model), {"seed": 0, "oracle": "plain"})
    assert grouped.extra["type_data"] == ["t.h"] and grouped.extra["types"] == len(
        set(heights))
    assert grouped.strategies == plain.strategies
    assert grouped.certificate.ok and plain.certificate.ok
    assert grouped.compare["equilibrium"]["common payoff"] == pytest.approx(
        plain.compare["equilibrium"]["common payoff"], abs=1e-15)


def test_a_small_family_keeps_the_plain_oracle_and_says_why(tmp_path):
    model = nvo_like(tmp_path, 30, 11, 1.0, 0)
    result = solve(model, classify(model), {"seed": 0})
    assert result.extra["oracle"] == "plain" and "30 members" in result.extra["oracle_reason"]
    assert set(result.compare) == {"equilibrium", "laplace"}
    assert {"KL", "private", "common payoff"} <= set(result.compare["laplace"])


def test_real_nba_spec_solves_with_every_instance_private(mirror):
    model = load_model(SPECS / "nvo_pdp.game")
    result = solve(model, classify(model), {"seed": 0, **model.solve_options})
    assert result.extra["oracle"] == "aggregative" and result.extra["types"] < 200
    assert result.certificate.ok and result.certificate.residual <= 1e-12
    profile = _choices(model, result)
    direct = _numpy_lets(model, profile)
    n = len(model.sets["I"])
    assert direct["private"] == n  # every instance eps-pDP, by the independent check
    laplace = result.compare["laplace"]
    assert direct["KL"] == pytest.approx(result.compare["equilibrium"]["KL"], rel=1e-9)
    assert direct["KL"] < laplace["KL"]


# ---- the aggregative engine on a payoff compiled from the Model ------------------------------


def _aggregative(model, seed: int, **options):
    """Aggregative BRD on the model's compiled plan: (result, payoff)."""
    from gamespec.solvers.brd.aggregate_payoff import PlanPayoff
    from gamespec.solvers.brd.aggregate_plan import plan_aggregates
    from gamespec.solvers.brd.aggregative import aggregative_brd

    plan = plan_aggregates(model, plan_grouping(model)[0])
    payoff = PlanPayoff(plan)
    with np.errstate(all="ignore"):
        result = aggregative_brd(plan.game, payoff, seed=seed, tol=TOL, **options)
    return result, payoff


@pytest.mark.parametrize(CASE_NAMES, CASES)
def test_aggregative_and_plain_runs_are_identical(tmp_path, n, K, eps, seed, scales, outliers):
    model = nvo_like(tmp_path, n, K, eps, seed, scales, outliers)
    plain = best_response_dynamics(ModelOracle(model), seed=seed, tol=TOL)
    result, payoff = _aggregative(model, seed, check_potential=True, potential_tol=1e-12)
    np.testing.assert_array_equal(result.profile, plain.profile)
    assert (result.passes, result.switches) == (plain.passes, plain.switches)
    assert result.certificate.value <= TOL  # the engine's own plain re-pricing of the plan
    assert payoff.decisions < n * result.passes  # cached decisions were reused
    common = ModelOracle(model).common_payoff(result.profile)
    assert result.potential == pytest.approx(common, rel=1e-12)


@pytest.mark.parametrize("payoff", [
    # an inline aggregate under a square: no drift bound, decisions recomputed after a switch
    "-(sum(i in I) c[i] * b[i] - 9)^2 + 0.1 * sum(i in I) b[i]",
    # aggregates that pass through zero and turn negative: the clock cannot be used
    "-(sum(i in I) (b[i] - 0.5))^2 - sum(x in X) (mean(i in I) w[i, x] * b[i] - 0.2 * x)^2",
    # a member term that is smooth in the aggregate: every deviation priced exactly
    "sum(i in I) c[i] * b[i] * ln(1 + mean(j in I) b[j]) - 0.3 * sum(i in I) b[i]",
    # a filtered count, a max over a set, a Piecewise member term
    "count(i in I : b[i] == 1) - max(x in X) abs(sum(i in I) w[i, x] * b[i] - 3)"
    " + sum(i in I) [sum(j in I) b[j] >= 20] * b[i] / 7",
])
def test_other_aggregative_payoffs_match_the_plain_oracle(payoff):
    spec = ("set I = 1..60\nset X = 1..4\nparam c[i in I] = 1 + (i - 4 * floor(i / 4)) / 4\n"
            "param w[i in I, x in X] = ((i * x) - 7 * floor(i * x / 7)) / 7\n"
            "players pl[i in I] { choose b in {0, 1} }\n"
            f"common payoff = {payoff}\n")
    model = model_from_string(spec, "t.game")
    assert choose_oracle(model, {}).name == "aggregative"
    for seed in range(3):
        plain = best_response_dynamics(ModelOracle(model), seed=seed, tol=TOL)
        result, _ = _aggregative(model, seed, check_potential=True, potential_tol=1e-12)
        np.testing.assert_array_equal(result.profile, plain.profile)
        assert result.switches == plain.switches


def test_solve_uses_the_aggregative_oracle_and_certifies_independently(tmp_path):
    n, K, eps, seed, scales, outliers = CASES[3]
    model = nvo_like(tmp_path, n, K, eps, seed, scales, outliers)
    result = solve(model, classify(model), {"seed": seed})
    grouped = solve(model, classify(model), {"seed": seed, "oracle": "grouped"})
    extra = result.extra
    assert extra["oracle"] == "aggregative" and "payoff of aggregates" in extra["oracle_reason"]
    assert extra["aggregates"] == ["mean(j in I) (m[j, x])"]
    assert extra["potential_checked"] == "every pass" and extra["decisions_priced"] > 0
    assert result.strategies == grouped.strategies
    assert result.certificate.ok and "fresh weighted" in result.certificate.kind
    assert abs(result.certificate.details["grouped_payoff_minus_plain"]) < 1e-9


@pytest.mark.parametrize(("payoff", "why"), [
    ("prod(i in I) (1 + b[i])", "`prod` over the members"),
    ("mean(i in I : b[i] > 0) c[i] * sum(j in I) b[j]", "filtered by their choices"),
    ("sum(i in I) b[i] * sum(j in I : c[j] == c[i]) b[j]", "pairwise"),
])
def test_payoffs_that_are_not_aggregative_keep_the_grouped_oracle(payoff, why):
    model = model_from_string(
        "set I = 1..60\nparam c[i in I] = 1 + (i - 2 * floor(i / 2))\n"
        f"players pl[i in I] {{ choose b in {{0, 1}} }}\ncommon payoff = {payoff}\n", "t.game")
    choice = choose_oracle(model, {})
    assert choice.name == "grouped" and why in choice.reason
    with pytest.raises(SolverError, match="aggregative oracle does not apply"):
        choose_oracle(model, {"oracle": "aggregative"})


def test_simultaneous_moves_keep_the_grouped_oracle(tmp_path):
    model = nvo_like(tmp_path, 60, 15, 0.5, 2)
    assert choose_oracle(model, {"mode": "simultaneous"}).name == "grouped"
    with pytest.raises(SolverError, match="one at a time"):
        choose_oracle(model, {"mode": "simultaneous", "oracle": "aggregative"})


@pytest.mark.parametrize(CASE_NAMES, [CASES[1], CASES[2], CASES[3]])
def test_a_cached_decision_outlives_no_move_that_could_change_it(
        tmp_path, n, K, eps, seed, scales, outliers):
    # the drift budget's promise, checked directly: after any moves whose clock advances
    # add up to less than the budget, fresh deltas differ from the cached ones by less than
    # the decision's slack
    from gamespec.solvers.brd.aggregate_payoff import PlanPayoff
    from gamespec.solvers.brd.aggregate_plan import plan_aggregates
    from gamespec.solvers.brd.aggregative import AggregateState
    from gamespec.solvers.brd.engine import best_response_index, decision_slack

    model = nvo_like(tmp_path, n, K, eps, seed, scales, outliers)
    plan = plan_aggregates(model, plan_grouping(model)[0])
    game, payoff = plan.game, PlanPayoff(plan)
    payoff.prepare(game)
    rng = np.random.default_rng(seed)
    profile = random_profile([game.n_choices] * n, seed)
    N = game.counts(profile)
    state = AggregateState(game.aggregate_from_counts(N), N, n)
    payoff.reset(state)
    checked = 0
    with np.errstate(all="ignore"):
        for _ in range(150):
            i = int(rng.integers(n))
            theta, c = int(game.types[i]), int(profile[i])
            before = np.array(payoff.deltas(state, theta, c))
            j = best_response_index(before, c, TOL)
            slack = decision_slack(before, c, j, TOL)
            budget = payoff.drift_budget(slack)
            spent = 0.0
            for _ in range(int(rng.integers(1, 30))):  # random moves of other members
                mover = int(rng.integers(n))
                t, old, new = int(game.types[mover]), int(profile[mover]), int(rng.integers(5))
                if new == old:
                    continue
                step = payoff.on_switch(state, t, old, new)
                if spent + step >= budget:
                    break
                spent += step
                state.S += game.contributions[t, new] - game.contributions[t, old]
                state.N[t, old] -= 1
                state.N[t, new] += 1
                profile[mover] = new
            if spent == 0.0:
                continue
            after = np.array(payoff.deltas(state, theta, c))
            assert np.max(np.abs(after - before)) < slack
            checked += 1
    assert checked > 20


def test_a_switch_that_leaves_the_aggregate_unchanged_still_expires_unbudgeted_decisions():
    # choices 1 and 2 add the same to the only aggregate, and the member term is priced
    # exactly (its decisions carry no budget): the counts still moved, so the clock must
    from gamespec.solvers.brd.aggregate_payoff import PlanPayoff
    from gamespec.solvers.brd.aggregate_plan import plan_aggregates
    from gamespec.solvers.brd.aggregative import AggregateState

    model = model_from_string(
        "set I = 1..60\nparam c[i in I] = 1 + (i - 4 * floor(i / 4)) / 4\n"
        "players pl[i in I] { choose b in {0, 1, 2} }\ncommon payoff = sum(i in I) c[i] * "
        "(b[i] - 1.2)^2 * ln(0.5 + mean(j in I) [b[j] >= 1])\n", "t.game")
    plan = plan_aggregates(model, plan_grouping(model)[0])
    payoff = PlanPayoff(plan)
    payoff.prepare(plan.game)
    N = plan.game.counts(random_profile([3] * 60, 0))
    state = AggregateState(plan.game.aggregate_from_counts(N), N, 60)
    payoff.reset(state)
    payoff.deltas(state, 0, 1)
    assert payoff.drift_budget(1.0) == 0.0  # priced exactly
    assert payoff.on_switch(state, 1, 1, 2) > 0.0
    for seed in range(6):
        plain = best_response_dynamics(ModelOracle(model), seed=seed, tol=TOL)
        result, _ = _aggregative(model, seed)
        np.testing.assert_array_equal(result.profile, plain.profile)


QA_SPECS = {  # found by QA; each used to differ from the plain oracle or to crash
    # one aggregate read over two different sets (the slot was shared by its text)
    "set over two sets": "set X = 1..8\nset Y = 3..5\nplayers pl[i in I] { choose b in X }\n"
    "let L[x in X] = count(i in I : b[i] == x)\n"
    "common payoff = -sum(x in X) L[x]^2 + 3 * sum(x in Y) L[x]",
    "shifted index": "param w[i in I] = mod(i * 37, 101) / 101\nset X = 1..8\nset X2 = 2..8\n"
    "players pl[i in I] { choose b in {1, 2, 5, 8} }\n"
    "let Q[x in X] = sum(i in I) w[i] * [b[i] == x]\n"
    "common payoff = -sum(x in X2) (Q[x] - Q[x - 1])^2 - 0.5 * sum(x in X) x * Q[x]",
    # a drift-bounded term whose aggregate is not the first slot
    "second slot": "set I = 1..150\nparam n = card(I)\nparam d[i in I] = mod(i, 5) / 5\n"
    "set X = 1..2\n"
    "players pl[i in I] { choose b in X }\nlet A = sum(j in I) b[j]\n"
    "let L[x in X] = count(j in I : b[j] == x)\ncommon payoff = 0.001*sum(i in I) "
    "[A >= 1000000 + d[i]*10] + sum(x in X) -L[x]^4 * (x*x) / n^3 - 0.1 * sum(i in I) "
    "d[i] * b[i]",
    "two bounded terms": "param d[i in I] = mod(i * 37, 11) / 11\nset X = 1..8\nparam K = 8\n"
    "param n = card(I)\nparam q[x in X] = count(i in I : bin_of(d[i], K) == x) / n\n"
    "players inst[i in I] { choose b in {2, 1, 0.5} }\n"
    "let Q[x in X] = mean(j in I) laplace_mass(d[j], b[j], x, K)\n"
    "let R[x in X] = mean(j in I) gaussian_mass(d[j], b[j], x, K)\n"
    "common payoff = -sum(x in X) q[x] * ln(q[x] / Q[x]) - sum(x in X) q[x] * ln(q[x] / R[x])",
    # a tie on a condition SymPy would have rewritten (A >= 10 d + 40 as d <= A/10 - 4)
    "condition as written": "param d[i in I] = 0.3\nplayers pl[i in I] { choose b in {0, 1} }\n"
    "let A = sum(j in I) b[j]\ncommon payoff = sum(i in I) [A >= 10 * d[i] + 40] - 0.1 * A",
    # an infinite g on pairs nobody plays
    "infinite where unplayed": "param w[i in I] = mod(i * 37, 101) / 101\n"
    "players pl[i in I] { choose b in {0, 1, 2} }\nlet A = count(j in I : b[j] == 2)\n"
    "common payoff = sum(i in I) (if b[i] == 2 then ln(A) else 0) + 0.1 * sum(i in I) w[i] * b[i]"
    "\nprofile zero { b[i in I] = 0 }\nsolve using brd { start = \"zero\" }",
    # an indicator inside an aggregate inside a condition: SymPy folded it out of the
    # aggregate, freeing `j` (every oracle then failed: "`j` has no numeric value")
    "nested indicator": "param w[i in I] = mod(i * 37, 101) / 101\nset R = 1..4\n"
    "players pl[i in I] { choose b in R }\nlet L[r in R] = sum(j in I) w[j] * [b[j] == r]\n"
    "common payoff = sum(i in I) [sum(j in I) w[j] * [b[j] == 2] > 3 * w[i]]"
    " - sum(r in R) L[r]^2",
    # means over a fixed subset of the members (the divisor does not move)
    "fixed-filter mean": "set X = 1..3\nparam w[i in I] = mod(i * 37, 101) / 101\n"
    "players pl[i in I] { choose b in {0, 1, 2} }\n"
    "common payoff = -(mean(i in I : w[i] > 0.5) b[i] - 0.7)^2 * 100 - sum(x in X) "
    "(mean(i in I : w[i] > 0.3 * x) b[i] * w[i] - 0.1 * x)^2 + 10 * mean(i in I : w[i] > 0.3)"
    " [sum(j in I) b[j] > 40 * w[i] + b[i]]",
    # aggregates that reach zero: the window must not grow without bound
    "window growth": "param w[i in I] = mod(i * 37, 101) / 101\nparam g[i in I] = 1 + mod(i, 3)\n"
    "set X = 1..4\nset Y = 1..3\nparam cxy[x in X, y in Y] = mod(x * 7 + y * 3, 5) / 5\n"
    "players pl[i in I] { choose b in X }\n"
    "let M[x in X, y in Y] = sum(j in I) w[j] * [b[j] == x] * [g[j] == y]\n"
    "common payoff = sum(x in X, y in Y) ln(M[x, y] + 1) * cxy[x, y] - 0.05 * sum(i in I) b[i]",
    # ln below 0 (NaN) inside a window's box: the window proved the indicator constant
    "ln out of its domain": "set I = 1..60\nplayers pl[i in I] { choose b in {0, 1, 2} }\n"
    "common payoff = sum(i in I) [ln(sum(j in I) b[j] - 40) <= 5] * b[i]"
    " - 0.05 * (sum(j in I) b[j] - 10)^2",
    # a sum over a set of something that does not depend on its index
    "constant body": "set I = 1..80\nset Y = 1..3\nparam c[i in I] = mod(i * 37, 11) / 11\n"
    "players pl[i in I] { choose b in {0, 1, 2} }\nlet B = sum(i in I) b[i]\n"
    "common payoff = -sum(y in Y) (B / 40 - 1.1)^2 + sum(i in I) c[i] * b[i] / 40",
    # max of ln with an entry below 0 is NaN: not ln of the max
    "max of ln": "set I = 1..60\nset X = 1..4\nparam c[i in I] = 1 + (i - 4 * floor(i / 4)) / 4\n"
    "param w[i in I, x in X] = ((i * x) - 7 * floor(i * x / 7)) / 7\n"
    "players pl[i in I] { choose b in {0, 1, 2} }\n"
    "common payoff = 5 * [max(x in X) ln(mean(i in I) w[i, x] * b[i] - 0.45) <= -1]"
    " - 0.05 * sum(i in I) c[i] * b[i] + 0.1 * sum(x in X) mean(i in I) w[i, x] * b[i]",
}


@pytest.mark.parametrize("name", list(QA_SPECS))
def test_qa_found_aggregative_payoffs_match_the_plain_oracle(name):
    text = QA_SPECS[name]
    if not text.startswith("set I"):
        text = "set I = 1..120\n" + text
    model = model_from_string(text + "\n", "t.game")
    assert choose_oracle(model, {}).name == "aggregative"
    for seed in (1, 3):
        options = {"seed": seed, **model.solve_options}
        got = solve(model, classify(model), options)
        want = solve(model, classify(model), {**options, "oracle": "plain"})
        assert got.strategies == want.strategies
        assert got.extra["switches"] == want.extra["switches"]
        assert got.certificate.ok and want.certificate.ok
