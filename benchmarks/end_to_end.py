"""gamespec against hand-written programs, as whole processes: wall time and peak memory.

Location-privacy LP: `gamespec solve specs/location_privacy.game --set n_regions=N --json`
against benchmarks/location_privacy_direct.py (plain Python + NumPy -> highspy) on the same
instance (the Foursquare data through GAMESPEC_DATA_MIRROR, user 1, Qmax 0.869); the first
repetition of each size checks that both give the same value and the same baseline numbers
(to 1e-9) before any ratio is printed. Start-up: `gamespec solve
specs/prisoners_dilemma.game` against `python -c "import numpy"`.

Runs are interleaved (every repetition runs each pair back to back, alternating which goes
first); each figure is the median over repetitions. Peak memory is the child's maximum
resident set size (os.wait4); CPU is user + system time, the steadier figure when other work
shares the machine. Usage:

    python benchmarks/end_to_end.py [--sizes 30 100 200 300] [--reps 3] [--no-startup]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOLERANCE = 1e-9


def run_measured(cmd: list[str]) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MiB, stdout): the child is reaped by os.wait4."""
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as null:
        read, write = os.pipe()
        proc = subprocess.Popen(cmd, stdout=write, stderr=null, cwd=ROOT)
        os.close(write)
        chunks = []
        with os.fdopen(read, "rb") as fh:
            while chunk := fh.read(1 << 16):
                chunks.append(chunk)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} exited with {proc.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024.0, b"".join(chunks).decode()


def gamespec_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "gamespec.cli", *args]


def lp_commands(n: int) -> dict[str, list[str]]:
    return {
        "gamespec": gamespec_cmd("solve", "specs/location_privacy.game", "--set",
                                 f"n_regions={n}", "--json"),
        "direct": [sys.executable, os.path.join(HERE, "location_privacy_direct.py"),
                   "--n-regions", str(n)],
    }


def check_same(n: int, gamespec_out: str, direct_out: str) -> float:
    """The largest difference between the two programs' numbers; exits if above 1e-9."""
    ours = json.loads(gamespec_out)
    theirs = json.loads(direct_out.strip().splitlines()[-1])
    pairs = [(next(iter(ours["values"].values())), theirs["value"])]
    for name, entry in theirs["compare"].items():
        mine = ours["compare"][name]
        pairs.append((mine["constraint_lhs"]["quality"], entry["quality"]))
        for key in ("value_against_optimal_response", "optimal_value_at_same_constraint_levels",
                    "value_against_profile_response"):
            if key in entry:
                pairs.append((mine[key], entry[key]))
    worst = max(abs(a - b) / max(1.0, abs(b)) for a, b in pairs)
    if worst > TOLERANCE:
        raise SystemExit(f"{n} regions: gamespec and the direct program differ by {worst:.3g}")
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[30, 100, 200, 300])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-startup", action="store_true")
    args = ap.parse_args()
    if not os.environ.get("GAMESPEC_DATA_MIRROR"):
        raise SystemExit("set GAMESPEC_DATA_MIRROR to the data mirror (the Foursquare files)")
    pairs = {f"lp {n}": lp_commands(n) for n in args.sizes}
    if not args.no_startup:
        pairs["startup PD"] = {
            "gamespec": gamespec_cmd("solve", "specs/prisoners_dilemma.game"),
            "direct": [sys.executable, "-c", "import numpy"],
        }
    times: dict[str, dict[str, list[float]]] = {k: {"gamespec": [], "direct": []} for k in pairs}
    cpus: dict[str, dict[str, list[float]]] = {k: {"gamespec": [], "direct": []} for k in pairs}
    peaks: dict[str, dict[str, list[float]]] = {k: {"gamespec": [], "direct": []} for k in pairs}
    checked: dict[str, float] = {}
    for rep in range(args.reps):
        for label, cmds in pairs.items():
            order = ["gamespec", "direct"] if rep % 2 == 0 else ["direct", "gamespec"]
            outs = {}
            for who in order:
                wall, cpu, peak, outs[who] = run_measured(cmds[who])
                times[label][who].append(wall)
                cpus[label][who].append(cpu)
                peaks[label][who].append(peak)
            if label.startswith("lp ") and label not in checked:
                checked[label] = check_same(int(label[3:]), outs["gamespec"], outs["direct"])
            print(f"rep {rep + 1} {label}: " + ", ".join(
                f"{who} {times[label][who][-1]:.2f} s ({cpus[label][who][-1]:.2f} s CPU) "
                f"{peaks[label][who][-1]:.0f} MiB" for who in ("gamespec", "direct")), flush=True)
    print()
    print(f"{'case':<12}{'gamespec s':>11}{'direct s':>10}{'time x':>8}{'CPU x':>7}"
          f"{'gamespec MiB':>14}{'direct MiB':>12}{'memory x':>10}  same to")
    for label in pairs:
        t = {w: statistics.median(v) for w, v in times[label].items()}
        c = {w: statistics.median(v) for w, v in cpus[label].items()}
        m = {w: statistics.median(v) for w, v in peaks[label].items()}
        same = f"{checked[label]:.1e}" if label in checked else "-"
        print(f"{label:<12}{t['gamespec']:>11.2f}{t['direct']:>10.2f}"
              f"{t['gamespec'] / t['direct']:>8.2f}{c['gamespec'] / c['direct']:>7.2f}"
              f"{m['gamespec']:>14.0f}{m['direct']:>12.0f}"
              f"{m['gamespec'] / m['direct']:>10.2f}  {same}")


if __name__ == "__main__":
    main()
