"""What an experiment returns, and the record `gamespec experiment --json` prints."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from gamespec.result import Certificate, _clean

SCHEMA = 1


@dataclass(frozen=True)
class ExperimentOutcome:
    """A plug-in's answer: `statement` says in a sentence what was computed; `table` maps
    a row name to its metrics; `data` is the provenance of the data (a stand-in labelled);
    `certificate` is the plug-in's own check of what it ran."""

    statement: str
    table: dict[str, dict[str, Any]]
    data: dict[str, Any]
    certificate: Certificate
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExperimentRecord:
    """One run of one experiment statement of one spec."""

    game: str
    spec: str
    spec_sha256: str
    experiment: str
    plugin: str
    options: dict[str, Any]
    seed: int
    parameters: dict[str, float]
    outcome: ExperimentOutcome
    timing: dict[str, float]

    @property
    def status(self) -> str:
        return "done" if self.outcome.certificate.ok else "not_certified"

    def as_dict(self) -> dict[str, Any]:
        out = self.outcome
        return {
            "schema": SCHEMA, "game": self.game, "spec": self.spec,
            "spec_sha256": self.spec_sha256, "experiment": self.experiment,
            "plugin": self.plugin, "status": self.status, "statement": out.statement,
            "run": {"options": _clean(self.options), "seed": self.seed},
            "parameters": _clean(self.parameters), "data": _clean(out.data),
            "table": _clean(out.table), "certificate": out.certificate.as_dict(),
            "info": _clean(out.info),
            "timing": {k: round(v, 6) for k, v in self.timing.items()},
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, allow_nan=False)
