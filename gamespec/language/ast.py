"""The abstract syntax tree of a spec: frozen dataclasses, each keeping its source span."""
from __future__ import annotations

from dataclasses import dataclass, field

from gamespec.errors import Span


@dataclass(frozen=True)
class Node:
    span: Span = field(compare=False, repr=False)


# ------------------------------------------------------------------ expressions
@dataclass(frozen=True)
class Expr(Node):
    pass


@dataclass(frozen=True)
class Num(Expr):
    text: str  # exact decimal text; percentages are already divided by 100 by the builder
    percent: bool = False


@dataclass(frozen=True)
class Name(Expr):
    name: str


@dataclass(frozen=True)
class Primed(Expr):
    """A derivative with respect to the dynamics index: u' (one prime per order)."""

    name: str
    order: int


@dataclass(frozen=True)
class Indexed(Expr):
    name: str
    indices: tuple[Expr, ...]


@dataclass(frozen=True)
class Column(Expr):
    """A data column, optionally indexed by row key: regions.p or regions.p[r]."""

    table: str
    column: str
    indices: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class Call(Expr):
    func: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Binder(Node):
    var: str
    domain: SetExpr


@dataclass(frozen=True)
class Aggregate(Expr):
    """sum/prod/max/min/mean over binders, with an optional filter; count has no body."""

    kind: str
    binders: tuple[Binder, ...]
    condition: Expr | None
    body: Expr | None


@dataclass(frozen=True)
class Indicator(Expr):
    condition: Expr


@dataclass(frozen=True)
class BinOp(Expr):
    op: str  # + - * / ^
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Neg(Expr):
    operand: Expr


@dataclass(frozen=True)
class Compare(Expr):
    op: str  # <= >= == != < >
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Logic(Expr):
    op: str  # and / or
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Not(Expr):
    operand: Expr


@dataclass(frozen=True)
class IfElse(Expr):
    condition: Expr
    then: Expr
    otherwise: Expr


# ------------------------------------------------------------------ sets
@dataclass(frozen=True)
class SetExpr(Node):
    pass


@dataclass(frozen=True)
class SetRef(SetExpr):
    name: str


@dataclass(frozen=True)
class SetColumn(SetExpr):
    table: str
    column: str


@dataclass(frozen=True)
class SetLiteral(SetExpr):
    elements: tuple[str | Num, ...]  # a str is a symbolic element


@dataclass(frozen=True)
class RangeSet(SetExpr):
    low: Expr
    high: Expr


@dataclass(frozen=True)
class Interval(SetExpr):
    low: Expr
    high: Expr


@dataclass(frozen=True)
class ScaledSet(SetExpr):
    base: SetExpr
    op: str  # * or /
    factor: Expr


# ------------------------------------------------------------------ statements
@dataclass(frozen=True)
class Stmt(Node):
    pass


@dataclass(frozen=True)
class GameStmt(Stmt):
    title: str


@dataclass(frozen=True)
class ParamStmt(Stmt):
    name: str
    binders: tuple[Binder, ...]
    value: Expr | None
    admissible: Interval | None


@dataclass(frozen=True)
class SetStmt(Stmt):
    name: str
    domain: SetExpr


@dataclass(frozen=True)
class DataArg(Node):
    key: str | None  # None for a positional argument
    value: object  # str (a string literal), tuple[str, ...] (a name list) or Expr


@dataclass(frozen=True)
class DataStmt(Stmt):
    name: str
    source: str  # csv, dataset, or a stdlib data transform
    args: tuple[DataArg, ...]


@dataclass(frozen=True)
class LetStmt(Stmt):
    name: str
    binders: tuple[Binder, ...]
    value: Expr


@dataclass(frozen=True)
class ChooseItem(Node):
    name: str
    binders: tuple[Binder, ...]
    domain: SetExpr


@dataclass(frozen=True)
class MixedItem(Node):
    name: str
    binders: tuple[Binder, ...]
    domain: SetExpr


@dataclass(frozen=True)
class ConstraintItem(Node):
    name: str | None
    binders: tuple[Binder, ...]
    relation: Expr


@dataclass(frozen=True)
class TypesItem(Node):
    var: str
    domain: SetExpr
    prior: Expr


@dataclass(frozen=True)
class FieldItem(Node):
    name: str
    body: Expr


@dataclass(frozen=True)
class PlayerStmt(Stmt):
    """A player; `kind` is single, family (players i in I) or population (of N)."""

    name: str
    kind: str
    items: tuple[Node, ...]
    family: Binder | None = None  # players i in I: the member index and its set
    population_size: Expr | None = None


@dataclass(frozen=True)
class PayoffStmt(Stmt):
    player: str
    binders: tuple[Binder, ...]
    value: Expr


@dataclass(frozen=True)
class CommonPayoffStmt(Stmt):
    value: Expr


@dataclass(frozen=True)
class ZeroSumStmt(Stmt):
    pass


@dataclass(frozen=True)
class TableRow(Node):
    keys: tuple[str | Num, ...]
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class TableStmt(Stmt):
    rows: tuple[TableRow, ...]


@dataclass(frozen=True)
class TreeBranch(Node):
    """One move of an explicit chance or decision node, with its body (items)."""

    move: str
    probability: Expr | None
    body: tuple[Node, ...]


@dataclass(frozen=True)
class TreeChance(Node):
    """chance VAR in SET with PROBABILITY (written in VAR), or explicit branches."""

    var: str | None
    domain: SetExpr | None
    probability: Expr | None
    branches: tuple[TreeBranch, ...] = ()
    label: str | None = None


@dataclass(frozen=True)
class TreeMove(Node):
    """PLAYER [at LABEL] [sees ...] chooses VAR in SET, or chooses [VAR] { branches }.

    sees: None when the mover sees everything so far; () for `sees nothing`."""

    player: str
    var: str | None
    domain: SetExpr | None
    label: str | None
    sees: tuple[str, ...] | None
    branches: tuple[TreeBranch, ...] = ()


@dataclass(frozen=True)
class TreePayoff(Node):
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class TreeEnd(Node):
    pass


@dataclass(frozen=True)
class TreeIf(Node):
    condition: Expr
    then: tuple[Node, ...]
    otherwise: tuple[Node, ...] = ()


@dataclass(frozen=True)
class TreeFor(Node):
    var: str
    domain: SetExpr
    items: tuple[Node, ...]


@dataclass(frozen=True)
class TreeTrack(Node):
    """track NAME = expr: a number carried along the play."""

    name: str
    value: Expr


@dataclass(frozen=True)
class TreeStmt(Stmt):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class OrderGroup(Node):
    names: tuple[str, ...]
    simultaneous: bool


@dataclass(frozen=True)
class OrderStmt(Stmt):
    groups: tuple[OrderGroup, ...]


@dataclass(frozen=True)
class ProfileAssign(Node):
    name: str
    binders: tuple[Binder, ...]
    value: Expr


@dataclass(frozen=True)
class ProfileStmt(Stmt):
    name: str
    assignments: tuple[ProfileAssign, ...]
    binders: tuple[Binder, ...] = ()


@dataclass(frozen=True)
class ReportStmt(Stmt):
    name: str
    value: Expr


@dataclass(frozen=True)
class CheckStmt(Stmt):
    name: str
    condition: Expr


@dataclass(frozen=True)
class ClaimStmt(Stmt):
    """claim NAME: condition, or claim NAME: best response PLAYER = value over binders."""

    name: str
    condition: Expr | None = None
    player: str | None = None
    response: Expr | None = None
    over: tuple[Binder, ...] = ()


@dataclass(frozen=True)
class SelectStmt(Stmt):
    """kind: max, min or first; target: a player's payoff name or an expression."""

    kind: str
    payoff_of: str | None = None
    target: Expr | None = None


@dataclass(frozen=True)
class StrategyItem(Node):
    """`strategy [LABEL:] KIND [detect EXPR]` in a repeated block."""

    name: str
    kind: str
    detect: Expr | None = None


@dataclass(frozen=True)
class RepeatedStmt(Stmt):
    discount: Expr | None
    values: tuple[tuple[str, Expr, Span], ...]
    conditions: tuple[tuple[str, Expr, Span], ...]
    stage: tuple[str, Span] | None = None
    sustain: tuple[tuple, Span] | None = None  # (table keys, span)
    punish: tuple[tuple, Span] | None = None
    strategies: tuple[StrategyItem, ...] = ()


@dataclass(frozen=True)
class StageStmt(Stmt):
    """stage NAME = "file.game": a finite stage game read from another spec file."""

    name: str
    path: str


@dataclass(frozen=True)
class InitialValue(Node):
    name: str
    order: int  # 0 for the coordinate, 1 for its derivative
    value: Expr


@dataclass(frozen=True)
class DynamicsStmt(Stmt):
    index: str
    domain: Interval
    coordinates: tuple[str, ...]
    lagrangian: Expr | None
    initial: tuple[InitialValue, ...]
    claims: tuple[Expr, ...] = ()
    claimed_lagrangian: Expr | None = None


@dataclass(frozen=True)
class UpdateRule(Node):
    target: str
    at: Expr
    value: Expr


@dataclass(frozen=True)
class UpdateStmt(Stmt):
    index: str
    domain: SetExpr
    rules: tuple[UpdateRule, ...]
    initial: tuple[UpdateRule, ...]
    name: str | None = None  # update "NAME" over ...: a profile, not the spec's own rules


@dataclass(frozen=True)
class SolveStmt(Stmt):
    method: str | None
    options: tuple[tuple[str, object, Span], ...]  # value: Expr or str


@dataclass(frozen=True)
class ExperimentStmt(Stmt):
    """experiment NAME using PLUGIN { key = value ... }: run by `gamespec experiment`."""

    name: str
    plugin: str
    options: tuple[tuple[str, object, Span], ...]  # value: Expr or str


@dataclass(frozen=True)
class Spec(Node):
    path: str
    source: str
    statements: tuple[Stmt, ...]
