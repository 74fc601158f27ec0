"""Equilibria of a population game numerically, support by support, for payoffs that are
not rational functions of the fields (indicators, thresholds, exp, ...):

- one used choice per population: the vertex, checked directly;
- two used choices in one population (an edge): the payoff difference scanned on a grid of
  shares and every sign change refined by bisection; a zero is a regular equilibrium, a
  jump across zero (a threshold payoff) is the equilibrium of the continuum limit, reported
  as such (where the difference changes sign), with its exact value when the jump is at a
  condition SymPy can solve;
- more used choices: SciPy root finding on the equal-payoff equations from seeded starts
  (a search that may miss equilibria; the result says so).
"""
from __future__ import annotations

import numpy as np
import sympy

from gamespec.solvers.populations.finite_shares import ShareGame
from gamespec.solvers.populations.supports import SharePoint, support_combinations

GRID = 2001  # shares scanned on each edge
BISECTIONS = 80
SIDE = 1e-9  # one-sided check: the payoff difference at the share -/+ SIDE
STARTS = 12  # root-finding starts per support of three or more choices


def numeric_equilibria(game: ShareGame, tol: float, seed: int) -> tuple[list[SharePoint], dict]:
    """All equilibria found and what was searched."""
    rng = np.random.default_rng(seed)
    sizes = [len(p.labels) for p in game.populations]
    points: list[SharePoint] = []
    searched = {"vertices": 0, "edges": 0, "root_finding_supports": 0}
    for support in support_combinations(sizes):
        free = [p for p, used in enumerate(support) if len(used) > 1]
        dimension = sum(len(used) - 1 for used in support)
        if dimension == 0:
            searched["vertices"] += 1
            points.append(SharePoint(_vertex(sizes, support), support=support))
        elif dimension == 1:
            searched["edges"] += 1
            points += _edge(game, sizes, support, free[0], tol)
        else:
            searched["root_finding_supports"] += 1
            points += _roots(game, sizes, support, rng, tol)
    return points, searched


def _vertex(sizes, support) -> list[np.ndarray]:
    shares = [np.zeros(k) for k in sizes]
    for p, used in enumerate(support):
        shares[p][used[0]] = 1.0
    return shares


def _edge_shares(sizes, support, p: int, t: np.ndarray) -> list[np.ndarray]:
    """Shares along the edge: population p puts t on its first used choice, 1 - t on the
    second; the others sit on their one used choice."""
    out = []
    for q, (k, used) in enumerate(zip(sizes, support)):
        x = np.zeros((t.size, k))
        if q == p:
            x[:, used[0]], x[:, used[1]] = t, 1.0 - t
        else:
            x[:, used[0]] = 1.0
        out.append(x)
    return out


def _edge(game: ShareGame, sizes, support, p: int, tol: float) -> list[SharePoint]:
    a, b = support[p]

    def difference(t: np.ndarray) -> np.ndarray:
        u = game.choice_payoffs(_edge_shares(sizes, support, p, np.atleast_1d(t)))[p]
        return u[:, a] - u[:, b]

    t = np.linspace(0.0, 1.0, GRID)  # the ends too: a root next to a vertex is bracketed
    d = difference(t)
    found = []
    for run in _runs(np.abs(d) <= tol):  # a run of zeros: a continuum, its ends listed
        found += sorted({float(t[run[0]]), float(t[run[-1]])})
    sign = np.sign(np.where(np.abs(d) <= tol, 0.0, d))
    for k in np.nonzero(sign[:-1] * sign[1:] < 0)[0]:
        found.append(_bisect(difference, float(t[k]), float(t[k + 1]), sign[k]))
    points = []
    for root in sorted(found):
        if not 10 * SIDE < root < 1 - 10 * SIDE:
            continue  # a vertex: checked as a support of one choice
        if points and abs(points[-1].shares[p][a] - root) <= 10 * SIDE:
            continue
        value = float(difference(root)[0])
        left, right = (float(v) for v in difference(np.array([root - SIDE, root + SIDE])))
        shares = [x[0] for x in _edge_shares(sizes, support, p, np.array([root]))]
        point = SharePoint(shares, support=support)
        if abs(value) > tol:
            if not (left * right < 0 and min(abs(left), abs(right)) > tol):
                continue  # not a crossing of zero
            far_left, far_right = (float(v) for v in difference(
                np.array([root - 10 * SIDE, root + 10 * SIDE])))
            if abs(left) > 2 * abs(far_left) + tol or abs(right) > 2 * abs(far_right) + tol:
                continue  # a pole (the difference grows without bound), not a jump
            point.kind = "threshold"
            point.exact = _exact_threshold(game, sizes, support, p, root)
            if point.exact is not None:  # the one-sided check around the exact share
                point.shares = [np.array([float(v) for v in row]) for row in point.exact]
                root = float(point.shares[p][a])
                value = float(difference(root)[0])
                left, right = (float(v) for v in difference(np.array([root - SIDE,
                                                                       root + SIDE])))
            point.sides = {"share": root, "below": left, "above": right, "side": SIDE,
                           "at": value}
            point.stable = bool(left > 0 > right)
        points.append(point)
    return points


def _runs(mask: np.ndarray) -> list[np.ndarray]:
    """Index runs where mask holds."""
    idx = np.nonzero(mask)[0]
    return np.split(idx, np.nonzero(np.diff(idx) > 1)[0] + 1) if idx.size else []


def _bisect(difference, lo: float, hi: float, sign_lo: float) -> float:
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        if np.sign(difference(np.array([mid]))[0]) == sign_lo:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _exact_threshold(game: ShareGame, sizes, support, p: int, root: float) -> list | None:
    """The exact share of a jump: a root of a condition's boundary near `root`, if SymPy
    solves it (the payoffs' conditions written in the edge's share t)."""
    t = sympy.Symbol("t", real=True)
    shares = []
    for q, (k, used) in enumerate(zip(sizes, support)):
        row = [sympy.Integer(0)] * k
        if q == p:
            row[used[0]], row[used[1]] = t, 1 - t
        else:
            row[used[0]] = sympy.Integer(1)
        shares.append(row)
    fields = game.field_exprs(shares)
    a, b = support[p]
    difference = (game.payoffs[p][a] - game.payoffs[p][b]).xreplace(fields)
    for rel in difference.atoms(sympy.core.relational.Relational):
        boundary = rel.lhs - rel.rhs
        if not boundary.free_symbols <= {t} or not boundary.free_symbols:
            continue
        try:
            roots = sympy.solve(boundary, t)
        except (NotImplementedError, TypeError, ValueError):
            continue
        for r in roots:
            if r.is_real and abs(float(r) - root) <= 1e-6:
                return [[r if e == t else 1 - r if e == 1 - t else e for e in row]
                        for row in shares]
    return None


def _roots(game: ShareGame, sizes, support, rng, tol: float) -> list[SharePoint]:
    """Equal payoffs on the support, from the barycentre and seeded random starts."""
    from scipy import optimize  # imported when needed: `gamespec info` stays light

    free = [(p, c) for p, used in enumerate(support) for c in used[:-1]]

    def shares_of(z: np.ndarray) -> list[np.ndarray]:
        out = [np.zeros(k) for k in sizes]
        for (p, c), v in zip(free, z):
            out[p][c] = v
        for p, used in enumerate(support):
            out[p][used[-1]] = 1.0 - out[p].sum()
        return out

    def equations(z: np.ndarray) -> np.ndarray:
        x = shares_of(z)
        u = game.choice_payoffs([s[None, :] for s in x])
        return np.array([u[p][0, c] - u[p][0, support[p][-1]] for p, c in free])

    starts = [np.concatenate([np.full(len(used) - 1, 1.0 / len(used))
                              for used in support if len(used) > 1])]
    for _ in range(STARTS):
        starts.append(np.concatenate([rng.dirichlet(np.ones(len(used)))[:-1]
                                      for used in support if len(used) > 1]))
    points: list[SharePoint] = []
    for z0 in starts:
        solution = optimize.root(equations, z0, method="hybr", tol=1e-14)
        x = shares_of(solution.x)
        used_ok = all(x[p][c] > tol for p, used in enumerate(support) for c in used)
        if used_ok and np.max(np.abs(equations(solution.x))) <= tol:
            point = SharePoint(x, support=support)
            if not any(point.close_to(q, 1e-7) for q in points):
                points.append(point)
    return points
