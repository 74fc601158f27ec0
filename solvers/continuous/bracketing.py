"""Vectorised one-dimensional searches: roots in sign-change brackets (Illinois regula
falsi), brackets shrunk onto jumps, golden-section maxima; one NumPy call per step for
every bracket at once.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from gamespec.solvers.continuous.expressions import worst_if_undefined

_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def bracketed_roots(h: Callable[[np.ndarray, np.ndarray], np.ndarray],
                    a: np.ndarray, b: np.ndarray, maxiter: int = 200,
                    xtol: float = 0.0) -> np.ndarray:
    """Vectorised Illinois regula falsi: one root of h(., k) in each bracket [a_k, b_k].

    h(x, idx) evaluates bracket idx's function at x. The end values must have opposite
    signs; across a discontinuity the bracket shrinks onto the jump. Stops when the
    bracket is narrower than `xtol`, or the iterates stop moving (machine precision).
    Returns NaN where the function is undefined inside the bracket.
    """
    a = np.asarray(a, float).copy()
    b = np.asarray(b, float).copy()
    n = a.size
    root = np.full(n, np.nan)
    if n == 0:
        return root
    every = np.arange(n)
    fa, fb = h(a, every), h(b, every)
    root[fa == 0] = a[fa == 0]
    root[(fb == 0) & (fa != 0)] = b[(fb == 0) & (fa != 0)]
    active = ~((fa == 0) | (fb == 0)) & np.isfinite(fa) & np.isfinite(fb)
    side = np.zeros(n, int)
    last = np.full(n, np.nan)
    eps = 4 * np.finfo(float).eps
    for _ in range(maxiter):
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            break
        ai, bi, fai, fbi = a[idx], b[idx], fa[idx], fb[idx]
        lo, hi = np.minimum(ai, bi), np.maximum(ai, bi)
        c = (ai * fbi - bi * fai) / (fbi - fai)
        c = np.where(np.isfinite(c) & (c > lo) & (c < hi), c, 0.5 * (ai + bi))
        fc = h(c, idx)
        scale = eps * np.maximum(1.0, np.abs(c))
        stop = (fc == 0) | ~np.isfinite(fc) | (c <= lo) | (c >= hi)
        stop |= (hi - lo <= np.maximum(xtol, scale)) | (np.abs(c - last[idx]) <= scale)
        last[idx] = c
        root[idx[stop]] = np.where(np.isfinite(fc[stop]), c[stop], np.nan)
        active[idx[stop]] = False
        keep = ~stop
        idx, c, fc = idx[keep], c[keep], fc[keep]
        same_b = np.sign(fc) == np.sign(fb[idx])
        # Illinois: an end retained twice in a row has its value halved
        ib = idx[same_b]
        fa[ib] = np.where(side[ib] == -1, 0.5 * fa[ib], fa[ib])
        b[ib], fb[ib], side[ib] = c[same_b], fc[same_b], -1
        ia = idx[~same_b]
        fb[ia] = np.where(side[ia] == 1, 0.5 * fb[ia], fb[ia])
        a[ia], fa[ia], side[ia] = c[~same_b], fc[~same_b], 1
    left = np.isnan(root) & active
    root[left] = 0.5 * (a[left] + b[left])
    return root


def refine_sign_changes(fn: Callable[[np.ndarray, np.ndarray], np.ndarray], a: np.ndarray,
                        b: np.ndarray, xtol: float, sections: int = 16,
                        steep: float = 10.0) -> np.ndarray:
    """Shrink brackets [a_k, b_k] of sign changes of a vectorised fn onto the change.

    fn(x, idx) evaluates bracket idx's function at x. Every bracket is cut into
    `sections` + 1 pieces per round, all brackets in one call of fn. After the first
    round, a bracket whose end values are within `steep` times its width looks
    continuous and finishes with Illinois steps; the others (jumps) are cut until
    narrower than `xtol`, so that an indifference at a jump can still be recognised.
    """
    a = np.asarray(a, float).copy()
    b = np.asarray(b, float).copy()
    if a.size == 0:
        return a
    every = np.arange(a.size)
    fa, fb = fn(a, every), fn(b, every)
    fractions = np.linspace(0.0, 1.0, sections + 2)[1:-1]
    first_round = True
    while True:
        width = b - a
        smooth = np.minimum(np.abs(fa), np.abs(fb)) <= steep * width
        active = np.nonzero((width > xtol) & (first_round | ~smooth))[0]
        first_round = False
        if active.size == 0:
            break
        inner = a[active, None] + width[active, None] * fractions[None, :]
        values = fn(inner.ravel(), np.repeat(active, sections)).reshape(inner.shape)
        xs = np.concatenate([a[active, None], inner, b[active, None]], axis=1)
        fs = np.concatenate([fa[active, None], values, fb[active, None]], axis=1)
        change = (np.sign(fs[:, :-1]) * np.sign(fs[:, 1:]) <= 0) & np.isfinite(fs[:, :-1])
        first = np.argmax(change, axis=1)
        rows = np.arange(active.size)
        a[active], b[active] = xs[rows, first], xs[rows, first + 1]
        fa[active], fb[active] = fs[rows, first], fs[rows, first + 1]
    out = 0.5 * (a + b)
    smooth = np.nonzero(np.minimum(np.abs(fa), np.abs(fb)) <= steep * (b - a))[0]
    if smooth.size:
        out[smooth] = bracketed_roots(lambda x, idx: fn(x, smooth[idx]), a[smooth],
                                      b[smooth], xtol=xtol)
    return out


def golden_maxima(h: Callable[[np.ndarray, np.ndarray], np.ndarray],
                  a: np.ndarray, b: np.ndarray, iterations: int = 60) -> np.ndarray:
    """Vectorised golden-section search for a maximum of h(., k) on each [a_k, b_k]."""
    a = np.asarray(a, float).copy()
    b = np.asarray(b, float).copy()
    if a.size == 0:
        return a
    idx = np.arange(a.size)
    c = b - _GOLDEN * (b - a)
    d = a + _GOLDEN * (b - a)
    fc, fd = worst_if_undefined(h(c, idx)), worst_if_undefined(h(d, idx))
    for _ in range(iterations):
        left = fc >= fd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        new = np.where(left, b - _GOLDEN * (b - a), a + _GOLDEN * (b - a))
        fnew = worst_if_undefined(h(new, idx))
        c, d, fc, fd = (np.where(left, new, d), np.where(left, c, new),
                        np.where(left, fnew, fd), np.where(left, fc, fnew))
    return np.where(fc >= fd, c, d)
