"""Shared fixtures: the repo's specs folder and the data mirror (../shared/data)."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO / "specs"
# test-support modules (tests/oracles/, tests/spec_runs.py) import by name from any test
sys.path.insert(0, str(Path(__file__).resolve().parent))


def data_mirror() -> Path | None:
    env = os.environ.get("GAMESPEC_DATA_MIRROR")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "data")
    for c in candidates:
        if c.is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def mirror() -> Path:
    found = data_mirror()
    if found is None:
        pytest.skip("real data mirror not found (set GAMESPEC_DATA_MIRROR or put shared/data "
                    "beside the repo)")
    os.environ.setdefault("GAMESPEC_DATA_MIRROR", str(found))
    return found


@functools.cache
def _solved(spec: str, params: tuple, method: str | None):
    from gamespec.api import solve_model
    from gamespec.language.loader import load_model

    return solve_model(load_model(str(SPECS / f"{spec}.game"), dict(params)), method)


@pytest.fixture(scope="session")
def solved_spec():
    """`solved_spec(name, method=None, **params)`: the Result of `gamespec solve` of a
    bundled spec, computed once per test session (Results are frozen: safe to share)."""
    def solve(spec: str, method: str | None = None, **params):
        return _solved(spec, tuple(sorted(params.items())), method)

    return solve
