"""Go to definition and find references: every word with the name of a defined symbol; an
index variable (r in `sum(r in R)`) is local to the statement that binds it."""
from __future__ import annotations

from gamespec.lsp.document import Analysis, Word
from gamespec.lsp.symbols import Symbol

# words after which a name is being defined (used while the text does not parse)
DEFINING = frozenset("param set data let player players population choose mixed profile "
                     "report check claim field types value track experiment coordinates"
                     .split())


def definition(current: Analysis, table: dict[str, Symbol], word: Word) -> Word | None:
    if word.column_of is not None:  # a data column: defined in the data file
        return None
    symbol = table.get(word.text)
    if symbol is not None and symbol.word is not None:
        return symbol.word
    local = _local_words(current, word)
    if local:
        return local[0]
    if current.spec is None:  # the text does not parse: the lexical guess
        for before, w in zip(current.words, current.words[1:]):
            if w.text == word.text and before.text in DEFINING:
                return w
    return None


def references(current: Analysis, table: dict[str, Symbol], word: Word,
               include_declaration: bool = True) -> list[Word]:
    if word.column_of is not None:
        found = [w for w in current.words
                 if w.text == word.text and w.column_of == word.column_of]
    elif word.text in table or current.spec is None:
        found = [w for w in current.words if w.text == word.text and w.column_of is None]
    else:
        found = _local_words(current, word)
    if not include_declaration:
        home = definition(current, table, word)
        found = [w for w in found if w != home]
    return found


def _local_words(current: Analysis, word: Word) -> list[Word]:
    """The words of the statement holding `word` that have its text (a bound index)."""
    if current.spec is None:
        return []
    for stmt in current.spec.statements:
        span = stmt.span
        start = (span.line - 1, span.column - 1)
        end = ((span.end_line or span.line) - 1, (span.end_column or 10**9) - 1)
        if start <= (word.line, word.start) < end:
            return [w for w in current.words
                    if w.text == word.text and start <= (w.line, w.start) < end]
    return []
