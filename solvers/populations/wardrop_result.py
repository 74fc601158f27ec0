"""One solution (the equilibrium, or the optimum: the equilibrium of the marginal costs)
with its measured gaps, and the Result's values, strategies, facts and `network` record."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from gamespec.solvers.populations.wardrop_exact import ExactFlows, exact_flows
from gamespec.solvers.populations.wardrop_flow import conservation, equilibrate, gaps


@dataclass(frozen=True)
class Solution:
    path_flows: np.ndarray
    edge_flows: np.ndarray
    edge_costs: np.ndarray  # the true costs c(x), also at the optimum
    least: dict[int, float]  # per demand: the least (marginal, at the optimum) path cost
    total: float
    gap: float
    conservation: float
    converged: bool
    sweeps: int
    exact: ExactFlows | None
    exact_total: sympy.Expr | None
    path_flows_unique: bool


def solution(model, problem, costs, *, marginal: bool, deadline=None) -> Solution:
    flows = equilibrate(problem, marginal=marginal, deadline=deadline)
    f = flows.path_flows
    exact = exact_total = None
    if costs.affine is not None:
        exact = exact_flows(problem, costs.affine, [d.exact for d in model.network.demands],
                            f, marginal=marginal)
    if exact is not None:
        f = np.array([float(v) for v in exact.path_flows])
        exact_total = sum((x * (a * x + b) for x, (a, b) in zip(exact.edge_flows, costs.affine)),
                          sympy.Integer(0))
    x = problem.incidence @ f
    c = problem.edge_costs(x)
    measured = gaps(problem, f, marginal=marginal)
    least = {k: float(exact.least_costs[k]) if exact else v[0] for k, v in measured.items()}
    unique = _unique(problem, f)
    return Solution(f, x, c, least, float(exact_total) if exact else float(x @ c),
                    max(v[1] for v in measured.values()), conservation(model, problem, f),
                    flows.converged, flows.sweeps, exact, exact_total, unique)


def _unique(problem, f: np.ndarray) -> bool:
    """Whether no other path flows give the same edge flows and demands: none moves flow
    among the used paths alone (full column rank there) and no unused path can take some
    (a linear program over the directions that keep edge flows and demands)."""
    from scipy.optimize import linprog

    rows = np.vstack([problem.incidence, np.eye(len(problem.demands))[problem.owner].T])
    used = f > 1e-9 * problem.demands[problem.owner]
    if np.linalg.matrix_rank(rows[:, used]) < int(used.sum()):
        return False
    if used.all():
        return True
    bounds = [(-1.0, 1.0) if u else (0.0, 1.0) for u in used]
    found = linprog(-(~used).astype(float), A_eq=rows, b_eq=np.zeros(len(rows)),
                    bounds=bounds, method="highs")
    return not (found.status == 0 and -found.fun > 1e-9)


def _show(value, exact=None) -> str:
    text = f"{value:.6g}"
    shown = None if exact is None else sympy.sstr(exact)
    return text if shown is None or shown == text or len(shown) > 40 else f"{shown} ({text})"


def network_result(model, problem, costs, eq: Solution, opt: Solution) -> dict:
    net = model.network
    demands = [d.name for d in net.demands]

    def per_path(sol, values, exact=None):
        return {name: {problem.path_names[p]: (sympy.sstr(exact[p]) if exact else
                                               float(values[p]))
                       for p in problem.paths_of(k)} for k, name in enumerate(demands)}

    def record(sol: Solution, marginal: bool) -> dict:
        fn = problem.edge_marginals if marginal else problem.edge_costs
        out = {"path_flows": per_path(sol, sol.path_flows),
               "path_costs": per_path(sol, problem.incidence.T @ sol.edge_costs),
               "edge_flows": dict(zip(problem.edge_names, sol.edge_flows.tolist())),
               "edge_costs": dict(zip(problem.edge_names, sol.edge_costs.tolist())),
               ("least_marginal_cost" if marginal else "least_cost"):
                   {demands[k]: v for k, v in sol.least.items()},
               "total_cost": sol.total, "path_flows_unique": sol.path_flows_unique,
               "gap": sol.gap, "conservation": sol.conservation}
        if marginal:
            out["path_marginal_costs"] = per_path(sol, problem.incidence.T
                                                  @ fn(sol.edge_flows))
        if sol.exact is not None:
            out["exact"] = {"path_flows": per_path(sol, None, sol.exact.path_flows),
                            "edge_flows": {n: sympy.sstr(v) for n, v in
                                           zip(problem.edge_names, sol.exact.edge_flows)},
                            "total_cost": sympy.sstr(sol.exact_total)}
        return out

    poa, poa_exact = _ratio(eq, opt)
    searched = {demands[k]: {"origin": d.origin, "destination": d.destination,
                             "paths": int(len(problem.paths_of(k)))}
                for k, d in enumerate(net.demands)}
    record_ = {"name": net.name, "searched": searched, "costs_checked": costs.how,
               "edge_flows_unique": costs.strictly_increasing, "dropped_edges": list(net.dropped),
               "equilibrium": record(eq, False), "optimum": record(opt, True),
               "price_of_anarchy": poa, "price_of_anarchy_exact": poa_exact}
    values = {name: eq.least[k] for k, name in enumerate(demands)}
    strategies = per_path(eq, eq.path_flows)
    derived = {}
    if eq.exact is not None and opt.exact is not None:
        derived = {"equilibrium total cost": sympy.sstr(eq.exact_total),
                   "optimum total cost": sympy.sstr(opt.exact_total),
                   "price of anarchy": poa_exact,
                   "equilibrium path flows": record_["equilibrium"]["exact"]["path_flows"],
                   "optimum path flows": record_["optimum"]["exact"]["path_flows"]}
    return {"values": values, "strategies": strategies, "derived": derived,
            "network": record_, "facts": _facts(problem, costs, eq, opt, demands, searched,
                                                poa, poa_exact, net)}


def _ratio(eq: Solution, opt: Solution):
    if eq.exact_total is not None and opt.exact_total is not None and opt.exact_total != 0:
        ratio = eq.exact_total / opt.exact_total
        return float(ratio), sympy.sstr(ratio)
    if opt.total > 0:
        return eq.total / opt.total, None
    return (1.0 if eq.total == 0 else float("inf")), None


def _facts(problem, costs, eq, opt, demands, searched, poa, poa_exact, net) -> list:
    def flows(sol):
        return ", ".join(f"{n} {_show(v)}" for n, v in zip(problem.edge_names, sol.edge_flows))

    def paths(sol):
        parts = []
        for k, name in enumerate(demands):
            shown = [f"{problem.path_names[p]} {_show(sol.path_flows[p])}"
                     for p in problem.paths_of(k) if sol.path_flows[p] > 0]
            parts.append(f"{name}: " + ", ".join(shown))
        return "; ".join(parts)

    per_unit = ", ".join(f"{n} {_show(v)}" for n, v in zip(demands, eq.least.values()))
    facts = [
        ("equilibrium total cost", f"{_show(eq.total, eq.exact_total)}   (cost per traveller: "
                                   f"{per_unit})"),
        ("equilibrium path flows", paths(eq)),
        ("equilibrium edge flows", flows(eq)),
        ("optimum total cost", _show(opt.total, opt.exact_total)),
        ("optimum path flows", paths(opt)),
        ("optimum edge flows", flows(opt)),
        ("price of anarchy", _show(poa) if poa_exact is None or poa_exact == f"{poa:.6g}"
         else f"{poa_exact} ({poa:.6g})"),
        ("costs", costs.how),
        ("uniqueness", _uniqueness(costs, eq, opt)),
        ("searched", "; ".join(f"{n}: every simple path from {s['origin']} to "
                               f"{s['destination']} ({s['paths']})"
                               for n, s in searched.items())
         + ("; exact rational solve on the used paths (affine costs)"
            if eq.exact is not None else "; path equilibration")),
    ]
    if net.dropped:
        facts.append(("edges left out (their `if` is false)", ", ".join(net.dropped)))
    return facts


def _uniqueness(costs, eq, opt) -> str:
    parts = ["edge flows unique (strictly increasing costs)" if costs.strictly_increasing
             else "edge costs and the total unique; edge flows may not be (a cost is flat "
                  "somewhere)"]
    if not eq.path_flows_unique:
        parts.append("equilibrium path flows not unique (others give the same edge flows)")
    if not opt.path_flows_unique:
        parts.append("optimum path flows not unique")
    if not costs.marginal_nondecreasing:
        parts.append("marginal costs not nondecreasing: the optimum is a KKT point, not "
                     "shown global")
    return "; ".join(parts)
