"""AST -> Model: resolve names, type indices, load and check data, build SymPy payoffs."""
from __future__ import annotations

import difflib
import hashlib
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import sympy

from gamespec.errors import GamespecError, Span, SpecError
from gamespec.evaluate import evaluate
from gamespec.evaluation_context import base_context
from gamespec.language import ast
from gamespec.language.expressions import ExpressionBuilder, Resolver, Scope, index_symbol
from gamespec.language.symbols import SetAggregate, indicator
from gamespec.model import (
    Check,
    Claim,
    Constraint,
    Dynamics,
    FiniteSet,
    FixedProfile,
    IntervalDomain,
    LetDef,
    MeanField,
    Model,
    Param,
    Payoff,
    Player,
    Repeated,
    Report,
    Selection,
    Strategy,
    UpdateRules,
)
from gamespec.stdlib.functions import SYMBOLIC_FUNCTIONS

MAX_SET_SIZE = 2_000_000
MAX_TABLE_ELEMENTS = 200_000_000
MAX_DEFINITION_DEPTH = 60  # a chain of definitions each using the next (Python recursion)
MAX_INDEXED_PROFILES = 10_000  # profiles one indexed `profile` statement may stand for


class ModelBuilder:
    """Builds one Model from one AST. Declarations are resolved on demand, in any order."""

    def __init__(
        self,
        spec: ast.Spec,
        overrides: dict[str, float] | None = None,
        allow_data: tuple[str, ...] = (),
        data_mirror: str | None = None,
    ) -> None:
        self.spec = spec
        self.path = spec.path
        self.overrides = dict(overrides or {})
        self.allow_data = tuple(Path(p).resolve() for p in allow_data)
        self.data_mirror = data_mirror
        self.decls: dict[str, ast.Node] = {}
        self.kinds: dict[str, str] = {}
        self.params: dict[str, Param] = {}
        self.sets: dict[str, FiniteSet] = {}
        self.data: dict[str, Any] = {}
        self.lets: dict[str, LetDef] = {}
        self.players: dict[str, Player] = {}
        self.strategy_owner: dict[str, tuple[str, Strategy]] = {}
        self.fields: dict[str, MeanField] = {}
        self.elements: dict[str, FiniteSet] = {}
        self.columns: dict[str, tuple[sympy.IndexedBase, FiniteSet, np.ndarray]] = {}
        self.resolving: list[str] = []
        self.anon = itertools.count(1)
        self.dynamics_index: sympy.Symbol | None = None
        self.coordinates: dict[str, sympy.Function] = {}
        self.value_names: dict[str, sympy.Symbol] = {}
        self.series: dict[str, sympy.IndexedBase] = {}
        self.builder = ExpressionBuilder(
            Resolver(
                lookup_name=self._lookup_name,
                lookup_indexed=self._lookup_indexed,
                resolve_set=self.resolve_set,
                column=self._column_base,
                derivative=self._derivative,
                known_names=lambda: list(self.decls) + list(self.strategy_owner)
                + list(self.elements),
                extra_functions=dict(SYMBOLIC_FUNCTIONS),
            )
        )

    # ================================================================== entry point
    def build(self) -> Model:
        self._register_declarations()
        for name in list(self.overrides):
            if self.kinds.get(name) != "param":
                close = difflib.get_close_matches(
                    name, [n for n, k in self.kinds.items() if k == "param"], n=1
                )
                raise SpecError(
                    f"--set {name}: no parameter `{name}` in this spec",
                    span=Span(self.path, 1, 1),
                    hint=f"did you mean `{close[0]}`?" if close else None,
                )
        for name, kind in list(self.kinds.items()):
            if kind == "set":
                self.resolve_set(ast.SetRef(self.decls[name].span, name))
            elif kind == "param":
                self.resolve_param(name)
            elif kind == "data":
                self.resolve_data(name)
        for stmt in self._stmts(ast.PlayerStmt):
            self._build_player(stmt)
        for name, kind in list(self.kinds.items()):
            if kind == "let":
                self.resolve_let(name)
        for stmt in self._stmts(ast.PlayerStmt):
            self._build_constraints(stmt)
        title = next((s.title for s in self._stmts(ast.GameStmt)), Path(self.path).stem)
        payoffs, common, zero_sum, table = self._build_payoffs()
        order, declared = self._build_order()
        model = Model(
            title=title,
            path=self.path,
            source=self.spec.source,
            sha256=hashlib.sha256(self.spec.source.encode("utf-8")).hexdigest(),
            params=self.params,
            sets=self.sets,
            data=self.data,
            lets=self.lets,
            players=self.players,
            payoffs=payoffs,
            common_payoff=common,
            zero_sum_declared=zero_sum,
            order=order,
            order_declared=declared,
            profiles=self._build_profiles(),
            selection=self._build_selection(),
            repeated=self._build_repeated(),
            dynamics=self._build_dynamics(),
            updates=self._build_updates(),
            solve_method=None,
            solve_options={},
            table_declared=table,
            spans={n: d.span for n, d in self.decls.items()},
            overrides=dict(self.overrides),
            columns=self.columns,
            elements=self.elements,
        )
        model.reports, model.checks, model.claims = self._build_statements()
        model.solve_method, model.solve_options = self._build_solve_hints()
        model.spans.update(self._solve_option_spans())
        model.experiments = self._build_experiments()
        model.update_profiles = self._build_update_profiles()
        if getattr(self, "common_span", None) is not None:
            model.spans["common payoff"] = self.common_span
        self._check_payoff_coverage(model)
        return model

    def _stmts(self, kind):
        return [s for s in self.spec.statements if isinstance(s, kind)]

    # ================================================================== declarations
    def _declare(self, name: str, kind: str, node: ast.Node) -> None:
        if name in self.decls:
            first = self.decls[name].span
            raise SpecError(
                f"`{name}` is already declared (line {first.line}) as a {self.kinds[name]}",
                span=node.span,
            )
        self.decls[name] = node
        self.kinds[name] = kind

    def _register_declarations(self) -> None:
        titles = self._stmts(ast.GameStmt)
        if len(titles) > 1:
            raise SpecError("more than one `game` title", span=titles[1].span)
        for stmt in self.spec.statements:
            if isinstance(stmt, ast.ParamStmt):
                self._declare(stmt.name, "param", stmt)
            elif isinstance(stmt, ast.SetStmt):
                self._declare(stmt.name, "set", stmt)
            elif isinstance(stmt, ast.DataStmt):
                self._declare(stmt.name, "data", stmt)
            elif isinstance(stmt, ast.LetStmt):
                self._declare(stmt.name, "let", stmt)
            elif isinstance(stmt, ast.PlayerStmt):
                self._declare(stmt.name, "player", stmt)
        for stmt in self._stmts(ast.PlayerStmt):
            for item in stmt.items:
                if isinstance(item, (ast.ChooseItem, ast.MixedItem)):
                    if item.name in self.decls or item.name in self.strategy_owner:
                        raise SpecError(f"`{item.name}` is already declared", span=item.span)
                    self.strategy_owner[item.name] = (stmt.name, None)
                elif isinstance(item, ast.FieldItem):
                    self._declare(item.name, "field", item)
        self._register_dynamic_names()

    def _register_dynamic_names(self) -> None:
        for stmt in self._stmts(ast.DynamicsStmt):
            self.dynamics_index = index_symbol(stmt.index)
            for name in stmt.coordinates:
                self._declare(name, "coordinate", stmt)
                self.coordinates[name] = sympy.Function(name, real=True)(self.dynamics_index)
        for stmt in self._stmts(ast.RepeatedStmt):
            for name, _, span in stmt.values:
                self._declare(name, "value", ast.Node(span))
                self.value_names[name] = sympy.Symbol(name, real=True)
        for stmt in self._stmts(ast.UpdateStmt):
            for rule in stmt.rules + stmt.initial:
                if rule.target not in self.series:
                    if rule.target in self.decls:
                        raise SpecError(f"`{rule.target}` is already declared", span=rule.span)
                    self.series[rule.target] = sympy.IndexedBase(rule.target, real=True)

    # ================================================================== name lookup
    def _lookup_name(self, name: str):
        kind = self.kinds.get(name)
        if kind == "param":
            param = self.resolve_param(name)
            if param.index_sets:
                return None
            return param.symbol
        if kind == "let":
            let = self.resolve_let(name)
            return None if let.variables else let.symbol
        if kind == "field":
            return sympy.Symbol(name, real=True)
        if kind == "coordinate":
            return self.coordinates[name]
        if kind == "value":
            return self.value_names[name]
        if name in self.strategy_owner:
            strategy = self._strategy(name)
            return None if strategy.indexed else strategy.symbol
        if name in self.elements:
            return sympy.Symbol(name)
        if self.dynamics_index is not None and name == self.dynamics_index.name:
            return self.dynamics_index
        if kind in ("set", "data", "player"):
            hints = {
                "set": f"use card({name}) for its size, or sum(k in {name}) ... over its elements",
                "data": f"use a column with a row index: {name}.COLUMN[row]",
                "player": "use the player's strategy variable (the name after `choose`/`mixed`)",
            }
            # no span here: the expression builder locates it at the use (expressions._Name)
            raise SpecError(f"`{name}` is a {kind}, not a value", hint=hints[kind])
        return None

    def _lookup_indexed(self, name: str):
        kind = self.kinds.get(name)
        if kind == "param":
            param = self.resolve_param(name)
            return (param.symbol, param.index_sets) if param.index_sets else None
        if kind == "let":
            let = self.resolve_let(name)
            return (let.symbol, let.index_sets) if let.variables else None
        if name in self.strategy_owner:
            strategy = self._strategy(name)
            if not strategy.indexed:
                return None
            return strategy.symbol, self._strategy_index_sets(strategy)
        if name in self.series:
            return self.series[name], (self._rounds_set(),)
        return None

    def _strategy(self, name: str) -> Strategy:
        owner, strategy = self.strategy_owner[name]
        if strategy is None:
            stmt = self.decls[owner]
            self._build_player(stmt)
            strategy = self.strategy_owner[name][1]
        return strategy

    def _strategy_index_sets(self, strategy: Strategy) -> tuple[FiniteSet, ...]:
        player_stmt = self.decls[strategy.player]
        sets = list(strategy.condition_sets)
        if player_stmt.kind == "family":
            sets.insert(0, self.resolve_set(player_stmt.family.domain))
        if strategy.kind == "mixed":
            sets.append(strategy.domain)
        return tuple(sets)

    def _rounds_set(self) -> FiniteSet:
        stmts = self._stmts(ast.UpdateStmt)
        stmt = next((s for s in stmts if s.name is None), stmts[0])
        rounds = self.resolve_set(stmt.domain)
        last = max(rounds.elements) if rounds.elements else 0
        extended = tuple(rounds.elements) + (last + 1,)
        return FiniteSet(f"{rounds.name}+", extended, rounds.span)

    def _derivative(self, node: ast.Primed):
        if node.name not in self.coordinates:
            raise SpecError(
                f"`{node.name}'` is a derivative, but `{node.name}` is not a coordinate",
                span=node.span, hint="declare it with `coordinates` inside `dynamics`",
            )
        return sympy.Derivative(self.coordinates[node.name], (self.dynamics_index, node.order))

    def _column_base(self, node: ast.Column) -> sympy.IndexedBase:
        key = f"{node.table}.{node.column}"
        if key not in self.columns:
            table = self.resolve_data_by_node(node.table, node)
            values = self._numeric_column(table, node.column, node.span)
            rows = self._row_keys(node.table, table, node.span)
            self.columns[key] = (sympy.IndexedBase(key), rows, values)
        return self.columns[key][0]

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
                    elements.append(_element(float(self.builder.build(e))))
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
            return FiniteSet(label, tuple(_element(e * scale) for e in base.elements), node.span)
        if isinstance(node, ast.SetColumn):
            table = self.resolve_data_by_node(node.table, node)
            if node.column == "rows":
                return FiniteSet(label, self._row_keys(node.table, table, node.span).elements,
                                 node.span)
            column = self._column_values(table, node.column, node.span)
            seen: dict = {}
            for v in column:
                key = _element(float(v)) if _is_number(v) else str(v)
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
        if value is not None and stmt.admissible is not None:
            low = self._number_value(stmt.admissible.low)
            high = self._number_value(stmt.admissible.high)
            if not low <= value <= high:
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
        keys = tuple(_element(float(v)) if _is_number(v) else str(v) for v in values)
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

    # ================================================================== players
    def _build_player(self, stmt: ast.PlayerStmt) -> Player:
        if stmt.name in self.players:
            return self.players[stmt.name]
        self._enter(stmt.name, stmt.span)
        try:
            player = self._player(stmt)
        finally:
            self.resolving.pop()
        self.players[stmt.name] = player
        return player

    def _player(self, stmt: ast.PlayerStmt) -> Player:
        member_var = member_set = size = types = None
        if stmt.kind == "family":
            member_set = self.resolve_set(stmt.family.domain)
            if not isinstance(member_set, FiniteSet):
                raise SpecError("a family of players needs a finite index set",
                                span=stmt.family.domain.span)
            if len(member_set) == 0:
                raise SpecError(f"the family `{stmt.name}` has no members: "
                                f"{member_set.name} is empty", span=stmt.family.domain.span)
            member_var = index_symbol(stmt.family.var)
        if stmt.kind == "population":
            size = self.builder.build(stmt.population_size)
            self._check_population_size(size, stmt)
        strategies = []
        for item in stmt.items:
            if isinstance(item, (ast.ChooseItem, ast.MixedItem)):
                strategy = self._strategy_from(stmt, item)
                self.strategy_owner[item.name] = (stmt.name, strategy)
                strategies.append(strategy)
            elif isinstance(item, ast.TypesItem):
                fs = self.resolve_set(item.domain)
                if not isinstance(fs, FiniteSet):
                    raise SpecError("types range over a finite set", span=item.domain.span)
                var = index_symbol(item.var)
                prior = self.builder.build(item.prior, Scope().with_binders([(var, fs)]))
                types = (var, fs, prior)
        if not strategies:
            raise SpecError(f"player `{stmt.name}` has no strategy", span=stmt.span,
                            hint="add `choose x in SET`, `choose x in [lo, hi]` or "
                            "`mixed p over SET`")
        fields = []
        for item in stmt.items:
            if isinstance(item, ast.FieldItem):
                if stmt.kind != "population":
                    raise SpecError("`field` is only for a population", span=item.span)
                body = self.builder.build(item.body)
                fields.append(MeanField(item.name, sympy.Symbol(item.name, real=True), body,
                                        item.span))
        return Player(stmt.name, stmt.kind, tuple(strategies), (), member_var, member_set, size,
                      types, tuple(fields), stmt.span)

    def _check_population_size(self, size, stmt: ast.PlayerStmt) -> None:
        """A population has a whole number of members, at least 2 (a member's mean field is
        over the others); a size still waiting for a parameter value is checked later."""
        span = getattr(stmt.population_size, "span", stmt.span)
        try:
            value = self.numeric_scalar(size, span)
        except SpecError:
            return
        if not (value >= 2 and float(value).is_integer()):
            raise SpecError(f"a population needs a whole number of at least 2 members, "
                            f"not {value:g}", span=span)

    def _strategy_from(self, stmt: ast.PlayerStmt, item) -> Strategy:
        domain = self.resolve_set(item.domain)
        kind = "mixed" if isinstance(item, ast.MixedItem) else (
            "interval" if isinstance(domain, IntervalDomain) else "choice")
        if kind == "mixed" and not isinstance(domain, FiniteSet):
            raise SpecError("a mixed strategy is over a finite set, not an interval",
                            span=item.domain.span)
        if isinstance(domain, FiniteSet) and len(domain) == 0:
            raise SpecError(f"`{item.name}` chooses from an empty set", span=item.domain.span,
                            hint="a strategy needs at least one option")
        _, condition_sets, _ = self._binders(item.binders)
        if stmt.kind == "population" and (condition_sets or kind == "mixed"):
            raise SpecError("a population member chooses one value", span=item.span)
        indexed = bool(condition_sets) or stmt.kind == "family" or kind == "mixed"
        symbol = (sympy.IndexedBase(item.name, real=True) if indexed
                  else sympy.Symbol(item.name, real=True))
        return Strategy(stmt.name, item.name, kind, domain, condition_sets, symbol, item.span)

    def _build_constraints(self, stmt: ast.PlayerStmt) -> None:
        player = self.players[stmt.name]
        constraints = []
        own = {s.name for s in player.strategies}
        for k, item in enumerate(i for i in stmt.items if isinstance(i, ast.ConstraintItem)):
            variables, sets, scope = self._binders(item.binders)
            if player.member_var is not None:
                scope = scope.with_binders([(player.member_var, player.member_set)])
            relation = self.builder.build_relation(item.relation, scope)
            used = _strategy_names(relation, self.strategy_owner)
            foreign = sorted(used - own)
            if foreign:
                owner = self.strategy_owner[foreign[0]][0]
                raise SpecError(
                    f"constraint of `{stmt.name}` restricts `{foreign[0]}`, a strategy of "
                    f"`{owner}`", span=item.span,
                    hint="a player can only constrain its own strategy",
                )
            name = item.name or f"{stmt.name}_constraint_{k + 1}"
            constraints.append(Constraint(name, stmt.name, tuple(variables), sets, relation,
                                          item.span))
        names = [c.name for c in constraints]
        if len(set(names)) != len(names):
            raise SpecError("two constraints have the same name", span=next(
                c.span for k, c in enumerate(constraints) if c.name in names[:k]))
        self.players[stmt.name] = Player(**{**player.__dict__, "constraints": tuple(constraints)})

    # ================================================================== payoffs
    def _build_payoffs(self):
        payoffs: dict[str, Payoff] = {}
        common = None
        zero_sum = bool(self._stmts(ast.ZeroSumStmt))
        for stmt in self._stmts(ast.PayoffStmt):
            if stmt.player not in self.players:
                close = difflib.get_close_matches(stmt.player, list(self.players), n=1)
                raise SpecError(
                    f"payoff for `{stmt.player}`, which is not a player", span=stmt.span,
                    hint=f"did you mean `{close[0]}`?" if close else
                    f"declare it with `player {stmt.player} {{ choose ... }}`; the players "
                    "are: " + (", ".join(self.players) or "none yet"),
                )
            if stmt.player in payoffs:
                raise SpecError(f"a second payoff for `{stmt.player}`", span=stmt.span)
            player = self.players[stmt.player]
            variables, sets, scope = self._binders(stmt.binders)
            self._check_payoff_index(player, stmt, sets)
            if player.member_var is not None and not variables:
                scope = scope.with_binders([(player.member_var, player.member_set)])
            expr = self.builder.build(stmt.value, scope)
            self.builder._require_arith(expr, stmt.value)
            payoffs[stmt.player] = Payoff(stmt.player, tuple(variables), sets, expr, stmt.span)
        commons = self._stmts(ast.CommonPayoffStmt)
        if len(commons) > 1:
            raise SpecError("a second common payoff", span=commons[1].span)
        if commons:
            if payoffs:
                raise SpecError("a common payoff and per-player payoffs cannot be mixed",
                                span=commons[0].span)
            common = self.builder.build(commons[0].value)
            self.common_span = commons[0].span
        tables = self._stmts(ast.TableStmt)
        if len(tables) > 1:
            raise SpecError("a second payoff table", span=tables[1].span)
        if tables:
            if payoffs or common is not None:
                raise SpecError("a payoff table and payoff expressions cannot be mixed",
                                span=tables[0].span)
            payoffs = self._table_payoffs(tables[0], zero_sum)
        if zero_sum:
            payoffs = self._zero_sum(payoffs)
        return payoffs, common, zero_sum, bool(tables)

    def _check_payoff_index(self, player: Player, stmt: ast.PayoffStmt, sets) -> None:
        """`payoff P[k in K]` must run over P's members (a family) or its types."""
        if not sets:
            return
        allowed = [s for s in (player.member_set, player.types[1] if player.types else None)
                   if s is not None]
        if len(sets) != 1 or not any(sets[0].elements == s.elements for s in allowed):
            what = " or ".join(s.name for s in allowed) if allowed else "nothing (not a family)"
            raise SpecError(f"payoff {stmt.player}[...] must be indexed by {what}",
                            span=stmt.span,
                            hint=f"write `payoff {stmt.player} = ...`" if not allowed else
                            f"index it by `{allowed[0].name}`")

    def _zero_sum(self, payoffs: dict[str, Payoff]) -> dict[str, Payoff]:
        stmt = self._stmts(ast.ZeroSumStmt)[0]
        if len(self.players) != 2:
            raise SpecError(f"zero_sum needs exactly two players, this game has "
                            f"{len(self.players)}", span=stmt.span)
        names = list(self.players)
        given = [n for n in names if n in payoffs]
        if not given:
            raise SpecError("zero_sum needs the payoff of one player", span=stmt.span)
        if len(given) == 2:
            second = max((payoffs[n] for n in given), key=lambda p: (p.span.line, p.span.column))
            raise SpecError("with zero_sum give the payoff of one player only: the other's is "
                            "minus it", span=second.span,
                            hint=f"delete `payoff {second.player} = ...` (or `zero_sum`, if the "
                                 f"payoffs do not add up to zero)")
        if len(given) == 1:
            other = names[1] if given[0] == names[0] else names[0]
            first = payoffs[given[0]]
            payoffs[other] = Payoff(other, first.variables, first.index_sets, -first.expr,
                                    stmt.span, implied=True)
        return payoffs

    def _table_payoffs(self, stmt: ast.TableStmt, zero_sum: bool) -> dict[str, Payoff]:
        players = list(self.players.values())
        if any(p.kind != "single" or len(p.strategies) != 1 for p in players):
            raise SpecError("a payoff table needs players with one finite strategy each",
                            span=stmt.span)
        strategies = [p.strategies[0] for p in players]
        for s in strategies:
            if not isinstance(s.domain, FiniteSet) or s.condition_sets:
                raise SpecError(f"`{s.name}` must be a finite choice or a mixed strategy "
                                "over a finite set for a payoff table", span=s.span)
        expected_values = 1 if zero_sum and len(players) == 2 else len(players)
        seen: dict[tuple, ast.TableRow] = {}
        totals = [sympy.Integer(0)] * len(players)
        for row in stmt.rows:
            if len(row.keys) != len(players):
                raise SpecError(f"a table row names {len(row.keys)} choices, but there are "
                                f"{len(players)} players", span=row.span)
            if len(row.values) not in (expected_values, len(players)):
                raise SpecError(f"a table row gives {len(row.values)} payoffs, expected "
                                f"{len(players)}", span=row.span)
            key = []
            factors = []
            for k, (strategy, raw) in enumerate(zip(strategies, row.keys)):
                element = (_element(float(self.builder.build(raw))) if isinstance(raw, ast.Num)
                           else str(raw))
                if element not in strategy.domain.elements:
                    close = difflib.get_close_matches(str(element), [str(e) for e in
                                                                     strategy.domain.elements], n=1)
                    raise SpecError(
                        f"`{element}` is not a choice of `{players[k].name}` "
                        f"({strategy.domain.describe()})", span=row.span,
                        hint=f"did you mean `{close[0]}`?" if close else None,
                    )
                key.append(element)
                factors.append(self._choice_factor(strategy, element))
            if tuple(key) in seen:
                raise SpecError(f"the profile {tuple(key)} appears twice in the table "
                                f"(first on line {seen[tuple(key)].span.line})", span=row.span)
            seen[tuple(key)] = row
            weight = sympy.Mul(*factors)
            for p, value in enumerate(row.values):
                totals[p] = totals[p] + self.builder.build(value) * weight
        expected = int(np.prod([len(s.domain) for s in strategies]))
        if len(seen) != expected:
            missing = next(k for k in itertools.product(*[s.domain.elements for s in strategies])
                           if k not in seen)
            raise SpecError(f"the table covers {len(seen)} of {expected} profiles; missing "
                            f"{tuple(missing)}", span=stmt.span)
        n_given = len(stmt.rows[0].values) if stmt.rows else len(players)
        return {
            players[p].name: Payoff(players[p].name, (), (), totals[p], stmt.span)
            for p in range(n_given)
        }

    def _choice_factor(self, strategy: Strategy, element) -> sympy.Expr:
        value = sympy.Symbol(element) if isinstance(element, str) else sympy.Float(element)
        if isinstance(element, int):
            value = sympy.Integer(element)
        if strategy.kind == "mixed":
            return strategy.symbol[value]
        return indicator(sympy.Eq(strategy.symbol, value))

    def _check_payoff_coverage(self, model: Model) -> None:
        if model.common_payoff is not None or model.dynamics or model.updates or model.repeated:
            return
        for name, player in model.players.items():
            if name not in model.payoffs:
                raise SpecError(f"player `{name}` has no payoff", span=player.span,
                                hint=f"add `payoff {name} = ...`, a `common payoff`, a table, "
                                "or `zero_sum`")

    # ================================================================== order of play
    def _build_order(self):
        stmts = self._stmts(ast.OrderStmt)
        if not stmts:
            return (tuple(self.players),), False
        if len(stmts) > 1:
            raise SpecError("a second `order` statement", span=stmts[1].span)
        groups = []
        seen: dict[str, ast.OrderGroup] = {}
        for group in stmts[0].groups:
            for name in group.names:
                if name not in self.players:
                    close = difflib.get_close_matches(name, list(self.players), n=1)
                    raise SpecError(f"`{name}` in the order is not a player", span=group.span,
                                    hint=f"did you mean `{close[0]}`?" if close else None)
                if name in seen:
                    raise SpecError(f"`{name}` appears twice in the order: the order of play "
                                    "has a cycle", span=group.span)
                seen[name] = group
            groups.append(tuple(group.names))
        missing = [p for p in self.players if p not in seen]
        if missing:
            raise SpecError(f"player `{missing[0]}` is missing from the order", span=stmts[0].span)
        return tuple(groups), True

    # ================================================================== the rest
    def _build_profiles(self) -> dict[str, FixedProfile]:
        profiles: dict[str, FixedProfile] = {}
        for stmt in self._stmts(ast.ProfileStmt):
            outer_vars, outer_sets, outer_scope = self._binders(stmt.binders)
            count = int(np.prod([len(s) for s in outer_sets], dtype=float))
            if count > MAX_INDEXED_PROFILES:
                raise SpecError(f"profile `{stmt.name}` stands for {count:,} profiles (limit "
                                f"{MAX_INDEXED_PROFILES:,})", span=stmt.span)
            combos = itertools.product(*[s.elements for s in outer_sets]) if outer_sets \
                else [()]
            for combo in combos:
                name = stmt.name if not combo else \
                    f"{stmt.name}[{', '.join(str(c) for c in combo)}]"
                if name in profiles:
                    raise SpecError(f"a second profile `{name}`", span=stmt.span)
                fixed = {v: _element_expr(e) for v, e in zip(outer_vars, combo)}
                assignments = []
                for a in stmt.assignments:
                    if a.name not in self.strategy_owner:
                        close = difflib.get_close_matches(a.name, list(self.strategy_owner), n=1)
                        raise SpecError(f"`{a.name}` is not a strategy", span=a.span,
                                        hint=f"did you mean `{close[0]}`?" if close else None)
                    variables, sets, scope = self._binders(a.binders)
                    scope = Scope({**outer_scope.bound, **scope.bound})
                    expr = self.builder.build(a.value, scope).xreplace(fixed)
                    assignments.append((a.name, tuple(variables), sets, expr))
                profiles[name] = FixedProfile(name, tuple(assignments), stmt.span)
        return profiles

    # ================================================================== report, check, claim
    def _build_statements(self) -> tuple[tuple[Report, ...], tuple[Check, ...], tuple[Claim, ...]]:
        """The statements evaluated after the solve; one namespace for the three kinds."""
        seen: dict[str, ast.Stmt] = {}
        reports, checks, claims = [], [], []
        for stmt in self.spec.statements:
            if not isinstance(stmt, (ast.ReportStmt, ast.CheckStmt, ast.ClaimStmt)):
                continue
            if stmt.name in seen:
                first = seen[stmt.name]
                raise SpecError(f"a second statement named `{stmt.name}` (the first is the "
                                f"{_statement_kind(first)} on line {first.span.line})",
                                span=stmt.span, hint="reports, checks and claims need "
                                "distinct names")
            seen[stmt.name] = stmt
            if isinstance(stmt, ast.ReportStmt):
                reports.append(Report(stmt.name, self.builder.build(stmt.value), stmt.span))
            elif isinstance(stmt, ast.CheckStmt):
                checks.append(Check(stmt.name, self._statement_condition(stmt.condition, "check"),
                                    stmt.span))
            else:
                claims.append(self._build_claim(stmt))
        return tuple(reports), tuple(checks), tuple(claims)

    def _statement_condition(self, node: ast.Expr, what: str):
        try:
            return self.builder.build_condition(node, Scope())
        except SpecError as exc:
            if exc.message.startswith("expected a condition"):
                raise SpecError(f"a {what} states a condition (a comparison such as x <= 1), "
                                "not a value", span=node.span,
                                hint="for a value, write `report NAME = ...`") from None
            raise

    def _build_claim(self, stmt: ast.ClaimStmt) -> Claim:
        if stmt.player is not None:
            return self._build_response_claim(stmt)
        node = stmt.condition
        if isinstance(node, ast.Compare):
            return Claim(stmt.name, "relation", self.builder.build(node.left),
                         self.builder.build(node.right), node.op, span=stmt.span)
        condition = self._statement_condition(node, "claim")
        return Claim(stmt.name, "relation", condition, None, "holds", span=stmt.span)

    def _build_response_claim(self, stmt: ast.ClaimStmt) -> Claim:
        player = self.players.get(stmt.player)
        if player is None:
            close = difflib.get_close_matches(stmt.player, list(self.players), n=1)
            raise SpecError(f"`{stmt.player}` is not a player", span=stmt.span,
                            hint=f"did you mean `{close[0]}`?" if close else None)
        if len(player.strategies) != 1 or player.strategies[0].indexed \
                or player.kind == "family":
            raise SpecError(f"`best response {stmt.player}`: the player must have one scalar "
                            "strategy (a choice or an interval)", span=stmt.span)
        own = {player.strategies[0].name} | {f.name for f in player.fields}
        over = []
        for binder in stmt.over:
            symbol = None
            if binder.var in self.strategy_owner and binder.var not in own:
                strategy = self._strategy(binder.var)
                symbol = None if strategy.indexed else strategy.symbol
            elif self.kinds.get(binder.var) == "field" and binder.var in {
                    f.name for f in player.fields}:
                symbol = sympy.Symbol(binder.var, real=True)
            if symbol is None:
                raise SpecError(f"`over {binder.var}`: not a scalar strategy of another player "
                                f"or a field of `{stmt.player}`", span=binder.span,
                                hint="the grid runs over what the player responds to")
            over.append((symbol, self._set_value(binder.domain, None)))
        response = self.builder.build(stmt.response)
        return Claim(stmt.name, "best_response", response, None, "==", stmt.player,
                     tuple(over), stmt.span)

    def _build_selection(self) -> Selection | None:
        stmts = self._stmts(ast.SelectStmt)
        if not stmts:
            return None
        stmt = stmts[-1]
        if stmt.payoff_of is not None and stmt.payoff_of not in self.players:
            raise SpecError(f"`{stmt.payoff_of}` is not a player", span=stmt.span)
        target = self.builder.build(stmt.target) if stmt.target is not None else None
        return Selection(stmt.kind, stmt.payoff_of, target, stmt.span)

    def _build_repeated(self) -> Repeated | None:
        stmts = self._stmts(ast.RepeatedStmt)
        if not stmts:
            return None
        stmt = stmts[0]
        discount = self.builder.build(stmt.discount) if stmt.discount is not None else None
        values = tuple((self.value_names[n], self.builder.build(e)) for n, e, _ in stmt.values)
        conditions = []
        for name, expr, _ in stmt.conditions:
            conditions.append((name, self.builder.build_condition(expr, Scope())))
        return Repeated(discount, values, tuple(conditions), stmt.span)

    def _build_dynamics(self) -> Dynamics | None:
        stmts = self._stmts(ast.DynamicsStmt)
        if not stmts:
            return None
        stmt = stmts[0]
        domain = self._set_value(stmt.domain, None)
        lagrangian = self.builder.build(stmt.lagrangian) if stmt.lagrangian is not None else None
        initial = []
        for iv in stmt.initial:
            if iv.name not in self.coordinates:
                raise SpecError(f"`{iv.name}` is not a coordinate", span=iv.span)
            initial.append((self.coordinates[iv.name], iv.order, self.builder.build(iv.value)))
        claims = []
        for claim in stmt.claims:
            rel = self.builder.build(claim)
            if not isinstance(rel, sympy.Eq):
                raise SpecError("a claim is an equation: lhs == rhs", span=claim.span)
            claims.append(rel)
        claimed = (self.builder.build(stmt.claimed_lagrangian)
                   if stmt.claimed_lagrangian is not None else None)
        return Dynamics(self.dynamics_index, domain, tuple(self.coordinates.values()),
                        lagrangian, tuple(initial), stmt.span, tuple(claims), claimed)

    def _build_updates(self) -> UpdateRules | None:
        stmts = [s for s in self._stmts(ast.UpdateStmt) if s.name is None]
        return self._update_rules(stmts[0]) if stmts else None

    def _build_update_profiles(self) -> dict[str, UpdateRules]:
        """update "NAME" over ...: named rule sets that experiments play (not simulated)."""
        profiles: dict[str, UpdateRules] = {}
        for stmt in self._stmts(ast.UpdateStmt):
            if stmt.name is None:
                continue
            if stmt.name in profiles:
                raise SpecError(f'a second update profile named "{stmt.name}"', span=stmt.span)
            profiles[stmt.name] = self._update_rules(stmt)
        return profiles

    def _update_rules(self, stmt: ast.UpdateStmt) -> UpdateRules:
        rounds = self.resolve_set(stmt.domain)
        var = index_symbol(stmt.index)
        scope = Scope().with_binders([(var, rounds)])
        rules = tuple((r.target, self.builder.build(r.at, scope), self.builder.build(r.value, scope))
                      for r in stmt.rules)
        initial = tuple((r.target, self.builder.build(r.at), self.builder.build(r.value))
                        for r in stmt.initial)
        return UpdateRules(var, rounds, rules, initial, stmt.span)

    def _solve_option_spans(self) -> dict:
        """`"solve option NAME"` -> the option's span (for errors a solver finds in it)."""
        stmts = self._stmts(ast.SolveStmt)
        return {f"solve option {name}": span for name, _, span in stmts[-1].options} \
            if stmts else {}

    def _build_experiments(self) -> dict:
        """experiment NAME using PLUGIN { ... }: numbers, strings and data-table names, as
        written; the plug-in checks them (gamespec.experiments.registry)."""
        from gamespec.model import DataRef, Experiment

        experiments = {}
        for stmt in self._stmts(ast.ExperimentStmt):
            if stmt.name in experiments:
                raise SpecError(f"a second experiment named `{stmt.name}`", span=stmt.span)
            options, spans = {}, {}
            for name, value, span in stmt.options:
                if name in options:
                    raise SpecError(f"option `{name}` is given twice", span=span)
                spans[name] = span
                if isinstance(value, ast.Name) and self.kinds.get(value.name) == "data":
                    options[name] = DataRef(value.name)
                elif isinstance(value, ast.Expr):
                    options[name] = self.numeric_scalar(self.builder.build(value), span)
                else:
                    options[name] = value
            experiments[stmt.name] = Experiment(stmt.name, stmt.plugin, options, spans,
                                                stmt.span)
        return experiments

    def _build_solve_hints(self):
        stmts = self._stmts(ast.SolveStmt)
        if not stmts:
            return None, {}
        stmt = stmts[-1]
        options = {}
        for name, value, span in stmt.options:
            if isinstance(value, ast.Expr):
                options[name] = self.numeric_scalar(self.builder.build(value), span)
            else:
                options[name] = value
        return stmt.method, options


def _statement_kind(stmt: ast.Stmt) -> str:
    return {ast.ReportStmt: "report", ast.CheckStmt: "check"}.get(type(stmt), "claim")


def _element(value: float):
    """A numeric set element: an int when whole, else a float."""
    return int(value) if float(value).is_integer() else float(value)


def _element_expr(element) -> sympy.Expr:
    if isinstance(element, str):
        return sympy.Symbol(element)
    return sympy.Integer(element) if isinstance(element, int) else sympy.Float(element)


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _strategy_names(expr, owners: dict) -> set[str]:
    names = set()
    for sym in expr.free_symbols:
        name = sym.label.name if isinstance(sym, sympy.IndexedBase) else getattr(sym, "name", None)
        if name in owners:
            names.add(name)
    for item in expr.atoms(sympy.Indexed):
        if item.base.label.name in owners:
            names.add(item.base.label.name)
    for agg in expr.atoms(SetAggregate):
        names |= _strategy_names(agg.body, owners)
    return names


def build_model(spec: ast.Spec, overrides=None, allow_data=(), data_mirror=None) -> Model:
    try:
        return ModelBuilder(spec, overrides, allow_data, data_mirror).build()
    except RecursionError:  # e.g. a long chain of lets, each evaluated through the next
        raise SpecError("the spec is nested too deeply", span=Span(spec.path, 1, 1),
                        hint="shorten chains of definitions that use one another") from None
