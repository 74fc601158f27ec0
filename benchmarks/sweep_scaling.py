"""Speed-up of `gamespec sweep` from 1 to 2 local workers, measured in one run.

Usage: python benchmarks/sweep_scaling.py [--points N]
The grid sweeps the Stackelberg duopoly's demand intercept `a` (each point is a full
solve with a certificate, several tenths of a second). Goal: >= 1.8x on a 2-core machine.
The two tables must be identical (checked).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from gamespec.sweep import parse_grid, run_sweep, to_csv, without_timings

SPEC = Path(__file__).resolve().parents[1] / "specs" / "stackelberg_duopoly.game"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=12)
    args = parser.parse_args()
    axes = [parse_grid(f"a=5:20:{args.points}")]
    timings, tables = {}, {}
    for workers in (1, 2):
        start = time.perf_counter()
        rows = run_sweep(str(SPEC), axes, {}, None, {}, workers=workers)
        timings[workers] = time.perf_counter() - start
        tables[workers] = to_csv(without_timings(rows))  # wall-clock columns vary
    assert tables[1] == tables[2], "tables differ between 1 and 2 workers"
    per_point = timings[1] / args.points
    print(f"{'workers':>8} {'seconds':>9} {'per point':>10} {'speed-up':>9}")
    for workers in (1, 2):
        print(f"{workers:>8} {timings[workers]:>9.2f} {timings[workers] / args.points:>10.3f} "
              f"{timings[1] / timings[workers]:>9.2f}")
    print(f"points: {args.points}; mean time per point (1 worker): {per_point:.3f} s; "
          f"tables identical: yes")


if __name__ == "__main__":
    main()
