"""Hostile input: `--time-limit` is wall-clock over every stage (issue 21, deliverable 5)."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from gamespec import cli
from gamespec.cli import main

SPECS = Path(__file__).resolve().parents[1] / "specs"


def _chain(tmp_path: Path) -> Path:
    """The issue's chain of 20 lets in a continuous game: its symbolic analysis swells."""
    lines = ['game "chain"', "player a { choose x in [0, 1] }", "player b { choose y in [0, 1] }"]
    lines += [f"let z{k} = z{k + 1}*x + z{k + 1}*y + 1" for k in range(20)]
    lines += ["let z20 = x + y", "payoff a = z0 - x^2", "payoff b = z0 - y^2"]
    spec = tmp_path / "chain.game"
    spec.write_text("\n".join(lines) + "\n")
    return spec


def test_info_on_a_swelling_chain_of_lets_stops_at_the_time_limit(tmp_path):
    spec = _chain(tmp_path)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "gamespec.cli", "info", str(spec),
                           "--time-limit", "4"], capture_output=True, text=True, timeout=120)
    took = time.monotonic() - started
    assert done.returncode == 3, done.stderr
    assert "time limit of 4 s (wall clock) reached during the" in done.stderr
    assert took < 4 + 6  # the limit, a second of grace, start-up on a busy machine


def test_the_load_stage_counts_toward_the_limit(tmp_path, capsys, monkeypatch):
    def slow_load(args, path):
        time.sleep(30)
        raise AssertionError("the wall clock did not stop the load")
    monkeypatch.setattr(cli.common, "load", slow_load)
    started = time.monotonic()
    assert main(["solve", str(SPECS / "prisoners_dilemma.game"), "--time-limit", "0.5"]) == 3
    assert time.monotonic() - started < 6  # the alarm: 2.5 s at the earliest
    err = capsys.readouterr().err
    assert "time limit of 0.5 s (wall clock) reached during the load stage" in err
    assert main(["derive", str(SPECS / "prisoners_dilemma.game"), "--time-limit", "0.5"]) == 3
    assert "during the load stage" in capsys.readouterr().err


def test_a_solve_within_the_limit_is_untouched_and_the_alarm_is_cleared(capsys):
    import signal

    assert main(["solve", str(SPECS / "prisoners_dilemma.game"), "--time-limit", "30"]) == 0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler,
                                                None, signal.SIG_IGN)
    assert main(["info", str(SPECS / "prisoners_dilemma.game"), "--time-limit", "0"]) == 2
