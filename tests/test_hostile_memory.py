"""Hostile input: memory as a limit (issue 21, deliverable 4).

Sizes are checked before arrays are built; a MemoryError that still happens is a clear
exit-3 message, never `internal error` (exit 70).
"""
from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

from gamespec import cli
from gamespec.cli import main

LET_SPEC = """game "big let"
set I = 1..20000
let z[i in I, j in I] = i * j + i / (j + 1)
player a { choose x in {1, 2} }
payoff a = x + sum(i in I) sum(j in I) z[i, j] / 1e12
"""


def _run_capped(args, address_space: int, timeout: float = 120):
    """The command in a process whose address space is capped (as `ulimit -v`)."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    return subprocess.run([sys.executable, "-m", "gamespec.cli", *args], capture_output=True,
                          text=True, timeout=timeout, preexec_fn=cap, stdin=subprocess.DEVNULL)


def test_a_20000_by_20000_let_is_refused_before_it_is_built(tmp_path):
    spec = tmp_path / "big.game"
    spec.write_text(LET_SPEC)
    done = _run_capped(["solve", str(spec)], 6 * 2**30)
    assert done.returncode == 3, done.stderr
    assert f"{spec}:3:1: error: evaluating this expression needs arrays of 3.0 GiB" in done.stderr
    assert "400,000,000 numbers" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_a_two_line_nfg_declaring_10_billion_profiles_is_refused(tmp_path):
    nfg = tmp_path / "big.nfg"
    nfg.write_text('NFG 1 R "big" { "a" "b" } { 100000 100000 }\n1 2 3 4\n')
    done = _run_capped(["import", str(nfg)], 3 * 2**30, timeout=60)
    assert done.returncode == 2, done.stderr
    assert f"{nfg}:1:1: error: NFG file: 100,000 x 100,000 strategies make " \
           "10,000,000,000 pure profiles, over the limit of 20,000,000" in done.stderr
    assert "--limit pure_profiles=N" in done.stderr


def test_a_non_integer_strategy_count_in_an_nfg_is_a_located_error(tmp_path, capsys):
    nfg = tmp_path / "bad.nfg"
    nfg.write_text('NFG 1 R "bad" { "a" "b" } { 2.5 2 }\n1 2 3 4 5 6 7 8\n')
    assert main(["import", str(nfg)]) == 2
    assert f"{nfg}:1:1: error: NFG file: a strategy count is not a whole number" \
        in capsys.readouterr().err


def test_a_memory_error_anywhere_is_exit_3_with_a_message(monkeypatch, capsys):
    def exhausted(args):
        raise MemoryError
    monkeypatch.setitem(cli.COMMANDS, "check", exhausted)
    spec = Path(__file__).resolve().parents[1] / "specs" / "prisoners_dilemma.game"
    assert main(["check", str(spec)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("gamespec: error: out of memory")
    assert "internal error" not in err


def test_the_nfg_reader_knows_the_default_profile_limit():
    from gamespec import gambit, normal_form

    assert gambit.DEFAULT_MAX_PROFILES == normal_form.MAX_PROFILES
