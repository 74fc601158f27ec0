"""Completion items: the spec's names, the grammar's keywords, and the functions."""
from __future__ import annotations

from lsprotocol import types

from gamespec.lsp.symbols import Symbol
from gamespec.lsp.words import FUNCTION_DOCS, KEYWORDS

K = types.CompletionItemKind
_KINDS = {"param": K.Constant, "set": K.Enum, "data": K.Struct, "let": K.Variable,
          "player": K.Class, "player family": K.Class, "population": K.Class,
          "strategy": K.Field, "constraint": K.Property, "field": K.Field, "type": K.TypeParameter,
          "profile": K.Module, "report": K.Property, "check": K.Property, "claim": K.Property,
          "value": K.Variable, "coordinate": K.Variable, "experiment": K.Module,
          "move": K.Variable, "tracked number": K.Variable}


def column_completions(model, table_name: str) -> types.CompletionList | None:
    """After `t.`: the columns of the data table t (from the last checked version)."""
    data = getattr(model, "data", {}).get(table_name) if model is not None else None
    columns = getattr(data, "columns", None)
    if not isinstance(columns, dict):
        return None
    items = [types.CompletionItem(name, kind=K.Field, detail=f"column of {table_name}")
             for name in columns]
    return types.CompletionList(is_incomplete=False, items=items)


def completions(table: dict[str, Symbol], words: list) -> types.CompletionList:
    """Everything that may be typed at a name position (the client filters by prefix)."""
    items: dict[str, types.CompletionItem] = {}
    for name, symbol in table.items():
        owner = f" of {symbol.player}" if symbol.player else ""
        items[name] = types.CompletionItem(name, kind=_KINDS.get(symbol.kind, K.Variable),
                                           detail=symbol.kind + owner, sort_text="0" + name)
    for name, doc in FUNCTION_DOCS.items():
        items.setdefault(name, types.CompletionItem(name, kind=K.Function, detail=doc,
                                                    sort_text="1" + name))
    for word in KEYWORDS:
        items.setdefault(word, types.CompletionItem(word, kind=K.Keyword, sort_text="2" + word))
    for word in words:  # names used but defined nowhere yet (set elements, indices)
        items.setdefault(word.text, types.CompletionItem(word.text, kind=K.Text,
                                                         sort_text="3" + word.text))
    return types.CompletionList(is_incomplete=False, items=list(items.values()))
