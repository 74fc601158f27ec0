"""The words and token shapes of the language, read from the grammar itself (never a copy):
the editor support (language server, Pygments lexer, TextMate grammar) uses them, so a
keyword added to grammar/gamespec.lark reaches every editor without a second list."""
from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# terminals whose regex the editors reuse as it is
SHAPES = ("NAME", "PRIMED", "NUMBER", "PERCENT", "STRING", "COMMENT", "AGGREGATE", "COUNT",
          "SELECT_KIND", "COMP_OP", "POW")


@lru_cache(maxsize=1)
def terminals() -> dict[str, tuple[str, str]]:
    """Terminal name -> (kind, text): kind "str" (a literal) or "re" (a regex)."""
    from gamespec.language.parser import grammar_parser

    return {t.name: (t.pattern.type, t.pattern.value) for t in grammar_parser().terminals}


@lru_cache(maxsize=1)
def keywords() -> tuple[str, ...]:
    """Every reserved word of the grammar (its literal terminals that look like names)."""
    return tuple(sorted(text for kind, text in terminals().values()
                        if kind == "str" and _WORD.fullmatch(text)))


def keyword_terminals() -> frozenset[str]:
    """The terminal names of the keywords (GAME, PARAM, ...): what Lark's tokens carry."""
    return frozenset(name for name, (kind, text) in terminals().items()
                     if kind == "str" and _WORD.fullmatch(text))


def shape(name: str) -> str:
    """The regex of a terminal (NAME, NUMBER, STRING, COMMENT, ...)."""
    kind, text = terminals()[name]
    return text if kind == "re" else re.escape(text)


def aggregate_words() -> tuple[str, ...]:
    """sum, prod, max, ... and count: the words the AGGREGATE and COUNT terminals allow."""
    words = []
    for name in ("AGGREGATE", "COUNT"):
        head = re.split(r"\(\?=", shape(name))[0]
        words += re.findall(r"[A-Za-z_]+", head)
    return tuple(dict.fromkeys(words))
