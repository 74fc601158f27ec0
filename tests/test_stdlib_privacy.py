"""Tests of gamespec.stdlib.privacy against hand computations and plain recomputation."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import integrate, stats

from gamespec.errors import SpecError
from gamespec.stdlib import privacy as pv


def _truncated_bin_masses(pdf, K: int) -> np.ndarray:
    """Masses of the K bins of [0, 1] under a density, by adaptive quadrature."""
    edges = np.linspace(0.0, 1.0, K + 1)
    raw = np.array([integrate.quad(pdf, a, b, epsabs=0, epsrel=1e-13)[0]
                    for a, b in itertools.pairwise(edges)])
    return raw / raw.sum()


# ------------------------------------------------------------------ mechanism masses


@pytest.mark.parametrize(("d", "b"), [(0.0, 0.2), (0.37, 0.05), (0.5, 3.0), (1.0, 0.33)])
def test_laplace_masses_match_the_integral_of_the_truncated_density(d: float, b: float) -> None:
    K = 13
    expected = _truncated_bin_masses(lambda x: math.exp(-abs(x - d) / b) / (2 * b), K)
    got = pv.laplace_bin_masses(d, b, K)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=0)
    assert got.sum() == pytest.approx(1.0, abs=1e-14)


def test_laplace_masses_keep_relative_precision_far_in_the_tail() -> None:
    # the last bin holds ~e^-94 of the mass: naive CDF differences would return 0
    d, b, K = 0.05, 0.01, 10
    got = pv.laplace_bin_masses(d, b, K)
    Z = 1 - 0.5 * math.exp(-d / b) - 0.5 * math.exp(-(1 - d) / b)
    last = 0.5 * (math.exp(-(0.9 - d) / b) - math.exp(-(1.0 - d) / b)) / Z
    assert got[-1] == pytest.approx(last, rel=1e-12)
    assert got[-1] > 0


def test_laplace_masses_broadcast_over_values_and_scales() -> None:
    d = np.array([[0.1], [0.5], [0.9]])
    b = np.array([[0.2, 0.5, 1.0, 2.0]])
    got = pv.laplace_bin_masses(d, b, 7)
    assert got.shape == (3, 4, 7)
    np.testing.assert_allclose(got.sum(axis=-1), 1.0, atol=1e-14)
    np.testing.assert_allclose(got[2, 1], pv.laplace_bin_masses(0.9, 0.5, 7), rtol=0, atol=0)
    # symmetric around the centre of [0, 1]
    np.testing.assert_allclose(got[0, 3], got[2, 3][::-1], rtol=1e-13)


def test_gaussian_masses_match_the_integral_of_the_truncated_density() -> None:
    for d, s in [(0.2, 0.1), (0.8, 0.5), (0.0, 0.03)]:
        expected = _truncated_bin_masses(lambda x, d=d, s=s: stats.norm.pdf(x, d, s), 11)
        np.testing.assert_allclose(pv.gaussian_bin_masses(d, s, 11), expected, rtol=1e-8)


def test_masses_reject_non_positive_scales() -> None:
    with pytest.raises(SpecError):
        pv.laplace_bin_masses(0.5, 0.0, 5)
    with pytest.raises(SpecError):
        pv.gaussian_bin_masses(0.5, -1.0, 5)


# ------------------------------------------------------------------ histograms, distances


def test_histogram_bins_values_with_one_in_the_last_bin() -> None:
    np.testing.assert_array_equal(pv.histogram([0.0, 0.5, 1.0, 0.99], 4), [0.25, 0, 0.25, 0.5])
    np.testing.assert_array_equal(pv.bin_index([0.0, 0.249, 0.25, 1.0], 4), [0, 0, 1, 3])
    with pytest.raises(SpecError):
        pv.histogram([0.5, 1.2], 4)


def test_kl_divergence_hand_cases() -> None:
    assert pv.kl_divergence([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.5 * math.log(4 / 3))
    assert pv.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2))  # 0 ln 0 = 0
    assert pv.kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert pv.kl_divergence([0.2, 0.8], [0.2, 0.8]) == 0.0
    rows = pv.kl_divergence([[0.5, 0.5], [1.0, 0.0]], [0.25, 0.75])
    np.testing.assert_allclose(rows, [0.5 * math.log(4 / 3), math.log(4)])


def test_jaccard_index_uses_bins_above_the_threshold() -> None:
    p = [0.5, 0.0005, 0.4995, 0.0]
    q = [0.3, 0.3, 0.0, 0.4]
    assert pv.jaccard_index(p, q) == pytest.approx(1 / 4)          # {0, 2} vs {0, 1, 3}
    assert pv.jaccard_index(p, q, threshold=0.0001) == pytest.approx(2 / 4)
    assert pv.jaccard_index([0, 0], [0, 0]) == 1.0


def test_cosine_similarity_hand_cases() -> None:
    assert pv.cosine_similarity([1, 0], [1, 1]) == pytest.approx(1 / math.sqrt(2))
    assert pv.cosine_similarity([0.2, 0.3], [0.4, 0.6]) == pytest.approx(1.0)
    with pytest.raises(SpecError):
        pv.cosine_similarity([0, 0], [1, 1])


def test_l1_std_loss_compares_standard_deviations_on_bin_midpoints() -> None:
    data = [0.1, 0.9]                       # bins 0 and 1 of K = 2: mid-points 0.25, 0.75
    assert pv.l1_std_loss(data, [1.0, 0.0], 2) == pytest.approx(0.25)
    assert pv.l1_std_loss(data, [0.5, 0.5], 2) == pytest.approx(0.0)
    rng = np.random.default_rng(3)
    values = rng.uniform(size=200)
    assert pv.l1_std_loss(values, pv.histogram(values, 17), 17) == pytest.approx(0, abs=1e-15)


# ------------------------------------------------------------------ per-instance DP


def _pdp_from_scratch(m: np.ndarray, eps: float) -> np.ndarray:
    """Delete each instance, recompute both output distributions, compare log-ratios."""
    Q = m.mean(axis=0)
    out = []
    for i in range(m.shape[0]):
        Q_without = np.delete(m, i, axis=0).mean(axis=0)
        out.append(np.max(np.abs(np.log(Q / Q_without))) <= eps)
    return np.array(out)


def test_pdp_all_agrees_with_deleting_each_instance() -> None:
    rng = np.random.default_rng(11)
    m = rng.dirichlet(np.full(7, 0.4), size=20)
    losses = np.array([np.max(np.abs(np.log(m.mean(0) / np.delete(m, i, 0).mean(0))))
                       for i in range(20)])
    for eps in np.quantile(losses, [0.1, 0.5, 0.9]):
        got = pv.pdp_all(m, eps)
        np.testing.assert_array_equal(got, _pdp_from_scratch(m, eps))
        assert 0 < got.sum() < 20  # the chosen eps split the instances
    np.testing.assert_allclose(pv.pdp_max_log_ratio(m, m.mean(0), 20), losses, rtol=1e-12)


def test_pdp_checks_a_chunk_against_the_whole_data_set() -> None:
    rng = np.random.default_rng(5)
    m = rng.dirichlet(np.ones(5), size=30)
    eps = 0.2
    whole = pv.pdp_all(m, eps)
    chunk = pv.pdp_all(m[10:20], eps, Q=m.mean(axis=0), n=30)
    np.testing.assert_array_equal(chunk, whole[10:20])
    assert pv.pdp_holds(m[3], m.mean(axis=0), 30, eps) == bool(whole[3])


def test_an_instance_alone_in_a_bin_has_infinite_privacy_loss() -> None:
    m = np.array([[1.0, 0.0], [1.0, 0.0], [0.5, 0.5]])
    assert pv.pdp_max_log_ratio(m[2], m.mean(axis=0), 3) == math.inf
    np.testing.assert_array_equal(pv.pdp_all(m, 10.0), [True, True, False])
    # bins where everybody puts no mass carry no constraint
    m0 = np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]])
    np.testing.assert_array_equal(pv.pdp_all(m0, 1e-12), [True, True])


def test_mechanism_epsilon_of_randomised_response_is_ln3() -> None:
    rr = [[0.75, 0.25], [0.25, 0.75]]
    assert pv.mechanism_epsilon(rr) == pytest.approx(math.log(3))
    assert pv.dp_holds_mechanism(rr, math.log(3) + 1e-12)
    assert not pv.dp_holds_mechanism(rr, 1.0)


def test_mechanism_epsilon_only_compares_neighbouring_inputs() -> None:
    channel = [[0.8, 0.2], [0.5, 0.5], [0.2, 0.8]]
    assert pv.mechanism_epsilon(channel) == pytest.approx(math.log(4))
    near = pv.mechanism_epsilon(channel, inputs=[0.0, 0.5, 1.0], sensitivity=0.5)
    assert near == pytest.approx(math.log(2.5))


def test_truncated_laplace_channel_epsilon_is_attained_by_the_extreme_inputs() -> None:
    # worst pair: inputs in the first and last bin, output in the first bin; closed form
    K, b = 21, 0.5
    mids = pv.bin_midpoints(K)
    eps = pv.mechanism_epsilon(pv.laplace_bin_masses(mids, b, K))
    u, v, w = mids[0], mids[-1], 1.0 / K

    def Z(d: float) -> float:
        return 1 - 0.5 * math.exp(-d / b) - 0.5 * math.exp(-(1 - d) / b)

    own = (1 - 0.5 * math.exp(-(w - u) / b) - 0.5 * math.exp(-u / b)) / Z(u)
    far = 0.5 * (math.exp(-(v - w) / b) - math.exp(-v / b)) / Z(v)
    assert eps == pytest.approx(math.log(own / far), rel=1e-12)
    # truncation + renormalisation: at most the spread over b plus the normalisers' ratio
    assert eps <= (v - u) / b + math.log(Z(0.5) / Z(u))


# ------------------------------------------------------------------ preprocessing, Theorem 1


def test_minmax_normalise_pads_by_the_laplace_percentile() -> None:
    delta = pv.normalisation_padding(dq=1.0, eps=1.0, p=0.9)
    assert delta == pytest.approx(math.log(5))
    got = pv.minmax_normalise([0.0, 10.0, 5.0], dq=1.0, eps=1.0)
    span = 10 + 2 * math.log(5)
    np.testing.assert_allclose(got, [math.log(5) / span, 1 - math.log(5) / span, 0.5])
    with pytest.raises(SpecError):
        pv.normalisation_padding(1.0, 1.0, p=0.4)


def test_theorem1_bound_values() -> None:
    # the paper: b_min ~ 0.129 for the NBA data (n = 1307) at eps = 1
    assert pv.theorem1_bmin(1307, 1.0) == pytest.approx(1 / math.log(1 + 1306 * (math.e - 1)))
    assert round(pv.theorem1_bmin(1307, 1.0), 3) == 0.130
    assert pv.theorem1_bmin(1307, 1.0, K=101) == pytest.approx(
        1 / math.log(1 + 1306 * (math.e - 1) / 101))
    assert pv.theorem1_bmin(30, 0.5) == pytest.approx(0.334859, abs=1e-6)
    # more data or a looser eps allow less noise
    assert pv.theorem1_bmin(10_000, 1.0) < pv.theorem1_bmin(1307, 1.0) < pv.theorem1_bmin(1307, 0.5)


def test_spec_functions_keep_far_tails_and_refuse_bad_arguments() -> None:
    from gamespec.errors import SpecError
    from gamespec.stdlib.functions import bin_of, gaussian_mass, laplace_mass

    # the upper tail as precisely as the lower (the mirror image)
    assert gaussian_mass(0.1, 0.05, 5, 5) == pytest.approx(gaussian_mass(0.9, 0.05, 1, 5),
                                                           rel=1e-9)
    assert gaussian_mass(0.1, 0.05, 5, 5) == pytest.approx(7.97496840263533e-45, rel=1e-6)
    assert gaussian_mass(-3.0, 0.1, 1, 5) == pytest.approx(1.0)  # [0, 1] 30 sd away
    # exact decimals on a bin edge land where the written number says
    assert bin_of(0.29, 100) == 30 and bin_of(0.57, 100) == 58
    for bad in (lambda: laplace_mass(0.5, -1, 1, 2), lambda: laplace_mass(0.5, 0.2, 0, 2),
                lambda: gaussian_mass(0.5, 0.0, 1, 2), lambda: bin_of(0.5, 0)):
        with pytest.raises(SpecError):
            bad()


@pytest.mark.parametrize("method", ["enumerate", "brd"])
def test_a_privacy_function_error_points_at_the_payoff(tmp_path, capsys, method) -> None:
    from gamespec.cli import main

    spec = tmp_path / "neg.game"
    spec.write_text("player a { choose x in {1, 2} }\npayoff a = laplace_mass(0.5, -1, x, 2)\n")
    assert main(["solve", str(spec), "--method", method]) == 2
    assert f"{spec}:2:1: error: laplace_mass: the noise scale must be positive" in \
        capsys.readouterr().err
