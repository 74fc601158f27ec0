"""Hover text for a name: its definition, its value or set size, the player it belongs to,
and the inferred class of the game (from the last version that passed every check)."""
from __future__ import annotations

from gamespec.lsp.document import Analysis, Word
from gamespec.lsp.symbols import Symbol
from gamespec.lsp.words import FUNCTION_DOCS

MAX_LINES = 6
MAX_CHARS = 300


def hover_text(current: Analysis, table: dict[str, Symbol], word: Word,
               checked: Analysis | None) -> str | None:
    """Markdown for the word under the cursor, or None when there is nothing to say."""
    model = checked.model if checked is not None else None
    if word.column_of is not None:
        return _column(word, model)
    symbol = table.get(word.text)
    if symbol is None:
        return _other(word.text, model)
    parts = [f"**{symbol.kind}** `{symbol.name}`"
             + (f" of player `{symbol.player}`" if symbol.player else "")]
    value = _value(symbol, model) if model is not None else None
    if value:
        parts.append(value)
    parts.append("```game\n" + _definition(current.source, symbol) + "\n```")
    summary = checked.class_summary() if checked is not None else None
    if summary:
        parts.append(f"game: {summary}")
    elif current.error is not None:
        parts.append("(values and the game's class appear once the spec passes the checks)")
    return "\n\n".join(parts)


def _definition(source: str, symbol: Symbol) -> str:
    lines = source.splitlines()
    first = symbol.span.line - 1
    last = min((symbol.span.end_line or symbol.span.line) - 1, first + MAX_LINES - 1)
    text = "\n".join(lines[first:last + 1]).strip("\n")
    if (symbol.span.end_line or symbol.span.line) - 1 > last:
        text += "\n..."
    return text[:MAX_CHARS * 2]


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS] + " ..."


def _value(symbol: Symbol, model) -> str | None:
    name, kind = symbol.name, symbol.kind
    if kind == "param" and name in model.params:
        p = model.params[name]
        if p.array is not None:
            sets = " x ".join(f"{s.name} ({len(s)})" for s in p.index_sets)
            text = f"table over {sets}: {p.array.size} values"
        elif p.value is None:
            text = "free symbol (no default value)"
        else:
            text = f"value: {p.value:g}"
        if p.admissible:
            text += f", admissible range [{p.admissible[0]:g}, {p.admissible[1]:g}]"
        return text
    if kind == "set" and name in model.sets:
        s = model.sets[name]
        return f"{len(s)} elements: {_clip(s.describe())}"
    if kind == "let" and name in model.lets:
        let = model.lets[name]
        over = ", ".join(f"{v} in {s.name}" for v, s in zip(let.variables, let.index_sets))
        return (f"over {over}: " if over else "") + f"`{_clip(str(let.expr))}`"
    if kind == "data" and name in model.data:
        table = model.data[name]
        columns = getattr(table, "column_names", ())
        rows = len(next(iter(table.columns.values()))) if columns else 0
        return f"{rows} rows; columns: {_clip(', '.join(columns))}"
    if kind.startswith("player") or kind == "population":
        return _player(model.players.get(name))
    if kind == "strategy":
        for s in model.strategies():
            if s.name == name:
                cond = ", ".join(c.name for c in s.condition_sets)
                what = {"interval": "a number in", "choice": "a choice from",
                        "mixed": "a mixed strategy over"}.get(s.kind, f"{s.kind} over")
                return (f"{what} {_clip(s.domain.describe())}"
                        + (f", one per element of {cond}" if cond else ""))
    return None


def _player(player) -> str | None:
    if player is None:
        return None
    extra = ""
    if player.kind == "family" and player.member_set is not None:
        extra = f"a family of {len(player.member_set)} members over {player.member_set.name}; "
    elif player.kind == "population":
        extra = f"a population of {player.population_size}; "
    moves = ", ".join(f"{s.name} ({s.kind})" for s in player.strategies)
    return extra + (f"strategies: {moves}" if moves else "moves in the game tree")


def _column(word: Word, model) -> str:
    text = f"**column** `{word.text}` of data table `{word.column_of}`"
    table = getattr(model, "data", {}).get(word.column_of) if model is not None else None
    values = getattr(table, "columns", {}).get(word.text)
    if values is not None:
        text += f": {len(values)} rows"
    return text


def _other(name: str, model) -> str | None:
    if name in FUNCTION_DOCS:
        return f"**function** `{name}`: {FUNCTION_DOCS[name]}"
    if model is not None and name in getattr(model, "elements", {}):
        s = model.elements[name]
        return f"**element** `{name}` of set `{s.name}` ({len(s)} elements)"
    return None
