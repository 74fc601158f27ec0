"""Derivatives of array programs (`gamespec.solvers.brd.array_program`) in one aggregate.

`derivative(node, cols)` returns the program of ``d node / d A`` where ``A`` is the
aggregate read by the `Leaf` nodes of columns ``cols``, entry by entry: the caller
(`brd_aggregate_plan`) uses it on the body of a separable sum ``sum(x) f(x, A[x])``,
where each position depends on its own entry alone. The rules are the usual ones (sum,
product and chain rules) applied to the node tree, with constants folded as they
appear, so ``q ln(q / A)`` gives ``-q / A`` and then ``q / A^2``, the same program SymPy's
``diff`` gives, at a small fraction of its cost. Anything the rules do not cover (max,
min, abs, conditions, another aggregate) raises `Unsupported`: the term then gets no
drift bound.

``d ln(k / u) = -du / u`` (and ``d ln(k u) = du / u``) drop the constant ``k``: exact
wherever ``k != 0``; where ``k = 0`` the term itself is not finite, or filtered out.
"""
from __future__ import annotations

import numpy as np

from gamespec.solvers.brd.array_program import (
    Add,
    Const,
    Leaf,
    Monotone,
    Mul,
    Node,
    Power,
    Quotient,
    Reduce,
    Unsupported,
    WeightedSum,
    scaled,
)

ZERO = Const(np.array(0.0))
ONE = Const(np.array(1.0))
LINEAR_REDUCTIONS = ("sum", "mean", "count")


def derivative(node: Node, cols: slice) -> Node:  # noqa: C901 - one rule per node type
    """``d node / d A`` for the aggregate at columns ``cols`` (see the module docstring)."""
    if isinstance(node, Const):
        return ZERO
    if isinstance(node, Leaf):
        if node.cols != cols:
            raise Unsupported("a second aggregate in a separable term")
        return ONE
    if isinstance(node, Add):
        return _sum([derivative(p, cols) for p in node.parts])
    if isinstance(node, Mul):
        terms = []
        for i, part in enumerate(node.parts):
            d = derivative(part, cols)
            if not _is_zero(d):
                terms.append(_product(node.parts[:i] + [d] + node.parts[i + 1:]))
        return _sum(terms)
    if isinstance(node, Quotient):  # k / u
        return _product([Const(np.asarray(-node.k)), _power(node.den, -2.0),
                         derivative(node.den, cols)])
    if isinstance(node, Power):
        if node.p == 0.0:
            return ZERO
        return _product([Const(np.array(node.p)), _power(node.base, node.p - 1.0),
                         derivative(node.base, cols)])
    if isinstance(node, Monotone):
        return _chain(node, cols)
    if isinstance(node, WeightedSum):
        return derivative(node.literal, cols)
    if isinstance(node, Reduce) and node.kind in LINEAR_REDUCTIONS:
        d = derivative(node.body, cols)
        return ZERO if _is_zero(d) else Reduce(node.kind, d, node.mask, node.axes)
    raise Unsupported(f"no derivative rule for `{type(node).__name__}`")


def _chain(node: Monotone, cols: slice) -> Node:
    arg = node.arg
    if node.fn is np.log:
        if isinstance(arg, Quotient):  # ln(k / u) = ln k - ln u
            return _product([Const(np.array(-1.0)), derivative(arg.den, cols),
                             _power(arg.den, -1.0)])
        if isinstance(arg, Mul) and len(arg.parts) == 2 and isinstance(arg.parts[0], Const):
            arg = arg.parts[1]  # ln(k u) = ln k + ln u
        return _product([derivative(arg, cols), _power(arg, -1.0)])
    inner = derivative(arg, cols)
    if node.fn is np.exp:
        return _product([inner, node])
    if node.fn is np.sqrt:
        return _product([Const(np.array(0.5)), inner, _power(arg, -0.5)])
    if node.fn is np.tanh:  # 1 - tanh^2
        return _product([inner, _sum([ONE, _product([Const(np.array(-1.0)),
                                                     _power(node, 2.0)])])])
    raise Unsupported("no derivative rule for this function")


def _is_zero(node: Node) -> bool:
    return isinstance(node, Const) and not np.any(node.value)


def _is_one(node: Node) -> bool:
    return isinstance(node, Const) and bool(np.all(np.asarray(node.value) == 1.0))


def _power(base: Node, p: float) -> Node:
    if p == 0.0:
        return ONE
    if p == 1.0:
        return base
    if isinstance(base, Power):  # (u^a)^b = u^(ab): both sides are defined where u > 0
        return _power(base.base, base.p * p) if base.p.is_integer() and p.is_integer() \
            else Power(base, p)
    return Power(base, p)


def _sum(parts: list[Node]) -> Node:
    """An Add with zeros dropped and constants merged (first)."""
    consts = [p for p in parts if isinstance(p, Const)]
    rest = [p for p in parts if not isinstance(p, Const)]
    constant = sum((np.asarray(c.value) for c in consts), np.array(0.0))
    nodes = ([Const(constant)] if np.any(constant) else []) + rest
    if not nodes:
        return ZERO
    return nodes[0] if len(nodes) == 1 else Add(nodes)


def _product(parts: list[Node]) -> Node:
    """A Mul with ones dropped, constants merged into one leading factor, and zero
    absorbing."""
    if any(_is_zero(p) for p in parts):
        return ZERO
    factor = np.array(1.0)
    rest: list[Node] = []
    for p in parts:
        if isinstance(p, Const):
            factor = factor * np.asarray(p.value)
        elif isinstance(p, Mul) and isinstance(p.parts[0], Const):  # flatten its constant
            factor = factor * np.asarray(p.parts[0].value)
            rest.extend(p.parts[1:])
        else:
            rest.append(p)
    if not rest:
        return Const(factor)
    body = rest[0] if len(rest) == 1 else Mul(rest)
    return body if _is_one(Const(factor)) else scaled(body, Const(factor))


__all__ = ["derivative"]
