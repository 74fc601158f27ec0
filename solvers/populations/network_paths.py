"""A Model's network as a path-flow problem: the graph (networkx), every simple path of
each demand (bounded), the edge-path incidence, and the edge costs lowered to NumPy."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy

from gamespec.errors import SolverError, SpecError
from gamespec.lowering import NON_FINITE, LoweringError, fold, to_numpy
from gamespec.model import Model

MAX_PATHS = 2000  # simple paths enumerated over all demands (--limit network_paths=N)


@dataclass(frozen=True)
class PathProblem:
    """Paths are tuples of edge indices; `owner[p]` is the demand index of path p."""

    edge_names: tuple[str, ...]
    paths: tuple[tuple[int, ...], ...]
    path_names: tuple[str, ...]
    owner: np.ndarray
    demands: np.ndarray
    incidence: np.ndarray  # edges x paths, 0/1
    costs: tuple[sympy.Expr, ...]  # folded: in the flow symbol only
    flow: sympy.Symbol
    cost_fns: tuple[Callable, ...]  # per edge: its flow -> its cost
    marginal_fns: tuple[Callable, ...]  # per edge: c + x c'
    all_costs: Callable  # every edge at once: edge flows -> edge costs
    all_marginals: Callable
    all_slopes: tuple[Callable, Callable]  # derivatives of the costs and marginal costs

    def edge_costs(self, x: np.ndarray) -> np.ndarray:
        return _apply(self.all_costs, x)

    def edge_marginals(self, x: np.ndarray) -> np.ndarray:
        return _apply(self.all_marginals, x)

    def edge_slopes(self, x: np.ndarray, marginal: bool) -> np.ndarray:
        return _apply(self.all_slopes[int(marginal)], x)

    def paths_of(self, k: int) -> np.ndarray:
        return np.flatnonzero(self.owner == k)


def _apply(fn, x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.array(fn(*x), dtype=float)


def graph_of(model: Model):
    """The network as a networkx MultiDiGraph; edge keys are the edges' positions."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    graph.add_nodes_from(model.network.nodes)
    for k, edge in enumerate(model.network.edges):
        graph.add_edge(edge.tail, edge.head, key=k)
    return graph


def path_problem(model: Model) -> PathProblem:
    """Every simple path of every demand (at most MAX_PATHS in all) and the lowered costs."""
    import networkx as nx

    net = model.network
    graph = graph_of(model)
    parallel = {k for k, e in enumerate(net.edges)
                if graph.number_of_edges(e.tail, e.head) > 1}
    paths, names, owner = [], [], []
    for d, demand in enumerate(net.demands):
        if not nx.has_path(graph, demand.origin, demand.destination):
            hint = (f"edges left out by their `if`: {', '.join(net.dropped)}"
                    if net.dropped else "add an edge, or check the edges' directions")
            raise SpecError(f"no path from {demand.origin} to {demand.destination} in network "
                            f"`{net.name}`", span=demand.span, hint=hint)
        for route in nx.all_simple_edge_paths(graph, demand.origin, demand.destination):
            if len(paths) >= MAX_PATHS:
                raise SolverError(f"network `{net.name}` has more than {MAX_PATHS} simple "
                                  "paths between its demands' origins and destinations",
                                  span=demand.span,
                                  hint="raise the bound with --limit network_paths=N")
            edges = tuple(key for _, _, key in route)
            paths.append(edges)
            names.append(_path_name(net, edges, parallel))
            owner.append(d)
    incidence = np.zeros((len(net.edges), len(paths)))
    for p, edges in enumerate(paths):
        incidence[list(edges), p] = 1.0
    return PathProblem(tuple(e.name for e in net.edges), tuple(paths), tuple(names),
                       np.array(owner), np.array([d.amount for d in net.demands]), incidence,
                       *_lower_costs(model, net.flow))


def _path_name(net, edges: tuple[int, ...], parallel: set[int]) -> str:
    """s->a->t; through a parallel edge, the edges' names joined by ` + `."""
    if any(k in parallel for k in edges):
        return " + ".join(net.edges[k].name for k in edges)
    return "->".join([net.edges[edges[0]].tail] + [net.edges[k].head for k in edges])


def _lower_costs(model: Model, flow: sympy.Symbol):
    """Each edge's cost and marginal cost in its flow, one function per edge and one for
    all edges at once (a vector of edge flows)."""
    net = model.network
    costs, marginals, cost_fns, marginal_fns = [], [], [], []
    for edge in net.edges:
        folded = fold(model, edge.cost, [net.flow], span=edge.cost_span)
        extra = folded.free_symbols - {net.flow} - set(NON_FINITE)
        if extra:
            names = ", ".join(sorted(sympy.sstr(s) for s in extra))
            raise LoweringError(f"the cost of edge `{edge.name}` depends on {names}, which "
                                "has no value here", span=edge.cost_span)
        marginal = folded + net.flow * _derivative(folded, net.flow)
        costs.append(folded)
        marginals.append(marginal)
        cost_fns.append(to_numpy([net.flow], folded, span=edge.cost_span))
        marginal_fns.append(to_numpy([net.flow], marginal, span=edge.cost_span))
    flows = [sympy.Dummy(f"x{k}", nonnegative=True) for k in range(len(net.edges))]
    slopes = [[_derivative(c, net.flow) for c in exprs] for exprs in (costs, marginals)]
    every = [to_numpy(flows, [c.xreplace({net.flow: x}) for c, x in zip(exprs, flows)],
                      span=net.span) for exprs in (costs, marginals, *slopes)]
    return (tuple(costs), flow, tuple(cost_fns), tuple(marginal_fns), every[0], every[1],
            (every[2], every[3]))


def _derivative(expr: sympy.Expr, flow: sympy.Symbol) -> sympy.Expr:
    """d expr / d flow, with max, min and abs as Piecewise first (a kink's derivative is a
    jump, never a DiracDelta, which NumPy cannot evaluate)."""
    if expr.has(sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside):
        expr = expr.rewrite(sympy.Piecewise)
    slope = sympy.diff(expr, flow)
    return slope.replace(lambda e: isinstance(e, sympy.DiracDelta), lambda e: sympy.Integer(0))
