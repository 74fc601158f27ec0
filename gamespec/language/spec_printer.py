"""SymPy expressions printed the way specs are written: `[s != t]` for an indicator,
`if c then a else b`, `a == b` and `a != b`, instead of SymPy's Piecewise/Eq/Ne."""
from __future__ import annotations

import sympy
from sympy.printing.str import StrPrinter


class SpecPrinter(StrPrinter):
    """StrPrinter with the language's spelling of conditions and indicators."""

    def _print_Piecewise(self, expr: sympy.Piecewise) -> str:
        pieces = list(expr.args)
        if (len(pieces) == 2 and pieces[1].cond is sympy.true and pieces[0].expr == 1
                and pieces[1].expr == 0):
            return f"[{self._print(pieces[0].cond)}]"
        text = self._print(pieces[-1].expr)
        for piece in reversed(pieces[:-1]):
            text = f"(if {self._print(piece.cond)} then {self._print(piece.expr)} else {text})"
        return text

    def _print_Equality(self, expr: sympy.Equality) -> str:
        return f"{self._print(expr.lhs)} == {self._print(expr.rhs)}"

    def _print_Unequality(self, expr: sympy.Unequality) -> str:
        return f"{self._print(expr.lhs)} != {self._print(expr.rhs)}"


def spec_str(expr) -> str:
    """`expr` as spec-like text (strings pass through)."""
    return expr if isinstance(expr, str) else SpecPrinter().doprint(expr)
