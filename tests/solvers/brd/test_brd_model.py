"""Best-response dynamics driven by the Model (any finite game in the language)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gamespec.analysis import classify
from gamespec.cli import main
from gamespec.language.loader import load_model, model_from_string
from gamespec.normal_form import build_normal_form
from gamespec.solvers.brd.method import ModelOracle, solve

SPECS = Path(__file__).resolve().parents[3] / "specs"


def run(name, **options):
    model = load_model(SPECS / f"{name}.game")
    return solve(model, classify(model), options)


@pytest.mark.parametrize("seed", range(4))
def test_congestion_game_reaches_an_equilibrium_with_two_on_the_short_road(seed):
    result = run("congestion", seed=seed)
    assert result.certificate.ok and result.certificate.residual == 0
    assert sorted(result.strategies.values()) == ["Long", "Short", "Short"]


def test_prisoners_dilemma_from_every_start():
    for seed in range(4):
        assert run("prisoners_dilemma", seed=seed).strategies == {"row": "Defect", "col": "Defect"}


def test_oracle_agrees_with_the_normal_form_tensor():
    model = load_model(SPECS / "three_player_coordination.game")
    oracle, nf = ModelOracle(model), build_normal_form(model)
    for profile in np.ndindex(*nf.shape):
        for k in range(3):
            index = list(profile)
            index[k] = slice(None)
            assert np.allclose(oracle.gains(k, np.array(profile)), nf.payoffs[k][tuple(index)])


def test_matching_pennies_is_a_cycle_with_exit_3(capsys):
    code = main(["solve", str(SPECS / "matching_pennies.game"), "--method", "brd"])
    assert code == 3
    assert "cycle length" in capsys.readouterr().err


def test_common_payoff_family_climbs_to_the_optimum():
    model = model_from_string(
        "set I = 1..6\nplayers i in I { choose b in {0, 1, 2} }\n"
        "common payoff = -sum(j in I) (b[j] - 1)^2 - (sum(j in I) b[j] - 8)^2", "t.game")
    result = solve(model, classify(model), {"seed": 3})
    b = np.array([int(v) for v in result.strategies.values()])

    def potential(x):
        return -np.sum((x - 1) ** 2) - (np.sum(x) - 8) ** 2

    assert result.certificate.ok
    assert result.values["common payoff"] == pytest.approx(potential(b))
    for k in range(6):  # independent check: no single change raises the common payoff
        for alt in range(3):
            trial = b.copy()
            trial[k] = alt
            assert potential(trial) <= potential(b) + 1e-12


def test_start_option_begins_from_a_named_profile() -> None:
    from gamespec.analysis import classify
    from gamespec.errors import SpecError
    from gamespec.language.loader import model_from_string
    from gamespec.solvers.brd.method import solve

    # two pure equilibria (all A pays 9, all B pays 6): each start is already an equilibrium
    text = """
players p[i in 1..3] { choose c in {A, B} }
common payoff = count(i in 1..3 : c[i] == A) * count(i in 1..3 : c[i] == A)
              + 2 * count(i in 1..3 : c[i] == B) * count(i in 1..3 : c[i] == B) / 3
profile allA { c[i in 1..3] = A }
profile allB { c[i in 1..3] = B }
solve using brd { start = "START" }
"""
    for start in ("allA", "allB"):
        model = model_from_string(text.replace("START", start), "t.game")
        result = solve(model, classify(model), dict(model.solve_options))
        assert set(result.strategies.values()) == {start[-1]}
        assert result.extra["start"] == start and result.extra["switches"] == 0
    model = model_from_string(text.replace("START", "allC"), "t.game")
    with pytest.raises(SpecError, match="must name a profile") as info:
        solve(model, classify(model), dict(model.solve_options))
    assert info.value.span is not None and info.value.span.line == 7


def test_a_payoff_that_is_not_finite_is_an_error_not_an_equilibrium(tmp_path) -> None:
    from gamespec.cli import main

    spec = tmp_path / "inf.game"
    spec.write_text("player a { choose x in {0, 1} }\npayoff a = 1 / x\n")
    assert main(["solve", str(spec), "--method", "brd"]) == 2


@pytest.mark.parametrize("profile, message", [("{ x[i in I] = 3 }", "outside {1, 2}"),
                                              ("{ x[i in I] = 1  x[i in I] = 2 }", "twice")])
def test_profile_mistakes_are_spec_errors_at_the_profile(tmp_path, capsys, profile,
                                                         message) -> None:
    from gamespec.cli import main

    spec = tmp_path / "p.game"
    spec.write_text("set I = 1..3\nplayers p[i in I] { choose x in {1, 2} }\npayoff p = x[i]\n"
                    f"profile bad {profile}\nsolve using brd {{ start = \"bad\" }}\n")
    assert main(["solve", str(spec)]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:4:1: error: profile `bad`" in err and message in err
