"""ModelBuilder part: set values and index typing, and single numbers."""
from __future__ import annotations

import difflib

import numpy as np
import sympy

from gamespec.errors import Span, SpecError
from gamespec.evaluate import evaluate
from gamespec.language import ast
from gamespec.language.spec_checks import check_distinct
from gamespec.model import FiniteSet, IntervalDomain

MAX_SET_SIZE = 2_000_000


class SetsMixin:
    """Methods of ModelBuilder (gamespec.language.model_builder); state lives there."""

    # ================================================================== sets
    def resolve_set(self, node: ast.SetExpr) -> FiniteSet | IntervalDomain:
        if isinstance(node, ast.SetRef):
            name = node.name
            if name in self.sets:
                return self.sets[name]
            if self.kinds.get(name) != "set":
                candidates = [n for n, k in self.kinds.items() if k == "set"]
                close = difflib.get_close_matches(name, candidates, n=1)
                raise SpecError(
                    f"unknown set `{name}`", span=node.span,
                    hint=f"did you mean `{close[0]}`?" if close else "declare it with `set`",
                )
            stmt = self.decls[name]
            self._enter(name, node.span)
            try:
                value = self._set_value(stmt.domain, name)
            finally:
                self.resolving.pop()
            if isinstance(value, IntervalDomain):
                raise SpecError("a named set must be finite; use an interval in `choose`",
                                span=stmt.domain.span)
            self.sets[name] = value
            self._register_elements(value)
            return value
        value = self._set_value(node, None)
        if isinstance(value, FiniteSet):
            self.sets.setdefault(value.name, value)
            self._register_elements(value)
        return value

    def _register_elements(self, fs: FiniteSet) -> None:
        for element in fs.elements:
            if isinstance(element, str):
                if self.kinds.get(element) in ("param", "let", "set", "data"):
                    raise SpecError(
                        f"set element `{element}` clashes with the {self.kinds[element]} "
                        f"of the same name", span=fs.span,
                    )
                self.elements.setdefault(element, fs)

    def _anon_name(self, node: ast.SetExpr) -> str:
        return f"_{node.span.line}_{node.span.column}"

    def _set_value(self, node: ast.SetExpr, name: str | None):
        label = name or self._anon_name(node)
        if isinstance(node, ast.SetRef):
            return self.resolve_set(node)
        if isinstance(node, ast.Interval):
            low = self.builder.build(node.low)
            high = self.builder.build(node.high)
            return IntervalDomain(low, high, node.span)
        if isinstance(node, ast.SetLiteral):
            elements = []
            for e in node.elements:
                if isinstance(e, ast.Num):
                    elements.append(set_element(float(self.builder.build(e))))
                else:
                    elements.append(str(e))
            if len(set(elements)) != len(elements):
                raise SpecError("a set lists the same element twice", span=node.span)
            return FiniteSet(label, tuple(elements), node.span)
        if isinstance(node, ast.RangeSet):
            low = self._integer(node.low)
            high = self._integer(node.high)
            size = high - low + 1
            if size > MAX_SET_SIZE:
                raise SpecError(
                    f"the range {low}..{high} has {size:,} elements (limit {MAX_SET_SIZE:,})",
                    span=node.span, hint="a smaller index set, or raise the limit",
                )
            if size < 0:
                raise SpecError(f"the range {low}..{high} is empty", span=node.span)
            return FiniteSet(label, tuple(range(low, high + 1)), node.span)
        if isinstance(node, ast.ScaledSet):
            base = self._set_value(node.base, None)
            if not isinstance(base, FiniteSet) or base.symbolic:
                raise SpecError("only a finite set of numbers can be scaled", span=node.span)
            factor = self._number_value(node.factor)
            if node.op == "/" and factor == 0:
                raise SpecError("division by zero", span=node.factor.span)
            scale = factor if node.op == "*" else 1.0 / factor
            scaled = tuple(set_element(e * scale) for e in base.elements)
            check_distinct(scaled, base.elements, node.span)
            return FiniteSet(label, scaled, node.span)
        if isinstance(node, ast.SetColumn):
            table = self.resolve_data_by_node(node.table, node)
            if node.column == "rows":
                return FiniteSet(label, self._row_keys(node.table, table, node.span).elements,
                                 node.span)
            column = self._column_values(table, node.column, node.span)
            seen: dict = {}
            for v in column:
                key = set_element(float(v)) if is_number(v) else str(v)
                seen.setdefault(key, None)
            return FiniteSet(label, tuple(seen), node.span)
        raise SpecError("unsupported set expression", span=node.span)  # pragma: no cover

    def _integer(self, node: ast.Expr) -> int:
        value = self._number_value(node)
        if not float(value).is_integer():
            raise SpecError(f"a range bound must be a whole number, got {value}", span=node.span)
        return int(value)

    def _number_value(self, node: ast.Expr) -> float:
        expr = self.builder.build(node)
        self.builder._require_arith(expr, node)
        return self.numeric_scalar(expr, node.span)

    def numeric_scalar(self, expr, span: Span) -> float:
        if not isinstance(expr, sympy.Basic):
            return float(expr)
        subs = {}
        for sym in expr.free_symbols:
            if isinstance(sym, sympy.Symbol) and self.kinds.get(sym.name) == "param":
                param = self.resolve_param(sym.name)
                if param.value is None and not param.index_sets:
                    raise SpecError(
                        f"`{sym.name}` has no value, but a number is needed here", span=span,
                        hint=f"give it a default or pass --set {sym.name}=VALUE",
                    )
        result = evaluate(expr, self._context(span))
        if result.axes:
            raise SpecError("expected a single number here", span=span)
        del subs
        try:
            value = float(result.data)
        except (TypeError, ValueError):  # a set element such as `High`, or a complex number
            raise SpecError(f"expected a number here, got {result.data}", span=span) from None
        if not np.isfinite(value):
            raise SpecError(f"this evaluates to {value}", span=span,
                            hint="a division by zero, or an overflow?")
        return value


def set_element(value: float):
    """A numeric set element: an int when whole, else a float."""
    return int(value) if float(value).is_integer() else float(value)


def element_expr(element) -> sympy.Expr:
    if isinstance(element, str):
        return sympy.Symbol(element)
    return sympy.Integer(element) if isinstance(element, int) else sympy.Float(element)


def is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
