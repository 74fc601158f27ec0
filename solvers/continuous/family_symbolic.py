"""A symmetric family over a range `lo..hi` whose ends are parameters (`1..n`), written
as one representative member against m - 1 identical others with the family size m kept
as a symbol: sums and means over the family become the member's term plus (m - 1) times
an other's. The first-order and corner conditions of that representative give the closed
form for every family size ((a - c) / (b (n + 1)) for n Cournot firms). Used by `derive`
only when the family's symmetry was checked at the given size; anything this rewriting
does not cover (a filter other than `j != i`, a parameter table indexed by the member,
nested aggregates) gives None, and `derive` keeps the closed form at the given size.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction

import sympy

from gamespec.errors import GamespecError
from gamespec.language import ast
from gamespec.language.parser import parse
from gamespec.language.symbols import SetAggregate
from gamespec.model import Model, Player


@dataclass(frozen=True)
class Representative:
    own: sympy.Symbol  # the representative member's choice
    size: sympy.Expr  # the family size, in parameters (n)
    payoff: sympy.Expr  # own and other choices, parameters by name
    foc: sympy.Expr  # d payoff / d own, the others at the same choice
    bounds: tuple[sympy.Expr, sympy.Expr]


def representative(model: Model, player: Player) -> Representative | None:
    """The representative member of `player` (a family) with a symbolic size, or None."""
    size = _symbolic_size(model, player)
    if size is None:
        return None
    st = player.strategies[0]
    base = st.symbol
    own = sympy.Symbol(f"{st.name}[{player.member_var}]", real=True)
    other = sympy.Symbol(f"{st.name}[other]", real=True)
    payoff = model.payoffs.get(player.name)
    index = payoff.variables[0] if payoff is not None and payoff.variables else None
    member = index if index is not None else player.member_var
    expr = model.expand_lets(model.payoff_of(player.name))
    try:
        rewritten = _rewrite(expr, base, member, own, other, size, player.member_set.name)
    except _Unsupported:
        return None
    if rewritten.atoms(SetAggregate, sympy.Indexed) or member in rewritten.free_symbols:
        return None
    low, high = st.domain.low, st.domain.high
    if (low.free_symbols | high.free_symbols) & {member, player.member_var}:
        return None
    foc = sympy.expand(sympy.diff(rewritten, own).xreplace({other: own}))
    return Representative(own, size, rewritten, foc, (low, high))


class _Unsupported(Exception):
    pass


def _rewrite(expr, base, member, own, other, size, set_name):
    if isinstance(expr, SetAggregate):
        return _aggregate(expr, base, member, own, other, size, set_name)
    if isinstance(expr, sympy.Indexed) and expr.base == base:
        if expr.indices != (member,):
            raise _Unsupported
        return own
    if not expr.args:
        return expr
    return expr.func(*[_rewrite(a, base, member, own, other, size, set_name)
                       for a in expr.args])


def _aggregate(agg, base, member, own, other, size, set_name):
    if agg.kind not in ("sum", "mean") or len(agg.variables) != 1 \
            or agg.set_names != (set_name,):
        raise _Unsupported
    (j,) = agg.variables
    others_only = agg.condition == sympy.Ne(j, member) or agg.condition == sympy.Ne(member, j)
    if agg.condition != sympy.true and not others_only:
        raise _Unsupported
    body = agg.body
    if body.atoms(SetAggregate):
        raise _Unsupported

    def at(choice):
        out = body.replace(lambda e: isinstance(e, sympy.Indexed) and e.base == base
                           and e.indices == (j,), lambda e: choice)
        if j in out.free_symbols or any(i.base == base for i in out.atoms(sympy.Indexed)):
            raise _Unsupported
        return out

    total = (size - 1) * at(other) + (0 if others_only else at(own))
    count = size - 1 if others_only else size
    return total / count if agg.kind == "mean" else total


def _symbolic_size(model: Model, player: Player) -> sympy.Expr | None:
    """hi - lo + 1 of the family's range, in parameter symbols, when an end is a
    parameter and it agrees with the set's size at the given values; else None."""
    try:
        spec = parse(model.source, model.path or "<spec>")
    except GamespecError:  # the model was built from it: not expected
        return None
    name = player.member_set.name
    for node in _nodes(spec):
        if isinstance(node, ast.SetStmt) and node.name == name:
            found = node.domain
        elif isinstance(node, ast.RangeSet) and name == f"_{node.span.line}_{node.span.column}":
            found = node
        else:
            continue
        if not isinstance(found, ast.RangeSet):
            return None
        low, high = _number_expr(model, found.low), _number_expr(model, found.high)
        if low is None or high is None:
            return None
        size = sympy.expand(high - low + 1)
        if not size.free_symbols:
            return None
        value = size.xreplace({s: sympy.Float(v) for s, v in model.scalar_values().items()})
        ok = not value.free_symbols and float(value) == len(player.member_set.elements)
        return size if ok else None
    return None


def _nodes(node):
    yield node
    if dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            yield from _nodes(getattr(node, f.name))
    elif isinstance(node, (tuple, list)):
        for item in node:
            yield from _nodes(item)


def _number_expr(model: Model, node) -> sympy.Expr | None:
    """A range end as SymPy: numbers, scalar parameters, + - * of them."""
    if isinstance(node, ast.Num) and not node.percent:
        exact = Fraction(node.text)
        return sympy.Rational(exact.numerator, exact.denominator)
    if isinstance(node, ast.Name):
        param = model.params.get(node.name)
        return param.symbol if param is not None and not param.index_sets else None
    if isinstance(node, ast.Neg):
        inner = _number_expr(model, node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.BinOp) and node.op in "+-*":
        left, right = _number_expr(model, node.left), _number_expr(model, node.right)
        if left is None or right is None:
            return None
        return {"+": left + right, "-": left - right, "*": left * right}[node.op]
    return None
