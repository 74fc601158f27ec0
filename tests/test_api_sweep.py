"""`Game.sweep`: the command line's sweep (one function, gamespec.sweep.run_sweep) as a
DataFrame; sweep tables keep whole numbers as integers and spread distributions over
columns; a spec error shows in IPython as the located message with its caret."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import gamespec
from gamespec.errors import SpecError
from gamespec.sweep import default_workers, grid_axes, parse_grid, run_sweep, to_csv

pd = pytest.importorskip("pandas")
SPECS = Path(__file__).resolve().parents[1] / "specs"
TRIM = SPECS / "trimming_one_round.game"


def _no_times(frame):
    return frame.drop(columns=[c for c in frame.columns if c.startswith("time:")])


def test_game_sweep_gives_the_rows_of_the_command(tmp_path):
    from gamespec.cli import main

    out = tmp_path / "x.csv"
    assert main(["sweep", str(TRIM), "--grid", "T_hi=2:14:3", "--grid", "P_hi=4,10",
                 "--workers", "1", "--out", str(out)]) == 0
    command = pd.read_csv(out, keep_default_na=False, na_values=[""])
    frame = gamespec.load(TRIM).sweep({"T_hi": (2, 14, 3), "P_hi": [4, 10]}, workers=2)
    assert list(frame.columns) == list(command.columns)
    pd.testing.assert_frame_equal(_no_times(frame).replace("", np.nan),
                                  _no_times(command), check_dtype=False)
    assert frame["T_hi"].tolist() == [2, 2, 8, 8, 14, 14]
    assert frame["T_hi"].dtype.kind == "i" and command["T_hi"].dtype.kind == "i"
    # the point where the adversary mixes: its distribution in two columns (3/7 and 4/7,
    # the enumeration's exact answer at that point)
    exact = gamespec.load(TRIM, T_hi=8, P_hi=10).solve().extra["equilibria"][0]["exact"]
    assert sorted(exact["adversary"].values()) == ["3/7", "4/7"]
    mixed = frame[(frame.T_hi == 8) & (frame.P_hi == 10)].iloc[0]
    assert mixed["strategy:adversary"] == "mixed"
    for action, text in exact["adversary"].items():
        num, _, den = text.partition("/")
        assert mixed[f"strategy:adversary:{action}"] == pytest.approx(
            int(num) / int(den or 1))


def test_grid_forms_and_integers():
    forms = [{"T_hi": (2, 14, 3)}, "T_hi=2:14:3", ["T_hi=2:14:3"], {"T_hi": [2, 8, 14]},
             {"T_hi": range(2, 15, 6)}]
    assert all(grid_axes(f)[0].values == (2, 8, 14) for f in forms)
    assert all(isinstance(v, int) for v in parse_grid("T_hi=2:14:3").values)
    assert parse_grid("x=1:2:3").values == (1.0, 1.5, 2.0)
    assert [type(v) for v in parse_grid("x=0.5,2").values] == [float, int]
    rows = run_sweep(str(TRIM), [parse_grid("T_hi=2,14.0")], {}, None, {})
    assert to_csv(rows).splitlines()[1].startswith("2,") and \
        to_csv(rows).splitlines()[2].startswith("14.0,")
    with pytest.raises(SpecError, match=r"a tuple is \(START, STOP, COUNT\)"):
        grid_axes({"T_hi": (2, 14)})
    with pytest.raises(SpecError, match="not a number"):
        grid_axes({"T_hi": ["a"]})
    assert default_workers(None) == (os.cpu_count() or 1) and default_workers(3) == 3
    with pytest.raises(SpecError, match="at least 1"):
        default_workers(0)


def test_bad_grid_names_and_options_fail_once_located():
    game = gamespec.load(TRIM)
    with pytest.raises(SpecError, match="not a scalar parameter") as info:
        game.sweep("T_hii=1,2", workers=1)
    assert info.value.hint == "did you mean `T_hi`?"
    with pytest.raises(SpecError):
        game.sweep("T_hi=1,2", workers=1, no_such_option=1)


def test_a_game_from_text_sweeps_with_its_overrides_and_full_gives_the_long_table():
    text = (SPECS / "cournot.game").read_text()
    game = gamespec.loads(text, path="cournot_copy.game", b=2)  # no such file: the text runs
    frame = game.sweep({"a": [7, 13]}, workers=1)
    # q* = (a - c) / (3 b) with c = 1, b = 2
    assert frame["strategy:firm1"].tolist() == pytest.approx([1.0, 2.0])
    long = game.sweep({"a": [7, 13]}, workers=1, full=True)
    assert list(long.columns[:4]) == ["a", "equilibrium", "player", "action"]
    assert long["action"].tolist() == pytest.approx([1.0, 1.0, 2.0, 2.0])
    assert long["exact_action"].tolist() == ["1", "1", "2", "2"]


def test_a_spec_error_renders_in_ipython_as_the_located_message():
    with pytest.raises(SpecError) as info:
        gamespec.loads("param budget = 10\nplayer a { choose x in [0, 1] }\n"
                       "payoff a = budjet * x\n", path="typo.game")
    lines = info.value._render_traceback_()
    assert lines == ["typo.game:3:12: error: unknown name `budjet`",
                     "  payoff a = budjet * x",
                     "             ^^^^^^",
                     "hint: did you mean `budget`?"]


def test_a_file_error_renders_with_its_source_line(tmp_path):
    spec = tmp_path / "bad.game"
    spec.write_text('game "g"\nplayer a { choose x in {1, 2} }\npayoff a = x +\n')
    with pytest.raises(SpecError) as info:
        gamespec.load(spec)
    lines = info.value._render_traceback_()
    assert lines[0].startswith(f"{spec}:") and "^" in "\n".join(lines)


def test_the_backend_is_chosen_as_the_command_chooses_it(monkeypatch):
    import gamespec.sweep as sweep

    calls = []

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return [{"T_hi": 2, "status": "equilibria"}]

    monkeypatch.setattr(sweep, "run_sweep", spy)
    game = gamespec.load(TRIM)
    game.sweep("T_hi=2")
    game.sweep("T_hi=2", workers=3, scheduler="tcp://127.0.0.1:8786")
    assert calls[0]["workers"] == (os.cpu_count() or 1) and calls[0]["scheduler"] is None
    assert calls[1]["workers"] == 3 and calls[1]["scheduler"] == "tcp://127.0.0.1:8786"
    assert calls[0]["source"] == TRIM.read_text(encoding="utf-8")


def test_distribution_columns_in_numeric_order_and_no_json(tmp_path):
    game = gamespec.loads('''
game "Pick"
param w = 1
player a { choose x in {10, 2, 1} }
player b { choose y in {10, 2, 1} }
payoff a = w * (if x == y then 1 else 0)
zero_sum
''')
    frame = game.sweep({"w": [1, 3]}, workers=1, method="lp")
    columns = [c for c in frame.columns if c.startswith("strategy:a:")]
    assert columns == ["strategy:a:1", "strategy:a:2", "strategy:a:10"]
    assert np.allclose(frame[columns].to_numpy(), 1 / 3)  # matching pennies over n: 1/n
    assert frame["value:a"].tolist() == pytest.approx([1 / 3, 1.0])  # w / n
    rows = run_sweep("pick.game", [parse_grid("w=1,3")], {}, "lp", {},
                     source=game.model.source)
    text = to_csv(rows)
    assert "{" not in text and text.splitlines()[1].startswith("1,lp,")


def test_an_error_in_a_data_file_renders_with_that_file_s_line(tmp_path):
    (tmp_path / "vals.csv").write_text("id,v\n1,3\n2,7,9\n3,5\n")
    spec = tmp_path / "d.game"
    spec.write_text('game "data"\ndata t = csv("vals.csv", key = id)\nset S = t.id\n'
                    "player a { choose x in S }\npayoff a = t.v[x]\n")
    with pytest.raises(SpecError) as info:
        gamespec.load(spec)
    lines = info.value._render_traceback_()
    assert lines[0].startswith(f"{tmp_path / 'vals.csv'}:3:1: error:")
    assert lines[1:3] == ["  2,7,9", "  ^"]
