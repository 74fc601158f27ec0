"""The spec's `report`, `check` and `claim` statements, evaluated after a solve.

`evaluate_statements(model, result)` returns the Result with `reports` (at the solution),
`profile_reports` (at every named profile and further equilibria), `checks` and `claims`
added. A failing check leaves the status alone but is listed in the certificate's details
(`failed_checks`) and shown in red by the terminal renderer.
"""
from __future__ import annotations

import time
from dataclasses import replace

from gamespec.model import Model
from gamespec.result import Result
from gamespec.statements.claims import check_claims
from gamespec.statements.reports import evaluate_checks, evaluate_reports, points

__all__ = ["evaluate_statements"]


def evaluate_statements(model: Model, result: Result) -> Result:
    """The Result with the model's reports, checks and claims evaluated (unchanged when
    the spec has none)."""
    if not (model.reports or model.checks or model.claims):
        return result
    started = time.perf_counter()
    at = points(model, result) if (model.reports or model.checks) else []
    reports = evaluate_reports(model, at)
    first = _selected_label(result, reports)
    checks = evaluate_checks(model, at)
    claims = check_claims(model, result)
    certificate = result.certificate
    failed = [name for name, entry in checks.items() if not entry["holds"]]
    if failed:
        certificate = replace(certificate,
                              details={**certificate.details, "failed_checks": failed})
    return replace(result, reports=reports.get(first, {}) if model.reports else {},
                   profile_reports={k: v for k, v in reports.items() if k != first}
                   if model.reports else {},
                   checks=checks, claims=claims, certificate=certificate,
                   timing={**result.timing, "statements": time.perf_counter() - started})


def _selected_label(result: Result, reports: dict) -> str | None:
    """The point whose reports are the result's own: the equilibrium a `select` rule chose
    (`extra["selected"]`, an index into `extra["equilibria"]`), else the first point."""
    chosen = result.extra.get("selected")
    if isinstance(chosen, int) and f"equilibrium {chosen + 1}" in reports:
        return f"equilibrium {chosen + 1}"
    return next(iter(reports), None)
