"""Model expressions compiled to NumPy programs over an aggregate vector, in point and in
interval arithmetic.

An *aggregative* payoff depends on the profile only through an aggregate vector ``S``
(weighted sums over the members, `gamespec.solvers.brd.aggregate_plan`). `compile_program`
turns an expression whose dynamic parts are entries of ``S`` into a tree of nodes; each
node computes, for a batch of aggregate vectors at once,

* ``point(S)``: its value at every row of ``S`` (shape ``(B, K)``), and
* ``interval(lo, hi)``: an enclosure of its values over every ``S`` in the box
  ``lo <= S <= hi`` (interval arithmetic: sound for every operation handled here), which
  is what proves that a status cannot flip or a difference cannot drift while ``S``
  stays in a box. NaN in a bound means nothing is known there (a NaN point may lie in
  the box: ``ln`` below 0, ``0 * inf``, ``inf - inf``); every rule keeps it unknown,
  and a relation with a NaN bound is undecided.

Values are arrays in one fixed *layout*: a batch axis, then one axis per index variable
of the expression (size 1 where a value does not depend on it), so NumPy broadcasting
does all the alignment. Everything that does not depend on ``S`` (data, parameters, the
lets that no member choice moves) is evaluated once, at compile time, by
`gamespec.evaluate`. Relations evaluate to booleans in points and to pairs
``(surely true, possibly true)`` in intervals.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy

from gamespec.evaluate import Context, evaluate
from gamespec.language.symbols import SetAggregate
from gamespec.model import FiniteSet

FloatArray = np.ndarray
Interval = tuple[np.ndarray, np.ndarray]

RELATION_MARGIN = 1e-9
"""Relative margin by which an interval comparison must clear its threshold to count as
decided: the point evaluation it stands for rounds differently."""


class Unsupported(Exception):
    """The expression is outside what the compiler handles (the caller falls back)."""


@dataclass(frozen=True)
class Slot:
    """Where one aggregate sits in ``S``: columns ``start:start + size``, indexed by the
    free index variables ``variables`` (in that order, row-major)."""

    start: int
    variables: tuple[sympy.Symbol, ...]
    sizes: tuple[int, ...]

    @property
    def size(self) -> int:
        return int(np.prod(self.sizes)) if self.sizes else 1


@dataclass(frozen=True)
class Layout:
    """The axes of every value after the batch axis: one per index variable."""

    variables: tuple[sympy.Symbol, ...]
    sets: tuple[FiniteSet, ...]

    def axis(self, var: sympy.Symbol) -> int:
        """The (negative, batch-independent) axis of an index variable."""
        return self.variables.index(var) - len(self.variables)

    def shape_with(self, present: dict[sympy.Symbol, int]) -> tuple[int, ...]:
        """Layout shape with the given variables at their sizes and 1 elsewhere."""
        return tuple(present.get(v, 1) for v in self.variables)


# --------------------------------------------------------------------------- nodes


class Node:
    """A compiled expression: ``point`` and ``interval`` over a batch of aggregates."""

    def point(self, S: FloatArray) -> np.ndarray:
        raise NotImplementedError

    def interval(self, lo: FloatArray, hi: FloatArray) -> Interval:
        raise NotImplementedError


class Const(Node):
    def __init__(self, value: np.ndarray) -> None:
        self.value = value
        numeric = np.asarray(value).dtype.kind in "fiu"
        self.sign = 0  # +1: all >= 0, -1: all <= 0, 0: mixed (or not numbers)
        if numeric and np.all(np.asarray(value) >= 0):
            self.sign = 1
        elif numeric and np.all(np.asarray(value) <= 0):
            self.sign = -1

    def point(self, S):
        return self.value

    def interval(self, lo, hi):
        return self.value, self.value


class Leaf(Node):
    """An aggregate's entries, placed on the layout's axes."""

    def __init__(self, slot: Slot, layout: Layout) -> None:
        self.cols = slice(slot.start, slot.start + slot.size)
        positions = [layout.variables.index(v) for v in slot.variables]
        self.order = [0] + [1 + k for k in np.argsort(positions)]
        self.shape = layout.shape_with(dict(zip(slot.variables, slot.sizes)))
        self.sizes = slot.sizes
        # the layout is the slot's one entry axis: a column slice is enough
        self.direct = len(slot.sizes) == 1 and len(layout.variables) == 1

    def _place(self, S: FloatArray) -> np.ndarray:
        if self.direct:
            return S[:, self.cols]
        block = S[:, self.cols].reshape((S.shape[0],) + self.sizes)
        if self.order != sorted(self.order):
            block = block.transpose(self.order)
        return block.reshape((S.shape[0],) + self.shape)

    def point(self, S):
        return self._place(S)

    def interval(self, lo, hi):
        return self._place(lo), self._place(hi)


class Add(Node):
    def __init__(self, parts: list[Node]) -> None:
        self.parts = parts

    def point(self, S):
        parts = self.parts
        if len(parts) == 2:
            return parts[0].point(S) + parts[1].point(S)
        total = parts[0].point(S)
        for p in parts[1:]:
            total = total + p.point(S)
        return total

    def interval(self, lo, hi):
        a, b = self.parts[0].interval(lo, hi)
        for p in self.parts[1:]:
            c, d = p.interval(lo, hi)
            a, b = a + c, b + d
        return a, b


class Mul(Node):
    def __init__(self, parts: list[Node]) -> None:
        self.parts = parts

    def point(self, S):
        parts = self.parts
        if len(parts) == 2:
            return parts[0].point(S) * parts[1].point(S)
        total = parts[0].point(S)
        for p in parts[1:]:
            total = total * p.point(S)
        return total

    def interval(self, lo, hi):
        first, parts = self.parts[0], self.parts
        signed = isinstance(first, Const) and first.sign != 0
        if signed:  # a constant of one sign goes last: two products
            parts = parts[1:]
        a, b = parts[0].interval(lo, hi)
        for p in parts[1:]:
            a, b = interval_product(a, b, *p.interval(lo, hi))
        if signed:
            k = first.value
            return (a * k, b * k) if first.sign > 0 else (b * k, a * k)
        return a, b


def interval_product(a, b, c, d) -> Interval:
    """``[a, b] * [c, d]`` (a point factor, or two nonnegative intervals, cost two
    products instead of four)."""
    if c is d:
        return np.where(c >= 0, a * c, b * c), np.where(c >= 0, b * c, a * c)
    if a is b:
        return np.where(a >= 0, a * c, a * d), np.where(a >= 0, a * d, a * c)
    if a.min() >= 0 and c.min() >= 0:
        low, high = a * c, b * d
    else:
        products = (a * c, a * d, b * c, b * d)
        low = np.minimum(np.minimum(products[0], products[1]),
                         np.minimum(products[2], products[3]))
        high = np.maximum(np.maximum(products[0], products[1]),
                          np.maximum(products[2], products[3]))
    if not (np.isfinite(low).all() and np.isfinite(high).all()):
        # a factor through 0 times one reaching infinity: 0 * inf (NaN) inside the box
        zero_inf = (((a <= 0) & (b >= 0) & (np.isinf(c) | np.isinf(d)))
                    | ((c <= 0) & (d >= 0) & (np.isinf(a) | np.isinf(b))))
        low, high = np.where(zero_inf, np.nan, low), np.where(zero_inf, np.nan, high)
    return low, high


class Quotient(Node):
    """``k / x`` for a constant ``k >= 0`` (a product of a constant and a reciprocal)."""

    def __init__(self, constant: Const, denominator: Node) -> None:
        self.k, self.den = constant.value, denominator
        self.reciprocal = Power(denominator, -1.0)

    def point(self, S):
        return self.k / self.den.point(S)

    def interval(self, lo, hi):
        a, b = self.den.interval(lo, hi)
        if (a > 0).all():  # k / x as the point rounds it
            return self.k / b, self.k / a
        a, b = self.reciprocal.interval(lo, hi)
        return a * self.k, b * self.k


class Power(Node):
    """``base ** p`` for a constant number ``p``."""

    def __init__(self, base: Node, exponent: float) -> None:
        self.base, self.p = base, float(exponent)

    def point(self, S):
        return _raise(self.base.point(S), self.p)

    def interval(self, lo, hi):
        a, b = self.base.interval(lo, hi)
        p = self.p
        if p == -1.0:
            if (a > 0).all():
                return 1.0 / b, 1.0 / a
            safe = (a > 0) | (b < 0)
            return _unknown_kept(a, b, np.where(safe, 1.0 / b, -np.inf),
                                 np.where(safe, 1.0 / a, np.inf))
        fa, fb = _raise(a, p), _raise(b, p)
        if p.is_integer() and p > 0:
            if int(p) % 2:  # odd: increasing
                return fa, fb
            straddle = (a < 0) & (b > 0)
            low = np.where(straddle, 0.0, np.minimum(fa, fb))
            return _unknown_kept(a, b, low, np.maximum(fa, fb))
        if p.is_integer() and p < 0 and int(p) % 2:  # 1/x^odd: decreasing off zero
            safe = (a > 0) | (b < 0)
            return _unknown_kept(a, b, np.where(safe, fb, -np.inf), np.where(safe, fa, np.inf))
        positive = a > 0  # other powers: monotone on x > 0
        if positive.all():
            return (fa, fb) if p > 0 else (fb, fa)
        if p > 0:
            return np.where(positive, fa, np.nan), np.where(positive, fb, np.nan)
        return np.where(positive, fb, np.nan), np.where(positive, fa, np.nan)


def _raise(x, p: float):
    """``x ** p``, by a product where that is exact enough (``np.power`` is slower)."""
    if p == -1.0:
        return 1.0 / x
    if p == 2.0:
        return x * x
    if p == -2.0:
        return 1.0 / (x * x)
    if p == 0.5:
        return np.sqrt(x)
    return np.power(x, p)


INCREASING = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "tanh": np.tanh}
DOMAIN_FROM_ZERO = (np.log, np.sqrt)  # NaN below 0


def _unknown_kept(a, b, low, high) -> Interval:
    """``(low, high)`` with NaN wherever the input ``[a, b]`` says nothing (NaN, or
    ``(-inf, inf)``, which may stand for a NaN point such as ``inf - inf``): a rule that
    would otherwise return a bounded interval there (``x^2 >= 0``) must not."""
    unknown = np.isnan(a) | np.isnan(b) | ((a == -np.inf) & (b == np.inf))
    if unknown.any():
        return np.where(unknown, np.nan, low), np.where(unknown, np.nan, high)
    return low, high


class Monotone(Node):
    """An increasing function of one argument (exp, log, sqrt, tanh)."""

    def __init__(self, fn, arg: Node) -> None:
        self.fn, self.arg = fn, arg

    def point(self, S):
        return self.fn(self.arg.point(S))

    def interval(self, lo, hi):
        a, b = self.arg.interval(lo, hi)
        fa, fb = self.fn(a), self.fn(b)
        if self.fn in DOMAIN_FROM_ZERO and not (a >= 0).all():  # NaN below 0: unknown
            outside = ~(a >= 0)
            fa, fb = np.where(outside, np.nan, fa), np.where(outside, np.nan, fb)
        return fa, fb


class Absolute(Node):
    def __init__(self, arg: Node) -> None:
        self.arg = arg

    def point(self, S):
        return np.abs(self.arg.point(S))

    def interval(self, lo, hi):
        a, b = self.arg.interval(lo, hi)
        if a.min() >= 0:
            return a, b
        low = np.where(a >= 0, a, np.where(b <= 0, -b, 0.0))
        return _unknown_kept(a, b, low, np.maximum(np.abs(a), np.abs(b)))


class Extreme(Node):
    """``max(a, b, ...)`` or ``min(a, b, ...)`` of expressions (elementwise)."""

    def __init__(self, fn, parts: list[Node]) -> None:
        self.fn, self.parts = fn, parts

    def point(self, S):
        out = self.parts[0].point(S)
        for p in self.parts[1:]:
            out = self.fn(out, p.point(S))
        return out

    def interval(self, lo, hi):
        a, b = self.parts[0].interval(lo, hi)
        for p in self.parts[1:]:
            c, d = p.interval(lo, hi)
            a, b = self.fn(a, c), self.fn(b, d)
        return a, b


class Reduce(Node):
    """An aggregate over index sets (not the members): sum, mean, max, min, count."""

    def __init__(self, kind: str, body: Node, mask: np.ndarray, axes: tuple[int, ...]) -> None:
        self.kind, self.body, self.mask, self.axes = kind, body, mask, axes
        self.count = np.sum(mask, axis=axes, keepdims=True)
        self.where = True if mask.all() else mask

    def _fold(self, values: np.ndarray) -> np.ndarray:
        # ufunc.reduce: the np.sum/np.max wrappers cost more than the work on small arrays
        kind, where = self.kind, self.where
        values = np.asarray(values)
        shape = self.mask.shape
        if values.ndim < len(shape) or any(values.shape[a] != shape[a] for a in self.axes):
            # constant along a reduced axis: every element of the set still counts
            values = np.broadcast_to(values, np.broadcast_shapes(values.shape, shape))
        if kind in ("sum", "count", "mean"):
            total = np.add.reduce(values, axis=self.axes, keepdims=True, where=where)
            return total / self.count if kind == "mean" else total
        if kind == "max":
            return np.maximum.reduce(values, axis=self.axes, keepdims=True, where=where,
                                     initial=-np.inf)
        return np.minimum.reduce(values, axis=self.axes, keepdims=True, where=where,
                                 initial=np.inf)

    def point(self, S):
        return self._fold(self.body.point(S))

    def interval(self, lo, hi):
        a, b = self.body.interval(lo, hi)
        return self._fold(a), self._fold(b)


class WeightedSum(Node):
    """``sum`` (or ``mean``) over the last axis of ``c x`` for a fixed ``c`` along that
    axis: ``x @ (c * filter)``, one product instead of a multiplication and a filtered
    reduction. When the product is not finite (``x`` infinite or NaN somewhere, maybe
    where the filter drops it) the literal reduction is evaluated instead."""

    def __init__(self, literal: Reduce, weights: np.ndarray) -> None:
        self.literal, self.x, self.weights = literal, literal.body.parts[1], weights

    @classmethod
    def of(cls, kind: str, body: Node, mask: np.ndarray, axes: tuple[int, ...]):
        """The weighted sum for ``Reduce(kind, body, mask, axes)``, or None."""
        if axes != (-1,) or not (isinstance(body, Mul) and len(body.parts) == 2
                                 and isinstance(body.parts[0], Const)):
            return None
        c = np.asarray(body.parts[0].value, dtype=float)
        keep = np.asarray(mask, dtype=float)
        if any(n != 1 for n in c.shape[:-1]) or any(n != 1 for n in keep.shape[:-1]):
            return None  # the weights or the filter vary along another axis
        literal = Reduce(kind, body, mask, axes)
        weights = np.broadcast_to(c.reshape(-1), keep.shape[-1:]) * keep.reshape(-1)
        if kind == "mean":
            weights = weights / literal.count.reshape(-1)
        return cls(literal, np.ascontiguousarray(weights))

    def times(self, k: np.ndarray) -> WeightedSum:
        """``k`` times this sum (``k`` a fixed scalar)."""
        literal = self.literal
        body = Mul([Const(np.asarray(literal.body.parts[0].value) * k), self.x])
        return WeightedSum(Reduce(literal.kind, body, literal.mask, literal.axes),
                           self.weights * k)

    def point(self, S):
        x = self.x.point(S)
        if np.shape(x)[-1:] != self.weights.shape:  # x constant along the summed axis
            x = np.broadcast_to(x, np.shape(x)[:-1] + self.weights.shape)
        total = x @ self.weights
        if not np.isfinite(total).all():
            return self.literal.point(S)
        return total[..., None]

    def interval(self, lo, hi):
        return self.literal.interval(lo, hi)


class LargestMagnitude(Node):
    """``max |f(x)|`` over index sets for an increasing ``f``: ``max(f(max x), -f(min
    x))``, so ``f`` runs on the two reduced values only (`reduced`)."""

    def __init__(self, fn, body: Node, mask: np.ndarray, axes: tuple[int, ...]) -> None:
        self.fn = fn
        self.top = Reduce("max", body, mask, axes)
        self.bottom = Reduce("min", body, mask, axes)

    def point(self, S):
        x = self.top.body.point(S)
        return np.maximum(self.fn(self.top._fold(x)), -self.fn(self.bottom._fold(x)))

    def interval(self, lo, hi):
        a, b = self.top.body.interval(lo, hi)
        fn, top, bottom = self.fn, self.top._fold, self.bottom._fold
        return (np.maximum(fn(top(a)), -fn(bottom(b))),
                np.maximum(fn(top(b)), -fn(bottom(a))))


class Relation(Node):
    """``lhs OP rhs``; intervals give (surely true, possibly true)."""

    OPS = {sympy.Le: np.less_equal, sympy.Lt: np.less, sympy.Ge: np.greater_equal,
           sympy.Gt: np.greater, sympy.Eq: np.equal, sympy.Ne: np.not_equal}

    def __init__(self, op: type, lhs: Node, rhs: Node) -> None:
        self.op, self.lhs, self.rhs = op, lhs, rhs
        self.fn = self.OPS[op]

    def point(self, S):
        return self.fn(self.lhs.point(S), self.rhs.point(S))

    def interval(self, lo, hi):
        a, b = self.lhs.interval(lo, hi)
        c, d = self.rhs.interval(lo, hi)
        surely, possibly = self._decide(a, b, c, d)
        unknown = np.isnan(a) | np.isnan(b) | np.isnan(c) | np.isnan(d)
        if unknown.any():  # a NaN point compares false: nothing is sure there
            return surely & ~unknown, possibly | unknown
        return surely, possibly

    def _decide(self, a, b, c, d):
        op = self.op
        if op in (sympy.Ge, sympy.Gt):  # x >= y is y <= x
            a, b, c, d = c, d, a, b
        if op in (sympy.Le, sympy.Lt, sympy.Ge, sympy.Gt):
            gap = RELATION_MARGIN * np.maximum(np.abs(b), np.abs(c))
            strict = op in (sympy.Lt, sympy.Gt)
            surely = (b + gap < c) if strict else (b + gap <= c)
            possibly = ~(a - gap >= d) if strict else ~(a - gap > d)
            return surely, possibly
        equal_points = (a == b) & (c == d) & (a == c)
        overlap = ~((a > d) | (c > b))
        if op is sympy.Eq:
            return equal_points, overlap
        return ~overlap, ~equal_points


class Logic(Node):
    """And, Or, Not over relations (tri-state in intervals)."""

    def __init__(self, kind: str, parts: list[Node]) -> None:
        self.kind, self.parts = kind, parts

    def point(self, S):
        values = [p.point(S) for p in self.parts]
        if self.kind == "not":
            return np.logical_not(values[0])
        fn = np.logical_and if self.kind == "and" else np.logical_or
        out = values[0]
        for v in values[1:]:
            out = fn(out, v)
        return out

    def interval(self, lo, hi):
        pairs = [p.interval(lo, hi) for p in self.parts]
        if self.kind == "not":
            surely, possibly = pairs[0]
            return np.logical_not(possibly), np.logical_not(surely)
        fn = np.logical_and if self.kind == "and" else np.logical_or
        surely, possibly = pairs[0]
        for s, p in pairs[1:]:
            surely, possibly = fn(surely, s), fn(possibly, p)
        return surely, possibly


class Choice(Node):
    """Piecewise: the first branch whose condition holds."""

    def __init__(self, values: list[Node], conditions: list[Node]) -> None:
        self.values, self.conditions = values, conditions

    def point(self, S):
        result = self.values[-1].point(S)
        for value, cond in reversed(list(zip(self.values[:-1], self.conditions[:-1]))):
            result = np.where(cond.point(S), value.point(S), result)
        return result

    def interval(self, lo, hi):
        low = high = None
        decided = None  # an earlier branch surely taken
        for value, cond in zip(self.values, self.conditions):
            a, b = value.interval(lo, hi)
            surely, possibly = cond.interval(lo, hi)
            may = possibly if decided is None else possibly & ~decided
            a = np.where(may, a, np.inf)
            b = np.where(may, b, -np.inf)
            low = a if low is None else np.minimum(low, a)
            high = b if high is None else np.maximum(high, b)
            decided = surely if decided is None else decided | surely
        return low, high


class Always(Node):
    """A condition that holds everywhere (the last Piecewise branch)."""

    def point(self, S):
        return np.bool_(True)

    def interval(self, lo, hi):
        return np.bool_(True), np.bool_(True)


def scaled(node: Node, factor: Const) -> Node:
    """``factor * node`` with the constant folded into the node where that saves an
    operation: into a sum's body, a product's constant, or a reciprocal."""
    k = np.asarray(factor.value)
    if isinstance(node, Const):
        return Const(np.asarray(node.value) * k)
    if k.size == 1 and isinstance(node, Add) and all(_folds_a_factor(p) for p in node.parts):
        return Add([scaled(p, factor) for p in node.parts])  # no new product node
    if k.size == 1 and isinstance(node, WeightedSum):
        return node.times(k.reshape(()))
    if k.size == 1 and isinstance(node, Reduce) and node.kind in ("sum", "mean"):
        return Reduce(node.kind, scaled(node.body, factor), node.mask, node.axes)
    if k.size == 1 and isinstance(node, Mul) and isinstance(node.parts[0], Const):
        first = node.parts[0]
        merged = Const(np.asarray(first.value) * k.reshape(()))
        return scaled(node.parts[1], merged) if len(node.parts) == 2 \
            else Mul([merged] + node.parts[1:])
    if k.size == 1 and isinstance(node, Quotient) and factor.sign > 0:
        return Quotient(Const(node.k * k.reshape(())), node.den)
    if factor.sign > 0 and isinstance(node, Power) and node.p == -1.0:
        return Quotient(factor, node.base)
    return Mul([factor, node])


def reduced(kind: str, body: Node, mask: np.ndarray, axes: tuple[int, ...]) -> Node:
    """``Reduce(kind, body)``, rearranged where that saves work on every evaluation:

    * a max or min is taken before an increasing function rather than after it (``min
      ln(x) = ln(min x)``, ``max |ln x| = max(ln(max x), -ln(min x))``): the function
      then runs on the reduced values only. Same values, NaN included (a NaN or
      out-of-domain entry reaches the function through the min); not for ``max ln(x)``
      (NaN when some ``x < 0``, unlike ``ln(max x)``), and only when every slice keeps
      at least one entry (the empty max is ``-inf``; ``ln(-inf)`` is not);
    * a sum or mean of ``c ln(k / x)`` with ``k > 0`` wherever the filter keeps an
      entry is split into the fixed ``sum c ln k`` and ``-sum c ln x``;
    * a sum or mean over the last axis of ``c x`` with ``c`` fixed is a dot product
      (`WeightedSum`)."""
    if kind in ("sum", "mean"):
        split = _log_of_ratio_split(body, mask)
        if split is not None:
            fixed, moving = split
            folded = Reduce(kind, fixed, mask, axes)._fold(fixed.value)
            return Add([Const(folded), reduced(kind, moving, mask, axes)])
        weighted = WeightedSum.of(kind, body, mask, axes)
        if weighted is not None:
            return weighted
    if kind in ("max", "min") and np.asarray(mask).any(axis=axes).all():
        # max ln(x) is NaN when some x < 0, ln(max x) need not be; min has no such case
        if isinstance(body, Monotone) and (kind == "min" or body.fn not in DOMAIN_FROM_ZERO):
            return Monotone(body.fn, reduced(kind, body.arg, mask, axes))
        if kind == "max" and isinstance(body, Absolute) and isinstance(body.arg, Monotone):
            return LargestMagnitude(body.arg.fn, body.arg.arg, mask, axes)
    return Reduce(kind, body, mask, axes)


def _log_of_ratio_split(body: Node, mask: np.ndarray) -> tuple[Const, Node] | None:
    """``c ln(k / x)`` (``c`` fixed, 1 if absent) as ``(c ln k, -c ln x)`` when every
    kept entry has ``k > 0`` (then the two agree there: ``x`` of 0, a negative ``x``,
    infinities and NaN included), else None."""
    factor, rest = Const(np.array(1.0)), body
    if isinstance(body, Mul) and len(body.parts) == 2 and isinstance(body.parts[0], Const):
        factor, rest = body.parts
    if not (isinstance(rest, Monotone) and rest.fn is np.log
            and isinstance(rest.arg, Quotient)):
        return None
    k = np.asarray(rest.arg.k, dtype=float)
    live = np.broadcast_to(np.asarray(mask, bool), np.broadcast_shapes(k.shape, np.shape(mask)))
    if not np.all(np.broadcast_to(k, live.shape)[live] > 0):
        return None
    c = np.asarray(factor.value, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):  # filtered-out entries: k may be 0
        fixed = Const(c * np.log(k))
    return fixed, scaled(Monotone(np.log, rest.arg.den), Const(-c))


def _folds_a_factor(node: Node) -> bool:
    """Whether `scaled` absorbs a scalar factor into ``node`` without a product node."""
    return isinstance(node, (Const, WeightedSum)) or (
        isinstance(node, Mul) and isinstance(node.parts[0], Const)) or (
        isinstance(node, Reduce) and node.kind in ("sum", "mean"))


# --------------------------------------------------------------------------- compiler


class ProgramCompiler:
    """Compiles expressions whose dynamic parts are aggregate slots.

    ``slot_of(agg, scope)`` returns the `Slot` of a dynamic aggregate (or raises
    `Unsupported`); ``is_static(expr)`` says whether an expression is free of them;
    ``context`` evaluates static parts, with ``scope`` binding the outer index variables.
    """

    def __init__(self, context: Context, sets: dict[str, FiniteSet], member_set_name: str,
                 is_static: Callable[[sympy.Basic], bool],
                 slot_of: Callable[[SetAggregate, dict], Slot]) -> None:
        self.context = context
        self.sets = sets
        self.member_set_name = member_set_name
        self.is_static = is_static
        self.slot_of = slot_of

    def compile(self, expr: sympy.Basic, scope: dict[sympy.Symbol, FiniteSet]) -> tuple[Node, Layout]:
        """The program of ``expr`` with the index variables ``scope`` free (layout axes
        first, then every variable the expression's own aggregates bind)."""
        bound = dict(scope)
        self._binders(expr, bound, set(scope))
        layout = Layout(tuple(bound), tuple(bound.values()))
        self.layout = layout
        return self._node(expr, dict(scope)), layout

    def _binders(self, expr, bound: dict, in_scope: set) -> None:
        """Collect every non-member aggregate variable; a name bound twice is refused."""
        if self.is_static(expr):
            return
        if isinstance(expr, SetAggregate) and self._is_member_aggregate(expr):
            return
        if isinstance(expr, SetAggregate):
            for var, name in zip(expr.variables, expr.set_names):
                if var in bound or var in in_scope:
                    raise Unsupported(f"the index `{var}` is bound twice")
                bound[var] = self.sets[name]
        for arg in expr.args:
            if isinstance(arg, sympy.Basic):
                self._binders(arg, bound, in_scope)

    def _is_member_aggregate(self, agg: SetAggregate) -> bool:
        return self.member_set_name in agg.set_names

    def _static(self, expr, scope: dict) -> Const:
        inner = self.context.child(index_sets={**self.context.index_sets, **scope},
                                   let_cache=dict(self.context.let_cache))
        value = evaluate(expr, inner)
        data = np.asarray(value.aligned(tuple(v.name for v in self.layout.variables)))
        if data.dtype == object:
            raise Unsupported("a set element (not a number) in a dynamic expression")
        if data.ndim < len(self.layout.variables):
            data = data.reshape((1,) * (len(self.layout.variables) - data.ndim) + data.shape)
        return Const(data)

    def _node(self, expr, scope: dict) -> Node:  # noqa: C901 - one dispatch over node types
        if self.is_static(expr):
            return self._static(expr, scope)
        if isinstance(expr, SetAggregate):
            if self._is_member_aggregate(expr):
                return Leaf(self.slot_of(expr, scope), self.layout)
            return self._reduce(expr, scope)
        if isinstance(expr, sympy.Add):
            return Add(self._parts(expr, scope))
        if isinstance(expr, sympy.Mul):
            parts = self._parts(expr, scope)
            if len(parts) == 2 and isinstance(parts[0], Const):
                return scaled(parts[1], parts[0])
            return Mul(parts)
        if isinstance(expr, sympy.Pow):
            if not expr.exp.is_number:
                raise Unsupported("a power with a dynamic or symbolic exponent")
            return Power(self._node(expr.base, scope), float(expr.exp))
        if isinstance(expr, (sympy.Max, sympy.Min)):
            fn = np.maximum if isinstance(expr, sympy.Max) else np.minimum
            return Extreme(fn, self._parts(expr, scope))
        if isinstance(expr, sympy.Abs):
            return Absolute(self._node(expr.args[0], scope))
        if isinstance(expr, sympy.Function) and type(expr).__name__ in INCREASING \
                and len(expr.args) == 1:
            return Monotone(INCREASING[type(expr).__name__], self._node(expr.args[0], scope))
        if isinstance(expr, sympy.Rel) and type(expr) in Relation.OPS:
            return Relation(type(expr), self._node(expr.lhs, scope), self._node(expr.rhs, scope))
        if isinstance(expr, (sympy.And, sympy.Or, sympy.Not)):
            kind = {sympy.And: "and", sympy.Or: "or", sympy.Not: "not"}[type(expr)]
            return Logic(kind, [self._node(a, scope) for a in expr.args])
        if isinstance(expr, sympy.ITE):  # if-then-else between numbers, as SymPy folds it
            cond, then, otherwise = expr.args
            return Choice([self._node(then, scope), self._node(otherwise, scope)],
                          [self._node(cond, scope), Always()])
        if isinstance(expr, sympy.Piecewise):
            values = [self._node(v, scope) for v, _ in expr.args]
            conds = [Always() if c is sympy.true else self._node(c, scope) for _, c in expr.args]
            return Choice(values, conds)
        raise Unsupported(f"`{type(expr).__name__}` of the aggregate (no numeric program "
                          "for it yet)")

    def _parts(self, expr, scope: dict) -> list[Node]:
        """Compiled arguments of a sum, product, max or min: the static ones folded into
        one constant, first."""
        static = [a for a in expr.args if self.is_static(a)]
        nodes = [self._node(a, scope) for a in expr.args if not self.is_static(a)]
        if static:
            nodes.insert(0, self._static(expr.func(*static), scope))
        return nodes

    def _reduce(self, agg: SetAggregate, scope: dict) -> Node:
        inner = {**scope, **{v: self.sets[s] for v, s in zip(agg.variables, agg.set_names)}}
        if agg.condition is sympy.true:
            mask = np.ones(self.layout.shape_with(
                {v: len(self.sets[s]) for v, s in zip(agg.variables, agg.set_names)}), bool)
        elif self.is_static(agg.condition):
            mask = np.asarray(self._static(agg.condition, inner).value, dtype=bool)
            full = self.layout.shape_with({v: len(self.sets[s])
                                           for v, s in zip(agg.variables, agg.set_names)})
            mask = np.broadcast_to(mask, np.broadcast_shapes(mask.shape, full))
        else:
            raise Unsupported("an aggregate whose filter depends on the members' choices")
        body = Const(np.array(1.0)) if agg.kind == "count" else self._node(agg.body, inner)
        if agg.kind == "prod":
            raise Unsupported("a product aggregate of dynamic values")
        axes = tuple(self.layout.axis(v) for v in agg.variables)
        return reduced(agg.kind, body, mask, axes)
