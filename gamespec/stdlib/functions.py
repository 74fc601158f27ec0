"""Standard-library functions callable from specs: their SymPy constructors (for building
the Model) and their NumPy implementations on labelled arrays (for evaluation).

Each is an undefined SymPy function (printed by name in derivations) with a vectorised
NumPy implementation that broadcasts over the named axes of its arguments.
"""
from __future__ import annotations

import numpy as np
import sympy

from gamespec.evaluate import combine

# name in the spec -> (arity, SymPy constructor)
SYMBOLIC_FUNCTIONS: dict = {}
# SymPy function class name -> callable(ctx, expr, evaluated_args) -> LArray
NUMERIC_FUNCTIONS: dict = {}
# name -> one-line documentation (docs/language.md lists these)
DOCS: dict = {}


def register(name: str, arity: int, numeric, doc: str) -> None:
    """Add a function under `name`: an undefined SymPy function evaluated by `numeric`."""
    cls = sympy.Function(name, real=True)
    SYMBOLIC_FUNCTIONS[name] = (arity, cls)
    NUMERIC_FUNCTIONS[name] = lambda ctx, expr, args: combine(numeric, *args)
    DOCS[name] = doc


def _laplace_interval(lo, hi, centre, scale):
    """P(lo < centre + Lap(scale) < hi), computed on the small side of each tail so that
    far bins keep their relative precision."""
    a, b = (lo - centre) / scale, (hi - centre) / scale
    above = 0.5 * (np.exp(-np.maximum(a, 0)) - np.exp(-np.maximum(b, 0)))
    below = 0.5 * (np.exp(np.minimum(b, 0)) - np.exp(np.minimum(a, 0)))
    straddle = 1.0 - 0.5 * np.exp(-np.maximum(b, 0)) - 0.5 * np.exp(np.minimum(a, 0))
    return np.where(a >= 0, above, np.where(b <= 0, below, straddle))


def laplace_mass(d, b, x, k):
    """Mass that d + Lap(b), truncated to [0, 1] and renormalised, puts on bin x of k.

    Discretisation: the probability of the bin [(x-1)/k, x/k] (x = 1..k), divided by the
    probability of [0, 1]; exact for the truncated continuous mechanism (the same rule as
    gamespec.stdlib.privacy.laplace_bin_masses).
    """
    d, b, x, k = (np.asarray(v, dtype=float) for v in (d, b, x, k))
    lo, hi = (x - 1) / k, x / k
    return _laplace_interval(lo, hi, d, b) / _laplace_interval(0.0, 1.0, d, b)


def gaussian_mass(d, s, x, k):
    """As laplace_mass for d + N(0, s^2)."""
    from scipy.special import ndtr

    d, s, x, k = (np.asarray(v, dtype=float) for v in (d, s, x, k))
    lo, hi = (x - 1) / k, x / k
    inside = ndtr((1.0 - d) / s) - ndtr((0.0 - d) / s)
    return (ndtr((hi - d) / s) - ndtr((lo - d) / s)) / inside


def bin_of(v, k):
    """The 1-based bin of a value in [0, 1] cut into k uniform bins (1 stays in bin k)."""
    v, k = np.asarray(v, dtype=float), np.asarray(k, dtype=float)
    return np.clip(np.floor(v * k) + 1, 1, k)


def mod(a, b):
    return np.mod(np.asarray(a, dtype=float), np.asarray(b, dtype=float))


register("laplace_mass", 4, laplace_mass,
         "laplace_mass(d, b, x, K): mass of bin x (1..K) under d + Lap(b), truncated to [0,1]")
register("gaussian_mass", 4, gaussian_mass,
         "gaussian_mass(d, s, x, K): mass of bin x (1..K) under d + N(0, s^2), truncated")
register("bin_of", 2, bin_of, "bin_of(v, K): the 1-based bin of v in [0, 1] cut into K bins")
register("mod", 2, mod, "mod(a, b): the remainder of a divided by b")
