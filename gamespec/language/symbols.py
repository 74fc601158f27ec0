"""SymPy building blocks for the Model: aggregates over named finite sets, and printing.

Every object here is built from the parse tree with SymPy constructors; no string is ever
turned into an expression.
"""
from __future__ import annotations

import sympy
from sympy.core.symbol import Str
from sympy.functions.elementary.piecewise import ExprCondPair

AGGREGATE_KINDS = ("sum", "prod", "max", "min", "mean", "count")


class SetAggregate(sympy.Expr):
    """kind over (v1 in S1, v2 in S2, ...) with an optional filter: sum(r in R : cond) body.

    args = (Str(kind), body, Tuple(vars), Tuple(Str(set names)), condition)
    """

    is_commutative = True

    def __new__(cls, kind, body, variables, set_names, condition=sympy.true):
        kind = kind.name if isinstance(kind, Str) else kind
        set_names = [s.name if isinstance(s, Str) else s for s in set_names]
        return sympy.Expr.__new__(
            cls,
            Str(kind),
            body if isinstance(body, sympy.Basic) else sympy.Integer(body),
            sympy.Tuple(*variables),
            sympy.Tuple(*[Str(s) for s in set_names]),
            condition,
        )

    @property
    def kind(self) -> str:
        return self.args[0].name

    @property
    def body(self) -> sympy.Expr:
        return self.args[1]

    @property
    def variables(self) -> tuple[sympy.Symbol, ...]:
        return tuple(self.args[2])

    @property
    def set_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.args[3])

    @property
    def condition(self):
        return self.args[4]

    @property
    def free_symbols(self):
        inner = self.body.free_symbols
        if self.condition is not sympy.true:
            inner = inner | self.condition.free_symbols
        return inner - set(self.variables)

    def _eval_derivative(self, s):
        if self.kind in ("sum", "mean"):
            return SetAggregate(
                self.kind, sympy.diff(self.body, s), self.variables, self.set_names, self.condition
            )
        return sympy.Derivative(self, s)

    def _sympystr(self, printer):
        binders = ", ".join(
            f"{printer._print(v)} in {name}" for v, name in zip(self.variables, self.set_names)
        )
        if self.condition is not sympy.true:
            binders += f" : {printer._print(self.condition)}"
        if self.kind == "count":
            return f"count({binders})"
        return f"{self.kind}({binders}) ({printer._print(self.body)})"

    def _latex(self, printer):
        under = ", ".join(f"{printer._print(v)} \\in {printer._print(Str(name))}"
                          for v, name in zip(self.variables, self.set_names))
        if self.condition is not sympy.true:
            under += f" : {printer._print(self.condition)}"
        if self.kind == "count":
            return f"\\#\\{{{under}\\}}"
        op = {
            "sum": "\\sum", "prod": "\\prod", "max": "\\max", "min": "\\min",
            "mean": "\\operatorname{mean}",
        }[self.kind]
        return f"{op}_{{{under}}} \\left({printer._print(self.body)}\\right)"


def element_expr(element) -> sympy.Expr:
    """A set element as it appears in an index: a symbol for a name, else a number."""
    if isinstance(element, str):
        return sympy.Symbol(element)
    return sympy.Integer(int(element)) if float(element).is_integer() else sympy.Float(element)


class Piecewise(sympy.Piecewise):
    """A SymPy Piecewise kept as written (the name must stay `Piecewise`: SymPy's printers
    and lambdify dispatch on it). SymPy's own Piecewise folds any Piecewise it finds in
    a condition outward (`piecewise_fold`), also out of an aggregate's body: in
    ``[sum(j in I) w[j] * [b[j] == r] > 3]`` that would free the bound ``j``. This one is
    built, and rebuilt (e.g. by `xreplace`), without that step."""

    def __new__(cls, *args, **options):
        pairs = [getattr(arg, "args", arg) for arg in args]
        if not any(_folds_out_of_an_aggregate(cond) for _, cond in pairs):
            return sympy.Piecewise(*args, **options)  # SymPy's own: it also evaluates
        kept = []
        for expr, cond in pairs:
            cond = sympy.true if cond is True else (sympy.false if cond is False else cond)
            expr = sympy.Integer(expr) if isinstance(expr, int) else expr
            kept.append(sympy.Tuple.__new__(ExprCondPair, expr, cond))
        return sympy.Basic.__new__(cls, *kept)


def _folds_out_of_an_aggregate(cond) -> bool:
    """Whether SymPy would fold a Piecewise out of an aggregate inside ``cond``."""
    if not isinstance(cond, sympy.Basic):
        return False
    return any(a.body.has(sympy.Piecewise) or (
        a.condition is not sympy.true and a.condition.has(sympy.Piecewise))
        for a in cond.atoms(SetAggregate))


def indicator(condition) -> sympy.Expr:
    """[cond]: 1 where the condition holds, else 0 (a `Piecewise` kept as written)."""
    if condition is sympy.true:
        return sympy.Integer(1)
    if condition is sympy.false:
        return sympy.Integer(0)
    return Piecewise((sympy.Integer(1), condition), (sympy.Integer(0), sympy.true))


def plain(expr) -> str:
    """Plain-text rendering used by `derive` and `info`."""
    return sympy.sstr(expr)


def latex(expr) -> str:
    return sympy.latex(expr)


def safe_simplify(expr):
    """sympy.simplify, or the expression unchanged when SymPy fails on it."""
    try:
        return sympy.simplify(expr)
    except Exception:  # noqa: BLE001 - SymPy raises assorted errors on Piecewise corner cases
        return expr


def is_zero(expr) -> bool | None:
    """True if expr is identically zero, False if provably not, None if unknown."""
    try:
        expanded = sympy.expand(expr)
    except Exception:  # noqa: BLE001
        expanded = expr
    if expanded == 0:
        return True
    simplified = safe_simplify(expanded)
    if simplified == 0:
        return True
    if simplified.is_number:
        return False
    return None
