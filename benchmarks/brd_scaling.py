"""NVO best-response dynamics at scale: the general aggregative engine against baselines.

For each data-set size n and privacy target eps, on seeded mixture-of-normals data in
[0, 1] (a labelled synthetic stand-in, K = 101, V = {3, 2, 1, 0.33, 0.2} x dq/eps with
dq = 1 in normalised units), it runs in separate worker processes (so each peak RSS is
its own):

* ``fast``: `nvo_fast` of tests/oracles/nvo.py (the general engine + the hand-written
  NVOPayoff);
* ``hand``: `handwritten_nvo_brd` below, the same algorithm written for this one game in
  one function (no protocol, no method calls): the yardstick for "general backend
  within 2x";
* ``plain``: `nvo_straightforward` (Algorithm 1 as printed: every candidate recomputes Q
  and every instance's pDP from scratch) where n is small enough;
* ``spec``: the product's general path, up to ``--spec-max-n``: the same instance written as
  a .game spec (`SPEC` below, data in a CSV beside it), loaded into a Model, and solved as
  ``gamespec solve`` solves it (`brd_model.choose_oracle` + `run_dynamics`: members grouped
  by data bin and choice, the payoff compiled from the Model into aggregates, a member term
  and a smooth term, run on the aggregative engine, with the common payoff checked at
  every pass end); timed from the oracle's choice (which compiles the payoff) to the end
  of the dynamics (the model load is reported apart). This is the "general backend" of
  issue 5's goal.

All three must end on the same profile (compared by digest). The pDP count is verified
independently (masses gathered per instance, Q summed from scratch, stdlib `pdp_all` in
chunks), and the certificate (maximum unilateral gain) by plain evaluation. Times are
wall-clock and CPU seconds of the BRD call alone: fast, hand and spec each run `ROUNDS`
times in turn (`SMALL_ROUNDS` up to n = 10,000; interleaved, `REPEAT` runs per worker)
and the fastest counts; ratios use CPU seconds (the machine is shared). The paper's BRD
took 4-8 min (n = 1,307) and 331 / 633 min (n = 10,000, eps = 1 / 2) on a 12-core desktop.

    python benchmarks/brd_scaling.py                      # every size, eps 1 and 2
    python benchmarks/brd_scaling.py --sizes 1307,10000 --eps 1 --plain-max-n 1307
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from gamespec.solvers.brd.engine import (
    DEFAULT_TOL,
    best_response_index,
    profile_digest,
    random_profile,
)
from gamespec.stdlib.privacy import bin_midpoints, kl_divergence, laplace_bin_masses, pdp_all


def _nvo_oracle():
    """tests/oracles/nvo.py: the NVO payoff written by hand, shared with the tests (a file,
    not a package: loaded by path)."""
    path = Path(__file__).resolve().parents[1] / "tests" / "oracles" / "nvo.py"
    spec = importlib.util.spec_from_file_location("nvo_oracle", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


_nvo = _nvo_oracle()
NVOInstance, nvo_certificate, nvo_fast = _nvo.NVOInstance, _nvo.nvo_certificate, _nvo.nvo_fast
nvo_instance, nvo_straightforward = _nvo.nvo_instance, _nvo.nvo_straightforward

PAPER_MINUTES = {(1307, 1.0): "4-8 min", (1307, 2.0): "4-8 min",
                 (10_000, 1.0): "331 min", (10_000, 2.0): "633 min"}
K = 101
SCALES = np.array([3.0, 2.0, 1.0, 0.33, 0.2])


# ------------------------------------------------------------------ data and checks


def mixture_data(n: int, seed: int) -> np.ndarray:
    """Seeded synthetic stand-in: three normal components clipped into [0, 1]."""
    rng = np.random.default_rng([seed, n])
    comp = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    mu, sd = np.array([0.3, 0.55, 0.75]), np.array([0.06, 0.05, 0.08])
    return np.clip(rng.normal(mu[comp], sd[comp]), 0.0, 1.0)


def output_distribution(inst: NVOInstance, profile: np.ndarray, chunk: int = 50_000) -> np.ndarray:
    """``Q`` summed instance by instance (chunked), not from the engine's bookkeeping."""
    total = np.zeros(inst.K)
    for s in range(0, inst.n, chunk):
        total += inst.masses[inst.bins[s:s + chunk], profile[s:s + chunk]].sum(axis=0)
    return total / inst.n


def verified_pdp_count(inst: NVOInstance, profile: np.ndarray, Q: np.ndarray,
                       chunk: int = 50_000) -> int:
    """Instances passing the literal eps-pDP test (stdlib `pdp_all`, chunked)."""
    count = 0
    for s in range(0, inst.n, chunk):
        m = inst.masses[inst.bins[s:s + chunk], profile[s:s + chunk]]
        count += int(np.count_nonzero(pdp_all(m, inst.eps, Q=Q, n=inst.n)))
    return count


def laplace_baseline_kl(inst: NVOInstance) -> float:
    """KL of the plain Laplace mechanism with b = dq / eps for everybody."""
    Q = inst.q @ laplace_bin_masses(bin_midpoints(K), 1.0 / inst.eps, K)
    return float(kl_divergence(inst.q, Q))


# ------------------------------------------------------------------ the hand-written baseline


def handwritten_nvo_brd(inst: NVOInstance, initial: np.ndarray, tol: float = DEFAULT_TOL,
                        max_passes: int = 10_000) -> tuple[np.ndarray, int, int]:
    """Sequential NVO BRD written for this game alone: the engine's algorithm (difference
    rows, integer pDP counts via the ratio test, no-flip window, drift-bounded decision
    cache, exact fallback) inlined in one loop. Needs ``a_lo <= 0`` (true unless eps is
    below ln(n / (n - 1))). Returns (profile, passes, switches)."""
    from gamespec.solvers.brd.engine import decision_slack

    n, C = inst.n, inst.b_values.shape[0]
    T = inst.masses.shape[0]
    a_hi = 1.0 - (n - 1) * math.exp(-inst.eps) / n
    assert 1.0 - (n - 1) * math.exp(inst.eps) / n <= 0
    W_all = inst.masses.reshape(T * C, K)
    D = (inst.masses[:, None, :, :] - inst.masses[:, :, None, :]).reshape(T * C, C, K)
    sup = np.flatnonzero(inst.q > 0)
    qs = inst.q[sup] / math.log(K)
    present = np.unique(inst.bins)
    row_keys = (present[:, None] * C + np.arange(C)).reshape(-1)
    first_row = np.full(T, -1)
    first_row[present] = np.arange(present.size) * C
    W = W_all[row_keys]
    profile = initial.copy()
    keys = (inst.bins * C + profile).tolist()
    N = np.bincount(keys, minlength=T * C)
    best, epoch_of, expiry = [0] * (T * C), [-1] * (T * C), [-math.inf] * (T * C)
    info_clock, info_min, info_max = [-math.inf] * (T * C), [[]] * (T * C), [[]] * (T * C)
    epoch, clock = 0, 0.0
    ok = np.zeros(row_keys.size, dtype=bool)
    lo_w = hi_w = 1.0
    S_prev = None

    def refresh(S: np.ndarray) -> tuple[np.ndarray, float, float]:
        hi = (W / S).max(axis=1)
        good = hi <= a_hi
        lo = float(hi[good].max()) / (a_hi * (1 - 1e-8)) if good.any() else sys.float_info.min
        up = float(hi[~good].min()) / (a_hi * (1 + 1e-8)) if not good.all() else math.inf
        return good, max(lo, sys.float_info.min), up

    passes = total = 0
    while passes < max_passes:
        passes += 1
        S = N.astype(np.float64) @ W_all
        new_ok, lo_w, hi_w = refresh(S)
        if S_prev is None or not np.array_equal(new_ok, ok):
            epoch += 1
            info_clock = [-math.inf] * (T * C)
        else:
            jump = float((np.abs(S - S_prev) / S).max())
            clock += -math.log1p(-jump) + 1e-15
        ok, S_prev, fresh = new_ok, S, True
        switches = 0
        for i in range(n):
            k = keys[i]
            if epoch_of[k] != epoch or clock > expiry[k]:
                theta, c = divmod(k, C)
                ratio = D[k] / S
                mins, maxs = ratio.min(axis=1).tolist(), ratio.max(axis=1).tolist()
                info_clock[k], info_min[k], info_max[k] = clock, mins, maxs
                rs = ratio[:, sup]
                util = (np.log1p(rs) @ qs).tolist()
                r0 = int(first_row[theta])
                r_min, r_max = min(mins), max(maxs)
                if 1.0 + r_min >= lo_w and 1.0 + r_max <= hi_w:
                    own = ok[r0:r0 + C].tolist()
                    d = [util[j] + (own[j] - own[c]) for j in range(C)]
                    spread = float((np.abs(rs) / (1.0 + rs) @ qs).max())
                    exact = False
                else:
                    if not fresh:
                        ok2, lo_w, hi_w = refresh(S)
                        assert np.array_equal(ok2, ok)
                        fresh = True
                    Nr = N[row_keys]
                    own = ok[r0:r0 + C].tolist()
                    d = []
                    for j in range(C):
                        if 1.0 + mins[j] >= lo_w and 1.0 + maxs[j] <= hi_w:
                            d.append(util[j] + (own[j] - own[c]))
                        else:
                            ok_new = (W / (S + D[k, j])).max(axis=1) <= a_hi
                            change = int(Nr @ ok_new) - int(Nr @ ok)
                            d.append(util[j] + change + int(ok_new[r0 + j]) - int(ok_new[r0 + c]))
                    exact = True
                d[c] = 0.0
                j = best_response_index(d, c, tol)
                budget = 0.0
                slack = decision_slack(d, c, j, tol)
                if not exact and slack > 0:
                    sigma = min(1.0, slack / (2 * spread)) if spread > 0 else 1.0
                    h = max(r_max / (1 + r_max), -r_min / (1 + r_min))
                    sigma = min(sigma, 0.5 / h) if h > 0 else sigma
                    tau = math.log1p(sigma)
                    if lo_w - r_min > 0:
                        tau = min(tau, -math.log(lo_w - r_min))
                    if hi_w < math.inf:
                        y = hi_w if r_max <= 0 else (math.sqrt(1 + 4 * r_max * hi_w) - 1) / (2 * r_max)
                        tau = min(tau, math.log(y)) if y > 0 else 0.0
                    budget = max(0.0, tau * (1 - 1e-6))
                b = theta * C + j
                best[k], epoch_of[k], expiry[k] = b, epoch, clock + budget
            else:
                b = best[k]
            if b == k:
                continue
            theta, c = divmod(k, C)
            c_new = b - theta * C
            tau = clock - info_clock[k]
            if tau <= 0.1:
                widen = math.exp(tau)
                r_min, r_max = info_min[k][c_new] * widen, info_max[k][c_new] * widen
            else:
                ratio_row = D[k, c_new] / S
                r_min, r_max = float(ratio_row.min()), float(ratio_row.max())
            m = max(r_max, -r_min)
            drift = -math.log1p(-m) + 1e-15 if m < 1 else math.inf
            fresh = False
            if 1.0 + r_min >= lo_w and 1.0 + r_max <= hi_w:
                lo_w /= 1.0 + r_min
                hi_w /= 1.0 + r_max
            else:
                S_new = S + D[k, c_new]
                drift = -math.log1p(-float((np.abs(D[k, c_new]) / S).max())) + 1e-15
                new_ok, lo_w, hi_w = refresh(S_new)
                fresh = True
                if not np.array_equal(new_ok, ok):
                    ok = new_ok
                    drift = math.inf
            if drift == math.inf:
                epoch += 1
                info_clock = [-math.inf] * (T * C)
            else:
                clock += drift
            S += D[k, c_new]
            N[k] -= 1
            N[b] += 1
            keys[i] = b
            profile[i] = c_new
            switches += 1
        total += switches
        if switches == 0:
            break
    return profile, passes, total


# ------------------------------------------------------------------ the spec path

SPEC = """game "NVO benchmark instance"
param eps = {eps!r}
param K = {K}
data t = csv("data.csv")
set I = t.rows
param raw[i in I] = t.v[i]
param n = card(I)
param d[i in I] = (bin_of(raw[i], K) - 0.5) / K     # the bin mid-point (nvo_instance's type)
set X = 1..K
param q[x in X] = count(i in I : bin_of(raw[i], K) == x) / n
set V = {{3, 2, 1, 0.33, 0.2}} / eps
players instances[i in I] {{ choose b in V }}
let m[i in I, x in X] = laplace_mass(d[i], b[i], x, K)
let Q[x in X] = mean(j in I) m[j, x]
let Q_without[i in I, x in X] = (n * Q[x] - m[i, x]) / (n - 1)
let pdp[i in I] = [max(x in X) abs(ln(Q[x] / Q_without[i, x])) <= eps]
let KL = sum(x in X : q[x] > 0) q[x] * ln(q[x] / Q[x])
common payoff = sum(i in I) pdp[i] + 1 - KL / ln(K)
"""


def run_spec(n: int, eps: float, seed: int) -> dict:
    """The spec path: write, load, then BRD as `gamespec solve` runs it."""
    import tempfile
    from pathlib import Path

    from gamespec.language.loader import load_model
    from gamespec.solvers.brd.method import choose_oracle, run_dynamics

    data = mixture_data(n, seed)
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "data.csv").write_text(
            "v\n" + "".join(f"{float(v)!r}\n" for v in data))
        Path(folder, "nvo.game").write_text(SPEC.format(eps=float(eps), K=K))
        model, load_wall, _ = _timed(lambda: load_model(Path(folder, "nvo.game")))

    options = {"seed": seed, "tolerance": DEFAULT_TOL}

    def dynamics():
        choice = choose_oracle(model, options)
        return choice, run_dynamics(model, choice, options)[0]

    (choice, res), wall, cpu = _best_of(dynamics, REPEAT)
    values = model.players["instances"].strategies[0].domain.values()
    scales = SCALES / eps
    chosen = values[res.profile]
    profile = np.argmin(np.abs(chosen[:, None] - scales[None, :]), axis=1)
    start = random_profile(np.full(n, SCALES.size), seed)
    same_start = np.array_equal(
        np.argmin(np.abs(values[start][:, None] - scales[None, :]), axis=1), start)
    return {"engine": "spec", "n": n, "eps": eps, "wall": wall, "cpu": cpu,
            "oracle": choice.name,
            "load_wall": load_wall, "passes": res.passes, "switches": res.switches,
            "status": res.status, "same_start": bool(same_start),
            "digest": profile_digest(profile).hex(),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# ------------------------------------------------------------------ workers


def _cpu() -> float:
    return time.process_time()


REPEAT = 2  # fast, hand and spec are timed this often per worker process
ROUNDS = 3  # ... in this many worker processes each, interleaved; the fastest run counts
SMALL_ROUNDS, SMALL_N = 5, 10_000  # more rounds where a run is short (cheap, less noisy)


def _timed(fn: Callable[[], object]) -> tuple[object, float, float]:
    wall, cpu = time.perf_counter(), _cpu()
    out = fn()
    return out, time.perf_counter() - wall, _cpu() - cpu


def _best_of(fn: Callable[[], object], repeat: int) -> tuple[object, float, float]:
    """`_timed` ``repeat`` times (the machine is shared): the last output, the least wall
    and CPU seconds."""
    runs = [_timed(fn) for _ in range(max(1, repeat))]
    return runs[-1][0], min(r[1] for r in runs), min(r[2] for r in runs)


def run_worker(engine: str, n: int, eps: float, seed: int, plain_limit: float) -> dict:
    """One (engine, n, eps) measurement; runs inside its own process."""
    if engine == "spec":
        return run_spec(n, eps, seed)
    inst = nvo_instance(mixture_data(n, seed), SCALES / eps, eps, K)
    start = random_profile(np.full(n, SCALES.size), seed)
    report: dict = {"engine": engine, "n": n, "eps": eps}
    if engine == "fast":
        res, wall, cpu = _best_of(lambda: nvo_fast(inst, initial=start, certify=False), REPEAT)
        profile, passes, switches, status = res.profile, res.passes, res.switches, res.status
    elif engine == "hand":
        (profile, passes, switches), wall, cpu = _best_of(
            lambda: handwritten_nvo_brd(inst, start), REPEAT)
        status = "converged"
    else:
        res, wall, cpu = _timed(lambda: nvo_straightforward(inst, initial=start,
                                                            time_limit=plain_limit))
        profile, passes, switches, status = res.profile, res.passes, res.switches, res.status
    report.update(wall=wall, cpu=cpu, passes=passes, switches=switches, status=status,
                  digest=profile_digest(profile).hex())
    if engine == "fast":
        Q = output_distribution(inst, profile)
        report["pdp_ok"] = verified_pdp_count(inst, profile, Q)
        report["kl"] = float(kl_divergence(inst.q, Q))
        report["laplace_kl"] = laplace_baseline_kl(inst)
        (cert, report["cert_wall"], _) = _timed(lambda: nvo_certificate(inst, profile))
        report["certificate"] = cert.value
    report["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return report


def fastest(reports: list[dict]) -> dict:
    """The report with the least CPU time (every run must reach the same profile)."""
    if len({r["digest"] for r in reports}) != 1:
        raise RuntimeError(f"{reports[0]['engine']} reached different profiles in repeats")
    return min(reports, key=lambda r: r["cpu"])


def spawn(engine: str, n: int, eps: float, seed: int, plain_limit: float) -> dict:
    """Run `run_worker` in a fresh interpreter and read its JSON line."""
    cmd = [sys.executable, __file__, "--worker", engine, str(n), str(eps), str(seed),
           str(plain_limit)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ table


def _fmt_s(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def table_row(fast: dict, hand: dict, plain: dict | None, spec: dict | None) -> str:
    n, eps = fast["n"], fast["eps"]
    same_hand = hand["digest"] == fast["digest"]
    if plain is None:
        plain_cell, speedup, same_plain = "—", "—", "—"
    else:
        finished = plain["status"] == "converged"
        plain_cell = f"{_fmt_s(plain['cpu'])}" + ("" if finished else " (time limit)")
        ratio = plain["cpu"] / fast["cpu"]
        speedup = f"{ratio:,.0f}x" if finished else f">= {ratio:,.0f}x"
        same_plain = "yes" if finished and plain["digest"] == fast["digest"] else (
            "n/a" if not finished else "NO")
    if spec is None:
        spec_cells = "— | — | —"
    else:
        same_spec = "yes" if spec["digest"] == fast["digest"] else "NO"
        spec_cells = (f"{_fmt_s(spec['cpu'])} ({spec['oracle']}, {spec['peak_mib']:.0f} MiB) | "
                      f"{spec['cpu'] / hand['cpu']:.2f} | {same_spec}")
    return (f"| {n:,} | {eps:g} | {_fmt_s(fast['wall'])} / {_fmt_s(fast['cpu'])} | "
            f"{fast['passes']} | {fast['switches']:,} | {fast['pdp_ok']:,} / {n:,} | "
            f"{fast['kl']:.4f} ({fast['laplace_kl']:.3f}) | {fast['certificate']:.1e} | "
            f"{fast['peak_mib']:.0f} | {_fmt_s(hand['cpu'])} | "
            f"{fast['cpu'] / hand['cpu']:.2f} | {'yes' if same_hand else 'NO'} | {plain_cell} | "
            f"{speedup} | {same_plain} | {spec_cells} | {PAPER_MINUTES.get((n, eps), '—')} |")


HEADER = (
    "| n | eps | fast s (wall / CPU) | passes | switches | pDP ok (verified) | KL (Laplace) "
    "| max gain | peak MiB | hand-written CPU s | fast / hand | same | straightforward CPU s "
    "| speed-up | same | spec path CPU s (oracle, peak) | spec / hand | same | paper |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1307,10000,100000,1000000")
    ap.add_argument("--eps", default="1,2")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--plain-max-n", type=int, default=1307,
                    help="run the straightforward implementation up to this n (0: never)")
    ap.add_argument("--plain-time-limit", type=float, default=900.0,
                    help="seconds before the straightforward run stops (reported as a bound)")
    ap.add_argument("--spec-max-n", type=int, default=1_000_000,
                    help="run the spec path (spec -> Model -> compiled oracle) up to this n "
                         "(0: never)")
    ap.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        engine, n, eps, seed, limit = args.worker
        print(json.dumps(run_worker(engine, int(n), float(eps), int(seed), float(limit))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    epss = [float(e) for e in args.eps.split(",")]
    print("NVO BRD scaling (synthetic mixture-of-normals stand-in data, K = 101, "
          "V = {3, 2, 1, 0.33, 0.2}/eps, dq = 1 normalised)")
    print(HEADER, flush=True)
    failures = 0
    for n in sizes:
        for eps in epss:
            engines = ["fast", "hand"] + (["spec"] if n <= args.spec_max_n else [])
            runs: dict[str, list[dict]] = {e: [] for e in engines}
            for _ in range(SMALL_ROUNDS if n <= SMALL_N else ROUNDS):  # interleaved: a
                # busy spell of the machine hits every engine alike
                for engine in engines:
                    runs[engine].append(spawn(engine, n, eps, args.seed, 0))
            fast, hand = fastest(runs["fast"]), fastest(runs["hand"])
            spec = fastest(runs["spec"]) if "spec" in runs else None
            plain = (spawn("plain", n, eps, args.seed, args.plain_time_limit)
                     if n <= args.plain_max_n else None)
            print(table_row(fast, hand, plain, spec), flush=True)
            failures += hand["digest"] != fast["digest"]
            if spec is not None:
                failures += spec["digest"] != fast["digest"]
            if plain is not None and plain["status"] == "converged":
                failures += plain["digest"] != fast["digest"]
    if failures:
        print(f"{failures} profile mismatch(es)", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
