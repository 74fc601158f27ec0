"""A located gamespec error as an LSP diagnostic: its range, message and hint."""
from __future__ import annotations

from lsprotocol import types

from gamespec.errors import GamespecError
from gamespec.lsp.document import Analysis


def diagnostics(analysis: Analysis) -> list[types.Diagnostic]:
    """One diagnostic per error the checks found (none when the spec loads)."""
    exc = analysis.error
    if exc is None:
        return []
    return [_diagnostic(exc, analysis)]


def _diagnostic(exc: GamespecError, analysis: Analysis) -> types.Diagnostic:
    lines = analysis.source.splitlines() or [""]
    span = exc.span
    message = exc.message
    if span is None or span.path != analysis.path:  # e.g. a bad cell in a data file
        where = f"{span}: " if span is not None else ""
        message = where + message
        line, col, end_line, end_col = 0, 0, 0, len(lines[0])
    else:
        line = min(max(span.line - 1, 0), len(lines) - 1)
        col = min(max(span.column - 1, 0), len(lines[line]))
        end_line, end_col = line, col + 1
        if span.end_line is not None and span.end_column is not None:
            end_line, end_col = span.end_line - 1, span.end_column - 1
        if (end_line, end_col) <= (line, col):
            end_line, end_col = line, col + 1
    if exc.hint:
        message += f"\nhint: {exc.hint}"
    return types.Diagnostic(
        range=types.Range(types.Position(line, col), types.Position(end_line, end_col)),
        message=message, severity=types.DiagnosticSeverity.Error, source="gamespec",
        code=type(exc).__name__)
