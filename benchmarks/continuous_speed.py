"""Continuous games: the solve step of `gamespec solve` next to the start-up, in one run.

For each spec, `--rounds` fresh processes run `gamespec solve SPEC --json`; the JSON's
`timing` gives load, analyse and solve (the solve step includes the imports the solver
makes on first use). Start-up is the wall time of `gamespec --version` in a fresh
process, measured in the same run. Wall times on a shared machine vary with its load, so
each spec also runs in a fresh worker process (this script with --worker) that times the
same solve step (`gamespec.plan.run_plan`) in CPU seconds of the process. The fastest of
the rounds counts; the target (issue 18) is a solve step under 0.5 s. Usage:

    python benchmarks/continuous_speed.py [--rounds 3] [specs/cournot.game ...]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ("specs/cournot.game", "specs/cournot_n_firms.game",
         "specs/stackelberg_duopoly.game", "specs/public_goods.game")
GAMESPEC = [sys.executable, "-m", "gamespec.cli"]


def startup() -> float:
    started = time.perf_counter()
    subprocess.run([*GAMESPEC, "--version"], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def solve(spec: str) -> dict:
    started = time.perf_counter()
    done = subprocess.run([*GAMESPEC, "solve", spec, "--json"], capture_output=True,
                          text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 3):
        raise SystemExit(f"{spec}: exit {done.returncode}\n{done.stderr}")
    result = json.loads(done.stdout)
    return {**result["timing"], "wall": wall, "status": result["status"]}


def worker(spec: str) -> None:
    """One spec in this fresh process: the solve step's wall and CPU seconds, as JSON."""
    from gamespec.language.loader import load_model
    from gamespec.plan import build_plan, run_plan

    model = load_model(ROOT / spec)
    plan = build_plan(model)
    wall, cpu = time.perf_counter(), time.process_time()
    result = run_plan(model, plan)
    print(json.dumps({"solve_wall": time.perf_counter() - wall,
                      "solve_cpu": time.process_time() - cpu, "status": result.status.value}))


def solve_cpu(spec: str) -> float:
    done = subprocess.run([sys.executable, __file__, "--worker", spec], capture_output=True,
                          text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout)["solve_cpu"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", default=SPECS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker)
    start = min(startup() for _ in range(args.rounds))
    print(f"start-up (gamespec --version): {start:.3f} s wall")
    print(f"{'spec':36s} {'load':>6s} {'analyse':>8s} {'solve':>6s} {'solve cpu':>10s} "
          f"{'wall':>6s}  status")
    for spec in args.specs:
        runs = [solve(spec) for _ in range(args.rounds)]
        best = min(runs, key=lambda r: r["solve"])
        cpu = min(solve_cpu(spec) for _ in range(args.rounds))
        print(f"{spec:36s} {best['load']:6.3f} {best['analyse']:8.3f} {best['solve']:6.3f} "
              f"{cpu:10.3f} {min(r['wall'] for r in runs):6.3f}  {best['status']}"
              + ("" if min(best["solve"], cpu) < 0.5 else "   (solve step over 0.5 s)"))


if __name__ == "__main__":
    main()
