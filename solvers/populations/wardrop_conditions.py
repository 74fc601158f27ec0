"""`gamespec derive` for a network: edge flows and path costs in the path flows, the
Wardrop conditions, the Beckmann potential and the system optimum's conditions."""
from __future__ import annotations

import sympy

from gamespec.model import Model

MAX_ITEMS = 60  # items per section; the rest is counted


def wardrop_sections(model: Model) -> list[tuple[str, list]]:
    from gamespec.solvers.populations.network_paths import path_problem

    net = model.network
    problem = path_problem(model)
    flows = [sympy.Symbol(f"f[{problem.path_names[p]}]", nonnegative=True)
             for p in range(len(problem.paths))]
    least = [sympy.Symbol(f"pi[{d.name}]") for d in net.demands]
    edge_flow = [sum((flows[p] for p in range(len(flows)) if e in problem.paths[p]),
                     sympy.Integer(0)) for e in range(len(net.edges))]
    t = sympy.Symbol("t", nonnegative=True)
    cost = [model.expand_lets(e.cost) for e in net.edges]
    at = [c.xreplace({net.flow: x}) for c, x in zip(cost, edge_flow)]
    marginal = [(c + net.flow * sympy.diff(c, net.flow)).xreplace({net.flow: x})
                for c, x in zip(cost, edge_flow)]
    path_cost = [sum((at[e] for e in problem.paths[p]), sympy.Integer(0))
                 for p in range(len(flows))]
    path_marginal = [sum((marginal[e] for e in problem.paths[p]), sympy.Integer(0))
                     for p in range(len(flows))]
    flows_items = [(f"x[{e.name}]", x) for e, x in zip(net.edges, edge_flow)]
    flows_items += [(f"C[{problem.path_names[p]}]", c) for p, c in enumerate(path_cost)]
    demand_items = [(f"demand {d.name}", sympy.Eq(sum((flows[p] for p in problem.paths_of(k)),
                                                      sympy.Integer(0)), d.exact))
                    for k, d in enumerate(net.demands)]
    wardrop = demand_items + _conditions(problem, flows, least, path_cost)
    potential = sum((_integral(c, net.flow, t, x) for c, x in zip(cost, edge_flow)),
                    sympy.Integer(0))
    total = sum((c * x for c, x in zip(at, edge_flow)), sympy.Integer(0))
    optimum = [("total cost", total)] + demand_items + [
        (f"marginal C[{problem.path_names[p]}]", m) for p, m in enumerate(path_marginal)]
    optimum += _conditions(problem, flows, least, path_marginal)
    return [("network: edge flows and path costs", _cut(flows_items)),
            ("Wardrop equilibrium: a used path costs the least (pi) of its demand's paths",
             _cut(wardrop)),
            ("Beckmann potential (minimised by the equilibrium; convex for nondecreasing "
             "costs)", [("Phi", potential)]),
            ("system optimum: a used path has the least marginal cost", _cut(optimum))]


def _conditions(problem, flows, least, costs) -> list:
    items = []
    for p, c in enumerate(costs):
        pi = least[problem.owner[p]]
        name = problem.path_names[p]
        items.append((f"{name}: used only at least cost", sympy.Eq(flows[p] * (c - pi), 0)))
        items.append((f"{name}: no cheaper", sympy.Ge(c, pi, evaluate=False)))
    return items


def _integral(cost, flow, t, upper):
    """int_0^upper cost(t) dt, term by term where each term is a constant times a power of
    the flow (symbolic powers too), by SymPy for a rational function, else left as is."""
    body = cost.xreplace({flow: t})
    terms = sympy.Add.make_args(sympy.expand(body))
    parts = [term.as_coeff_exponent(t) for term in terms]
    if all(t not in c.free_symbols and t not in e.free_symbols and e != -1 for c, e in parts):
        return sum((c * upper ** (e + 1) / (e + 1) for c, e in parts), sympy.Integer(0))
    if body.is_rational_function(t):
        return sympy.integrate(body, (t, 0, upper))
    return sympy.Integral(body, (t, 0, upper))


def _cut(items: list) -> list:
    if len(items) <= MAX_ITEMS:
        return items
    return items[:MAX_ITEMS] + [("", f"... {len(items) - MAX_ITEMS} more items")]
