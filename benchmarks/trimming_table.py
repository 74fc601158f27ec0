"""Section VI of Fu et al. (online trimming vs poisoning): the scheme table, Table III and
Table IV, with the wall-clock time of the whole grid.

    python benchmarks/trimming_table.py [--data DIR] [--reps 100] [--rounds 20] [--jobs 2]

DIR is a mirror of the shared data folder (uci_synthetic_control/, uci_vehicle/,
uci_letter/); default: $GAMESPEC_DATA_MIRROR, else ../shared/data next to the repo.  Without
the files it falls back to scikit-learn's bundled digits / wine / breast-cancer sets and
says so.  Every data set is z-scored.  SSE is printed as a ratio to the ground-truth SSE
measured in the same run; Distance is the mean matched-centroid distance.

This is the whole grid of the paper (three data sets, three attack intervals, two Tth);
the spec's own cell, with its update rules as a seventh scheme, is
`gamespec experiment specs/trimming.game` (plug-in gamespec/experiments/trimming_schemes.py).
"""
from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import numpy as np

from gamespec.stdlib.trimming import (
    PAPER_TABLE3,
    PAPER_TABLE4,
    Size,
    non_equilibrium_table,
    roundwise_cost_table,
    run_table,
    standardize,
)

PAPER_SETS = {  # name -> (registry name, numeric columns to drop, clusters as in Table II)
    "Control": ("uci_synthetic_control", (), 6),
    "Vehicle": ("uci_vehicle", ("class",), 4),
    "Letter": ("uci_letter", ("letter",), 26),
}


def default_data_dir() -> Path | None:
    """$GAMESPEC_DATA_MIRROR, else the shared data folder beside the repository."""
    env = os.environ.get("GAMESPEC_DATA_MIRROR")
    folder = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"
    return folder if folder.is_dir() else None


def _matrix(table, drop) -> np.ndarray:
    names = [c for c in table.column_names if c not in drop]
    return np.column_stack([table.numeric(c) for c in names])


def load_datasets(folder: Path | None) -> tuple[dict[str, tuple[np.ndarray, int]], str]:
    """The paper's three UCI sets through the data registry (hash-checked; the mirror
    folder first), or bundled scikit-learn stand-ins when they are not available."""
    from gamespec.data import registry as data_registry
    from gamespec.data.tables import load_dataset

    if all(data_registry.available(name, folder) for name, _, _ in PAPER_SETS.values()):
        sets = {label: (standardize(_matrix(load_dataset(name, mirror=folder), drop)), k)
                for label, (name, drop, k) in PAPER_SETS.items()}
        return sets, "UCI data through the data registry"
    from sklearn.datasets import load_breast_cancer, load_digits, load_wine

    sets = {"digits": (standardize(load_digits().data), 10),
            "wine": (standardize(load_wine().data), 3),
            "breast_cancer": (standardize(load_breast_cancer().data), 2)}
    return sets, "STAND-IN: scikit-learn bundled sets (UCI files not available)"


def print_scheme_table(rows: list) -> None:
    """One block per data set and Tth; a line per attack interval; SSE ratio / distance."""
    schemes = [s.scheme for s in rows[0].result.summaries]
    width = max(len(s) for s in schemes) + 2
    for dataset in dict.fromkeys(r.dataset for r in rows):
        for tth in sorted({r.tth for r in rows}):
            print(f"\n{dataset}, Tth = {tth}: SSE / SSE_groundtruth  (centroid distance)")
            print(f"{'interval':14s}" + "".join(f"{s:>{width + 8}s}" for s in schemes))
            for r in (r for r in rows if r.dataset == dataset and r.tth == tth):
                by = r.result.by_scheme()
                cells = "".join(
                    f"{by[s].mean['sse'] / r.result.truth.sse:>{width}.4f} "
                    f"({by[s].mean['distance']:5.3f})" for s in schemes)
                print(f"{r.interval!s:14s}{cells}")


def print_table3(data: np.ndarray, reps: int) -> None:
    """Our Table III next to the paper's."""
    print("\nTable III (Control, attack ratio 0.2, 25 rounds, Tth = 0.93, redundancy 5%)")
    print(f"{'p':>4s} {'term':>7s} {'paper':>7s} {'TfT':>8s} {'paper':>8s} "
          f"{'Elastic':>8s} {'paper':>8s}")
    ours = non_equilibrium_table(data, repetitions=reps)
    for row, (_, term, tft, el) in zip(ours, PAPER_TABLE3):
        print(f"{row.p:4.1f} {row.termination:7.2f} {term:7.2f} {row.titfortat_share:8.4f} "
              f"{tft:8.4f} {row.elastic_share:8.4f} {el:8.4f}")


def print_table4() -> None:
    """Our Table IV next to the paper's."""
    print("\nTable IV: round-wise cost of Elastic (%), ours vs paper")
    print(f"{'rounds':>6s} {'k=0.5':>8s} {'paper':>8s} {'k=0.1':>8s} {'paper':>8s}")
    for row, (_, p05, p01) in zip(roundwise_cost_table(), PAPER_TABLE4):
        print(f"{row.rounds:6d} {row.cost[0.5]:8.4f} {p05:8.4f} {row.cost[0.1]:8.4f} "
              f"{p01:8.4f}")


def main() -> None:
    """Run the grid, print the tables and the elapsed time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    datasets, source = load_datasets(args.data)
    print(f"data: {source}; " + ", ".join(f"{n} {x.shape} k={k}" for n, (x, k) in
                                          datasets.items()))
    start, cpu_start = time.perf_counter(), cpu_seconds()
    rows = run_table(datasets, size=Size(args.rounds, args.reps), seed=args.seed,
                     n_jobs=args.jobs)
    grid_seconds, grid_cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    print_scheme_table(rows)
    first = next(iter(datasets.values()))[0]
    print_table3(first, args.reps)
    print_table4()
    cells = len(rows) * len(rows[0].result.summaries)
    print(f"\nscheme grid: {cells} scheme cells x {args.rounds} rounds x {args.reps} "
          f"repetitions in {grid_seconds:.1f} s wall, {grid_cpu:.1f} s CPU, {args.jobs} "
          f"process(es); load average {os.getloadavg()[0]:.1f}; total "
          f"{time.perf_counter() - start:.1f} s")


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


if __name__ == "__main__":
    main()
