"""ModelBuilder part: payoffs (expressions, common, tables, zero_sum) and the order of play."""
from __future__ import annotations

import difflib
import itertools

import numpy as np
import sympy

from gamespec.errors import SpecError
from gamespec.language import ast
from gamespec.language.build_sets import set_element
from gamespec.language.symbols import indicator
from gamespec.model import FiniteSet, Model, Payoff, Player, Strategy


class PayoffsMixin:
    """Methods of ModelBuilder (gamespec.language.model_builder); state lives there."""

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
                element = (set_element(float(self.builder.build(raw))) if isinstance(raw, ast.Num)
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
