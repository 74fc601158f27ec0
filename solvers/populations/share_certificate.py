"""The certificate of a population equilibrium: the maximum gain of switching from a used
choice to any other, computed from the shares (floats) independently of how they were
found; at a threshold, the sign of the payoff difference on either side of the share."""
from __future__ import annotations

import numpy as np

from gamespec.solvers.populations.finite_shares import ShareGame
from gamespec.solvers.populations.supports import SharePoint

USED = 1e-9  # a share above this is a used choice


def switching_gain(game: ShareGame, shares: list[np.ndarray]) -> float:
    """max over populations, used choices c and all choices c' of u(c') - u(c)."""
    payoffs = game.choice_payoffs([x[None, :] for x in shares])
    gain = 0.0
    for x, u in zip(shares, payoffs):
        used = x > USED
        gain = max(gain, float(np.max(u[0]) - np.min(u[0][used])))
    return gain


def unused_gain(game: ShareGame, point: SharePoint, shares: list[np.ndarray]) -> float:
    """max over populations of (best unused choice) - (best used choice) at shares."""
    payoffs = game.choice_payoffs([x[None, :] for x in shares])
    gain = -np.inf
    for u, used in zip(payoffs, point.support):
        unused = [c for c in range(u.shape[1]) if c not in used]
        if unused:
            gain = max(gain, float(np.max(u[0, unused]) - np.max(u[0, list(used)])))
    return max(gain, 0.0) if np.isfinite(gain) else 0.0


def certify(game: ShareGame, point: SharePoint, tol: float) -> bool:
    """Sets point.gain; a regular point passes if the gain is within tol; a threshold
    point if the payoff difference has opposite signs just below and above the share and
    no unused choice pays more than the best used one on either side."""
    if point.kind == "regular":
        point.gain = switching_gain(game, point.shares)
        return point.gain <= tol
    side = point.sides["side"]
    p = next(q for q, used in enumerate(point.support) if len(used) > 1)
    a, b = point.support[p]
    gains = []
    for delta in (-side, side):
        shares = [x.copy() for x in point.shares]
        shares[p][a] += delta
        shares[p][b] -= delta
        gains.append(unused_gain(game, point, shares))
    point.gain = max(gains)
    point.sides["unused_gain"] = point.gain
    return point.sides["below"] * point.sides["above"] < 0 and point.gain <= tol


def edge_stability(game: ShareGame, point: SharePoint, step: float = 1e-6) -> bool | None:
    """Along an edge (one population splits between two choices a, b, the others pure):
    whether switching moves the share back from both sides (a pays more just below the
    share on a, less just above it); None for other supports."""
    split = [p for p, used in enumerate(point.support) if len(used) == 2]
    if len(split) != 1 or any(len(used) > 2 for used in point.support):
        return None
    p = split[0]
    a, b = point.support[p]
    differences = []
    for delta in (-step, step):
        shares = [x.copy() for x in point.shares]
        shares[p][a] += delta
        shares[p][b] -= delta
        u = game.choice_payoffs([x[None, :] for x in shares])[p][0]
        differences.append(float(u[a] - u[b]))
    return bool(differences[0] > 0 > differences[1])
