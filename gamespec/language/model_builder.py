"""AST -> Model: resolve names, type indices, load and check data, build SymPy payoffs.

ModelBuilder holds the state; its methods live in one module per job (build_names,
build_sets, build_definitions, build_players, build_payoffs, build_statements,
build_dynamics). The limits they enforce are constants there (gamespec.limits names them).
"""
from __future__ import annotations

import difflib
import hashlib
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import sympy

from gamespec.errors import Span, SpecError
from gamespec.language import ast
from gamespec.language.build_definitions import DefinitionsMixin
from gamespec.language.build_dynamics import DynamicsMixin
from gamespec.language.build_names import NamesMixin
from gamespec.language.build_network import build_network
from gamespec.language.build_payoffs import PayoffsMixin
from gamespec.language.build_players import PlayersMixin
from gamespec.language.build_sets import SetsMixin
from gamespec.language.build_stage import StageMixin
from gamespec.language.build_statements import StatementsMixin
from gamespec.language.build_tree import TreeMixin
from gamespec.language.expressions import ExpressionBuilder, Resolver
from gamespec.language.order_tree import order_tree
from gamespec.model import FiniteSet, LetDef, MeanField, Model, Param, Player, Strategy
from gamespec.stdlib.functions import SYMBOLIC_FUNCTIONS

__all__ = ["ModelBuilder", "build_model"]


class ModelBuilder(NamesMixin, SetsMixin, DefinitionsMixin, PlayersMixin, PayoffsMixin,
                   StatementsMixin, DynamicsMixin, TreeMixin, StageMixin):
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
                stage_payoff=self._stage_payoff,
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
        model.network = build_network(self)
        model.stages = dict(self.stages)
        model.tree = self._build_tree(model)
        if model.tree is None:
            self._check_payoff_coverage(model)
            model.tree = order_tree(model)
        return model

    def _stmts(self, kind):
        return [s for s in self.spec.statements if isinstance(s, kind)]


def build_model(spec: ast.Spec, overrides=None, allow_data=(), data_mirror=None) -> Model:
    try:
        return ModelBuilder(spec, overrides, allow_data, data_mirror).build()
    except RecursionError:  # e.g. a long chain of lets, each evaluated through the next
        raise SpecError("the spec is nested too deeply", span=Span(spec.path, 1, 1),
                        hint="shorten chains of definitions that use one another") from None
