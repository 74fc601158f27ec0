"""A fast reader for the rows of a large payoff table, beside the Lark parser.

A table of thousands of rows (an imported Gambit game) is most of a spec's tokens, and Lark
builds a tree node per token. When every line inside `table { ... }` is a plain row, keys
that are names or numbers and values that are numbers, `(r1, c2): (3, -1.5)`, the rows are
read here with one regular expression each, and Lark parses the spec with the rows blanked
out (line numbers kept). The AST is the one Lark would build, spans included; anything else
(an expression as a value, a row split over lines, a typo) leaves the whole spec to Lark,
so its errors stay as they were.
"""
from __future__ import annotations

import re

from gamespec.language import ast

MIN_ROWS = 200  # below this Lark is fast enough, and one parser is simpler to reason about
_NUMBER = r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
_NAME = r"(?!(?:if|then|else|and|or|not|in|over|of|with|to)\b)[A-Za-z_][A-Za-z0-9_]*"
_KEY = rf"(?:{_NAME}|-?{_NUMBER})"
_VALUE = rf"-?{_NUMBER}"
_ROW = re.compile(rf"\s*\(\s*{_KEY}(?:\s*,\s*{_KEY})*\s*\)\s*:\s*\(\s*{_VALUE}(?:\s*,\s*{_VALUE})*"
                  rf"\s*\)\s*(?:#.*)?")
_ITEM = re.compile(rf"{_KEY}|{_VALUE}")
_BLANK = re.compile(r"\s*(?:#.*)?")
_OPEN = re.compile(r"\s*table\s*\{\s*(?:#.*)?")
_CLOSE = re.compile(r"\s*\}\s*(?:#.*)?")


class PlainTable:
    """The rows read from one `table {` block: the source with them blanked, and the rows."""

    def __init__(self, source: str, rows: list[tuple[int, str]]):
        self.source = source
        self.rows = rows  # (line number, text) of each row, in order


def split_plain_table(source: str) -> PlainTable | None:
    """The spec without its table rows, if it has one large table of plain rows."""
    lines = source.split("\n")
    opens = [k for k, line in enumerate(lines) if _OPEN.fullmatch(line)]
    if len(opens) != 1:
        return None
    rows: list[tuple[int, str]] = []
    for k in range(opens[0] + 1, len(lines)):
        line = lines[k]
        if _CLOSE.fullmatch(line):
            break
        if _ROW.fullmatch(line):
            rows.append((k + 1, line))
        elif not _BLANK.fullmatch(line):
            return None
    else:
        return None
    if len(rows) < MIN_ROWS:
        return None
    for line_number, _ in rows:
        lines[line_number - 1] = ""
    return PlainTable("\n".join(lines), rows)


def with_rows(spec: ast.Spec, table: PlainTable, path: str, key_type: type) -> ast.Spec:
    """`spec` (parsed from table.source) with the table's rows put back; a key that is a
    name becomes `key_type(name)` (the parser's marker for symbolic keys)."""
    rows = tuple(_row(path, line_number, text, key_type) for line_number, text in table.rows)
    statements = tuple(
        ast.TableStmt(s.span, rows) if isinstance(s, ast.TableStmt) and not s.rows else s
        for s in spec.statements)
    return ast.Spec(spec.span, spec.path, spec.source, statements)


def _row(path: str, line: int, text: str, key_type: type) -> ast.TableRow:
    keys_end = text.index(")")
    keys = [_key(path, line, m, key_type) for m in _ITEM.finditer(text, 0, keys_end)]
    values_start = text.index("(", keys_end)
    end = text.index(")", values_start) + 1  # values hold no brackets; a comment may follow
    values = [_value(path, line, m) for m in _ITEM.finditer(text, values_start, end)]
    start = len(text) - len(text.lstrip())
    return ast.TableRow(ast.Span(path, line, start + 1, line, end + 1), tuple(keys),
                        tuple(values))


def _span(path: str, line: int, match: re.Match) -> ast.Span:
    return ast.Span(path, line, match.start() + 1, line, match.end() + 1)


def _key(path: str, line: int, match: re.Match, key_type: type):
    text = match.group()
    if text[0].isalpha() or text[0] == "_":
        return key_type(text)
    return ast.Num(_span(path, line, match), text)


def _value(path: str, line: int, match: re.Match) -> ast.Expr:
    text = match.group()
    if not text.startswith("-"):
        return ast.Num(_span(path, line, match), text)
    span = _span(path, line, match)
    number = ast.Num(ast.Span(path, line, match.start() + 2, line, match.end() + 1), text[1:])
    return ast.Neg(span, number)
