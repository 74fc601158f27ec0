"""A Pygments lexer for .game specs (```game blocks in Markdown, Sphinx, MkDocs), made from
gamespec.highlight_rules, i.e. from grammar/gamespec.lark. Registered as the Pygments
plug-in `gamespec` (aliases: game, gamespec)."""
from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Whitespace

from gamespec.highlight_rules import rules
from gamespec.textmate import OPERATORS

TOKENS = {"comment": Comment.Single, "string": String.Double, "keyword": Keyword,
          "function": Name.Builtin, "number": Number, "name": Name, "space": Whitespace}


def _root() -> list:
    root = []
    for rule in rules():
        if re.compile(rule.regex).groups == 0:
            root.append((rule.regex, TOKENS[rule.groups[0]]))
        else:
            root.append((rule.regex, bygroups(*(TOKENS[c] for c in rule.groups))))
    return root + [(r"\s+", Whitespace), (OPERATORS, Operator), (r"[()\[\]{},:.;'%]", Punctuation)]


class GamespecLexer(RegexLexer):
    """gamespec: a declarative language for game-theoretic models."""

    name = "gamespec"
    aliases = ["game", "gamespec"]
    filenames = ["*.game"]
    mimetypes = ["text/x-gamespec"]
    tokens = {"root": _root()}
