"""gamespec.progress: a bar with count, rate, elapsed and time left on a terminal's stderr;
nothing at all when stderr is a file or a pipe (logs get no control characters)."""
from __future__ import annotations

import io
import re

from gamespec.progress import Progress
from gamespec.sweep import parse_grid, run_sweep

SPEC = """game "2x2"
param a = 3
player row { choose r in {U, D} }
player col { choose c in {L, R} }
table {
  (U, L): (a, 3)
  (U, R): (0, 5)
  (D, L): (5, 0)
  (D, R): (1, 1)
}
"""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_is_written_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    with Progress(3, "sweep", unit="points", stream=stream) as bar:
        for _ in range(3):
            bar.advance()
        bar.note("a note")
    assert bar.done == 3 and stream.getvalue() == ""


def test_a_terminal_gets_count_rate_elapsed_and_time_left():
    stream = Terminal()
    with Progress(4, "sweep", unit="points", stream=stream) as bar:
        bar.advance(3)
        bar.advance()
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", stream.getvalue())  # without ANSI codes
    last = text.replace("\r", "\n").strip().splitlines()[-1]
    assert "sweep" in last and "4/4 points" in last and "points/s" in last
    assert re.search(r"elapsed \d:\d\d:\d\d", last) and re.search(r"left \d:\d\d:\d\d", last)


def test_unknown_length_shows_the_count_and_the_note():
    stream = Terminal()
    with Progress(None, "brd", unit="passes", stream=stream) as bar:
        bar.advance(2)
        bar.note("pass 2: 0 switches")
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", stream.getvalue())
    last = text.replace("\r", "\n").strip().splitlines()[-1]
    assert "2 passes" in last and "pass 2: 0 switches" in last and "left" not in last


def test_disabled_writes_nothing_even_on_a_terminal():
    stream = Terminal()
    with Progress(2, "sweep", stream=stream, enabled=False) as bar:
        bar.advance(2)
    assert stream.getvalue() == ""


def test_a_sweep_with_progress_prints_nothing_to_a_non_terminal(tmp_path, capsys):
    spec = tmp_path / "g.game"
    spec.write_text(SPEC)
    rows = run_sweep(str(spec), [parse_grid("a=1,3,6")], {}, None, {}, workers=1,
                     progress=True)
    assert [row["a"] for row in rows] == [1, 3, 6]
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
