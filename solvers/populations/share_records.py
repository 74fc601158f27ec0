"""Population equilibria as Result parts: one record per equilibrium (shares, exact
shares, each choice's payoff, the fields, the mean payoff), the selected one, the
certificate and the statement of what was searched."""
from __future__ import annotations

import numpy as np
import sympy

from gamespec.errors import SpecError
from gamespec.lowering import fold, to_numpy
from gamespec.model import Model
from gamespec.result import Certificate
from gamespec.solvers.populations.finite_shares import ShareGame
from gamespec.solvers.populations.share_numeric import GRID, SIDE, STARTS
from gamespec.solvers.populations.supports import SharePoint

SHORT = 24  # longer exact shares (roots of cubics, ...) stay in the JSON only
THRESHOLD_ROLE = "threshold: the payoff difference changes sign at a jump (continuum limit)"


def record(game: ShareGame, point: SharePoint) -> dict:
    """One equilibrium as the JSON lists it."""
    payoffs = game.choice_payoffs([x[None, :] for x in point.shares])
    fields = game.field_values([x[None, :] for x in point.shares])
    out: dict = {
        "profile": {pop.name: {label: float(v) for label, v in zip(pop.labels, x)}
                    for pop, x in zip(game.populations, point.shares)},
        "payoffs": {pop.name: _mean_payoff(x, u[0]) for pop, x, u
                    in zip(game.populations, point.shares, payoffs)},
        "total_payoffs": {pop.name: pop.size * _mean_payoff(x, u[0]) for pop, x, u
                          in zip(game.populations, point.shares, payoffs)},
        "choice_payoffs": {pop.name: {label: float(v) for label, v in zip(pop.labels, u[0])}
                           for pop, u in zip(game.populations, payoffs)},
        "fields": {f.name: float(v[0]) for f, v in zip(game.fields, fields)},
        "pure": all(len(used) == 1 for used in point.support),
        "kind": point.kind,
        "switching_gain": point.gain,
    }
    if point.exact is not None:
        exact = {pop.name: {label: sympy.sstr(v) for label, v in zip(pop.labels, row)}
                 for pop, row in zip(game.populations, point.exact)}
        long = any(len(text) > SHORT for shares in exact.values() for text in shares.values())
        out["exact_algebraic" if long else "exact"] = exact  # long roots: floats shown
        exact_fields = game.field_exprs(point.exact)
        out["exact_fields"] = {f.name: sympy.sstr(sympy.simplify(exact_fields[f.symbol]))
                               for f in game.fields}
        if point.kind == "regular":
            out["exact_payoffs"] = {
                pop.name: sympy.sstr(sympy.simplify(sympy.Add(*[
                    x * u.xreplace(exact_fields) for x, u in zip(row, game.payoffs[p])])))
                for p, (pop, row) in enumerate(zip(game.populations, point.exact))}
    if point.stable is not None:
        out["stable"] = point.stable
    if point.kind == "threshold":
        out["role"] = THRESHOLD_ROLE
        out["one_sided"] = dict(point.sides)
    return out


def _mean_payoff(shares: np.ndarray, payoffs: np.ndarray) -> float:
    """sum over used choices of share x payoff (an unused choice's payoff, even -inf,
    does not count)."""
    used = shares > 0
    return float(np.dot(shares[used], payoffs[used])) + 0.0  # + 0.0: no -0 shown


def selected_index(model: Model, game: ShareGame, records: list[dict]) -> int:
    """`select max|min payoff P` picks by P's mean payoff, `select max|min EXPR` by an
    expression over the fields (ties: the first); else the first equilibrium listed
    (fewest used choices first)."""
    rule = model.selection
    if rule is None or rule.kind not in ("max", "min"):
        return 0
    if rule.payoff_of is not None:
        if rule.payoff_of not in records[0]["payoffs"]:
            raise SpecError(f"`select {rule.kind} payoff {rule.payoff_of}`: no population "
                            f"`{rule.payoff_of}`", span=rule.span)
        values = [r["payoffs"][rule.payoff_of] for r in records]
    else:
        values = _target_values(model, game, rule, records)
    best = max(values) if rule.kind == "max" else min(values)
    return next(k for k, v in enumerate(values) if abs(v - best) <= 1e-9 * max(1.0, abs(best)))


def _target_values(model: Model, game: ShareGame, rule, records: list[dict]) -> list[float]:
    symbols = [f.symbol for f in game.fields]
    target = model.expand_lets(rule.target)
    if target.free_symbols & {pop.variable for pop in game.populations}:
        raise SpecError("a selection rule over population shares may use the fields only, "
                        "not a member's choice", span=rule.span,
                        hint="fields: " + ", ".join(f.name for f in game.fields))
    target = fold(model, target, symbols, span=rule.span)
    if target.free_symbols - set(symbols):
        raise SpecError("a selection rule over population shares may use the fields only",
                        span=rule.span, hint="fields: " + ", ".join(f.name for f in game.fields))
    fn = to_numpy(symbols, target, span=rule.span)
    return [float(fn(*(r["fields"][f.name] for f in game.fields))) for r in records]


def certificate(points: list[SharePoint], oks: list[bool], tol: float) -> Certificate:
    regular = [p.gain for p in points if p.kind == "regular"]
    thresholds = [p for p in points if p.kind == "threshold"]
    kind = "max switching gain"
    details: dict = {"equilibria": len(points), "regular": len(regular),
                     "failed": sum(1 for ok in oks if not ok)}
    if thresholds:
        kind += "; at a payoff jump: the sign of the payoff difference either side"
        details.update({"threshold": len(thresholds), "one_sided_offset": SIDE,
                        "threshold_unused_gain": max(p.gain for p in thresholds)})
    residual = max([0.0, *regular, *(p.gain for p in thresholds)])
    return Certificate(kind, residual, bool(points) and all(oks), tol, details)


def covers(exact: bool, searched: dict, game: ShareGame) -> str:
    """Which equilibria the answer covers, in words."""
    if exact:
        return ("all equilibria: every support (set of used choices per population) "
                "enumerated and its equal-payoff equations solved exactly")
    text = (f"every support enumerated numerically: {_count(searched['vertices'], 'vertex')} "
            f"checked, {_count(searched['edges'], 'edge')} (two used choices) scanned on "
            f"{GRID:,} shares each (its ends included) and "
            "refined by bisection (zeros and jumps of the payoff difference)")
    if searched["root_finding_supports"]:
        text += (f"; {_count(searched['root_finding_supports'], 'support')} of three or "
                 "more used "
                 f"choices by root finding from {STARTS + 1} starts (equilibria there may be "
                 "missed)")
    else:
        text += "; all equilibria whose payoff differences change sign on the grid's scale"
    return text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {'vertices' if noun == 'vertex' else noun + 's'}"
