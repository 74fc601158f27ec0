"""The items of a derivation that are neither a SymPy object nor prose: a formula written
by hand in both forms, and a small payoff table (a matrix in LaTeX)."""
from __future__ import annotations

from dataclasses import dataclass

import sympy

from gamespec.payoff_table import value_at


@dataclass(frozen=True)
class Formula:
    """A derivation item written by hand in both forms (e.g. a linear program's rows)."""

    plain: str
    latex: str


@dataclass(frozen=True)
class PayoffTable:
    """A small payoff table: `expr` written out as entry x indicator terms (plain text);
    LaTeX sets it as a matrix over the strategies' elements."""

    sign: int
    lookup: type
    strategies: tuple
    expr: sympy.Expr

    def value(self, profile) -> sympy.Expr:
        """The entry (times sign) at a profile of set elements."""
        return value_at(self.lookup, self.sign, profile)
