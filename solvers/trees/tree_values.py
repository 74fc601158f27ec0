"""A model's game tree with numbers for values: parameters substituted, then Fractions
where exact and floats otherwise (what the tree solvers take)."""
from __future__ import annotations

from fractions import Fraction

import sympy

from gamespec.errors import SolverError
from gamespec.game_tree import GameTree, as_number
from gamespec.model import Model

MAX_DENOMINATOR = 10**6


def numeric_tree(model: Model) -> GameTree:
    """model.tree with every parameter replaced by its value (SolverError if one has none).
    Values are Fractions when every one of them is (or is the double nearest to) a rational
    with a denominator up to MAX_DENOMINATOR, as for finite games; else floats."""
    values = {s: _decimal(v) for s, v in model.scalar_values().items()}

    def number(value):
        if isinstance(value, sympy.Basic):
            value = value.xreplace(values)
            if not value.is_number:
                names = ", ".join(sorted(s.name for s in value.free_symbols))
                raise SolverError(f"the game tree's payoffs depend on parameters without "
                                  f"values: {names}",
                                  hint="give them values (--set NAME=VALUE); `gamespec derive` "
                                  "works with them symbolically")
        return as_number(value)

    if all(isinstance(v, (Fraction, int)) for n in model.tree.nodes
           for v in (*n.probabilities, *n.payoffs)):
        return model.tree  # already exact numbers (e.g. read from an .efg file)
    tree = model.tree.map_values(number)
    cache: dict[float, Fraction] = {}
    for node in tree.nodes:
        for x in (*node.probabilities, *node.payoffs):
            if isinstance(x, float) and x not in cache:
                f = Fraction(x).limit_denominator(MAX_DENOMINATOR)
                if float(f) != x:
                    return tree.map_values(float)
                cache[x] = f
    return tree.map_values(lambda x: cache[x] if isinstance(x, float) else x)


def _decimal(value: float) -> sympy.Rational:
    """A parameter's value as the rational its shortest decimal form names (0.9 -> 9/10),
    so that 1 - 0.9 stays 1/10 in the tree."""
    fraction = Fraction(repr(float(value)))
    return sympy.Rational(fraction.numerator, fraction.denominator)


def is_tree(model: Model) -> tuple[bool, str]:
    if model.tree is None:
        return False, "needs a game tree (a `tree` block, or an order over pure choices)"
    return True, ""
