"""The outline (document symbols): the title, then every defined name, players with their
strategy variables, constraints and fields as children."""
from __future__ import annotations

from lsprotocol import types

from gamespec.language import ast
from gamespec.lsp.document import Analysis
from gamespec.lsp.symbols import Symbol

S = types.SymbolKind
_KINDS = {"param": S.Constant, "set": S.Enum, "data": S.Struct, "let": S.Variable,
          "player": S.Class, "player family": S.Class, "population": S.Class,
          "strategy": S.Field, "constraint": S.Property, "field": S.Field,
          "type": S.TypeParameter, "profile": S.Module, "report": S.Property,
          "check": S.Property, "claim": S.Property, "value": S.Variable,
          "coordinate": S.Variable, "experiment": S.Module, "move": S.Variable,
          "tracked number": S.Variable}


def outline(analysis: Analysis, symbols: list[Symbol], to_range) -> list[types.DocumentSymbol]:
    """`to_range(line, col, end_line, end_col)` makes a client range from server units."""
    lines = analysis.source.splitlines() or [""]
    out = []
    for stmt in getattr(analysis.spec, "statements", ()):
        if isinstance(stmt, ast.GameStmt):
            span = _span_range(stmt.span, lines)
            out.append(types.DocumentSymbol(stmt.title.strip('"') or "game", S.File,
                                            to_range(*span), to_range(*span), detail="game"))
    return out + [_symbol(s, lines, to_range) for s in symbols]


def _symbol(symbol: Symbol, lines: list[str], to_range) -> types.DocumentSymbol:
    whole = _span_range(symbol.span, lines)
    word = symbol.word
    name = (word.line, word.start, word.line, word.end) if word is not None else whole
    if not (whole[:2] <= name[:2] and name[2:] <= whole[2:]):
        whole = name
    return types.DocumentSymbol(
        symbol.name, _KINDS.get(symbol.kind, S.Variable), to_range(*whole), to_range(*name),
        detail=symbol.kind + (f" of {symbol.player}" if symbol.player else ""),
        children=[_symbol(c, lines, to_range) for c in symbol.children])


def _span_range(span, lines: list[str]) -> tuple[int, int, int, int]:
    line = max(span.line - 1, 0)
    end_line = (span.end_line or span.line) - 1
    end_col = (span.end_column - 1 if span.end_column
               else len(lines[min(end_line, len(lines) - 1)]))
    return line, max(span.column - 1, 0), end_line, end_col
