"""A proof, by subdivision, that a support profile holds no Nash equilibrium.

Each mixing agent's probabilities on its support are written in stick-breaking coordinates
t in [0, 1]^(s-1): p_1 = t_1, p_2 = (1 - t_1) t_2, ..., p_s = (1 - t_1) ... (1 - t_{s-1}),
so the product of simplices is the unit box and every expected payoff is multilinear in t
(of degree at most one in each coordinate). On a box, a multilinear function ranges
between its smallest and largest value at the box's corners. An equilibrium on the support
needs, for each agent k, every strategy a in its support and every other strategy b of
its own: u_k(b) - u_k(a) <= 0 (so = 0 when b is in the support too). A box where some such
difference is positive at every corner (by a margin far above the rounding of the float
payoffs) holds no equilibrium. Boxes not ruled out are bisected, breadth first, across
their widest side; the support is ruled out when no box is left, and left undecided (for
the exact solver) when the boxes outlast the budget, which they always do near an
equilibrium or a continuum. Newton's method from the boxes left spots an equilibrium early
so that the budget is not spent on it.
"""
from __future__ import annotations

import itertools

import numpy as np

MARGIN = 1e-9  # of the payoffs' scale: differences below it never rule a box out
MAX_BOXES = 4096  # boxes alive at once before giving up
MAX_WORK = 20_000_000  # corner-payoff evaluations (boxes x corners x table size) per support
MAX_ROUNDS = 60
SPLITS = 2  # sides halved per round
WITNESS_FROM = 5  # from this round on, every WITNESS_EVERY: Newton from some boxes left
WITNESS_EVERY = 3
WITNESS_STARTS = 8
WITNESS_STEPS = 6


def rules_out(payoffs: np.ndarray, support, scale: float | None = None) -> bool:
    """Whether the support profile provably holds no equilibrium (False: undecided)."""
    n = payoffs.shape[0]
    if scale is None:
        scale = max(1.0, float(np.max(np.abs(payoffs), initial=0.0)))
    margin = MARGIN * scale
    sizes = [len(s) - 1 for s in support]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    blocks = [slice(int(offsets[k]), int(offsets[k + 1])) for k in range(n)]
    cubes = [np.array(list(itertools.product((0.0, 1.0), repeat=s))) for s in sizes]
    agents = [_Agent(payoffs, k, support) for k in range(n)]
    per_box = sum(a.flat.size * np.prod([len(cubes[j]) for j in a.others]) for a in agents)
    m = int(offsets[-1])
    lo, hi = np.zeros((1, m)), np.ones((1, m))
    work = 0
    for round_ in range(MAX_ROUNDS):
        work += len(lo) * per_box
        if work > MAX_WORK:
            return False
        width = hi - lo
        probs = [_stick_breaking(lo[:, None, b] + width[:, None, b] * cube[None])
                 for b, cube in zip(blocks, cubes)]
        alive = np.ones(len(lo), dtype=bool)
        for agent in agents:
            alive &= ~agent.excluded(probs, margin)
        lo, hi = lo[alive], hi[alive]
        if len(lo) == 0:
            return True
        if m == 0 or 2 * len(lo) > MAX_BOXES:
            return False
        if (round_ >= WITNESS_FROM and (round_ - WITNESS_FROM) % WITNESS_EVERY == 0
                and _witness(agents, support, (lo + hi) / 2, blocks, scale)):
            return False
        for _ in range(min(SPLITS, m)):
            lo, hi = _bisect(lo, hi)
    return False


class _Agent:
    """One agent's payoffs and the pairs (b, a) whose gain u(b) - u(a) must not be positive."""

    def __init__(self, payoffs: np.ndarray, k: int, support) -> None:
        n = payoffs.shape[0]
        index = [np.arange(payoffs.shape[1 + j]) if j == k else np.asarray(support[j])
                 for j in range(n)]
        # all of k's strategies first, then the others restricted to their supports
        table = np.moveaxis(payoffs[k][np.ix_(*index)], k, 0)
        # the others' axes reversed, the first other agent's last: (S_k * rest, d_first)
        table = np.moveaxis(table, list(range(1, n)), list(range(n - 1, 0, -1)))
        self.flat = np.ascontiguousarray(table.reshape(-1, table.shape[-1]))
        count = payoffs.shape[1 + k]
        found = [(b, a) for a in support[k] for b in range(count) if b != a]
        self.better = np.array([b for b, _ in found], int)
        self.worse = np.array([a for _, a in found], int)
        self.others = [j for j in range(n) if j != k]

    def values(self, probs: list[np.ndarray]) -> np.ndarray:
        """(B, X, S_k): the payoff of each of k's strategies against the others' mixes, at
        every combination of the others' points (probs[j]: (B, X_j, |support_j|))."""
        first, *rest = self.others
        values = probs[first] @ self.flat.T  # (B, X, S_k * the rest of the table)
        boxes, count = values.shape[:2]
        for j in rest:  # contract the table's last axis, agent j's, in turn
            p = probs[j]
            size, width = p.shape[1:]
            values = values.reshape(boxes, -1, width) @ np.swapaxes(p, 1, 2)
            values = np.swapaxes(values.reshape(boxes, count, -1, size), 2, 3)
            count *= size
            values = values.reshape(boxes, count, -1)
        return values

    def excluded(self, probs: list[np.ndarray], margin: float) -> np.ndarray:
        """Which boxes (given by the others' corner points) hold no point where
        u(b) - u(a) <= 0 for every pair (b, a)."""
        if len(self.better) == 0:
            return np.zeros(len(probs[0]), dtype=bool)
        values = self.values(probs)
        gains = values[:, :, self.better] - values[:, :, self.worse]
        return np.any(np.min(gains, axis=1) > margin, axis=1)


def _witness(agents, support, centres, blocks, scale) -> bool:
    """Whether Newton's method from some box centres reaches a point that is numerically
    an equilibrium on the support: then subdividing further is pointless."""
    pick = np.linspace(0, len(centres) - 1, min(WITNESS_STARTS, len(centres))).astype(int)
    x = np.concatenate([_stick_breaking(centres[pick][:, b])[:, :-1] for b in blocks], axis=1)
    m = x.shape[1]

    def residual(x):
        probs = [np.concatenate([x[:, b], 1 - x[:, b].sum(axis=1, keepdims=True)],
                                axis=1)[:, None, :] for b in blocks]
        rows = [agent.values(probs)[:, 0, :] for agent in agents]
        f = np.concatenate([r[:, list(s[:-1])] - r[:, [s[-1]]]
                            for r, s in zip(rows, support)], axis=1)
        return f, probs, rows

    step = 1e-7
    with np.errstate(all="ignore"):
        for _ in range(WITNESS_STEPS):
            f, _, _ = residual(x)
            shifted = (x[:, None, :] + step * np.eye(m)[None]).reshape(-1, m)
            jac = (residual(shifted)[0].reshape(len(x), m, m) - f[:, None, :]) / step
            ok = np.abs(np.linalg.det(jac)) > 1e-12
            x = x[ok]
            if len(x) == 0:
                return False
            try:
                x = x - np.linalg.solve(np.swapaxes(jac[ok], 1, 2), f[ok][..., None])[..., 0]
            except np.linalg.LinAlgError:
                return False
            x = x[np.all(np.abs(x) < 10, axis=1)]
            if len(x) == 0:
                return False
        f, probs, rows = residual(x)
    small = np.max(np.abs(f), axis=1, initial=0.0) < 1e-9 * scale
    positive = np.all(np.concatenate(probs, axis=2)[:, 0, :] > 1e-9, axis=1)
    best = np.all(np.stack([np.max(r, axis=1) - r[:, s[-1]] < 1e-9 * scale
                            for r, s in zip(rows, support)]), axis=0)
    return bool(np.any(small & positive & best))


def _stick_breaking(t: np.ndarray) -> np.ndarray:
    """Probabilities (..., s) from stick-breaking coordinates (..., s - 1)."""
    out = np.empty(t.shape[:-1] + (t.shape[-1] + 1,))
    rest = np.ones(t.shape[:-1])
    for i in range(t.shape[-1]):
        out[..., i] = rest * t[..., i]
        rest = rest * (1.0 - t[..., i])
    out[..., -1] = rest
    return out


def _bisect(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each box halved across its widest side (the first such)."""
    side = np.argmax(hi - lo, axis=1)
    rows = np.arange(len(lo))
    mid = (lo[rows, side] + hi[rows, side]) / 2
    left_hi, right_lo = hi.copy(), lo.copy()
    left_hi[rows, side] = mid
    right_lo[rows, side] = mid
    return np.concatenate([lo, right_lo]), np.concatenate([left_hi, hi])
