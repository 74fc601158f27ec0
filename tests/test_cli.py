"""The command line: exit codes, JSON contract, atomic output, derivations."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gamespec.cli import main

SPECS = Path(__file__).resolve().parents[1] / "specs"


def test_check_ok_and_error(tmp_path, capsys):
    bad = tmp_path / "bad.game"
    bad.write_text("param a = 1\npayoff nobody = a\n")
    code = main(["check", str(SPECS / "prisoners_dilemma.game"), str(bad)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "prisoners_dilemma.game: ok" in out
    assert f"{bad}:2:1: error: payoff for `nobody`, which is not a player" in err
    assert "payoff nobody = a" in err and "^" in err and "Traceback" not in err


def test_solve_json_contract_and_atomic_out(tmp_path, capsys):
    out_path = tmp_path / "result.json"
    code = main(["solve", str(SPECS / "prisoners_dilemma.game"), "--json", "--out", str(out_path)])
    printed = json.loads(capsys.readouterr().out)
    assert code == 0
    written = json.loads(out_path.read_text())
    assert printed == written
    for key in ("game", "spec", "spec_sha256", "method", "status", "values", "strategies",
                "certificate", "derived", "compare", "timing"):
        assert key in written
    assert written["certificate"]["ok"] is True and written["certificate"]["residual"] == 0
    assert written["strategies"] == {"row": "Defect", "col": "Defect"}
    assert not list(tmp_path.glob(".*tmp"))


def test_same_spec_twice_gives_identical_json_apart_from_timing(capsys):
    results = []
    for _ in range(2):
        main(["solve", str(SPECS / "congestion.game"), "--json"])
        data = json.loads(capsys.readouterr().out)
        data.pop("timing")
        results.append(data)
    assert results[0] == results[1]


def test_solve_without_an_applicable_method_exits_3(tmp_path, capsys):
    spec = tmp_path / "three.game"
    spec.write_text("player a { choose x in [0, 1] }\nplayer b { choose y in [0, 1] }\n"
                    "player c { choose z in [0, 1] }\npayoff a = x * y\npayoff b = y * z\n"
                    "payoff c = z * x\norder a -> b -> c\n")  # three stages
    code = main(["solve", str(spec)])
    err = capsys.readouterr().err
    assert code == 3
    assert "no solver applies" in err and "continuous" in err


def test_set_override_and_bad_override(capsys):
    assert main(["solve", str(SPECS / "trimming_one_round.game"), "--set", "T_hi=20",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["strategies"]["collector"] == "Soft"
    assert main(["solve", str(SPECS / "trimming_one_round.game"), "--set", "T_hi=abc"]) == 2


def test_derive_trimming_table_symbolically(capsys):
    assert main(["derive", str(SPECS / "trimming_one_round.game")]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.strip().startswith("(Hard, Hard) is"))
    assert line.endswith("P_hi >= T_hi - T_lo")  # the collector's condition, symbolic
    assert main(["derive", str(SPECS / "trimming_one_round.game"), "--latex"]) == 0
    assert r"P_{\mathrm{hi}} \geq T_{\mathrm{hi}} - T_{\mathrm{lo}}" in capsys.readouterr().out


def test_info_reports_classification(capsys):
    assert main(["info", str(SPECS / "location_privacy.game"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    cls = data["classification"]
    assert cls["zero_sum"] is True and cls["linearity"] == "bilinear"
    assert cls["order"] == [["user_lppm"], ["adversary"]]


def test_console_script_runs_outside_the_repo(tmp_path):
    exe = Path(sys.executable).with_name("gamespec")
    if not exe.exists():
        pytest.skip("console script not installed next to this Python")
    proc = subprocess.run([str(exe), "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("gamespec ")
    proc = subprocess.run([str(exe), "check", "missing.game"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "not found" in proc.stderr and "Traceback" not in proc.stderr


def test_solve_csv_table(capsys):
    import csv
    import io

    assert main(["solve", str(SPECS / "battle_of_the_sexes.game"), "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # the long table: one row per equilibrium x player x action, no JSON in a cell
    assert [(r["equilibrium"], r["player"], r["action"], r["probability"]) for r in rows] == [
        ("1", "alice", "Opera", "1.0"), ("1", "bob", "Opera", "1.0"),
        ("2", "alice", "Football", "1.0"), ("2", "bob", "Football", "1.0"),
        ("3", "alice", "Opera", "0.6"), ("3", "alice", "Football", "0.4"),
        ("3", "bob", "Opera", "0.4"), ("3", "bob", "Football", "0.6")]
    assert float(rows[0]["value"]) == 3.0
    assert float(rows[4]["value"]) == 1.2  # the mixed equilibrium's payoff, 6/5 exactly


@pytest.mark.parametrize(("argv", "message"), [
    (["solve", "--json", "--csv"], "--csv: not allowed with --json"),
    (["derive", "--latex", "--json"], "--json: not allowed with --latex"),
    (["derive", "--format", "text", "--latex"], "--latex: not allowed with --format text"),
    (["solve", "--plot-kind", "payoff-table"], "give --plot FILE too"),
    (["sweep", "--grid", "T_hi=1:2:2", "--workers", "0"], "at least 1"),
])
def test_options_that_would_be_ignored_are_refused(argv, message, capsys):
    spec = str(SPECS / "trimming_one_round.game")
    code = main([argv[0], spec, *argv[1:]])
    assert code == 2 and message in capsys.readouterr().err


def test_derive_evaluates_data_only_definitions(tmp_path, capsys):
    spec = tmp_path / "bound.game"
    spec.write_text("param n = 1307\nparam eps = 1\nset V = {0.2, 1}\n"
                    "player p { choose b in V }\npayoff p = b\n"
                    "let bound = 1 / ln(1 + (n - 1) * (exp(eps) - 1))\n"
                    "let b_min = min(v in V) v\nlet uses_strategy = b * 2\n")
    assert main(["derive", str(spec)]) == 0
    out = capsys.readouterr().out
    section = out.split("== definitions evaluated")[1]
    assert "bound: 0.129" in section and "b_min: 0.2" in section  # 1/ln(1 + 1306 (e - 1))
    assert "uses_strategy" not in section


def test_spec_seed_applies_unless_the_command_line_gives_one(tmp_path, capsys) -> None:
    import json

    spec = tmp_path / "s.game"
    spec.write_text("set I = 1..6\nplayers p[i in I] { choose x in {0, 1, 2} }\n"
                    "payoff p = -(x[i] - 1)^2\nsolve using brd { seed = 7 }\n")
    assert main(["solve", str(spec), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["seed"] == 7
    assert main(["solve", str(spec), "--json", "--seed", "3"]) == 0
    assert json.loads(capsys.readouterr().out)["seed"] == 3


@pytest.mark.parametrize("option, message", [('passes = "many"', "must be a whole number"),
                                             ('tolerance = "x"', "must be a number"),
                                             ("tolerance = -1", "must be > 0"),
                                             ("passes = 2.5", "must be a whole number")])
def test_bad_numeric_solve_options_are_located(tmp_path, capsys, option, message) -> None:
    spec = tmp_path / "s.game"
    spec.write_text("set I = 1..3\nplayers p[i in I] { choose x in {0, 1} }\n"
                    f"payoff p = x[i]\nsolve using brd {{ {option} }}\n")
    assert main(["solve", str(spec)]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:4:19: error: solve option" in err and message in err


def test_limit_pure_profiles_reaches_the_enumeration(capsys) -> None:
    spec = str(Path(__file__).resolve().parents[1] / "specs" / "congestion.game")
    assert main(["solve", spec, "--method", "enumerate", "--limit", "pure_profiles=4"]) == 3
    assert "too many pure profiles (8)" in capsys.readouterr().err
    assert main(["solve", spec, "--method", "enumerate", "--limit", "pure_profiles=8"]) == 0


def test_a_limit_holds_for_one_command_only() -> None:
    from gamespec import limits

    before = limits.current()
    spec = str(Path(__file__).resolve().parents[1] / "specs" / "congestion.game")
    main(["check", spec, "--limit", "pure_profiles=4"])
    assert limits.current() == before


@pytest.mark.parametrize("args, message", [
    (["--out", "/proc/gamespec-test.json"], "cannot write /proc/gamespec-test.json"),
    (["--out", ""], "--out needs a file path"),
    (["--time-limit", "inf"], "--time-limit must be a positive, finite number of seconds, not inf"),
    (["--limit", "set_size=abc"], "--limit set_size: 'abc' is not a number"),
])
def test_bad_command_line_values_are_exit_2(capsys, args, message) -> None:
    spec = str(Path(__file__).resolve().parents[1] / "specs" / "trimming_one_round.game")
    assert main(["solve", spec, *args]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("grids, message", [
    (["--grid", "T_hi=1:2:2", "--grid", "T_hi=3:4:2"], "--grid T_hi is given twice"),
    (["--grid", "T_hx=1:2:2"], "did you mean `T_hi`?"),
])
def test_bad_sweep_grids_are_exit_2(capsys, grids, message) -> None:
    spec = str(Path(__file__).resolve().parents[1] / "specs" / "trimming_one_round.game")
    assert main(["sweep", spec, *grids, "--workers", "1"]) == 2
    assert message in capsys.readouterr().err


def test_the_cpu_backstop_is_not_swallowed_by_a_solvers_broad_except() -> None:
    import time

    from gamespec.errors import SolverError
    from gamespec.limits import cpu_time_limit

    give_up = time.monotonic() + 10.0  # a swallowed backstop ends here, and the test fails
    with pytest.raises(SolverError, match="time limit reached"):
        with cpu_time_limit(0.05):
            while time.monotonic() < give_up:
                try:
                    sum(i * i for i in range(10_000))
                except Exception:  # noqa: BLE001 - what a symbolic solver's fallback does
                    pass


def test_a_family_too_wide_for_a_normal_form_goes_to_brd(tmp_path, capsys) -> None:
    # 40 agents with one choice each: one profile, but one NumPy axis per agent (it crashed)
    spec = tmp_path / "g.game"
    spec.write_text("set I = 1..40\nplayers pl[i in I] { choose b in {1} }\n"
                    "common payoff = -(sum(i in I) b[i] - 3)^2\n")
    assert main(["solve", str(spec)]) == 0
    assert "method: brd" in capsys.readouterr().out
    assert main(["solve", str(spec), "--method", "enumerate"]) == 3
    assert "40 agents" in capsys.readouterr().err
