"""`stage NAME = "file"`: a stage game read from another spec file, confined to the spec's
folder, its payoffs read as NAME.PLAYER[...]; and the repeated block's trigger items."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import sympy as sp

from gamespec.cli import main
from gamespec.errors import SpecError
from gamespec.language.loader import load_model

SPECS = Path(__file__).resolve().parents[2] / "specs"
STAGE = """
param a = 2
param b = 7
player x { choose u in {L, R} }
player y { choose v in {L, R} }
table {
  (L, L): (a, 1)
  (L, R): (0, b)
  (R, L): (b, 0)
  (R, R): (1, a)
}
"""


def _write(folder: Path, host: str, stage: str = STAGE) -> Path:
    (folder / "stage.game").write_text(stage)
    spec = folder / "host.game"
    spec.write_text(host)
    return spec


def test_stage_payoffs_keep_the_host_parameters_symbolic_and_take_the_rest(tmp_path):
    spec = _write(tmp_path, 'param a = 3\nstage g = "stage.game"\n'
                            "let gain = g.x[R, L] - g.x[L, L]\nlet other = g.y[L, R]\n")
    model = load_model(spec)
    a = model.params["a"].symbol
    assert sp.simplify(model.lets["gain"].expr - (7 - a)) == 0  # b from the stage file
    assert model.lets["other"].expr == 7
    assert set(model.stages["g"].players) == {"x", "y"}


def test_trimming_theorem3_gains_come_from_the_one_round_table():
    model = load_model(SPECS / "trimming.game")
    sym = {n: model.params[n].symbol for n in ("T_hi", "T_lo", "P_hi", "P_lo")}
    g_c = model.expand_lets(model.lets["g_c"].expr)
    g_a = model.expand_lets(model.lets["g_a"].expr)
    assert sp.simplify(g_c - (sym["T_hi"] - sym["P_lo"] - sym["T_lo"])) == 0
    assert sp.simplify(g_a - sym["P_hi"]) == 0


def test_trimming_derive_gives_theorem3_as_before(capsys):
    assert main(["derive", str(SPECS / "trimming.game")]) == 0
    out = capsys.readouterr().out
    assert "condition comply (holds at the given parameters): delta < " \
           "d*(p - 1)*(P_hi - P_lo + T_hi - T_lo)/(2*(d*p - 1))" in out


@pytest.mark.parametrize("path, message", [
    ("/etc/passwd", "must be relative"),
    ("../stage.game", "leaves the spec's folder"),
    ("sub/../../stage.game", "leaves the spec's folder"),
    ("missing.game", "stage file not found"),
    ("folder", "not a regular file"),
    ("big.game", "larger than"),
    ("link.game", "leads out of the spec's folder"),
])
def test_stage_paths_are_confined(tmp_path, path, message, capsys):
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "folder").mkdir()
    (inner / "big.game").write_text("#" * 300_000)
    (tmp_path / "outside.game").write_text(STAGE)
    os.symlink(tmp_path / "outside.game", inner / "link.game")
    spec = _write(inner, f'stage g = "{path}"\nlet z = g.x[L, L]\n')
    with pytest.raises(SpecError, match=message):
        load_model(spec)
    assert main(["check", str(spec)]) == 2
    assert f"{spec}:1:1: error:" in capsys.readouterr().err


@pytest.mark.parametrize("use, message, column", [
    ("g.z[L, L]", "`z` is not a player of stage `g`", 9),
    ("g.x[L]", "takes one choice per player", 9),
    ("g.x[L, Middle]", "`Middle` is not a choice of `y`", 9),
])
def test_bad_stage_payoff_references_are_located(tmp_path, use, message, column, capsys):
    spec = _write(tmp_path, f'stage g = "stage.game"\nlet z = {use}\n')
    assert main(["check", str(spec)]) == 2
    err = capsys.readouterr().err
    assert message in err and f"{spec}:2:{column}: error:" in err


@pytest.mark.parametrize("stage, message", [
    ('player x { choose u in [0, 1] }\npayoff x = u', "not a finite simultaneous game"),
    ('stage h = "other.game"\n' + STAGE, "imports stages itself"),
    ("param c\n" + STAGE.replace("(a, 1)", "(c, 1)"), "parameter `c` has no value"),
    (STAGE + "order x -> y\n", "not a finite simultaneous game"),
])
def test_bad_stage_files_are_located_errors(tmp_path, stage, message, capsys):
    spec = _write(tmp_path, 'stage g = "stage.game"\nlet z = g.x[L, L]\n', stage)
    assert main(["check", str(spec)]) == 2
    err = capsys.readouterr().err
    assert message in err and f"{spec}:1:1: error:" in err


REPEATED = """
param d = 0.6 in [0, 1]
player row { choose a in {C, D} }
player col { choose b in {C, D} }
table { (C, C): (3, 3)  (C, D): (0, 5)  (D, C): (5, 0)  (D, D): (1, 1) }
repeated {
  discount d
  ITEMS
}
"""


@pytest.mark.parametrize("items, message, line", [
    ("sustain (C, X)\n  strategy grim", "`X` is not a choice of `col`", 8),
    ("sustain (C)\n  strategy grim", "names 1 choice, but the stage game has 2", 8),
    ("sustain (C, C)\n  strategy grimm", "unknown strategy `grimm`", 9),
    ("strategy grim", "name the profile the strategies sustain", 6),
    ("sustain (C, C)\n  punish (D, Y)\n  strategy grim", "`Y` is not a choice of `col`", 9),
    ("sustain (C, C)\n  strategy grim detect 2", "detection probability must be in", 9),
    ("sustain (C, C)\n  strategy grim\n  strategy grim", "a second strategy called", 10),
    ("stage nosuch\n  sustain (C, C)\n  strategy grim", "`nosuch` is not a stage game", 8),
])
def test_bad_repeated_items_are_located(tmp_path, items, message, line, capsys):
    spec = tmp_path / "r.game"
    spec.write_text(REPEATED.replace("ITEMS", items))
    assert main(["check", str(spec)]) == 2
    err = capsys.readouterr().err
    assert message in err and f"{spec}:{line}:" in err


def test_a_stage_that_is_not_finite_is_refused(tmp_path, capsys):
    spec = tmp_path / "r.game"
    spec.write_text("param d = 0.6 in [0, 1]\nplayer row { choose a in [0, 1] }\n"
                    "payoff row = a\nrepeated { discount d  sustain (C)  strategy grim }\n")
    assert main(["check", str(spec)]) == 2
    assert f"{spec}:2:1: error: trigger strategies need a finite stage game" in \
        capsys.readouterr().err


@pytest.mark.parametrize("value", ["1", "0", "1.5"])
def test_a_discount_outside_the_unit_interval_is_refused(tmp_path, value, capsys):
    spec = tmp_path / "r.game"
    spec.write_text(REPEATED.replace("ITEMS", "sustain (C, C)\n  strategy grim")
                    .replace("param d = 0.6 in [0, 1]", "param d = 0.6"))
    assert main(["solve", str(spec), "--set", f"d={value}"]) == 2
    assert f"{spec}:6:1: error: the discount must be in (0, 1)" in capsys.readouterr().err


def test_two_stage_equilibria_need_a_named_punishment(tmp_path, capsys):
    spec = tmp_path / "r.game"
    spec.write_text(REPEATED.replace("(D, D): (1, 1)", "(D, D): (3, 3)")
                    .replace("(C, C): (3, 3)", "(C, C): (4, 4)")
                    .replace("(C, D): (0, 5)", "(C, D): (0, 2)")
                    .replace("(D, C): (5, 0)", "(D, C): (2, 0)")
                    .replace("ITEMS", "sustain (C, C)\n  strategy grim"))
    assert main(["solve", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "2 pure equilibria ((C, C); (D, D))" in err and "punish (...)" in err


def test_a_stage_file_that_is_not_text_is_a_located_error(tmp_path, capsys):
    spec = _write(tmp_path, 'stage g = "stage.game"\nlet z = g.x[L, L]\n')
    (tmp_path / "stage.game").write_bytes(b"\xff\xfe\x00game")
    assert main(["check", str(spec)]) == 2
    assert f"{spec}:1:1: error: stage file 'stage.game' is not UTF-8 text" in \
        capsys.readouterr().err


TRIMMING_REPEATED = """
param P_hi = 10
param d = 0.8 in [0, 1]
param p = 0.2 in [0, 1]
stage one_round = "trimming_one_round.game"
repeated {
  discount d
  stage one_round
  sustain (Soft, Soft)
  strategy noisy: grim detect 1 - p
}
"""


@pytest.mark.parametrize("p_hi", [10, 14])
def test_a_repeated_block_on_an_imported_stage(tmp_path, p_hi):
    from gamespec.api import solve_model

    one_round = SPECS / "trimming_one_round.game"
    (tmp_path / one_round.name).write_text(one_round.read_text())
    spec = tmp_path / "host.game"
    spec.write_text(TRIMMING_REPEATED)
    result = solve_model(load_model(spec, overrides={"P_hi": p_hi}))
    found = result.extra["repeated"]
    assert found["stage"] == "one_round"
    assert found["punish"] == {"collector": "Hard", "adversary": "Hard"}  # its equilibrium
    adversary = [r for r in found["strategies"]["noisy"]["conditions"]
                 if r["player"] == "adversary"]
    # T = P_hi, R = P_lo = 3, P = 0 (the stage file's values but P_hi, this spec's):
    # d >= (T - R)/((T - P) - p (R - P))
    assert adversary[0]["rhs"] == pytest.approx((p_hi - 3) / (p_hi - 0.2 * 3))
    assert adversary[0]["holds"] is (0.8 >= (p_hi - 3) / (p_hi - 0.2 * 3))
    collector = [r for r in found["strategies"]["noisy"]["conditions"]
                 if r["player"] == "collector"]
    assert collector[0]["holds"] and not collector[0]["solved"]  # Hard never pays it
    assert result.certificate.ok
