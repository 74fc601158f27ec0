"""Game trees: gamespec's sequence-form LP against pygambit's lp_solve, Kuhn and Leduc poker.

For each game (benchmarks/poker_trees.py) in one run: its size (nodes, information sets,
sequences), gamespec's times (build the tree, build the sequence form, the whole LP solve
including the form, the exact certificate) with the value, then pygambit's lp_solve on
the same game written as .efg text (tests/oracles/efg_text.py, loaded by path), float
and rational, each in a child process with a timeout; and `gamespec solve` end to end (a
fresh process: start-up, reading the spec in specs/ or the .efg, building the tree, the
LP and the certificate). Ratios are each row's time over gamespec's LP solve (pygambit
rows above 1: gamespec faster; "> r" when pygambit timed out; "pygambit not installed" and
no pygambit rows where it is not: it is optional, `pip install -e ".[gambit]"`).
gamespec times are the best of ``--repeat`` runs (wall-clock seconds, imports excluded).

    python benchmarks/game_trees.py
    python benchmarks/game_trees.py --timeout 300 --repeat 5
"""
from __future__ import annotations

import argparse
import importlib.util
import io
import multiprocessing
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from poker_trees import kuhn_poker, leduc_poker

from gamespec.solvers.trees.exact_certificate import certify_exact
from gamespec.solvers.trees.sequence_form_lp import solve_sequence_form
from gamespec.solvers.trees.sequences import sequence_form


def _efg_writer():
    """tests/oracles/efg_text.py (a file, not a package: loaded by path)."""
    path = Path(__file__).resolve().parents[1] / "tests" / "oracles" / "efg_text.py"
    spec = importlib.util.spec_from_file_location("efg_text", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.tree_to_efg


tree_to_efg = _efg_writer()


def best_of(repeat: int, fn):
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


SPECS = Path(__file__).resolve().parents[1] / "specs"


def cli_solve(path: Path) -> None:
    """`gamespec solve PATH` in a fresh process: start-up, parse, tree, LP, certificate."""
    subprocess.run([sys.executable, "-m", "gamespec.cli", "solve", str(path)], check=True,
                   stdout=subprocess.DEVNULL)


def _gambit_child(text: str, rational: bool, queue) -> None:
    import pygambit as gbt

    start = time.perf_counter()
    game = gbt.read_efg(io.StringIO(text))
    read = time.perf_counter() - start
    start = time.perf_counter()
    result = gbt.nash.lp_solve(game, rational=rational)
    solve = time.perf_counter() - start
    value = result.equilibria[0].payoff(list(game.players)[0])
    queue.put((read, solve, float(value)))


def gambit_lp(text: str, rational: bool, timeout: float):
    """(read s, solve s, value) of pygambit's lp_solve in a child process, or None."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_gambit_child, args=(text, rational, queue))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        return None
    return queue.get() if not queue.empty() else None


def run(name: str, build, repeat: int, timeout: float) -> list[tuple]:
    t_tree, tree = best_of(1, build)
    size = tree.size()
    seqs = size["sequences"]
    t_form, _ = best_of(repeat, lambda: sequence_form(tree))
    t_lp, sol = best_of(repeat, lambda: solve_sequence_form(tree))
    t_cert, cert = best_of(1, lambda: certify_exact(tree, sol.behaviour, sol.constant))
    print(f"\n{name}: {size['nodes']:,} nodes, {size['terminals']:,} leaves, information "
          f"sets {sum(size['information_sets'].values())} "
          f"({', '.join(f'{k} {v}' for k, v in size['information_sets'].items())}), "
          f"sequences {' x '.join(str(v) for v in seqs.values())}")
    print(f"  gamespec: tree {t_tree:.3f} s, sequence form {t_form:.3f} s, LP "
          f"(form + HiGHS) {t_lp:.3f} s [HiGHS {sol.solve_seconds:.3f} s, "
          f"{sol.iterations} iterations], certificate {t_cert:.3f} s")
    exact = f"exact {cert.value}" if cert.certified else (
        f"not exact; bounds width {float(cert.upper - cert.lower):.1e}")
    print(f"  value {sol.values[0]:.6f} ({exact})")
    rows = [(name, "gamespec sequence-form LP (HiGHS)", t_lp, sol.values[0], 1.0)]
    text = tree_to_efg(tree, name)
    spec = SPECS / f"{name.lower()}_poker.game"
    with tempfile.TemporaryDirectory() as folder:
        efg = Path(folder) / f"{name.lower()}.efg"
        efg.write_text(text)
        for label, path in ((f"gamespec solve {spec.name} (whole process)", spec),
                            (f"gamespec solve {name.lower()}.efg (whole process)", efg)):
            seconds = best_of(repeat, lambda p=path: cli_solve(p))[0]
            rows.append((name, label, seconds, None, seconds / t_lp))
            print(f"  {label}: {seconds:.3f} s")
    if importlib.util.find_spec("pygambit") is None:
        print("  pygambit not installed: no pygambit rows")
        return rows
    for rational in (False, True):
        label = f"pygambit lp_solve ({'rational' if rational else 'float'})"
        got = gambit_lp(text, rational, timeout)
        if got is None:
            rows.append((name, label, None, None, timeout / t_lp))
            print(f"  {label}: no answer within {timeout:.0f} s")
            continue
        read, solve, value = got
        rows.append((name, label, solve, value, solve / t_lp))
        print(f"  {label}: read .efg {read:.3f} s, solve {solve:.3f} s, value {value:.6f}")
    return rows


def table(rows: list[tuple], timeout: float) -> None:
    print(f"\n{'game':<7}{'method':<48}{'seconds':>10}{'value':>12}{'ratio':>10}")
    for game, method, seconds, value, ratio in rows:
        s = f"{seconds:10.3f}" if seconds is not None else f"{'> ' + str(int(timeout)):>10}"
        v = f"{value:12.6f}" if value is not None else f"{'-':>12}"
        r = f"{ratio:10.1f}" if seconds is not None else f"{f'> {ratio:.0f}':>10}"
        print(f"{game:<7}{method:<48}{s}{v}{r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds allowed to each pygambit solve (child process)")
    args = parser.parse_args()
    rows = []
    for name, build in (("Kuhn", kuhn_poker), ("Leduc", leduc_poker)):
        rows += run(name, build, args.repeat, args.timeout)
    table(rows, args.timeout)


if __name__ == "__main__":
    main()
