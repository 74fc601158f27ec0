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

from gamespec.solvers.populations.wardrop_newton import polish

GAP_TOLERANCE = 1e-9  # relative cost gap the certificate accepts
STOP_GAP = 1e-13  # relative gap at which equilibration stops
MAX_SWEEPS = 20_000
KINK_STEP = 1e-13  # one-sided prices when moving flow: this much of the total demand away
CHECK_STEP = 1e-11  # and when measuring the gaps: wider, so a flow the moves left within
                    # KINK_STEP of a kink is priced on both sides of it
POLISH_AT = {1, 2, 3, 5, 10, 30, 100, 300, 1000}  # sweeps after which Newton's method finishes


@dataclass(frozen=True)
class Flows:
    path_flows: np.ndarray
    sweeps: int
    converged: bool


def equilibrate(problem, *, marginal: bool = False, deadline: float | None = None) -> Flows:
    """Path flows at which no used path of a demand costs more than its cheapest path, for
    the edge costs (or, `marginal`, the marginal costs), each nondecreasing in its flow."""
    from scipy.optimize import brentq

    costs = problem.edge_marginals if marginal else problem.edge_costs
    fns = problem.marginal_fns if marginal else problem.cost_fns
    inc = problem.incidence
    f = np.zeros(len(problem.paths))
    zero = costs(np.zeros(inc.shape[0]))
    for k, amount in enumerate(problem.demands):  # everyone on a cheapest path at no flow
        mine = problem.paths_of(k)
        f[mine[int(np.argmin(inc[:, mine].T @ zero))]] = amount
    edge_sets = [set(p) for p in problem.paths]
    step = KINK_STEP * float(problem.demands.sum())
    sweep = 0
    for sweep in range(1, MAX_SWEEPS + 1):
        worst, before = 0.0, f.copy()
        for k in range(len(problem.demands)):
            mine = problem.paths_of(k)
            for _ in range(4 * len(mine) + 4):
                x = inc @ f  # priced one-sided, so that a kink does not stall the moves
                below = costs(np.maximum(x - step, 0.0))
                above = costs(x + step)
                scale = max(float(np.abs(inc[:, mine].T @ above).max()), 1e-300)
                move = _best_move(inc, mine, f, below, above, STOP_GAP * scale)
                if move is None:
                    break
                hi, lo, gain = move
                worst = max(worst, gain / scale)
                out = sorted(edge_sets[hi] - edge_sets[lo])
                into = sorted(edge_sets[lo] - edge_sets[hi])

                def after(t, x=x, out=out, into=into):
                    with np.errstate(all="ignore"):
                        return (sum(float(fns[e](max(x[e] - t - step, 0.0))) for e in out)
                                - sum(float(fns[e](x[e] + t + step)) for e in into))

                top = f[hi]
                t = top if after(top) >= 0 else brentq(
                    after, 0.0, top, xtol=max(1e-16 * top, 1e-300),
                    rtol=4 * np.finfo(float).eps, maxiter=500, full_output=True,
                    disp=False)[0]
                f[hi] = 0.0 if t == top else f[hi] - t
                f[lo] += t
        if worst <= STOP_GAP:
            return Flows(f, sweep, True)
        if sweep in POLISH_AT:
            polished = polish(problem, f, marginal=marginal, target=STOP_GAP)
            if polished is not None and max(
                    v[1] for v in gaps(problem, polished, marginal=marginal).values()) <= 1e-12:
                return Flows(polished, sweep, True)  # checked one-sided, as the result is
        if deadline is not None and time.perf_counter() > deadline:
            break
        if np.abs(f - before).max() <= 1e-15 * problem.demands.max():
            break  # stalled (e.g. at a kink of a cost, where the gap cannot close)
    return Flows(f, sweep, False)


def _best_move(inc, mine, f, below, above, threshold):
    """(used path, path to move its flow to, saving per unit moved) for the dearest used
    path that can save more than `threshold`, priced one-sided over the edges the two
    paths do not share; None when no used path can."""
    leave = inc[:, mine].T @ below
    used = np.flatnonzero(f[mine] > 0)
    for h in used[np.argsort(-leave[used])]:
        moves = inc[:, [mine[h]]] - inc[:, mine]  # +1: edges left, -1: edges joined
        gain = (moves > 0).T @ below - (moves < 0).T @ above
        q = int(np.argmax(gain))
        if gain[q] > threshold:
            return int(mine[h]), int(mine[q]), float(gain[q])
    return None


def path_costs(problem, costs, f: np.ndarray) -> np.ndarray:
    return problem.incidence.T @ costs(problem.incidence @ f)


def gaps(problem, f: np.ndarray, *, marginal: bool) -> dict:
    """Per demand: the cheapest path's cost, and the largest amount by which a path with
    flow costs more, relative to the dearest path's cost (0 at an exact equilibrium).
    Where a path is dearer, the move of flow to each other path is priced one-sided
    (edge costs just below the flows it leaves, just above those it joins: CHECK_STEP
    of the total demand away), so that a
    kink of a cost (max, if/then/else) does not count as a gap."""
    costs = problem.edge_marginals if marginal else problem.edge_costs
    inc = problem.incidence
    x = inc @ f
    c = inc.T @ costs(x)
    step = CHECK_STEP * float(problem.demands.sum())
    below = costs(np.maximum(x - step, 0.0))
    above = costs(x + step)
    out = {}
    for k in range(len(problem.demands)):
        mine = problem.paths_of(k)
        cheapest = float(c[mine].min())
        scale = max(float(np.abs(c[mine]).max()), 1e-300)
        worst = 0.0
        for p in mine[f[mine] > 1e-12 * problem.demands[k]]:
            gap = float(c[p] - cheapest) / scale
            if gap > 1e-12:
                moves = inc[:, [p]] - inc[:, mine]  # +1: edges left, -1: edges joined
                gap = max(0.0, float(((moves > 0).T @ below - (moves < 0).T @ above).max())
                          / scale)
            worst = max(worst, gap)
        out[k] = (cheapest, worst)
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
    return float(worst) / float(problem.demands.sum())
