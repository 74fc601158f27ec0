"""The corpus of broken specs in tests/bad_specs/: each holds one mistake, and
`gamespec check` must report it as a located error (exit code 2, never a traceback).

Each file starts with comment lines giving the expectation:

    # expect: LINE:COL MESSAGE-FRAGMENT      (or `# expect: unlocated MESSAGE-FRAGMENT`)
    # hint: HINT-FRAGMENT                     (optional: text of the `hint:` line)
    # args: --set name=value                  (optional: extra command-line arguments)
    # note: ...                               (optional: free text for the reader)

LINE:COL counts these comment lines too. Small CSV files used by the data cases are in
tests/bad_specs/data/ (data must live inside the spec's folder).
"""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from gamespec.cli import main

CORPUS = Path(__file__).resolve().parent / "bad_specs"
SPECS = sorted(CORPUS.glob("*.game"))
_EXPECT = re.compile(r"# expect: (?:(\d+):(\d+)|(unlocated)) (.+)")


@dataclass(frozen=True)
class Expectation:
    line: int | None
    column: int | None
    message: str
    hints: tuple[str, ...]
    args: tuple[str, ...]


def expectation(path: Path) -> Expectation:
    lines = path.read_bytes().decode("utf-8", "replace").splitlines()
    match = _EXPECT.fullmatch(lines[0].rstrip()) if lines else None
    assert match, f"{path.name}: the first line must be `# expect: LINE:COL message`"
    hints, args = [], []
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        if line.startswith("# hint: "):
            hints.append(line[len("# hint: "):].strip())
        elif line.startswith("# args: "):
            args.extend(shlex.split(line[len("# args: "):]))
    located = match[3] is None
    return Expectation(int(match[1]) if located else None, int(match[2]) if located else None,
                       match[4].strip(), tuple(hints), tuple(args))


def prefix(path: Path | str, exp: Expectation) -> str:
    if exp.line is None:
        return "gamespec: error: "
    return f"{path}:{exp.line}:{exp.column}: error: "


def assert_reported(stderr: str, stdout: str, path: Path | str, exp: Expectation) -> None:
    assert "Traceback" not in stderr + stdout
    assert "internal error" not in stderr
    assert ": ok" not in stdout
    first = stderr.splitlines()[0] if stderr else ""
    assert first.startswith(prefix(path, exp)), f"expected {prefix(path, exp)!r}, got {first!r}"
    assert exp.message in first, f"expected {exp.message!r} in {first!r}"
    hint_lines = [line for line in stderr.splitlines() if line.startswith("hint: ")]
    for hint in exp.hints:
        assert any(hint in line for line in hint_lines), f"no hint {hint!r} in {hint_lines}"


def test_corpus_is_big_enough_and_small_specs():
    assert len(SPECS) >= 45
    for path in SPECS:
        body = [line for line in path.read_bytes().splitlines() if not line.startswith(b"#")]
        assert 3 <= len(body) <= 15, f"{path.name}: {len(body)} lines of spec"


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_bad_spec_is_reported(path, capsys, monkeypatch):
    monkeypatch.chdir(CORPUS.parent)  # nothing may depend on the working directory
    exp = expectation(path)
    code = main(["check", *exp.args, str(path)])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert_reported(err, out, path, exp)


@pytest.mark.parametrize("name", ["unknown_name_typo", "data_nan_cell"])
def test_bad_spec_in_a_real_process(name):
    """The installed command, in its own process, with a path relative to the cwd."""
    path = CORPUS / f"{name}.game"
    exp = expectation(path)
    proc = subprocess.run(
        [sys.executable, "-m", "gamespec.cli", "check", *exp.args, path.name],
        cwd=CORPUS, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert_reported(proc.stderr, proc.stdout, path.name, exp)
