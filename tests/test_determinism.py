"""Two runs of the same spec, data and seed give the same JSON apart from timings; an
interrupted run leaves no output behind."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gamespec.api import solve_model
from gamespec.language.loader import load_model

SPECS = Path(__file__).resolve().parents[1] / "specs"
# every bundled spec that solves in a few seconds (the NVO specs and the continuous leaders
# take 5-150 s each and are covered by their own tests)
FAST = ["battle_of_the_sexes", "congestion", "cournot", "location_privacy", "matching_pennies",
        "prisoners_dilemma", "rock_paper_scissors", "security_game", "three_player_coordination",
        "trimming", "trimming_one_round"]


def _without_timing(result) -> str:
    data = result.as_dict()
    data.pop("timing")
    data.get("lp", {}).pop("solve_timing", None)
    return json.dumps(data, sort_keys=True)


@pytest.mark.parametrize("name", FAST)
def test_same_spec_twice_same_json(name):
    first = _without_timing(solve_model(load_model(SPECS / f"{name}.game")))
    second = _without_timing(solve_model(load_model(SPECS / f"{name}.game")))
    assert first == second


def test_two_processes_give_the_same_json():
    outputs = []
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-m", "gamespec.cli", "solve",
             str(SPECS / "location_privacy.game"), "--json"],
            capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
        data.pop("timing")
        data["lp"].pop("solve_timing", None)
        outputs.append(json.dumps(data, sort_keys=True))
    assert outputs[0] == outputs[1]


def _terminate_after(args: list[str], seconds: float,
                     cpu: bool = False) -> tuple[subprocess.Popen, str]:
    """SIGTERM the command after `seconds` of wall time, or (cpu) of its own CPU time, so
    that a loaded or a fast machine signals it at the same point of its work."""
    proc = subprocess.Popen([sys.executable, "-m", "gamespec.cli", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + (120 if cpu else seconds)
    while time.monotonic() < deadline and proc.poll() is None:
        if cpu and _cpu_seconds(proc.pid) >= seconds:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    return proc, err


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_sigterm_during_a_solve_leaves_no_output(tmp_path):
    # the mean-field leader takes ~4.5 s of CPU, ~1.5 s of it start-up and loading: at
    # 2.5 s of its CPU time the signal lands in the middle of the solve, on any machine
    out = tmp_path / "result.json"
    proc, err = _terminate_after(
        ["solve", str(SPECS / "obfuscation_mfg.game"), "--out", str(out)], 2.5, cpu=True)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())  # neither the output nor a temporary file


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_during_a_sweep_stops_it(tmp_path, workers):
    # 100,000 points take ten minutes or more: the sweep is stopped, not finished (an
    # executor that waited for its queue would run on), and writes nothing
    out = tmp_path / "sweep.csv"
    start = time.perf_counter()
    proc, err = _terminate_after(
        ["sweep", str(SPECS / "hawk_dove.game"), "--grid", "V=1:3:100000",
         "--workers", workers, "--out", str(out)], 3.0)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())
    assert time.perf_counter() - start < 180
    assert not _processes_mentioning(str(out))  # no worker left behind


def _processes_mentioning(text: str, wait: float = 10.0) -> list[int]:
    """Pids whose command line contains `text`, after giving them `wait` seconds to exit."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)
