"""Newton's method on the paths in use, to finish what path equilibration started: the
equal-cost conditions of the used paths and the demands, linearised with the edge costs'
derivatives, solved by least squares (singular when path flows are not unique); a path
whose flow would turn negative leaves the set, a cheaper unused path joins it. Returns
the polished flows, or None when they are no better (the caller keeps its own)."""
from __future__ import annotations

import numpy as np

MAX_ROUNDS = 100  # Newton steps in all (each may add or drop paths)


def polish(problem, f: np.ndarray, *, marginal: bool, target: float) -> np.ndarray | None:
    costs = problem.edge_marginals if marginal else problem.edge_costs
    inc, owner, demands = problem.incidence, problem.owner, problem.demands
    f = f.copy()
    for _ in range(MAX_ROUNDS):
        used = f > 1e-12 * demands[owner]
        x = inc @ f
        path_cost = inc.T @ costs(x)
        gap, joins = _gap(problem, used, path_cost)
        if gap <= target:
            return f
        paths = np.flatnonzero(used | joins)
        for _ in range(4):  # a joining path the step would make negative stays out
            step = _newton_step(problem, f, x, paths, path_cost, marginal)
            if step is None:
                return None
            blocked = (f[paths] <= 0) & (step < 0)
            if not blocked.any():
                break
            paths = paths[~blocked]
        else:
            return None
        shrink = step < 0
        ratio = np.where(shrink, f[paths] / np.where(shrink, -step, 1.0), np.inf)
        alpha = min(1.0, float(ratio.min()))
        f[paths] = np.maximum(f[paths] + alpha * step, 0.0)
        if alpha < 1.0:  # the path that reached zero leaves
            f[paths[int(np.argmin(ratio))]] = 0.0
    return None


def _newton_step(problem, f, x, paths, path_cost, marginal):
    """The change of the flows on `paths` that zeroes their linearised cost differences
    and keeps the demands (least squares: the minimum-norm one when not unique)."""
    demands = problem.demands
    a = problem.incidence[:, paths]
    hessian = a.T @ (problem.edge_slopes(x, marginal)[:, None] * a)
    rows = np.eye(len(demands))[problem.owner[paths]].T  # demand x path
    n = len(paths)
    kkt = np.zeros((n + len(demands), n + len(demands)))
    kkt[:n, :n] = hessian
    kkt[:n, n:] = -rows.T
    kkt[n:, :n] = rows
    rhs = np.concatenate([-path_cost[paths], demands - rows @ f[paths]])
    with np.errstate(all="ignore"):
        step = np.linalg.lstsq(kkt, rhs, rcond=None)[0][:n]
    return step if np.all(np.isfinite(step)) else None


def _gap(problem, used, path_cost):
    """The largest relative gap (a used path above its demand's cheapest path), and the
    unused paths cheaper than every used path of their demand."""
    worst, joins = 0.0, np.zeros(len(used), dtype=bool)
    for k in range(len(problem.demands)):
        mine = problem.paths_of(k)
        c = path_cost[mine]
        scale = max(float(np.abs(c).max()), 1e-300)
        on = used[mine]
        if not on.any():
            return np.inf, joins
        worst = max(worst, (float(c[on].max()) - float(c.min())) / scale)
        joins[mine[~on & (c < float(c[on].min()))]] = True
    return worst, joins
