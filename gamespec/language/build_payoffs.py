"""ModelBuilder part: payoffs (expressions, common, tables, zero_sum) and the order of play."""
from __future__ import annotations

import difflib
import itertools

import numpy as np
import sympy

from gamespec.errors import SpecError
from gamespec.language import ast
from gamespec.language.build_sets import set_element
from gamespec.model import FiniteSet, Model, Payoff, Player, Strategy
from gamespec.payoff_table import table_lookup, table_payoff


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
            no_bad_constant(expr, stmt.value)
            payoffs[stmt.player] = Payoff(stmt.player, tuple(variables), sets, expr, stmt.span)
        commons = self._stmts(ast.CommonPayoffStmt)
        if len(commons) > 1:
            raise SpecError("a second common payoff", span=commons[1].span)
        if commons:
            if payoffs:
                raise SpecError("a common payoff and per-player payoffs cannot be mixed",
                                span=commons[0].span)
            common = self.builder.build(commons[0].value)
            no_bad_constant(common, commons[0].value)
            self.common_span = commons[0].span
        tables = self._stmts(ast.TableStmt)
        if len(tables) > 1:
            raise SpecError("a second payoff table", span=tables[1].span)
        if tables:
            if payoffs or common is not None:
                raise SpecError("a payoff table and payoff expressions cannot be mixed",
                                span=tables[0].span)
            payoffs = self._table_payoffs(tables[0], zero_sum)
        if zero_sum and not self._stmts(ast.TreeStmt):  # a tree's payoffs are in the tree
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
        shape = tuple(len(s.domain) for s in strategies)
        positions = [_position_lookup(s.domain) for s in strategies]
        n_given = len(stmt.rows[0].values) if stmt.rows else len(players)
        entries = np.empty((n_given,) + shape, dtype=object)
        seen: dict[tuple, ast.TableRow] = {}
        built: dict = {}  # each distinct value expression is built once
        for row in stmt.rows:
            if len(row.keys) != len(players):
                raise SpecError(f"a table row names {len(row.keys)} choices, but there are "
                                f"{len(players)} players", span=row.span)
            if len(row.values) not in (expected_values, len(players)):
                raise SpecError(f"a table row gives {len(row.values)} payoffs, expected "
                                f"{len(players)}", span=row.span)
            if len(row.values) != n_given:
                raise SpecError(f"a table row gives {len(row.values)} payoffs, the first row "
                                f"{n_given}", span=row.span)
            key = tuple(self._table_key(raw, strategy, players[k], row, positions[k])
                        for k, (strategy, raw) in enumerate(zip(strategies, row.keys)))
            if key in seen:
                elements = tuple(s.domain.elements[p] for s, p in zip(strategies, key))
                raise SpecError(f"the profile {elements} appears twice in the table "
                                f"(first on line {seen[key].span.line})", span=row.span)
            seen[key] = row
            for p, value in enumerate(row.values):
                entries[(p,) + key] = self._table_value(value, built, strategies)
        expected = int(np.prod(shape))
        if len(seen) != expected:
            missing = next(k for k in itertools.product(*[range(n) for n in shape])
                           if k not in seen)
            elements = tuple(s.domain.elements[p] for s, p in zip(strategies, missing))
            raise SpecError(f"the table covers {len(seen)} of {expected} profiles; missing "
                            f"{elements}", span=stmt.span)
        sets = tuple(s.domain for s in strategies)
        return {
            players[p].name: Payoff(
                players[p].name, (), (),
                table_payoff(table_lookup(players[p].name, entries[p], sets), strategies),
                stmt.span)
            for p in range(n_given)
        }

    def _table_key(self, raw, strategy: Strategy, player: Player, row, lookup: dict) -> int:
        """The position in the strategy's set of one choice of a table row."""
        if isinstance(raw, ast.Num):
            element = set_element(float(self.builder.build(raw)))
            pos = lookup.get(float(element))
        else:
            element = str(raw)
            pos = lookup.get(element)
        if pos is None:
            close = difflib.get_close_matches(str(element), [str(e) for e in
                                                             strategy.domain.elements], n=1)
            raise SpecError(
                f"`{element}` is not a choice of `{player.name}` "
                f"({strategy.domain.describe()})", span=row.span,
                hint=f"did you mean `{close[0]}`?" if close else None,
            )
        return pos

    def _table_value(self, value, built: dict, strategies) -> sympy.Expr:
        """A table entry, built once per distinct expression (AST nodes compare without
        their spans); it may use parameters, not the players' strategies."""
        try:
            return built[value]
        except KeyError:
            pass
        expr = self.builder.build(value)
        self.builder._require_arith(expr, value)
        if expr.is_number and (expr.is_finite is False or expr.is_extended_real is False
                               or expr.has(sympy.nan)):  # 0^-1, log(0), sqrt(-1)
            what = "infinite" if expr.is_finite is False else \
                "not a number" if expr.has(sympy.nan) else f"complex ({sympy.sstr(expr)})"
            raise SpecError(f"this table entry is {what}, not a finite real number",
                            span=value.span,
                            hint="a division by zero, a logarithm of 0 or a square root of a "
                            "negative number?")
        if not expr.is_number and _mentions_strategy(expr, strategies):
            raise SpecError("a table entry cannot depend on the players' choices",
                            span=value.span)
        built[value] = expr
        return expr

    def _check_payoff_coverage(self, model: Model) -> None:
        if model.common_payoff is not None:
            return
        rep = model.repeated
        triggers = rep is not None and rep.strategies and rep.stage is None  # this spec's stage
        if (model.dynamics or model.updates or rep) and not model.payoffs and not triggers:
            return  # players beside a dynamic part, none with a payoff: no static game
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


def _position_lookup(domain: FiniteSet) -> dict:
    """Element -> position (numbers keyed as floats: 2 and 2.0 are one element)."""
    return {(e if isinstance(e, str) else float(e)): k for k, e in enumerate(domain.elements)}


def _mentions_strategy(expr, strategies: list[Strategy]) -> bool:
    symbols = {s.symbol for s in strategies}
    return bool(expr.free_symbols & symbols) or any(
        item.base in symbols for item in expr.atoms(sympy.Indexed))


_BAD_CONSTANTS = ((sympy.zoo, "an infinite"), (sympy.oo, "an infinite"),
                  (sympy.S.NegativeInfinity, "an infinite"), (sympy.nan, "a not-a-number"),
                  (sympy.I, "a complex"))


def no_bad_constant(expr, node, what: str = "this payoff") -> None:
    """A payoff (or update rule) holding an infinite, undefined or complex constant (1/0
    written 0^-1, log(0), sqrt(-1)) is an error there, not a failure in a later command."""
    for constant, kind in _BAD_CONSTANTS:
        if isinstance(expr, sympy.Basic) and expr.has(constant):
            raise SpecError(f"{what} has {kind} constant in it ({sympy.sstr(constant)})",
                            span=node.span, hint="a division by zero, a logarithm of 0 or a "
                            "square root of a negative number?")
