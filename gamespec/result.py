"""The result of a solve: one frozen object, rendered as JSON by the documented contract."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

RESULT_SCHEMA_VERSION = 1


class Status(StrEnum):
    """How a solve ended: the JSON `status` (the same strings). docs/results.md says what each
    value means, which methods return it, and its exit code."""

    OPTIMAL = "optimal"
    EQUILIBRIUM = "equilibrium"
    EQUILIBRIA = "equilibria"
    NO_PURE_EQUILIBRIUM = "no_pure_equilibrium"
    SOLVED = "solved"
    NOT_CERTIFIED = "not_certified"
    PASS_LIMIT = "pass_limit"
    TIME_LIMIT = "time_limit"


@dataclass(frozen=True)
class Certificate:
    """What was checked, the number, and whether it passed."""

    kind: str
    residual: float
    ok: bool
    tolerance: float
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "residual": _clean(self.residual), "ok": self.ok,
                "tolerance": self.tolerance, "details": _clean(self.details)}


@dataclass(frozen=True)
class Result:
    game: str
    spec: str
    spec_sha256: str
    method: str
    status: Status
    values: dict[str, Any]
    strategies: dict[str, Any]
    certificate: Certificate
    derived: dict[str, Any] = field(default_factory=dict)
    compare: dict[str, Any] = field(default_factory=dict)
    timing: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, float] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)  # the Plan: method, options, seed
    covers: str = ""  # which equilibria the answer covers ("all pure", "one, by ...")
    # the spec's report / check / claim statements (gamespec.statements), when it has any
    reports: dict[str, Any] = field(default_factory=dict)
    profile_reports: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))  # a string that is no Status fails

    def as_dict(self) -> dict:
        out = {
            "schema": RESULT_SCHEMA_VERSION,
            "game": self.game,
            "spec": self.spec,
            "spec_sha256": self.spec_sha256,
            "method": self.method,
            "run": _clean(self.run),
            "status": self.status.value,
            "covers": self.covers,
            "parameters": _clean(self.parameters),
            "values": _clean(self.values),
            "strategies": _clean(self.strategies),
            "certificate": self.certificate.as_dict(),
            "derived": _clean(self.derived),
            "compare": _clean(self.compare),
            **_statements(self),
            "timing": {k: round(v, 6) for k, v in self.timing.items()},
        }
        out.update(_clean(self.extra))
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.as_dict(), indent=indent, sort_keys=False, allow_nan=False)

    def to_dataframe(self):
        """The result as a tidy pandas DataFrame (pandas is optional): one row per player ×
        action (× information set or observed condition, × equilibrium), with the columns
        of `table()`; no cell holds a dict. For sweeps use `Game.sweep(...)`."""
        columns, rows = self.table()
        return _pandas().DataFrame(rows, columns=columns)

    def table(self) -> tuple[list[str], list[dict]]:
        """The columns and rows of the long table (`gamespec.notebook_tables.tidy_rows`):
        what to_dataframe, to_csv and `gamespec solve --format csv` give."""
        from gamespec.notebook_tables import tidy_columns, tidy_rows

        rows = tidy_rows(self)
        columns = tidy_columns(rows) or ["player", "action", "probability", "value"]
        return columns, [{c: row.get(c) for c in columns} for row in rows]

    def to_csv(self) -> str:
        """The long table as CSV text: numbers as numbers (shortest round-trip text),
        missing cells empty; never JSON in a cell."""
        import csv
        import io

        columns, rows = self.table()
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_cell(v) for k, v in row.items()})
        return buffer.getvalue()

    def _repr_markdown_(self) -> str:
        from gamespec.notebook_tables import render_markdown

        return render_markdown(self)

    def _repr_html_(self) -> str:
        from gamespec.notebook_tables import render_html

        return render_html(self)

    def with_timing(self, timing: dict[str, float]) -> Result:
        """Stage timings added to (not replacing) those a solver recorded itself."""
        return Result(**{**self.__dict__, "timing": {**self.timing, **timing}})

    def with_parameters(self, parameters: dict) -> Result:
        return Result(**{**self.__dict__, "parameters": dict(parameters)})

    def with_covers(self, covers: str) -> Result:
        """The statement of which equilibria this answer covers."""
        return Result(**{**self.__dict__, "covers": covers})

    def with_run(self, run: dict) -> Result:
        """The record of the Plan that produced this result (method, options, seed)."""
        return Result(**{**self.__dict__, "run": dict(run)})

    def with_extra(self, **items) -> Result:
        return Result(**{**self.__dict__, "extra": {**self.extra, **items}})


def _statements(result: Result) -> dict:
    """The statement keys, present only when the spec has such statements."""
    keys = ("reports", "profile_reports", "checks", "claims")
    return {k: _clean(getattr(result, k)) for k in keys if getattr(result, k)}


def _pandas():
    """pandas, imported on first use: it is not a dependency of gamespec."""
    try:
        import pandas
    except ImportError:
        from gamespec.errors import SpecError

        raise SpecError("to_dataframe() needs pandas, which gamespec does not install",
                        hint="pip install pandas") from None
    return pandas


def _csv_cell(value):
    if value is None:
        return ""
    cleaned = _clean(value)
    return repr(cleaned) if isinstance(cleaned, float) else cleaned


def _clean(value):
    """JSON-safe: numpy scalars and arrays to lists, non-finite floats to strings."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return _clean(value.tolist())
    if isinstance(value, (np.floating, float)):
        f = float(value)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return f
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
