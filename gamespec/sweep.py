"""`gamespec sweep`: solve a spec on every point of a parameter grid, in parallel.

Points run on local processes (concurrent.futures) or on a Dask cluster; rows come back
in grid order, so the table does not depend on the number of workers. Each row holds the
parameters, the method, status and certificate, and every scalar value and strategy.
"""
from __future__ import annotations

import itertools
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from gamespec.errors import GamespecError, SpecError
from gamespec.sweep_grid import (  # noqa: F401  (re-exported: gamespec.sweep's grid API)
    GridAxis,
    check_grid_names,
    default_workers,
    grid_axes,
    parse_grid,
)
from gamespec.sweep_table import (  # noqa: F401  (re-exported: gamespec.sweep's table API)
    columns_of,
    read_csv_text,
    read_table,
    rows_to_dataframe,
    strategy_cells,
    to_csv,
    to_json,
)

MAX_POINTS = 100_000
MAX_STRATEGY_COLUMNS = 20


def grid_points(axes: list[GridAxis]) -> list[dict[str, float]]:
    """Every combination of the axes' values, in order (no axes: the one point {})."""
    total = int(np.prod([len(a.values) for a in axes])) if axes else 1
    if total > MAX_POINTS:
        raise SpecError(f"the grid has {total:,} points (limit {MAX_POINTS:,})")
    return [dict(zip([a.name for a in axes], combo))
            for combo in itertools.product(*[a.values for a in axes])]


@dataclass(frozen=True)
class PointTask:
    """Everything a worker needs to solve one grid point (picklable, for processes and
    Dask): the spec, its parameter values, and what `gamespec solve` would be given."""

    path: str
    overrides: dict
    method: str | None = None
    options: dict = field(default_factory=dict)
    seed: int | None = None
    time_limit: float | None = None
    allow_data: tuple[str, ...] = ()
    data_mirror: str | None = None
    limits: dict = field(default_factory=dict)
    source: str | None = None  # the spec text (a game built from text has no file to read)
    cache: bool = True  # parse the spec once per worker (gamespec.sweep_cache)


def solve_task(task: PointTask):
    """The Result of one point, through the same run path as `gamespec solve`."""
    return _solve_model_of(task)[1]


def _solve_model_of(task: PointTask):
    """(the point's Model, its Result)."""
    from gamespec import limits
    from gamespec.plan import build_plan, run_plan
    from gamespec.sweep_cache import point_model

    before = limits.current() if task.limits else {}
    limits.apply(task.limits)
    try:
        start = time.perf_counter()
        model = point_model(task)  # load_model's Model, the spec parsed once per worker
        plan = build_plan(model, task.method, seed=task.seed, time_limit=task.time_limit,
                          options=task.options)  # what gamespec.api.solve_model runs
        return model, run_plan(model, plan, load_seconds=time.perf_counter() - start)
    finally:
        limits.apply(before)


def solve_point(task: PointTask | tuple) -> dict:
    """Solve one grid point; failures become rows with status and reason (picklable)."""
    if isinstance(task, tuple):
        task = PointTask(*task)
    row: dict = dict(task.overrides)
    try:
        model, result = _solve_model_of(task)
    except GamespecError as exc:
        row.update({"method": task.method or "", "status": "error", "certified": False,
                    "residual": float("nan"), "reason": exc.message})
        return row
    return row_of(result, row, action_sets(model))


def action_sets(model) -> dict:
    """Each player's finite strategy set, for a player with one unconditioned choice (or
    mixed strategy) over a finite set: what a sweep row spreads a strategy over."""
    from gamespec.model import FiniteSet

    out = {}
    for name, player in model.players.items():
        chosen = [s for s in player.strategies if s.kind in ("choice", "mixed")]
        if player.kind == "single" and len(player.strategies) == 1 and len(chosen) == 1 \
                and isinstance(chosen[0].domain, FiniteSet) and not chosen[0].condition_sets:
            out[name] = tuple(chosen[0].domain.elements)
    return out


def solve_point_json(task: PointTask) -> dict:
    """One point's whole Result as `gamespec solve --json` prints it (errors as
    {"status": "error", "reason": ...}); what `gamespec sweep --full` writes per point."""
    try:
        return solve_task(task).as_dict()
    except GamespecError as exc:
        return {"parameters": dict(task.overrides), "status": "error", "reason": exc.message}


def row_of(result, row: dict | None = None, actions: dict | None = None) -> dict:
    """A Result flattened to one table row: method, status, certificate, scalar values and
    strategies (`actions`: a player's finite strategy set, see action_sets), compare
    entries, the spec's scalar reports and the method's run facts."""
    row = dict(row or {})
    row.update({"method": result.method, "status": result.status,
                "certified": bool(result.certificate.ok),
                "residual": float(result.certificate.residual), "reason": ""})
    for player, value in result.values.items():
        if isinstance(value, (int, float)):
            row[f"value:{player}"] = float(value)
    if len(result.strategies) <= MAX_STRATEGY_COLUMNS:  # not one column per family member
        for player, strategy in result.strategies.items():
            row.update(strategy_cells(player, strategy, (actions or {}).get(player)))
    for name, entry in result.compare.items():
        if isinstance(entry, dict):
            for key, value in entry.items():
                if isinstance(value, (bool, int, float, str)):
                    row[f"compare:{name}:{key}"] = value
    for name, value in result.reports.items():  # the spec's `report` statements, if scalar
        if isinstance(value, (bool, str, np.bool_)):
            row[f"report:{name}"] = bool(value) if isinstance(value, np.bool_) else value
        elif isinstance(value, (int, float, np.number)) and np.isrealobj(value):
            row[f"report:{name}"] = float(value)
    row.update(run_facts(result.extra))
    row[f"{TIME_PREFIX}solve_s"] = round(float(result.timing.get("solve", 0.0)), 6)
    return row


TIME_PREFIX = "time:"
"""Columns that vary from run to run (wall-clock); everything else is deterministic."""


def run_facts(extra: dict, prefix: str = "run:", depth: int = 3) -> dict:
    """The scalar facts a method reports beside its answer (passes, switches, LP values,
    audits, ...), flattened to ``run:key:subkey`` columns; lists and timings are left out."""
    out: dict = {}
    for key, value in extra.items():
        if "timing" in key or key in ("data",):
            continue
        if isinstance(value, (bool, int, float, str)):
            out[f"{prefix}{key}"] = value
        elif isinstance(value, dict) and depth > 1:
            out.update(run_facts(value, f"{prefix}{key}:", depth - 1))
    return out


def without_timings(rows: list[dict]) -> list[dict]:
    """The rows without their wall-clock columns (for comparing two runs of a sweep)."""
    return [{k: v for k, v in r.items() if not k.startswith(TIME_PREFIX)} for r in rows]


def run_sweep(path: str, axes: list[GridAxis], fixed: dict[str, float], method: str | None,
              options: dict, workers: int = 1, scheduler: str | None = None,
              progress: bool = False, *, seed: int | None = None,
              time_limit: float | None = None, allow_data: tuple[str, ...] = (),
              data_mirror: str | None = None, limits: dict | None = None,
              full: bool = False, source: str | None = None,
              cache: bool | None = None) -> list[dict]:
    """One row per grid point, in grid order; each point is `gamespec solve` of the spec
    with the point's parameters (same options, seed, data settings and limits). `full`:
    each point's whole Result (as `solve --json`) instead of a flat row. `source`: the
    spec's text, read by the workers instead of the file at `path` (which names it).
    `cache`: parse the spec once per worker (default: on unless GAMESPEC_SWEEP_CACHE=0);
    the rows are the same either way."""
    from gamespec.sweep_cache import cache_default

    points = grid_points(axes)
    cache = cache_default() if cache is None else bool(cache)
    tasks = [PointTask(path, {**fixed, **p}, method, dict(options or {}), seed, time_limit,
                       tuple(allow_data), data_mirror, dict(limits or {}), source, cache)
             for p in points]
    work = solve_point_json if full else solve_point
    from gamespec.progress import Progress

    with Progress(len(tasks), "sweep", unit="points", enabled=progress) as bar:
        if scheduler:
            return _run_dask(work, tasks, scheduler, bar)
        if workers <= 1:
            return [_tick(work(t), bar) for t in tasks]
        return _run_pool(work, tasks, workers, bar)


def _run_pool(work, tasks, workers: int, bar) -> list[dict]:
    from gamespec.sweep_cache import warm

    if tasks:
        warm(tasks[0])  # forked workers start with the spec parsed
    rows = []
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupts)
    try:
        for row in pool.map(work, tasks, chunksize=1):
            rows.append(_tick(row, bar))
    except BaseException:
        # interrupted or failed: the points not started are dropped, not waited for
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return rows


def _ignore_interrupts() -> None:
    """In a sweep worker: Ctrl-C reaches the whole process group, but only the parent
    answers it (it cancels the points not started; a worker finishes its current one)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_dask(work, tasks, scheduler: str, bar) -> list[dict]:
    try:
        from distributed import Client
    except ImportError:
        raise SpecError("--scheduler needs dask.distributed",
                        hint='pip install "dask[distributed]"') from None
    try:
        client = Client(scheduler, timeout="10s")
    except OSError as exc:
        raise SpecError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        from distributed import as_completed

        futures = client.map(work, tasks, pure=False)
        for _ in as_completed(futures):
            bar.advance()
        rows = client.gather(futures)
    finally:
        client.close()
    return list(rows)


def _tick(row: dict, bar) -> dict:
    bar.advance()  # gamespec.progress: a bar on a terminal's stderr, else nothing
    return row


def plot_sweep(rows: list[dict], axes: list[GridAxis], path: str, column: str | None,
               title: str = "sweep", dpi: int | None = None) -> str:
    """`sweep --plot`: the regime picture of the rows (gamespec.plots.regime.plot_regime_file,
    the one implementation `gamespec plot TABLE --kind regime` also draws), the first grid
    axis as x and the second as y. Returns the column drawn."""
    from gamespec.plots.regime import default_color, plot_regime_file

    if not 1 <= len(axes) <= 2:
        raise SpecError("--plot draws one or two grid axes")
    column = column or default_color(read_csv_text(to_csv(rows)), columns_of(rows))
    plot_regime_file(rows, path, x=axes[0].name, y=axes[1].name if len(axes) == 2 else None,
                     color=column, dpi=dpi, title=title)
    return column


def timed_sweep(*args, **kwargs) -> tuple[list[dict], float]:
    start = time.perf_counter()
    rows = run_sweep(*args, **kwargs)
    return rows, time.perf_counter() - start
