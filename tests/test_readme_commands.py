"""The README gives exactly two set-up commands, which CI runs literally (.ci/run)."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setup_commands():
    spec = importlib.util.spec_from_file_location("readme_commands",
                                                  ROOT / ".ci" / "readme_commands.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.setup_commands((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_gives_an_install_and_solve_command_then_an_install_and_test_command():
    solve, tests = _setup_commands()
    assert "pip install -e ." in solve and "[test]" not in solve
    spec = solve.rsplit("gamespec solve ", 1)[1].split()[0]
    assert (ROOT / spec).is_file(), spec
    assert 'pip install -e ".[test]"' in tests and tests.endswith("python -m pytest")
