"""Grouped best-response oracle for a family of players sharing one common payoff.

Members of a family whose payoff-relevant data are equal and who make the same choice are
interchangeable. A member's *type* is the tuple of every member-indexed parameter (or data
column) the common payoff uses, e.g. ``d[i]``; the pairs ``u = (type, choice)`` with their
counts ``N[u]`` then determine the payoff. `WeightedEvaluator` evaluates the Model's
expressions with the family's member set replaced by the set ``U`` of such pairs carrying
weights (`gamespec.evaluate.Context.weights`): ``sum(j in I)`` becomes a weighted sum over
``U``, ``mean`` the weighted mean, ``max``/``min`` run over occupied pairs, and lets
indexed by the member are evaluated per pair (they depend on the member only through its
type and choice). One call prices all alternatives of a batch of decisions at once: the
weights carry batch axes ``@decision`` and ``@deviation``, with
``N - e(type, c) + e(type, c')`` in column ``c'`` of a decision at counts ``N``.

`GroupedOracle` answers the BRD engine (`gamespec.solvers.brd.engine`) for the ``n`` members
(same order and tie rules as the plain oracle), caching each (type, choice)'s gains per
counts, and pricing the next members' decisions in the same batch (look-ahead).
`plan_grouping` decides whether grouping is exact for a model and says
why not when it is not: the member index must only ever index member-indexed data, lets
and the strategy (no arithmetic on it, no comparison of two members, no indexing of other
tables by it).

Gains are returned as term-wise payoff *differences* (each additive term of the common
payoff minus its value at the current choice): payoffs grow with ``n`` while their
differences need not, and subtracting two payoffs of size ``n`` would lose the digits the
improvement tolerance looks at.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import sympy
from numpy.typing import NDArray

from gamespec.errors import SpecError
from gamespec.evaluate import Context, LArray, Table, evaluate
from gamespec.evaluation_context import base_context
from gamespec.language.symbols import SetAggregate
from gamespec.model import FiniteSet, LetDef, Model, Player, Strategy
from gamespec.solvers.brd.engine import UnilateralGain, best_response_index

DEVIATION = "@deviation"
DECISION = "@decision"  # a batch of decisions priced together

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True, eq=False)
class Grouping:
    """How the members of a family group into types (see the module docstring)."""

    player: Player
    strategy: Strategy
    member_set: FiniteSet
    types: IntArray             # (n,) type of each member, 0..T-1 in order of first appearance
    representatives: IntArray   # (T,) the first member of each type
    type_tables: tuple[str, ...]  # member-indexed data defining the type
    lets_used: tuple[str, ...]    # lets the common payoff reaches

    @property
    def n_members(self) -> int:
        """Number of members of the family."""
        return int(self.types.shape[0])

    @property
    def n_types(self) -> int:
        """Number of distinct types."""
        return int(self.representatives.shape[0])


def plan_grouping(model: Model) -> tuple[Grouping | None, str]:
    """The grouping of the model's family, or None and the reason grouping does not apply."""
    player, reason = _single_family(model)
    if player is None:
        return None, reason
    check = MemberUseCheck(model, player)
    check.run(model.common_payoff)
    if check.problems:
        return None, check.problems[0]
    columns = []
    for name in sorted(check.data_tables):
        column, problem = _member_column(model, name, player.member_set)
        if problem:
            return None, problem
        columns.append(column)
    types, representatives = member_types(columns, len(player.member_set))
    grouping = Grouping(player, player.strategies[0], player.member_set, types,
                        representatives, tuple(sorted(check.data_tables)),
                        tuple(check.lets_seen))
    return grouping, (f"{grouping.n_types} member types from "
                      f"{', '.join(grouping.type_tables) or 'no member data'}")


def _single_family(model: Model) -> tuple[Player | None, str]:
    """The model's only player if it is a family making one plain choice under a common
    payoff; otherwise None and why."""
    if model.common_payoff is None:
        return None, "no common payoff"
    if len(model.players) != 1:
        return None, "grouping needs a single family of players"
    player = next(iter(model.players.values()))
    if player.kind != "family" or player.member_set is None:
        return None, "grouping needs a family of players (players i in I { ... })"
    strategy = player.strategies[0]
    if len(player.strategies) != 1 or strategy.kind != "choice" or strategy.condition_sets:
        return None, "grouping needs one unconditioned finite choice per member"
    if player.constraints or player.types is not None:
        return None, "grouping does not handle constraints or declared types of members"
    return player, ""


def _same_members(s: FiniteSet, member_set: FiniteSet) -> bool:
    """A set with the family's members as elements (data columns have their own row set)."""
    return len(s) == len(member_set) and s.elements == member_set.elements


def member_positions(model: Model, member_set: FiniteSet,
                     strategy: Strategy) -> dict[str, tuple[bool, ...]]:
    """For every indexed name, which index positions run over the family's members."""
    out: dict[str, tuple[bool, ...]] = {}
    for param in model.params.values():
        if param.index_sets:
            out[param.name] = tuple(_same_members(s, member_set) for s in param.index_sets)
    for key, (_, rows, _) in model.columns.items():
        out[key] = (_same_members(rows, member_set),)
    for let in model.lets.values():
        if let.variables:
            out[let.name] = tuple(s == member_set for s in let.index_sets)
    out[strategy.name] = (True,)
    return out


class MemberUseCheck:
    """Walks the common payoff and the lets it reaches, checking that every variable bound
    to the family's member set is used only as an index at a member position of a
    member-indexed parameter, data column, let or the strategy.

    Collects `problems` (reasons grouping would be wrong), `data_tables` (the parameters
    and columns indexed by a member: they define the type) and `lets_seen`.
    """

    def __init__(self, model: Model, player: Player) -> None:
        self.model = model
        self.member_set = player.member_set
        self.strategy = player.strategies[0]
        self.positions = member_positions(model, self.member_set, self.strategy)
        self.problems: list[str] = []
        self.data_tables: set[str] = set()
        self.lets_seen: list[str] = []

    def run(self, expr: sympy.Basic) -> None:
        """Check one expression with no member variable bound."""
        self._walk(expr, frozenset())

    def _let(self, name: str) -> None:
        """Check a let's body once, its member-indexed variables bound."""
        if name in self.lets_seen:
            return
        self.lets_seen.append(name)
        let = self.model.lets[name]
        bound = frozenset(v for v, s in zip(let.variables, let.index_sets)
                          if s == self.member_set)
        self._walk(let.expr, bound)

    def _walk(self, expr: sympy.Basic, bound: frozenset) -> None:
        if isinstance(expr, SetAggregate):
            self._aggregate(expr, bound)
        elif isinstance(expr, sympy.Indexed):
            self._indexed(expr, bound)
        elif isinstance(expr, sympy.Symbol):
            if expr in bound:
                self.problems.append(
                    f"the payoff uses the member index `{expr}` as a value (arithmetic or "
                    "a comparison of members), so members are not interchangeable")
            elif expr.name in self.model.lets:
                self._let(expr.name)
        else:
            for arg in expr.args:
                if isinstance(arg, sympy.Basic):
                    self._walk(arg, bound)

    def _aggregate(self, agg: SetAggregate, bound: frozenset) -> None:
        own = set(agg.variables)
        members = {v for v, s in zip(agg.variables, agg.set_names)
                   if s == self.member_set.name}
        inner = frozenset((bound - own) | members)
        if agg.condition is not sympy.true:
            self._walk(agg.condition, inner)
        self._walk(agg.body, inner)

    def _indexed(self, item: sympy.Indexed, bound: frozenset) -> None:
        name = item.base.label.name
        flags = self.positions.get(name, ())
        if name in self.model.lets:
            self._let(name)
        for k, index in enumerate(item.indices):
            if k < len(flags) and flags[k]:
                if not (isinstance(index, sympy.Symbol) and index in bound):
                    self.problems.append(
                        f"`{name}` is indexed by `{index}` at a member position: only a "
                        f"variable over {self.member_set.label} can stand there")
                elif name in self.model.params or name in self.model.columns:
                    self.data_tables.add(name)
            else:
                if isinstance(index, sympy.Symbol) and index in bound:
                    self.problems.append(
                        f"`{name}` is indexed by the member index `{index}` at a position "
                        f"that is not over {self.member_set.label}")
                    continue
                self._walk(index, bound)


def _member_column(model: Model, name: str,
                   member_set: FiniteSet) -> tuple[np.ndarray | None, str]:
    """A member-indexed table as an (n, F) matrix (one row per member), or a problem."""
    if name in model.params:
        array, sets = model.params[name].array, model.params[name].index_sets
    else:
        _, rows, array = model.columns[name]
        sets = (rows,)
    axes = [k for k, s in enumerate(sets) if _same_members(s, member_set)]
    if len(axes) != 1:
        return None, f"`{name}` is indexed by two members (pairwise data): no member types"
    data = np.moveaxis(np.asarray(array), axes[0], 0)
    return data.reshape(data.shape[0], -1), ""


def member_types(columns: list[np.ndarray], n: int) -> tuple[IntArray, IntArray]:
    """Type of each member (equal rows across all columns) and each type's first member.

    Types are numbered in order of first appearance, so the numbering is deterministic.
    """
    if not columns:
        return np.zeros(n, dtype=np.int64), np.zeros(1 if n else 0, dtype=np.int64)
    rows = zip(*(c.tolist() for c in columns))
    index: dict[tuple, int] = {}
    types = np.empty(n, dtype=np.int64)
    for member, row in enumerate(rows):
        key = tuple(v for part in row for v in part)
        types[member] = index.setdefault(key, len(index))
    representatives = np.full(len(index), -1, dtype=np.int64)
    for member in range(n - 1, -1, -1):
        representatives[types[member]] = member
    return types, representatives


# --------------------------------------------------------------------------- evaluation


class WeightedEvaluator:
    """Evaluates Model expressions with the family's member set replaced by pairs ``U``.

    ``pair_types[u]`` and ``pair_values[u]`` give each pair's type and strategy value.
    Member-indexed data become ``U``-indexed (the type's representative row), the strategy
    becomes ``U``-indexed, member-indexed lets are evaluated over ``U``, and aggregates
    over the member set are weighted by the multiplicities given to `context`. Lets that
    aggregate over no member (directly or through other lets) do not depend on the
    weights and are evaluated once.
    """

    def __init__(self, model: Model, grouping: Grouping, pair_types: IntArray,
                 pair_values: np.ndarray) -> None:
        self.model = model
        self.grouping = grouping
        member_set = grouping.member_set
        self.pairs = FiniteSet(member_set.name, tuple(range(len(pair_types))), member_set.span)
        rows = grouping.representatives[np.asarray(pair_types, dtype=np.int64)]
        ctx = base_context(model)
        ctx.sets = {**ctx.sets, member_set.name: self.pairs}
        for name in grouping.type_tables:
            ctx.tables[name] = self._pair_table(ctx.tables[name], rows)
        ctx.tables[grouping.strategy.name] = Table(np.asarray(pair_values), (self.pairs,))
        ctx.lets = {name: self._pair_let(let) for name, let in ctx.lets.items()}
        self.base = ctx
        self.static_cache = self._static_lets()

    def _pair_table(self, table: Table, rows: IntArray) -> Table:
        """A member-indexed table re-indexed by the pairs (each pair's representative)."""
        member_set = self.grouping.member_set
        axis = next(k for k, s in enumerate(table.index_sets) if _same_members(s, member_set))
        array = np.take(table.array, rows, axis=axis)
        sets = tuple(self.pairs if k == axis else s for k, s in enumerate(table.index_sets))
        return Table(array, sets, table.extra_axes)

    def _pair_let(self, let: LetDef) -> LetDef:
        """A let whose member-indexed positions run over the pairs instead."""
        if not any(s == self.grouping.member_set for s in let.index_sets):
            return let
        sets = tuple(self.pairs if s == self.grouping.member_set else s
                     for s in let.index_sets)
        return replace(let, index_sets=sets)

    def _static_lets(self) -> dict:
        """Evaluate once every let the payoff reaches that no member weight can change."""
        dynamic = weighted_lets(self.model, self.grouping.member_set.name)
        ctx = self.base.child(let_cache={})
        for name in self.grouping.lets_used:
            if name in dynamic:
                continue
            let = ctx.lets[name]
            if let.variables:
                inner = ctx.child(index_sets={**ctx.index_sets,
                                              **dict(zip(let.variables, let.index_sets))})
                evaluate(sympy.Indexed(let.symbol, *let.variables), inner)
            else:
                evaluate(let.symbol, ctx)
        return {k: v for k, v in ctx.let_cache.items() if k not in dynamic}

    def restricted(self, active: IntArray) -> WeightedEvaluator:
        """The same evaluator over the pairs `active` only (those with some weight): every
        pair-indexed table, let and cached let is cut to them. Pairs of weight zero add
        nothing to weighted sums and are skipped by `max`/`min`, so the values are equal."""
        full = self.pairs
        sub = object.__new__(WeightedEvaluator)
        sub.model, sub.grouping = self.model, self.grouping
        sub.pairs = FiniteSet(full.name, tuple(range(len(active))), full.span)

        def cut(table: Table) -> Table:
            array = table.array
            for axis, fs in enumerate(table.index_sets):
                if fs == full:
                    array = np.take(array, active, axis=axis)
            return Table(array, tuple(sub.pairs if fs == full else fs
                                      for fs in table.index_sets), table.extra_axes)

        lets = {name: replace(let, index_sets=tuple(sub.pairs if fs == full else fs
                                                    for fs in let.index_sets))
                if any(fs == full for fs in let.index_sets) else let
                for name, let in self.base.lets.items()}
        sub.base = self.base.child(
            tables={name: cut(t) for name, t in self.base.tables.items()},
            sets={**self.base.sets, self.grouping.member_set.name: sub.pairs}, lets=lets)
        sub.static_cache = {key: cut(v) if isinstance(v, Table) else v
                            for key, v in self.static_cache.items()}
        return sub

    def context(self, weights: np.ndarray, extra_axes: tuple[str, ...] = ()) -> Context:
        """A context in which the pairs carry ``weights`` (shape ``(|U|, *extra)``)."""
        table = Table(np.asarray(weights, dtype=float), (self.pairs,), extra_axes)
        return self.base.child(weights={self.grouping.member_set.name: table},
                               let_cache=dict(self.static_cache))


def weighted_lets(model: Model, member_set_name: str) -> set[str]:
    """Names of the lets whose value depends on aggregates over the member set (directly
    or through other lets)."""
    direct: dict[str, bool] = {}
    uses: dict[str, set[str]] = {}
    for name, let in model.lets.items():
        direct[name] = any(member_set_name in a.set_names
                           for a in let.expr.atoms(SetAggregate))
        names = {s.name for s in let.expr.atoms(sympy.Symbol)}
        names |= {i.base.label.name for i in let.expr.atoms(sympy.Indexed)}
        uses[name] = names & set(model.lets)
    out = {name for name, flag in direct.items() if flag}
    grew = True
    while grew:
        grew = False
        for name, deps in uses.items():
            if name not in out and deps & out:
                out.add(name)
                grew = True
    return out


def additive_terms(expr: sympy.Expr) -> tuple[sympy.Expr, ...]:
    """The top-level summands of a payoff (constants dropped: their differences are 0)."""
    return tuple(t for t in sympy.Add.make_args(expr) if not t.is_number)


# --------------------------------------------------------------------------- the oracle


ACTIVE_SHARE = 0.6
"""Evaluate over the pairs with weight only when they are fewer than this share of all."""


class GroupedOracle:
    """The BRD engine's `FiniteGameOracle` for a family under a common payoff, priced on
    (type, choice) pairs with counts.

    The pairs are every (type, choice) combination, ``u = type * C + choice``. The counts
    ``N[u]`` follow the profiles the engine passes in (the changed members are found by
    comparing with the last profile seen). Gains are cached per (pair, counts): a cached
    answer is reused only at exactly the counts it was computed for. `gains` returns
    term-wise differences to the current choice (entry ``c`` is exactly 0).

    *Look-ahead* (sequential BRD in ``order``): on a cache miss, the decisions of the next
    members in order are priced in the same batched evaluation, at the counts they will
    see if every member in between moves as its pair last decided to (or stays). When the
    guess holds, their answers are already cached at the right counts; when it fails, the
    extra rows are simply never used. Answers never depend on the guess.
    """

    cache_limit = 20_000
    batch_budget = 6_000  # pairs x choices x decisions per batch: larger arrays cost more

    def __init__(self, model: Model, grouping: Grouping, *, tol: float = 1e-12,
                 order: Sequence[int] | None = None, lookahead: int | None = None) -> None:
        self.model = model
        self.grouping = grouping
        self.C = len(grouping.strategy.domain)
        T = grouping.n_types
        pair_types = np.repeat(np.arange(T, dtype=np.int64), self.C)
        pair_choices = np.tile(np.arange(self.C, dtype=np.int64), T)
        values = grouping.strategy.domain.values()[pair_choices]
        self.evaluator = WeightedEvaluator(model, grouping, pair_types, values)
        self.terms = additive_terms(model.common_payoff)
        self.types = grouping.types
        self.tol = tol
        if lookahead is None:  # measured: beyond a few MB per array, batches get slower
            lookahead = min(8, self.batch_budget // (T * self.C * self.C))
        self.lookahead = max(1, int(lookahead))
        self.order = np.arange(self.n_players) if order is None else np.asarray(order)
        self._position = np.empty(self.n_players, dtype=np.int64)
        self._position[self.order] = np.arange(self.order.shape[0])
        self.counts = np.zeros(T * self.C, dtype=np.int64)
        self._state = self.counts.tobytes()
        self._last: IntArray | None = None
        self._cache: dict[tuple[int, bytes], FloatArray] = {}
        self._predicted: dict[int, int] = {}  # pair -> choice its members last moved to
        self.evaluations = 0  # batched evaluations
        self.decisions_priced = 0  # rows over all batches

    @property
    def n_players(self) -> int:
        """Number of members."""
        return self.grouping.n_members

    def n_choices(self, player: int) -> int:
        """Number of choices (the same for every member)."""
        return self.C

    def gains(self, player: int, profile: np.ndarray) -> FloatArray:
        """Common payoff change of each alternative of ``player`` (0 at its choice)."""
        self._sync(np.asarray(profile, dtype=np.int64))
        key = int(self.types[player]) * self.C + int(profile[player])
        cached = self._cache.get((key, self._state))
        if cached is None:
            if len(self._cache) > self.cache_limit:
                self._cache.clear()
            rows = self._rows_ahead(player, key)
            priced = self.decision_gains([(counts, pair) for pair, counts, _ in rows])
            for (pair, _, state), row in zip(rows, priced):
                self._cache[(pair, state)] = row
                self._predicted[pair] = best_response_index(row, pair % self.C, self.tol)
            cached = self._cache[(key, self._state)]
        return cached.copy()

    def _rows_ahead(self, player: int, key: int) -> list[tuple[int, IntArray, bytes]]:
        """(pair, counts, counts as bytes) of ``player``'s decision and of the next members'
        decisions not yet cached, at the counts the predicted moves lead to."""
        rows = [(key, self.counts.copy(), self._state)]
        counts, state = self.counts.copy(), self._state
        wanted = {(key, state)}
        start, n = int(self._position[player]), self.order.shape[0]
        for step in range(min(n, 8 * self.lookahead)):
            if len(rows) >= self.lookahead:
                break
            member = int(self.order[(start + step) % n])
            pair = int(self.types[member]) * self.C + int(self._last[member])
            if (pair, state) not in wanted and (pair, state) not in self._cache:
                wanted.add((pair, state))
                rows.append((pair, counts.copy(), state))
            move = self._predicted.get(pair, pair % self.C)
            if move != pair % self.C:
                counts[pair] -= 1
                counts[pair - pair % self.C + move] += 1
                state = counts.tobytes()
        return rows

    def pair_counts(self, profile: np.ndarray) -> IntArray:
        """``N[u]`` counted from scratch."""
        keys = self.types * self.C + np.asarray(profile, dtype=np.int64)
        return np.bincount(keys, minlength=self.grouping.n_types * self.C).astype(np.int64)

    def _sync(self, profile: IntArray) -> None:
        """Bring the counts up to ``profile``."""
        if self._last is None or self._last.shape != profile.shape:
            self.counts = self.pair_counts(profile)
            self._last = profile.copy()
            self._state = self.counts.tobytes()
            return
        changed = np.flatnonzero(profile != self._last)
        if not changed.size:
            return
        base = self.types[changed] * self.C
        np.subtract.at(self.counts, base + self._last[changed], 1)
        np.add.at(self.counts, base + profile[changed], 1)
        self._last[changed] = profile[changed]
        self._state = self.counts.tobytes()

    def decision_weights(self, rows: Sequence[tuple[IntArray, int]]) -> FloatArray:
        """Weights ``(|U|, R, C)`` for R decisions ``(counts, pair)``: entry ``[:, r, c']``
        is ``N_r - e(pair_r) + e(type_r, c')``. Batch axes stay outermost in memory."""
        C = self.C
        batch = np.empty((len(rows), C, self.counts.shape[0]))
        alternatives = np.arange(C)
        for r, (counts, pair) in enumerate(rows):
            batch[r] = counts
            batch[r, :, pair] -= 1.0
            batch[r, alternatives, pair - pair % C + alternatives] += 1.0
        return batch.transpose(2, 0, 1)

    def decision_gains(self, rows: Sequence[tuple[IntArray, int]]) -> FloatArray:
        """Gains ``(R, C)`` of R decisions ``(counts, pair)`` in one batched evaluation:
        for each, the sum over additive payoff terms of (term at c') - (term at c)."""
        self.evaluations += 1
        self.decisions_priced += len(rows)
        weights = self.decision_weights(rows)
        active = np.flatnonzero(weights.reshape(weights.shape[0], -1).any(axis=1))
        evaluator = self.evaluator
        if active.size < ACTIVE_SHARE * weights.shape[0]:  # most pairs empty: skip them
            evaluator, weights = self.evaluator.restricted(active), weights[active]
        ctx = evaluator.context(weights, (DECISION, DEVIATION))
        current = np.array([pair % self.C for _, pair in rows])
        picks = np.arange(len(rows))
        total = np.zeros((len(rows), self.C))
        with np.errstate(invalid="ignore"):  # inf - inf: reported just below
            for term in self.terms:
                value = _over_decisions(evaluate(term, ctx), len(rows), self.C)
                total += value - value[picks, current][:, None]
        total[picks, current] = 0.0
        if not np.all(np.isfinite(total)):
            raise SpecError("the common payoff is not finite (NaN or infinity) at a profile the "
                            "dynamics reached",
                            hint="guard divisions and logarithms, or shrink the strategy set")
        return total

    def common_payoff(self, profile: np.ndarray) -> float:
        """The common payoff at ``profile`` by weighted evaluation."""
        counts = self.pair_counts(profile)
        ctx = self.evaluator.context(counts.astype(float))
        return float(evaluate(self.model.common_payoff, ctx).data)


def _over_decisions(value: LArray, R: int, C: int) -> FloatArray:
    """A term's value per decision and alternative, shape (R, C) (a term without a batch
    axis is the same for all)."""
    stray = [a for a in value.axes if a not in (DECISION, DEVIATION)]
    if stray:
        raise ValueError(f"a payoff term still depends on `{stray[0]}`")
    data = np.asarray(value.aligned((DECISION, DEVIATION)), dtype=float)
    return np.broadcast_to(data, (R, C)).astype(float)


def grouped_certificate(model: Model, grouping: Grouping, profile: np.ndarray,
                        chunk: int = 32) -> tuple[UnilateralGain, int]:
    """Maximum unilateral gain of ``profile`` by a fresh weighted evaluation of every
    occupied (type, choice) pair (members sharing a pair face the same decision), with
    counts taken from scratch; returns it with the number of pairs checked."""
    oracle = GroupedOracle(model, grouping)
    s = np.asarray(profile, dtype=np.int64)
    counts = oracle.pair_counts(s)
    pairs, first = np.unique(grouping.types * oracle.C + s, return_index=True)
    best = UnilateralGain(value=-np.inf, player=-1, alternative=-1)
    for lo in range(0, pairs.size, chunk):
        block = pairs[lo:lo + chunk].tolist()
        gains = oracle.decision_gains([(counts, pair) for pair in block])
        for row, member in zip(gains, first[lo:lo + chunk].tolist()):
            j = int(np.argmax(row))
            if row[j] > best.value:
                best = UnilateralGain(value=float(row[j]), player=int(member), alternative=j)
    return best, int(pairs.size)
