"""Continuous games: the solve step of `gamespec solve` next to the start-up, in one run.

For each spec, `ROUNDS` fresh processes run `gamespec solve SPEC --json`; the JSON's
`timing` gives load, analyse and solve (the solve step includes the imports the solver
makes on first use). Start-up is the wall time of `gamespec --version` in a fresh
process, measured in the same run. The fastest of the rounds counts (the machine is
shared); the target (issue 18) is a solve step under 0.5 s. Usage:

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", default=SPECS)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    start = min(startup() for _ in range(args.rounds))
    print(f"start-up (gamespec --version): {start:.3f} s")
    print(f"{'spec':40s} {'load':>7s} {'analyse':>8s} {'solve':>7s} {'wall':>7s}  status")
    for spec in args.specs:
        runs = [solve(spec) for _ in range(args.rounds)]
        best = min(runs, key=lambda r: r["solve"])
        print(f"{spec:40s} {best['load']:7.3f} {best['analyse']:8.3f} {best['solve']:7.3f} "
              f"{min(r['wall'] for r in runs):7.3f}  {best['status']}"
              + ("" if best["solve"] < 0.5 else "   (solve step over 0.5 s)"))


if __name__ == "__main__":
    main()
