"""Test the wheel, not only the editable install (DESIGN.md).

`solvers/` and `grammar/` ship inside the `gamespec` namespace through setuptools'
package-dir mapping; an unlisted subpackage still imports in an editable install but is
missing from the wheel. So: build the wheel, look inside, install it into a bare folder and
import it from there, away from the repository.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest

REPO = Path(__file__).resolve().parents[1]
MAPPED = {"gamespec": REPO / "gamespec", "gamespec/solvers": REPO / "solvers",
          "gamespec/grammar": REPO / "grammar"}
SKIP_DIRS = {".git", ".venv", "venv", "build", "dist", "__pycache__", ".pytest_cache",
             ".ruff_cache", ".hypothesis", ".mypy_cache"}


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in SKIP_DIRS or n.endswith((".egg-info", ".pyc"))}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel from a clean copy of the repository (no stale build/ folder)."""
    if importlib.util.find_spec("build") is None:
        pytest.skip("the 'build' package is not installed (pip install -e '.[test]')")
    missing = [m for m in ("setuptools", "wheel") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.fail(f"--no-isolation build needs {missing} in this environment "
                    "(pip install 'setuptools>=68.1' wheel)")
    src = tmp_path_factory.mktemp("src") / "gamespec-src"
    shutil.copytree(REPO, src, ignore=_ignore)
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out),
         str(src)],
        check=False, capture_output=True, text=True, timeout=240,
    )
    log = f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    assert proc.returncode == 0, f"wheel build failed:\n{log}"
    wheels = sorted(out.glob("gamespec-*.whl"))
    assert len(wheels) == 1, f"expected one wheel, got {wheels}"
    return wheels[0]


@pytest.fixture(scope="module")
def wheel_names(wheel) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_grammar_is_in_wheel(wheel_names):
    assert (REPO / "grammar" / "gamespec.lark").is_file(), "grammar/gamespec.lark is missing"
    assert "gamespec/grammar/gamespec.lark" in wheel_names


def test_every_source_module_is_in_wheel(wheel_names):
    """Every .py under gamespec/, solvers/, grammar/ ships at its mapped place."""
    expected = set()
    for prefix, folder in MAPPED.items():
        for path in folder.rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            expected.add(f"{prefix}/{path.relative_to(folder).as_posix()}")
    assert {n for n in expected if n.startswith("gamespec/solvers/")}, "no solvers/*.py found"
    missing = sorted(expected - wheel_names)
    assert not missing, (
        "source files missing from the wheel (list their packages in "
        f"[tool.setuptools] packages): {missing}"
    )


def test_no_top_level_solvers_or_grammar(wheel_names):
    tops = {PurePosixPath(n).parts[0] for n in wheel_names}
    assert "solvers" not in tops and "grammar" not in tops, tops
    stray = sorted(t for t in tops if t != "gamespec" and not t.endswith(".dist-info"))
    assert not stray, f"unexpected top-level entries in the wheel: {stray}"


CHECK = """
import importlib.resources, json, gamespec, gamespec.solvers, gamespec.grammar
grammar = importlib.resources.files("gamespec.grammar").joinpath("gamespec.lark")
text = grammar.read_text(encoding="utf-8")
print(json.dumps({"gamespec": gamespec.__file__, "solvers": gamespec.solvers.__file__,
                  "grammar": str(grammar), "grammar_chars": len(text)}))
"""


def test_installed_wheel_imports_from_target(wheel, tmp_path):
    target = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile",
         "--disable-pip-version-check", "--target", str(target), str(wheel)],
        check=False, capture_output=True, text=True, timeout=240,
    )
    assert proc.returncode == 0, f"pip install failed:\n{proc.stdout}\n{proc.stderr}"
    assert not (target / "solvers").exists() and not (target / "grammar").exists()

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env["PYTHONPATH"] = str(target)
    proc = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=elsewhere, env=env,
        check=False, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, f"import from the wheel failed:\n{proc.stderr[-4000:]}"
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    root = target.resolve()
    for key in ("gamespec", "solvers", "grammar"):
        where = Path(found[key]).resolve()
        assert where.is_relative_to(root), f"{key} came from {where}, not the wheel in {root}"
        assert not where.is_relative_to(REPO.resolve()), f"{key} came from the repository"
    assert found["grammar_chars"] > 0
    assert found["grammar_chars"] == len(
        (REPO / "grammar" / "gamespec.lark").read_text(encoding="utf-8")
    )
