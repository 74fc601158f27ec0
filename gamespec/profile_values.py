"""Each pure profile's payoffs as SymPy expressions (free parameters stay symbols): what
`gamespec derive` writes its finite-game conditions with, and what the symbolic support
derivation (solvers/finite/support_derivation.py) solves."""
from __future__ import annotations

import itertools
import math

import sympy

from gamespec.language.symbols import SetAggregate, element_expr, indicator, safe_simplify
from gamespec.model import Model
from gamespec.payoff_table import table_form, value_at

SIMPLIFY_PROFILES = 64  # above this many profiles the values are not passed to simplify


def _point(strategy, element):
    if strategy.kind == "mixed":
        # SymPy integers: a payoff that is one probability, `f[A]`, becomes a number that
        # still has SymPy's methods (a Python 1 or 0 had none: derive failed on it)
        return {strategy.symbol[element_expr(e)]: (sympy.S.One if e == element else sympy.S.Zero)
                for e in strategy.domain.elements}
    return {strategy.symbol: element_expr(element)}


def _value_at(model: Model, expr, strategies, profile) -> sympy.Expr:
    return _value_of_prepared(model, _prepared(model, expr), strategies, profile)


def _prepared(model: Model, expr):
    """Lets expanded and small aggregates written out: done once per payoff."""
    return unroll_aggregates(model.expand_lets(expr), model)


def _value_of_prepared(model: Model, unrolled, strategies, profile,
                       simplify: bool = True) -> sympy.Expr:
    subs = {}
    for strategy, element in zip(strategies, profile):
        subs.update(_point(strategy, element))
    expanded = resolve_element_equalities(unrolled.xreplace(subs), model)
    if not simplify or expanded.is_number or expanded.has(SetAggregate):
        return expanded
    return safe_simplify(expanded)


MAX_UNROLLED_TERMS = 256


def unroll_aggregates(expr, model: Model):
    """Sums, counts, means, maxima and minima over small finite sets written out element by
    element, so that a strategy indexed by the summed variable (`sum(s in S) f[s] * ...`)
    meets the point masses of a pure profile. Larger aggregates stay as they are."""

    def unroll(agg: SetAggregate):
        sets = [model.sets.get(n) for n in agg.set_names]
        if any(fs is None for fs in sets) or math.prod(len(fs) for fs in sets) > MAX_UNROLLED_TERMS:
            return agg
        terms, weights = [], []
        for elements in itertools.product(*(fs.elements for fs in sets)):
            mapping = dict(zip(agg.variables, map(element_expr, elements)))
            cond = resolve_element_equalities(agg.condition.xreplace(mapping), model)
            if cond is sympy.false:
                continue
            if cond is not sympy.true and agg.kind in ("max", "min"):
                return agg
            weight = sympy.Integer(1) if cond is sympy.true else indicator(cond)
            body = unroll_aggregates(agg.body.xreplace(mapping), model)
            terms.append(body)
            weights.append(weight)
        if agg.kind == "count":
            return sympy.Add(*weights)
        if agg.kind == "sum":
            return sympy.Add(*(w * t for w, t in zip(weights, terms)))
        if agg.kind == "mean":
            return sympy.Add(*(w * t for w, t in zip(weights, terms))) / sympy.Add(*weights)
        if agg.kind in ("max", "min") and terms:
            return (sympy.Max if agg.kind == "max" else sympy.Min)(*terms)
        return agg

    return expr.replace(lambda e: isinstance(e, SetAggregate), unroll)


def profile_payoffs(model: Model) -> dict[tuple[int, tuple], sympy.Expr]:
    """values[(k, profile)]: player k's payoff at a pure profile of elements, symbolically
    (free parameters stay symbols). For games of single players with one finite strategy.
    A payoff table is read entry by entry; other payoffs are substituted per profile (and
    simplified only in games of at most SIMPLIFY_PROFILES profiles)."""
    players = list(model.players.values())
    strategies = [p.strategies[0] for p in players]
    domains = [s.domain.elements for s in strategies]
    profiles = list(itertools.product(*domains))
    simplify = len(profiles) <= SIMPLIFY_PROFILES
    values = {}
    for k, player in enumerate(players):
        expr = model.payoff_of(player.name)
        form = table_form(expr, strategies)
        if form is not None:
            for profile in profiles:
                values[(k, profile)] = value_at(form[1], form[0], profile)
            continue
        prepared = _prepared(model, expr)
        for profile in profiles:
            values[(k, profile)] = _value_of_prepared(model, prepared, strategies, profile,
                                                          simplify)
    return values


def resolve_element_equalities(expr, model: Model):
    """Decide Eq/Ne between two named set elements (distinct names are distinct elements)."""
    names = set(model.elements)

    def is_element_test(e) -> bool:
        return isinstance(e, (sympy.Eq, sympy.Ne)) and all(
            isinstance(a, sympy.Symbol) and a.name in names for a in e.args)

    def decide(e):
        same = e.args[0].name == e.args[1].name
        return sympy.true if same == isinstance(e, sympy.Eq) else sympy.false

    return expr.replace(is_element_test, decide)
