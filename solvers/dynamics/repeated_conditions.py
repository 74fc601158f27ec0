"""Repeated play's value recursions and named conditions: the recursions solved exactly,
each condition solved for one parameter (the discount first) as written (`>=` stays
`>=`), and evaluated at the given parameters."""
from __future__ import annotations

import difflib

import sympy

from gamespec.errors import GamespecError, SpecError
from gamespec.model import Model
from gamespec.solvers.dynamics import repeated as rep
from gamespec.solvers.dynamics.isolate import exact, holds_at, isolate


def _params(model: Model) -> dict:
    return {k: exact(v) for k, v in model.scalar_values().items()}


def value_solutions(model: Model) -> dict:
    recursions = [sympy.Eq(v, model.expand_lets(rhs)) for v, rhs in model.repeated.values]
    unknowns = [v for v, _ in model.repeated.values]
    return rep.solve_value_recursions(recursions, unknowns)


def ranges(model: Model, variable: sympy.Symbol | None = None) -> dict:
    """Declared ranges of the scalar parameters (`param p = 0.9 in [0, 1]`), as open
    intervals; the discount, when it is a parameter without one, ranges over (0, 1)."""
    out = {p.symbol: p.admissible for p in model.params.values()
           if not p.index_sets and p.admissible is not None}
    discount = model.repeated.discount if model.repeated else None
    if isinstance(discount, sympy.Symbol) and discount not in out:
        out[discount] = (0.0, 1.0)
    if variable is not None and variable not in out and variable == discount:
        out[variable] = (0.0, 1.0)
    return out


def _candidates(model: Model, gap, solve_for: str | None) -> list:
    if solve_for:
        if solve_for not in model.params:
            close = difflib.get_close_matches(str(solve_for), list(model.params), n=1)
            raise SpecError(f"solve option `solve_for`: `{solve_for}` is not a parameter",
                            span=model.spans.get("solve option solve_for"),
                            hint=f"did you mean `{close[0]}`?" if close else
                            "name a parameter of the condition")
        return [model.params[solve_for].symbol]
    found = [p.symbol for p in model.params.values()
             if not p.index_sets and p.symbol in gap.free_symbols]
    discount = model.repeated.discount
    return sorted(found, key=lambda s: s != discount)  # the discount first


def conditions(model: Model, solve_for: str | None = None) -> list[tuple[str, object]]:
    """Each named condition solved for one parameter (as written: `>=` stays `>=`), with
    the values substituted; a condition that cannot be solved is returned as written."""
    solutions = value_solutions(model)
    values = _params(model)
    out = []
    for name, relation in model.repeated.conditions:
        rel = model.expand_lets(relation).xreplace(solutions)
        if not isinstance(rel, (sympy.StrictGreaterThan, sympy.GreaterThan,
                                sympy.StrictLessThan, sympy.LessThan)):
            out.append((name, rel))
            continue
        solved = None
        for variable in _candidates(model, rel.lhs - rel.rhs, solve_for):
            others = {k: v for k, v in values.items() if k != variable}
            try:
                solved = isolate(rel, variable, ranges(model, variable), others)
                break
            except GamespecError:
                continue
        out.append((name, solved if solved is not None else rel))
    return out


def condition_record(condition, values: dict) -> dict:
    """A condition as text, with whether it holds at the given parameters."""
    rel = condition.relation if isinstance(condition, rep.Condition) else condition
    record = {"condition": sympy.sstr(rel), "solved": isinstance(condition, rep.Condition)}
    if isinstance(condition, rep.Condition) and condition.assumed:
        record["assuming"] = [sympy.sstr(a) for a in condition.assumed]
    at = holds_at(rel, values) if isinstance(rel, sympy.core.relational.Relational) else None
    if at is not None:
        record.update(at)
    return record


def condition_fact(name: str, record: dict, label: str | None = None) -> tuple[str, str]:
    """The terminal line of a condition: its text and its verdict at the parameters."""
    text = record["condition"]
    if "assuming" in record:
        text += f" (assuming {', '.join(record['assuming'])})"
    if "holds" in record:
        verdict = "holds" if record["holds"] else "does NOT hold"
        tie = ", at the boundary" if record.get("at_boundary") else ""
        text += f": {verdict} at the given parameters ({record['lhs']:.6g} vs " \
                f"{record['rhs']:.6g}{tie})"
    return label or f"condition {name}", text


def check_discount(model: Model) -> None:
    """A numeric discount must lie in (0, 1): at 1 the value recursions have no solution."""
    discount = model.repeated.discount
    if discount is None:
        return
    value = discount.xreplace(_params(model))
    if value.is_number and not 0 < value < 1:
        raise SpecError(f"the discount must be in (0, 1), got {float(value):g}",
                        span=model.repeated.span,
                        hint="at 1 the discounted values are infinite; use e.g. 0.99")
