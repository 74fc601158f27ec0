"""One lowering of Model expressions to NumPy, for every backend that needs a function.

A Model expression may mention indexed parameters and data columns, set elements, lets,
aggregates over finite sets (sum, prod, mean, max, min, count, with filters), indicators,
if/then/else, and standard-library functions. `gamespec.evaluate` gives all of these a
meaning on labelled arrays; this module reuses that meaning, in two steps:

1. **fold** (`fold`): every sub-expression that mentions none of the symbols that must
   stay free is evaluated by `gamespec.evaluate` (the same code LP compile, the normal
   form and BRD use) and replaced by its number, truth value or set element. A sum or
   mean whose body splits into (index part) x (strategy part) becomes a sum of strategy
   parts times aggregates evaluated in bulk (any set size); other aggregates whose body
   or filter mentions a free symbol are written out element by element (at most
   `MAX_TERMS` terms), each term folded the same way. The result is a plain SymPy
   expression in the free symbols only: what `derive` differentiates and solves.
2. **compile** (`to_numpy`): `sympy.lambdify` with a namespace that knows the NumPy
   implementations of the standard-library functions (`gamespec.stdlib.functions`), so a
   payoff such as ``laplace_mass(x, 0.5, 1, 2)`` evaluates in bulk like ``x**2`` does.

`lower` does both. Anything that cannot be lowered (an index that is a strategy variable,
an aggregate too large to write out, a node NumPy cannot print) raises `LoweringError`
(a `SolverError`), which `info` reports as a refusal with its place in the spec. The BRD
array programs (point and interval arithmetic) are a separate compilation target, but read
their static leaves (parameters, data, lets) through `gamespec.evaluate` as well.
"""
from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import sympy
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.printing.numpy import NumPyPrinter

from gamespec.errors import GamespecError, SolverError, Span
from gamespec.evaluate import Context, evaluate
from gamespec.language.symbols import SetAggregate, element_expr
from gamespec.model import Model

MAX_TERMS = 4096  # terms written out per aggregate that mentions a free symbol

# Non-finite values stand in SymPy as opaque symbols that lambdified code reads from its
# namespace: SymPy's nan cannot be compared and its zoo is not NumPy's inf, so a folded
# empty mean (NaN) or 1/0 (inf) keeps NumPy's meaning, as in gamespec.evaluate.
NAN, INF, NEG_INF = (sympy.Symbol(f"_gamespec_{name}") for name in ("nan", "inf", "neg_inf"))
NON_FINITE = {NAN: np.nan, INF: np.inf, NEG_INF: -np.inf}


class LoweringError(SolverError):
    """An expression that cannot be turned into a NumPy function (exit 3 when solving;
    `info` shows it as the reason a method does not apply)."""


def model_context(model: Model) -> Context:
    """The evaluation context of a Model's data, parameters, sets and lets."""
    from gamespec.evaluation_context import base_context

    return base_context(model)


def numpy_namespace() -> dict[str, Callable]:
    """Names lambdified code may call beyond NumPy: the standard-library functions."""
    from gamespec.stdlib.functions import NUMPY_FUNCTIONS

    return {**NUMPY_FUNCTIONS, "_gamespec_piecewise": _piecewise}


class _Folder:
    """Folds one Model's expressions around a fixed set of free symbols (memoised)."""

    def __init__(self, ctx: Context, free: frozenset, variables: frozenset,
                 span: Span | None, max_terms: int, members: dict | None = None) -> None:
        self.ctx, self.free, self.variables = ctx, free, variables
        self.span, self.max_terms = span, max_terms
        self.members = members or {}
        self.memo: dict = {}

    def __call__(self, expr):
        if not isinstance(expr, sympy.Basic):
            return expr
        out = self.memo.get(expr)
        if out is None:
            out = self.memo[expr] = self._fold(expr)
        return out

    def _fold(self, expr):
        if isinstance(expr, (sympy.Number, sympy.NumberSymbol, sympy.logic.boolalg.BooleanAtom)):
            return expr  # kept exactly as written
        if isinstance(expr, ExprCondPair):
            return sympy.Tuple.__new__(ExprCondPair, self(expr.expr), self(expr.cond))
        mentioned = expr.free_symbols
        if isinstance(expr, SetAggregate):
            if mentioned & self.variables:
                separated = self._separate(expr)
                return separated if separated is not None else self._write_out(expr)
            return self._number(expr)  # parameters inside take their values
        if not mentioned & self.free:
            return self._number(expr)
        if isinstance(expr, sympy.Symbol):
            return expr
        if isinstance(expr, sympy.Indexed) and expr in self.members:
            return self.members[expr]  # one family member's strategy: its own symbol
        if isinstance(expr, sympy.Indexed):
            raise LoweringError(f"`{sympy.sstr(expr)}` is indexed by a strategy variable",
                                span=self.span,
                                hint="index parameters and data by set elements only")
        return rebuild(expr.func, [self(a) for a in expr.args])

    def _number(self, expr):
        if not isinstance(expr, (sympy.Expr, sympy.logic.boolalg.Boolean)):
            return expr.func(*[self(a) for a in expr.args])
        try:
            value = evaluate(expr, self.ctx)
        except GamespecError as exc:  # placed where the expression is written
            raise exc.located(self.span) from None
        if value.axes:  # pragma: no cover - closed expressions have no free index
            raise LoweringError(f"`{sympy.sstr(expr)}` still depends on {value.axes}",
                                span=self.span)
        return as_sympy(value.data)

    def _separate(self, agg: SetAggregate):
        """A sum or mean whose body is a sum of (index part) x (variable part), the
        variable parts free of the aggregate's own indices, as the sum over the variable
        parts of each times the aggregate of its index part (evaluated in bulk, so a set
        of any size is fine): sum(i in S) w[i] * (x - w[i])^2 = W1 x^2 - 2 W2 x + W3.
        None when the body does not split so (then the aggregate is written out)."""
        if agg.kind not in ("sum", "mean") or agg.condition.free_symbols & self.variables:
            return None
        if any(item.base.label in self.variables for item in agg.body.atoms(sympy.Indexed)):
            return None  # a family's strategies, one symbol per member: written out
        body = agg.body
        mentioned = sorted(body.free_symbols & self.variables, key=sympy.default_sort_key)
        if body.is_polynomial(*mentioned):
            try:
                poly = sympy.Poly(body, *mentioned)
            except sympy.PolynomialError:
                return None
            pieces = [(sympy.Mul(*(v**k for v, k in zip(mentioned, powers))), coeff)
                      for powers, coeff in poly.terms()]
        else:
            pieces = []
            for term in sympy.Add.make_args(body):
                factors = sympy.Mul.make_args(term)
                moving = [f for f in factors if f.free_symbols & self.variables]
                fixed = [f for f in factors if not f.free_symbols & self.variables]
                pieces.append((sympy.Mul(*moving), sympy.Mul(*fixed)))
        bound = set(agg.variables)
        groups: dict = {}
        for moving, fixed in pieces:
            kept = [f for f in sympy.Mul.make_args(fixed)
                    if f.free_symbols & self.free and not f.free_symbols & bound]
            if kept:  # parameters kept by name stay outside the aggregate
                moving = moving * sympy.Mul(*kept)
                fixed = sympy.Mul(*(f for f in sympy.Mul.make_args(fixed) if f not in kept))
            if moving.free_symbols & bound:
                return None  # the variable part moves with the index: write it out
            groups.setdefault(moving, []).append(fixed)
        return sympy.Add(*(self(moving) * self(SetAggregate(agg.kind, sympy.Add(*fixed),
                                                            agg.variables, agg.set_names,
                                                            agg.condition))
                           for moving, fixed in groups.items()))

    def _write_out(self, agg: SetAggregate):
        sets = []
        for name in agg.set_names:
            if name not in self.ctx.sets:
                raise LoweringError(f"unknown set `{name}`", span=self.span)
            sets.append(self.ctx.sets[name])
        size = math.prod(len(s) for s in sets)
        if size > self.max_terms:
            raise LoweringError(
                f"`{agg.kind}` over {', '.join(agg.set_names)} has {size:,} terms that "
                f"depend on a strategy; at most {self.max_terms:,} are written out",
                span=self.span, hint="move the strategy out of the aggregate where it is a "
                                     "common factor, or use a smaller set")
        terms, conditions = [], []
        for elements in itertools.product(*(s.elements for s in sets)):
            mapping = dict(zip(agg.variables, map(element_expr, elements)))
            cond = sympy.true
            if agg.condition is not sympy.true:
                cond = self(bind(agg.condition, mapping))
            if cond is sympy.false:
                continue
            body = sympy.Integer(1) if agg.kind == "count" else self(bind(agg.body, mapping))
            terms.append(body)
            conditions.append(cond)
        return _combine(agg.kind, terms, conditions)


def bind(expr, mapping: dict):
    """`expr` with the free occurrences of index variables replaced by elements; an inner
    aggregate that binds the same name again keeps its own (``sum(i in S) sum(i in T) i``)."""
    if not isinstance(expr, sympy.Basic) or not expr.free_symbols & mapping.keys():
        return expr
    if isinstance(expr, SetAggregate):
        inner = {k: v for k, v in mapping.items() if k not in expr.variables}
        return SetAggregate(expr.kind, bind(expr.body, inner), expr.variables,
                            expr.set_names, bind(expr.condition, inner))
    if expr in mapping:
        return mapping[expr]
    return expr.func(*[bind(a, mapping) for a in expr.args])


def rebuild(func, args: list) -> sympy.Basic:
    """func(*args), left unevaluated where SymPy's arithmetic would part from NumPy's:
    a non-finite stand-in among the arguments, or SymPy's nan/zoo (0**-1) or an
    undecidable comparison coming out of it."""
    if any(isinstance(a, sympy.Basic) and a.has(*NON_FINITE) for a in args):
        return _unevaluated(func, args)
    if _is_piecewise(func) and any(sympy.Tuple(*pair)[1].has(sympy.Piecewise)
                                   for pair in args):
        return _unevaluated(func, args)  # SymPy would fold it out of the condition
    try:
        out = func(*args)
    except (TypeError, ValueError):
        return _unevaluated(func, args)
    if isinstance(out, sympy.Basic) and out.has(sympy.zoo, sympy.nan):
        return _unevaluated(func, args)
    return out


def _is_piecewise(func) -> bool:
    return isinstance(func, type) and issubclass(func, sympy.Piecewise)


def _unevaluated(func, args: list) -> sympy.Basic:
    if _is_piecewise(func):  # as written: no folding of Piecewise out of conditions
        pairs = [sympy.Tuple.__new__(ExprCondPair, *_number_or_truth(sympy.Tuple(*pair)))
                 for pair in args]
        return sympy.Basic.__new__(func, *pairs)
    try:
        return func(*args, evaluate=False)
    except TypeError:  # a class without the option
        return func(*args)


def _number_or_truth(pair) -> tuple:
    value, condition = pair
    return value, (sympy.true if condition is True else condition)


def _combine(kind: str, terms: list, conditions: list) -> sympy.Expr:
    """An aggregate's written-out terms combined as `gamespec.evaluate` reduces them (an
    empty sum is 0, an empty product 1, an empty max -inf, an empty mean NaN)."""
    weights = [sympy.Integer(1) if c is sympy.true
               else rebuild(sympy.Piecewise, [(1, c), (0, True)]) for c in conditions]
    products = [rebuild(sympy.Mul, [w, t]) for w, t in zip(weights, terms)]
    if kind in ("sum", "count"):
        return rebuild(sympy.Add, products)
    if kind == "mean":
        if not terms:
            return NAN
        return rebuild(sympy.Mul, [rebuild(sympy.Add, products),
                                   rebuild(sympy.Pow, [rebuild(sympy.Add, weights), -1])])
    if kind == "prod":
        return rebuild(sympy.Mul, [t if c is sympy.true else rebuild(sympy.Piecewise,
                                                                     [(t, c), (1, True)])
                                   for t, c in zip(terms, conditions)])
    if kind in ("max", "min"):
        fill = NEG_INF if kind == "max" else INF
        if not terms:
            return fill
        parts = [t if c is sympy.true else rebuild(sympy.Piecewise, [(t, c), (fill, True)])
                 for t, c in zip(terms, conditions)]
        return rebuild(sympy.Max if kind == "max" else sympy.Min, parts)
    raise LoweringError(f"unknown aggregate {kind}")  # pragma: no cover - grammar forbids


def as_sympy(value) -> sympy.Basic:
    """A scalar from `gamespec.evaluate` as a SymPy atom: a truth value, a set element
    (a name), a whole number as an Integer, any other number as a Float."""
    data = np.asarray(value)
    if data.dtype == object:
        item = data.item()
        if isinstance(item, bool):
            return sympy.true if item else sympy.false
        return element_expr(item)
    if data.dtype == bool:
        return sympy.true if bool(data) else sympy.false
    number = float(data)
    if math.isnan(number):
        return NAN
    if math.isinf(number):
        return INF if number > 0 else NEG_INF
    if number.is_integer() and abs(number) < 2**53:
        return sympy.Integer(int(number))
    return sympy.Float(number)


def fold(model: Model | Context, expr: sympy.Basic, variables: Iterable[sympy.Symbol],
         symbolic: Iterable[sympy.Symbol] = (), *, span: Span | None = None,
         max_terms: int = MAX_TERMS, members: dict | None = None) -> sympy.Basic:
    """`expr` with lets expanded and everything that does not depend on `variables` or
    `symbolic` replaced by its value; aggregates over a variable written out.

    `variables` are the function's arguments (strategies, mean fields); `symbolic` are
    further symbols kept by name where they stand outside an aggregate (scalar parameters,
    so that closed forms stay symbolic in them); inside a folded aggregate they take their
    values. `members` maps a family's strategy at one member (`q[2]`) to a symbol standing
    for it (the labels of their bases count as variables). Raises `LoweringError` (located
    at `span`) when that is impossible.
    """
    members = dict(members or {})
    variables = frozenset(variables) | {item.base.label for item in members}
    if isinstance(model, Model):
        ctx = model_context(model)
        expr = model.expand_lets(expr) if isinstance(expr, sympy.Basic) else expr
    else:
        ctx = model
    free = variables | frozenset(symbolic) | frozenset(NON_FINITE)
    folder = _Folder(ctx, free, variables, span, max_terms, members)
    with np.errstate(all="ignore"):
        return folder(expr)


def _piecewise(*pairs):
    """Piecewise as gamespec.evaluate chooses: the first value whose condition holds,
    elementwise, NaN where none does (conditions and values broadcast; a condition that
    does not depend on the arguments may be a plain truth value)."""
    out = np.nan
    for condition, value in reversed(pairs):
        out = np.where(np.asarray(condition, dtype=bool), value, out)
    return out


_LARGEST_FLOAT = int(np.finfo(float).max)


class _Printer(NumPyPrinter):
    """NumPy code as lambdify prints it, with Piecewise through `_piecewise`."""

    def _print_Integer(self, expr):
        if abs(expr.p) > _LARGEST_FLOAT:  # beyond float: Python's int -> float would raise
            return "inf" if expr.p > 0 else "(-inf)"
        return super()._print_Integer(expr)

    def _print_Rational(self, expr):
        if max(abs(expr.p), expr.q) > _LARGEST_FLOAT:
            try:
                return repr(expr.p / expr.q)  # the nearest float (0.0 when tiny)
            except OverflowError:
                return "inf" if expr.p > 0 else "(-inf)"
        return super()._print_Rational(expr)

    def _print_Piecewise(self, expr):
        pairs = ", ".join(f"({self._print(c)}, {self._print(e)})" for e, c in expr.args)
        return f"_gamespec_piecewise({pairs})"

    def _nested(self, name: str, args) -> str:
        """And/Or as nested binary calls (they broadcast a constant against an array,
        which `logical_and.reduce` over a tuple does not)."""
        parts = [self._print(a) for a in args]
        out = parts[-1]
        for part in reversed(parts[:-1]):
            out = f"{name}({part}, {out})"
        return out

    def _print_And(self, expr):
        return self._nested("logical_and", expr.args)

    def _print_Or(self, expr):
        return self._nested("logical_or", expr.args)


@functools.cache
def _numpy_names() -> dict:
    """What lambdify's "numpy" module gives (NumPy and numpy.linalg by name, Heaviside,
    I), taken from the loaded modules: lambdify's own `from numpy import *` also loads
    numpy.testing and numpy.f2py, a sixth of a second on the first compilation."""
    names = {k: v for k, v in vars(np).items() if not k.startswith("_")}
    names.update({k: getattr(np.linalg, k) for k in np.linalg.__all__})
    names.update({"numpy": np, "I": 1j, "Heaviside": np.heaviside})
    names.setdefault("Abs", abs)
    return names


def to_numpy(args: Sequence[sympy.Symbol], expr: sympy.Basic, *,
             span: Span | None = None) -> Callable:
    """`expr` (already folded) as a NumPy function of `args`, broadcasting over arrays."""
    try:
        fn = sympy.lambdify(tuple(args), expr, modules=[numpy_namespace(), _numpy_names()],
                            printer=_Printer({"fully_qualified_modules": False, "inline": True,
                                              "allow_unknown_functions": True}), cse=True)
    except (TypeError, NameError, SyntaxError, ValueError, NotImplementedError) as exc:
        raise LoweringError(f"cannot compile `{sympy.sstr(expr)[:80]}` to NumPy: {exc}",
                            span=span) from None
    # lambdify binds every free symbol's name to the symbol itself: the non-finite
    # stand-ins get their NumPy values in the function's own (fresh) namespace
    fn.__globals__.update({s.name: v for s, v in NON_FINITE.items()})
    return fn


def lower(model: Model | Context, expr: sympy.Basic, variables: Sequence[sympy.Symbol], *,
          span: Span | None = None) -> Callable:
    """`fold` then `to_numpy`: a NumPy function of `variables` (in that order) that
    evaluates a Model expression in bulk; every parameter takes its value."""
    folded = fold(model, expr, variables, span=span)
    extra = folded.free_symbols - set(variables) - set(NON_FINITE)
    if extra:
        names = ", ".join(sorted(sympy.sstr(s) for s in extra))
        raise LoweringError(f"the expression depends on {names}, which has no value here",
                            span=span)
    return to_numpy(variables, folded, span=span)
