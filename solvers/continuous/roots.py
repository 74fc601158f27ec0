"""Closed forms kept cheap: the roots of a low-degree rational equation by formula, and
rational expressions in a readable form, without `simplify` (which is slow and loads
much more of SymPy).
"""
from __future__ import annotations

import sympy

from gamespec.solvers.continuous.expressions import as_expr


def tidy(expr: sympy.Expr) -> sympy.Expr:
    """A readable form: a rational function cancelled (and factored when shorter), which
    is cheap; anything else through `simplify` (slower, and loads more of SymPy)."""
    expr = as_expr(expr)
    if expr.is_rational_function(*expr.free_symbols):
        cancelled = sympy.cancel(expr)
        forms = [sympy.factor(cancelled), cancelled]  # factored first on a tie
        plain = [f for f in forms if not f.could_extract_minus_sign()] or forms
        return min(plain, key=sympy.count_ops)
    return sympy.simplify(expr)


def polynomial_roots(expr: sympy.Expr, var: sympy.Symbol) -> list[sympy.Expr]:
    """Roots of a low-degree rational equation: the numerator's roots by formula (fast),
    those that zero the denominator dropped; `solve` when the formula gives fewer."""
    numerator, denominator = sympy.fraction(sympy.together(expr))
    poly = sympy.Poly(numerator, var)
    found = sympy.roots(poly) if poly.degree() > 0 else {}
    if poly.degree() <= 0 or sum(found.values()) != poly.degree():
        return sympy.solve(expr, var, simplify=False)
    out = []
    for root in found:
        if var in denominator.free_symbols and sympy.cancel(
                denominator.xreplace({var: root})) == 0:
            continue
        out.append(sympy.cancel(root) if root.is_rational_function(*root.free_symbols)
                   else root)
    return out
