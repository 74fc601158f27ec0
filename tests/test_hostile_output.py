"""Hostile input: `--out` writes a regular file (issue 21, deliverable 8)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from gamespec.atomic_files import TMP_TAG, check_target, write_atomic
from gamespec.cli import main
from gamespec.errors import SpecError

SPECS = Path(__file__).resolve().parents[1] / "specs"
PD = str(SPECS / "prisoners_dilemma.game")


def test_out_refuses_a_symlink_and_leaves_it_and_its_target(tmp_path, capsys):
    target = tmp_path / "target.json"
    target.write_text("keep\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    code = main(["solve", PD, "--json", "--out", str(link)])
    captured = capsys.readouterr()
    assert code == 2
    assert "symbolic link" in captured.err and "Traceback" not in captured.err
    assert captured.out == ""  # refused before solving: nothing printed
    assert link.is_symlink() and target.read_text() == "keep\n"


def test_out_refuses_a_fifo_without_blocking(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code = main(["derive", PD, "--out", str(fifo)])
    assert code == 2
    assert "FIFO" in capsys.readouterr().err
    assert Path(fifo).is_fifo()


def test_out_refuses_a_device_and_a_folder(tmp_path, capsys):
    with pytest.raises(SpecError, match="device"):  # checked, never written (root could)
        check_target("/dev/null")
    assert main(["solve", PD, "--out", str(tmp_path)]) == 2
    assert "it is a folder" in capsys.readouterr().err
    assert tmp_path.is_dir()


def test_out_replaces_a_plain_file_and_writes_a_new_one(tmp_path):
    old = tmp_path / "old.json"
    old.write_text("old\n")
    write_atomic(old, "new\n")
    write_atomic(tmp_path / "fresh.json", "fresh\n")
    assert old.read_text() == "new\n" and (tmp_path / "fresh.json").read_text() == "fresh\n"
    assert not old.is_symlink()


def test_stale_temp_files_of_a_killed_run_are_removed(tmp_path):
    # a process that has exited: its pid names no process any more
    proc = subprocess.Popen(["true"])
    proc.wait()
    stale = tmp_path / f".out.json{TMP_TAG}{proc.pid}-abcd.tmp"
    stale.write_text('{"trunc')
    live = tmp_path / f".out.json{TMP_TAG}{os.getpid()}-efgh.tmp"  # a running writer's
    live.write_text("in progress")
    other = tmp_path / ".out.json.abcd.tmp"  # not ours: left alone
    other.write_text("x")
    write_atomic(tmp_path / "out.json", "{}\n")
    assert not stale.exists()
    assert live.exists() and other.exists()
    assert (tmp_path / "out.json").read_text() == "{}\n"
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([live.name, other.name, "out.json"])
