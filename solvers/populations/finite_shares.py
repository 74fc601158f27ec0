"""A game of non-atomic populations over finite choices, read from a Model.

Each population is a continuum of members choosing from a finite set; the unknown is the
share of each population on each choice (a point of a simplex). A `field F = mean BODY`
is, in this limit, the share-weighted mean of BODY over the choices: F = sum_c x_c BODY(c)
(a member's own choice does not move it). Each choice's payoff becomes a SymPy expression
in the fields, through the one lowering (`gamespec.lowering.fold`); decimal numbers are
read as the rationals they spell (0.6 -> 3/5) so that the support equations solve exactly.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy

from gamespec.errors import GamespecError, Span, SpecError
from gamespec.language.symbols import element_expr
from gamespec.lowering import NON_FINITE, fold, to_numpy
from gamespec.model import FiniteSet, Model, Player

MAX_CHOICES = 12  # choices per population (every support of each is enumerated)
MAX_SUPPORTS = 4096  # combinations of supports over all populations


@dataclass(frozen=True)
class SharePopulation:
    """One population: its name, its choice variable, its choices (labels and elements)."""

    name: str
    variable: sympy.Symbol
    labels: tuple[str, ...]
    elements: tuple[sympy.Expr, ...]
    size: float


@dataclass(frozen=True)
class ShareField:
    """field NAME = mean BODY of population `population`: BODY's value at each choice."""

    name: str
    symbol: sympy.Symbol
    population: int
    weights: tuple[sympy.Expr, ...]


@dataclass(frozen=True)
class ShareGame:
    """payoffs[p][c]: the payoff of a member of population p who chooses c, in the fields.
    `exact`: every payoff is a rational function of the fields with rational numbers."""

    populations: tuple[SharePopulation, ...]
    fields: tuple[ShareField, ...]
    payoffs: tuple[tuple[sympy.Expr, ...], ...]
    exact: bool
    numeric: tuple[tuple[Callable, ...], ...]

    def field_values(self, shares: list[np.ndarray]) -> list[np.ndarray]:
        """Each field at shares (shares[p]: array [..., k_p]), as arrays [...]."""
        return [shares[f.population] @ np.array([float(w) for w in f.weights])
                for f in self.fields]

    def choice_payoffs(self, shares: list[np.ndarray]) -> list[np.ndarray]:
        """Per population, the payoff of each choice at shares: arrays [..., k_p]."""
        values = self.field_values(shares)
        shape = np.shape(shares[0])[:-1]
        out = []
        with np.errstate(all="ignore"):
            for row in self.numeric:
                out.append(np.stack([np.broadcast_to(np.asarray(fn(*values), float), shape)
                                     for fn in row], axis=-1))
        return out

    def field_exprs(self, shares: list[list[sympy.Expr]]) -> dict[sympy.Symbol, sympy.Expr]:
        """Each field's symbol -> its value at symbolic shares."""
        return {f.symbol: sympy.Add(*[x * w for x, w in zip(shares[f.population], f.weights)])
                for f in self.fields}


def rational(expr: sympy.Basic) -> sympy.Basic:
    """Floats replaced by the rationals their shortest decimal spells (0.6 -> 3/5)."""
    floats = {f: sympy.Rational(Fraction(repr(float(f)))) for f in expr.atoms(sympy.Float)
              if math.isfinite(float(f)) and len(repr(float(f))) <= 17}
    return expr.xreplace(floats) if floats else expr


def finite_populations(model: Model) -> list[Player]:
    """Populations whose member makes one choice from a finite set."""
    return [p for p in model.players.values() if p.kind == "population"
            and len(p.strategies) == 1 and isinstance(p.strategies[0].domain, FiniteSet)]


def refusal(model: Model) -> tuple[str, Span | None] | None:
    """Why the model is not a game of finite-choice populations alone (None if it is)."""
    players = list(model.players.values())
    pops = finite_populations(model)
    if not pops:
        return "needs a population choosing from a finite set", None
    others = [p for p in players if p not in pops]
    if others:
        return (f"`{others[0].name}` is not a population over finite choices (populations "
                "over finite choices are solved alone)"), others[0].span
    if model.tree is not None or model.dynamics or model.updates or model.repeated:
        return "the spec also has a tree, dynamics, repeated play or update rules", None
    if model.order_declared and len(model.order) > 1:
        return "populations over finite choices move simultaneously (drop the `order`)", None
    if model.free_params():
        return "parameters without values: " + ", ".join(model.free_params()), None
    big = [p for p in pops if len(p.strategies[0].domain) > MAX_CHOICES]
    if big:
        return (f"`{big[0].name}` has {len(big[0].strategies[0].domain)} choices; at most "
                f"{MAX_CHOICES} (every support is enumerated)"), big[0].span
    supports = math.prod(2 ** len(p.strategies[0].domain) - 1 for p in pops)
    if supports > MAX_SUPPORTS:
        return f"{supports} combinations of supports; at most {MAX_SUPPORTS}", None
    names = [f.name for p in pops for f in p.fields]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        return f"two fields are called `{twice}`", None
    return None


def share_game(model: Model, keep_parameters: bool = False) -> ShareGame:
    """The populations, fields and per-choice payoffs of `model` (which `refusal` accepts);
    a payoff that cannot be lowered raises a located SolverError. `keep_parameters`: scalar
    parameters stay symbols in the payoffs (for `derive`; no numeric functions then)."""
    kept = [p.symbol for p in model.params.values() if not p.index_sets] \
        if keep_parameters else []
    pops = finite_populations(model)
    populations = tuple(SharePopulation(
        p.name, p.strategies[0].symbol, tuple(str(e) for e in p.strategies[0].domain.elements),
        tuple(element_expr(e) for e in p.strategies[0].domain.elements),
        _size(model, p)) for p in pops)
    choice_vars = {pop.variable: pop for pop in populations}
    fields = []
    for k, (pop, player) in enumerate(zip(populations, pops)):
        for f in player.fields:
            body = model.expand_lets(f.body)
            _only_own(body, pop, choice_vars, f"field `{f.name}`", f.span)
            weights = tuple(rational(fold(model, body.xreplace({pop.variable: e}), [],
                                          span=f.span)) for e in pop.elements)
            bad = [w for w in weights if not (w.is_number and w.is_finite)]
            if bad:
                raise SpecError(f"field `{f.name}` is not a finite number at every choice "
                                f"({sympy.sstr(bad[0])})", span=f.span)
            fields.append(ShareField(f.name, f.symbol, k, weights))
    symbols = [f.symbol for f in fields]
    payoffs, numeric = [], []
    for pop, player in zip(populations, pops):
        span = model.payoffs[pop.name].span if pop.name in model.payoffs else player.span
        expr = model.expand_lets(model.payoff_of(pop.name))
        _only_own(expr, pop, choice_vars, f"the payoff of `{pop.name}`", span)
        row = tuple(rational(fold(model, expr.xreplace({pop.variable: e}), symbols, kept,
                                  span=span)) for e in pop.elements)
        for value in row:
            extra = value.free_symbols - set(symbols) - set(kept) - set(NON_FINITE)
            if extra:
                raise SpecError(f"the payoff of `{pop.name}` depends on "
                                f"{', '.join(sorted(map(str, extra)))}, which has no value "
                                "for a population over finite choices", span=span)
        payoffs.append(row)
        if not keep_parameters:
            numeric.append(tuple(to_numpy(symbols, v, span=span) for v in row))
    exact = all(_is_rational(v, symbols + kept) for row in payoffs for v in row)
    return ShareGame(populations, tuple(fields), tuple(payoffs), exact, tuple(numeric))


def _only_own(expr: sympy.Basic, pop: SharePopulation, choice_vars: dict, what: str,
              span: Span | None) -> None:
    """A field or payoff of a population may use its own member's choice only."""
    for var, other in choice_vars.items():
        if other is not pop and var in expr.free_symbols:
            raise SpecError(f"{what} uses `{var}`, the choice of a member of `{other.name}`",
                            span=span, hint=f"use a field of `{other.name}` (field NAME = "
                                            f"mean [{var} == ...]) for its shares")


def _size(model: Model, player: Player) -> float:
    try:
        return float(player.population_size.xreplace(model.scalar_values()))
    except (TypeError, GamespecError):
        return math.nan


def _is_rational(expr: sympy.Expr, symbols: list[sympy.Symbol]) -> bool:
    if expr.atoms(sympy.Float) or expr.free_symbols & set(NON_FINITE):
        return False
    try:
        return bool(expr.is_rational_function(*symbols)) and all(
            a.is_Rational for a in expr.atoms(sympy.Number))
    except (TypeError, ValueError):
        return False
