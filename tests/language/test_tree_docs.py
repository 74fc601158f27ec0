"""The examples of docs/language.md's `tree` section run and print what the page shows."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from gamespec.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"


def examples() -> list[tuple[str, list[str]]]:
    text = DOC.read_text()
    section = text[text.index("## tree: game trees"):]
    section = section[:section.index("\n## ", 1)]
    blocks = re.findall(r"```(game|text)\n(.*?)```", section, flags=re.S)
    pairs = []
    for (kind, body), (next_kind, shown) in zip(blocks, blocks[1:]):
        if kind == "game" and next_kind == "text":
            pairs.append((body, [line for line in shown.splitlines()
                                 if line and not line.startswith("$")]))
    return pairs


def test_the_section_has_examples():
    assert len(examples()) == 3


@pytest.mark.parametrize("spec, shown", examples(), ids=lambda v: str(v)[:20])
def test_example_prints_what_the_page_shows(tmp_path, capsys, spec, shown):
    path = tmp_path / "example.game"
    path.write_text(spec)
    assert main(["solve", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    for line in shown:
        assert line in out, f"{line!r} not in the output:\n" + "\n".join(out)
