"""LP backend: zero-sum conditional Stackelberg games, matrix games, general-sum Stackelberg.

Values are hand-computed where a test says so; the LP-level tests also check that the
follower's LP really is the Lagrangian dual (PAPERS.md section 2: the paper's eq 26 is not).
"""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gamespec.errors import SolverError
from gamespec.solvers.lp.follower_response import best_response_closed_form, optimal_response
from gamespec.solvers.lp.highs_instance import run_highs
from gamespec.solvers.lp.linear_program import LinearProgram, lagrangian_dual, layout
from gamespec.solvers.lp.matrix_game import matrix_game, solve_matrix_game
from gamespec.solvers.lp.pyomo_lowering import through_pyomo
from gamespec.solvers.lp.routes import solve_lp
from gamespec.solvers.lp.zero_sum_certificate import evaluate
from gamespec.solvers.lp.zero_sum_game import ConditionalGame, SideConstraint
from gamespec.solvers.lp.zero_sum_program import follower_lp, leader_lp
from gamespec.solvers.lp.zero_sum_solve import solve_zero_sum
from gamespec.solvers.stackelberg.bayesian import bayesian_stackelberg, strong_stackelberg
from gamespec.solvers.stackelberg.dobss import dobss_milp
from gamespec.stdlib.location import (
    euclidean_distance_matrix,
    hamming_distance_matrix,
    privacy_payoff,
    quality_weights,
    synthetic_city,
)

ROUTES = ["pyomo", "pyomo-aml", "direct"]


def location_game(n: int, seed: int, qmax: float, hamming: bool = True) -> ConditionalGame:
    """A synthetic location-privacy game: Euclidean dp, Hamming (or Euclidean) dq."""
    city = synthetic_city(n, seed=seed)
    dp = euclidean_distance_matrix(city.centres)
    dq = hamming_distance_matrix(n) if hamming else dp
    quality = SideConstraint("quality", quality_weights(city.psi, dq), "<=", qmax)
    return ConditionalGame(privacy_payoff(city.psi, dp), (quality,))


# ---- matrix games -----------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
def test_matching_pennies_value_zero_uniform(route: str) -> None:
    sol = solve_matrix_game(np.array([[1.0, -1.0], [-1.0, 1.0]]), route=route)
    assert sol.value == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(sol.row_strategy, [0.5, 0.5], atol=1e-9)
    np.testing.assert_allclose(sol.column_strategy, [0.5, 0.5], atol=1e-9)
    assert sol.leader_lp_value == pytest.approx(sol.follower_lp_value, abs=1e-9)
    assert sol.certificate.ok


def test_rock_paper_scissors_uniform() -> None:
    rps = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
    sol = solve_matrix_game(rps)
    assert sol.value == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(sol.row_strategy, np.full(3, 1 / 3), atol=1e-9)
    np.testing.assert_allclose(sol.column_strategy, np.full(3, 1 / 3), atol=1e-9)


def test_biased_rock_paper_scissors_hand_value() -> None:
    # Rock beating scissors pays 3. Equalising columns: p = (1/5, 7/15, 1/3), v = 2/15;
    # equalising rows: q = (1/3, 7/15, 1/5).
    biased = np.array([[0.0, -1.0, 3.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
    sol = solve_matrix_game(biased)
    assert sol.value == pytest.approx(2 / 15, abs=1e-9)
    np.testing.assert_allclose(sol.row_strategy, [1 / 5, 7 / 15, 1 / 3], atol=1e-9)
    np.testing.assert_allclose(sol.column_strategy, [1 / 3, 7 / 15, 1 / 5], atol=1e-9)


def test_dominated_row_gets_probability_zero() -> None:
    # Row 1 is dominated by row 0; rows 0 and 2 mix 3/5 : 2/5, value 11/5.
    A = np.array([[3.0, 1.0], [2.0, 0.0], [1.0, 4.0]])
    sol = solve_matrix_game(A)
    assert sol.value == pytest.approx(11 / 5, abs=1e-9)
    np.testing.assert_allclose(sol.row_strategy, [3 / 5, 0.0, 2 / 5], atol=1e-9)
    np.testing.assert_allclose(sol.column_strategy, [3 / 5, 2 / 5], atol=1e-9)


def test_matrix_game_needs_pooled_signal() -> None:
    # If the follower saw the leader's realised row, the leader could only get max_s min_a A.
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    seen = solve_zero_sum(ConditionalGame(payoff=A[None]))
    assert seen.value == pytest.approx(A.min(axis=1).max(), abs=1e-9)
    assert solve_zero_sum(matrix_game(A)).value == pytest.approx(0.0, abs=1e-9)


# ---- the two LPs ------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["pyomo", "pyomo-aml"])
def test_pyomo_compile_round_trip_reproduces_the_arrays(route: str) -> None:
    game = location_game(6, seed=1, qmax=0.2)
    for lp in (leader_lp(game), follower_lp(game)):
        back = through_pyomo(lp, route)
        assert back.A.shape == lp.A.shape
        assert (abs(back.A - lp.A)).max() == 0
        for name in ("c", "col_lower", "col_upper", "row_lower", "row_upper"):
            np.testing.assert_array_equal(getattr(back, name), getattr(lp, name))
        assert back.maximize == lp.maximize


def _paper_adversary_lp(psi: np.ndarray, dp: np.ndarray, dq: np.ndarray, qmax: float,
                        z_sign: float) -> LinearProgram:
    """Eqs 25-29 written out by hand: min sum psi y + z Qmax,
    y_r >= sum_a h[s,a] dp[a,r] + z_sign * z dq[s,r]; rows of h sum to 1."""
    n = psi.size
    cols = layout(("h", (n, n)), ("y", (n,)), ("z", (1,)))
    rows, cidx, vals = [], [], []
    for r in range(n):
        for s in range(n):
            i = r * n + s
            rows += [i] * (n + 2)
            cidx += [s * n + a for a in range(n)] + [n * n + r, n * n + n]
            vals += list(-dp[:, r]) + [1.0, -z_sign * dq[s, r]]
    for s in range(n):
        rows += [n * n + s] * n
        cidx += [s * n + a for a in range(n)]
        vals += [1.0] * n
    A = sp.csc_array((vals, (rows, cidx)), shape=(n * n + n, n * n + n + 1))
    return LinearProgram(
        A=A, c=np.concatenate([np.zeros(n * n), psi, [qmax]]),
        col_lower=np.concatenate([np.zeros(n * n), np.full(n, -np.inf), [0.0]]),
        col_upper=np.full(n * n + n + 1, np.inf),
        row_lower=np.concatenate([np.zeros(n * n), np.ones(n)]),
        row_upper=np.concatenate([np.full(n * n, np.inf), np.ones(n)]),
        maximize=False, col_blocks=cols,
        row_blocks=layout(("no_gain", (n, n)), ("h_sum", (n,))), name="paper's LP",
    )


def test_derived_dual_matches_paper_with_minus_sign_not_eq26() -> None:
    city = synthetic_city(8, seed=3)
    dp, dq = euclidean_distance_matrix(city.centres), hamming_distance_matrix(8)
    qmax = 0.15
    game = location_game(8, seed=3, qmax=qmax)
    value = solve_zero_sum(game, route="direct").value
    minus = run_highs(_paper_adversary_lp(city.psi, dp, dq, qmax, -1.0)).objective
    plus = run_highs(_paper_adversary_lp(city.psi, dp, dq, qmax, +1.0)).objective
    assert minus == pytest.approx(value, abs=1e-8)
    assert abs(plus - value) > 1e-3  # eq (26) as printed is not the dual


def test_follower_lp_is_the_transposed_leader_lp() -> None:
    game = location_game(5, seed=2, qmax=0.3)
    L, F = leader_lp(game), follower_lp(game)
    assert abs(F.A - L.A.T).max() == 0
    np.testing.assert_array_equal(F.c[F.col("y").slice], np.ones(5))
    assert F.c[F.col("z").slice][0] == 0.3
    assert F.col_lower[F.col("z").slice][0] == 0.0  # z >= 0 for a "<=" constraint
    assert not F.maximize


@pytest.mark.parametrize("seed", range(5))
def test_lagrangian_dual_of_a_mixed_lp_has_the_same_optimum(seed: int) -> None:
    # rows <=, >=, ==; columns >= 0, free, <= 0; feasible x0 and dual-feasible u0 by design
    rng = np.random.default_rng(seed)
    m, n = 6, 7
    A = rng.normal(size=(m, n))
    row_kind = np.array(["<=", ">=", "==", "<=", ">=", "=="])
    col_kind = np.array(["+", "free", "-", "+", "free", "-", "+"])
    x0 = np.abs(rng.normal(size=n)) * np.where(col_kind == "-", -1, 1) * (col_kind != "free")
    slack = np.abs(rng.normal(size=m))
    b = A @ x0 + np.select([row_kind == "<=", row_kind == ">="], [slack, -slack], 0.0)
    u0 = np.abs(rng.normal(size=m)) * np.select([row_kind == "<=", row_kind == ">="], [1, -1], 0)
    u0 += rng.normal(size=m) * (row_kind == "==")
    e = np.abs(rng.normal(size=n))
    c = A.T @ u0 - np.select([col_kind == "+", col_kind == "-"], [e, -e], 0.0)
    lp = LinearProgram(
        A=sp.csc_array(A), c=c,
        col_lower=np.where(col_kind == "+", 0.0, -np.inf),
        col_upper=np.where(col_kind == "-", 0.0, np.inf),
        row_lower=np.where(row_kind == "<=", -np.inf, b),
        row_upper=np.where(row_kind == ">=", np.inf, b),
        maximize=True, col_blocks=layout(("x", (n,))), row_blocks=layout(("r", (m,))),
    )
    dual = lagrangian_dual(lp, {}, {}, name="dual")
    primal_value = run_highs(lp).objective
    assert run_highs(dual).objective == pytest.approx(primal_value, abs=1e-8)
    assert solve_lp(lp).objective == pytest.approx(primal_value, abs=1e-8)  # via Pyomo


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(3, 12), seed=st.integers(0, 10_000), frac=st.floats(0.0, 1.2),
       hamming=st.booleans())
def test_strong_duality_on_random_location_games(n: int, seed: int, frac: float,
                                                 hamming: bool) -> None:
    city = synthetic_city(n, seed=seed)
    dp = euclidean_distance_matrix(city.centres)
    dq = hamming_distance_matrix(n) if hamming else dp
    # the largest quality loss worth paying: every r sent to the single best decoy
    qmax = frac * float((quality_weights(city.psi, dq)).sum(axis=0).max())
    game = location_game(n, seed, qmax, hamming)
    sol = solve_zero_sum(game, route="direct")
    assert sol.duality_gap is not None and sol.duality_gap <= 1e-7
    assert sol.certificate.ok, sol.certificate.details
    assert sol.certificate.details["bound_gap"] <= 1e-7
    assert evaluate(game.payoff, sol.f, sol.h) == pytest.approx(sol.value, abs=1e-7)
    assert sol.constraint_lhs["quality"] <= qmax + 1e-9
    cold = solve_zero_sum(game, route="direct", warm_start=False)
    assert cold.value == pytest.approx(sol.value, abs=1e-7)


@pytest.mark.parametrize("which", ["leader", "follower"])
def test_single_lp_reads_the_other_strategy_from_duals(which: str) -> None:
    game = location_game(10, seed=5, qmax=0.2)
    both = solve_zero_sum(game)
    one = solve_zero_sum(game, lp=which)
    assert one.value == pytest.approx(both.value, abs=1e-8)
    assert (one.leader_lp_value is None) == (which == "follower")
    assert (one.follower_lp_value is None) == (which == "leader")
    assert one.z["quality"] == pytest.approx(both.z["quality"], abs=1e-6)
    assert one.certificate.ok, one.certificate.details


def test_z_is_the_slope_of_optimal_privacy_in_qmax() -> None:
    q, dq = 0.2, 1e-4
    mid = solve_zero_sum(location_game(12, seed=7, qmax=q))
    up = solve_zero_sum(location_game(12, seed=7, qmax=q + dq), route="direct").value
    down = solve_zero_sum(location_game(12, seed=7, qmax=q - dq), route="direct").value
    z = mid.z["quality"]
    assert z > 0.1  # the quality constraint binds here
    # the value is concave in Qmax, so z lies between the one-sided slopes; here both equal it
    assert (up - mid.value) / dq <= z + 1e-6
    assert (mid.value - down) / dq >= z - 1e-6
    assert (up - down) / (2 * dq) == pytest.approx(z, rel=1e-5)


def test_infeasible_qmax_names_the_constraint() -> None:
    game = location_game(6, seed=0, qmax=-0.05)
    with pytest.raises(SolverError) as err:
        solve_zero_sum(game)
    assert "'quality'" in err.value.message and "infeasible" in err.value.message
    assert err.value.exit_code == 3 and "at least 0" in (err.value.hint or "")


def test_jointly_infeasible_constraints_are_all_named() -> None:
    C = np.arange(12.0).reshape(1, 3, 4)
    first = np.array([[1.0, 0.0, 0.0]])
    game = ConditionalGame(C, (SideConstraint("at_most", first, "<=", 0.3),
                               SideConstraint("at_least", first, ">=", 0.5)))
    with pytest.raises(SolverError) as err:
        solve_zero_sum(game)
    assert "'at_most'" in err.value.message and "'at_least'" in err.value.message


def test_ge_constraint_has_nonpositive_shadow_price() -> None:
    A = np.array([[3.0, 1.0], [2.0, 0.0], [1.0, 4.0]])
    game = ConditionalGame(A[None], (SideConstraint("use_row_1", np.array([[0.0, 1.0, 0.0]]),
                                                    ">=", 0.5),), signal=np.zeros(3, dtype=int))
    sol = solve_zero_sum(game)
    assert sol.z["use_row_1"] < 0  # forcing a dominated row costs the leader
    assert sol.constraint_lhs["use_row_1"] == pytest.approx(0.5, abs=1e-9)
    assert sol.certificate.ok


def test_time_limit_raises_solver_error() -> None:
    game = location_game(60, seed=1, qmax=0.3)
    with pytest.raises(SolverError) as err:
        solve_zero_sum(game, route="direct", time_limit=1e-9)
    assert "time limit" in err.value.message


# ---- follower responses -----------------------------------------------------------------------


def test_optimal_response_lp_agrees_with_closed_form() -> None:
    rng = np.random.default_rng(11)
    C = rng.normal(size=(4, 5, 3))
    f = rng.dirichlet(np.ones(5), size=4)
    lp = optimal_response(C, f)
    closed = best_response_closed_form(C, f)
    assert lp.value == pytest.approx(closed.value, abs=1e-9)
    assert evaluate(C, f, lp.h) == pytest.approx(lp.value, abs=1e-9)
    assert evaluate(C, f, closed.h) == pytest.approx(closed.value, abs=1e-12)
    random_h = rng.dirichlet(np.ones(3), size=5)
    assert evaluate(C, f, random_h) >= lp.value - 1e-12


# ---- general-sum Stackelberg ------------------------------------------------------------------


def test_strong_stackelberg_commitment_beats_nash() -> None:
    # Conitzer & Sandholm's example: row 0 dominates, Nash gives 2; committing to (1/2, 1/2)
    # makes the follower (tie broken for the leader) play column 1: leader gets 3.5.
    L = np.array([[2.0, 4.0], [1.0, 3.0]])
    F = np.array([[1.0, 0.0], [0.0, 1.0]])
    sol = strong_stackelberg(L, F)
    assert sol.leader_value == pytest.approx(3.5, abs=1e-9)
    np.testing.assert_allclose(sol.leader_strategy, [0.5, 0.5], atol=1e-9)
    assert sol.responses == (1,)
    assert sol.certificate.ok


def test_stackelberg_duopoly_on_a_grid() -> None:
    # Price a - b(q1 + q2), unit cost c: the leader's Stackelberg quantity is (a - c) / (2b).
    a, b, c = 10.0, 1.0, 1.0
    grid = np.arange(0.0, 9.0 + 1e-9, 0.25)
    q1, q2 = np.meshgrid(grid, grid, indexing="ij")
    L, F = q1 * (a - b * (q1 + q2) - c), q2 * (a - b * (q1 + q2) - c)
    sol = strong_stackelberg(L, F, route="direct")
    mean_q1 = float(sol.leader_strategy @ grid)
    assert mean_q1 == pytest.approx((a - c) / (2 * b), abs=0.25)
    assert grid[sol.responses[0]] == pytest.approx((a - c) / (4 * b), abs=0.25)
    # Brute force over pure commitments, follower ties broken for the leader: on this grid
    # q1 = 4.75 makes the follower indifferent between 2.0 and 2.25, worth 10.6875 > 10.125.
    ties = F >= F.max(axis=1, keepdims=True) - 1e-12
    pure_best = np.where(ties, L, -np.inf).max(axis=1).max()
    assert pure_best == pytest.approx(10.6875)
    assert sol.leader_value >= pure_best - 1e-9  # mixing can only help the leader
    assert sol.leader_value == pytest.approx(pure_best, abs=1e-7)
    assert sol.certificate.ok


def _security_game() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One guard, two targets; rows: cover target 0 / cover target 1; columns: attack 0 / 1.

    With c = P(cover target 0): type A (prob 0.6) attacks 0 iff c <= 0.6, type B (0.4)
    attacks 0 iff c <= 1/3. The defender's value on [0, 1/3] is 2.6c - 1.6, on [1/3, 0.6]
    0.2c - 0.8 and on [0.6, 1] 1.6 - 3.4c: the optimum is c = 0.6 (type A indifferent, tie
    broken for the defender: both types attack target 1) with value -0.44.
    """
    prior = np.array([0.6, 0.4])
    L = np.array([[[1.0, -1.0], [-2.0, 2.0]],
                  [[1.0, -3.0], [-1.0, 1.0]]])
    F = np.array([[[-1.0, 1.0], [2.0, -1.0]],
                  [[-1.0, 3.0], [1.0, -1.0]]])
    return prior, L, F


@pytest.mark.parametrize("method", ["dobss", "multiple_lps"])
def test_security_game_two_attacker_types_hand_value(method: str) -> None:
    prior, L, F = _security_game()
    sol = bayesian_stackelberg(prior, L, F, method=method)
    assert sol.leader_value == pytest.approx(-0.44, abs=1e-7)
    np.testing.assert_allclose(sol.leader_strategy, [0.6, 0.4], atol=1e-7)
    assert sol.responses == (1, 1)
    assert sol.certificate.ok, sol.certificate.details


def test_dobss_agrees_with_multiple_lps_on_random_games() -> None:
    rng = np.random.default_rng(2024)
    for _ in range(4):
        T, m, n = 2, 3, 3
        prior = rng.dirichlet(np.ones(T))
        L, F = rng.integers(-5, 6, size=(2, T, m, n)).astype(float)
        dobss = bayesian_stackelberg(prior, L, F, method="dobss", route="direct")
        lps = bayesian_stackelberg(prior, L, F, method="multiple_lps", route="direct")
        assert dobss.leader_value == pytest.approx(lps.leader_value, abs=1e-7)
        assert dobss.certificate.ok and lps.certificate.ok


def test_dobss_milp_marks_only_q_integer() -> None:
    prior, L, F = _security_game()
    milp = dobss_milp(prior, L, F)
    assert milp.integrality is not None
    assert milp.integrality[milp.col("q").slice].all()
    assert not milp.integrality[milp.col("z").slice].any()


def test_sampled_commitment_check_rejects_a_suboptimal_commitment() -> None:
    from gamespec.solvers.stackelberg.equilibrium import (
        sampled_commitment_value,
        stackelberg_result,
    )

    prior, L, F = _security_game()
    best = bayesian_stackelberg(prior, L, F, method="multiple_lps")
    assert sampled_commitment_value(prior, L, F) <= best.leader_value + 1e-9
    # commit to the pure strategy 0 with the responses it induces: a worse commitment
    x = np.array([1.0, 0.0])
    responses = [int(np.argmax(x @ F[t])) for t in range(len(prior))]
    worse = stackelberg_result(prior, L, F, x, responses, "test", 1)
    assert worse.leader_value < best.leader_value - 1e-3
    assert not worse.certificate.ok
    assert worse.certificate.details["sampled_commitment_gain"] > 1e-3


@pytest.mark.parametrize("scale", [1e-9, 1e12])
def test_a_scaled_game_has_the_same_strategies_and_a_certificate(scale: float) -> None:
    rps = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
    sol = solve_matrix_game(scale * rps)
    np.testing.assert_allclose(sol.row_strategy, [1 / 3] * 3, atol=1e-9)
    np.testing.assert_allclose(sol.column_strategy, [1 / 3] * 3, atol=1e-9)
    assert abs(sol.value) <= 1e-6 * scale
    assert sol.certificate.ok


def test_a_solve_writes_nothing_on_stdout() -> None:
    # HiGHS 1.16 prints a banner on stdout when a process builds its first instance, before
    # any option can silence it; stdout carries `--json` results. A fresh process, so this
    # is its first instance.
    import subprocess
    import sys
    code = ("import numpy as np\n"
            "from gamespec.solvers.lp.matrix_game import solve_matrix_game\n"
            "solve_matrix_game(np.array([[1.0, -1.0], [-1.0, 1.0]]))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
