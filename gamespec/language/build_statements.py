"""ModelBuilder part: profiles, report/check/claim, selection, experiments, solve hints."""
from __future__ import annotations

import difflib
import itertools

import numpy as np
import sympy

from gamespec.errors import SpecError
from gamespec.language import ast
from gamespec.language.build_sets import element_expr
from gamespec.language.expressions import Scope
from gamespec.model import Check, Claim, FixedProfile, Report, Selection

MAX_INDEXED_PROFILES = 10_000  # profiles one indexed `profile` statement may stand for


class StatementsMixin:
    """Methods of ModelBuilder (gamespec.language.model_builder); state lives there."""

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
                fixed = {v: element_expr(e) for v, e in zip(outer_vars, combo)}
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

    def _solve_option_spans(self) -> dict:
        """`"solve option NAME"` -> the option's span (for errors a solver finds in it)."""
        stmts = self._stmts(ast.SolveStmt)
        if not stmts:
            return {}
        return {"solve using": stmts[-1].span,
                **{f"solve option {name}": span for name, _, span in stmts[-1].options}}

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
            if isinstance(value, ast.Name) and value.name in BOOLEANS \
                    and value.name not in self.decls and value.name not in self.elements:
                options[name] = BOOLEANS[value.name]  # `unique = true`
            elif isinstance(value, ast.Expr):
                options[name] = self.numeric_scalar(self.builder.build(value), span)
            else:
                options[name] = value
        return stmt.method, options


BOOLEANS = {"true": True, "false": False}


def _statement_kind(stmt: ast.Stmt) -> str:
    return {ast.ReportStmt: "report", ast.CheckStmt: "check"}.get(type(stmt), "claim")
