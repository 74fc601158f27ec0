"""Long fuzz run of the gamespec front end (parser + model builder).

Runs --count specs (default 100,000): half generated from the grammar (a random top-down
derivation of the packaged grammar), half mutations (byte- and token-level) of valid
specs. Each spec is loaded with `gamespec.language.loader.model_from_string` in one of --workers
worker processes (default 2) with a --timeout (default 10 s; a worker that does not
answer in time is killed and replaced). It prints how many specs escaped with anything
other than a GamespecError and how many hung, grouped by kind, and saves the first few
offending specs (the spec, and a .txt with its path and traceback) to --save.

    python fuzz/run_fuzz.py --count 3000 --save /tmp/fuzz-out

Exit status: 0 when nothing escaped or hung, 1 otherwise. The run is deterministic for a
given --seed. The generators and seed specs live in tests/test_fuzz.py (shared with the
Hypothesis tests); registered data sets come from the local mirror only (no downloads).
"""
from __future__ import annotations

import argparse
import importlib.util
import multiprocessing as mp
import os
import random
import sys
import time
import traceback
from collections import Counter
from multiprocessing.connection import wait
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def load_shared():
    """tests/test_fuzz.py, loaded by path (tests/ is not an importable package)."""
    spec = importlib.util.spec_from_file_location("gamespec_fuzz_shared",
                                                  REPO / "tests" / "test_fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_spec(shared, seeds, walker, base_seed: int, index: int) -> tuple[str, str, str]:
    """The index-th spec of a run, deterministically: (kind, text, path)."""
    rng = random.Random(f"{base_seed}:{index}")
    if index % 2 == 0:
        return "generated", walker.generate(rng), shared.SPEC_PATH
    name, text, path = rng.choice(seeds)
    return f"mutated:{name}", shared.mutate(text, rng), path


def worker_main(conn, timeout: float, memory_gb: float) -> None:
    """Check the specs sent over `conn`; answer (status, detail) for each."""
    if memory_gb > 0:
        try:
            import resource

            limit = int(memory_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    shared = load_shared()
    from gamespec.errors import GamespecError
    from gamespec.language.loader import model_from_string

    parent = os.getppid()
    while True:
        while not conn.poll(1.0):
            if os.getppid() != parent:  # the runner is gone: stop too
                return
        job = conn.recv()
        if job is None:
            return
        text, path = job
        try:
            with shared.no_network(), shared.time_limit(timeout):
                try:
                    model_from_string(text, path, data_mirror=shared.MIRROR)
                    status = "ok"
                except GamespecError:
                    status = "error"
            conn.send((status, ""))
        except shared.Hang:
            conn.send(("hang", "hang\n" + traceback.format_exc(limit=-8)))
        except BaseException as exc:  # noqa: BLE001 - that is what we are counting
            where = traceback.extract_tb(exc.__traceback__)[-1]
            key = f"{type(exc).__name__} at {Path(where.filename).name}:{where.lineno}"
            conn.send(("escape", key + "\n" + traceback.format_exc(limit=-12)))


class Worker:
    """One worker process and the spec it is checking."""

    def __init__(self, timeout: float, memory_gb: float) -> None:
        self.conn, child = mp.Pipe()
        self.process = mp.Process(target=worker_main, args=(child, timeout, memory_gb),
                                  daemon=True)
        self.process.start()
        child.close()
        self.job = None  # (index, kind, text, path, started)

    def send(self, index: int, kind: str, text: str, path: str) -> None:
        self.job = (index, kind, text, path, time.monotonic())
        self.conn.send((text, path))

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


class Run:
    def __init__(self, args) -> None:
        self.args = args
        self.shared = load_shared()
        self.seeds = self.shared.seed_specs()
        self.walker = self.shared.walker()
        self.save = Path(args.save) if args.save else None
        if self.save:
            self.save.mkdir(parents=True, exist_ok=True)
        self.statuses: Counter = Counter()
        self.kinds: Counter = Counter()
        self.problems: Counter = Counter()
        self.saved = 0

    def record(self, status: str, detail: str, job) -> None:
        index, kind, text, path, _ = job
        self.statuses[status] += 1
        self.kinds[kind.split(":")[0]] += 1
        if status not in ("escape", "hang"):
            return
        self.problems[detail.splitlines()[0] if detail else status] += 1
        if self.save and self.saved < self.args.keep:
            self.saved += 1
            stem = self.save / f"{status}-{index:06d}"
            stem.with_suffix(".game").write_text(text, encoding="utf-8", errors="replace")
            stem.with_suffix(".txt").write_text(f"kind: {kind}\npath: {path}\n\n{detail}\n",
                                                encoding="utf-8", errors="replace")

    def new_worker(self) -> Worker:
        return Worker(self.args.timeout, self.args.memory_gb)

    def go(self) -> float:
        args = self.args
        pool = [self.new_worker() for _ in range(max(1, args.workers))]
        start = last_report = time.monotonic()
        try:
            next_index, idle, busy = 0, list(pool), {}
            while next_index < args.count or busy:
                while idle and next_index < args.count:
                    w = idle.pop()
                    w.send(next_index, *make_spec(self.shared, self.seeds, self.walker,
                                                  args.seed, next_index))
                    busy[w.conn] = w
                    next_index += 1
                for conn in wait(list(busy), timeout=1.0):
                    w = busy.pop(conn)
                    try:
                        status, detail = conn.recv()
                    except (EOFError, OSError):  # the worker died (e.g. out of memory)
                        status, detail = "escape", "worker process died\n"
                        w.kill()
                        pool[pool.index(w)] = w = self.new_worker()
                    self.record(status, detail, w.job)
                    idle.append(w)
                now = time.monotonic()
                for conn, w in list(busy.items()):
                    if now - w.job[-1] > args.timeout + 5:  # stuck outside Python: replace
                        busy.pop(conn)
                        w.kill()
                        self.record("hang", "hang (worker killed)\n", w.job)
                        pool[pool.index(w)] = fresh = self.new_worker()
                        idle.append(fresh)
                if now - last_report > 30:
                    last_report = now
                    print(f"... {sum(self.statuses.values()):,}/{args.count:,} specs, "
                          f"{self.statuses['escape']} escapes, {self.statuses['hang']} hangs "
                          f"({now - start:.0f} s)", file=sys.stderr, flush=True)
        finally:
            for w in pool:
                w.stop()
        return time.monotonic() - start

    def report(self, elapsed: float) -> int:
        s = self.statuses
        print(f"specs run:      {sum(s.values()):,} ({self.kinds['generated']:,} generated, "
              f"{self.kinds['mutated']:,} mutated) in {elapsed:.0f} s with "
              f"{max(1, self.args.workers)} workers")
        print(f"loaded ok:      {s['ok']:,}")
        print(f"GamespecError:  {s['error']:,}")
        print(f"escapes:        {s['escape']:,}")
        print(f"hangs:          {s['hang']:,}")
        for key, n in self.problems.most_common():
            print(f"  {n:6,}  {key}")
        if self.saved:
            print(f"saved {self.saved} offending spec(s) to {self.save}")
        return 1 if s["escape"] or s["hang"] else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=100_000, help="number of specs (100,000)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per spec (10)")
    ap.add_argument("--seed", type=int, default=0, help="base random seed (0)")
    ap.add_argument("--save", metavar="DIR", help="save the first offending specs here")
    ap.add_argument("--keep", type=int, default=10, help="how many offending specs to save (10)")
    ap.add_argument("--memory-gb", type=float, default=4.0,
                    help="address-space limit per worker, 0 for none (4)")
    args = ap.parse_args(argv)
    run = Run(args)
    return run.report(run.go())


if __name__ == "__main__":
    sys.exit(main())
