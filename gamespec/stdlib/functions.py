"""Standard-library functions callable from specs: their SymPy constructors (for building
the Model) and their NumPy implementations on labelled arrays (for evaluation).

Each is an undefined SymPy function (printed by name in derivations) with a vectorised
NumPy implementation that broadcasts over the named axes of its arguments.
"""
from __future__ import annotations

import numpy as np
import sympy

from gamespec.errors import SpecError
from gamespec.evaluate import combine
from gamespec.stdlib.privacy import laplace_bin_mass, snapped_floor

# name in the spec -> (arity, SymPy constructor)
SYMBOLIC_FUNCTIONS: dict = {}
# SymPy function class name -> callable(ctx, expr, evaluated_args) -> LArray
NUMERIC_FUNCTIONS: dict = {}
# name -> the plain NumPy implementation (for lambdified code: gamespec.lowering)
NUMPY_FUNCTIONS: dict = {}
# name -> one-line documentation (docs/language.md lists these)
DOCS: dict = {}


def register(name: str, arity: int, numeric, doc: str) -> None:
    """Add a function under `name`: an undefined SymPy function evaluated by `numeric`."""
    cls = sympy.Function(name, real=True)
    SYMBOLIC_FUNCTIONS[name] = (arity, cls)
    NUMERIC_FUNCTIONS[name] = lambda ctx, expr, args: combine(numeric, *args)
    NUMPY_FUNCTIONS[name] = numeric
    DOCS[name] = doc


def _log_diff(log_big, log_small):
    """log(exp(log_big) - exp(log_small)) for log_big >= log_small, without cancellation."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return log_big + np.log1p(-np.exp(log_small - log_big))


def _log_interval(a, b, log_upper, log_lower):
    """log P(a < Z < b) for a standardised Z with log tails log_upper(t) = log P(Z > t) and
    log_lower(t) = log P(Z < t), each used on the side where it is small, so bins far in a
    tail keep their relative precision (and do not underflow to 0)."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    out = np.empty(a.shape)
    right = a >= 0
    left = ~right & (b <= 0)
    middle = ~right & ~left  # each formula on its own elements only (no wasted logs)
    if right.any():
        ar, br = a[right], b[right]
        out[right] = _log_diff(log_upper(np.maximum(ar, 0)), log_upper(np.maximum(br, 0)))
    if left.any():
        al, bl = a[left], b[left]
        out[left] = _log_diff(log_lower(np.minimum(bl, 0)), log_lower(np.minimum(al, 0)))
    if middle.any():
        am, bm = a[middle], b[middle]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[middle] = np.log1p(-np.exp(log_upper(np.maximum(bm, 0)))
                                   - np.exp(log_lower(np.minimum(am, 0))))
    return out


def _laplace_tails():
    half = np.log(0.5)
    return (lambda t: half - t), (lambda t: half + t)


def _gaussian_tails():
    from scipy.special import log_ndtr

    return (lambda t: log_ndtr(-t)), log_ndtr


def _truncated_bin_mass(name, d, scale, x, k, tails):
    """Mass of bin x (1..k) of [0, 1] under d + scale * Z, truncated to [0, 1]."""
    d, scale, x, k = (np.asarray(v, dtype=float) for v in (d, scale, x, k))
    if np.any(~(scale > 0)):
        raise SpecError(f"{name}: the noise scale must be positive")
    if np.any(~(k >= 1)) or np.any(k != np.round(k)):
        raise SpecError(f"{name}: the number of bins K must be a whole number >= 1")
    if np.any(x != np.round(x)) or np.any(x < 1) or np.any(x > k):
        raise SpecError(f"{name}: the bin x must be a whole number in 1..K")
    upper, lower = tails()
    log_bin = _log_interval(((x - 1) / k - d) / scale, (x / k - d) / scale, upper, lower)
    log_all = _log_interval((0.0 - d) / scale, (1.0 - d) / scale, upper, lower)
    return np.exp(log_bin - log_all)


def laplace_mass(d, b, x, k):
    """Mass that d + Lap(b), truncated to [0, 1] and renormalised, puts on bin x of k.

    Discretisation: the probability of the bin [(x-1)/k, x/k] (x = 1..k), divided by the
    probability of [0, 1]; exact for the truncated continuous mechanism (the same rule as
    gamespec.stdlib.privacy.laplace_bin_masses), computed from log tail probabilities.
    """
    return _truncated_bin_mass("laplace_mass", d, b, x, k, _laplace_tails)


def gaussian_mass(d, s, x, k):
    """As laplace_mass for d + N(0, s^2)."""
    return _truncated_bin_mass("gaussian_mass", d, s, x, k, _gaussian_tails)


def bin_of(v, k):
    """The 1-based bin of a value in [0, 1] cut into k uniform bins (1 stays in bin k).

    A value within 1e-9 (relative) of a bin edge counts as on it, so exact decimals such as
    0.29 with k = 100 land in bin 30 as written, not in 29 through float rounding."""
    v, k = np.asarray(v, dtype=float), np.asarray(k, dtype=float)
    if np.any(~(k >= 1)) or np.any(k != np.round(k)):
        raise SpecError("bin_of: the number of bins K must be a whole number >= 1")
    return np.clip(snapped_floor(v * k) + 1, 1, k)


def mod(a, b):
    return np.mod(np.asarray(a, dtype=float), np.asarray(b, dtype=float))


register("laplace_mass", 4, laplace_mass,
         "laplace_mass(d, b, x, K): mass of bin x (1..K) under d + Lap(b), truncated to [0,1]")
register("gaussian_mass", 4, gaussian_mass,
         "gaussian_mass(d, s, x, K): mass of bin x (1..K) under d + N(0, s^2), truncated")
register("bin_of", 2, bin_of, "bin_of(v, K): the 1-based bin of v in [0, 1] cut into K bins")
register("mod", 2, mod, "mod(a, b): the remainder of a divided by b")


register("laplace_bin_mass", 4, laplace_bin_mass,
         "laplace_bin_mass(d, b, x, K): laplace_mass computed by the privacy library's own "
         "route (CDF differences on the small tail), for audits that must not reuse it")
