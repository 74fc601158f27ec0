"""docs/tutorial.md runs as written: its spec files are written to a temporary folder,
its commands run there (in-process, through gamespec.cli.main), and what they print must
be what the tutorial shows.

The markdown convention (see the note at the end of docs/tutorial.md):

- a ```game file=NAME block is the content of the file NAME (a later block replaces it);
- a ```console block holds commands, each on a line `$ gamespec ...` (optionally piped
  into `| head -n N` or `| tail -n N`), followed by what the command prints: standard
  output, then standard error, as a terminal shows them;
- `timing:` lines are ignored on both sides (they change from run to run), as are the
  temporary folder's path and trailing blanks.

To refresh the outputs after a deliberate change, run
`python tests/test_tutorial.py --update` and review the diff of docs/tutorial.md.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gamespec.cli import main

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"
_FENCE = re.compile(r"^```(\w*)(.*)$")
_PIPE = re.compile(r"^(.*?)\s*\|\s*(head|tail)\s+-(?:n\s*)?(\d+)\s*$")


@dataclass
class Step:
    kind: str  # "file" or "command"
    text: str  # file name or command line
    body: str  # file content or expected output
    line: int  # where it is in the markdown (1-based)


def steps(markdown: str) -> list[Step]:
    """The files and commands of the tutorial, in order."""
    out: list[Step] = []
    lines = markdown.splitlines()
    k = 0
    while k < len(lines):
        fence = _FENCE.match(lines[k])
        if not fence:
            k += 1
            continue
        lang, info = fence[1], fence[2]
        start = k + 1
        end = start
        while end < len(lines) and lines[end] != "```":
            end += 1
        block = lines[start:end]
        if lang == "game" and "file=" in info:
            name = info.split("file=", 1)[1].split()[0]
            out.append(Step("file", name, "\n".join(block) + "\n", start))
        elif lang == "console":
            current: Step | None = None
            for offset, line in enumerate(block):
                if line.startswith("$ "):
                    current = Step("command", line[2:], "", start + offset + 1)
                    out.append(current)
                elif current is not None:
                    current.body += line + "\n"
        k = end + 1
    return out


def run(command: str, folder: Path) -> str:
    """Run one `gamespec ...` command in `folder` and return what it printed."""
    pipe = _PIPE.match(command)
    argv = shlex.split(pipe[1] if pipe else command)
    assert argv and argv[0] == "gamespec", f"not a gamespec command: {command}"
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(argv[1:])
            except SystemExit:  # argparse errors and --version
                pass
    finally:
        os.chdir(cwd)
    text = out.getvalue() + err.getvalue()
    if pipe:
        lines = text.splitlines()
        n = int(pipe[3])
        lines = lines[:n] if pipe[2] == "head" else lines[-n:]
        text = "\n".join(lines) + ("\n" if lines else "")
    return text


def normalise(text: str, folder: Path) -> list[str]:
    text = text.replace(str(folder) + os.sep, "").replace(str(folder), ".")
    lines = [line.rstrip() for line in text.splitlines() if not line.startswith("timing:")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def test_the_tutorial_has_files_and_commands():
    found = steps(TUTORIAL.read_text(encoding="utf-8"))
    files = {s.text for s in found if s.kind == "file"}
    commands = [s for s in found if s.kind == "command"]
    assert {"lppm.game", "penalty.game"} <= files
    assert len(commands) >= 12
    for kind in ("check", "info", "solve", "derive", "plot"):
        assert any(c.text.startswith(f"gamespec {kind} ") for c in commands), kind


def test_every_command_prints_what_the_tutorial_shows(tmp_path):
    for step in steps(TUTORIAL.read_text(encoding="utf-8")):
        if step.kind == "file":
            (tmp_path / step.text).write_text(step.body, encoding="utf-8")
            continue
        got = normalise(run(step.text, tmp_path), tmp_path)
        want = normalise(step.body, tmp_path)
        assert got == want, (f"docs/tutorial.md line {step.line}: `{step.text}` printed\n"
                             + "\n".join(got) + "\n\nbut the tutorial shows\n" + "\n".join(want))
    assert (tmp_path / "lppm.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def update(path: Path = TUTORIAL) -> None:
    """Rewrite every command's output in the tutorial with what it prints now."""
    lines = path.read_text(encoding="utf-8").splitlines()
    by_line = {}
    with tempfile.TemporaryDirectory() as folder:
        for step in steps("\n".join(lines)):
            if step.kind == "file":
                (Path(folder) / step.text).write_text(step.body, encoding="utf-8")
            else:
                by_line[step.line] = run(step.text, Path(folder)).rstrip("\n").splitlines()
    out: list[str] = []
    k = 0
    while k < len(lines):
        out.append(lines[k])
        if k + 1 in by_line:  # a command line: replace its old output
            out.extend(by_line[k + 1])
            k += 1
            while k < len(lines) and not lines[k].startswith("$ ") and lines[k] != "```":
                k += 1
            continue
        k += 1
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:] == ["--update"]:
        update()
    else:
        print(__doc__)
