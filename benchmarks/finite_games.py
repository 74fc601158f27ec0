"""Finite strategic games: gamespec's equilibrium algorithms against pygambit and nashpy.

In one run, on the same games, it times (best of ``--repeat`` runs, wall-clock seconds):

* all extreme equilibria of von Stengel's 6x6 game with 75 equilibria (tests/corpus/
  von_stengel_6x6.game): gamespec's vertex enumeration (exact Fractions, and floats)
  against pygambit's enummixed (rational and float) and nashpy's vertex_enumeration;
* one equilibrium of random 10x10, 20x20 and 50x50 bimatrix games (seeded integers in
  -9..9): gamespec's Lemke-Howson from the first label against pygambit's lcp (stopping
  after one) and nashpy's lemke_howson;
* three players: all isolated equilibria of a random 3x3x3 game by gamespec's support
  enumeration (exact) against pygambit's enumpoly (in a child process, with a timeout);
  one equilibrium of a random 5x4x3 game by gamespec's logit limit against pygambit's
  logit, and how far exact support enumeration gets on it within the timeout;
* the command line end to end (a fresh process each: parse, build, solve, print): a
  50x50 bimatrix table spec checked and solved, a 10x10x10 three-player table checked,
  and a 2,500-profile .nfg imported.

Each answer is checked (maximum regret) and the equilibrium counts compared; ratios are
Gambit's (or nashpy's) time over gamespec's, so above 1 means gamespec is faster.

    python benchmarks/finite_games.py
    python benchmarks/finite_games.py --repeat 5 --skip-cli
"""
from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from gamespec.language.loader import load_model
from gamespec.normal_form import build_normal_form
from gamespec.solvers.finite.lemke_howson import lemke_howson
from gamespec.solvers.finite.logit import limit_equilibrium
from gamespec.solvers.finite.mixed_equilibrium import max_regret, rational_payoffs
from gamespec.solvers.finite.support_enumeration import support_equilibria
from gamespec.solvers.finite.vertex_enumeration import extreme_equilibria

REPO = Path(__file__).resolve().parents[1]

try:
    import pygambit
except ImportError:  # pragma: no cover - optional
    pygambit = None
try:
    import nashpy
except ImportError:  # pragma: no cover - optional
    nashpy = None


def best_of(repeat: int, call):
    """(fastest seconds, last value) over `repeat` calls."""
    best, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = call()
        best = min(best, time.perf_counter() - t0)
    return best, value


def gambit_game(payoffs: np.ndarray):
    exact = np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(payoffs)
    return pygambit.Game.from_arrays(*exact)


def random_bimatrix(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(-9, 10, size=(2, n, n)).astype(float)


class Timeout(Exception):
    pass


def with_alarm(seconds: int, call):
    """call(), or None if it runs longer than `seconds` (nashpy's LH can loop)."""
    def stop(*_):
        raise Timeout
    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        return call()
    except Timeout:
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def row(label: str, ours: float, peers: dict[str, float | None], note: str) -> None:
    cells = []
    for name, t in peers.items():
        cells.append(f"{name} {t * 1e3:9.1f} ms ({t / ours:6.1f}x)" if t is not None
                     else f"{name} {'n/a':>9}")
    print(f"{label:38s} gamespec {ours * 1e3:9.1f} ms | " + " | ".join(cells) + f"   {note}")


def von_stengel(repeat: int) -> None:
    nf = build_normal_form(load_model(REPO / "tests" / "corpus" / "von_stengel_6x6.game"))
    a, b = nf.payoffs
    exact = rational_payoffs(nf.payoffs)
    t_exact, found = best_of(repeat, lambda: extreme_equilibria(a, b, exact=(exact[0],
                                                                             exact[1])))
    t_float, found_f = best_of(repeat, lambda: extreme_equilibria(a, b))
    peers = {}
    counts = {"gamespec exact": len(found), "gamespec float": len(found_f)}
    if pygambit is not None:
        game = gambit_game(nf.payoffs)
        t, sol = best_of(repeat, lambda: pygambit.nash.enummixed_solve(game, rational=True))
        peers["gambit enummixed (rational)"] = t
        counts["gambit"] = len(sol.equilibria)
        t, sol = best_of(repeat, lambda: pygambit.nash.enummixed_solve(game, rational=False))
        peers["gambit enummixed (float)"] = t
    if nashpy is not None:
        t, eqs = best_of(1, lambda: list(nashpy.Game(a, b).vertex_enumeration()))
        peers["nashpy vertex_enumeration"] = t
        counts["nashpy"] = len(eqs)
    worst = max(max_regret(nf.payoffs, eq.strategies) for eq in found)
    row("6x6 von Stengel, all extreme (exact)", t_exact, peers,
        f"equilibria: {', '.join(f'{k} {v}' for k, v in counts.items())}; "
        f"max regret {worst:.1e}")
    row("6x6 von Stengel, all extreme (float)", t_float, {}, f"equilibria: {len(found_f)}")


def one_equilibrium(n: int, repeat: int) -> None:
    u = random_bimatrix(n, seed=n)
    a, b = u
    t, eq = best_of(repeat, lambda: lemke_howson(a, b, 0))
    peers = {}
    if pygambit is not None:
        game = gambit_game(u)
        peers["gambit lcp"], _ = best_of(repeat, lambda: pygambit.nash.lcp_solve(
            game, rational=False, stop_after=1))
    if nashpy is not None:
        start = time.perf_counter()
        answer = with_alarm(20, lambda: nashpy.Game(a, b).lemke_howson(initial_dropped_label=0))
        peers["nashpy lemke_howson"] = time.perf_counter() - start if answer is not None \
            else None
    row(f"{n}x{n} random, one (Lemke-Howson)", t, peers,
        f"max regret {max_regret(u, eq.strategies):.1e}")


def _enumpoly_count(payoffs: np.ndarray, queue) -> None:
    start = time.perf_counter()
    solution = pygambit.nash.enumpoly_solve(gambit_game(payoffs))
    queue.put((time.perf_counter() - start, len(solution.equilibria)))


def gambit_enumpoly(payoffs: np.ndarray, timeout: float) -> tuple[float | None, str]:
    """(seconds, equilibria) of Gambit's enumpoly in a child process, or (None, "timed out")."""
    import multiprocessing

    queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=_enumpoly_count, args=(payoffs, queue))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        return None, f"timed out after {timeout:.0f} s"
    seconds, count = queue.get()
    return seconds, str(count)


def three_player(repeat: int, timeout: float) -> None:
    small = np.random.default_rng(333).integers(-9, 10, size=(3, 3, 3, 3)).astype(float)
    t_all, found = best_of(1, lambda: support_equilibria(small))
    peers_all, count = {}, "pygambit not installed"
    if pygambit is not None:
        seconds, count = gambit_enumpoly(small, timeout)
        peers_all["gambit enumpoly"] = seconds
    row("3x3x3 random, all isolated (exact)", t_all, peers_all,
        f"equilibria: {len(found.equilibria)} (gambit enumpoly: {count})")
    u = np.random.default_rng(543).integers(-9, 10, size=(3, 5, 4, 3)).astype(float)
    t_logit, eq = best_of(repeat, lambda: limit_equilibrium(u))
    peers_one = {}
    if pygambit is not None:
        game = gambit_game(u)
        peers_one["gambit logit"], _ = best_of(repeat, lambda: pygambit.nash.logit_solve(game))
    row("5x4x3 random, one (logit limit)", t_logit, peers_one,
        f"max regret {max_regret(u, eq.strategies):.1e}")
    start = time.perf_counter()
    try:
        support_equilibria(u, time_limit=timeout)
        print(f"{'5x4x3 random, all isolated (exact)':38s} gamespec "
              f"{time.perf_counter() - start:6.1f} s")
    except Exception as exc:  # the time limit: say how far it got
        print(f"{'5x4x3 random, all isolated (exact)':38s} gamespec: {exc}")


def table_spec(shape: tuple[int, ...], seed: int) -> str:
    rng = np.random.default_rng(seed)
    lines = ['game "Random table"']
    for k, n in enumerate(shape):
        lines.append(f"player p{k + 1} {{ choose x{k + 1} in "
                     f"{{{', '.join(f's{i + 1}' for i in range(n))}}} }}")
    lines.append("table {")
    for index in np.ndindex(*shape):
        key = ", ".join(f"s{i + 1}" for i in index)
        values = ", ".join(str(int(v)) for v in rng.integers(-9, 10, size=len(shape)))
        lines.append(f"  ({key}): ({values})")
    lines.append("}")
    return "\n".join(lines) + "\n"


def nfg_text(n: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    strategies = " ".join("{ " + " ".join(f'"s{i + 1}"' for i in range(n)) + " }"
                          for _ in range(2))
    body = " ".join(str(int(v)) for v in rng.integers(-9, 10, size=2 * n * n))
    return f'NFG 1 R "Random {n}x{n}" {{ "A" "B" }}\n{{ {strategies} }}\n{body}\n'


def cli(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gamespec.cli", *args], check=True,
                   capture_output=True)
    return time.perf_counter() - start


def command_line(repeat: int) -> None:
    folder = Path(tempfile.mkdtemp())
    (folder / "bi50.game").write_text(table_spec((50, 50), 1))
    (folder / "t10.game").write_text(table_spec((10, 10, 10), 2))
    (folder / "big.nfg").write_text(nfg_text(50, 3))
    (folder / "tiny.game").write_text(table_spec((2, 2), 4))
    baseline = min(cli(["check", str(folder / "tiny.game")]) for _ in range(repeat))
    print(f"{'command line, a 2x2 table checked':38s} {baseline:6.2f} s (start-up and imports)")
    for label, args in [
        ("50x50 table: check", ["check", str(folder / "bi50.game")]),
        ("50x50 table: solve (default)", ["solve", str(folder / "bi50.game")]),
        ("50x50 table: solve --method lemke_howson",
         ["solve", str(folder / "bi50.game"), "--method", "lemke_howson", "--option",
          "label=1"]),
        ("10x10x10 table: check", ["check", str(folder / "t10.game")]),
        ("2,500-profile .nfg: import", ["import", str(folder / "big.nfg"), "--out",
                                         str(folder / "big.game")]),
    ]:
        seconds = min(cli(args) for _ in range(repeat))
        print(f"{label:38s} {seconds:6.2f} s ({seconds - baseline:5.2f} s past start-up)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds allowed to each all-equilibria run of the 5x4x3 game")
    args = parser.parse_args()
    print(f"pygambit {getattr(pygambit, '__version__', 'not installed')}, "
          f"nashpy {getattr(nashpy, '__version__', 'not installed')}")
    von_stengel(args.repeat)
    for n in (10, 20, 50):
        one_equilibrium(n, args.repeat)
    three_player(args.repeat, args.timeout)
    if not args.skip_cli:
        command_line(args.repeat)


if __name__ == "__main__":
    main()
