"""The shipped LALR tables (grammar/gamespec_tables.json) fit the grammar, load without
pickle or a temp-folder cache, and parse exactly as a parser built from the grammar."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gamespec.language import parser_tables
from gamespec.language.parser import grammar_parser

SPECS = Path(__file__).resolve().parents[2] / "specs"


def test_shipped_tables_fit_the_grammar():
    raw = (Path(parser_tables.__file__).resolve().parents[2] / "grammar"
           / parser_tables.TABLES_NAME).read_text()
    assert json.loads(raw)["fingerprint"] == parser_tables.fingerprint(
        parser_tables.grammar_text()), "run: python -m gamespec.language.parser_tables"


def test_loaded_tables_parse_every_spec_as_the_built_parser_does():
    built = parser_tables.build_parser(parser_tables.grammar_text())
    loaded = grammar_parser()
    for path in sorted(SPECS.glob("*.game")):
        text = path.read_text()
        assert loaded.parse(text) == built.parse(text), path.name


def test_a_stale_fingerprint_builds_from_the_grammar(monkeypatch):
    monkeypatch.setattr(parser_tables, "fingerprint", lambda text: {"grammar_sha256": "x"})
    parser = parser_tables.load_parser(parser_tables.grammar_text())
    assert parser.parse("player a { choose x in {A} } payoff a = 1").data == "start"


def test_a_check_writes_nothing_in_the_temp_folder(tmp_path):
    """Lark's cache=True unpickled (and wrote) $TMPDIR/.lark_cache_*: a check in a fresh
    process, with TMPDIR pointing at an empty folder, now leaves it empty."""
    env = {"TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "gamespec.cli", "check",
                             str(SPECS / "kuhn_poker.game")], env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not list(tmp_path.iterdir())
