"""Rebuild tests/oracles/gambit_reference.json from pygambit (which must be installed).

Runs every test file that uses tests/oracles/gambit_reference.py with
GAMESPEC_RECORD_GAMBIT=1 into a new store, which then replaces the old one (stale entries
go), then replays the same tests with GAMESPEC_HIDE_PYGAMBIT=1 to check the store answers
every call.

    python tests/oracles/regenerate_gambit_reference.py [extra pytest arguments]

(tests left out by extra arguments such as -k leave their answers out of the store).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STORE = REPO / "tests" / "oracles" / "gambit_reference.json"


def users() -> list[str]:
    """The test files that call the reference module (directly or through bimatrix.py)."""
    return sorted(str(p.relative_to(REPO)) for p in (REPO / "tests").rglob("test_*.py")
                  if re.search(r"gambit_reference|oracles\.bimatrix", p.read_text("utf-8")))


def pytest(files: list[str], extra: list[str], **env: str) -> int:
    command = [sys.executable, "-m", "pytest", "-q", "-n", "0", *extra, *files]
    return subprocess.run(command, cwd=REPO, env={**os.environ, **env}).returncode


def main(extra: list[str]) -> int:
    import pygambit  # noqa: F401  (fail early and plainly when it is missing)

    files = users()
    fresh = STORE.with_suffix(".new")
    fresh.unlink(missing_ok=True)
    print(f"recording {len(files)} test files into {STORE.relative_to(REPO)}", flush=True)
    recorded = pytest(files, extra, GAMESPEC_RECORD_GAMBIT="1",
                      GAMESPEC_GAMBIT_RECORD_FILE=str(fresh))
    fresh.replace(STORE)
    print(f"store: {STORE.stat().st_size / 1e6:.2f} MB; replaying without pygambit", flush=True)
    replayed = pytest(files, extra, GAMESPEC_HIDE_PYGAMBIT="1")
    return recorded or replayed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
