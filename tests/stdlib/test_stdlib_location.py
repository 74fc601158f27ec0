"""Location-privacy primitives and the paper's claims about the optimal LPPM and attack."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gamespec.solvers.lp.follower_response import optimal_response
from gamespec.solvers.lp.zero_sum_game import ConditionalGame, SideConstraint
from gamespec.solvers.lp.zero_sum_solve import solve_zero_sum
from gamespec.stdlib.location import (
    bayesian_attack,
    euclidean_distance_matrix,
    grid_regions,
    hamming_distance_matrix,
    obfuscation_lppm,
    privacy,
    privacy_payoff,
    quality_loss,
    quality_weights,
    synthetic_city,
    top_regions,
    user_profiles,
)

KM_PER_DEGREE = np.pi / 180 * 6371.0088


def location_game(psi: np.ndarray, dp: np.ndarray, dq: np.ndarray, qmax: float
                  ) -> ConditionalGame:
    quality = SideConstraint("quality", quality_weights(psi, dq), "<=", qmax)
    return ConditionalGame(privacy_payoff(psi, dp), (quality,))


# ---- primitives -------------------------------------------------------------------------------


def test_grid_regions_cells_and_km_centres() -> None:
    lat = np.array([0.0, 0.0, 1.0, 0.5])
    lon = np.array([0.0, 1.0, 0.0, 0.5])
    grid = grid_regions(lat, lon, weights=np.array([1.0, 2.0, 3.0, 4.0]), nx=4, ny=2)
    assert grid.height_km == pytest.approx(KM_PER_DEGREE)
    assert grid.width_km == pytest.approx(KM_PER_DEGREE * np.cos(np.deg2rad(0.5)))
    # SW corner -> cell 0, SE corner -> last column, N edge -> top row, centre -> (2, 1)
    np.testing.assert_array_equal(grid.cell, [0, 3, 4, 2 + 4 * 1])
    assert grid.counts.sum() == 10.0 and grid.counts[6] == 4.0
    np.testing.assert_allclose(grid.centres[0], [grid.width_km / 8, grid.height_km / 4])
    assert grid.centres.shape == (8, 2)


def test_top_regions_order_and_ties() -> None:
    np.testing.assert_array_equal(top_regions(np.array([1, 5, 3, 5, 0]), k=3), [1, 3, 2])


def test_user_profiles_normalised_and_most_active_first() -> None:
    users = np.array(["a", "a", "b", "b", "c", "c"])
    cells = np.array([0, 1, 1, 9, 0, 2])  # cell 9 is outside the chosen regions
    counts = np.array([1.0, 3.0, 2.0, 50.0, 4.0, 4.0])
    prof = user_profiles(users, cells, counts, regions=np.array([0, 1, 2]), n_users=2)
    assert list(prof.users) == ["c", "a"]
    np.testing.assert_allclose(prof.psi, [[0.5, 0.0, 0.5], [0.25, 0.75, 0.0]])


def test_distance_matrices() -> None:
    D = euclidean_distance_matrix(np.array([[0.0, 0.0], [3.0, 4.0]]))
    np.testing.assert_allclose(D, [[0.0, 5.0], [5.0, 0.0]])
    np.testing.assert_array_equal(hamming_distance_matrix(2), [[0.0, 1.0], [1.0, 0.0]])


def test_obfuscation_lppm_hides_among_k_nearest() -> None:
    centres = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [10.0, 0.0]])
    f = obfuscation_lppm(centres, 2)
    np.testing.assert_allclose(f[0], [0.5, 0.5, 0.0, 0.0])
    np.testing.assert_allclose(f[3], [0.0, 0.0, 0.5, 0.5])
    np.testing.assert_allclose(obfuscation_lppm(centres, 1), np.eye(4))
    np.testing.assert_allclose(obfuscation_lppm(centres, 3).sum(axis=1), 1.0)


def test_quality_loss_privacy_and_bayesian_attack_by_hand() -> None:
    psi = np.array([0.75, 0.25])
    f = np.array([[0.5, 0.5], [0.0, 1.0]])
    dq = hamming_distance_matrix(2)
    dp = np.array([[0.0, 2.0], [2.0, 0.0]])
    assert quality_loss(psi, f, dq) == pytest.approx(0.375)
    h = bayesian_attack(psi, f)
    # Pr(r'=0) = 0.375 all from r=0; Pr(r'=1) = 0.375 + 0.25: posterior (0.6, 0.4)
    np.testing.assert_allclose(h, [[1.0, 0.0], [0.6, 0.4]])
    # r=0 -> r'=1 (0.375) guessed 1 w.p. 0.4; r=1 -> r'=1 (0.25) guessed 0 w.p. 0.6
    assert privacy(psi, f, h, dp) == pytest.approx(0.375 * 0.4 * 2 + 0.25 * 0.6 * 2)


def test_payoff_tensor_matches_privacy_and_quality() -> None:
    rng = np.random.default_rng(0)
    city = synthetic_city(7, seed=4)
    dp, dq = euclidean_distance_matrix(city.centres), hamming_distance_matrix(7)
    f, h = rng.dirichlet(np.ones(7), size=7), rng.dirichlet(np.ones(7), size=7)
    C = privacy_payoff(city.psi, dp)
    assert np.einsum("rsa,rs,sa->", C, f, h) == pytest.approx(privacy(city.psi, f, h, dp))
    assert np.sum(quality_weights(city.psi, dq) * f) == pytest.approx(
        quality_loss(city.psi, f, dq))


def test_synthetic_city_is_seeded_and_labelled() -> None:
    a, b = synthetic_city(30, seed=9), synthetic_city(30, seed=9)
    np.testing.assert_array_equal(a.centres, b.centres)
    np.testing.assert_array_equal(a.psi, b.psi)
    assert a.psi.sum() == pytest.approx(1.0) and a.psi.max() > 5 * a.psi.min()
    assert len({tuple(c) for c in a.centres}) == 30
    assert "synthetic" in a.label
    assert not np.array_equal(synthetic_city(30, seed=10).psi, a.psi)


# ---- the paper's claims -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def city_setting() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    city = synthetic_city(15, seed=2)
    return (city.psi, euclidean_distance_matrix(city.centres), hamming_distance_matrix(15),
            city.centres)


@pytest.mark.parametrize("k", [2, 3, 5])
def test_optimal_lppm_beats_obfuscation_at_equal_quality_loss(city_setting, k: int) -> None:
    psi, dp, dq, centres = city_setting
    f_obf = obfuscation_lppm(centres, k)
    qmax = quality_loss(psi, f_obf, dq)
    opt = solve_zero_sum(location_game(psi, dp, dq, qmax))
    attack_on_obf = optimal_response(privacy_payoff(psi, dp), f_obf)
    assert opt.constraint_lhs["quality"] <= qmax + 1e-9
    assert opt.value >= attack_on_obf.value - 1e-9
    assert opt.value > attack_on_obf.value + 1e-3  # strictly better on this instance


def test_optimal_attack_never_weaker_than_bayesian(city_setting) -> None:
    psi, dp, dq, centres = city_setting
    opt = solve_zero_sum(location_game(psi, dp, dq, 0.3))
    for f in (obfuscation_lppm(centres, 2), obfuscation_lppm(centres, 4), opt.f):
        best = optimal_response(privacy_payoff(psi, dp), f)
        assert best.value <= privacy(psi, f, bayesian_attack(psi, f), dp) + 1e-9
        assert best.value == pytest.approx(privacy(psi, f, best.h, dp), abs=1e-9)


def test_zero_quality_budget_gives_zero_privacy(city_setting) -> None:
    psi, dp, dq, _ = city_setting
    sol = solve_zero_sum(location_game(psi, dp, dq, 0.0))
    assert sol.value == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(sol.f, np.eye(15), atol=1e-9)


def test_unlimited_quality_budget_gives_prior_only_privacy(city_setting) -> None:
    psi, dp, dq, _ = city_setting
    sol = solve_zero_sum(location_game(psi, dp, dq, 10.0))
    prior_only = float((dp * psi[None, :]).sum(axis=1).min())
    assert sol.value == pytest.approx(prior_only, abs=1e-8)
    assert sol.z["quality"] == pytest.approx(0.0, abs=1e-9)


# ---- real data --------------------------------------------------------------------------------


def _read_foursquare(folder: Path) -> tuple[np.ndarray, ...]:
    places: dict[str, tuple[float, float]] = {}
    for line in (folder / "Location.txt").read_text().split("\n"):
        if line.strip():
            pid, lat, lon = line.split()
            places[pid] = (float(lat), float(lon))
    rows = [line.split() for line in
            (folder / "checkins_user_loc_count.txt").read_text().split("\n") if line.strip()]
    rows = [r for r in rows if r[1] in places]
    users = np.array([r[0] for r in rows])
    latlon = np.array([places[r[1]] for r in rows])
    counts = np.array([float(r[2]) for r in rows])
    return users, latlon[:, 0], latlon[:, 1], counts


def test_foursquare_singapore_reproduces_the_paper_setting(mirror: Path) -> None:
    folder = mirror / "foursquare_sg"
    if not folder.is_dir():
        pytest.skip(f"{folder} not in the data mirror")
    users, lat, lon, counts = _read_foursquare(folder)
    grid = grid_regions(lat, lon, counts, nx=20, ny=15)
    regions = top_regions(grid.counts, k=30)
    profiles = user_profiles(users, grid.cell, counts, regions, n_users=11)
    assert profiles.psi.shape == (11, 30)
    np.testing.assert_allclose(profiles.psi.sum(axis=1), 1.0)
    assert grid.counts.sum() == pytest.approx(counts.sum())
    centres = grid.centres[regions]
    dp, dq = euclidean_distance_matrix(centres), hamming_distance_matrix(30)
    psi = profiles.psi[0]
    f_obf = obfuscation_lppm(centres, 3)
    qmax = quality_loss(psi, f_obf, dq)
    sol = solve_zero_sum(location_game(psi, dp, dq, qmax))
    assert sol.duality_gap is not None and sol.duality_gap <= 1e-7
    assert sol.certificate.ok, sol.certificate.details
    obf = optimal_response(privacy_payoff(psi, dp), f_obf).value
    assert sol.value >= obf - 1e-9
