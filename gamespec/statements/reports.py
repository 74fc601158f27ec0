"""`report` and `check` statements evaluated at the solution and at every named profile."""
from __future__ import annotations

from typing import Any

import sympy

from gamespec.errors import GamespecError
from gamespec.evaluate import Context
from gamespec.language.spec_printer import spec_str
from gamespec.model import Check, Model
from gamespec.statements.bindings import context_at, solution_points, value_of


def points(model: Model, result: Any) -> list[tuple[str, Context | str]]:
    """(label, context) at each answer of the result, then at each profile ("profile NAME");
    a point that cannot be bound has its error message instead of a context."""
    out: list[tuple[str, Context | str]] = []
    answers = solution_points(result)
    for label, strategies in answers:
        out.append((label, context_at(model, strategies)))
    base = answers[0][1] if answers else {}
    for name, profile in model.profiles.items():
        try:
            out.append((f"profile {name}", context_at(model, base, profile)))
        except GamespecError as exc:
            out.append((f"profile {name}", exc.message))
    return out


def evaluate_reports(model: Model, at: list[tuple[str, Context | str]]) -> dict[str, dict]:
    """{point: {report: value}}; a report that cannot be evaluated there is
    {"error": message}."""
    out: dict[str, dict] = {}
    for label, ctx in at:
        row: dict[str, Any] = {}
        for report in model.reports:
            row[report.name] = _value(report.expr, ctx)
        out[label] = row
    return out


def evaluate_checks(model: Model, at: list[tuple[str, Context | str]]) -> dict[str, dict]:
    """{check: {"holds": bool, "at": {point: {"holds": bool, "lhs": ..., "rhs": ...}}}};
    a check holds when it holds at every point (an error counts as failing)."""
    out: dict[str, dict] = {}
    for check in model.checks:
        entries = {label: _check_at(check, ctx) for label, ctx in at}
        out[check.name] = {"holds": all(e.get("holds") is True for e in entries.values()),
                           "condition": spec_str(check.condition),
                           "relation": getattr(check.condition, "rel_op", None), "at": entries}
    return out


def _check_at(check: Check, ctx: Context | str) -> dict:
    if isinstance(ctx, str):
        return {"holds": False, "error": ctx}
    value = _value(check.condition, ctx)
    if isinstance(value, dict):
        return {"holds": False, **value}
    holds = all(bool(v) for v in value) if isinstance(value, list) else bool(value)
    entry: dict[str, Any] = {"holds": holds}
    if isinstance(check.condition, sympy.Rel):
        entry["lhs"] = _value(check.condition.lhs, ctx)
        entry["rhs"] = _value(check.condition.rhs, ctx)
    return entry


def _value(expr: sympy.Basic, ctx: Context | str) -> Any:
    if isinstance(ctx, str):
        return {"error": ctx}
    try:
        return value_of(expr, ctx)
    except GamespecError as exc:
        return {"error": exc.message}
