"""A comparison solved exactly for one variable: `lhs OP rhs` <=> `variable OP' boundary`.

The difference is brought over one denominator; the signs of the denominator and of the
factors of the numerator that do not vanish are decided under the declared ranges of the
symbols (a symbol in (a, b) is written a + (b - a) u/(1 + u) with u > 0, so SymPy's
assumptions decide the sign of the rational expression that results). One factor must be
linear in the variable; its root is the boundary. `>=`/`>` (and `<=`/`<`) are kept. A sign
that the ranges do not decide is taken from the given parameter values when there are
some, and is then stated as an assumption of the result.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from gamespec.errors import SolverError

__all__ = ["Condition", "holds_at", "isolate", "sign_under"]

Range = tuple[float | None, float | None]  # open interval; None: unbounded on that side
_GREATER = (sp.StrictGreaterThan, sp.GreaterThan)
_OPS = {(True, True): sp.StrictGreaterThan, (True, False): sp.GreaterThan,
        (False, True): sp.StrictLessThan, (False, False): sp.LessThan}


@dataclass(frozen=True)
class Condition:
    """`variable OP boundary`, equivalent to the comparison it was solved from."""

    relation: sp.Rel
    variable: sp.Symbol
    boundary: sp.Expr
    coefficient: sp.Expr  # the sign-fixed coefficient of `variable` (its sign: direction)
    assumed: tuple[sp.Rel, ...] = ()  # signs taken from the given values, not the ranges


def exact(value) -> sp.Expr:
    """A float parameter value as the exact decimal it prints as (0.1 -> 1/10)."""
    if isinstance(value, sp.Basic):
        return value
    return sp.Rational(*Fraction(repr(float(value))).as_integer_ratio())


def _basic(expr) -> sp.Basic:
    return expr if isinstance(expr, sp.Basic) else exact(expr)


def _range_substitution(ranges: Mapping[sp.Symbol, Range]) -> dict:
    subs = {}
    for sym, (low, high) in ranges.items():
        u = sp.Dummy(f"{sym}_u", positive=True)
        if low is not None and high is not None:
            lo, hi = exact(low), exact(high)
            subs[sym] = lo + (hi - lo) * u / (1 + u)
        elif low is not None:
            subs[sym] = exact(low) + u
        elif high is not None:
            subs[sym] = exact(high) - u
    return subs


def _polynomial_sign(expr: sp.Expr) -> int | None:
    """The sign of a polynomial in positive symbols when its expanded or factored form
    shows it (every term of one sign), else None."""
    expanded = sp.expand(expr)
    if expanded == 0:
        return None
    terms = sp.Add.make_args(expanded)
    signs = {1 if t.as_coeff_Mul()[0] > 0 else -1 for t in terms}
    if len(signs) == 1 and all(s.is_positive for t in terms for s in t.free_symbols):
        return signs.pop()
    form = sp.factor(expanded)
    if form.is_positive:
        return 1
    if form.is_negative:
        return -1
    return None


def sign_under(expr: sp.Expr, ranges: Mapping[sp.Symbol, Range]) -> int | None:
    """+1/-1 if `expr` has that sign for every value of its symbols in their ranges."""
    value = sp.together(_basic(expr).xreplace(_range_substitution(ranges)))
    if value.is_number:
        return None if value == 0 else (1 if value > 0 else -1)
    numerator, denominator = sp.fraction(value)
    signs = [_polynomial_sign(numerator), _polynomial_sign(denominator)]
    return None if None in signs else signs[0] * signs[1]


def _sign(expr, ranges, values: Mapping, assumed: list, what: str) -> int:
    """The sign under the ranges, else at the given values (recorded in `assumed`)."""
    sign = sign_under(expr, ranges)
    if sign is not None:
        return sign
    number = _basic(expr).xreplace({k: exact(v) for k, v in values.items()})
    if number.is_number and number != 0:
        sign = 1 if number > 0 else -1
        assumed.append(sp.StrictGreaterThan(expr, 0) if sign > 0 else sp.StrictLessThan(expr, 0))
        return sign
    raise SolverError(f"cannot decide the sign of {sp.sstr(expr)} ({what})",
                      hint="declare the ranges of the parameters, e.g. `param d = 0.9 in [0, 1]`")


def isolate(relation: sp.Rel, variable: sp.Symbol, ranges: Mapping[sp.Symbol, Range],
            values: Mapping[sp.Symbol, float] | None = None) -> Condition:
    """Solve `relation` (>, >=, <, <=; lhs and rhs rational in `variable`) for `variable`."""
    values = values or {}
    if not isinstance(relation, (*_GREATER, sp.StrictLessThan, sp.LessThan)):
        raise SolverError(f"{sp.sstr(relation)} is not a comparison (>, >=, <, <=)")
    strict = isinstance(relation, (sp.StrictGreaterThan, sp.StrictLessThan))
    gap = relation.lhs - relation.rhs if isinstance(relation, _GREATER) else \
        relation.rhs - relation.lhs  # the relation now reads `gap > 0` (or >= 0)
    numerator, denominator = sp.fraction(sp.cancel(sp.together(gap)))
    if variable not in numerator.free_symbols:
        raise SolverError(f"the comparison does not depend on {variable}")
    assumed: list = []
    sign = 1
    if variable in denominator.free_symbols or not denominator.is_number:
        sign = _sign(denominator, ranges, values, assumed, "a denominator")
    elif denominator < 0:
        sign = -1
    try:
        constant, factors = sp.factor_list(numerator)
    except (sp.PolynomialError, NotImplementedError):  # |p|, a piecewise: not a polynomial
        raise SolverError(f"cannot solve {sp.sstr(relation)} for {variable}: it is not a "
                          "rational function of it") from None
    sign *= 1 if constant > 0 else -1
    linear = None
    for factor, power in factors:
        if variable in factor.free_symbols:
            decided = sign_under(factor, ranges)
            if decided is None:
                if linear is not None or power != 1 or _degree(factor, variable) != 1:
                    raise SolverError(f"cannot solve {sp.sstr(relation)} for {variable}: "
                                      "it is not one linear factor in it over a denominator")
                linear = factor
                continue
            sign *= decided ** power
        else:
            sign *= _sign(factor, ranges, values, assumed, "a factor") ** power
    if linear is None:
        raise SolverError(f"{sp.sstr(relation)} has the same truth for every {variable} "
                          "in its range")
    slope = linear.coeff(variable, 1)
    offset = sp.expand(linear - slope * variable)
    slope_sign = _sign(slope, ranges, values, assumed, f"the coefficient of {variable}")
    boundary = sp.factor(sp.cancel(-offset / slope))
    upward = sign * slope_sign > 0
    return Condition(_OPS[(upward, strict)](variable, boundary), variable, boundary,
                     sign * slope, tuple(assumed))


def _degree(expr, variable: sp.Symbol) -> int | None:
    """The degree of expr in variable; None when it is not a polynomial in it."""
    try:
        return sp.degree(expr, variable)
    except (sp.PolynomialError, NotImplementedError):
        return None


def holds_at(relation: sp.Rel, values: Mapping[sp.Symbol, float],
             tolerance: float = 1e-12) -> dict | None:
    """The relation at the given values, exactly: lhs, rhs, whether it holds, and whether
    the two sides tie (within `tolerance`, relative: a float such as 2/3 typed as 0.6667
    is at the boundary). None when symbols remain, or when a side is not a finite real
    number there (a value recursion diverges at a discount of 1)."""
    point = {k: exact(v) for k, v in values.items()}
    lhs, rhs = (side.xreplace(point) for side in (relation.lhs, relation.rhs))
    if not (lhs.is_number and rhs.is_number):
        return None
    if not all(side.is_extended_real and side.is_finite for side in (lhs, rhs)):
        return None
    gap = sp.cancel(lhs - rhs)
    scale = max(1.0, abs(float(lhs)), abs(float(rhs)))
    tie = abs(float(gap)) <= tolerance * scale
    if tie:
        holds = isinstance(relation, (sp.GreaterThan, sp.LessThan))
    else:
        holds = bool(gap > 0) if isinstance(relation, _GREATER) else bool(gap < 0)
    return {"lhs": float(lhs), "rhs": float(rhs), "holds": holds, "at_boundary": tie}
