"""Model -> coefficient arrays for the LP backend.

A payoff that is bilinear in a leader's and a follower's mixed strategies is written as
sums of products; each product's coefficient (everything that is not a strategy) is
evaluated in bulk over its index variables by gamespec.evaluate, and then rearranged
with one `einsum` onto the strategies' axes. No per-element substitution.

Shapes produced:
- payoff[r, s, a]: the leader's f[r, s] (r: the leader's private state, size 1 when the
  leader's strategy is not conditioned) against the follower's h[s, a] (the follower
  observes s when its strategy is conditioned on the leader's choice set);
- weights[r, s] of every linear side constraint on the leader's strategy.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
import sympy

from gamespec.errors import SolverError, SpecError
from gamespec.evaluate import LArray, evaluate
from gamespec.evaluation_context import base_context
from gamespec.language.symbols import SetAggregate, element_expr
from gamespec.model import FiniteSet, Model, Strategy


@dataclass(frozen=True)
class Term:
    """One product: sum over `binders` of coefficient * strategy factors."""

    binders: tuple[tuple[sympy.Symbol, FiniteSet], ...]
    coefficient: tuple[sympy.Expr, ...]
    factors: dict  # strategy name -> sympy.Indexed


def split_terms(model: Model, expr, strategies: dict[str, Strategy]) -> list[Term]:
    """Flatten sums of products into Terms; refuse what is not multilinear."""
    terms: list[Term] = []
    for term in sympy.Add.make_args(sympy.expand_mul(model.expand_lets(expr))):
        terms.extend(_flatten(model, term, (), strategies))
    return terms


def _flatten(model: Model, expr, binders, strategies) -> list[Term]:
    if isinstance(expr, SetAggregate):
        if expr.kind != "sum":
            raise SolverError(f"`{expr.kind}` over a strategy is not linear",
                              hint="the LP method needs sums of products")
        sets = tuple(model.sets[n] for n in expr.set_names)
        inner = binders + tuple(zip(expr.variables, sets))
        body = expr.body
        if expr.condition is not sympy.true:
            body = body * sympy.Piecewise((1, expr.condition), (0, True))
        out = []
        for part in sympy.Add.make_args(sympy.expand_mul(body)):
            out.extend(_flatten(model, part, inner, strategies))
        return out
    factors = sympy.Mul.make_args(expr)
    aggregates = [f for f in factors if isinstance(f, SetAggregate)]
    if aggregates:
        # (sum_s a x[s]) * (sum_t b y[t]) is sum_s sum_t a b x[s] y[t]: nest the first sum
        # around the rest, renaming the others' indices where they would clash
        agg = aggregates[0]
        taken = {v for v, _ in binders} | set(agg.variables)
        rest = sympy.Mul(*[_fresh_indices(f, taken) if isinstance(f, SetAggregate) else f
                           for f in factors if f is not agg])
        return _flatten(model, SetAggregate(agg.kind, rest * agg.body, agg.variables,
                                            agg.set_names, agg.condition), binders, strategies)
    found: dict = {}
    coefficient = []
    for factor in factors:
        if isinstance(factor, sympy.Indexed) and factor.base.label.name in strategies:
            name = factor.base.label.name
            if name in found:
                raise SolverError(f"`{name}` appears squared: the payoff is not linear in it")
            found[name] = factor
        else:
            if _mentions(factor, strategies):
                raise SolverError(f"the payoff is not linear in the strategies: {factor}",
                                  hint="the LP method needs payoffs that are sums of "
                                  "coefficient * leader strategy * follower strategy")
            coefficient.append(factor)
    return [Term(tuple(binders), tuple(coefficient), found)]


def _fresh_indices(agg: SetAggregate, taken: set) -> SetAggregate:
    """`agg` with any index variable in `taken` renamed to an unused one."""
    mapping = {}
    for v in agg.variables:
        if v in taken:
            k = 2
            while sympy.Symbol(f"{v.name}_{k}") in taken:
                k += 1
            mapping[v] = sympy.Symbol(f"{v.name}_{k}")
            taken = taken | {mapping[v]}
    if not mapping:
        return agg
    return SetAggregate(agg.kind, agg.body.xreplace(mapping),
                        tuple(mapping.get(v, v) for v in agg.variables), agg.set_names,
                        agg.condition.xreplace(mapping))


def _mentions(expr, strategies) -> bool:
    names = {s.name for s in strategies.values()}
    for item in expr.atoms(sympy.Indexed):
        if item.base.label.name in names:
            return True
    return any(getattr(s, "name", None) in names for s in expr.free_symbols)


def _target_sets(strategy: Strategy) -> tuple[FiniteSet, ...]:
    return tuple(strategy.condition_sets) + (strategy.domain,)


def coefficient_array(model: Model, terms: list[Term], order: list[Strategy],
                      targets: list[tuple[str, int]], shape: tuple[int, ...]) -> np.ndarray:
    """Dense array over `targets` ((strategy name, index position) pairs, in order).

    Each target axis takes its value from the index expression at that position of the
    strategy factor: an index variable (einsum keeps it) or a constant element (one-hot).
    Two targets fed by the same index variable (an observation shared by leader and
    follower) must be declared as one target; see `conditional_payoff`.
    """
    ctx = base_context(model)
    total = np.zeros(shape)
    by_name = {s.name: s for s in order}
    for term in terms:
        if set(term.factors) != {name for name, _ in targets}:
            missing = {name for name, _ in targets} - set(term.factors)
            raise SolverError(
                "every term of the payoff must contain each strategy once; a term lacks "
                + ", ".join(sorted(missing)),
                hint="a constant or a term without the opponent's strategy is not bilinear",
            )
        inner = ctx.child(index_sets={**ctx.index_sets, **dict(term.binders)})
        coef = evaluate(sympy.Mul(*term.coefficient), inner) if term.coefficient else \
            LArray.scalar(1.0)
        binder_names = [v.name for v, _ in term.binders]
        sizes = {v.name: len(s) for v, s in term.binders}
        full_axes = tuple(binder_names)
        data = np.broadcast_to(np.asarray(coef.aligned(full_axes), dtype=float),
                               tuple(sizes[a] for a in full_axes))
        stray = [a for a in coef.axes if a not in full_axes]
        if stray:
            raise SolverError(f"the payoff depends on `{stray[0]}`, which is not summed over")
        letters = {name: chr(ord("a") + k) for k, name in enumerate(full_axes)}
        kept: list[str] = []  # the term's letters that reach a target, each once
        placements: list[str | int] = []  # per target: its letter, or a fixed position
        for name, position in targets:
            index = term.factors[name].indices[position]
            target_set = _target_sets(by_name[name])[position]
            if isinstance(index, sympy.Symbol) and index.name in letters:
                source = dict(term.binders)[index]
                if source.elements != target_set.elements:
                    raise SolverError(f"index `{index}` of `{name}` ranges over {source.name}, "
                                      f"not {target_set.label}")
                letter = letters[index.name]
                if letter not in kept:
                    kept.append(letter)
                placements.append(letter)
            else:
                value = evaluate(index, inner)
                if value.axes:
                    raise SolverError(f"index {index} of `{name}` is not a constant")
                placements.append(_position(target_set, value.data.item()))
        spec = "".join(letters[a] for a in full_axes) + "->" + "".join(kept)
        reduced = np.einsum(spec, data)
        # an index shared by two targets (sum(s in S) x[s] * y[s]) lands on their diagonal
        grids = np.ix_(*(np.arange(reduced.shape[k]) for k in range(len(kept)))) if kept else ()
        total[tuple(p if isinstance(p, int) else grids[kept.index(p)] for p in placements)] \
            += reduced
    return total


def _position(fs: FiniteSet, element) -> int:
    if isinstance(element, float) and element.is_integer():
        element = int(element)
    pos = fs.position(element)
    if pos is None:
        raise SpecError(f"{element!r} is not an element of {fs.label}")
    return pos


@dataclass(frozen=True)
class BilinearGame:
    """The leader's payoff[r, s, a] and side constraints, with the labels of every axis."""

    leader: Strategy
    follower: Strategy
    payoff: np.ndarray
    conditioned: bool  # follower observes the leader's choice s
    constraints: tuple[tuple[str, np.ndarray, str, float, float], ...]  # ... bound, offset
    state_labels: tuple
    choice_labels: tuple
    answer_labels: tuple


def bilinear_game(model: Model, leader_name: str, follower_name: str) -> BilinearGame:
    """Extract payoff[r, s, a] (leader's payoff) and the leader's linear constraints."""
    leader = _single_mixed(model, leader_name)
    follower = _single_mixed(model, follower_name)
    if len(leader.condition_sets) > 1 or len(follower.condition_sets) > 1:
        raise SolverError("the LP method takes strategies conditioned on at most one index")
    strategies = {leader.name: leader, follower.name: follower}
    terms = split_terms(model, model.payoff_of(leader_name), strategies)
    conditioned = bool(follower.condition_sets)
    if conditioned and follower.condition_sets[0].elements != leader.domain.elements:
        raise SolverError(
            f"`{follower.name}` is conditioned on {follower.condition_sets[0].label}, but the "
            f"leader chooses from {leader.domain.label}",
            hint="the follower observes the leader's choice: condition it on that set")
    both = [t for t in terms if len(t.factors) == 2]
    for term in both:
        if conditioned:
            observed = term.factors[follower.name].indices[0]
            chosen = term.factors[leader.name].indices[-1]
            if observed != chosen:
                raise SolverError("the follower's observation must be the leader's choice "
                                  f"(write {follower.name}[s, ...] with the s of "
                                  f"{leader.name}[..., s])")
    n_state = len(leader.condition_sets[0]) if leader.condition_sets else 1
    targets: list[tuple[str, int]] = []
    if leader.condition_sets:
        targets.append((leader.name, 0))
    targets.append((leader.name, len(leader.condition_sets)))
    targets.append((follower.name, len(follower.condition_sets)))
    shape = ((n_state,) if leader.condition_sets else ()) + (len(leader.domain),
                                                            len(follower.domain))
    payoff = coefficient_array(model, both, [leader, follower], targets, shape)
    if not leader.condition_sets:
        payoff = payoff[np.newaxis]
    payoff += _partial_terms(model, terms, leader, follower, targets, payoff.shape)
    constraints = []
    for c in model.players[leader_name].constraints:
        for single in _one_per_element(c):
            constraints.append(_side_constraint(model, single, leader))
    return BilinearGame(
        leader, follower, payoff, conditioned, tuple(constraints),
        tuple(leader.condition_sets[0].elements) if leader.condition_sets else ("*",),
        tuple(leader.domain.elements), tuple(follower.domain.elements),
    )


def _partial_terms(model: Model, terms: list[Term], leader: Strategy, follower: Strategy,
                   targets: list[tuple[str, int]], shape: tuple[int, int, int]) -> np.ndarray:
    """Terms with one strategy or none, made bilinear with the rows that sum to 1.

    Every row of the leader's f[r, .] and of the follower's h[o, .] is a distribution, so
    sum f[r, s] c[r, s] = sum c[r, s] f[r, s] h[o(s), a] (summed over a too), a constant c
    is sum (c / R) f h, and, for a follower that does not observe the leader's choice,
    sum c[a] h[a] = sum (c[a] / R) f[r, s] h[a]. A follower-only term of a follower who
    observes s has no such form and is refused.
    """
    R = shape[0]
    extra = np.zeros(shape)
    lead = [t for t in terms if set(t.factors) == {leader.name}]
    if lead:
        own = [tg for tg in targets if tg[0] == leader.name]
        part = coefficient_array(model, lead, [leader], own, shape[:-1] if leader.condition_sets
                                 else shape[1:2])
        extra += part.reshape(shape[:-1] + (1,)) if part.ndim == 2 else part[None, :, None]
    follow = [t for t in terms if set(t.factors) == {follower.name}]
    if follow:
        if follower.condition_sets:
            raise SolverError(f"a payoff term with `{follower.name}` but not `{leader.name}` is "
                              f"not bilinear when `{follower.name}` observes the leader's choice",
                              hint=f"multiply it by `{leader.name}` inside the sum, or drop it")
        part = coefficient_array(model, follow, [follower], [targets[-1]], shape[-1:])
        extra += part[None, None, :] / R
    constant = [t for t in terms if not t.factors]
    if constant:
        extra += float(coefficient_array(model, constant, [], [], ())) / R
    return extra


def _one_per_element(constraint):
    """An indexed constraint `cap[r in R]: ...` as one constraint `cap[1]`, `cap[2]`, ...
    per element (the index replaced by the element); an unindexed one as itself."""
    if not constraint.variables:
        return [constraint]
    out = []
    for elements in itertools.product(*(fs.elements for fs in constraint.index_sets)):
        mapping = dict(zip(constraint.variables, map(element_expr, elements)))
        label = ", ".join(str(e) for e in elements)
        out.append(replace(constraint, name=f"{constraint.name}[{label}]", variables=(),
                           index_sets=(), relation=constraint.relation.xreplace(mapping)))
    return out


def _side_constraint(model: Model, constraint, leader: Strategy):
    rel = constraint.relation
    sense = {sympy.LessThan: "<=", sympy.GreaterThan: ">=", sympy.Equality: "=="}.get(type(rel))
    if sense is None:
        raise SolverError(f"constraint `{constraint.name}` must be <=, >= or ==")
    strategies = {leader.name: leader}
    lhs, rhs = model.expand_lets(rel.lhs), model.expand_lets(rel.rhs)
    if _mentions(rhs, strategies) and not _mentions(lhs, strategies):
        lhs, rhs = rhs, lhs  # `0.3 >= x[H]` is reported as `x[H] <= 0.3`
        sense = {"<=": ">=", ">=": "<=", "==": "=="}[sense]
    linear, constant = [], sympy.Integer(0)
    for term in sympy.Add.make_args(sympy.expand_mul(lhs - rhs)):
        if _mentions(term, strategies):
            linear.append(term)
        else:
            constant += term
    terms = split_terms(model, sympy.Add(*linear), strategies)
    targets = [(leader.name, k) for k in range(len(leader.condition_sets) + 1)]
    shape = tuple(len(s) for s in _target_sets(leader))
    weights = coefficient_array(model, [t for t in terms if t.factors], [leader], targets, shape)
    if not leader.condition_sets:
        weights = weights[np.newaxis]
    ctx = base_context(model)
    inner_constant = [t for t in terms if not t.factors]  # sum(r) psi[r] * (1 - f[r, r])
    bound = -float(evaluate(constant, ctx).data) if constant != 0 else 0.0
    if inner_constant:
        bound -= float(coefficient_array(model, inner_constant, [], [], ()))
    written_rhs = float(evaluate(rhs, ctx).data) if not _mentions(rhs, strategies) else bound
    # the written left side is weights . f + offset, its right side bound + offset
    return constraint.name, weights, sense, bound, written_rhs - bound


def _single_mixed(model: Model, player: str) -> Strategy:
    p = model.players[player]
    if p.kind != "single" or len(p.strategies) != 1 or p.strategies[0].kind != "mixed":
        raise SolverError(f"`{player}` must have one mixed strategy for the LP method")
    return p.strategies[0]
