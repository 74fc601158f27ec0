"""Highlighting cannot drift from the grammar: every bundled spec is tokenised by Lark's
own (contextual) lexer and by the TextMate grammar in editors/vscode/ (run by a small
TextMate scanner below) and by the Pygments lexer; keywords, numbers, strings and comments
must be the same tokens at the same places. The keyword list is read from
grammar/gamespec.lark when the tests run, so words added to the grammar are covered."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SPECS = sorted((REPO / "specs").glob("*.game"))
TM_FILE = REPO / "editors" / "vscode" / "syntaxes" / "gamespec.tmLanguage.json"
CLASSES = {"keyword", "number", "string", "comment"}
REGENERATE = ("editors/vscode/syntaxes/gamespec.tmLanguage.json is out of date with "
              "grammar/gamespec.lark: regenerate it with `python -m gamespec.textmate` "
              "and commit it")


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def lark_tokens(text: str) -> set[tuple[int, int, str]]:
    """(start, end, class) of every keyword, number, string and comment, by the parser's
    contextual lexer (what the grammar means, word by word)."""
    from gamespec.language.parser import grammar_parser
    from gamespec.language.vocabulary import keyword_terminals

    parser, words = grammar_parser(), keyword_terminals()
    kinds = {"NUMBER": "number", "PERCENT": "number", "STRING": "string"}
    found = set()
    for tok in parser.parse_interactive(text).iter_parse():
        kind = "keyword" if tok.type in words else kinds.get(tok.type)
        if kind:
            found.add((tok.start_pos, tok.end_pos, kind))
    for tok in parser.lex(text, dont_ignore=True):
        if tok.type == "COMMENT":
            found.add((tok.start_pos, tok.end_pos, "comment"))
    return found


_SCOPE_CLASS = {"keyword.control": "keyword", "constant.numeric": "number",
                "string.quoted": "string", "comment.line": "comment"}


def _scope_class(scope: str) -> str | None:
    return next((c for prefix, c in _SCOPE_CLASS.items() if scope.startswith(prefix)), None)


def textmate_tokens(text: str, grammar: dict) -> set[tuple[int, int, str]]:
    """A TextMate scanner for `match` rules: on each line, the rule matching earliest wins
    (ties: the first listed); its name or capture names give the scopes."""
    patterns = [(re.compile(p["match"]), p) for p in grammar["patterns"]]
    found = set()
    for offset, line in zip(_line_starts(text), text.split("\n")):
        line += "\n"
        pos = 0
        while pos < len(line):
            best = None
            for regex, rule in patterns:
                m = regex.search(line, pos)
                if m and (best is None or m.start() < best[0].start()):
                    best = (m, rule)
            if best is None:
                break
            m, rule = best
            spans = [(m.start(), m.end(), rule.get("name", ""))]
            spans += [(m.start(int(g)), m.end(int(g)), c["name"])
                      for g, c in rule.get("captures", {}).items() if m.start(int(g)) >= 0]
            for start, end, scope in spans:
                kind = _scope_class(scope)
                if kind and end > start:
                    found.add((offset + start, offset + end, kind))
            pos = max(m.end(), pos + 1)
    return found


def pygments_tokens(text: str) -> tuple[set[tuple[int, int, str]], list]:
    from pygments.token import Comment, Error, Keyword, Number, String

    from gamespec.highlight import GamespecLexer

    found, errors = set(), []
    classes = [(Keyword, "keyword"), (Number, "number"), (String, "string"),
               (Comment, "comment")]
    for pos, token, value in GamespecLexer(stripnl=False).get_tokens_unprocessed(text):
        if token in Error:
            errors.append((pos, value))
        kind = next((c for t, c in classes if token in t), None)
        if kind:
            found.add((pos, pos + len(value), kind))
    return found, errors


def _show(text: str, tokens) -> list[str]:
    starts = _line_starts(text)
    out = []
    for start, end, kind in sorted(tokens):
        line = max(i for i, s in enumerate(starts) if s <= start)
        out.append(f"{line + 1}:{start - starts[line] + 1} {text[start:end]!r} {kind}")
    return out


def test_textmate_file_is_generated_from_the_grammar():
    from gamespec.textmate import text

    assert TM_FILE.read_text(encoding="utf-8") == text(), REGENERATE


def test_every_grammar_keyword_is_highlighted():
    from gamespec.language.vocabulary import keywords

    grammar = json.loads(TM_FILE.read_text(encoding="utf-8"))
    for word in keywords():
        assert textmate_tokens(f"{word}", grammar) == {(0, len(word), "keyword")}, (
            f"`{word}`: {REGENERATE}")


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_textmate_and_pygments_agree_with_lark(spec):
    _agree(spec.read_text(encoding="utf-8"))


KEYWORDS_AS_NAMES = """game "Keywords where the grammar takes names"
param cost = 2   # a comment with "quotes" and keywords: player if
param value = 3
let total = cost * value + (cost - 1) / value^2 - -value
let first[k in 1..3] = [cost > value] + max(cost, value) * count(i in 1..k : i != cost)
player end { choose edge in {1, 2} }
player table { mixed tree over {1, 2} }
payoff end = edge * cost - first[2] + sum(t in {1, 2}) (tree[t])
payoff table = -edge * total
"""


def test_keywords_used_as_names_agree_with_lark():
    _agree(KEYWORDS_AS_NAMES)


def _agree(text: str) -> None:
    expected = lark_tokens(text)
    assert {k for *_, k in expected} >= {"keyword", "number"}
    grammar = json.loads(TM_FILE.read_text(encoding="utf-8"))
    tm = textmate_tokens(text, grammar)
    assert not (diff := _show(text, tm ^ expected)), (
        f"TextMate vs Lark differ at {diff[:10]}; " + REGENERATE.split(":")[1])
    pyg, errors = pygments_tokens(text)
    assert errors == []
    assert not (diff := _show(text, pyg ^ expected)), f"Pygments vs Lark differ at {diff[:10]}"
    from gamespec.highlight import GamespecLexer

    assert "".join(v for _, v in GamespecLexer(stripnl=False).get_tokens(text)) == text


def test_pygments_finds_the_lexer_by_name():
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename

    assert get_lexer_by_name("game").name == "gamespec"
    assert get_lexer_for_filename("model.game").name == "gamespec"


def test_vscode_extension_points_at_the_grammar_and_the_server():
    folder = TM_FILE.parents[1]
    package = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    [language] = package["contributes"]["languages"]
    [grammar] = package["contributes"]["grammars"]
    assert language["extensions"] == [".game"] and grammar["language"] == language["id"]
    assert (folder / grammar["path"]).resolve() == TM_FILE
    tm = json.loads(TM_FILE.read_text(encoding="utf-8"))
    assert grammar["scopeName"] == tm["scopeName"]
    config = json.loads((folder / language["configuration"]).read_text(encoding="utf-8"))
    from gamespec.language.vocabulary import shape

    assert re.fullmatch(shape("COMMENT"), config["comments"]["lineComment"] + " note")
    command = package["contributes"]["configuration"]["properties"]["gamespec.server.command"]
    assert command["default"] == ["gamespec", "lsp"]
    assert "vscode-languageclient" in package["dependencies"]
    assert "LanguageClient" in (folder / package["main"]).read_text(encoding="utf-8")


def test_pygments_highlights_every_game_block_in_the_docs():
    """The docs' ```game blocks (fragments too) lex without error tokens."""
    from pygments.token import Error

    from gamespec.highlight import GamespecLexer

    blocks = [m.group(1) for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
              for m in re.finditer(r"```game\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)]
    assert len(blocks) >= 10
    for block in blocks:
        tokens = list(GamespecLexer(stripnl=False).get_tokens_unprocessed(block))
        assert [v for _, t, v in tokens if t in Error] == [], block
        assert "".join(v for *_, v in tokens) == block
