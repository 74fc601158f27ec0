"""Points per second of `gamespec sweep` on 1 and 2 local workers, without and with the
per-worker parse cache (gamespec.sweep_cache), measured in one run.

Usage: python benchmarks/sweep_scaling.py [--points N] [--spec NAME] [--param P --low L
--high H] [--repeat R]
By default the grid sweeps the Stackelberg duopoly's demand intercept `a` (each point is a
full solve with a certificate, several tenths of a second); `--spec trimming_one_round
--param T_hi --low 1 --high 20` is a small table game, where loading is a larger share.
Wall-clock rates depend on the machine's load; the CPU columns count the CPU seconds of
this process and of its worker processes (points per CPU-second). The four tables must be
identical (checked). With --repeat R each cell is run R times (interleaved) and the least
wall and CPU time are kept. Last, the CPU milliseconds per point of each stage (load,
analyse, solve) without and with the cache. Goal: >= 1.8x wall-clock speed-up from 1 to 2
workers on 2 idle cores.
"""
from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from gamespec import sweep_cache
from gamespec.plan import build_plan, run_plan
from gamespec.sweep import PointTask, grid_points, parse_grid, run_sweep, to_csv, without_timings
from gamespec.sweep_cache import point_model

SPECS = Path(__file__).resolve().parents[1] / "specs"


def _cpu() -> float:
    """CPU seconds of this process and of its finished (waited-for) worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(spec: str, axes, workers: int, cache: bool) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds and the table (timings dropped) of one sweep."""
    sweep_cache.clear()
    cpu, wall = _cpu(), time.perf_counter()
    rows = run_sweep(spec, axes, {}, None, {}, workers=workers, cache=cache)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    return wall, cpu, to_csv(without_timings(rows))  # wall-clock columns vary


def stage_split(spec: str, axes, cache: bool) -> dict[str, float]:
    """Mean CPU milliseconds per point of each stage of `solve_task`, the points run one
    after another in this process: load (read, parse unless cached, build the model),
    analyse (classify, plan), solve (the method, the spec's statements)."""
    sweep_cache.clear()
    points = grid_points(axes)
    totals = dict.fromkeys(("load", "analyse", "solve"), 0.0)
    for point in points:
        task = PointTask(spec, point, cache=cache)
        start = time.process_time()
        model = point_model(task)
        loaded = time.process_time()
        plan = build_plan(model)
        planned = time.process_time()
        run_plan(model, plan)
        totals["load"] += loaded - start
        totals["analyse"] += planned - loaded
        totals["solve"] += time.process_time() - planned
    return {stage: 1000 * total / len(points) for stage, total in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=12)
    parser.add_argument("--spec", default="stackelberg_duopoly")
    parser.add_argument("--param", default="a")
    parser.add_argument("--low", type=float, default=5.0)
    parser.add_argument("--high", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=1, help="runs per cell; the least kept")
    args = parser.parse_args()
    spec = str(SPECS / f"{args.spec}.game")
    axes = [parse_grid(f"{args.param}={args.low!r}:{args.high!r}:{args.points}")]
    # imports and first-use setup, charged to neither mode
    run_sweep(spec, [parse_grid(f"{args.param}={args.low!r}")], {}, None, {}, cache=False)
    results, tables = {}, set()
    for _ in range(max(1, args.repeat)):  # interleaved, so that load changes hit all cells
        for cache in (False, True):
            for workers in (1, 2):
                wall, cpu, table = measure(spec, axes, workers, cache)
                old = results.get((cache, workers), (wall, cpu))
                results[cache, workers] = (min(wall, old[0]), min(cpu, old[1]))
                tables.add(table)
    assert len(tables) == 1, "tables differ between workers or cache settings"
    n = args.points
    print(f"{args.spec}: {n} points of {args.param} in [{args.low:g}, {args.high:g}]")
    print(f"{'parse':>10} {'workers':>7} {'wall s':>7} {'points/s':>9} {'CPU s':>7} "
          f"{'points/CPU-s':>12} {'speed-up':>8}")
    for cache in (False, True):
        base = results[cache, 1][0]
        for workers in (1, 2):
            wall, cpu = results[cache, workers]
            label = "per point" if not cache else "per worker"
            print(f"{label:>10} {workers:>7} {wall:>7.2f} {n / wall:>9.2f} {cpu:>7.2f} "
                  f"{n / cpu:>12.2f} {base / wall:>8.2f}")
    for cache in (False, True):
        split = stage_split(spec, axes, cache)
        label = "per point" if not cache else "per worker"
        print(f"{label:>10}: CPU ms per point (1 worker): "
              + ", ".join(f"{stage} {ms:.1f}" for stage, ms in split.items()))
    print("rows: 'per point' parses the spec for every point (GAMESPEC_SWEEP_CACHE=0), "
          "'per worker' once per worker process; speed-up: wall, against 1 worker; "
          "tables identical: yes")


if __name__ == "__main__":
    main()
