"""The Model: names resolved, sets and data loaded, payoffs and constraints as SymPy.

Backends read only this (never the parse tree). Every part keeps the span it came from so
that later stages can report located errors.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from gamespec.errors import Span
from gamespec.game_tree import GameTree
from gamespec.network_model import Network


@dataclass(frozen=True)
class FiniteSet:
    """An ordered finite set of numbers or symbolic names."""

    name: str
    elements: tuple  # python floats/ints, or str for symbolic elements
    span: Span = field(compare=False, repr=False)

    @property
    def symbolic(self) -> bool:
        return any(isinstance(e, str) for e in self.elements)

    def __len__(self) -> int:
        return len(self.elements)

    def values(self) -> np.ndarray:
        """Element values as an array: float for numbers, object (str) for symbols."""
        if self.symbolic:
            return np.array(self.elements, dtype=object)
        return np.asarray(self.elements, dtype=float)

    def position(self, element) -> int | None:
        try:
            return self.elements.index(element)
        except ValueError:
            return None

    @property
    def label(self) -> str:
        """The set as messages name it: its name, or its elements for a set written in
        place (whose internal name, `_LINE_COL`, means nothing to a user)."""
        core = self.name.rstrip("+")  # `_LINE_COL+`: update rounds and the one after
        anonymous = core.startswith("_") and core[1:].replace("_", "").isdigit()
        return self.describe() if anonymous else self.name

    def describe(self) -> str:
        if len(self.elements) <= 6:
            return "{" + ", ".join(_fmt(e) for e in self.elements) + "}"
        head = ", ".join(_fmt(e) for e in self.elements[:3])
        return f"{{{head}, ..., {_fmt(self.elements[-1])}}} ({len(self.elements)} elements)"


@dataclass(frozen=True)
class IntervalDomain:
    """A closed interval [low, high] of reals (bounds are SymPy expressions)."""

    low: sympy.Expr
    high: sympy.Expr
    span: Span = field(compare=False, repr=False)

    def describe(self) -> str:
        return f"[{self.low}, {self.high}]"


@dataclass(frozen=True)
class Param:
    """A parameter: scalar (value may be None when symbolic) or an indexed numeric table."""

    name: str
    symbol: sympy.Symbol | sympy.IndexedBase
    value: float | None
    index_sets: tuple[FiniteSet, ...] = ()
    array: np.ndarray | None = None
    span: Span = field(default=None, compare=False, repr=False)
    admissible: tuple[float, float] | None = None  # param p = 0.9 in [0, 1]


@dataclass(frozen=True)
class LetDef:
    """A named expression; indexed ones are written with the binder variables free."""

    name: str
    symbol: sympy.Symbol | sympy.IndexedBase
    variables: tuple[sympy.Symbol, ...]
    index_sets: tuple[FiniteSet, ...]
    expr: sympy.Expr
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Strategy:
    """One strategy variable of a player.

    kind: "choice" (pure choice from a finite set), "interval" (continuous) or "mixed"
    (a distribution over a finite set). `condition_sets` condition the strategy on an index
    (f[r in R] over S is one distribution over S per r). For a family, the member index
    comes first in `symbol`'s indices.
    """

    player: str
    name: str
    kind: str
    domain: FiniteSet | IntervalDomain
    condition_sets: tuple[FiniteSet, ...]
    symbol: sympy.Symbol | sympy.IndexedBase
    span: Span = field(compare=False, repr=False)

    @property
    def indexed(self) -> bool:
        return isinstance(self.symbol, sympy.IndexedBase)


@dataclass(frozen=True)
class Constraint:
    name: str
    player: str
    variables: tuple[sympy.Symbol, ...]
    index_sets: tuple[FiniteSet, ...]
    relation: sympy.Rel
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class MeanField:
    """field s2 = mean sigma^2: the mean over the other members of `body` (own strategy)."""

    name: str
    symbol: sympy.Symbol
    body: sympy.Expr
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Player:
    """kind: single, family (members indexed by `member_set`) or population (size expr)."""

    name: str
    kind: str
    strategies: tuple[Strategy, ...]
    constraints: tuple[Constraint, ...] = ()
    member_var: sympy.Symbol | None = None
    member_set: FiniteSet | None = None
    population_size: sympy.Expr | None = None
    types: tuple[sympy.Symbol, FiniteSet, sympy.Expr] | None = None
    fields: tuple[MeanField, ...] = ()
    span: Span = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Payoff:
    player: str
    variables: tuple[sympy.Symbol, ...]
    index_sets: tuple[FiniteSet, ...]
    expr: sympy.Expr
    span: Span = field(compare=False, repr=False)
    implied: bool = False  # the second payoff of a zero-sum game


@dataclass(frozen=True)
class FixedProfile:
    name: str
    assignments: tuple[tuple[str, tuple[sympy.Symbol, ...], tuple[FiniteSet, ...], sympy.Expr], ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Selection:
    kind: str  # max, min, first
    payoff_of: str | None
    target: sympy.Expr | None
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class StageGame:
    """A finite stage game: players in order, each with one finite set of pure choices, and
    every pure profile's payoffs as SymPy expressions (parameters by name)."""

    name: str  # the alias of `stage NAME = "file"`, or "" for the spec's own game
    players: tuple[str, ...]
    choices: tuple[tuple, ...]  # per player: its elements (str or number)
    payoffs: dict[tuple, tuple[sympy.Expr, ...]]  # profile -> one payoff per player
    path: str = ""
    span: Span = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class TriggerStrategy:
    """`strategy [LABEL:] KIND [detect Q]` in a repeated block (kind: grim, tit_for_tat)."""

    name: str
    kind: str
    detect: sympy.Expr | None  # probability that a deviation is detected (None: always)
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Repeated:
    discount: sympy.Expr | None
    values: tuple[tuple[sympy.Symbol, sympy.Expr], ...]  # V = rhs
    conditions: tuple[tuple[str, sympy.Basic], ...]
    span: Span = field(compare=False, repr=False)
    stage: str | None = None  # `stage NAME`: an imported stage game; None: the spec's own
    sustain: tuple | None = None  # the path profile (elements, players in order)
    punish: tuple | None = None  # the punishment profile; None: the unique pure equilibrium
    strategies: tuple[TriggerStrategy, ...] = ()
    spans: dict[str, Span] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Dynamics:
    index: sympy.Symbol
    domain: IntervalDomain
    coordinates: tuple[sympy.Function, ...]  # applied: u_a(t)
    lagrangian: sympy.Expr | None
    initial: tuple[tuple[sympy.Function, int, sympy.Expr], ...]  # (u(t), order, value)
    span: Span = field(compare=False, repr=False)
    claims: tuple[sympy.Eq, ...] = ()  # equations of motion stated elsewhere, to check
    claimed_lagrangian: sympy.Expr | None = None


@dataclass(frozen=True)
class UpdateRules:
    index: sympy.Symbol
    rounds: FiniteSet
    rules: tuple[tuple[str, sympy.Expr, sympy.Expr], ...]  # (target, at, value)
    initial: tuple[tuple[str, sympy.Expr, sympy.Expr], ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Report:
    """report NAME = expr: a quantity evaluated at the solution and at every named profile."""

    name: str
    expr: sympy.Expr
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Check:
    """check NAME: condition: must hold at the solution and at every named profile."""

    name: str
    condition: sympy.Basic
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Claim:
    """claim NAME: ... a statement from elsewhere (a paper), checked, not trusted.

    kind: "relation" (lhs REL rhs, or a condition when rhs is None), or "best_response"
    (player's best response = lhs, over the grid `over`: (symbol, domain) pairs)."""

    name: str
    kind: str
    lhs: sympy.Basic
    rhs: sympy.Basic | None = None
    relation: str = "=="
    player: str | None = None
    over: tuple[tuple[sympy.Symbol, Any], ...] = ()
    span: Span = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Experiment:
    """experiment NAME using PLUGIN { ... }: options as written (numbers, strings, and
    `DataRef` for a bare name of a data table), run only by `gamespec experiment`."""

    name: str
    plugin: str
    options: dict[str, Any]
    spans: dict[str, Span] = field(compare=False, repr=False)  # option name -> span
    span: Span = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class DataRef:
    """A bare name in an experiment option that names a data table."""

    name: str


@dataclass
class Model:
    """A resolved game. Built by `model_builder.build_model`; treat as read-only."""

    title: str
    path: str
    source: str
    sha256: str
    params: dict[str, Param]
    sets: dict[str, FiniteSet]
    data: dict[str, Any]
    lets: dict[str, LetDef]
    players: dict[str, Player]
    payoffs: dict[str, Payoff]
    common_payoff: sympy.Expr | None
    zero_sum_declared: bool
    order: tuple[tuple[str, ...], ...]  # groups, each simultaneous, in order of moves
    order_declared: bool
    profiles: dict[str, FixedProfile]
    selection: Selection | None
    repeated: Repeated | None
    dynamics: Dynamics | None
    updates: UpdateRules | None
    solve_method: str | None
    solve_options: dict[str, Any]
    table_declared: bool = False
    spans: dict[str, Span] = field(default_factory=dict)
    overrides: dict[str, float] = field(default_factory=dict)
    columns: dict[str, Any] = field(default_factory=dict)  # "table.col" -> (base, rows, values)
    elements: dict[str, FiniteSet] = field(default_factory=dict)  # symbolic element -> its set
    reports: tuple[Report, ...] = ()  # report / check / claim statements, in spec order
    checks: tuple[Check, ...] = ()
    claims: tuple[Claim, ...] = ()
    experiments: dict[str, Experiment] = field(default_factory=dict)  # run by `experiment`
    update_profiles: dict[str, UpdateRules] = field(default_factory=dict)  # update "NAME"
    tree: GameTree | None = None  # a `tree` block, or the tree an `order` over choices means
    stages: dict[str, StageGame] = field(default_factory=dict)  # stage NAME = "file.game"
    network: Network | None = None  # a congestion network (`network` block)

    # ---------------------------------------------------------------- helpers
    def strategies(self) -> list[Strategy]:
        return [s for p in self.players.values() for s in p.strategies]

    def scalar_values(self) -> dict[sympy.Symbol, float]:
        """Numeric values of every scalar parameter that has one."""
        return {
            p.symbol: p.value
            for p in self.params.values()
            if not p.index_sets and p.value is not None
        }

    def free_params(self) -> list[str]:
        """Scalar parameters without a value (symbolic only)."""
        return [p.name for p in self.params.values() if not p.index_sets and p.value is None]

    def payoff_of(self, player: str) -> sympy.Expr:
        if player in self.payoffs:
            return self.payoffs[player].expr
        if self.common_payoff is not None:
            return self.common_payoff
        raise KeyError(player)

    def expand_lets(self, expr: sympy.Expr, depth: int = 0) -> sympy.Expr:
        """Replace let-defined names by their definitions (recursively)."""
        if depth > 50:
            return expr
        replacements = {}
        for let in self.lets.values():
            if not let.variables:
                if let.symbol in expr.free_symbols:
                    replacements[let.symbol] = let.expr
            else:
                for item in expr.atoms(sympy.Indexed):
                    if item.base == let.symbol:
                        replacements[item] = let.expr.subs(dict(zip(let.variables, item.indices)))
        if not replacements:
            return expr
        return self.expand_lets(expr.xreplace(replacements), depth + 1)


def _fmt(element) -> str:
    if isinstance(element, float) and element.is_integer():
        return str(int(element))
    return str(element)
