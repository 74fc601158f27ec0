"""Privacy standard library: noise-mechanism bin masses, distances, (per-instance) DP checks.

Everything here is pure, vectorised NumPy (SciPy only for the normal CDF) and works on
data already normalised into [0, 1] and cut into ``K`` uniform bins
``[k/K, (k+1)/K)``, ``k = 0..K-1`` (the last bin is closed at 1). Bin mid-points are
``(k + 1/2)/K``.

Conventions shared by every function:

* A *distribution* over bins is a float array whose last axis has length ``K`` and sums
  to 1; leading axes broadcast.
* *Mass rows* ``m[i, x]`` are the probability that instance ``i``'s mechanism output
  falls in bin ``x``; the output distribution of a data set of ``n`` instances under the
  random-sampling query is ``Q = m.mean(axis=0)``.
* Per-instance DP (Wang 2019) of instance ``i`` in a fixed data set: the output
  distribution with and without ``i`` differ by at most ``eps`` in log-ratio on every
  bin, ``max_x |ln(Q(x) / Q_{-i}(x))| <= eps`` with
  ``Q_{-i} = (n Q - m_i) / (n - 1)``. Bins where both are 0 carry no constraint.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gamespec.errors import SpecError

__all__ = [
    "bin_edges",
    "bin_index",
    "bin_midpoints",
    "cosine_similarity",
    "distribution_std",
    "dp_holds_mechanism",
    "gaussian_bin_masses",
    "histogram",
    "jaccard_index",
    "kl_divergence",
    "l1_std_loss",
    "laplace_bin_mass",
    "laplace_bin_masses",
    "mechanism_epsilon",
    "minmax_normalise",
    "normalisation_padding",
    "pdp_all",
    "pdp_holds",
    "pdp_max_log_ratio",
    "snapped_floor",
    "theorem1_bmin",
]

FloatArray = NDArray[np.float64]


def _check_bins(K: int) -> int:
    """Validate a bin count; returns it as a Python int."""
    if int(K) != K or K < 1:
        raise SpecError(f"the number of bins K must be a positive integer, got {K!r}")
    return int(K)


def bin_edges(K: int) -> FloatArray:
    """The ``K + 1`` edges ``0, 1/K, ..., 1`` of the uniform bins of [0, 1]."""
    K = _check_bins(K)
    return np.arange(K + 1, dtype=np.float64) / K


def bin_midpoints(K: int) -> FloatArray:
    """The ``K`` bin mid-points ``(k + 1/2) / K``, the representative value of each bin."""
    K = _check_bins(K)
    return (np.arange(K, dtype=np.float64) + 0.5) / K


def snapped_floor(r: ArrayLike) -> FloatArray:
    """floor(r), except that r within 1e-9 (relative) of an integer counts as that integer."""
    r = np.asarray(r, dtype=float)
    nearest = np.round(r)
    return np.where(np.abs(r - nearest) <= 1e-9 * np.maximum(1.0, np.abs(r)), nearest,
                    np.floor(r))


def bin_index(values: ArrayLike, K: int) -> NDArray[np.int64]:
    """Bin of each value in [0, 1]: ``floor(v K)``, with 1 put in the last bin.

    Raises SpecError for values outside [0, 1] (normalise first, e.g. `minmax_normalise`).
    """
    K = _check_bins(K)
    v = np.asarray(values, dtype=np.float64)
    if v.size and (not np.all(np.isfinite(v)) or v.min() < 0.0 or v.max() > 1.0):
        raise SpecError(
            "values must lie in [0, 1] to be binned",
            hint="min-max normalise the data first (minmax_normalise)",
        )
    return np.minimum(snapped_floor(v * K).astype(np.int64), K - 1)


def _bin_masses_from_tails(
    lower_tail: FloatArray, upper_tail: FloatArray, lo: FloatArray, hi: FloatArray, d: FloatArray
) -> FloatArray:
    """Mass of each bin [lo, hi] from tail probabilities, without cancellation.

    ``lower_tail(x) = P(X <= x)`` for ``x <= d`` and ``upper_tail(x) = P(X >= x)`` for
    ``x >= d`` (each evaluated on the side of ``d`` where it is small). A bin wholly above
    ``d`` has mass ``upper(lo) - upper(hi)``, wholly below ``lower(hi) - lower(lo)``, and
    the bin holding ``d`` has ``1 - lower(lo) - upper(hi)``.
    """
    above = lo >= d
    below = hi <= d
    middle = 1.0 - lower_tail[..., :-1] - upper_tail[..., 1:]
    return np.where(
        above,
        upper_tail[..., :-1] - upper_tail[..., 1:],
        np.where(below, lower_tail[..., 1:] - lower_tail[..., :-1], middle),
    )


def laplace_bin_masses(d: ArrayLike, b: ArrayLike, K: int) -> FloatArray:
    """Bin masses of ``d + Lap(b)`` truncated to [0, 1] and renormalised.

    Discretisation: the mass of bin ``[k/K, (k+1)/K]`` is the difference of the Laplace
    CDF at the bin's edges, divided by ``F(1) - F(0)``; this is *exact* for the truncated
    continuous mechanism (no mid-point rule). Tails are evaluated as
    ``0.5 exp(-|x - d| / b)`` on the side where they are small, so masses far from ``d``
    keep full relative precision.

    ``d`` (values in [0, 1]) and ``b`` (scales > 0) broadcast against each other; the
    result has shape ``broadcast(d, b).shape + (K,)`` and sums to 1 along the last axis.
    """
    K = _check_bins(K)
    d_arr, b_arr = np.broadcast_arrays(
        np.asarray(d, dtype=np.float64), np.asarray(b, dtype=np.float64)
    )
    if np.any(~(b_arr > 0)):
        raise SpecError("Laplace scales b must be positive")
    dd = d_arr[..., None]
    bb = b_arr[..., None]
    edges = bin_edges(K)
    tail = 0.5 * np.exp(-np.abs(edges - dd) / bb)
    masses = _bin_masses_from_tails(tail, tail, edges[:-1], edges[1:], dd)
    return masses / masses.sum(axis=-1, keepdims=True)


def gaussian_bin_masses(d: ArrayLike, sigma: ArrayLike, K: int) -> FloatArray:
    """Bin masses of ``d + N(0, sigma^2)`` truncated to [0, 1] and renormalised.

    Same discretisation as `laplace_bin_masses`: CDF differences over each bin (exact for
    the truncated continuous mechanism), tails taken on their small side via the normal
    CDF ``ndtr``. ``d`` and ``sigma`` broadcast; the result's last axis has length ``K``.
    """
    from scipy.special import ndtr  # imported here: scipy.special costs 0.3 s at start-up

    K = _check_bins(K)
    d_arr, s_arr = np.broadcast_arrays(
        np.asarray(d, dtype=np.float64), np.asarray(sigma, dtype=np.float64)
    )
    if np.any(~(s_arr > 0)):
        raise SpecError("Gaussian standard deviations sigma must be positive")
    dd = d_arr[..., None]
    ss = s_arr[..., None]
    edges = bin_edges(K)
    z = (edges - dd) / ss
    masses = _bin_masses_from_tails(ndtr(z), ndtr(-z), edges[:-1], edges[1:], dd)
    return masses / masses.sum(axis=-1, keepdims=True)


def laplace_bin_mass(d: ArrayLike, b: ArrayLike, x: ArrayLike, K: ArrayLike) -> FloatArray:
    """Mass of bin ``x`` (1..K) under ``d + Lap(b)`` truncated to [0, 1]: one bin at a time.

    The per-bin form of `laplace_bin_masses` for spec expressions (`laplace_bin_mass` in a
    spec), so an audit can recompute every mass by a route independent of the spec's
    `laplace_mass` (which works on log tail probabilities): tails ``0.5 exp(-|t - d| / b)``
    on their small side, the bin's mass by `_bin_masses_from_tails`, divided by the mass of
    [0, 1] computed the same way. Arguments broadcast.
    """
    d_arr, b_arr, x_arr, k_arr = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (d, b, x, K)))
    if np.any(~(b_arr > 0)):
        raise SpecError("laplace_bin_mass: the Laplace scale b must be positive")
    if np.any(~(k_arr >= 1)) or np.any(k_arr != np.round(k_arr)):
        raise SpecError("laplace_bin_mass: the number of bins K must be a whole number >= 1")
    if np.any(x_arr != np.round(x_arr)) or np.any(x_arr < 1) or np.any(x_arr > k_arr):
        raise SpecError("laplace_bin_mass: the bin x must be a whole number in 1..K")

    def mass(lo: FloatArray, hi: FloatArray) -> FloatArray:
        tails = 0.5 * np.exp(-np.abs(np.stack([lo, hi], axis=-1) - d_arr[..., None])
                             / b_arr[..., None])
        return _bin_masses_from_tails(tails, tails, lo[..., None], hi[..., None],
                                      d_arr[..., None])[..., 0]

    zero, one = np.zeros_like(d_arr), np.ones_like(d_arr)
    out = mass((x_arr - 1) / k_arr, x_arr / k_arr) / mass(zero, one)
    return float(out) if out.ndim == 0 else out


def histogram(values: ArrayLike, K: int) -> FloatArray:
    """Normalised histogram of values in [0, 1] over the K uniform bins (sums to 1)."""
    idx = bin_index(values, K)
    if idx.size == 0:
        raise SpecError("cannot build the histogram of an empty data set")
    counts = np.bincount(idx.ravel(), minlength=K).astype(np.float64)
    return counts / counts.sum()


def kl_divergence(p: ArrayLike, q: ArrayLike) -> FloatArray | float:
    """``KL(p || q) = sum_x p(x) ln(p(x) / q(x))`` along the last axis (nats).

    ``0 ln(0/q) = 0``; the divergence is ``inf`` when ``q(x) = 0`` where ``p(x) > 0``.
    Leading axes broadcast; a scalar comes back as a Python float.
    """
    p_arr, q_arr = np.broadcast_arrays(
        np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    )
    positive = p_arr > 0
    with np.errstate(divide="ignore"):
        terms = np.where(positive, p_arr * np.log(np.where(positive, p_arr, 1.0) / q_arr), 0.0)
    out = terms.sum(axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def distribution_std(dist: ArrayLike, K: int) -> FloatArray | float:
    """Standard deviation of a distribution over the K bins, placed at the bin mid-points."""
    p = np.asarray(dist, dtype=np.float64)
    c = bin_midpoints(K)
    total = p.sum(axis=-1)
    mean = (p @ c) / total
    var = (p @ (c * c)) / total - mean * mean
    out = np.sqrt(np.maximum(var, 0.0))
    return float(out) if np.ndim(out) == 0 else out


def l1_std_loss(data: ArrayLike, output_dist: ArrayLike, K: int) -> float:
    """``|sd(data) - sd(output)|``, both as distributions over the K bin mid-points.

    ``sd(data)`` is the population standard deviation of the data's histogram (each
    value moved to its bin's mid-point), ``sd(output)`` that of ``output_dist``; both live
    on the same discrete support, so a mechanism that reproduces the histogram exactly
    scores 0.
    """
    return float(abs(distribution_std(histogram(data, K), K) - distribution_std(output_dist, K)))


def jaccard_index(p: ArrayLike, q: ArrayLike, threshold: float = 0.001) -> float:
    """Jaccard index ``|A & B| / |A | B|`` of the bins where ``p`` resp. ``q`` exceed
    ``threshold``; 1.0 when both sets are empty."""
    a = np.asarray(p, dtype=np.float64) > threshold
    b = np.asarray(q, dtype=np.float64) > threshold
    union = int(np.count_nonzero(a | b))
    return 1.0 if union == 0 else int(np.count_nonzero(a & b)) / union


def cosine_similarity(p: ArrayLike, q: ArrayLike) -> float:
    """``<p, q> / (|p| |q|)`` of two vectors (SpecError if either is zero)."""
    a = np.asarray(p, dtype=np.float64).ravel()
    b = np.asarray(q, dtype=np.float64).ravel()
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    if norm == 0.0:
        raise SpecError("cosine similarity of a zero vector is undefined")
    return float(a @ b) / norm


def pdp_max_log_ratio(masses: ArrayLike, Q: ArrayLike, n: int) -> FloatArray | float:
    """Per-instance privacy loss ``max_x |ln(Q(x) / Q_{-i}(x))|`` of each mass row.

    ``masses`` has shape ``(..., K)`` (one row per instance), ``Q`` is the output
    distribution of the whole data set of ``n`` instances, ``Q_{-i} = (n Q - m_i)/(n-1)``.
    Computed literally from the definition (no algebraic shortcut): bins with
    ``Q = Q_{-i} = 0`` are skipped, a bin with ``Q_{-i} = 0 < Q`` gives ``inf``.
    """
    if n < 2:
        raise SpecError("per-instance DP needs at least two instances")
    m = np.asarray(masses, dtype=np.float64)
    Qa = np.asarray(Q, dtype=np.float64)
    q_without = (n * Qa - m) / (n - 1)
    q_without = np.maximum(q_without, 0.0)  # rounding can leave -1e-17 where only i has mass
    both_zero = (Qa <= 0) & (q_without <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = np.abs(np.log(Qa / q_without))
    loss = np.where(both_zero, 0.0, loss)
    out = loss.max(axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def pdp_holds(masses_i: ArrayLike, Q: ArrayLike, n: int, eps: float) -> bool | NDArray[np.bool_]:
    """Whether eps-per-instance DP holds for the instance(s) with mass row(s) ``masses_i``
    in a data set of ``n`` instances whose output distribution is ``Q``."""
    out = pdp_max_log_ratio(masses_i, Q, n) <= eps
    return bool(out) if np.ndim(out) == 0 else out


def pdp_all(
    m: ArrayLike, eps: float, *, Q: ArrayLike | None = None, n: int | None = None
) -> NDArray[np.bool_]:
    """eps-pDP of every instance of a data set with mass matrix ``m`` of shape (n, K).

    By default ``Q = m.mean(axis=0)`` and ``n = len(m)``. Pass ``Q`` and ``n`` of the
    whole data set to check a *chunk* of rows (keeps memory flat at large n).
    """
    m_arr = np.asarray(m, dtype=np.float64)
    if m_arr.ndim != 2:
        raise SpecError(f"pdp_all expects an (n, K) mass matrix, got shape {m_arr.shape}")
    if (Q is None) != (n is None):
        raise SpecError("pass both Q and n (to check a chunk), or neither")
    if Q is None:
        n = m_arr.shape[0]
        Q = m_arr.mean(axis=0)
    return np.asarray(pdp_max_log_ratio(m_arr, Q, int(n)) <= eps)


def mechanism_epsilon(
    channel: ArrayLike, inputs: ArrayLike | None = None, sensitivity: float | None = None
) -> float:
    """Smallest eps for which a mechanism, given as a channel matrix, is eps-DP.

    ``channel[v, x]`` is the probability of output bin ``x`` on input ``v``. Neighbouring
    inputs: every pair ``(u, v)`` with ``|inputs[u] - inputs[v]| <= sensitivity`` (all
    pairs when ``sensitivity`` is None: the "replace the one record by anything in the
    data range" relation of the random-sampling query). Returns
    ``max_{u~v, x} |ln(channel[u, x] / channel[v, x])|`` over outputs where either is
    positive (``inf`` if one is 0 and the other is not).
    """
    P = np.asarray(channel, dtype=np.float64)
    if P.ndim != 2:
        raise SpecError(f"a channel matrix must be 2-D (inputs x outputs), got {P.shape}")
    V = P.shape[0]
    if sensitivity is None:
        neighbours = np.ones((V, V), dtype=bool)
    else:
        if inputs is None:
            raise SpecError("a sensitivity needs the input values of the channel rows")
        x = np.asarray(inputs, dtype=np.float64)
        neighbours = np.abs(x[:, None] - x[None, :]) <= sensitivity
    a = P[:, None, :]
    b = P[None, :, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = np.abs(np.log(a / b))
    loss = np.where((a == 0) & (b == 0), 0.0, loss)
    per_pair = loss.max(axis=-1)
    return float(np.max(np.where(neighbours, per_pair, 0.0)))


def dp_holds_mechanism(
    channel: ArrayLike,
    eps: float,
    inputs: ArrayLike | None = None,
    sensitivity: float | None = None,
) -> bool:
    """Whether the mechanism with this channel matrix is eps-DP (see `mechanism_epsilon`
    for the neighbouring relation)."""
    return mechanism_epsilon(channel, inputs, sensitivity) <= eps


def normalisation_padding(dq: float, eps: float, p: float = 0.9) -> float:
    """The paper's padding ``Delta = (dq / eps) |ln(2 - 2p)|``: half-width of the central
    ``p`` mass of ``Lap(dq / eps)`` (for ``p`` in (0.5, 1))."""
    if not 0.5 < p < 1.0:
        raise SpecError(f"the padding percentile p must lie in (0.5, 1), got {p}")
    if dq <= 0 or eps <= 0:
        raise SpecError("sensitivity dq and epsilon must be positive")
    return (dq / eps) * abs(math.log(2.0 - 2.0 * p))


def minmax_normalise(d: ArrayLike, dq: float, eps: float, p: float = 0.9) -> FloatArray:
    """Min-max normalise data into [0, 1] over ``[d_min - Delta, d_max + Delta]``.

    ``Delta = normalisation_padding(dq, eps, p)`` keeps the central ``p`` mass of the
    Laplace noise of the extreme values inside the range (Ryu, Jang, Yang, Sec. IV-A).
    """
    x = np.asarray(d, dtype=np.float64)
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise SpecError("min-max normalisation needs a non-empty array of finite values")
    delta = normalisation_padding(dq, eps, p)
    lo = float(x.min()) - delta
    hi = float(x.max()) + delta
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def theorem1_bmin(n: int, eps: float, K: int | None = None) -> float:
    """Theorem 1's sufficient minimal Laplace scale: every NE of the NVO game is eps-pDP
    for all instances if ``b_min >= 1 / ln(1 + (n - 1)(e^eps - 1))``.

    With ``K`` given, the appendix variant ``1 / ln(1 + (n - 1)(e^eps - 1) / K)``
    (Theorem 4.1; for small ``n`` the logarithm's argument approaches 1 and the bound grows).
    """
    if n < 2 or eps <= 0:
        raise SpecError("Theorem 1 needs n >= 2 instances and eps > 0")
    x = (n - 1) * math.expm1(eps)
    if K is not None:
        x /= _check_bins(K)
    return 1.0 / math.log1p(x)
