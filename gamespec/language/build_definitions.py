"""ModelBuilder part: parameters, data tables and lets (resolved on demand)."""
from __future__ import annotations

import difflib

import numpy as np
import sympy

from gamespec.errors import GamespecError, Span, SpecError
from gamespec.evaluate import evaluate
from gamespec.evaluation_context import base_context
from gamespec.language import ast
from gamespec.language.build_sets import is_number, set_element
from gamespec.language.expressions import Scope, index_symbol
from gamespec.model import FiniteSet, LetDef, Param

MAX_TABLE_ELEMENTS = 200_000_000
MAX_DEFINITION_DEPTH = 60  # a chain of definitions each using the next (Python recursion)


class DefinitionsMixin:
    """Methods of ModelBuilder (gamespec.language.model_builder); state lives there."""

    # ================================================================== params
    def _enter(self, name: str, span: Span) -> None:
        if name in self.resolving:
            cycle = " -> ".join(self.resolving[self.resolving.index(name):] + [name])
            raise SpecError(f"circular definition: {cycle}", span=span)
        if len(self.resolving) >= MAX_DEFINITION_DEPTH:
            raise SpecError(f"definitions depend on one another more than {MAX_DEFINITION_DEPTH} "
                            f"deep ({self.resolving[0]} -> ... -> {name})", span=span)
        self.resolving.append(name)

    def resolve_param(self, name: str) -> Param:
        if name in self.params:
            return self.params[name]
        stmt: ast.ParamStmt = self.decls[name]
        self._enter(name, stmt.span)
        try:
            param = self._param_value(stmt)
        finally:
            self.resolving.pop()
        self.params[name] = param
        return param

    def _param_value(self, stmt: ast.ParamStmt) -> Param:
        if stmt.binders:
            if stmt.name in self.overrides:
                raise SpecError(f"--set cannot override the indexed parameter `{stmt.name}`",
                                span=stmt.span)
            if stmt.value is None:
                raise SpecError(f"indexed parameter `{stmt.name}` needs a value", span=stmt.span)
            variables, sets, scope = self._binders(stmt.binders)
            expr = self.builder.build(stmt.value, scope)
            array = self._tabulate(expr, variables, sets, stmt.value.span)
            self._check_finite(array, stmt.name, stmt.value.span)
            return Param(stmt.name, sympy.IndexedBase(stmt.name, real=True), None, sets, array,
                         stmt.span)
        symbol = sympy.Symbol(stmt.name, real=True)
        value = None
        admissible = None
        if stmt.name in self.overrides:
            value = float(self.overrides[stmt.name])
        elif stmt.value is not None:
            value = self._number_value(stmt.value)
        if stmt.admissible is not None:  # kept without a value too: symbolic derivations
            low = self._number_value(stmt.admissible.low)  # decide signs under it
            high = self._number_value(stmt.admissible.high)
            if value is not None and not low <= value <= high:
                raise SpecError(
                    f"`{stmt.name}` = {value:g} is outside its range [{low:g}, {high:g}]",
                    span=stmt.span,
                )
            admissible = (low, high)
        return Param(stmt.name, symbol, value, (), None, stmt.span, admissible)

    def _check_finite(self, array: np.ndarray, name: str, span: Span) -> None:
        if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            bad = np.argwhere(~np.isfinite(array))[0]
            raise SpecError(f"`{name}` is not finite at position {tuple(int(b) + 1 for b in bad)}",
                            span=span)

    def _binders(self, binders) -> tuple[list[sympy.Symbol], tuple[FiniteSet, ...], Scope]:
        variables, sets = [], []
        scope = Scope()
        for binder in binders:
            fs = self.resolve_set(binder.domain)
            if not isinstance(fs, FiniteSet):
                raise SpecError("an index must range over a finite set", span=binder.domain.span)
            symbol = index_symbol(binder.var)
            if binder.var in scope.bound:
                raise SpecError(f"index `{binder.var}` is bound twice", span=binder.span)
            variables.append(symbol)
            sets.append(fs)
            scope = scope.with_binders([(symbol, fs)])
        return variables, tuple(sets), scope

    def _tabulate(self, expr, variables, sets, span: Span) -> np.ndarray:
        size = int(np.prod([len(s) for s in sets]))
        if size > MAX_TABLE_ELEMENTS:
            raise SpecError(f"this table would have {size:,} entries (limit "
                            f"{MAX_TABLE_ELEMENTS:,})", span=span)
        ctx = self._context(span)
        ctx.index_sets.update(dict(zip(variables, sets)))
        value = evaluate(expr, ctx)
        own = tuple(v.name for v in variables)
        extra = [a for a in value.axes if a not in own]
        if extra:
            raise SpecError(f"this value depends on `{extra[0]}`, which is not a number here",
                            span=span)
        data = value.aligned(own)
        shape = tuple(len(s) for s in sets)
        return np.array(np.broadcast_to(np.asarray(data, dtype=float), shape))

    def _context(self, span: Span | None):
        ctx = base_context(self)
        ctx.span = span
        return ctx

    # ================================================================== data
    def resolve_data_by_node(self, name: str, node: ast.Node):
        if self.kinds.get(name) != "data":
            candidates = [n for n, k in self.kinds.items() if k == "data"]
            close = difflib.get_close_matches(name, candidates, n=1)
            raise SpecError(f"unknown data table `{name}`", span=node.span,
                            hint=f"did you mean `{close[0]}`?" if close else
                            'declare it with: data NAME = csv("file.csv")')
        return self.resolve_data(name)

    def resolve_data(self, name: str):
        if name in self.data:
            return self.data[name]
        from gamespec.data.sources import load_data_statement

        stmt: ast.DataStmt = self.decls[name]
        self._enter(name, stmt.span)
        try:
            table = load_data_statement(self, stmt)
        except GamespecError as exc:
            raise exc.located(stmt.span) from None
        except (OSError, ValueError) as exc:  # e.g. a file name too long, or holding a NUL
            reason = getattr(exc, "strerror", None) or str(exc)[:200]
            raise SpecError(f"cannot read the data of `{name}`: {reason}", span=stmt.span) from None
        finally:
            self.resolving.pop()
        self.data[name] = table
        return table

    def _column_values(self, table, column: str, span: Span) -> np.ndarray:
        if column not in table.columns:
            close = difflib.get_close_matches(column, list(table.columns), n=1)
            hint = f"did you mean `{close[0]}`?" if close else (
                "columns: " + ", ".join(list(table.columns)[:12]))
            raise SpecError(f"data `{table.name}` has no column `{column}`", span=span, hint=hint)
        return table.columns[column]

    def _numeric_column(self, table, column: str, span: Span) -> np.ndarray:
        self._column_values(table, column, span)
        return table.numeric(column, span=span)

    def _row_keys(self, name: str, table, span: Span) -> FiniteSet:
        stmt: ast.DataStmt = self.decls[name]
        key = next((a.value for a in stmt.args if a.key == "key"), None)
        if key is None:
            n = len(next(iter(table.columns.values()))) if table.columns else 0
            return FiniteSet(f"{name}.rows", tuple(range(1, n + 1)), span)
        if isinstance(key, ast.Name):
            key = key.name
        values = self._column_values(table, str(key), span)
        keys = tuple(set_element(float(v)) if is_number(v) else str(v) for v in values)
        if len(set(keys)) != len(keys):
            raise SpecError(f"key column `{key}` of `{name}` has repeated values", span=span)
        return FiniteSet(f"{name}.rows", keys, span)

    # ================================================================== lets
    def resolve_let(self, name: str) -> LetDef:
        if name in self.lets:
            return self.lets[name]
        stmt: ast.LetStmt = self.decls[name]
        self._enter(name, stmt.span)
        try:
            variables, sets, scope = self._binders(stmt.binders)
            # a provisional entry lets the body refer to strategies and other lets
            expr = self.builder.build(stmt.value, scope)
        finally:
            self.resolving.pop()
        symbol = sympy.IndexedBase(name, real=True) if variables else sympy.Symbol(name, real=True)
        let = LetDef(name, symbol, tuple(variables), sets, expr, stmt.span)
        self.lets[name] = let
        return let
