"""Path flows where no traveller gains by switching path, for a given edge cost function:
the Wardrop equilibrium (the edge costs) or the system optimum (the marginal costs
c + x c', whose equilibrium minimises the total cost when it is convex).

Path equilibration (one demand at a time, flow moved from the dearest used path to the
cheapest path until their costs meet, found by a bracketed root search) minimises the
convex potential sum_e int_0^x_e cost_e; its answer is then measured, not trusted
(`gaps`, `conservation`)."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

GAP_TOLERANCE = 1e-9  # relative cost gap the certificate accepts
STOP_GAP = 1e-13  # relative gap at which equilibration stops
MAX_SWEEPS = 20_000


@dataclass(frozen=True)
class Flows:
    path_flows: np.ndarray
    sweeps: int
    converged: bool


def equilibrate(problem, costs, *, deadline: float | None = None) -> Flows:
    """`costs(x)`: edge flows -> edge costs (nondecreasing in each edge's flow)."""
    from scipy.optimize import brentq

    inc = problem.incidence
    f = np.zeros(len(problem.paths))
    zero = costs(np.zeros(inc.shape[0]))
    for k, amount in enumerate(problem.demands):  # everyone on a cheapest path at no flow
        mine = problem.paths_of(k)
        f[mine[int(np.argmin(inc[:, mine].T @ zero))]] = amount
    for sweep in range(1, MAX_SWEEPS + 1):
        worst = 0.0
        for k in range(len(problem.demands)):
            mine = problem.paths_of(k)
            for _ in range(4 * len(mine) + 4):
                x = inc @ f
                cost = inc[:, mine].T @ costs(x)
                used = mine[f[mine] > 0]
                hi = used[int(np.argmax(cost[np.isin(mine, used)]))]
                lo = mine[int(np.argmin(cost))]
                gap = cost[mine == hi][0] - cost[mine == lo][0]
                scale = max(np.abs(cost).max(), 1e-300)
                worst = max(worst, gap / scale)
                if gap <= STOP_GAP * scale or hi == lo:
                    break
                move = inc[:, lo] - inc[:, hi]

                def after(t, x=x, move=move, hi=hi, lo=lo):
                    c = costs(x + t * move)
                    return inc[:, hi] @ c - inc[:, lo] @ c

                top = f[hi]
                t = top if after(top) >= 0 else brentq(after, 0.0, top, xtol=1e-300,
                                                       rtol=4 * np.finfo(float).eps)
                f[hi] -= t
                f[lo] += t
                if t == top:
                    f[hi] = 0.0
        if worst <= STOP_GAP:
            return Flows(f, sweep, True)
        if deadline is not None and time.perf_counter() > deadline:
            break
    return Flows(f, sweep, False)


def path_costs(problem, costs, f: np.ndarray) -> np.ndarray:
    return problem.incidence.T @ costs(problem.incidence @ f)


def gaps(problem, costs, f: np.ndarray) -> dict:
    """Per demand: the cheapest path's cost, and the largest amount by which a path with
    flow costs more, relative to the dearest path's cost (0 at an exact equilibrium)."""
    c = path_costs(problem, costs, f)
    out = {}
    for k in range(len(problem.demands)):
        mine = problem.paths_of(k)
        cheapest = float(c[mine].min())
        used = mine[f[mine] > 1e-12 * problem.demands[k]]
        scale = max(float(np.abs(c[mine]).max()), 1e-300)
        out[k] = (cheapest, float((c[used] - cheapest).max() / scale) if used.size else 0.0)
    return out


def conservation(model, problem, f: np.ndarray) -> float:
    """Largest imbalance at a node (edge flows in minus out against the demands' supply),
    negative path flow, or demand not routed, relative to the total demand."""
    net = model.network
    x = problem.incidence @ f
    balance = {node: 0.0 for node in net.nodes}
    for flow, edge in zip(x, net.edges):
        balance[edge.tail] += flow
        balance[edge.head] -= flow
    for demand in net.demands:
        balance[demand.origin] -= demand.amount
        balance[demand.destination] += demand.amount
    routed = [abs(f[problem.paths_of(k)].sum() - d) for k, d in enumerate(problem.demands)]
    worst = max([abs(v) for v in balance.values()] + routed + [max(0.0, -f.min())])
    return worst / float(problem.demands.sum())
