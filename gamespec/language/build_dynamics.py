"""ModelBuilder part: dynamics, repeated and update blocks."""
from __future__ import annotations

import sympy

from gamespec.errors import SpecError
from gamespec.language import ast
from gamespec.language.build_payoffs import no_bad_constant
from gamespec.language.expressions import Scope, index_symbol
from gamespec.language.spec_checks import check_rounds, check_span
from gamespec.model import Dynamics, Repeated, UpdateRules


class DynamicsMixin:
    """Methods of ModelBuilder (gamespec.language.model_builder); state lives there."""

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
        triggers = self._trigger_parts(stmt)
        if triggers:
            self._check_discount_value(discount, stmt.span)
        return Repeated(discount, values, tuple(conditions), stmt.span, **triggers)

    def _check_discount_value(self, discount, span) -> None:
        """A discount that is a number at the given parameters must lie in (0, 1)."""
        value = discount.xreplace(self._scalar_values())
        if value.is_number and not 0 < float(value) < 1:
            raise SpecError(f"the discount must be in (0, 1), got {float(value):g}", span=span,
                            hint="at 1 the discounted values are infinite; use e.g. 0.99")

    def _build_dynamics(self) -> Dynamics | None:
        stmts = self._stmts(ast.DynamicsStmt)
        if not stmts:
            return None
        stmt = stmts[0]
        domain = self._set_value(stmt.domain, None)
        check_span(domain, self._scalar_values(), getattr(stmt.domain, "span", stmt.span))
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
        check_rounds(rounds.elements, getattr(stmt.domain, "span", None) or stmt.span)
        var = index_symbol(stmt.index)
        scope = Scope().with_binders([(var, rounds)])
        rules = tuple((r.target, self.builder.build(r.at, scope), self.builder.build(r.value, scope))
                      for r in stmt.rules)
        initial = tuple((r.target, self.builder.build(r.at), self.builder.build(r.value))
                        for r in stmt.initial)
        for item, (_, _, value) in zip((*stmt.rules, *stmt.initial), (*rules, *initial)):
            no_bad_constant(value, item.value, "this update rule")
        return UpdateRules(var, rounds, rules, initial, stmt.span)
