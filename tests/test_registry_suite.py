"""Registry suite (issue 15): for every bundled spec and every spec of the tests' corpus,
every method that `info` says applies runs through the one run path without an internal
error and without an expression it cannot evaluate ("has no value"). A method may still
say it could not finish (exit 3, e.g. best-response dynamics cycling on a game without a
pure equilibrium); the canonical suite (tests/test_canonical.py) checks the answers."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from gamespec.api import game_info, load, solve_model
from gamespec.errors import GamespecError

REPO = Path(__file__).resolve().parents[1]
SPECS = sorted((REPO / "specs").glob("*.game")) + sorted((REPO / "tests" / "corpus").glob("*.game"))

# (spec, method) -> why it is not run here (each is run by a named test elsewhere)
SLOW = {
    ("obfuscation_mfg", "continuous"): "a mean-field leader search of ~30 s; run by "
                                       "tests/solvers/test_continuous_model.py",
    ("toll_population", "continuous"): "a mean-field leader search of ~10 s; run by the "
                                       "canonical suite (marked slow)",
}
# data read through the data registry (the mirror), not from a file beside the spec
REGISTRY_DATA = re.compile(r"^data\s+\w+\s*=\s*(?!csv\()", re.MULTILINE)


@cache
def _game(path: Path):
    return load(path)


def _needs_mirror(path: Path) -> bool:
    return bool(REGISTRY_DATA.search(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_method_info_lists_runs(path, request):
    if _needs_mirror(path):
        request.getfixturevalue("mirror")
    model = _game(path).model
    info = game_info(model)
    assert info.applicable, f"no method applies to {path.name}"
    for method in info.applicable:
        if (path.stem, method) in SLOW:
            continue
        try:
            result = solve_model(model, method=method)
        except GamespecError as exc:
            assert exc.exit_code == 3, f"{method} on {path.name}: {exc.message}"
            assert "has no value" not in exc.message, f"{method} on {path.name}"
            continue
        assert result.method == method
        assert result.certificate is not None, f"{method} on {path.name}: no certificate"


def test_every_skipped_method_still_applies():
    # the slow list may not hide a method that stopped applying (or a spec that is gone)
    by_stem = {p.stem: p for p in SPECS}
    for (stem, method), reason in SLOW.items():
        assert reason
        assert method in game_info(_game(by_stem[stem]).model).applicable
