"""The finite-game methods end to end (spec -> plan -> Result -> terminal and JSON), on the
shipped specs and textbook games, against pygambit (tests/oracles/gambit_reference.py:
replayed where it is not installed), nashpy and closed forms."""
from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import nashpy
import numpy as np
import pytest
from oracles import gambit_reference as gambit  # (tests/oracles: test-only oracles)

import gamespec
from gamespec.cli import main
from gamespec.normal_form import build_normal_form

SPECS = Path(__file__).resolve().parents[3] / "specs"


def solve(name: str, method: str | None = None, **options):
    return gamespec.load(SPECS / f"{name}.game").solve(method=method, **options)


def payoff_tables(name: str) -> np.ndarray:
    nf = build_normal_form(gamespec.load(SPECS / f"{name}.game").model)
    return np.vectorize(lambda v: Fraction(float(v)).limit_denominator(10**6),
                        otypes=[object])(nf.payoffs)


def gambit_game(name: str) -> dict:
    return gambit.arrays(*payoff_tables(name))


def gambit_profiles(solution) -> set[tuple]:
    return {eq.profile for eq in solution.equilibria}


def our_profiles(result) -> set[tuple]:
    out = set()
    for eq in result.extra["equilibria"]:
        out.add(tuple(tuple(Fraction(eq["exact"][a].get(label, "0"))
                            for label in _labels(result, a)) for a in eq["profile"]))
    return out


def _labels(result, agent: str) -> list[str]:
    return LABELS[result.game][agent]


LABELS = {
    "Battle of the sexes": {"alice": ["Opera", "Football"], "bob": ["Opera", "Football"]},
    "Hawk-dove": {"row": ["Hawk", "Dove"], "col": ["Hawk", "Dove"]},
    "Inspection game": {"worker": ["Work", "Shirk"], "employer": ["Inspect", "Trust"]},
    "Chicken": {"row": ["Dare", "Chicken"], "col": ["Dare", "Chicken"]},
    "Prisoner's dilemma": {"row": ["Cooperate", "Defect"], "col": ["Cooperate", "Defect"]},
}


@pytest.mark.parametrize("name", ["battle_of_the_sexes", "hawk_dove", "inspection_game",
                                  "chicken", "prisoners_dilemma"])
def test_default_lists_every_extreme_equilibrium_exactly_as_gambit(name):
    result = solve(name, method="enumerate_mixed" if name == "chicken" else None)
    assert result.method == "enumerate_mixed" and result.certificate.ok
    expected = gambit_profiles(gambit.solve(gambit_game(name), "enummixed", rational=True))
    assert our_profiles(result) == expected
    # nashpy (a second oracle): these textbook games are nondegenerate
    A, B = payoff_tables(name).astype(float)
    theirs = list(nashpy.Game(A, B).vertex_enumeration())
    assert len(theirs) == len(expected)
    for x, y in theirs:
        assert any(np.allclose(x, [float(v) for v in p[0]], atol=1e-9)
                   and np.allclose(y, [float(v) for v in p[1]], atol=1e-9) for p in expected)
    assert "all extreme Nash equilibria" in result.covers


def test_known_answers_of_the_shipped_specs():
    bos = solve("battle_of_the_sexes").extra["equilibria"]
    assert {"alice": {"Opera": "3/5", "Football": "2/5"},
            "bob": {"Opera": "2/5", "Football": "3/5"}} in [eq["exact"] for eq in bos]
    hawk = solve("hawk_dove").extra["equilibria"]
    assert {"Hawk": "2/3", "Dove": "1/3"} in [eq["exact"]["row"] for eq in hawk]  # V / C
    (inspection,) = solve("inspection_game").extra["equilibria"]
    assert inspection["exact"]["worker"]["Shirk"] == "1/4"  # h / w
    assert inspection["exact"]["employer"]["Inspect"] == "1/4"  # g / w
    assert inspection["exact_regret"] == "0"


def test_correlated_equilibrium_of_chicken_beats_every_nash_equilibrium():
    ce = solve("chicken")
    assert ce.method == "correlated" and ce.certificate.ok
    assert ce.extra["welfare"] == pytest.approx(10.5)
    shares = {tuple(row["profile"].values()): row["probability"]
              for row in ce.extra["distribution"]}
    assert shares == pytest.approx({("Chicken", "Chicken"): 0.5, ("Dare", "Chicken"): 0.25,
                                    ("Chicken", "Dare"): 0.25})
    nash = solve("chicken", method="enumerate_mixed").extra["equilibria"]
    assert max(sum(eq["payoffs"].values()) for eq in nash) == pytest.approx(28 / 3)
    coarse = solve("chicken", method="correlated", coarse=True)
    assert coarse.extra["welfare"] >= ce.extra["welfare"] - 1e-9


def test_three_player_unique_irrational_equilibrium():
    result = solve("cyclic_three_player")
    (eq,) = result.extra["equilibria"]
    p = (np.sqrt(17) - 3) / 2
    for agent in ("p1", "p2", "p3"):
        assert eq["profile"][agent]["A"] == pytest.approx(p, abs=1e-12)
        assert eq["exact"][agent]["A"] == "-3/2 + sqrt(17)/2"
    limit = solve("cyclic_three_player", method="logit").extra["equilibria"][0]
    assert limit["profile"]["p1"]["A"] == pytest.approx(p, abs=1e-9)
    theirs = gambit.solve(gambit_game("cyclic_three_player"), "logit").equilibria[0]
    assert theirs.profile[0][0] == pytest.approx(p, abs=1e-5)


def test_lemke_howson_from_one_label_and_from_all():
    one = solve("battle_of_the_sexes", method="lemke_howson", label=1)
    assert one.covers == "one Nash equilibrium, by Lemke–Howson from label 1"
    assert one.extra["equilibria"][0]["labels"] == [1]
    every = solve("battle_of_the_sexes", method="lemke_howson")
    reached = [label for eq in every.extra["equilibria"] for label in eq["labels"]]
    assert sorted(reached) == [1, 2, 3, 4]
    pure = {json.dumps(eq["profile"], sort_keys=True) for eq in every.extra["equilibria"]}
    assert pure <= {json.dumps(eq["profile"], sort_keys=True)
                    for eq in solve("battle_of_the_sexes").extra["equilibria"]}


def test_milp_maximises_and_proves_uniqueness():
    best = solve("chicken", method="milp")  # welfare: 9 at the pure ones, 28/3 mixed
    assert sum(best.values.values()) == pytest.approx(28 / 3)
    unique = solve("inspection_game", method="milp", unique=True)
    assert unique.extra["unique"] is True and "unique" in unique.covers
    several = solve("battle_of_the_sexes", method="milp", unique=True)
    assert several.extra["unique"] is False and len(several.extra["equilibria"]) == 2


def test_logit_qre_at_a_precision_matches_gambit():
    result = solve("inspection_game", method="logit", **{"lambda": 1.5})
    assert result.status == "solved" and result.certificate.ok
    (qre,) = gambit.logit_lambda(gambit_game("inspection_game"), [1.5]).equilibria
    worker, employer = qre.profile
    assert result.strategies["worker"]["Shirk"] == pytest.approx(worker[1], abs=1e-6)
    assert result.strategies["employer"]["Inspect"] == pytest.approx(employer[0], abs=1e-6)


def test_derive_gives_the_mixed_closed_forms():
    hawk = gamespec.load(SPECS / "hawk_dove.game").derive().plain()
    assert "p_row_Hawk: V/C" in hawk and "C > V" in hawk
    inspection = gamespec.load(SPECS / "inspection_game.game").derive().plain()
    assert "p_worker_Shirk: h/w" in inspection and "p_employer_Inspect: g/w" in inspection


@pytest.mark.parametrize(("argv", "message"), [
    (["--method", "lemke_howson", "--option", "label=9"], "must be between 1 and 4"),
    (["--method", "logit", "--option", "lambda=-1"], "lambda"),
    (["--method", "milp", "--option", "objective=fun"], "objective"),
])
def test_bad_options_are_clear_errors(argv, message, capsys):
    code = main(["solve", str(SPECS / "battle_of_the_sexes.game"), *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_two_player_methods_refuse_three_players(capsys):
    code = main(["solve", str(SPECS / "cyclic_three_player.game"), "--method", "milp"])
    err = capsys.readouterr().err
    assert code in (2, 3) and "needs two players" in err


def test_terminal_shows_mixed_strategies_exactly(capsys):
    assert main(["solve", str(SPECS / "battle_of_the_sexes.game")]) == 0
    out = capsys.readouterr().out
    assert "equilibria: 3 (2 pure, 1 mixed)" in out
    # the mixed equilibrium's row: each player's mixture and payoff, exact
    assert re.search(r"^ +3 +Opera 3/5, Football 2/5 +Opera 2/5, Football 3/5 +6/5 +6/5$", out,
                     re.M), out


def test_logit_path_is_drawn(tmp_path):
    result = solve("inspection_game", method="logit", figures=True)
    path = result.extra["figures"]["logit-path"]
    worker = path["agents"][0]["strategies"]
    assert worker[0]["lambda"][0] == 0.0 and worker[0]["probability"][0] == pytest.approx(0.5)
    assert worker[1]["probability"][-1] == pytest.approx(0.25, abs=1e-3)  # shirk -> h / w
    assert main(["solve", str(SPECS / "inspection_game.game"), "--method", "logit", "--plot",
                 str(tmp_path / "path.png"), "--plot-kind", "logit-path"]) == 0
    assert (tmp_path / "path.png").stat().st_size > 10_000
