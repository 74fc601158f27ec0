"""AST expressions -> SymPy expressions, with names resolved through a scope.

Only SymPy constructors are used; spec text is never evaluated.
"""
from __future__ import annotations

import contextlib
import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sympy

from gamespec.errors import SpecError
from gamespec.language import ast
from gamespec.language.symbols import SetAggregate, indicator
from gamespec.model import FiniteSet

MAX_LITERAL_DIGITS = 60
MAX_EXPONENT = 1000
MAX_POWER_BITS = 100_000  # an exact power of numbers beyond this would take too long

# name -> (arity, SymPy constructor); all take already-built SymPy arguments
MATH_FUNCTIONS: dict[str, tuple[int | None, Callable]] = {
    "exp": (1, sympy.exp),
    "ln": (1, sympy.log),
    "log": (1, sympy.log),
    "sqrt": (1, sympy.sqrt),
    "abs": (1, sympy.Abs),
    "floor": (1, sympy.floor),
    "ceil": (1, sympy.ceiling),
    "sin": (1, sympy.sin),
    "cos": (1, sympy.cos),
    "tanh": (1, sympy.tanh),
    "sign": (1, sympy.sign),
    "max": (None, sympy.Max),
    "min": (None, sympy.Min),
}


@dataclass
class Resolver:
    """Answers what a name means; filled in by the model builder.

    Each lookup returns a SymPy object or None. `index_sets_of(name)` gives the index sets
    of an indexed name, used to check that indices come from the right sets.
    """

    lookup_name: Callable[[str], sympy.Basic | None]
    lookup_indexed: Callable[[str], tuple[sympy.IndexedBase, tuple[FiniteSet, ...]] | None]
    resolve_set: Callable[[ast.SetExpr], FiniteSet]
    column: Callable[[ast.Column], sympy.Basic]
    derivative: Callable[[ast.Primed], sympy.Basic] | None = None
    extra_functions: dict[str, tuple[int | None, Callable]] = field(default_factory=dict)
    known_names: Callable[[], list[str]] = lambda: []
    # STAGE.PLAYER[choice, ...]: a stage game's payoff (None if STAGE is not a stage game)
    stage_payoff: Callable[[ast.Column], sympy.Basic | None] | None = None


@dataclass
class Scope:
    """Index variables bound by enclosing binders: name -> (symbol, set)."""

    bound: dict[str, tuple[sympy.Symbol, FiniteSet]] = field(default_factory=dict)

    def with_binders(self, pairs) -> Scope:
        return Scope({**self.bound, **{s.name: (s, fs) for s, fs in pairs}})


def index_symbol(name: str) -> sympy.Symbol:
    """The SymPy symbol of an index variable (distinct from a parameter of the same name)."""
    return sympy.Symbol(name)


def _magnitude(value) -> float:
    """|value| of a SymPy number as a float: inf when too large or infinite, nan for nan."""
    try:
        return abs(complex(value))
    except (TypeError, ValueError, OverflowError):
        return math.inf


def _log2_magnitude(value) -> float:
    """Roughly how many bits an exact SymPy number takes (|log2| of its size)."""
    if value.is_Rational:
        return float(max(abs(value.p).bit_length(), value.q.bit_length()))
    try:
        return abs(float(sympy.log(sympy.Abs(value), 2).evalf(8)))
    except (TypeError, ValueError, OverflowError):
        return math.inf


def number(node: ast.Num) -> sympy.Expr:
    """A literal as an exact SymPy number (percentages divided by 100)."""
    text = node.text
    if not text.isascii():  # the lexer's \d also matches other scripts' digits
        raise SpecError(f"number {text!r} is not written with the digits 0-9", span=node.span)
    digits = sum(ch.isdigit() for ch in text.split("e")[0].split("E")[0])
    if digits > MAX_LITERAL_DIGITS:
        raise SpecError(f"number literal has more than {MAX_LITERAL_DIGITS} digits", span=node.span)
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the grammar only admits valid numbers
        raise SpecError(f"bad number {text!r}", span=node.span) from None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and abs(exponent) > 300:
        raise SpecError("number literal out of range", span=node.span)
    numerator, denominator = value.as_integer_ratio()
    result = sympy.Rational(numerator, denominator)
    if node.percent:
        result = result / 100
    return result


class ExpressionBuilder:
    """Builds SymPy expressions from AST expressions."""

    def __init__(self, resolver: Resolver) -> None:
        self.r = resolver

    def build(self, node: ast.Expr, scope: Scope | None = None) -> sympy.Basic:
        scope = scope or Scope()
        method = getattr(self, "_" + type(node).__name__)
        return method(node, scope)

    # ---------------------------------------------------------------- leaves
    def _Num(self, node: ast.Num, scope: Scope):
        return number(node)

    def _Name(self, node: ast.Name, scope: Scope):
        if node.name in scope.bound:
            return scope.bound[node.name][0]
        try:
            found = self.r.lookup_name(node.name)
        except SpecError as exc:  # e.g. a set or a player used as a value: point at this use
            raise exc.located(node.span) from None
        if found is not None:
            return found
        if self.r.lookup_indexed(node.name) is not None:
            raise SpecError(
                f"`{node.name}` is indexed: write {node.name}[...]", span=node.span,
            )
        raise self.unknown(node.name, node, scope)

    def unknown(self, name: str, node: ast.Node, scope: Scope) -> SpecError:
        candidates = list(scope.bound) + self.r.known_names()
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else None
        return SpecError(f"unknown name `{name}`", span=node.span, hint=hint)

    def _Primed(self, node: ast.Primed, scope: Scope):
        if self.r.derivative is None:
            raise SpecError("a primed name (a derivative) is only allowed in dynamics",
                            span=node.span)
        return self.r.derivative(node)

    def _Indexed(self, node: ast.Indexed, scope: Scope):
        found = self.r.lookup_indexed(node.name)
        if found is None:
            if node.name in scope.bound or self.r.lookup_name(node.name) is not None:
                raise SpecError(f"`{node.name}` is not indexed", span=node.span)
            raise self.unknown(node.name, node, scope)
        base, sets = found
        if len(node.indices) != len(sets):
            raise SpecError(
                f"`{node.name}` takes {len(sets)} "
                f"ind{'ex' if len(sets) == 1 else 'ices'}, got {len(node.indices)}",
                span=node.span,
            )
        indices = []
        for arg, expected in zip(node.indices, sets):
            if isinstance(arg, ast.Name) and arg.name in scope.bound:
                symbol, actual = scope.bound[arg.name]
                if not set(actual.elements) <= set(expected.elements):
                    raise SpecError(
                        f"index `{arg.name}` ranges over {actual.label}, but this position of "
                        f"`{node.name}` is indexed by {expected.label}",
                        span=arg.span,
                        hint=f"use an index that ranges over {expected.label}",
                    )
                indices.append(symbol)
            else:
                value = self.build(arg, scope)
                if value.is_number and not expected.symbolic:
                    try:
                        element = float(value)
                    except (TypeError, ValueError, OverflowError):  # I, zoo: not a real number
                        element = math.nan
                    if element not in {float(e) for e in expected.elements}:
                        raise SpecError(
                            f"{sympy.sstr(value)} is not an element of {expected.label}",
                            span=arg.span,
                        )
                indices.append(value)
        return base[tuple(indices)]

    def _Column(self, node: ast.Column, scope: Scope):
        if self.r.stage_payoff is not None and node.indices:
            payoff = self.r.stage_payoff(node)
            if payoff is not None:
                return payoff
        if node.indices:
            indices = [self.build(i, scope) for i in node.indices]
            base = self.r.column(node)
            return base[tuple(indices)]
        raise SpecError(
            f"a data column needs a row index here: {node.table}.{node.column}[...]",
            span=node.span,
        )

    def _Call(self, node: ast.Call, scope: Scope):
        if node.func == "card":
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
                raise SpecError("card takes one set name: card(SET)", span=node.span)
            fs = self.r.resolve_set(ast.SetRef(node.args[0].span, node.args[0].name))
            return sympy.Integer(len(fs.elements))
        table = {**MATH_FUNCTIONS, **self.r.extra_functions}
        if node.func not in table:
            close = difflib.get_close_matches(node.func, list(table), n=1)
            hint = f"did you mean `{close[0]}`?" if close else "see docs/language.md for the functions"
            if node.func in ("sum", "prod", "mean"):
                hint = f"write {node.func}(i in SET) body"
            raise SpecError(f"unknown function `{node.func}`", span=node.span, hint=hint)
        arity, ctor = table[node.func]
        if arity is not None and len(node.args) != arity:
            raise SpecError(
                f"`{node.func}` takes {arity} argument{'s' if arity != 1 else ''}, "
                f"got {len(node.args)}",
                span=node.span,
            )
        if arity is None and len(node.args) < 2:
            raise SpecError(f"`{node.func}` needs at least two arguments", span=node.span)
        args = [self.build(a, scope) for a in node.args]
        try:
            return ctor(*args)
        except (TypeError, ValueError) as exc:  # e.g. max(x, nan): not comparable
            raise SpecError(f"cannot apply `{node.func}` here: {exc}", span=node.span) from None

    def _Aggregate(self, node: ast.Aggregate, scope: Scope):
        pairs = []
        inner = scope
        for binder in node.binders:
            fs = self.r.resolve_set(binder.domain)
            if not isinstance(fs, FiniteSet):
                raise SpecError(f"`{node.kind}` needs a finite set, not an interval",
                                span=binder.domain.span)
            symbol = index_symbol(binder.var)
            pairs.append((symbol, fs))
            inner = inner.with_binders([(symbol, fs)])
        condition = sympy.true
        if node.condition is not None:
            condition = self.build_condition(node.condition, inner)
        body = sympy.Integer(1) if node.body is None else self.build(node.body, inner)
        self._require_arith(body, node.body or node)
        return SetAggregate(
            node.kind, body, [p[0] for p in pairs], [p[1].name for p in pairs], condition
        )

    def _Indicator(self, node: ast.Indicator, scope: Scope):
        condition = self.build_condition(node.condition, scope)
        with _undecidable(node.condition):
            return indicator(condition)

    def _BinOp(self, node: ast.BinOp, scope: Scope):
        left = self.build(node.left, scope)
        right = self.build(node.right, scope)
        self._require_arith(left, node.left)
        self._require_arith(right, node.right)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if node.op == "/":
            if right == 0:
                raise SpecError("division by zero", span=node.right.span)
            return left / right
        if right.is_number and not _magnitude(right) <= MAX_EXPONENT:
            raise SpecError(f"exponent larger than {MAX_EXPONENT}" if _magnitude(right) > 0
                            else "the exponent is not a number", span=node.right.span)
        if left.is_number and right.is_number and (
                _log2_magnitude(left) * _magnitude(right) > MAX_POWER_BITS):
            raise SpecError("this power is too large to compute exactly", span=node.span)
        if isinstance(right, sympy.Pow) and right.base.is_number and left.is_number:
            raise SpecError("exponent tower is not allowed", span=node.span)
        return sympy.Pow(left, right)

    def _require_arith(self, value, node) -> None:
        if isinstance(value, (sympy.logic.boolalg.Boolean, sympy.Rel)) and not isinstance(
            value, sympy.Symbol
        ):
            raise SpecError("a condition is used as a number", span=node.span,
                            hint="wrap it in brackets to get 1 or 0: [cond]")

    def _Neg(self, node: ast.Neg, scope: Scope):
        value = self.build(node.operand, scope)
        self._require_arith(value, node.operand)
        return -value

    def _Compare(self, node: ast.Compare, scope: Scope):
        left = self.build(node.left, scope)
        right = self.build(node.right, scope)
        ctor = {
            "<=": sympy.Le, ">=": sympy.Ge, "<": sympy.Lt, ">": sympy.Gt,
            "==": sympy.Eq, "!=": sympy.Ne,
        }[node.op]
        try:
            return ctor(left, right)
        except TypeError as exc:
            raise SpecError(f"cannot compare: {exc}", span=node.span) from None

    def _Logic(self, node: ast.Logic, scope: Scope):
        left = self.build_condition(node.left, scope)
        right = self.build_condition(node.right, scope)
        return sympy.And(left, right) if node.op == "and" else sympy.Or(left, right)

    def _Not(self, node: ast.Not, scope: Scope):
        return sympy.Not(self.build_condition(node.operand, scope))

    def _IfElse(self, node: ast.IfElse, scope: Scope):
        condition = self.build_condition(node.condition, scope)
        then = self.build(node.then, scope)
        otherwise = self.build(node.otherwise, scope)
        if condition is sympy.true:
            return then
        if condition is sympy.false:
            return otherwise
        with _undecidable(node.condition):
            return sympy.Piecewise((then, condition), (otherwise, True))

    def build_condition(self, node: ast.Expr, scope: Scope):
        value = self.build(node, scope)
        boolalg = sympy.logic.boolalg
        # not plain Boolean: a SymPy Symbol is one too, and `if x then` is not a condition
        if isinstance(value, (boolalg.BooleanFunction, boolalg.BooleanAtom, sympy.Rel)):
            return value
        raise SpecError("expected a condition (a comparison such as x > 0)", span=node.span,
                        hint="compare it with something: `x == 1`, `x > 0`")

    def build_relation(self, node: ast.Expr, scope: Scope):
        """A constraint: lhs <= rhs, lhs >= rhs or lhs == rhs."""
        if not isinstance(node, ast.Compare) or node.op in ("!=",):
            raise SpecError("a constraint must be a comparison (<=, >= or ==)", span=node.span)
        if node.op in ("<", ">"):
            raise SpecError("strict inequalities cannot be constraints", span=node.span,
                            hint=f"use {node.op}= instead")
        value = self._Compare(node, scope)
        if value is sympy.true or value is sympy.false:
            raise SpecError(f"this constraint is always {value}", span=node.span)
        return value


@contextlib.contextmanager
def _undecidable(node: ast.Expr):
    """SymPy evaluates a condition when it builds [cond] or `if`: one comparing a value that
    is not a real number (zoo from log(0), 1/0 written as a power) raises TypeError, a
    min/max of nan ValueError, or an internal KeyError; each is an error at the condition."""
    try:
        yield
    except (TypeError, ValueError, KeyError) as exc:  # ValueError: min/max of nan
        detail = f" ({exc})" if not isinstance(exc, KeyError) else ""
        raise SpecError(f"cannot decide this condition{detail}", span=node.span,
                        hint="a division by zero, a logarithm of 0 or a square root of a "
                        "negative number inside it?") from None
