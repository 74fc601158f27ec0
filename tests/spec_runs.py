"""Shared by the registry and canonical suites (loaded by path, one instance per session):
the specs they cover, the slow runs they leave out, and each (spec, method) solved once."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from gamespec.api import game_info, load, solve_model
from gamespec.errors import GamespecError

REPO = Path(__file__).resolve().parents[1]
SPECS = sorted((REPO / "specs").glob("*.game")) + sorted((REPO / "tests" / "corpus").glob("*.game"))
BY_STEM = {p.stem: p for p in SPECS}

# (spec, method) -> why the fast suites do not run it (each is run by a named test elsewhere)
SLOW = {
    ("obfuscation_mfg", "continuous"): "a mean-field leader search of ~5 s; run by "
                                       "tests/solvers/continuous/test_continuous_model.py",
    ("toll_population", "continuous"): "a mean-field leader search of ~5 s; run by the "
                                       "canonical suite's slow test",
}
# data read through the data registry (the mirror), not from a file beside the spec
REGISTRY_DATA = re.compile(r"^data\s+\w+\s*=\s*(?!csv\()", re.MULTILINE)


def needs_mirror(path: Path) -> bool:
    return bool(REGISTRY_DATA.search(path.read_text(encoding="utf-8")))


def spec_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@cache
def game(path: Path):
    return load(path)


@cache
def applicable(path: Path) -> tuple[str, ...]:
    return game_info(game(path).model).applicable


@cache
def run(path: Path, method: str):
    """The Result of `method` on the spec, or the GamespecError it raised (solved once)."""
    try:
        return solve_model(game(path).model, method=method)
    except GamespecError as exc:
        return exc
