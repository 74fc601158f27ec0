"""The items of a `tree` block after name resolution: sets resolved, SymPy expressions
built, ready to be played out by gamespec.language.tree_play."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy

from gamespec.errors import Span
from gamespec.model import FiniteSet

# An explicit branch: (move label, probability expression or None, body items, span)
Branch = tuple[str, Any, tuple, Span]


@dataclass(frozen=True)
class RChance:
    """A chance move: over `domain` with `probability` in `symbol`, or explicit branches."""

    var: str | None
    symbol: sympy.Symbol | None
    domain: FiniteSet | None
    probability: sympy.Expr | None
    branches: tuple[Branch, ...]
    label: str | None
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class RMove:
    """A player's move over `domain` (binding `symbol`), or with explicit branches.
    sees: None = everything so far, else the variables observed."""

    player: str
    var: str | None
    symbol: sympy.Symbol | None
    domain: FiniteSet | None
    label: str | None
    sees: tuple[str, ...] | None
    branches: tuple[Branch, ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class RPayoff:
    values: tuple[sympy.Expr, ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class TreeEndItem:
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class RIf:
    condition: sympy.Basic
    then: tuple
    otherwise: tuple
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class RFor:
    var: str
    symbol: sympy.Symbol
    domain: FiniteSet
    items: tuple
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class RTrack:
    name: str
    symbol: sympy.Symbol
    value: sympy.Expr
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class RLoopStep:
    """Internal: enter one round of a loop (bind its variable), or leave the loop
    (element None)."""

    symbol: sympy.Symbol
    element: Any
    span: Span = field(compare=False, repr=False)
