"""A continuous game's expressions from the Model, through the one lowering
(gamespec.lowering): payoffs and mean fields as SymPy in the strategies and fields (data,
indexed parameters and aggregates folded, scalar parameters kept by name), bounds as
numbers, and payoff values at a point. The method and its figure samples read them here.
"""
from __future__ import annotations

import numpy as np
import sympy

from gamespec import lowering
from gamespec.errors import SpecError
from gamespec.language.symbols import SetAggregate
from gamespec.model import MeanField, Model, Player


def variables(model: Model) -> list[sympy.Symbol]:
    """The symbols a payoff is a function of: strategies and mean fields."""
    out = [st.symbol for st in model.strategies()]
    return out + [f.symbol for p in model.players.values() for f in p.fields]


def _parameters(model: Model) -> list[sympy.Symbol]:
    """The scalar parameters kept by name (closed forms stay symbolic in them), unless
    some payoff or field folds a table or an aggregate: an indexed parameter's values may
    have been computed from a scalar one (param k[i in F] = c), and a closed form mixing
    k's folded number with the symbol c would be wrong in c. Then every parameter takes
    its value and closed forms are numbers."""
    exprs = [model.expand_lets(model.payoff_of(p)) for p in model.players]
    exprs += [model.expand_lets(f.body) for p in model.players.values() for f in p.fields]
    if any(e.has(SetAggregate) or e.atoms(sympy.Indexed) for e in exprs):
        return []
    return [p.symbol for p in model.params.values() if not p.index_sets]


def payoff(model: Model, name: str) -> sympy.Expr:
    """The player's payoff lowered around the strategies and fields."""
    declared = model.payoffs.get(name)
    return lowering.fold(model, model.payoff_of(name), variables(model), _parameters(model),
                         span=declared.span if declared is not None else None)


def field_body(model: Model, mean_field: MeanField) -> sympy.Expr:
    """A mean field's body (a function of the member's own strategy), lowered."""
    return lowering.fold(model, mean_field.body, variables(model), _parameters(model),
                         span=mean_field.span)


def number(model: Model, expr: sympy.Expr, span=None) -> float:
    """An expression of parameters and data only, as a float."""
    return float(lowering.fold(model, expr, (), span=span))


def bounds(model: Model, player: Player) -> tuple[float, float]:
    """The player's interval as numbers (an empty one is a located SpecError)."""
    domain = player.strategies[0].domain
    low = number(model, domain.low, domain.span)
    high = number(model, domain.high, domain.span)
    if not low <= high:  # a single point is a strategy fixed at that value
        raise SpecError(f"the interval of `{player.name}` is empty: [{low:g}, {high:g}]",
                        span=player.strategies[0].span,
                        hint="its lower end lies above its upper end")
    return low, high


def numpy_function(model: Model, expr: sympy.Expr, args) -> object:
    """A lowered expression with the parameters' values in, as a NumPy function of args."""
    return lowering.to_numpy(list(args), expr.xreplace(model.scalar_values()))


def value(model: Model, name: str, point: dict) -> float:
    """A player's payoff at a point (strategies and fields)."""
    args = sorted(point, key=lambda s: s.name)
    fn = numpy_function(model, payoff(model, name), args)
    with np.errstate(all="ignore"):
        return float(np.asarray(fn(*[float(point[a]) for a in args]), float))
