"""Two runs of the same spec, data and seed give byte-identical JSON apart from timings."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SPECS = Path(__file__).resolve().parents[1] / "specs"
SOLVABLE = ["matching_pennies", "congestion", "location_privacy", "security_game",
            "trimming"]


def _solve_json(spec: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "gamespec.cli", "solve", str(spec), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    data.pop("timing")
    if "lp" in data:
        data["lp"].pop("solve_timing", None)
    return json.dumps(data, sort_keys=True)


@pytest.mark.parametrize("name", SOLVABLE)
def test_same_spec_twice_same_json(name):
    spec = SPECS / f"{name}.game"
    assert _solve_json(spec) == _solve_json(spec)
