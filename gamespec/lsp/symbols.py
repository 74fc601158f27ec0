"""The names a spec defines (params, sets, data, lets, players and their strategy
variables, profiles, reports ...), each with the word that defines it, read from the AST."""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from gamespec.errors import Span
from gamespec.language import ast
from gamespec.lsp.document import Analysis, Word


@dataclass(frozen=True)
class Symbol:
    """A defined name: `kind` says what it is; `player` owns a strategy, constraint, field."""

    name: str
    kind: str
    word: Word | None
    span: Span  # the whole defining statement or item
    player: str | None = None
    children: tuple[Symbol, ...] = ()


_SIMPLE = {ast.ParamStmt: "param", ast.SetStmt: "set", ast.DataStmt: "data",
           ast.LetStmt: "let", ast.ProfileStmt: "profile", ast.ReportStmt: "report",
           ast.CheckStmt: "check", ast.ClaimStmt: "claim", ast.ExperimentStmt: "experiment"}
_ITEMS = {ast.ChooseItem: "strategy", ast.MixedItem: "strategy", ast.FieldItem: "field"}


def definitions(analysis: Analysis) -> list[Symbol]:
    """Top-level symbols in spec order; a player's strategies are its children."""
    spec = analysis.spec
    if spec is None:
        return []
    finder = _Finder(analysis.words)
    out: list[Symbol] = []
    for stmt in spec.statements:
        kind = _SIMPLE.get(type(stmt))
        if kind is not None:
            out.append(finder.symbol(stmt.name, kind, stmt.span))
        elif isinstance(stmt, ast.PlayerStmt):
            out.append(_player(stmt, finder))
        elif isinstance(stmt, ast.RepeatedStmt):
            out += [finder.symbol(name, "value", span) for name, _, span in stmt.values]
        elif isinstance(stmt, ast.DynamicsStmt):
            out += [finder.symbol(name, "coordinate", stmt.span) for name in stmt.coordinates]
        elif isinstance(stmt, ast.TreeStmt):
            out += _tree_symbols(stmt.items, finder)
        elif isinstance(getattr(stmt, "name", None), str):
            out.append(_generic(stmt, finder))
    return out


def flat(symbols: list[Symbol]) -> dict[str, Symbol]:
    """Name -> its first definition, children included."""
    table: dict[str, Symbol] = {}
    for symbol in symbols:
        for s in (symbol, *symbol.children):
            table.setdefault(s.name, s)
    return table


def _player(stmt: ast.PlayerStmt, finder: _Finder) -> Symbol:
    children = []
    for item in stmt.items:
        kind = _ITEMS.get(type(item))
        if kind is not None:
            children.append(finder.symbol(item.name, kind, item.span, stmt.name))
        elif isinstance(item, ast.ConstraintItem) and item.name:
            children.append(finder.symbol(item.name, "constraint", item.span, stmt.name))
        elif isinstance(item, ast.TypesItem):
            children.append(finder.symbol(item.var, "type", item.span, stmt.name))
    kind = {"single": "player", "family": "player family"}.get(stmt.kind, stmt.kind)
    head = finder.symbol(stmt.name, kind, stmt.span)
    return Symbol(head.name, head.kind, head.word, head.span, None, tuple(children))


def _generic(stmt, finder: _Finder) -> Symbol:
    """A statement this module has no rule for (network, stage ...): its name, and the
    named items in its fields (a network's demands, labelled edges) as children."""
    kind = type(stmt).__name__.removesuffix("Stmt").lower() or "statement"
    children = []
    for value in vars(stmt).values():
        for item in value if isinstance(value, tuple) else ():
            label = getattr(item, "name", None) or getattr(item, "label", None)
            if isinstance(item, ast.Node) and isinstance(label, str):
                item_kind = type(item).__name__.removesuffix("Item").lower()
                children.append(finder.symbol(label, item_kind, item.span))
    head = finder.symbol(stmt.name, kind, stmt.span)
    return Symbol(head.name, head.kind, head.word, head.span, None, tuple(children))


def _tree_symbols(items, finder: _Finder) -> list[Symbol]:
    out = []
    for item in items:
        if isinstance(item, ast.TreeTrack):
            out.append(finder.symbol(item.name, "tracked number", item.span))
        elif isinstance(item, (ast.TreeMove, ast.TreeChance)) and item.var:
            player = getattr(item, "player", None)
            out.append(finder.symbol(item.var, "move", item.span, player))
        for branch in getattr(item, "branches", ()):
            out += _tree_symbols(branch.body, finder)
        for part in ("then", "otherwise", "items"):
            out += _tree_symbols(getattr(item, part, ()), finder)
    return out


class _Finder:
    """The first occurrence of a name inside a span (the word that defines it)."""

    def __init__(self, words: list[Word]) -> None:
        self.words = words
        self.keys = [(w.line, w.start) for w in words]

    def symbol(self, name: str, kind: str, span: Span, player: str | None = None) -> Symbol:
        return Symbol(name, kind, self.find(name, span), span, player)

    def find(self, name: str, span: Span) -> Word | None:
        i = bisect_left(self.keys, (span.line - 1, span.column - 1))
        end = (span.end_line or span.line) - 1, (span.end_column or 10**9) - 1
        for word in self.words[i:]:
            if (word.line, word.start) > end:
                break
            if word.text == name:
                return word
        return None
