"""Exact path flows when every edge cost is affine with rational coefficients: the
equal-cost conditions over the paths the numerical answer uses form a linear system,
solved in rationals (SymPy); the answer is kept only if it checks exactly (flows >= 0,
every used path at the least cost, no unused path cheaper)."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy


@dataclass(frozen=True)
class ExactFlows:
    path_flows: tuple[sympy.Rational, ...]
    least_costs: tuple[sympy.Rational, ...]  # per demand
    edge_flows: tuple[sympy.Rational, ...]


def exact_flows(problem, affine, demands, f: np.ndarray, *, marginal: bool) -> ExactFlows | None:
    """`affine`: (slope, intercept) per edge; `marginal`: use 2*slope (the optimum)."""
    slopes = [2 * a if marginal else a for a, _ in affine]
    n_paths, n_edges = len(problem.paths), len(affine)
    used = [p for p in range(n_paths)
            if f[p] > 1e-9 * problem.demands[problem.owner[p]]]
    fs = {p: sympy.Symbol(f"f{p}") for p in used}
    pis = [sympy.Symbol(f"pi{k}") for k in range(len(demands))]
    edge = [sum((fs[p] for p in used if e in problem.paths[p]), sympy.Integer(0))
            for e in range(n_edges)]
    cost = [slopes[e] * edge[e] + affine[e][1] for e in range(n_edges)]
    equations = [sum((cost[e] for e in problem.paths[p]), sympy.Integer(0))
                 - pis[problem.owner[p]] for p in used]
    equations += [sum((fs[p] for p in used if problem.owner[p] == k), sympy.Integer(0))
                  - demands[k] for k in range(len(demands))]
    unknowns = [fs[p] for p in used] + pis
    matrix, rhs = sympy.linear_eq_to_matrix(equations, unknowns)
    try:
        solution, params = matrix.gauss_jordan_solve(rhs)
    except ValueError:  # inconsistent: the numerical support is not an exact one
        return None
    if params.shape[0]:  # pick the member of the family nearest the numerical answer
        guess = {s: sympy.Rational(*Fraction(float(f[p])).limit_denominator(10**9)
                                   .as_integer_ratio())
                 for s, p in zip(unknowns, used)}
        free = {t: guess.get(_free_unknown(solution, t, unknowns), sympy.Integer(0))
                for t in params}
        solution = solution.xreplace(free)
    values = dict(zip(unknowns, list(solution)))
    flows = tuple(values[fs[p]] if p in fs else sympy.Integer(0) for p in range(n_paths))
    if any(v < 0 for v in flows):
        return None
    x = [sum((flows[p] for p in range(n_paths) if e in problem.paths[p]), sympy.Integer(0))
         for e in range(n_edges)]
    least = tuple(values[pi] for pi in pis)
    for p in range(n_paths):
        c = sum((slopes[e] * x[e] + affine[e][1] for e in problem.paths[p]), sympy.Integer(0))
        if c < least[problem.owner[p]] or (p in fs and c != least[problem.owner[p]]):
            return None
    return ExactFlows(flows, least, tuple(x))


def _free_unknown(solution, param, unknowns):
    """The unknown that a free parameter of the solution stands for (its own row)."""
    for value, unknown in zip(solution, unknowns):
        if value == param:
            return unknown
    return None
