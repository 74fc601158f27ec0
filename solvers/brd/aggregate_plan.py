"""A family's common payoff recompiled as a function of aggregates: the plan behind the
Model-driven aggregative BRD (`gamespec.solvers.brd.aggregate_payoff`).

After every `let` that member choices move is written out in place, each aggregate over
the family's members whose body is fixed data of the member's type and choice (``mean(j
in I) m[j, x]``, ``sum(i in I) b[i]``, ``count(i in I : b[i] == 1)``) becomes a *slot*
of one aggregate vector ``S``: member ``i`` of type ``theta`` choosing ``c`` adds the
fixed row ``w[theta, c]`` to it, so ``S`` moves by one difference row per switch. The
payoff's additive terms then fall into three kinds:

* **member terms** ``coef * sum(i in I [: cond]) g(i, S)`` (also ``mean``/``count``):
  a value per (type, choice) pair, weighted by the pair counts ``N``;
* **smooth terms**: any other expression of ``S``; when one is a sum over an index set
  of a function of that index's entry of one aggregate (``sum(x in X) q[x] ln(q[x] /
  Q[x])``), its second derivative in each entry is compiled as well
  (`gamespec.solvers.brd.array_derivative`), which
  bounds how far its deviation differences can drift (mean-value theorem, interval
  arithmetic);
* **constants**.

`plan_aggregates` returns the plan, or `Unsupported` with the reason the model does not
fit (the caller then keeps the grouped oracle).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from gamespec.evaluate import evaluate
from gamespec.language.symbols import SetAggregate
from gamespec.model import FiniteSet, Model
from gamespec.solvers.brd.aggregative import AggregativeGame
from gamespec.solvers.brd.array_derivative import derivative
from gamespec.solvers.brd.array_program import (
    Const,
    Node,
    ProgramCompiler,
    Slot,
    Unsupported,
    scaled,
)
from gamespec.solvers.brd.grouped import (
    Grouping,
    WeightedEvaluator,
    additive_terms,
    weighted_lets,
)

SLOT_KINDS = ("sum", "mean", "count")


@dataclass(frozen=True)
class MemberTerm:
    """``coefficient * sum over members of g``: ``program`` gives ``g`` per pair (layout
    axis 0 after the batch axis), ``mask`` the member filter per pair when it is fixed."""

    program: Node
    rank: int  # layout axes of the program
    coefficient: float
    mask: np.ndarray
    expr: sympy.Basic  # the term as written out (printed only on demand)

    def per_pair(self, S: np.ndarray) -> np.ndarray:
        """``mask * g`` of every pair at each row of ``S``: shape (B, U)."""
        return batch_rows(self.program.point(S), self.rank, S.shape[0],
                          self.mask.shape[0]) * self.mask


@dataclass(frozen=True)
class Curvature:
    """Second derivative of a separable smooth term in its aggregate's entries:
    ``program`` evaluates ``coefficient * d^2(term)/dS_k^2`` for each entry ``k`` of the
    columns ``cols`` (the term has no cross derivatives)."""

    cols: slice
    program: Node
    rank: int
    mask: np.ndarray  # the sum's filter per entry (1 or 0)

    def magnitude(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """``max |d^2 F / dS_k^2|`` over each box ``[lo, hi]`` (one per row), 0 outside
        the filter, NaN or ``inf`` where unbounded."""
        a, b = self.program.interval(lo, hi)
        size = self.cols.stop - self.cols.start
        a = batch_rows(a, self.rank, lo.shape[0], size)
        b = batch_rows(b, self.rank, lo.shape[0], size)
        return np.maximum(np.abs(a), np.abs(b)) * self.mask


@dataclass(frozen=True)
class SmoothTerm:
    """A term that is some expression of ``S`` (``program`` gives its value per row)."""

    program: Node
    rank: int
    expr: sympy.Basic
    curvature: Curvature | None  # None: no drift bound (not separable in one aggregate)

    def value(self, S: np.ndarray) -> np.ndarray:
        """The term at every row of ``S``: shape (B,)."""
        v = self.program.point(S)
        if v.ndim == 2 and v.shape == (S.shape[0], 1):  # the usual case: one axis, reduced
            return v[:, 0]
        return batch_rows(v, self.rank, S.shape[0], 1)[:, 0]


def batch_rows(value, rank: int, rows: int, width: int) -> np.ndarray:
    """A program's value as (rows, width): a value without the batch axis (a constant) is
    the same for every row, and one entry per row stands for every column."""
    v = np.asarray(value, dtype=float)
    if v.ndim <= rank:  # no batch axis (a constant, maybe folded to fewer axes)
        v = v.reshape((1,) * (rank + 1 - v.ndim) + v.shape)
    v = v.reshape(v.shape[0], -1)
    return v if v.shape == (rows, width) else np.broadcast_to(v, (rows, width))


@dataclass(frozen=True)
class AggregatePlan:
    """The payoff as a function of the aggregate vector ``S`` and the pair counts."""

    grouping: Grouping
    game: AggregativeGame
    slots: tuple[str, ...]          # each slot's aggregate, as written out
    member_terms: tuple[MemberTerm, ...]
    smooth_terms: tuple[SmoothTerm, ...]
    constant: float
    n_pairs: int

    def describe(self) -> str:
        """One line for the result: what the plan found."""
        drift = sum(t.curvature is not None for t in self.smooth_terms)
        return (f"{self.game.dim} aggregate entries in {len(self.slots)} aggregate(s); "
                f"{len(self.member_terms)} member term(s), {len(self.smooth_terms)} smooth "
                f"term(s) ({drift} with a drift bound)")


def plan_aggregates(model: Model, grouping: Grouping) -> AggregatePlan:
    """Compile the common payoff of a grouped family into an `AggregatePlan`; raises
    `Unsupported` (with the reason) when the payoff does not fit."""
    return _Planner(model, grouping).plan()


class _Planner:
    def __init__(self, model: Model, grouping: Grouping) -> None:
        self.model = model
        self.grouping = grouping
        self.C = len(grouping.strategy.domain)
        T = grouping.n_types
        self.n_pairs = T * self.C
        pair_types = np.repeat(np.arange(T, dtype=np.int64), self.C)
        pair_choices = np.tile(np.arange(self.C, dtype=np.int64), T)
        self.evaluator = WeightedEvaluator(model, grouping, pair_types,
                                           grouping.strategy.domain.values()[pair_choices])
        self.context = self.evaluator.base.child(let_cache=dict(self.evaluator.static_cache))
        self.member_name = grouping.member_set.name
        self.dynamic = weighted_lets(model, self.member_name)
        self._static_memo: dict[sympy.Basic, bool] = {}
        self.slot_exprs: list[SetAggregate] = []
        self.slots: dict[tuple, Slot] = {}  # (aggregate, its free indices and their sets)
        self.columns: list[np.ndarray] = []
        self.width = 0

    # -- what moves with the members' choices ---------------------------------------------

    def is_static(self, expr: sympy.Basic) -> bool:
        """No member aggregate and no let that member choices move."""
        known = self._static_memo.get(expr)
        if known is None:
            known = not (any(self.member_name in a.set_names
                             for a in expr.atoms(SetAggregate))
                         or any(s.name in self.dynamic for s in expr.atoms(sympy.Symbol))
                         or any(i.base.label.name in self.dynamic
                                for i in expr.atoms(sympy.Indexed)))
            self._static_memo[expr] = known
        return known

    def inline(self, expr: sympy.Basic) -> sympy.Basic:
        """``expr`` with every moving let written out (recursively). SymPy must not
        evaluate while it substitutes: it would rearrange conditions (``A >= 10 d + 40``
        into ``d <= A/10 - 4``, which rounds differently at ties) and fold an indicator
        inside an aggregate out of it (its index then escapes the binder)."""
        with sympy.evaluate(False):
            return self._inline(expr)

    def _inline(self, expr: sympy.Basic) -> sympy.Basic:
        lets = self.model.lets
        mapping: dict[sympy.Basic, sympy.Basic] = {}
        for sym in expr.atoms(sympy.Symbol):
            if sym.name in self.dynamic and not lets[sym.name].variables:
                mapping[sym] = self._inline(lets[sym.name].expr)
        for item in expr.atoms(sympy.Indexed):
            name = item.base.label.name
            if name in self.dynamic:
                let = lets[name]
                body = let.expr.xreplace(dict(zip(let.variables, item.indices)))
                mapping[item] = self._inline(body)
        return expr.xreplace(mapping) if mapping else expr

    # -- slots ---------------------------------------------------------------------------

    def slot_of(self, agg: SetAggregate, scope: dict) -> Slot:
        """The slot of a member aggregate with a fixed body (registered on first use)."""
        free = [v for v in scope if v in agg.free_symbols]
        key = (agg, tuple((v, scope[v]) for v in free))  # the same text over other sets differs
        known = self.slots.get(key)
        if known is not None:
            return known
        if agg.kind not in SLOT_KINDS or len(agg.variables) != 1:
            raise Unsupported(f"`{agg.kind}` over the members of more than a plain sum, mean "
                              "or count")
        if agg.kind == "mean" and self._moves(agg.condition):
            raise Unsupported("a mean over the members filtered by their choices (its "
                              "divisor moves)")
        inner_parts = [agg.body] + ([agg.condition] if agg.condition is not sympy.true else [])
        if not all(self.is_static(p) for p in inner_parts):
            raise Unsupported("an aggregate over the members of something that itself "
                              "moves with the members' choices")
        if any(scope[v] is self.evaluator.pairs for v in free):
            raise Unsupported("an aggregate over members inside a per-member expression "
                              "(pairwise terms)")
        sets = [scope[v] for v in free]
        slot = Slot(self.width, tuple(free), tuple(len(s) for s in sets))
        self.columns.append(self._contributions(agg, free, sets))
        self.width += slot.size
        self.slots[key] = slot
        self.slot_exprs.append(agg)
        return slot

    def _contributions(self, agg: SetAggregate, free: list, sets: list[FiniteSet]) -> np.ndarray:
        """``w[u, k]``: what one member of pair ``u`` adds to each entry of the slot."""
        var = agg.variables[0]
        scope = {var: self.evaluator.pairs, **dict(zip(free, sets))}
        axes = (var.name,) + tuple(v.name for v in free)
        shape = (self.n_pairs,) + tuple(len(s) for s in sets)
        ctx = self.context.child(index_sets={**self.context.index_sets, **scope},
                                 let_cache=dict(self.context.let_cache))
        body = np.ones(shape) if agg.kind == "count" else \
            np.broadcast_to(np.asarray(evaluate(agg.body, ctx).aligned(axes), float), shape)
        keep = np.ones(shape, dtype=bool)
        if agg.condition is not sympy.true:
            keep = np.broadcast_to(np.asarray(evaluate(agg.condition, ctx).aligned(axes),
                                              dtype=bool), shape)
            body = np.where(keep, body, 0.0)
        if agg.kind == "mean":  # over the members the (fixed) filter keeps
            body = body / self._members_kept(keep)
        return np.asarray(body, dtype=float).reshape(self.n_pairs, -1)

    def _moves(self, condition) -> bool:
        """Whether a member filter depends on the members' choices."""
        if condition is sympy.true:
            return False
        name = self.grouping.strategy.name
        return not self.is_static(condition) or any(
            i.base.label.name == name for i in condition.atoms(sympy.Indexed))

    def _members_kept(self, keep: np.ndarray) -> np.ndarray:
        """How many members a fixed filter keeps (per entry of the other indices): the
        filter per pair, read at each type's first choice, weighted by the type sizes."""
        per_type = keep.reshape((self.grouping.n_types, self.C) + keep.shape[1:])[:, 0]
        sizes = np.bincount(self.grouping.types, minlength=self.grouping.n_types)
        return np.tensordot(sizes.astype(float), per_type.astype(float), axes=(0, 0))

    # -- terms ---------------------------------------------------------------------------

    def compiler(self) -> ProgramCompiler:
        return ProgramCompiler(self.context, self.evaluator.base.sets, self.member_name,
                               self.is_static, self.slot_of)

    def plan(self) -> AggregatePlan:
        payoff = self.inline(self.model.common_payoff)
        constant = float(sum(a for a in sympy.Add.make_args(payoff) if a.is_number))
        members: list[MemberTerm] = []
        smooth: list[SmoothTerm] = []
        for term in additive_terms(payoff):
            if self.is_static(term):
                constant += self._scalar(term)
                continue
            coefficient, core = self._split(term)
            if isinstance(core, SetAggregate) and self.member_name in core.set_names:
                members.append(self._member_term(coefficient, core, term))
            else:
                smooth.append(self._smooth_term(term))
        if not self.columns:
            raise Unsupported("the payoff is a plain sum over the members of what each one "
                              "chooses (no aggregate links them): the grouped oracle prices "
                              "it directly")
        W = np.concatenate(self.columns, axis=1)
        if not np.all(np.isfinite(W)):
            raise Unsupported("a member's contribution to an aggregate is not finite")
        game = AggregativeGame(self.grouping.types,
                               W.reshape(self.grouping.n_types, self.C, W.shape[1]))
        return AggregatePlan(self.grouping, game, tuple(sympy.sstr(a) for a in self.slot_exprs),
                             tuple(members), tuple(smooth), constant, self.n_pairs)

    def _filter(self, condition, scope: dict, size: int) -> np.ndarray:
        """A fixed filter over the index variables ``scope`` as 1/0 per entry."""
        ctx = self.context.child(index_sets={**self.context.index_sets, **scope},
                                 let_cache=dict(self.context.let_cache))
        keep = evaluate(condition, ctx).aligned(tuple(v.name for v in scope))
        shape = tuple(len(s) for s in scope.values())
        return np.broadcast_to(np.asarray(keep, dtype=bool), shape).reshape(size).astype(float)

    def _scalar(self, expr: sympy.Basic) -> float:
        value = evaluate(expr, self.context.child(let_cache=dict(self.context.let_cache)))
        if value.axes:
            raise Unsupported(f"a payoff term still depends on `{value.axes[0]}`")
        return float(value.data)

    def _split(self, term: sympy.Basic) -> tuple[float, sympy.Basic]:
        """A product term as (its fixed scalar factor, the moving rest)."""
        if not isinstance(term, sympy.Mul):
            return 1.0, term
        fixed = [a for a in term.args if self.is_static(a)]
        moving = [a for a in term.args if not self.is_static(a)]
        coefficient = self._scalar(sympy.Mul(*fixed)) if fixed else 1.0
        return coefficient, sympy.Mul(*moving)

    def _member_term(self, coefficient: float, agg: SetAggregate, term) -> MemberTerm:
        if len(agg.variables) != 1 or agg.kind not in SLOT_KINDS:
            raise Unsupported(f"a `{agg.kind}` over the members in the payoff")
        if agg.kind == "mean" and self._moves(agg.condition):
            raise Unsupported("a mean over the members filtered by their choices (its "
                              "divisor moves)")
        var = agg.variables[0]
        scope = {var: self.evaluator.pairs}
        body = sympy.Integer(1) if agg.kind == "count" else agg.body
        mask = np.ones(self.n_pairs)
        if agg.condition is not sympy.true:
            if self.is_static(agg.condition):
                ctx = self.context.child(index_sets={**self.context.index_sets, **scope},
                                         let_cache=dict(self.context.let_cache))
                keep = np.asarray(evaluate(agg.condition, ctx).aligned((var.name,)), bool)
                mask = np.broadcast_to(keep, (self.n_pairs,)).astype(float)
            else:
                body = sympy.Piecewise((body, agg.condition), (sympy.Integer(0), True))
        program, layout = self.compiler().compile(body, scope)
        scale = 1.0 / float(self._members_kept(mask > 0)) if agg.kind == "mean" else 1.0
        return MemberTerm(program, len(layout.variables), coefficient * scale, mask,
                          term)

    def _smooth_term(self, term) -> SmoothTerm:
        program, layout = self.compiler().compile(term, {})
        return SmoothTerm(program, len(layout.variables), term,
                          self._curvature(term))

    def _curvature(self, term) -> Curvature | None:
        """The entrywise second derivative of ``coef * sum(x in X [: fixed]) phi(x,
        A[x])`` for one aggregate ``A`` indexed by exactly ``x``; else None."""
        coefficient, core = self._split(term)
        if not (isinstance(core, SetAggregate) and core.kind == "sum"
                and self.member_name not in core.set_names
                and (core.condition is sympy.true or self.is_static(core.condition))):
            return None
        own = tuple(core.variables)
        leaves = [a for a in core.body.atoms(SetAggregate) if self.member_name in a.set_names]
        if len(leaves) != 1:
            return None
        inner = {v for a in core.body.atoms(SetAggregate) if a is not leaves[0]
                 for v in a.variables}
        if leaves[0].free_symbols & inner:  # read at an index an inner sum binds
            return None
        scope = {v: self.evaluator.base.sets[s] for v, s in zip(own, core.set_names)}
        try:
            slot = self.slot_of(leaves[0], scope)
            if slot.variables != own:
                return None
            body, layout = self.compiler().compile(core.body, dict(scope))
            cols = slice(slot.start, slot.start + slot.size)
            second = derivative(derivative(body, cols), cols)
        except Unsupported:
            return None
        mask = np.ones(slot.size)
        if core.condition is not sympy.true:
            mask = self._filter(core.condition, scope, slot.size)
        return Curvature(cols, scaled(second, Const(np.array(coefficient))),
                         len(layout.variables), mask)
