"""Untrusted specs: hostile payloads are ordinary located errors; data stays in its folder."""
from __future__ import annotations

import json
import os

import pytest

from gamespec.cli import main
from gamespec.errors import GamespecError
from gamespec.language.loader import load_model, model_from_string

PAYLOADS = [
    "param x = __import__('os').system('touch /tmp/pwned')",
    'param x = __import__("os").system("touch /tmp/pwned")',
    "param x = ().__class__.__bases__[0].__subclasses__()",
    "param x = exec(1)",
    "param x = eval(2)",
    'game "{0.__class__}"\nparam x = 1',
    "param x = 10^10^10^10",
    "param x = 9" * 200,
    "let f = lambda: 1",
    "param x = open(\"/etc/passwd\")",
    'data d = csv("/etc/passwd")',
    'data d = dataset("../../etc/passwd")',
    "param x = sympify(1)",
]


@pytest.mark.parametrize("text", PAYLOADS)
def test_hostile_payloads_are_rejected_as_located_errors(text, tmp_path):
    marker = "/tmp/pwned"
    if os.path.exists(marker):
        os.remove(marker)
    spec = tmp_path / "hostile.game"
    spec.write_text(text + "\n")
    try:
        model = load_model(spec)
    except GamespecError as exc:
        assert exc.exit_code == 2
        assert exc.span is None or exc.span.line >= 1
    else:  # a harmless reading (e.g. a title that looks like a format string) is fine
        assert model.title
    assert not os.path.exists(marker)


def test_format_string_title_is_kept_verbatim():
    model = model_from_string('game "{0.__class__} %s"\n', "t.game")
    assert model.title == "{0.__class__} %s"


def test_symlink_escape_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("a\n1\n")
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "link.csv").symlink_to(outside / "secret.csv")
    spec = specs / "g.game"
    spec.write_text('data d = csv("link.csv")\n')
    with pytest.raises(GamespecError, match="leaves the spec's folder"):
        load_model(spec)
    # allowed explicitly
    model = load_model(spec, allow_data=(str(outside),))
    assert "d" in model.data


def test_cli_exit_code_for_escape(tmp_path, capsys):
    spec = tmp_path / "g.game"
    spec.write_text('data d = csv("../x.csv")\n')
    assert main(["check", str(spec)]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:1:1: error:" in err and "Traceback" not in err


def test_brd_time_limit_gives_the_last_profile_marked_not_certified(tmp_path, capsys):
    out = tmp_path / "r.json"
    spec = tmp_path / "g.game"
    spec.write_text("set I = 1..40\nplayers i in I { choose b in {0, 1, 2, 3} }\n"
                    "common payoff = -sum(j in I) (b[j] - 1.5)^2 - (sum(j in I) b[j] - 61)^2\n")
    code = main(["solve", str(spec), "--method", "brd", "--time-limit", "0.001",
                 "--out", str(out)])
    assert code == 3
    assert "NOT CERTIFIED" in capsys.readouterr().out
    result = json.loads(out.read_text())  # the best profile so far, clearly marked
    assert result["status"] == "time_limit" and result["certificate"]["ok"] is False


def test_huge_grid_in_a_data_transform_is_refused(tmp_path):
    # found by fuzz/run_fuzz.py: a mutated nx ran NumPy out of memory
    spec = tmp_path / "g.game"
    spec.write_text("data city = checkin_regions(nx = 99999999999, ny = 15, top = 30)\n")
    with pytest.raises(GamespecError, match="too large"):
        load_model(spec)


def test_a_fractional_count_in_a_data_transform_is_refused_not_truncated(tmp_path):
    spec = tmp_path / "g.game"
    spec.write_text("param n = 2.5\ndata city = checkin_regions(nx = 20, ny = 15, top = n)\n")
    with pytest.raises(GamespecError, match="`top` must be a whole number, not 2.5"):
        load_model(spec)


def test_limits_are_overridable_from_the_command_line(tmp_path, capsys):
    from gamespec import limits

    spec = tmp_path / "g.game"
    spec.write_text("set I = 1..5000\nparam x = card(I)\n")
    before = limits.current()
    try:
        assert main(["check", str(spec), "--limit", "set_size=1000"]) == 2
        assert "limit 1,000" in capsys.readouterr().err
        assert main(["check", str(spec), "--limit", "set_size=10000"]) == 0
        assert main(["check", str(spec), "--limit", "no_such=1"]) == 2
    finally:
        limits.apply(before)


def test_cpu_time_backstop_ends_a_method_without_its_own_limit():
    import time

    from gamespec.errors import SolverError
    from gamespec.limits import cpu_time_limit

    with pytest.raises(SolverError, match="time limit"):
        with cpu_time_limit(0.2):
            end = time.process_time() + 5
            while time.process_time() < end:
                pass


def test_time_limit_is_honoured_by_a_method_without_its_own(tmp_path, capsys, monkeypatch):
    import dataclasses
    import time
    from pathlib import Path

    from gamespec.solvers.continuous import method as continuous_model

    def slow_solve(model, cls, options):  # stands in for a long continuous solve
        end = time.process_time() + 10
        while time.process_time() < end:
            pass
        raise AssertionError("the time limit did not stop the solver")

    monkeypatch.setattr(continuous_model, "ENTRY",
                        dataclasses.replace(continuous_model.ENTRY, solve=slow_solve))
    spec = Path(__file__).resolve().parents[1] / "specs" / "cournot.game"
    out = tmp_path / "r.json"
    assert main(["solve", str(spec), "--time-limit", "0.2", "--out", str(out)]) == 3
    assert "time limit" in capsys.readouterr().err
    assert not out.exists()
