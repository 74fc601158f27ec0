"""Location-privacy primitives (Shokri et al., CCS 2012): regions, profiles, LPPMs, attacks.

Everything works on NumPy arrays; reading files is the data registry's job. Conventions
(the paper's): f[r, r'] = Pr(pseudolocation r' | true location r) (rows sum to 1),
h[r', r_hat] = Pr(estimate r_hat | observed r'), psi[r] the user's profile,
dp[r_hat, r] the privacy distance, dq[r', r] the quality distance.
The game itself is C[r, s, a] = psi[r] dp[a, r] with side constraint weights
G[r, s] = psi[r] dq[s, r] (`privacy_payoff`, `quality_weights`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), used by the equirectangular projection."""


@dataclass(frozen=True, eq=False)
class GridRegions:
    """A regular nx x ny grid over the data's bounding box.

    cell[i] is the region of point i (index ix + nx * iy, iy = 0 the southern row);
    centres[k] the centre of cell k in km from the box's south-west corner; counts[k] the
    summed weight of the points in cell k.
    """

    cell: np.ndarray
    centres: np.ndarray
    counts: np.ndarray
    nx: int
    ny: int
    width_km: float
    height_km: float
    bbox: tuple[float, float, float, float]  # (lat_min, lat_max, lon_min, lon_max)


def project_km(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float, lat_ref: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection to km east/north of (lat0, lon0), scaled at latitude lat_ref."""
    k = np.pi / 180.0 * EARTH_RADIUS_KM
    x = (np.asarray(lon, float) - lon0) * k * np.cos(np.deg2rad(lat_ref))
    y = (np.asarray(lat, float) - lat0) * k
    return x, y


def grid_regions(lat: np.ndarray, lon: np.ndarray, weights: np.ndarray | None = None,
                 nx: int = 20, ny: int = 15) -> GridRegions:
    """Cut the bounding box of the points into nx x ny cells (the paper's 20 x 15 regions)."""
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    if lat.shape != lon.shape or lat.ndim != 1 or lat.size == 0:
        raise ValueError("lat and lon must be equal-length, non-empty 1-D arrays")
    w = np.ones_like(lat) if weights is None else np.asarray(weights, dtype=float)
    lat_min, lat_max, lon_min, lon_max = lat.min(), lat.max(), lon.min(), lon.max()
    lat_mid = 0.5 * (lat_min + lat_max)
    x, y = project_km(lat, lon, lat_min, lon_min, lat_mid)
    width, height = project_km(np.array([lat_max]), np.array([lon_max]), lat_min, lon_min,
                               lat_mid)
    width_km, height_km = float(width[0]), float(height[0])
    ix = _bin(x, width_km, nx)
    iy = _bin(y, height_km, ny)
    cell = ix + nx * iy
    gx, gy = np.meshgrid(np.arange(nx), np.arange(ny))
    centres = np.column_stack([(gx.ravel() + 0.5) * width_km / nx,
                               (gy.ravel() + 0.5) * height_km / ny])
    counts = np.bincount(cell, weights=w, minlength=nx * ny)
    return GridRegions(cell, centres, counts, nx, ny, width_km, height_km,
                       (float(lat_min), float(lat_max), float(lon_min), float(lon_max)))


def _bin(v: np.ndarray, extent: float, n: int) -> np.ndarray:
    """Cell index in 0..n-1 of coordinates in [0, extent] (the far edge joins the last cell)."""
    if extent <= 0:
        return np.zeros(v.shape, dtype=np.int64)
    return np.clip(np.floor(v / extent * n).astype(np.int64), 0, n - 1)


def top_regions(counts: np.ndarray, k: int = 30) -> np.ndarray:
    """Indices of the k regions with the largest counts, most popular first (ties: lower index)."""
    counts = np.asarray(counts, dtype=float)
    order = np.lexsort((np.arange(counts.size), -counts))
    return order[: min(k, counts.size)]


@dataclass(frozen=True, eq=False)
class Profiles:
    """Per-user profiles over a fixed list of regions: psi[u] sums to 1 for every user u."""

    users: np.ndarray
    regions: np.ndarray
    psi: np.ndarray
    visits: np.ndarray


def user_profiles(users: np.ndarray, cells: np.ndarray, counts: np.ndarray,
                  regions: np.ndarray, n_users: int = 11) -> Profiles:
    """Normalised visit counts over `regions` for the n_users most active users there.

    users[i] visited region cells[i] counts[i] times; visits outside `regions` are ignored
    (the paper keeps the 30 most popular regions "to prevent sparse profiles"). Ties in
    activity go to the user listed first in sorted order.
    """
    users, cells = np.asarray(users), np.asarray(cells)
    counts = np.asarray(counts, dtype=float)
    regions = np.asarray(regions)
    position = np.full(int(max(cells.max(), regions.max())) + 1, -1)
    position[regions] = np.arange(regions.size)
    inside = position[cells] >= 0
    labels, user_idx = np.unique(users[inside], return_inverse=True)
    V = np.zeros((labels.size, regions.size))
    np.add.at(V, (user_idx, position[cells[inside]]), counts[inside])
    activity = V.sum(axis=1)
    chosen = np.lexsort((np.arange(labels.size), -activity))[:n_users]
    chosen = chosen[activity[chosen] > 0]
    return Profiles(labels[chosen], regions, V[chosen] / activity[chosen, None], V[chosen])


def euclidean_distance_matrix(centres: np.ndarray) -> np.ndarray:
    """D[i, j] = |centre_i - centre_j| (km when centres are in km)."""
    c = np.asarray(centres, dtype=float)
    return np.sqrt(((c[:, None, :] - c[None, :, :]) ** 2).sum(axis=-1))


def hamming_distance_matrix(n: int) -> np.ndarray:
    """D[i, j] = 0 if i == j else 1."""
    return 1.0 - np.eye(n)


def obfuscation_lppm(centres: np.ndarray, k: int) -> np.ndarray:
    """Basic obfuscation LPPM of level k: r goes uniformly to r or one of its k-1 nearest regions.

    Nearest by Euclidean distance between centres; ties broken by region index.
    """
    D = euclidean_distance_matrix(centres)
    n = D.shape[0]
    if not 1 <= k <= n:
        raise ValueError(f"obfuscation level k must be in 1..{n}, got {k}")
    D[np.arange(n), np.arange(n)] = -1.0  # r itself always comes first
    nearest = np.argsort(D, axis=1, kind="stable")[:, :k]
    f = np.zeros((n, n))
    np.put_along_axis(f, nearest, 1.0 / k, axis=1)
    return f


def bayesian_attack(psi: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Eq 31: h[r', r_hat] = f[r_hat, r'] psi[r_hat] / sum_r f[r, r'] psi[r] (posterior sampling).

    A pseudolocation that is never produced (Pr(r') = 0) gets the prior psi as its row.
    """
    psi, f = np.asarray(psi, dtype=float), np.asarray(f, dtype=float)
    joint = (psi[:, None] * f).T  # joint[r', r_hat] = Pr(r_hat, r')
    marginal = joint.sum(axis=1, keepdims=True)
    prior = np.broadcast_to(psi / psi.sum(), joint.shape)
    return np.where(marginal > 0, joint / np.where(marginal > 0, marginal, 1.0), prior)


def quality_loss(psi: np.ndarray, f: np.ndarray, dq: np.ndarray) -> float:
    """Qloss = sum_{r, r'} psi(r) f(r'|r) dq(r', r)."""
    return float(np.einsum("r,rs,sr->", psi, f, dq))


def privacy(psi: np.ndarray, f: np.ndarray, h: np.ndarray, dp: np.ndarray) -> float:
    """Privacy = sum_{r_hat, r', r} psi(r) f(r'|r) h(r_hat|r') dp(r_hat, r)."""
    return float(np.einsum("r,rs,sa,ar->", psi, f, h, dp))


def privacy_payoff(psi: np.ndarray, dp: np.ndarray) -> np.ndarray:
    """C[r, s, a] = psi[r] dp[a, r], as a read-only broadcast view (no R*S*A copy)."""
    psi, dp = np.asarray(psi, dtype=float), np.asarray(dp, dtype=float)
    n = psi.size
    return np.broadcast_to((psi[:, None] * dp.T)[:, None, :], (n, dp.shape[1], dp.shape[0]))


def quality_weights(psi: np.ndarray, dq: np.ndarray) -> np.ndarray:
    """G[r, s] = psi[r] dq[s, r], so that sum G f = quality_loss(psi, f, dq)."""
    return np.asarray(psi, dtype=float)[:, None] * np.asarray(dq, dtype=float).T


@dataclass(frozen=True, eq=False)
class SyntheticCity:
    """A seeded synthetic stand-in for real traces: region centres (km) and one user profile."""

    centres: np.ndarray
    psi: np.ndarray
    seed: int
    label: str = "synthetic stand-in (seeded), not real location data"


def synthetic_city(n_regions: int = 30, seed: int = 0, width_km: float = 15.32,
                   height_km: float = 7.58) -> SyntheticCity:
    """n_regions distinct cells of the paper's 20 x 15 grid over 15.32 x 7.58 km (a finer grid
    when n_regions > 300), with a Zipf-like profile (weight 1 / rank^1.2) in random rank order.

    Documented stand-in for the Lausanne traces, which are not public.
    """
    rng = np.random.default_rng(seed)
    nx, ny = 20, 15
    while nx * ny < n_regions:
        nx, ny = nx * 2, ny * 2
    cells = rng.choice(nx * ny, size=n_regions, replace=False)
    centres = np.column_stack([(cells % nx + 0.5) * width_km / nx,
                               (cells // nx + 0.5) * height_km / ny])
    weights = 1.0 / np.arange(1, n_regions + 1) ** 1.2
    psi = weights[rng.permutation(n_regions)]
    return SyntheticCity(centres, psi / psi.sum(), seed)
