"""Location-privacy LP scaling: gamespec's Pyomo route end to end vs a direct highspy baseline.

For each number of regions, one fresh subprocess per method (so peak RSS is per method):
  baseline  the leader's LP (eqs 16-20) as a NumPy/scipy.sparse CSC matrix handed to highspy
            `passModel`, HiGHS defaults (dual simplex): the reference every ratio divides by;
  pyomo     `solve_zero_sum(route="pyomo")`: the leader's LP built as a pyomo.kernel model
            (variable lists, one matrix_constraint per row block), compiled back in bulk, the
            follower's LP derived from the compiled matrix, both solved by HiGHS (follower's LP
            cold, leader's LP warm-started), certificate (solvers/lp/pyomo_lowering.py);
  pyomo-aml the same with a ConcreteModel of LinearExpression rows compiled by Pyomo's
            LinearStandardFormCompiler (the previous default, kept for comparison);
  direct    `solve_zero_sum(route="direct")`: the same two solves without Pyomo;
  gamespec  the whole product: a .game spec (the same city written to a CSV beside it) parsed,
            built into a Model, classified, compiled to the LP's arrays from the symbolic
            payoff, and solved by the `lp` method (its default direct route), certificate
            included.
Instance: `synthetic_city(n, seed)` (seeded stand-in), Euclidean dp, Hamming dq,
Qmax = qmax_frac x the quality loss of the obfuscation LPPM with k = 3 (PERFORMANCE.md's setting).
Times exclude imports (done before the clock starts); "cpu s" is the process's CPU time, a
steadier figure than wall time on a shared machine. Usage:

    python benchmarks/lp_scaling.py --sizes 30 50 100 [200 300] [--qmax-frac 0.5] [--seed 0]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

METHODS = ("baseline", "pyomo", "pyomo-aml", "direct", "gamespec")

SPEC = """game "Location privacy benchmark"
param Qmax = {qmax!r}
data city = csv("city.csv")
set R = city.region
param psi[r in R] = city.psi[r]
param dp[a in R, b in R] = sqrt((city.x[a] - city.x[b])^2 + (city.y[a] - city.y[b])^2)
param dq[a in R, b in R] = if a == b then 0 else 1
player user {{
  mixed f[r in R] over R
  subject to quality: sum(r in R, s in R) psi[r] * f[r, s] * dq[s, r] <= Qmax
}}
player adversary {{ mixed h[s in R] over R }}
payoff user = sum(r in R, s in R, a in R) psi[r] * f[r, s] * h[s, a] * dp[a, r]
zero_sum
order user -> adversary
"""


def write_spec(folder, n: int, seed: int, qmax_frac: float) -> str:
    """The benchmark instance as a spec and a CSV (same numbers as build_game)."""
    import os

    from gamespec.stdlib.location import (
        hamming_distance_matrix,
        obfuscation_lppm,
        quality_loss,
        synthetic_city,
    )

    city = synthetic_city(n, seed=seed)
    qmax = qmax_frac * quality_loss(city.psi, obfuscation_lppm(city.centres, 3),
                                    hamming_distance_matrix(n))
    with open(os.path.join(folder, "city.csv"), "w") as handle:
        handle.write("region,x,y,psi\n")
        for k, ((x, y), p) in enumerate(zip(city.centres, city.psi), 1):
            handle.write(f"{k},{float(x)!r},{float(y)!r},{float(p)!r}\n")
    path = os.path.join(folder, "bench.game")
    with open(path, "w") as handle:
        handle.write(SPEC.format(qmax=float(qmax)))
    return path


def build_game(n: int, seed: int, qmax_frac: float):  # -> ConditionalGame
    """The benchmark instance (see the module docstring)."""
    from gamespec.solvers.lp.zero_sum_game import ConditionalGame, SideConstraint
    from gamespec.stdlib.location import (
        euclidean_distance_matrix,
        hamming_distance_matrix,
        obfuscation_lppm,
        privacy_payoff,
        quality_loss,
        quality_weights,
        synthetic_city,
    )

    city = synthetic_city(n, seed=seed)
    dp, dq = euclidean_distance_matrix(city.centres), hamming_distance_matrix(n)
    qmax = qmax_frac * quality_loss(city.psi, obfuscation_lppm(city.centres, 3), dq)
    quality = SideConstraint("quality", quality_weights(city.psi, dq), "<=", qmax)
    return ConditionalGame(privacy_payoff(city.psi, dp), (quality,))


def run_worker(method: str, n: int, seed: int, qmax_frac: float) -> dict[str, float | str]:
    """Time one method on one size in this process; peak RSS is this process's maximum."""
    import pyomo.environ  # noqa: F401  (import cost is not part of the comparison)
    import pyomo.kernel  # noqa: F401
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler  # noqa: F401

    import gamespec.solvers.lp.pyomo_lowering  # noqa: F401
    from gamespec.solvers.lp.highs_instance import run_highs
    from gamespec.solvers.lp.zero_sum_program import leader_lp
    from gamespec.solvers.lp.zero_sum_solve import solve_zero_sum

    if method == "gamespec":
        return run_gamespec(n, seed, qmax_frac)
    game = build_game(n, seed, qmax_frac)
    c0 = time.process_time()
    t0 = time.perf_counter()
    if method == "baseline":
        lp = leader_lp(game)
        build = time.perf_counter() - t0
        sol = run_highs(lp)
        solve, value, nnz = sol.solve_seconds, sol.objective, lp.A.nnz
        extra = f"iters {sol.iterations}"
    else:
        res = solve_zero_sum(game, route=method)  # type: ignore[arg-type]
        t = res.timing
        build = t["build"]
        solve, value, nnz = t["follower_solve"] + t["leader_solve"], res.value, -1
        extra = (f"gap {res.duality_gap:.1e} iters F{res.iterations['follower']}"
                 f"/L{res.iterations['leader']} cert {'ok' if res.certificate.ok else 'FAIL'}")
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"method": method, "n": n, "build": build, "solve": solve, "total": total,
            "cpu": cpu, "peak_mib": peak_mib, "value": value, "nnz": nnz, "extra": extra}


def run_gamespec(n: int, seed: int, qmax_frac: float) -> dict:
    """Spec text to certified answer through the product's own path."""
    import tempfile

    from gamespec.analysis import classify
    from gamespec.language.loader import load_model
    from gamespec.solvers.lp import method as lp_method

    with tempfile.TemporaryDirectory() as folder:
        path = write_spec(folder, n, seed, qmax_frac)
        c0 = time.process_time()
        t0 = time.perf_counter()
        model = load_model(path)
        cls = classify(model)
        build = time.perf_counter() - t0
        result = lp_method.solve(model, cls, {})
        total = time.perf_counter() - t0
        cpu = time.process_time() - c0
    timing = result.extra["lp"]["solve_timing"]
    solve = timing.get("follower_solve", 0) + timing.get("leader_solve", 0)
    build += total - build - solve  # everything that is not HiGHS counts as build
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gap = result.extra["lp"]["duality_gap"]
    return {"method": "gamespec", "n": n, "build": build, "solve": solve, "total": total,
            "cpu": cpu, "peak_mib": peak_mib, "value": result.values["user"], "nnz": -1,
            "extra": f"parse+model+compile+solve; gap {gap:.1e} "
                     f"cert {'ok' if result.certificate.ok else 'FAIL'}"}


def run_in_subprocess(method: str, n: int, seed: int, qmax_frac: float) -> dict:
    """Run one (method, size) in a fresh interpreter and parse its JSON line."""
    cmd = [sys.executable, __file__, "--worker", method, "--sizes", str(n), "--seed", str(seed),
           "--qmax-frac", str(qmax_frac)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def print_table(rows: list[dict]) -> None:
    """One line per (size, method) with ratios against the baseline of the same size."""
    print(f"{'n':>4} {'method':<10} {'build s':>8} {'solve s':>8} {'total s':>8} {'cpu s':>8} "
          f"{'peak MiB':>9} {'x total':>8} {'x cpu':>6} {'x mem':>6} {'value':>12}  notes")
    base = {r["n"]: r for r in rows if r["method"] == "baseline"}
    for r in rows:
        b = base.get(r["n"])
        rt = r["total"] / b["total"] if b else float("nan")
        rc = r["cpu"] / b["cpu"] if b else float("nan")
        rm = r["peak_mib"] / b["peak_mib"] if b else float("nan")
        nnz = f"nnz {r['nnz']:,} " if r["nnz"] >= 0 else ""
        print(f"{r['n']:>4} {r['method']:<10} {r['build']:8.2f} {r['solve']:8.2f} "
              f"{r['total']:8.2f} {r['cpu']:8.2f} {r['peak_mib']:9.0f} {rt:8.2f} {rc:6.2f} "
              f"{rm:6.2f} {r['value']:12.8f}  "
              f"{nnz}{r['extra']}", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[30, 50, 100])
    p.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--qmax-frac", type=float, default=0.5)
    p.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(args.worker, args.sizes[0], args.seed, args.qmax_frac)))
        return 0
    rows = []
    for n in args.sizes:
        for method in args.methods:
            rows.append(run_in_subprocess(method, n, args.seed, args.qmax_frac))
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
