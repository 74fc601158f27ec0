"""The Python API (gamespec/api.py) and the terminal and notebook renderings."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import gamespec
from gamespec.cli import main
from gamespec.errors import GamespecError, SolverError, SpecError
from gamespec.render.terminal import render_result, use_color

SPECS = Path(__file__).resolve().parents[1] / "specs"
PD = SPECS / "prisoners_dilemma.game"


def test_import_gamespec_is_light():
    code = ("import sys, gamespec; print(gamespec.__version__, 'gamespec.api' in sys.modules, "
            "'sympy' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [gamespec.__version__, "False", "False", "False"]


def test_solve_matches_the_command_line(capsys):
    result = gamespec.load(PD).solve()
    main(["solve", str(PD), "--json"])
    printed = json.loads(capsys.readouterr().out)
    ours = json.loads(result.to_json())
    for data in (printed, ours):
        data.pop("timing")
    assert ours == printed


def test_info_matches_info_json(capsys):
    info = gamespec.load(PD).info()
    main(["info", str(PD), "--json"])
    assert json.loads(capsys.readouterr().out) == info.as_dict()
    assert info.applicable[:2] == ("enumerate_mixed", "enumerate")
    with pytest.raises(AttributeError):
        info.game = "changed"  # frozen


def test_derive_applies_the_methods_hooks(capsys):
    derivation = gamespec.load(SPECS / "cournot.game").derive()
    main(["derive", str(SPECS / "cournot.game")])
    assert capsys.readouterr().out.strip() == derivation.plain()
    assert any("continuous game" in title for title, _ in derivation.sections)
    latex = derivation._repr_latex_()
    assert latex.startswith("$$\\begin{aligned}") and latex.endswith("\\end{aligned}$$")
    assert "\\text{u\\_firm1}" in latex
    assert derivation._repr_markdown_().startswith("**payoffs**")


def test_parameters_and_their_errors():
    game = gamespec.load(SPECS / "trimming_one_round.game", T_hi="20")
    assert game.params["T_hi"] == 20.0
    assert game.with_params(T_hi=2).solve().strategies["collector"] == "Hard"
    with pytest.raises(SpecError, match="no parameter `T_high`") as info:
        gamespec.load(SPECS / "trimming_one_round.game", T_high=3)
    assert info.value.hint == "did you mean `T_hi`?"
    for bad in (float("nan"), "many", True):
        with pytest.raises(SpecError):
            gamespec.load(SPECS / "trimming_one_round.game", T_hi=bad)


def test_errors_are_exceptions_not_exits():
    with pytest.raises(SpecError, match="spec file not found"):
        gamespec.load("no/such.game")
    with pytest.raises(SpecError):
        gamespec.loads(b"bytes")
    game = gamespec.load(PD)
    with pytest.raises(SolverError) as info:
        game.solve(method="continuous")
    assert info.value.exit_code == 3 and isinstance(info.value, GamespecError)
    with pytest.raises(SpecError, match="time-limit must be a positive, finite number of "
                                        "seconds, not 0"):
        game.solve(time_limit=0)


def test_lp_result_as_a_dataframe_and_in_a_notebook():
    pytest.importorskip("pandas")
    result = gamespec.load(SPECS / "matching_pennies.game").solve(method="lp")
    frame = result.to_dataframe()
    assert list(frame.columns) == ["player", "action", "probability", "value"]
    assert frame.values.tolist() == [["matcher", "Heads", 0.5, 0.0], ["matcher", "Tails", 0.5, 0.0],
                                     ["mismatcher", "Heads", 0.5, 0.0],
                                     ["mismatcher", "Tails", 0.5, 0.0]]
    html = result._repr_html_()
    assert "<table>" in html and "color:green" in html and "Heads: 0.5" in html
    assert "| matcher | 0 | Heads: 0.5, Tails: 0.5 |" in result._repr_markdown_()


def test_no_pure_equilibrium_shows_so():
    result = gamespec.load(SPECS / "matching_pennies.game").solve(method="enumerate")
    assert "no pure equilibrium" in result._repr_markdown_()
    pytest.importorskip("pandas")
    assert result.to_dataframe().empty


def test_colours_only_when_asked():
    result = gamespec.load(PD).solve()
    plain = render_result(result)
    assert "\033[" not in plain
    coloured = render_result(result, color=True)
    assert "\033[32mcertificate:" in coloured
    failed = result.__class__(**{**result.__dict__, "certificate": result.certificate.__class__(
        "a check", 1.0, False, 1e-9)})
    coloured = render_result(failed, color=True)
    assert "\033[1;31mcertificate: " in coloured  # red, bold
    assert "certificate: a check: 1 (tolerance 1e-09) NOT OK" in render_result(failed)


def test_use_color_follows_the_terminal_and_no_color(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(Terminal()) and not use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Terminal())


def test_many_agents_are_counted_not_listed():
    result = gamespec.load(SPECS / "congestion.game").solve()
    many = result.__class__(**{**result.__dict__, "extra": {},
                               "strategies": {f"a[{k}]": "Long" if k % 3 else "Short"
                                              for k in range(100)}})
    text = render_result(many)
    assert "strategies: 100 agents, by strategy" in text
    rows = [line.split() for line in text.splitlines()]
    assert ["Long", "66"] in rows and ["Short", "34"] in rows


def test_sweep_rows_as_a_dataframe(tmp_path):
    pytest.importorskip("pandas")
    from gamespec.sweep import parse_grid, read_table, run_sweep, to_csv

    rows = run_sweep(str(SPECS / "trimming_one_round.game"), [parse_grid("T_hi=2,14")], {},
                     None, {})
    path = tmp_path / "t.csv"
    path.write_text(to_csv(rows))
    frame = gamespec.sweep_dataframe(read_table(str(path)))
    assert list(frame["strategy:collector"]) == ["Hard", "Soft"]
    assert frame["certified"].tolist() == [True, True]


def test_written_files_are_readable_like_plain_files(tmp_path):
    out = tmp_path / "r.json"
    assert main(["solve", str(PD), "--out", str(out)]) == 0
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
