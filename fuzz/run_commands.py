"""Run the construct generators (fuzz/generators) through the commands check, info, derive
and solve, in worker processes with a memory cap and a hard timeout, and print per
generator x command how many specs were tried, each outcome's count and specs/second.

    nice -n 19 python fuzz/run_commands.py --count 200 --commands check,info --workers 1

Outcomes (fuzz/commands.py): ok, located / unlocated (a GamespecError with / without a
place in the spec), limit (the --time-limit wall clock, exit 3), escape (anything else:
a traceback), hang (no answer by the CPU timer or the hard timeout: the worker is killed)
and memory (MemoryError, or the worker died under its --memory-gb cap). Escapes, hangs and
memory kills are saved to --save (spec + traceback). The specs are the same for a given
--seed; with --duration the run stops starting new specs after that many seconds, going
round the generators and commands in turn so that every cell gets its share. Exit status
1 when anything escaped, hung or was killed.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from collections import Counter, defaultdict
from multiprocessing.connection import wait
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from fuzz import commands  # noqa: E402
from fuzz.generators import GENERATORS, make_case  # noqa: E402


def worker_main(conn, limit: float, memory_gb: float, mirror: str | None) -> None:
    """Run the (command, text, path) jobs sent over `conn`; answer (outcome, detail, s)."""
    if memory_gb > 0:
        try:
            import resource

            cap = int(memory_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        except (ImportError, ValueError, OSError):
            pass
    parent = os.getppid()
    while True:
        while not conn.poll(1.0):
            if os.getppid() != parent:  # the runner is gone: stop too
                return
        job = conn.recv()
        if job is None:
            return
        command, text, path = job
        started = time.perf_counter()
        outcome, detail = commands.run(command, text, path, limit, mirror)
        conn.send((outcome, detail, time.perf_counter() - started))


class Worker:
    def __init__(self, args) -> None:
        self.conn, child = mp.Pipe()
        self.process = mp.Process(target=worker_main, daemon=True,
                                  args=(child, args.limit, args.memory_gb, args.mirror))
        self.process.start()
        child.close()
        self.job = None  # (case, command, started)

    def send(self, case, command: str) -> None:
        self.job = (case, command, time.monotonic())
        self.cpu_start = self.cpu()
        self.conn.send((command, case.text, case.path))

    def cpu(self) -> float:
        """CPU seconds the worker has used (Linux /proc; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1]
            utime, stime = fields.split()[11:13]
            return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return 0.0

    def overdue(self, now: float, cpu_limit: float, wall_limit: float) -> bool:
        """Stuck: past the CPU limit of a job (so a loaded machine does not make hangs),
        or past a generous wall-clock limit."""
        return now - self.job[2] > wall_limit or self.cpu() - self.cpu_start > cpu_limit

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()  # only a worker this script started
        self.process.join(5)

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(5)
        self.kill()


def jobs(args):
    """(generator, index, command) in turn: every index of every generator, each command."""
    for index in range(args.count):
        for generator in args.generators:
            for command in args.commands:
                yield generator, index, command


class Run:
    def __init__(self, args) -> None:
        self.args = args
        self.counts: dict = defaultdict(Counter)  # (generator, command) -> outcome counts
        self.seconds: Counter = Counter()
        self.problems: Counter = Counter()
        self.saved = 0
        self.save = Path(args.save) if args.save else None
        if self.save:
            self.save.mkdir(parents=True, exist_ok=True)

    def record(self, job, outcome: str, detail: str, seconds: float) -> None:
        case, command, _ = job
        key = (case.generator, command)
        self.counts[key][outcome] += 1
        self.seconds[key] += seconds
        if outcome not in commands.PROBLEMS:
            return
        first = detail.splitlines()[0] if detail else outcome
        self.problems[f"{command} {outcome}: {first}"] += 1
        if self.save and self.saved < self.args.keep:
            self.saved += 1
            stem = self.save / f"{outcome}-{command}-{case.generator}-{case.index:06d}"
            stem.with_suffix(".game").write_text(case.text, encoding="utf-8", errors="replace")
            stem.with_suffix(".txt").write_text(
                f"generator: {case.generator}\nindex: {case.index}\nseed: {self.args.seed}\n"
                f"mutation: {case.mutation}\ncommand: {command}\n\n{detail}\n",
                encoding="utf-8", errors="replace")

    def go(self) -> float:
        args = self.args
        hard = args.limit * 3 + 20  # CPU seconds: past the worker's own backstop (2 x + 5)
        wall = max(hard, args.hard_wall)
        pool = [Worker(args) for _ in range(max(1, args.workers))]
        start = last = time.monotonic()
        todo = jobs(args)
        idle, busy, finished = list(pool), {}, False
        try:
            while busy or not finished:
                while idle and not finished:
                    if args.duration and time.monotonic() - start > args.duration:
                        finished = True
                        break
                    nxt = next(todo, None)
                    if nxt is None:
                        finished = True
                        break
                    generator, index, command = nxt
                    w = idle.pop()
                    w.send(make_case(generator, args.seed, index), command)
                    busy[w.conn] = w
                for conn in wait(list(busy), timeout=1.0):
                    w = busy.pop(conn)
                    try:
                        outcome, detail, seconds = conn.recv()
                    except (EOFError, OSError):  # killed (the memory cap, the OOM killer)
                        outcome, detail = "memory", "worker process died"
                        seconds = time.monotonic() - w.job[2]
                        w.kill()
                        pool[pool.index(w)] = w = Worker(args)
                    self.record(w.job, outcome, detail, seconds)
                    idle.append(w)
                now = time.monotonic()
                for conn, w in list(busy.items()):
                    if w.overdue(now, hard, wall):
                        busy.pop(conn)
                        w.kill()
                        self.record(w.job, "hang", "hang (worker killed)", now - w.job[2])
                        pool[pool.index(w)] = fresh = Worker(args)
                        idle.append(fresh)
                if now - last > 60:
                    last = now
                    self.dump()
                    total = sum(sum(c.values()) for c in self.counts.values())
                    bad = sum(self.problems.values())
                    print(f"... {total:,} runs, {bad} problems ({now - start:.0f} s)",
                          file=sys.stderr, flush=True)
        finally:
            for w in pool:
                w.stop()
        return time.monotonic() - start

    def table(self) -> list[str]:
        head = f"{'generator':<14} {'command':<7} {'tried':>7} " + " ".join(
            f"{o:>9}" for o in commands.OUTCOMES) + f" {'specs/s':>8}"
        lines = [head, "-" * len(head)]
        totals: dict = defaultdict(Counter)
        for generator in self.args.generators:
            for command in self.args.commands:
                c = self.counts.get((generator, command), Counter())
                tried = sum(c.values())
                totals[command].update(c)
                rate = tried / self.seconds[(generator, command)] if tried else 0.0
                lines.append(f"{generator:<14} {command:<7} {tried:>7,} " + " ".join(
                    f"{c[o]:>9,}" for o in commands.OUTCOMES) + f" {rate:>8.1f}")
        lines.append("-" * len(head))
        for command, c in totals.items():
            lines.append(f"{'all':<14} {command:<7} {sum(c.values()):>7,} " + " ".join(
                f"{c[o]:>9,}" for o in commands.OUTCOMES))
        return lines

    def dump(self) -> None:
        """The counts so far, as JSON and as the table (--json FILE, FILE.txt)."""
        if self.args.json:
            Path(self.args.json).write_text(json.dumps({
                f"{g}/{c}": dict(v) for (g, c), v in self.counts.items()}, indent=1))
            Path(self.args.json + ".txt").write_text("\n".join(self.table()) + "\n")

    def report(self, elapsed: float) -> int:
        print("\n".join(self.table()))
        print(f"elapsed {elapsed:.0f} s, {max(1, self.args.workers)} worker(s), seed "
              f"{self.args.seed}, limit {self.args.limit:g} s")
        for key, n in self.problems.most_common():
            print(f"  {n:6,}  {key}")
        if self.saved:
            print(f"saved {self.saved} offending spec(s) to {self.save}")
        self.dump()
        return 1 if self.problems else 0


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=100, help="specs per generator (100)")
    ap.add_argument("--generators", default=",".join(GENERATORS),
                    help="comma-separated (default: all)")
    ap.add_argument("--commands", default=",".join(commands.COMMANDS),
                    help="comma-separated from check,info,derive,solve (default: all)")
    ap.add_argument("--workers", type=int, default=1, help="worker processes (1)")
    ap.add_argument("--limit", type=float, default=10.0,
                    help="time limit per command, seconds (10)")
    ap.add_argument("--duration", type=float, default=0,
                    help="stop starting new specs after this many seconds (0: no limit)")
    ap.add_argument("--hard-wall", type=float, default=600,
                    help="wall-clock seconds after which a job counts as hung whatever its "
                    "CPU time (600; the CPU limit is 3 x --limit + 20)")
    ap.add_argument("--seed", type=int, default=0, help="base seed (0)")
    ap.add_argument("--memory-gb", type=float, default=3.0,
                    help="address-space cap per worker, 0 for none (3)")
    ap.add_argument("--save", metavar="DIR", help="save offending specs here")
    ap.add_argument("--keep", type=int, default=50, help="how many to save (50)")
    ap.add_argument("--json", metavar="FILE", help="also write the counts as JSON")
    args = ap.parse_args(argv)
    args.generators = [g for g in args.generators.split(",") if g]
    args.commands = [c for c in args.commands.split(",") if c]
    unknown = [g for g in args.generators if g not in GENERATORS] + [
        c for c in args.commands if c not in commands.COMMANDS]
    if unknown:
        ap.error(f"unknown generator or command: {', '.join(unknown)}")
    shared = REPO.parent / "shared" / "data"
    args.mirror = os.environ.get("GAMESPEC_DATA_MIRROR") or (
        str(shared) if shared.is_dir() else None)
    return args


def main(argv=None) -> int:
    run = Run(parse_args(argv))
    return run.report(run.go())


if __name__ == "__main__":
    sys.exit(main())
