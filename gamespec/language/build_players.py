"""ModelBuilder part: players, their strategies and constraints."""
from __future__ import annotations

import sympy

from gamespec.errors import SpecError
from gamespec.language import ast
from gamespec.language.expressions import Scope, index_symbol
from gamespec.language.symbols import SetAggregate
from gamespec.model import Constraint, FiniteSet, IntervalDomain, MeanField, Player, Strategy


class PlayersMixin:
    """Methods of ModelBuilder (gamespec.language.model_builder); state lives there."""

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
                                f"{member_set.label} is empty", span=stmt.family.domain.span)
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
                if stmt.kind in ("family", "population"):  # no method models member types
                    raise SpecError(f"private types are for a single player, not a "
                                    f"{stmt.kind}", span=item.span,
                                    hint="declare the typed player with `player NAME { types "
                                    "... }`")
                fs = self.resolve_set(item.domain)
                if not isinstance(fs, FiniteSet):
                    raise SpecError("types range over a finite set", span=item.domain.span)
                var = index_symbol(item.var)
                prior = self.builder.build(item.prior, Scope().with_binders([(var, fs)]))
                types = (var, fs, prior)
        if not strategies and not self._stmts(ast.TreeStmt):
            raise SpecError(f"player `{stmt.name}` has no strategy", span=stmt.span,
                            hint="add `choose x in SET`, `choose x in [lo, hi]` or "
                            "`mixed p over SET`, or give its moves in a `tree`")
        fields = []
        for item in stmt.items:
            if isinstance(item, ast.FieldItem):
                if stmt.kind != "population":
                    raise SpecError("`field` is only for a population", span=item.span)
                taken = {s.name: "a strategy" for s in strategies}
                taken.update((f.name, "a field") for f in fields)
                if item.name in taken:
                    raise SpecError(f"field `{item.name}` has the name of {taken[item.name]} "
                                    f"of `{stmt.name}`", span=item.span,
                                    hint="give the field a name of its own")
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
        self._check_fields(player)
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

    def _check_fields(self, player) -> None:
        """A field is a mean over the members of their own choice: it may not use another
        player's strategy (every player is built by now)."""
        own = {s.name for s in player.strategies}
        for mean_field in player.fields:
            foreign = sorted(_strategy_names(mean_field.body, self.strategy_owner) - own)
            if foreign:
                owner = self.strategy_owner[foreign[0]][0]
                raise SpecError(
                    f"field `{mean_field.name}` of `{player.name}` is a mean of "
                    f"`{foreign[0]}`, a strategy of `{owner}`", span=mean_field.span,
                    hint=f"a field averages the members' own choice "
                         f"({', '.join(sorted(own))}); use `{foreign[0]}` in the payoff")


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
