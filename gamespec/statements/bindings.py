"""Evaluation contexts at a point of the game: the solution a Result holds, or a named
profile. A context binds every strategy variable (and every population's mean field) to
a number, a label or a table, on top of the model's parameters, data and lets."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy

from gamespec.errors import GamespecError, SpecError
from gamespec.evaluate import Context, LArray, Table, evaluate
from gamespec.evaluation_context import base_context
from gamespec.model import FiniteSet, FixedProfile, IntervalDomain, Model, Player, Strategy


def solution_points(result: Any) -> list[tuple[str, dict]]:
    """(label, {player: strategy}) for each answer a Result holds: "solution", or
    "equilibrium 1", "equilibrium 2", ... when it lists several equilibria. A mixed
    equilibrium of `choose` strategies (a record with "pure": false) is not a point at
    which a spec expression has one value: it is skipped, keeping the others' numbers."""
    equilibria = result.extra.get("equilibria")
    if equilibria is not None and len(equilibria) != 1:
        return [(f"equilibrium {k}", _point(eq)) for k, eq in enumerate(equilibria, 1)
                if eq.get("pure", True) or "fields" in eq]
    if equilibria:
        return [("solution", _point(equilibria[0]))] if equilibria[0].get(
            "pure", True) or "fields" in equilibria[0] else []
    return [("solution", dict(result.strategies))]


FIELDS = "__fields__"  # a point's mean fields, given by the result (populations' shares)


def _point(record: dict) -> dict:
    """An equilibrium record's strategies; a population record (population_shares) also
    gives its fields' values, which expressions over the fields read."""
    out = dict(record["profile"])
    if "fields" in record:
        out[FIELDS] = dict(record["fields"])
    return out


def context_at(model: Model, strategies: Mapping[str, Any],
               profile: FixedProfile | None = None) -> Context:
    """A fresh context with the strategies bound (a profile's assignments override them);
    strategies the answer does not give stay unbound (an expression using one fails)."""
    ctx = base_context(model)
    fixed = {name for name, *_ in profile.assignments} if profile is not None else set()
    for player in model.players.values():
        for strategy in player.strategies:
            if strategy.name in fixed:
                continue
            try:
                _bind_from_result(ctx, model, player, strategy, strategies)
            except (KeyError, TypeError, ValueError, IndexError):
                continue
    if profile is not None:
        for name, variables, sets, expr in profile.assignments:
            strategy = next(s for s in model.strategies() if s.name == name)
            inner = base_context(model)
            inner.scalars.update(ctx.scalars)
            inner.tables.update(ctx.tables)
            inner.index_sets.update(dict(zip(variables, sets)))
            value = evaluate(expr, inner)
            own = tuple(v.name for v in variables)
            if not own:
                _bind_scalar(ctx, strategy, value.data)
            else:
                data = np.broadcast_to(np.asarray(value.aligned(own)),
                                       tuple(len(s) for s in sets)).copy()
                ctx.tables[strategy.name] = Table(data, tuple(sets))
    _bind_fields(ctx, model)
    given = strategies.get(FIELDS, {})
    for player in model.players.values():
        for mean_field in player.fields:
            if mean_field.name in given:
                ctx.scalars[mean_field.symbol] = LArray.scalar(float(given[mean_field.name]))
    return ctx


def _bind_scalar(ctx: Context, strategy: Strategy, value: Any) -> None:
    ctx.scalars[strategy.symbol] = LArray.scalar(_element_value(strategy.domain, value))


def _bind_from_result(ctx: Context, model: Model, player: Player, strategy: Strategy,
                      strategies: Mapping[str, Any]) -> None:
    if player.kind == "family":
        members = player.member_set
        values = [strategies[f"{player.name}[{_label(m)}]"] for m in members.elements]
        if strategy.kind == "mixed" or strategy.condition_sets:
            raise TypeError("member strategies that are tables are not bound")
        data = np.array([_element_value(strategy.domain, v) for v in values])
        ctx.tables[strategy.name] = Table(data, (members,))
        return
    value = strategies[player.name]
    if len(player.strategies) > 1:
        value = value[strategy.name]
    if strategy.kind == "mixed":
        sets = (*strategy.condition_sets, strategy.domain)
        rows = [value[_label(r)] or {} for r in _rows(strategy.condition_sets)] \
            if strategy.condition_sets else [value]
        matrix = np.array([[float(row.get(_label(e), 0.0)) for e in strategy.domain.elements]
                           for row in rows])
        ctx.tables[strategy.name] = Table(matrix.reshape([len(s) for s in sets]), sets)
    elif strategy.condition_sets:
        (types,) = strategy.condition_sets
        data = np.array([_element_value(strategy.domain, value[_label(t)])
                         for t in types.elements])
        ctx.tables[strategy.name] = Table(data, (types,))
    else:
        _bind_scalar(ctx, strategy, value)


def _bind_fields(ctx: Context, model: Model) -> None:
    """A population's mean field at a symmetric state: its body at the members' strategy."""
    for player in model.players.values():
        for mean_field in player.fields:
            try:
                value = evaluate(mean_field.body, ctx.child(let_cache={}))
            except GamespecError:
                continue
            if not value.axes:
                ctx.scalars[mean_field.symbol] = LArray.scalar(float(value.data))


def _rows(sets: tuple[FiniteSet, ...]) -> list:
    if len(sets) != 1:
        raise TypeError("strategies conditioned on several sets are not bound")
    return list(sets[0].elements)


def _label(element: Any) -> str:
    if isinstance(element, float) and element.is_integer():
        return str(int(element))
    return str(element)


def _element_value(domain: FiniteSet | IntervalDomain, value: Any):
    """A result's strategy (a number, or a choice's label) as the value expressions see."""
    if isinstance(value, (np.ndarray, np.generic)):
        value = value.item() if np.ndim(value) == 0 else value
    if isinstance(domain, IntervalDomain):
        return float(value)
    if isinstance(value, str):
        for element in domain.elements:
            if _label(element) == value or str(element) == value:
                return np.array(element, dtype=object) if isinstance(element, str) \
                    else float(element)
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"`{value}` is not in {domain.describe()}") from None
        return number
    return float(value)


def field_symbols(model: Model) -> set[sympy.Symbol]:
    """The mean-field symbols of every population."""
    return {f.symbol for p in model.players.values() for f in p.fields}


def strategy_names(model: Model) -> set[str]:
    """Names of every strategy variable and mean field (what a solution binds)."""
    names = {s.name for s in model.strategies()}
    return names | {f.name for p in model.players.values() for f in p.fields}


def mentions_play(model: Model, expr: sympy.Basic) -> bool:
    """Whether an expression (through the lets it uses) depends on a strategy or a mean
    field. Lets are followed by name, not expanded: substituting a let's definition made
    SymPy re-evaluate the whole expression (about a second for a mean-field spec's claim)."""
    if not isinstance(expr, sympy.Basic):
        return False
    lets = {let.name: let for let in model.lets.values()}
    used = _names_in(expr)
    frontier, seen = [n for n in used if n in lets], set()
    while frontier:
        name = frontier.pop()
        if name in seen:
            continue
        seen.add(name)
        let = lets[name]
        more = _names_in(let.expr) - {v.name for v in let.variables}
        used |= more
        frontier.extend(n for n in more if n in lets and n not in seen)
    return bool(used & strategy_names(model))


def _names_in(expr: sympy.Basic) -> set:
    """The names an expression mentions: symbols, indexed bases, aggregates' bodies."""
    from gamespec.language.symbols import SetAggregate

    used = {getattr(s, "name", None) for s in expr.free_symbols}
    used |= {i.base.label.name for i in expr.atoms(sympy.Indexed)}
    used |= {getattr(getattr(s, "label", None), "name", None) for s in expr.free_symbols}
    for agg in expr.atoms(SetAggregate):
        used |= {getattr(s, "name", None) for s in agg.body.free_symbols}
        used |= {i.base.label.name for i in agg.body.atoms(sympy.Indexed)}
    return used


def value_of(expr: sympy.Basic, ctx: Context) -> Any:
    """A scalar expression's value (float, bool or label) in a context; an indexed one as
    a list. Errors are SpecErrors."""
    value = evaluate(expr, ctx)
    data = np.asarray(value.data)
    if value.axes:
        return [_plain(x) for x in data.ravel().tolist()]
    return _plain(data.item() if data.ndim == 0 else data)


def _plain(x: Any) -> Any:
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, float, np.integer, np.floating)):
        return float(x)
    if isinstance(x, str):
        return x
    raise SpecError(f"cannot report a value of type {type(x).__name__}")
