"""The NVO specs' privacy audit, written as `check` / `report` statements over the stdlib's
`laplace_bin_mass`, against a brute-force pDP computation (masses by numerical
integration of the Laplace density, Q and Q_-i by definition)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import quad

from gamespec.api import solve_model
from gamespec.language.loader import load_model
from gamespec.stdlib.functions import laplace_mass
from gamespec.stdlib.privacy import laplace_bin_mass, laplace_bin_masses

SPECS = Path(__file__).resolve().parents[2] / "specs"
AUDIT = (SPECS / "nvo_pdp.game").read_text(encoding="utf-8")
AUDIT = AUDIT[AUDIT.index("# Audit:"):AUDIT.index("profile laplace")]  # the spec's own text

SMALL = """\
game "NVO audit test"
param eps = {eps}
param dq = 1
param K = {K}
data t = csv("heights.csv")
set I = t.rows
param d[i in I] = t.h[i]
param n = card(I)
set X = 1..K
set V = {{3, 1, 0.2, 0.02}} * dq / eps
players instances[i in I] {{ choose b in V }}
let m[i in I, x in X] = laplace_mass(d[i], b[i], x, K)
let Q[x in X] = mean(j in I) m[j, x]
let Q_without[i in I, x in X] = (n * Q[x] - m[i, x]) / (n - 1)
let pdp[i in I] = [max(x in X) abs(ln(Q[x] / Q_without[i, x])) <= eps]
let private = sum(i in I) pdp[i]
common payoff = sum(i in I) pdp[i]
{audit}
profile laplace {{ b[i in I] = dq / eps }}
profile tiny {{ b[i in I] = 0.02 * dq / eps }}
solve using brd {{ tolerance = 1e-12 }}
"""


def _brute_loss(d: np.ndarray, b: np.ndarray, K: int) -> np.ndarray:
    """Per-instance max_x |ln Q(x) / Q_-i(x)|, every mass by quad of the Laplace density."""
    def density(t, di, bi):
        return math.exp(-abs(t - di) / bi) / (2 * bi)

    masses = np.empty((len(d), K))
    for i, (di, bi) in enumerate(zip(d, b)):
        edges = np.linspace(0, 1, K + 1)
        bins = [quad(density, lo, hi, args=(di, bi), points=[di] if lo < di < hi else None,
                     epsabs=0, epsrel=1e-13)[0] for lo, hi in zip(edges[:-1], edges[1:])]
        masses[i] = np.array(bins) / sum(bins)
    n = len(d)
    Q = masses.mean(axis=0)
    without = (n * Q - masses) / (n - 1)
    return np.max(np.abs(np.log(Q / without)), axis=1)


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audit")
    rng = np.random.default_rng(7)
    heights = np.clip(rng.normal(0.5, 0.08, 14), 0.02, 0.98)
    heights[0] = 0.985  # an outlier: with the smallest scale its pDP fails
    rows = "\n".join(f"{k + 1},{float(h)!r}" for k, h in enumerate(heights))
    (folder / "heights.csv").write_text("id,h\n" + rows + "\n")
    spec = folder / "audit.game"
    eps, K = 1.0, 21
    spec.write_text(SMALL.format(eps=eps, K=K, audit=AUDIT))
    model = load_model(spec)
    return model, solve_model(model, seed=0), heights, eps, K


def _scales(result, n: int) -> np.ndarray:
    return np.array([float(result.strategies[f"instances[{i}]"]) for i in range(1, n + 1)])


def test_reports_equal_the_brute_force_loss(solved):
    model, result, d, eps, K = solved
    n = len(d)
    points = {"solution": _scales(result, n), "profile laplace": np.full(n, 1.0 / eps),
              "profile tiny": np.full(n, 0.02 / eps)}
    reports = {"solution": result.reports, **result.profile_reports}
    for label, b in points.items():
        loss = _brute_loss(d, b, K)
        assert reports[label]["max_pdp_loss"] == pytest.approx(loss.max(), rel=1e-9)
        assert reports[label]["instances_within_eps"] == int(np.sum(loss <= eps))


def test_the_check_fails_where_a_scale_is_too_small(solved):
    _, result, d, eps, K = solved
    check = result.checks["every_instance_pdp"]
    assert check["at"]["solution"]["holds"] and check["at"]["profile laplace"]["holds"]
    tiny = _brute_loss(d, np.full(len(d), 0.02 / eps), K)
    assert tiny.max() > eps  # the brute force agrees that pDP breaks there
    assert check["at"]["profile tiny"]["holds"] is False and check["holds"] is False
    assert check["at"]["profile tiny"]["lhs"] == pytest.approx(tiny.max(), rel=1e-9)
    assert "every_instance_pdp" in result.certificate.details["failed_checks"]
    # the recount agrees with the payoff's own pDP count at every point
    assert result.checks["audit_matches_payoff"]["holds"]


def test_laplace_bin_mass_is_the_privacy_library_route():
    d, b = np.array([0.0, 0.41, 1.0]), np.array([0.02, 0.3, 3.0])
    x = np.arange(1, 12)
    per_bin = laplace_bin_mass(d[:, None], b[:, None], x[None, :], 11)
    assert np.allclose(per_bin, laplace_bin_masses(d, b, 11), rtol=1e-13, atol=0)
    assert np.allclose(per_bin, laplace_mass(d[:, None], b[:, None], x[None, :], 11),
                       rtol=1e-9, atol=1e-300)
    assert np.allclose(per_bin.sum(axis=1), 1.0, rtol=1e-14)
