"""What the edge costs are on the flow range [0, total demand]: nonnegative and
nondecreasing (else a located error), strictly increasing or not, affine (exactly, with
rational coefficients) or not, and whether the marginal costs c + x c' are nondecreasing
(the total cost is then convex and the optimum found is global)."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy

from gamespec.errors import SpecError
from gamespec.model import Model

GRID_POINTS = 2001  # points of [0, total demand] where a nonlinear cost is checked
SLACK = 1e-9  # relative: a cost may dip this much between grid points (rounding)


@dataclass(frozen=True)
class CostFacts:
    affine: tuple[tuple[sympy.Rational, sympy.Rational], ...] | None  # (slope, intercept)
    strictly_increasing: bool
    marginal_nondecreasing: bool
    how: str  # what was checked, for the result


def rational(expr: sympy.Expr) -> sympy.Expr:
    """Floats in `expr` replaced by the rationals their decimal text means."""
    return expr.xreplace({f: sympy.Rational(*Fraction(repr(float(f))).as_integer_ratio())
                          for f in expr.atoms(sympy.Float)})


def affine_coefficients(costs, flow) -> tuple | None:
    """(slope, intercept) per edge when every cost is affine with rational coefficients."""
    out = []
    for cost in costs:
        cost = rational(sympy.expand(cost))
        if not cost.is_polynomial(flow):
            return None
        poly = sympy.Poly(cost, flow)
        coeffs = poly.all_coeffs()
        if poly.degree() > 1 or not all(c.is_Rational for c in coeffs):
            return None
        out.append((coeffs[0], coeffs[1]) if len(coeffs) == 2 else (sympy.Integer(0),
                                                                   coeffs[0]))
    return tuple(out)


def check_costs(model: Model, problem) -> CostFacts:
    """Every cost nonnegative and nondecreasing on [0, D] (exactly when affine, else at
    GRID_POINTS points), or a SpecError at that edge's cost."""
    net = model.network
    total = float(problem.demands.sum())
    affine = affine_coefficients(problem.costs, problem.flow)
    if affine is not None:
        for edge, (a, b) in zip(net.edges, affine):
            if a < 0:
                _decreasing(edge, f"its slope is {a}")
            if b < 0:
                _negative(edge, 0.0, float(b))
        strict = all(a > 0 for a, _ in affine)
        return CostFacts(affine, strict, True,
                         f"affine costs, nonnegative and nondecreasing on [0, {total:g}] "
                         "(checked exactly)")
    grid = np.linspace(0.0, total, GRID_POINTS)
    strict, convex = True, True
    for k, edge in enumerate(net.edges):
        values = _values(problem.cost_fns[k], grid)
        marginal = _values(problem.marginal_fns[k], grid)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise SpecError(f"the cost of edge `{edge.name}` is not a finite number at flow "
                            f"{grid[bad[0]]:g}", span=edge.cost_span)
        if values.min() < -SLACK * max(1.0, np.abs(values).max()):
            at = int(np.argmin(values))
            _negative(edge, grid[at], values[at])
        steps = np.diff(values)
        scale = SLACK * max(1.0, np.abs(values).max())
        if steps.min() < -scale:
            at = int(np.argmin(steps))
            _decreasing(edge, f"it falls from {values[at]:g} at flow {grid[at]:g} to "
                        f"{values[at + 1]:g} at {grid[at + 1]:g}")
        strict = strict and bool(steps.min() > 0)
        convex = convex and bool(np.all(np.isfinite(marginal))) and bool(
            np.diff(marginal).min() >= -SLACK * max(1.0, np.abs(marginal).max()))
    return CostFacts(None, strict, convex,
                     f"costs nonnegative and nondecreasing on [0, {total:g}] (checked at "
                     f"{GRID_POINTS} points per edge)")


def _values(fn, grid: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(fn(grid), dtype=float) + np.zeros_like(grid)


def _negative(edge, at: float, value: float):
    raise SpecError(f"the cost of edge `{edge.name}` is negative ({value:g} at flow {at:g})",
                    span=edge.cost_span, hint="a travel cost is at least 0 on every flow "
                    "from 0 to the total demand")


def _decreasing(edge, why: str):
    raise SpecError(f"the cost of edge `{edge.name}` decreases with its flow: {why}",
                    span=edge.cost_span, hint="a Wardrop equilibrium is computed for "
                    "nondecreasing costs (the potential is then convex)")
