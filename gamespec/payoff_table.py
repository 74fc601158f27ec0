"""A payoff table held as an array: one entry per pure profile, read by position.

`table_lookup` makes a SymPy function class for one player's column of a `table { ... }`:
``T(x, y)`` is that player's entry at the positions of x and y in the strategies' sets.
With set elements as arguments it is the entry itself (so substituting a profile gives the
value, e.g. in `derive`); with strategy variables or index variables it stays a node that
`gamespec.evaluate` reads as an array gather. A mixed strategy's payoff is the bilinear
``sum(a in S1, b in S2) f[a] * g[b] * T(a, b)`` (`table_payoff`), which the LP compiler and
the linearity classification read like any other sum of products.
"""
from __future__ import annotations

import numpy as np
import sympy

from gamespec.language.symbols import SetAggregate, element_expr
from gamespec.model import FiniteSet, Strategy


class TableLookup(sympy.Function):
    """One player's payoff table, indexed by the positions of its arguments.

    Subclasses (made by `table_lookup`) carry the table as class attributes:
    `entries` (object array of SymPy numbers/expressions, one axis per player),
    `sets` (the strategies' sets, one per axis) and `label` (how it prints)."""

    entries: np.ndarray
    sets: tuple[FiniteSet, ...]
    label: str
    _numeric: np.ndarray | None
    _positions: tuple[dict, ...]

    def __new__(cls, *args, **options):
        # at set elements the node is the entry itself (so substituting a profile gives
        # the value); SymPy rebuilds nodes through __new__ on subs/xreplace
        entry = cls.entry_at(args)
        return entry if entry is not None else super().__new__(cls, *args, **options)

    @classmethod
    def entry_at(cls, args):
        """The entry at these arguments if each is an element of its set, else None."""
        positions = []
        for arg, lookup in zip(args, cls._positions):
            pos = _element_position(arg, lookup)
            if pos is None:
                return None
            positions.append(pos)
        return cls.entries[tuple(positions)]

    @classmethod
    def numeric_array(cls, evaluate_scalar) -> np.ndarray:
        """The table as floats; entries that are expressions (parameters) are evaluated by
        `evaluate_scalar(expr) -> float` (once per distinct expression)."""
        if cls._numeric is not None:
            return cls._numeric
        cache: dict = {}
        out = np.empty(cls.entries.shape, dtype=float)
        for index, entry in np.ndenumerate(cls.entries):
            if entry.is_number:
                out[index] = float(entry)
            else:
                if entry not in cache:
                    cache[entry] = evaluate_scalar(entry)
                out[index] = cache[entry]
        return out

    def _sympystr(self, printer) -> str:
        return f"{self.label}[{', '.join(printer._print(a) for a in self.args)}]"

    def _latex(self, printer) -> str:
        args = ", ".join(printer._print(a) for a in self.args)
        return rf"\mathrm{{{self.label}}}\left[{args}\right]"


def _element_position(arg, lookup: dict) -> int | None:
    if isinstance(arg, sympy.Symbol):
        return lookup.get(arg.name)
    if isinstance(arg, sympy.Number) and arg.is_real and arg.is_finite:
        return lookup.get(float(arg))
    return None


def _position_lookup(fs: FiniteSet) -> dict:
    return {(e if isinstance(e, str) else float(e)): k for k, e in enumerate(fs.elements)}


def table_lookup(label: str, entries: np.ndarray, sets: tuple[FiniteSet, ...]) -> type:
    """A TableLookup class for one player's entries (object array, one axis per set)."""
    numeric = None
    distinct = {id(e): e for e in entries.flat}  # a table repeats a few value objects
    if all(e.is_number and e.is_real and e.is_finite for e in distinct.values()):
        floats = {key: float(e) for key, e in distinct.items()}
        numeric = np.array([floats[id(e)] for e in entries.flat],
                           dtype=float).reshape(entries.shape)
        numeric.flags.writeable = False
    return type(f"table_{label}", (TableLookup,), {
        "entries": entries, "sets": tuple(sets), "label": f"table.{label}", "nargs": len(sets),
        "_numeric": numeric, "_positions": tuple(_position_lookup(s) for s in sets),
    })


def _index_variable(strategy: Strategy, taken: set[str]) -> sympy.Symbol:
    name = f"{strategy.name}_choice"
    while name in taken:
        name += "_"
    taken.add(name)
    return sympy.Symbol(name)


def table_payoff(lookup: type, strategies: list[Strategy]) -> sympy.Expr:
    """The payoff of one player: T(x, y, ...) for pure choices; for mixed strategies the
    expected value, sum over their sets of the product of probabilities times T."""
    taken = {str(e) for s in strategies for e in s.domain.elements}
    taken |= {s.name for s in strategies}
    args, factors, variables, set_names = [], [], [], []
    for strategy in strategies:
        if strategy.kind == "mixed":
            var = _index_variable(strategy, taken)
            args.append(var)
            factors.append(strategy.symbol[var])
            variables.append(var)
            set_names.append(strategy.domain.name)
        else:
            args.append(strategy.symbol)
    value = lookup(*args)
    if not variables:
        return value
    return SetAggregate("sum", sympy.Mul(*factors, value), tuple(variables), tuple(set_names))


def table_form(expr, strategies: list[Strategy]):
    """(sign, lookup class) when `expr` is a table payoff over `strategies` as
    `table_payoff` builds it (or minus it: zero_sum), else None."""
    sign = 1
    if isinstance(expr, sympy.Mul) and len(expr.args) == 2 and expr.args[0] == -1:
        sign, expr = -1, expr.args[1]
    lookup = expr if isinstance(expr, TableLookup) else None
    if isinstance(expr, SetAggregate):
        found = [f for f in sympy.Mul.make_args(expr.body) if isinstance(f, TableLookup)]
        lookup = found[0] if len(found) == 1 else None
    if lookup is None or expr != table_payoff(type(lookup), strategies):
        return None
    return sign, type(lookup)


def value_at(lookup: type, sign: int, profile) -> sympy.Expr:
    """The entry (times sign) at a profile of set elements."""
    positions = tuple(lookup._positions[k][e if isinstance(e, str) else float(e)]
                      for k, e in enumerate(profile))
    entry = lookup.entries[positions]
    return -entry if sign < 0 else entry


def expanded_form(lookup: type, strategies: list[Strategy]) -> sympy.Expr:
    """The table as a sum of entry x indicator (or x probability) terms: for display of
    small tables only (this is the slow form the array replaces)."""
    from gamespec.language.symbols import indicator

    total = []
    for index, entry in np.ndenumerate(lookup.entries):
        factors = []
        for strategy, k in zip(strategies, index):
            element = element_expr(strategy.domain.elements[k])
            factors.append(strategy.symbol[element] if strategy.kind == "mixed"
                           else indicator(sympy.Eq(strategy.symbol, element)))
        total.append(entry * sympy.Mul(*factors))
    return sympy.Add(*total)
