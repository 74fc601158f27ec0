"""Cross-check with Gambit itself (pygambit, an optional test dependency; without it the
answers are replayed by tests/oracles/gambit_reference.py): pure equilibria of every finite
classic spec and the value of zero-sum games agree."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gamespec.analysis import classify
from gamespec.gambit import export_nfg
from gamespec.language.loader import load_model, model_from_string
from gamespec.normal_form import build_normal_form, profile_label
from gamespec.solvers.finite.pure_enumeration import pure_equilibria
from gamespec.solvers.lp.method import solve as lp_solve
from tests.oracles import gambit_reference as gambit

SPECS = Path(__file__).resolve().parents[1] / "specs"
FINITE = ["prisoners_dilemma", "battle_of_the_sexes", "three_player_coordination",
          "congestion", "trimming_one_round", "matching_pennies", "rock_paper_scissors"]


def _gambit_game(model):
    return gambit.nfg(export_nfg(model))


@pytest.mark.parametrize("name", FINITE)
def test_pure_equilibria_identical_to_gambit(name):
    model = load_model(SPECS / f"{name}.game")
    nf = build_normal_form(model)
    ours = sorted(tuple(profile_label(nf, p).items()) for p in pure_equilibria(nf))
    found = gambit.solve(_gambit_game(model), "enumpure")
    theirs = sorted(tuple((p, next(s for s, x in mix.items() if x == 1))
                          for p, mix in found.by_label(eq).items()) for eq in found.equilibria)
    assert ours == theirs


@pytest.mark.parametrize("seed", range(5))
def test_zero_sum_value_equals_gambits_lp(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(-5, 6, size=(3, 4))
    rows = "\n".join(f"  (r{i}, c{j}): ({a[i, j]})" for i in range(3) for j in range(4))
    model = model_from_string(
        "player row { mixed x over {r0, r1, r2} }\nplayer col { mixed y over {c0, c1, c2, c3} }\n"
        f"table {{\n{rows}\n}}\nzero_sum\n", "t.game")
    ours = lp_solve(model, classify(model), {}).values["row"]
    eq = gambit.solve(_gambit_game(model), "lp", rational=False).equilibria[0]
    assert ours == pytest.approx(eq.payoffs[0], abs=1e-7)


@pytest.mark.parametrize("name", ["matching_pennies", "rock_paper_scissors"])
def test_classic_zero_sum_values(name):
    model = load_model(SPECS / f"{name}.game")
    ours = lp_solve(model, classify(model), {}).values[next(iter(model.players))]
    eq = gambit.solve(_gambit_game(model), "lp", rational=False).equilibria[0]
    assert ours == pytest.approx(eq.payoffs[0], abs=1e-9)
