"""ModelBuilder part: declarations and name lookup (what each name in an expression is)."""
from __future__ import annotations

import sympy

from gamespec.errors import SpecError
from gamespec.language import ast
from gamespec.language.expressions import index_symbol
from gamespec.language.spec_checks import check_rounds
from gamespec.model import FiniteSet, Strategy


class NamesMixin:
    """Methods of ModelBuilder (gamespec.language.model_builder); state lives there."""

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
        self._register_stages()
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
        check_rounds(rounds.elements, getattr(stmt.domain, "span", None) or stmt.span)
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
