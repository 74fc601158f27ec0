"""The one run path: a `Plan` (the chosen method, its validated options, seed and time
limit) is built by `build_plan` and run by `run_plan`. `gamespec solve`, `gamespec sweep`
(local processes and Dask), the Python API and `gamespec plot` all go through these two
functions, so the same spec, parameters and options give the same Result everywhere.

Options, lowest precedence first: the method's declared defaults; the spec's `solve using
METHOD { ... }` block (when METHOD is the method that runs); the caller's options (the
command line's `--option`, keyword arguments of `Game.solve`); then `seed` and
`time_limit` given explicitly.
"""
from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gamespec.errors import SpecError

if TYPE_CHECKING:  # pragma: no cover
    from gamespec.analysis import Classification
    from gamespec.model import Model
    from gamespec.result import Result
    from gamespec.solvers.registry import SolverEntry

# Methods that stop themselves at the time limit (brd returns its last profile, marked not
# certified; HiGHS and the integrator stop with an error); the CPU-time backstop covers
# the others, with a margin so that it never pre-empts a method's own limit.
NATIVE_TIME_LIMIT = ("lp", "brd", "dynamics")


@dataclass(frozen=True)
class Plan:
    """What will run: the method, every option it reads (checked, defaults filled in),
    the seed and the time limit. `ignored` names spec options meant for another method."""

    method: str
    options: Mapping[str, Any]
    seed: int
    time_limit: float | None
    ignored: tuple[str, ...] = ()
    entry: SolverEntry = field(repr=False, compare=False, default=None)
    classification: Classification = field(repr=False, compare=False, default=None)
    analyse_seconds: float = field(repr=False, compare=False, default=0.0)

    def solver_options(self) -> dict[str, Any]:
        """The dict a solver's `solve(model, cls, options)` receives."""
        return dict(self.options)

    def record(self) -> dict[str, Any]:
        """What the Result records about the run (JSON key `run`)."""
        from gamespec.solvers.options import RUN_SETTINGS

        run_names = {o.name for o in RUN_SETTINGS}
        return {"method": self.method, "seed": self.seed, "time_limit": self.time_limit,
                "options": {k: v for k, v in self.options.items() if k not in run_names},
                "ignored_spec_options": list(self.ignored)}


def build_plan(model: Model, method: str | None = None, *, seed: int | None = None,
               time_limit: float | None = None, options: Mapping[str, Any] | None = None,
               progress: bool = False, cls: Classification | None = None) -> Plan:
    """Classify (unless `cls` is given), choose the method and check every option."""
    from gamespec.analysis import classify
    from gamespec.solvers.options import RUN_SETTINGS, validate_options
    from gamespec.solvers.registry import plan as choose_method

    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise SpecError(f"seed must be a whole number >= 0, got {seed!r}")
    if time_limit is not None and (isinstance(time_limit, bool)
                                   or not isinstance(time_limit, (int, float))
                                   or not 0 < time_limit < math.inf):
        raise SpecError(f"--time-limit must be a positive, finite number of seconds, "
                        f"not {time_limit!r}")
    start = time.perf_counter()
    cls = cls if cls is not None else classify(model)
    entry = choose_method(model, cls, method)
    declared = (*RUN_SETTINGS, *entry.options)
    spec_options = dict(model.solve_options)
    ignored: tuple[str, ...] = ()
    if model.solve_method is not None and model.solve_method != entry.name:
        run_names = {o.name for o in RUN_SETTINGS}
        ignored = tuple(k for k in spec_options if k not in run_names)
        spec_options = {k: v for k, v in spec_options.items() if k in run_names}
    merged = validate_options(declared, spec_options, entry.name, model.spans)
    given = dict(options or {})
    if given:
        merged.update({k: v for k, v in validate_options(
            declared, given, entry.name, where="option").items() if k in given})
    if seed is not None:
        merged["seed"] = seed
    if time_limit is not None:
        merged["time_limit"] = float(time_limit)
    if progress:
        merged["progress"] = True
    return Plan(entry.name, merged, int(merged["seed"]), merged.get("time_limit"), ignored,
                entry, cls, time.perf_counter() - start)


def run_plan(model: Model, plan: Plan, *, load_seconds: float | None = None) -> Result:
    """Run the plan's method under its time limit, then evaluate the spec's `report`,
    `check` and `claim` statements on its answer; the Result carries the plan's record,
    stage timings, the spec's scalar parameters and the data's provenance."""
    from gamespec.limits import cpu_time_limit

    timing: dict[str, float] = {}
    if load_seconds is not None:
        timing["load"] = load_seconds
    timing["analyse"] = plan.analyse_seconds
    limit = plan.time_limit
    backstop = None if limit is None else (
        float(limit) * (1.0 if plan.method not in NATIVE_TIME_LIMIT else 3.0) + 1.0)
    started = time.perf_counter()
    with cpu_time_limit(backstop):
        result = plan.entry.solve(model, plan.classification, plan.solver_options())
        timing["solve"] = time.perf_counter() - started
        if model.reports or model.checks or model.claims:
            from gamespec.statements import evaluate_statements

            result = evaluate_statements(model, result)
    timing["total"] = time.perf_counter() - started + plan.analyse_seconds + (load_seconds or 0.0)
    result = result.with_timing(timing).with_run(plan.record())
    if not result.certificate.ok:
        result = result.with_covers(f"nothing certified (status {result.status.value})")
    elif not result.covers:  # a method may say more precisely for one answer
        result = result.with_covers(plan.entry.covers)
    if not result.parameters:
        result = result.with_parameters({p.name: p.value for p in model.params.values()
                                         if not p.index_sets and p.value is not None})
    data = data_provenance(model)
    if data:
        result = result.with_extra(data=data)
    return result


def data_provenance(model: Model) -> dict:
    """Where each data table came from, with its notes (e.g. a synthetic stand-in)."""
    out = {}
    for name, table in model.data.items():
        out[name] = {"source": getattr(table, "source", ""),
                     "rows": getattr(table, "n_rows", None),
                     "notes": list(getattr(table, "notes", ()))}
    return out
