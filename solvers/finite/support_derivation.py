"""Mixed equilibria of a small finite game derived symbolically, one support at a time.

For a support profile (a set of pure strategies per player, at least one player mixing),
the indifference conditions say each mixing player's strategies on its support earn the
same; solving them gives the probabilities as rational functions of the parameters
(hawk-dove: p(Hawk) = V/C). The support is an equilibrium exactly where every probability
lies in (0, 1) and no strategy off the support earns more: that region is reported as
SymPy relations, also under the reading that every parameter is positive.
"""
from __future__ import annotations

import itertools
import math

import sympy
from sympy.solvers.inequalities import reduce_rational_inequalities

from gamespec.model import Model
from gamespec.profile_values import profile_payoffs

DEFAULT_MAX_SUPPORTS = 60
SMALL_SET = 3  # strategy sets larger than this get supports of at most two strategies
LARGE_SET_SUPPORT = 2


def support_conditions(model: Model, max_supports: int = DEFAULT_MAX_SUPPORTS
                       ) -> list[tuple[str, object]]:
    """(label, SymPy object) items: per support profile with a solution, the indifference
    equations, the closed form and the region where it is an equilibrium. For games of
    single players with one finite strategy each (as `gamespec.derive` accepts)."""
    players = list(model.players.values())
    names = [p.name for p in players]
    domains = [tuple(p.strategies[0].domain.elements) for p in players]
    values = profile_payoffs(model)
    limit = LARGE_SET_SUPPORT if max(len(d) for d in domains) > SMALL_SET else None
    supports = _mixed_supports([len(d) for d in domains], limit)
    items: list[tuple[str, object]] = []
    if limit is not None:
        items.append(("note", f"supports of at most {limit} strategies per player "
                              f"(a strategy set has more than {SMALL_SET})"))
    if len(supports) > max_supports:
        items.append(("note", f"examined the first {max_supports:,} of {len(supports):,} "
                              "support profiles, smallest first"))
    for support in supports[:max_supports]:
        elements = [tuple(domains[k][i] for i in s) for k, s in enumerate(support)]
        items += _support_items(names, domains, elements, values)
    return items


def _mixed_supports(sizes: list[int], limit: int | None) -> list[tuple[tuple[int, ...], ...]]:
    """Support profiles where at least one player mixes, smallest first."""
    per_player = [[c for size in range(1, min(n, limit or n) + 1)
                   for c in itertools.combinations(range(n), size)] for n in sizes]
    count = math.prod(len(p) for p in per_player)
    if count > 10**6:  # never reached for games derive accepts (at most 512 profiles)
        return []
    profiles = [p for p in itertools.product(*per_player) if any(len(s) > 1 for s in p)]
    return sorted(profiles, key=lambda p: (sum(map(len, p)), tuple(map(len, p)), p))


def _support_items(names, domains, elements, values) -> list[tuple[str, object]]:
    """The items of one support profile, or [] when no probabilities solve it or its
    region is empty."""
    n = len(names)
    probs: list[dict] = []
    unknowns = []
    for k, chosen in enumerate(elements):
        if len(chosen) == 1:
            probs.append({chosen[0]: sympy.Integer(1)})
            continue
        symbols = {e: sympy.Symbol(f"p_{names[k]}_{e}", real=True) for e in chosen}
        probs.append(symbols)
        unknowns += list(symbols.values())

    def payoff(k, element):
        others = [j for j in range(n) if j != k]
        total = sympy.Integer(0)
        for rest in itertools.product(*(elements[j] for j in others)):
            profile = list(rest)
            profile.insert(k, element)
            weight = sympy.Mul(*(probs[j][e] for j, e in zip(others, rest)))
            total += values[(k, tuple(profile))] * weight
        return total

    equations = []
    for k, chosen in enumerate(elements):
        if len(chosen) > 1:
            base = payoff(k, chosen[0])
            equations += [sympy.Eq(payoff(k, e), base) for e in chosen[1:]]
            equations.append(sympy.Eq(sum(probs[k].values()), 1))
    equations, generic = _split_parameter_conditions(equations, set(unknowns))
    if not generic:
        return []
    try:
        solutions = sympy.solve(equations, unknowns, dict=True)
    except (NotImplementedError, ValueError):  # pragma: no cover - sympy gives up
        return []
    label = "support (" + ", ".join(
        f"{names[k]}: {{{', '.join(map(str, chosen))}}}" for k, chosen in enumerate(elements)) + ")"
    items = []
    for index, solution in enumerate(solutions):
        closed = {x: sympy.factor(sympy.cancel(solution.get(x, x))) for x in unknowns}
        region = _region(names, domains, elements, probs, closed, payoff)
        if region is sympy.false:
            continue
        tag = label if len(solutions) == 1 else f"{label}, solution {index + 1}"
        items.append((f"{tag}: indifference", sympy.And(*equations) if len(equations) > 1
                      else equations[0]))
        items.append((f"{tag}: closed form", closed))
        items.append((f"{tag}: equilibrium iff", region))
        positive = _positive_reading(region)
        if positive is not None and positive != region:
            items.append((f"{tag}: equilibrium iff (every parameter positive)", positive))
    return items


def _split_parameter_conditions(equations, unknowns: set) -> tuple[list, bool]:
    """The equations that involve a probability, and whether the others hold identically
    (one that holds only for special parameter values, like V = C, makes the support
    non-generic: it is skipped)."""
    kept = []
    for eq in equations:
        if eq is sympy.true:
            continue
        if eq is sympy.false:
            return [], False
        if eq.free_symbols & unknowns:
            kept.append(eq)
        elif sympy.expand(eq.lhs - eq.rhs) != 0:
            return [], False
    return kept, True


def _region(names, domains, elements, probs, closed, payoff):
    """Every probability in (0, 1) and no strategy off the support better, simplified."""
    conditions = []
    for k, chosen in enumerate(elements):
        if len(chosen) > 1:
            for x in probs[k].values():
                value = closed[x]
                conditions += [_positive(value, strict=True), _positive(1 - value, strict=True)]
        base = payoff(k, chosen[0]).xreplace(closed)
        for e in domains[k]:
            if e not in chosen:
                conditions.append(_positive(base - payoff(k, e).xreplace(closed), strict=False))
    kept = []
    for c in conditions:
        if c is sympy.false:
            return sympy.false
        if c is not sympy.true and c not in kept:
            kept.append(c)
    return _reduce(sympy.And(*kept))


def _positive(expr, strict: bool):
    """expr > 0 (or >= 0) without denominators: N * D > 0 for expr = N / D."""
    num, den = sympy.fraction(sympy.together(sympy.expand(expr)))
    if den.is_positive:
        den = sympy.Integer(1)
    product = sympy.factor(num * den)
    return product > 0 if strict else product >= 0


def _reduce(region):
    """The region as intervals when it has one parameter (empty -> false), else itself."""
    symbols = region.free_symbols
    if region in (sympy.true, sympy.false) or len(symbols) != 1:
        return region
    (symbol,) = symbols
    parts = list(region.args) if isinstance(region, sympy.And) else [region]
    try:
        if all((p.lhs - p.rhs).is_rational_function(symbol) for p in parts):
            solution_set = reduce_rational_inequalities([parts], symbol, relational=False)
            if solution_set is sympy.S.EmptySet:
                return sympy.false
            return solution_set.as_relational(symbol)
        reduced = sympy.reduce_inequalities(parts, symbol)
        return sympy.false if _empty_bounds(reduced, symbol) else reduced
    except (NotImplementedError, ValueError, TypeError):  # pragma: no cover - sympy limits
        return region


def _empty_bounds(region, symbol) -> bool:
    """Whether a conjunction of numeric bounds on one symbol (`c > 0`, `c < 0`) is empty;
    False when it has another form."""
    parts = region.args if isinstance(region, sympy.And) else (region,)
    low, low_strict, high, high_strict = -sympy.oo, True, sympy.oo, True
    for rel in parts:
        if not isinstance(rel, (sympy.StrictGreaterThan, sympy.StrictLessThan,
                                sympy.GreaterThan, sympy.LessThan)):
            return False
        big, small = (rel.lhs, rel.rhs) if isinstance(
            rel, (sympy.StrictGreaterThan, sympy.GreaterThan)) else (rel.rhs, rel.lhs)
        strict = isinstance(rel, (sympy.StrictGreaterThan, sympy.StrictLessThan))
        if big == symbol and small.is_number:
            if small > low or (small == low and strict):
                low, low_strict = small, strict
        elif small == symbol and big.is_number:
            if big < high or (big == high and strict):
                high, high_strict = big, strict
        else:
            return False
    return bool(low > high) or (low == high and (low_strict or high_strict))


def _positive_reading(region):
    """The region when every parameter is positive: positive factors dropped, each
    condition simplified; None when there is no parameter, or when a condition holds an
    undefined value (a payoff that is 1/0 for some parameters: SymPy refuses to compare)."""
    try:
        return _positive_conditions(region)
    except TypeError:
        return None


def _positive_conditions(region):
    symbols = sorted(region.free_symbols, key=lambda s: s.name)
    if not symbols or region in (sympy.true, sympy.false):
        return None
    positive = {s: sympy.Symbol(s.name, positive=True) for s in symbols}
    back = {v: k for k, v in positive.items()}
    parts = region.args if isinstance(region, sympy.And) else (region,)
    out = []
    for rel in parts:
        if not isinstance(rel, (sympy.StrictGreaterThan, sympy.StrictLessThan,
                                sympy.GreaterThan, sympy.LessThan)):
            cond = rel.xreplace(positive)
            if cond is sympy.false:
                return sympy.false
            if cond is not sympy.true:
                out.append(cond.xreplace(back))
            continue
        expr = sympy.factor((rel.lhs - rel.rhs).xreplace(positive))
        strict = isinstance(rel, (sympy.StrictGreaterThan, sympy.StrictLessThan))
        sign = 1 if isinstance(rel, (sympy.StrictGreaterThan, sympy.GreaterThan)) else -1
        factors = expr.args if isinstance(expr, sympy.Mul) else (expr,)
        kept = sympy.Integer(sign)
        for f in factors:
            if f.is_positive:
                continue
            if f.is_negative:
                kept = -kept
                continue
            kept *= f
        cond = kept > 0 if strict else kept >= 0
        if cond is sympy.false:
            return sympy.false
        if cond is not sympy.true:
            out.append(_as_comparison(cond).xreplace(back))
    return sympy.And(*out)


def _as_comparison(rel):
    """`C - V > 0` written as `V < C` when it is a difference of two terms."""
    if not isinstance(rel, sympy.core.relational.Relational) or rel.rhs != 0:
        return rel
    expr = rel.lhs
    if not isinstance(expr, sympy.Add):
        return rel
    pos = sympy.Add(*(t for t in expr.args if not t.could_extract_minus_sign()))
    neg = -sympy.Add(*(t for t in expr.args if t.could_extract_minus_sign()))
    if pos == 0 or neg == 0:
        return rel
    return type(rel)(pos, neg)
