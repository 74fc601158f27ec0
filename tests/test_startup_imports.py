"""Light commands do not import heavy stacks they do not use (each costs a fraction of a
second to seconds of start-up in every process).

Each case runs in a fresh interpreter, so what an earlier test imported does not count.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

SPEC = """game "2x2"
player row { choose r in {U, D} }
player col { choose c in {L, R} }
table {
  (U, L): (3, 3)
  (U, R): (0, 5)
  (D, L): (5, 0)
  (D, R): (1, 1)
}
"""
NFG = 'NFG 1 R "PD" { "Row" "Col" }\n{ { "C" "D" } { "C" "D" } }\n3 3 5 0 0 5 1 1\n'

# the solver stacks, the order-graph library, plotting and data frames
HEAVY = ("pyomo", "highspy", "scipy", "networkx", "matplotlib", "pandas")


def imported_after(body: str, tmp_path) -> set[str]:
    """The top-level packages imported by a fresh interpreter that ran `body`."""
    (tmp_path / "t.game").write_text(SPEC)
    (tmp_path / "t.nfg").write_text(NFG)
    code = textwrap.dedent(f"""
        import json, sys
        folder = {str(tmp_path)!r}
    """) + textwrap.dedent(body) + textwrap.dedent("""
        print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_check_loads_without_the_heavy_stacks(tmp_path):
    """`gamespec check`: parse and build the model."""
    loaded = imported_after("""
        from gamespec.cli import main
        assert main(["check", folder + "/t.game"]) == 0
    """, tmp_path)
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_solve_of_a_two_by_two_game_loads_no_solver_stack(tmp_path):
    """`gamespec solve` of a 2x2 game (support enumeration): NumPy and SymPy only, no LP,
    optimisation, graph, plotting or data-frame stack; the same for the shipped prisoner's
    dilemma."""
    loaded = imported_after("""
        import contextlib, io, pathlib
        from gamespec.cli import main
        import gamespec
        specs = pathlib.Path(gamespec.__file__).resolve().parents[1] / "specs"
        with contextlib.redirect_stdout(io.StringIO()) as out:
            assert main(["solve", folder + "/t.game"]) == 0
            assert main(["solve", str(specs / "prisoners_dilemma.game")]) == 0
        rows = [line.split() for line in out.getvalue().splitlines()]
        assert ["1", "D", "R", "1", "1"] in rows  # equilibrium 1: strategies, payoffs
        assert ["1", "Defect", "Defect", "-2", "-2"] in rows
    """, tmp_path)
    assert "numpy" in loaded and "sympy" in loaded  # the body ran
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_classify_and_plan_do_not_import_the_solver_stacks(tmp_path):
    """What `gamespec solve` does before it runs the chosen method: classify the game and
    try each method's applicability check (the LP method's among them)."""
    loaded = imported_after("""
        from gamespec.analysis import classify
        from gamespec.language.loader import load_model
        from gamespec.solvers.registry import plan

        model = load_model(folder + "/t.game")
        classification = classify(model)
        assert plan(model, classification).name == "enumerate_mixed"
        heavy = {name.split(".")[0] for name in sys.modules} & set({HEAVY!r})
        assert not heavy, heavy
        assert list(classification.order_graph.nodes) == ["row", "col"]  # built on use
    """.replace("{HEAVY!r}", repr(HEAVY)), tmp_path)
    assert "networkx" in loaded


def test_info_imports_every_method_but_no_solver_stack(tmp_path):
    """`gamespec info` asks every method whether it applies: each method module imports
    its solver stack (HiGHS, scipy.optimize / integrate / sparse) only when it solves."""
    loaded = imported_after("""
        from gamespec.cli import main
        from gamespec.solvers.registry import METHOD_MODULES
        assert main(["info", folder + "/t.game"]) == 0
        assert all("gamespec.solvers." + module in sys.modules
                   for module in METHOD_MODULES.values())
    """, tmp_path)
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_lp_method_imports_its_stack_only_to_solve(tmp_path):
    loaded = imported_after("""
        import gamespec.solvers.lp.method
        import gamespec.solvers.lp.finite_choice
        import gamespec.solvers.lp.matrix_game
    """, tmp_path)
    assert not loaded & {"pyomo", "highspy", "scipy"}


def test_import_of_an_nfg_file_does_not_build_a_sympy_model(tmp_path):
    loaded = imported_after("""
        from gamespec.cli import main
        assert main(["import", folder + "/t.nfg", "--out", folder + "/out.game"]) == 0
    """, tmp_path)
    assert not loaded & {"sympy", *HEAVY}, loaded & {"sympy", *HEAVY}
    # the written spec is a valid spec (the full check, here in the test)
    from gamespec.language.loader import load_model

    model = load_model(tmp_path / "out.game")
    assert list(model.players) == ["Row", "Col"]


@pytest.mark.parametrize("limit", ["pure_profiles=100", "sweep_points=7"])
def test_a_limit_override_is_undone_after_the_command(tmp_path, limit):
    """The CLI remembers only the limits a command overrides (reading every limit would
    import every module that enforces one), and restores them."""
    from gamespec import limits
    from gamespec.cli import main

    (tmp_path / "t.game").write_text(SPEC)
    name = limit.split("=")[0]
    before = limits.current([name])
    assert main(["check", str(tmp_path / "t.game"), "--limit", limit]) == 0
    assert limits.current([name]) == before
    assert limits.current(["no_such_limit"]) == {}
