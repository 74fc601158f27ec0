"""Classify a Model: order-of-play graph, finite/continuous, zero-sum, common interest,
potential, linearity in the strategy variables, static/dynamic."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import sympy

from gamespec.errors import GamespecError, SpecError
from gamespec.language.symbols import SetAggregate, is_zero
from gamespec.model import FiniteSet, IntervalDomain, Model
from gamespec.normal_form import build_normal_form, potential_function, pure_strategy_count

if TYPE_CHECKING:
    import networkx as nx

ENUMERATION_LIMIT = 200_000


@dataclass(frozen=True)
class Classification:
    """What `classify` found. `zero_sum` is True when two players' payoffs sum to the same
    constant at every profile (strictly competitive by sum: a constant-sum game is a zero-sum
    game shifted by a constant, and has the same equilibria); `constant_sum` is that constant
    (0.0 for a zero-sum game in the narrow sense, None when the sum is not known to be
    constant)."""

    players: tuple[str, ...]
    strategy_spaces: dict[str, str]
    order_graph: nx.DiGraph = field(compare=False, repr=False)
    order: tuple[tuple[str, ...], ...]
    leaders: tuple[str, ...]
    followers: tuple[str, ...]
    populations: tuple[str, ...]
    families: tuple[str, ...]
    finite: bool
    continuous: bool
    dynamic: bool
    mixed: bool
    conditioned: bool
    zero_sum: bool | None
    common_interest: bool
    potential: bool | None
    linearity: str
    pure_profiles: int | None
    notes: tuple[str, ...] = ()
    constant_sum: float | None = None
    tree: dict | None = None  # GameTree.size() of a game tree, else None

    @property
    def sequential(self) -> bool:
        return len(self.order) > 1

    @property
    def sum_kind(self) -> str | None:
        """"zero-sum", "constant-sum (c = 2)", or None when the sum is not constant."""
        if not self.zero_sum:
            return None
        if self.constant_sum is None or self.constant_sum == 0:
            return "zero-sum"
        return f"constant-sum (c = {self.constant_sum:g})"

    def as_dict(self) -> dict:
        return {
            "players": list(self.players),
            "strategy_spaces": dict(self.strategy_spaces),
            "order": [list(g) for g in self.order],
            "leaders": list(self.leaders),
            "followers": list(self.followers),
            "populations": list(self.populations),
            "families": list(self.families),
            "finite": self.finite,
            "continuous": self.continuous,
            "dynamic": self.dynamic,
            "mixed": self.mixed,
            "conditioned": self.conditioned,
            "zero_sum": self.zero_sum,
            "constant_sum": self.constant_sum,
            "common_interest": self.common_interest,
            "potential": self.potential,
            "linearity": self.linearity,
            "pure_profiles": self.pure_profiles,
            "notes": list(self.notes),
            **({"tree": self.tree} if self.tree is not None else {}),
        }


def order_graph(model: Model) -> nx.DiGraph:
    """Players as nodes; an edge a -> b when a moves before b (b observes a)."""
    import networkx as nx  # slow to import: only when a graph is asked for

    graph = nx.DiGraph()
    graph.add_nodes_from(model.players)
    for earlier, later in zip(model.order, model.order[1:]):
        for a in earlier:
            for b in later:
                graph.add_edge(a, b)
    if not nx.is_directed_acyclic_graph(graph):
        cycle = nx.find_cycle(graph)
        raise SpecError(f"the order of play has a cycle: {cycle}", span=model.spans.get(cycle[0][0]))
    return graph


class _OrderGraph:
    """`order_graph(model)`, built (and networkx imported) when first used."""

    def __init__(self, model: Model) -> None:
        self._model, self._graph = model, None
        moves = [player for group in model.order for player in set(group)]
        if len(moves) != len(set(moves)):  # a player moves twice: there may be a cycle
            self._graph = order_graph(model)

    def __getattr__(self, name: str):
        if name.startswith("_"):  # not built here (copy and pickle look these up)
            raise AttributeError(name)
        if self._graph is None:
            self._graph = order_graph(self._model)
        return getattr(self._graph, name)


def classify(model: Model) -> Classification:
    graph = _OrderGraph(model)
    if model.tree is not None and not model.strategies():
        return _classify_tree(model, graph)
    strategies = model.strategies()
    spaces = {}
    for s in strategies:
        domain = s.domain.describe() if hasattr(s.domain, "describe") else str(s.domain)
        cond = "".join(f"[{c.name}]" for c in s.condition_sets)
        spaces[f"{s.player}.{s.name}{cond}"] = f"{s.kind} {domain}"
    finite = bool(strategies) and all(isinstance(s.domain, FiniteSet) for s in strategies) and not any(
        p.kind == "population" for p in model.players.values())
    continuous = any(isinstance(s.domain, IntervalDomain) for s in strategies)
    dynamic = bool(model.dynamics or model.updates or model.repeated)
    notes: list[str] = []
    count = pure_strategy_count(model) if finite else None
    zero_sum = True if model.zero_sum_declared else None
    constant = 0.0 if model.zero_sum_declared else None
    common = model.common_payoff is not None
    potential = True if common else None
    numeric = False
    if finite and count is not None and count <= ENUMERATION_LIMIT and not model.free_params():
        try:
            nf = build_normal_form(model)
            numeric = True
            potential = potential_function(nf) is not None
            scale = max(1.0, float(np.max(np.abs(nf.payoffs), initial=0.0)))
            if zero_sum is None:
                constant = payoff_sum_constant(nf.payoffs)
                zero_sum = constant is not None
            common = common or bool(np.max(np.abs(nf.payoffs - nf.payoffs[:1])) < 1e-9 * scale)
        except GamespecError as exc:
            notes.append(f"normal form not evaluated: {exc.message}")
    if not numeric and not zero_sum:
        zero_sum, constant = _symbolic_sum(model)
    if not numeric:
        # a constant-sum game is common-interest only if every payoff is constant: not asked
        common = common or (not zero_sum and _all_equal(model))
        potential = True if common else potential
    if finite and model.free_params():
        notes.append("symbolic parameters without values: " + ", ".join(model.free_params()))
    return Classification(
        players=tuple(model.players),
        strategy_spaces=spaces,
        order_graph=graph,
        order=model.order,
        leaders=tuple(model.order[0]) if len(model.order) > 1 else (),
        followers=tuple(p for g in model.order[1:] for p in g),
        populations=tuple(n for n, p in model.players.items() if p.kind == "population"),
        families=tuple(n for n, p in model.players.items() if p.kind == "family"),
        finite=finite,
        continuous=continuous,
        dynamic=dynamic,
        mixed=any(s.kind == "mixed" for s in strategies),
        conditioned=any(s.condition_sets for s in strategies),
        zero_sum=zero_sum,
        constant_sum=constant if zero_sum else None,
        common_interest=common,
        potential=potential,
        linearity=linearity(model),
        pure_profiles=count,
        notes=tuple(notes) + _order_tree_notes(model),
        tree=model.tree.size() if model.tree is not None else None,
    )


def _order_tree_notes(model: Model) -> tuple[str, ...]:
    """An order over pure choices is also a game tree: say so, with its size."""
    if model.tree is None:
        return ()
    from gamespec.tree_analysis import tree_notes

    return ("the order over pure choices makes this a game tree",) + tree_notes(model.tree)


def _classify_tree(model: Model, graph) -> Classification:
    from gamespec.tree_analysis import leaf_sum_constant, tree_notes

    tree = model.tree
    zero_sum, constant = leaf_sum_constant(model, tree)
    notes = tree_notes(tree)
    if model.free_params():
        notes += ("symbolic parameters without values: " + ", ".join(model.free_params()),)
    return Classification(
        players=tree.players, strategy_spaces={p: "moves in the game tree" for p in tree.players},
        order_graph=graph, order=model.order, leaders=(), followers=(), populations=(),
        families=(), finite=True, continuous=False, dynamic=False, mixed=False,
        conditioned=False, zero_sum=zero_sum, constant_sum=constant if zero_sum else None,
        common_interest=False, potential=None, linearity="extensive form", pure_profiles=None,
        notes=notes, tree=tree.size())


def payoff_sum_constant(payoffs: np.ndarray) -> float | None:
    """c when two agents' payoff tensors sum to c at every pure profile, else None.

    Equal within 1e-9 of the payoffs' size; c is the mean sum, 0.0 when it is that small."""
    payoffs = np.asarray(payoffs, dtype=float)
    if payoffs.shape[0] != 2 or payoffs[0].size == 0:
        return None
    total = payoffs.sum(axis=0)
    tolerance = 1e-9 * max(1.0, float(np.max(np.abs(payoffs))))
    constant = float(total.mean())
    if float(np.max(np.abs(total - constant))) >= tolerance:
        return None
    return 0.0 if abs(constant) < tolerance else constant


def _symbolic_sum(model: Model) -> tuple[bool | None, float | None]:
    """(zero_sum, constant) from the two payoff expressions: their sum is a number, or it
    varies at seeded random points (not constant-sum), or it is not known (None, None)."""
    if len(model.players) != 2 or model.common_payoff is not None:
        return (False if model.common_payoff is not None else None), None
    names = list(model.players)
    if not all(n in model.payoffs for n in names):
        return None, None
    total = model.expand_lets(model.payoffs[names[0]].expr + model.payoffs[names[1]].expr)
    if _varies(total, model):  # cheap disproof first: a sum that varies is not zero, and
        return False, None     # SymPy's simplification of it can take seconds
    if is_zero(total) is True:
        return True, 0.0
    number = total.xreplace(model.scalar_values())
    if number.is_number:
        try:
            constant = float(number)
        except (TypeError, ValueError):
            return None, None
        return (True, constant) if math.isfinite(constant) else (None, None)
    return None, None


def _all_equal(model: Model) -> bool:
    exprs = [p.expr for p in model.payoffs.values()]
    if len(exprs) < 2:
        return False
    differences = [e - exprs[0] for e in exprs[1:]]
    if any(nonzero_somewhere(d, model) for d in differences):
        return False
    return all(is_zero(d) is True for d in differences)


def nonzero_somewhere(expr, model: Model, trials: int = 3) -> bool:
    """Cheap disproof: the expression is not zero at some seeded random point."""
    numbers = _at_random_points(expr, model, trials)
    return numbers is not None and any(abs(n) > 1e-9 for n in numbers)


def _varies(expr, model: Model, trials: int = 3) -> bool:
    """Cheap disproof of constancy: two seeded random points give different values."""
    numbers = _at_random_points(expr, model, trials)
    return numbers is not None and max(abs(n - numbers[0]) for n in numbers) > 1e-9


def _at_random_points(expr, model: Model, trials: int) -> list[complex] | None:
    """The expression at seeded random points of its free symbols (None if not evaluable)."""
    if expr.atoms(sympy.Indexed) or expr.has(SetAggregate):
        return None
    rng = np.random.default_rng(0)
    values = model.scalar_values()
    free = sorted((s for s in expr.free_symbols if s not in values), key=str)
    base = expr.xreplace(values)
    numbers = []
    for _ in range(trials):
        point = {s: sympy.Float(rng.uniform(0.1, 2.0)) for s in free}
        try:
            number = complex(base.xreplace(point).evalf())
        except (TypeError, ValueError, OverflowError):
            return None
        if not (np.isfinite(number.real) and np.isfinite(number.imag)) \
                or max(abs(number.real), abs(number.imag)) > 1e300:
            return None  # beyond floats: not a disproof (the payoff check says where)
        numbers.append(number)
    return numbers


# ---------------------------------------------------------------- linearity
def strategy_bases(model: Model) -> dict[str, set]:
    """Per player, the SymPy objects standing for its strategy variables."""
    return {
        name: {s.symbol for s in player.strategies}
        for name, player in model.players.items()
    }


def linearity(model: Model) -> str:
    """linear / bilinear / multilinear / polynomial / nonlinear in the strategy variables."""
    bases = strategy_bases(model)
    worst = "linear"
    rank = ["constant", "linear", "bilinear", "multilinear", "polynomial", "nonlinear"]
    exprs = [model.expand_lets(p.expr) for p in model.payoffs.values()]
    if model.common_payoff is not None:
        exprs.append(model.expand_lets(model.common_payoff))
    for expr in exprs:
        per_player = [degree(expr, b) for b in bases.values()]
        if any(d is None for d in per_player):
            kind = "nonlinear"
        elif max(per_player, default=0) > 1:
            kind = "polynomial"
        else:
            total = sum(per_player)
            kind = {0: "constant", 1: "linear", 2: "bilinear"}.get(total, "multilinear")
        if rank.index(kind) > rank.index(worst):
            worst = kind
    return worst


def degree(expr, bases: set) -> int | None:
    """Polynomial degree of expr in the variables of `bases`; None if not polynomial."""
    if not _depends(expr, bases):
        return 0
    if isinstance(expr, sympy.Symbol):
        return 1 if expr in bases else 0
    if isinstance(expr, sympy.Indexed):
        if expr.base in bases:
            return 1
        return 0 if not any(_depends(i, bases) for i in expr.indices) else None
    if isinstance(expr, sympy.Add):
        degrees = [degree(a, bases) for a in expr.args]
        return None if None in degrees else max(degrees)
    if isinstance(expr, sympy.Mul):
        degrees = [degree(a, bases) for a in expr.args]
        return None if None in degrees else sum(degrees)
    if isinstance(expr, sympy.Pow):
        if _depends(expr.exp, bases):
            return None
        d = degree(expr.base, bases)
        if d is None:
            return None
        if expr.exp.is_Integer and expr.exp >= 0:
            return d * int(expr.exp)
        return None
    if isinstance(expr, SetAggregate):
        if expr.condition is not sympy.true and _depends(expr.condition, bases):
            return None
        if expr.kind in ("sum", "mean"):
            return degree(expr.body, bases)
        return None
    if isinstance(expr, sympy.Piecewise):
        if any(_depends(c, bases) for _, c in expr.args):
            return None
        degrees = [degree(e, bases) for e, _ in expr.args]
        return None if None in degrees else max(degrees)
    return None


def _depends(expr, bases: set) -> bool:
    if not isinstance(expr, sympy.Basic):
        return False
    for b in bases:
        if isinstance(b, sympy.IndexedBase):
            if any(item.base == b for item in expr.atoms(sympy.Indexed)):
                return True
        elif b in expr.free_symbols or expr.has(b):
            return True
    return False
