"""`gamespec sweep`: solve a spec on every point of a parameter grid, in parallel.

Points run on local processes (concurrent.futures) or on a Dask cluster; rows come back
in grid order, so the table does not depend on the number of workers. Each row holds the
parameters, the method, status and certificate, and every scalar value and strategy.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from gamespec.errors import GamespecError, SpecError

MAX_POINTS = 100_000
MAX_STRATEGY_COLUMNS = 20


@dataclass(frozen=True)
class GridAxis:
    name: str
    values: tuple[float, ...]


def parse_grid(text: str) -> GridAxis:
    """NAME=START:STOP:COUNT (COUNT evenly spaced values, ends included) or NAME=v1,v2,..."""
    name, sep, rest = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise SpecError(f"--grid expects NAME=START:STOP:COUNT or NAME=v1,v2; got {text!r}")
    try:
        if ":" in rest:
            start, stop, count = rest.split(":")
            n = int(count)
            if n < 1:
                raise ValueError
            values = tuple(float(v) for v in np.linspace(float(start), float(stop), n))
        else:
            values = tuple(float(v) for v in rest.split(","))
    except ValueError:
        raise SpecError(f"--grid {name}: cannot read {rest!r}",
                        hint="START:STOP:COUNT with a whole COUNT >= 1, or v1,v2,...") from None
    if not all(np.isfinite(values)):
        raise SpecError(f"--grid {name}: values must be finite")
    return GridAxis(name, values)


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


def solve_task(task: PointTask):
    """The Result of one point, through the same run path as `gamespec solve`."""
    from gamespec import limits
    from gamespec.api import solve_model
    from gamespec.language.loader import load_model

    before = limits.current() if task.limits else {}
    limits.apply(task.limits)
    try:
        start = time.perf_counter()
        model = load_model(task.path, task.overrides, task.allow_data, task.data_mirror)
        return solve_model(model, task.method, task.seed, task.time_limit, task.options,
                           load_seconds=time.perf_counter() - start)
    finally:
        limits.apply(before)


def solve_point(task: PointTask | tuple) -> dict:
    """Solve one grid point; failures become rows with status and reason (picklable)."""
    if isinstance(task, tuple):
        task = PointTask(*task)
    row: dict = dict(task.overrides)
    try:
        result = solve_task(task)
    except GamespecError as exc:
        row.update({"method": task.method or "", "status": "error", "certified": False,
                    "residual": float("nan"), "reason": exc.message})
        return row
    return row_of(result, row)


def solve_point_json(task: PointTask) -> dict:
    """One point's whole Result as `gamespec solve --json` prints it (errors as
    {"status": "error", "reason": ...}); what `gamespec sweep --full` writes per point."""
    try:
        return solve_task(task).as_dict()
    except GamespecError as exc:
        return {"parameters": dict(task.overrides), "status": "error", "reason": exc.message}


def row_of(result, row: dict | None = None) -> dict:
    """A Result flattened to one table row: method, status, certificate, scalar values and
    strategies, compare entries and the method's run facts."""
    row = dict(row or {})
    row.update({"method": result.method, "status": result.status,
                "certified": bool(result.certificate.ok),
                "residual": float(result.certificate.residual), "reason": ""})
    for player, value in result.values.items():
        if isinstance(value, (int, float)):
            row[f"value:{player}"] = float(value)
    if len(result.strategies) <= MAX_STRATEGY_COLUMNS:  # not one column per family member
        for player, strategy in result.strategies.items():
            if isinstance(strategy, (int, float, str)):
                row[f"strategy:{player}"] = strategy
    for name, entry in result.compare.items():
        if isinstance(entry, dict):
            for key, value in entry.items():
                if isinstance(value, (bool, int, float, str)):
                    row[f"compare:{name}:{key}"] = value
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
              full: bool = False) -> list[dict]:
    """One row per grid point, in grid order; each point is `gamespec solve` of the spec
    with the point's parameters (same options, seed, data settings and limits). `full`:
    each point's whole Result (as `solve --json`) instead of a flat row."""
    points = grid_points(axes)
    tasks = [PointTask(path, {**fixed, **p}, method, dict(options or {}), seed, time_limit,
                       tuple(allow_data), data_mirror, dict(limits or {})) for p in points]
    work = solve_point_json if full else solve_point
    if scheduler:
        return _run_dask(work, tasks, scheduler, progress)
    if workers <= 1:
        return [_tick(work(t), k, len(tasks), progress) for k, t in enumerate(tasks)]
    rows = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for k, row in enumerate(pool.map(work, tasks, chunksize=1)):
            rows.append(_tick(row, k, len(tasks), progress))
    return rows


def _run_dask(work, tasks, scheduler: str, progress: bool) -> list[dict]:
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
        futures = client.map(work, tasks, pure=False)
        rows = client.gather(futures)
    finally:
        client.close()
    for k, row in enumerate(rows):
        _tick(row, k, len(rows), progress)
    return list(rows)


def _tick(row: dict, k: int, total: int, progress: bool) -> dict:
    if progress:
        sys.stderr.write(f"\rsweep: {k + 1}/{total} points")
        if k + 1 == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return row


def columns_of(rows: list[dict]) -> list[str]:
    names: list[str] = []
    for row in rows:
        for key in row:
            if key not in names:
                names.append(key)
    return names


def to_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns_of(rows), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _cell(value):
    if isinstance(value, float):
        return repr(value)
    return value


def to_json(rows: list[dict]) -> str:
    def clean(v):
        if isinstance(v, float) and not np.isfinite(v):
            return str(v)
        return v

    return json.dumps([{k: clean(v) for k, v in row.items()} for row in rows], indent=1)


def read_table(path: str) -> list[dict]:
    """A sweep table written by `gamespec sweep --out` (.csv or .json) back as rows:
    numbers as floats, `certified` as a bool, other cells as text."""
    from pathlib import Path

    p = Path(path)
    if not p.is_file():
        raise SpecError(f"table not found: {path}")
    text = p.read_text(encoding="utf-8", errors="replace")
    if p.suffix.lower() == ".json":
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise SpecError(f"{path}: expected a list of rows (objects), as sweep --out writes")
        return [{k: _typed(v) for k, v in r.items()} for r in rows]
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise SpecError(f"{path}: the table is empty")
    return [{k: _typed(v) for k, v in r.items() if k is not None} for r in reader]


def _typed(value):
    if not isinstance(value, str):
        return value
    if value in ("True", "False"):
        return value == "True"
    try:
        return float(value)
    except ValueError:
        return value


def rows_to_dataframe(rows: list[dict]):
    """Sweep rows (from run_sweep or read_table) as a pandas DataFrame, one row per grid
    point, columns in first-seen order. pandas is optional: imported here, on first use."""
    try:
        import pandas
    except ImportError:
        raise SpecError("sweep_dataframe() needs pandas, which gamespec does not install",
                        hint="pip install pandas") from None
    return pandas.DataFrame(list(rows), columns=columns_of(rows))


def plot_sweep(rows: list[dict], axes: list[GridAxis], path: str, column: str | None) -> str:
    """A line plot (one grid axis) or a heat map (two axes) of one column."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    numeric = [c for c in columns_of(rows) if c.startswith(("value:", "strategy:"))
               and all(isinstance(r.get(c), (int, float)) for r in rows)]
    column = column or (numeric[0] if numeric else None)
    if column is None:
        raise SpecError("nothing numeric to plot", hint="choose a column with --color")
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    if len(axes) == 1:
        xs = [r[axes[0].name] for r in rows]
        for name in numeric:
            ax.plot(xs, [r[name] for r in rows], marker="o", label=name)
        ax.set_xlabel(axes[0].name)
        ax.legend()
    elif len(axes) == 2:
        a, b = axes
        grid = np.array([r.get(column, np.nan) for r in rows], dtype=float).reshape(
            len(a.values), len(b.values))
        mesh = ax.pcolormesh(b.values, a.values, grid, shading="nearest", cmap="viridis")
        fig.colorbar(mesh, ax=ax, label=column)
        ax.set_xlabel(b.name)
        ax.set_ylabel(a.name)
    else:
        raise SpecError("--plot draws one or two grid axes")
    ax.set_title(column)
    fig.tight_layout()
    from gamespec.atomic_files import write_atomic_bytes

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    write_atomic_bytes(path, buffer.getvalue())
    return column


def timed_sweep(*args, **kwargs) -> tuple[list[dict], float]:
    start = time.perf_counter()
    rows = run_sweep(*args, **kwargs)
    return rows, time.perf_counter() - start
