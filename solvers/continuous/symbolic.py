"""Symbolic work on payoffs: smooth branches, switch points, closed-form stationary points
(under a time limit) and the symbolic best-response derivation `gamespec derive` prints.
"""
from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from gamespec.math_text import MathText
from gamespec.solvers.continuous.expressions import as_expr
from gamespec.solvers.continuous.roots import polynomial_roots


@dataclass(frozen=True)
class Branch:
    """One smooth branch of a payoff and its first-order condition."""

    expr: sympy.Expr
    condition: sympy.Basic
    foc: sympy.Basic
    stationary: tuple[sympy.Expr, ...] | None  # None: no closed form found
    second_derivative: sympy.Expr
    constant: bool


@dataclass(frozen=True)
class Candidate:
    """A candidate maximiser: its point, payoff there, origin and when it is admissible."""

    point: sympy.Expr
    value: sympy.Expr
    kind: str
    valid: sympy.Basic


@dataclass(frozen=True)
class BestResponseDerivation:
    """The symbolic best response: FOCs, switch points, candidates and the rule."""

    var: sympy.Symbol
    lo: sympy.Expr
    hi: sympy.Expr
    branches: tuple[Branch, ...]
    switch_points: tuple[sympy.Expr, ...]
    candidates: tuple[Candidate, ...]
    rule: sympy.Expr | None  # None: too large to build (a note says so)
    closed_form: sympy.Expr | None
    notes: tuple[str, ...]


def _relations(condition: sympy.Basic) -> list[sympy.Basic]:
    if isinstance(condition, sympy.core.relational.Relational):
        return [condition]
    if isinstance(condition, sympy.Basic):
        return sorted(condition.atoms(sympy.core.relational.Relational),
                      key=sympy.default_sort_key)
    return []


def switch_functions(expr: sympy.Basic, var: sympy.Symbol) -> list[sympy.Expr]:
    """Expressions whose zeros in var mark a branch switch or a kink of expr."""
    found: list[sympy.Expr] = []
    for pw in expr.atoms(sympy.Piecewise):
        for _, cond in pw.args:
            found += [r.lhs - r.rhs for r in _relations(cond) if var in r.free_symbols]
    for fn in expr.atoms(sympy.Abs, sympy.sign, sympy.Heaviside):
        if var in fn.args[0].free_symbols:
            found.append(fn.args[0])
    for fn in expr.atoms(sympy.Max, sympy.Min):
        parts = [p for p in fn.args]
        found += [p - q for i, p in enumerate(parts) for q in parts[i + 1:]
                  if var in (p - q).free_symbols]
    unique = {sympy.default_sort_key(g): g for g in found}
    return [unique[k] for k in sorted(unique)]


class _TimeUp(BaseException):
    """Raised by the alarm to abandon a symbolic computation (not an Exception, so that
    SymPy's own `except Exception` blocks cannot swallow it)."""


def with_time_limit(fn: Callable[[], Any], seconds: float | None) -> Any:
    """fn() or None when it takes longer than `seconds`.

    Uses SIGALRM, which only the main thread can receive; elsewhere it returns None
    without running fn, and the caller falls back to numbers.
    """
    if seconds is None:
        return fn()
    if threading.current_thread() is not threading.main_thread() or not hasattr(
            signal, "SIGALRM"):
        return None

    def alarm(signum: int, frame: Any) -> None:
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, alarm)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        return fn()
    except _TimeUp:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_delay > 0:
            left = max(old_delay - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)


def realified(exprs: Sequence[sympy.Basic]) -> tuple[list[sympy.Basic], dict, dict]:
    """Copies of exprs whose symbols are all real (solve then drops complex roots)."""
    symbols = set().union(*(e.free_symbols for e in exprs)) if exprs else set()
    forward = {s: sympy.Symbol(s.name, real=True) for s in symbols if not s.is_real}
    back = {v: k for k, v in forward.items()}
    return [e.xreplace(forward) for e in exprs], forward, back


def quietly(fn: Callable[[], Any]) -> Any:
    """fn(), or None when SymPy gives up (NotImplementedError and kin)."""
    try:
        return fn()
    except (NotImplementedError, ValueError, TypeError, RecursionError):
        return None


def _max_polynomial_degree(expr: sympy.Expr, var: sympy.Symbol) -> int | None:
    numerator = sympy.fraction(sympy.together(expr))[0]
    if not numerator.is_polynomial(var):
        return None
    return sympy.degree(numerator, var)


def solve_univariate(expr: sympy.Expr, var: sympy.Symbol, timeout: float | None = 2.0, *,
                     polynomial_only: bool = False) -> tuple[sympy.Expr, ...] | None:
    """Closed-form real solutions of expr = 0 in var, or None when none is found in time.

    Low-degree polynomial equations (after clearing denominators) are solved directly,
    which is fast and bounded; anything else goes to solveset under a time limit, unless
    `polynomial_only`, when it returns None at once. An equation with an unevaluated
    derivative (of a library function) has no closed form here: None.
    """
    if expr.has(sympy.Derivative, sympy.Subs):
        return None
    (real_expr,), forward, back = realified([expr])
    real_var = forward.get(var, var)
    degree = _max_polynomial_degree(real_expr, real_var)
    numeric = not (real_expr.free_symbols - {real_var})
    if degree is not None and degree <= (4 if numeric else 2):
        found = quietly(lambda: polynomial_roots(real_expr, real_var))
    elif polynomial_only:
        return None
    else:
        found = with_time_limit(
            lambda: quietly(lambda: sympy.solveset(real_expr, real_var, sympy.S.Reals)),
            timeout)
        if found is sympy.S.EmptySet:
            return ()
        found = list(found) if isinstance(found, sympy.FiniteSet) else None
    if found is None:
        return None
    roots = [r.xreplace(back) for r in found if r.is_real is not False]
    return tuple(sorted(set(roots), key=sympy.default_sort_key))


def smooth_branches(payoff: sympy.Expr) -> list[tuple[sympy.Expr, sympy.Basic]]:
    """(expression, exclusive condition) for each smooth piece of the payoff."""
    if not payoff.has(sympy.Piecewise):
        return [(payoff, sympy.true)]
    folded = sympy.piecewise_fold(payoff)
    if not isinstance(folded, sympy.Piecewise):
        return [(folded, sympy.true)]
    folded = sympy.piecewise_exclusive(folded)
    return [(e, c) for e, c in folded.args]


def _branch(expr: sympy.Expr, condition: sympy.Basic, var: sympy.Symbol,
            timeout: float | None) -> Branch:
    derivative = sympy.diff(expr, var)
    constant = var not in expr.free_symbols
    stationary = () if constant else solve_univariate(derivative, var, timeout)
    return Branch(expr, condition, sympy.Eq(derivative, 0), stationary,
                  sympy.diff(expr, var, 2), constant)


def _degenerate_region(condition: sympy.Basic, var: sympy.Symbol, lo: sympy.Expr,
                       hi: sympy.Expr) -> bool:
    """True when a branch condition holds at isolated points of [lo, hi] only (e.g.
    x <= 0 on [0, M]). Symbolic bounds are tried at two widths, 1 and 1e6."""
    if condition is sympy.true or condition.free_symbols - {var}:
        return False
    bound_symbols = (lo.free_symbols | hi.free_symbols) - {var}
    verdicts = []
    for width in (1, 10**6):
        stand_in = {b: lo.subs({c: 0 for c in bound_symbols}) + width for b in bound_symbols}
        a, b = lo.subs(stand_in), hi.subs(stand_in)
        if not (a.is_number and b.is_number) or not bool(a < b):
            return False
        try:
            region = condition.as_set().intersect(sympy.Interval(a, b))
        except (NotImplementedError, TypeError, ValueError):
            return False
        verdicts.append(isinstance(region, sympy.FiniteSet) or region is sympy.S.EmptySet)
    return all(verdicts)


def _placeholder(var: sympy.Symbol, k: int, many: bool) -> sympy.Symbol:
    suffix = f"_{k}" if many else ""
    return sympy.Symbol(f"{var.name}^*{suffix}", real=True)


def _bounded(point: sympy.Expr, lo: sympy.Expr, hi: sympy.Expr) -> sympy.Basic:
    return sympy.And(sympy.Ge(point, lo), sympy.Le(point, hi))


def _candidates_symbolic(payoff: sympy.Expr, var: sympy.Symbol, lo: sympy.Expr,
                         hi: sympy.Expr, branches: list[Branch],
                         switches: list[sympy.Expr]) -> tuple[list[Candidate], list[str]]:
    out: list[Candidate] = []
    notes: list[str] = []
    live = [b for b in branches if not _degenerate_region(b.condition, var, lo, hi)]
    if len(live) < len(branches):
        notes.append("branches active only at isolated points of the interval are covered "
                     "by the switch and end-point candidates")
    many = sum(1 for b in live if b.stationary is None) > 1
    for k, branch in enumerate(live):
        if branch.constant:
            notes.append(MathText("payoff constant in ", var, " where ", branch.condition,
                                  ": any such point is a best response there"))
            continue
        points = branch.stationary
        if points is None:
            star = _placeholder(var, k, many)
            notes.append(MathText(star, " solves the first-order condition ", branch.foc,
                                  " (no closed form)"))
            points = (star,)
        for p in points:
            valid = sympy.And(branch.condition.subs(var, p), _bounded(p, lo, hi))
            if valid is not sympy.false:
                out.append(Candidate(p, branch.expr.subs(var, p), "stationary", valid))
    for p in switches:
        valid = _bounded(p, lo, hi)
        if valid is not sympy.false:
            out.append(Candidate(p, payoff.subs(var, p), "switch", valid))
    out.append(Candidate(lo, payoff.subs(var, lo), "end point", sympy.true))
    out.append(Candidate(hi, payoff.subs(var, hi), "end point", sympy.true))
    unique: dict = {}
    for c in out:
        unique.setdefault(c.point, c)
    return list(unique.values()), notes


RULE_SIZE_LIMIT = 400  # operations in the rule's conditions beyond which it is not built


def _selection_rule(candidates: list[Candidate],
                    timeout: float | None = 2.0) -> sympy.Expr | None:
    """Piecewise: the candidate whose payoff is at least every other admissible one's.

    None when its conditions exceed RULE_SIZE_LIMIT operations; SymPy's simplification of
    the pieces runs under the time limit (it can recurse without end on a few payoffs)
    and the pieces are kept as written when it fails."""
    pieces = []
    for i, c in enumerate(candidates[:-1]):
        beats = [sympy.Or(sympy.Not(d.valid), sympy.Ge(c.value, d.value))
                 for j, d in enumerate(candidates) if j != i]
        pieces.append((c.point, sympy.And(c.valid, *beats)))
    pieces.append((candidates[-1].point, sympy.true))
    if sum(sympy.count_ops(cond) for _, cond in pieces) > RULE_SIZE_LIMIT:
        return None
    rule = with_time_limit(lambda: quietly(lambda: sympy.Piecewise(*pieces)), timeout)
    return rule if rule is not None else sympy.Piecewise(*pieces, evaluate=False)


def symbolic_best_response(payoff: sympy.Expr, var: sympy.Symbol, lo: Any, hi: Any, *,
                           timeout: float | None = 2.0) -> BestResponseDerivation:
    """The derivation `gamespec derive` prints: FOC per smooth branch and its solutions,
    branch switch points, the candidates and the rule choosing among them (for an
    indicator cost C*[x > 0] the rule reads "0 or the interior optimum, whichever pays
    more"), and the clipped closed form when the payoff is smooth with one stationary
    point."""
    lo, hi = as_expr(lo), as_expr(hi)
    branches = [_branch(e, c, var, timeout) for e, c in smooth_branches(payoff)]
    switches: list[sympy.Expr] = []
    for g in switch_functions(payoff, var):
        roots = solve_univariate(g, var, timeout)
        switches += list(roots or ())
    switches = sorted(set(switches), key=sympy.default_sort_key)
    candidates, notes = _candidates_symbolic(payoff, var, lo, hi, branches, switches)
    closed = None
    if len(branches) == 1 and branches[0].stationary is not None \
            and len(branches[0].stationary) == 1:
        concave = branches[0].second_derivative.is_negative
        closed = sympy.Min(sympy.Max(branches[0].stationary[0], lo), hi)
        if concave is not True:
            notes.append(MathText("the clipped stationary point is the best response when ",
                                  sympy.Lt(branches[0].second_derivative, 0, evaluate=False),
                                  " (concave payoff)"))
    rule = _selection_rule(candidates, timeout)
    return BestResponseDerivation(var, lo, hi, tuple(branches), tuple(switches),
                                  tuple(candidates), rule, closed, tuple(notes))
