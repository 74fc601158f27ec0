"""Hostile input: bounded reads (issue 21, deliverable 3) and excerpts (deliverable 9).

Spec, data and Gambit files are checked for type and size before they are read; a FIFO
or a device is refused instead of hanging, a file or a gzip member over `file_bytes` is
refused before it fills memory, with a located error naming `--limit file_bytes=N`.
"""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gamespec.cli import main

DATA_SPEC = ('game "data"\ndata d = csv("{name}")\nset R = d.id\n'
             'param w[r in R] = d.v[r]\nplayer a {{ choose x in R }}\npayoff a = w[x]\n')


def _spec(tmp_path: Path, data_name: str) -> Path:
    spec = tmp_path / "s.game"
    spec.write_text(DATA_SPEC.format(name=data_name))
    return spec


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command in a fresh process: a read that blocks fails by timeout, not a hang."""
    return subprocess.run([sys.executable, "-m", "gamespec.cli", *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_a_fifo_as_the_spec_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "spec.game"
    os.mkfifo(fifo)
    done = _run("check", str(fifo))
    assert done.returncode == 2
    assert f"{fifo}:1:1: error: spec file {fifo} is a FIFO" in done.stderr
    assert "Traceback" not in done.stderr


def test_dev_zero_as_the_spec_is_refused(capsys):
    assert main(["check", "/dev/zero"]) == 2
    assert "/dev/zero is a device, not a regular file" in capsys.readouterr().err


def test_a_spec_over_file_bytes_is_refused_before_reading(tmp_path, capsys):
    spec = tmp_path / "s.game"
    spec.write_text("".join(f"param a{i:02} = 1\n" for i in range(16)))  # 224 bytes
    assert main(["check", str(spec), "--limit", "file_bytes=100"]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:1:1: error: spec file {spec} has 224 bytes, over the limit of 100" in err
    assert "--limit file_bytes=N" in err
    assert main(["check", str(spec), "--limit", "file_bytes=224"]) == 0  # at the limit


def test_a_fifo_as_a_data_file_is_refused_at_the_data_statement(tmp_path):
    os.mkfifo(tmp_path / "d.csv")
    done = _run("check", str(_spec(tmp_path, "d.csv")))
    assert done.returncode == 2
    assert f"{tmp_path / 's.game'}:2:1: error: data file" in done.stderr
    assert "FIFO" in done.stderr and "Traceback" not in done.stderr


def test_a_gzip_bomb_is_refused_by_its_decompressed_size(tmp_path, capsys):
    body = b"id,v\n" + b"1,2\n" * 500_000  # 2 MB that compress to a few kB
    packed = gzip.compress(body)
    assert len(packed) < 20_000
    (tmp_path / "d.csv.gz").write_bytes(packed)
    spec = _spec(tmp_path, "d.csv.gz")
    assert main(["check", str(spec), "--limit", "file_bytes=1000000"]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:2:1: error: data file" in err
    assert "decompresses to more than the limit of 1,000,000 bytes (file_bytes)" in err


def test_gzip_of_several_members_reads_whole_under_the_limit(tmp_path, capsys):
    (tmp_path / "d.csv.gz").write_bytes(gzip.compress(b"id,v\n1,2\n")
                                        + gzip.compress(b"2,5\n"))
    spec = _spec(tmp_path, "d.csv.gz")
    assert main(["solve", str(spec), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"a": "2"' in out  # the second member's row (payoff 5) is the best choice


def test_a_csv_field_over_128_kib_is_a_located_error(tmp_path, capsys):
    (tmp_path / "d.csv").write_text("id,v\n1,2\n2," + "9" * 200_000 + "\n")
    spec = _spec(tmp_path, "d.csv")
    assert main(["check", str(spec)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'd.csv'}:3:1: error: cannot read this CSV row" in err
    assert "internal error" not in err
    assert max(len(line) for line in err.splitlines()) < 300  # the excerpt is cut


def test_gambit_import_refuses_a_fifo_and_a_large_file(tmp_path, capsys):
    fifo = tmp_path / "g.nfg"
    os.mkfifo(fifo)
    assert main(["import", str(fifo)]) == 2
    assert "is a FIFO" in capsys.readouterr().err
    nfg = tmp_path / "big.nfg"
    nfg.write_text('NFG 1 R "x" { "a" "b" } { 1 1 }\n' + " " * 5000 + "\n1 2\n")
    assert main(["import", str(nfg), "--limit", "file_bytes=1000"]) == 2
    assert "over the limit of 1,000 bytes (file_bytes)" in capsys.readouterr().err


@pytest.mark.parametrize("breaker", ["\f", "\v", "\u2028", "\x1c", "\x85"])
def test_excerpt_shows_the_line_the_parser_counted(tmp_path, capsys, breaker):
    # only "\n" ends a line for the parser; the excerpt must not split at other breaks
    spec = tmp_path / "s.game"
    spec.write_text(f'game "x"\n# note{breaker}more\nparam a = 1\nparam b = zz\n',
                    encoding="utf-8")
    assert main(["check", str(spec)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{spec}:4:11: error: unknown name `zz`"
    assert err[1] == "  param b = zz" and err[2] == "            ^^"
