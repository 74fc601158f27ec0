"""User-facing errors: every one carries a source location, a message and an exit code.

Exit codes (DESIGN.md): 2 = bad spec or bad arguments, 3 = the solver could not finish.
"""
from __future__ import annotations

from dataclasses import dataclass

EXCERPT_MAX = 160  # characters of a source line shown under an error


@dataclass(frozen=True)
class Span:
    """A region of spec text: 1-based line and column, end exclusive."""

    path: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class GamespecError(Exception):
    """Base of every error gamespec reports to a user (never a traceback)."""

    exit_code = 2
    source: str | None = None  # the spec text the span is in, when the caller has it

    def __init__(
        self,
        message: str,
        *,
        span: Span | None = None,
        hint: str | None = None,
        exit_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def located(self, span: Span | None) -> GamespecError:
        """Attach a span if none is set yet; returns self for chaining."""
        if self.span is None and span is not None:
            self.span = span
        return self

    def format(self, source: str | None = None) -> str:
        """`path:line:col: error: message`, the source line, a caret, and a hint."""
        prefix = f"{self.span}: " if self.span else "gamespec: "
        lines = [f"{prefix}error: {self.message}"]
        if self.span and source is not None:
            # lines as the parser counts them: only "\n" ends one (not a form feed,
            # vertical tab or U+2028, which str.splitlines() would also split at)
            src_lines = source.split("\n")
            if 1 <= self.span.line <= len(src_lines):
                text = src_lines[self.span.line - 1].rstrip("\r")
                text = "".join(" " if ch in "\t\f\v" or not ch.isprintable() else ch
                               for ch in text[:EXCERPT_MAX + self.span.column])
                start = max(0, self.span.column - 1 - EXCERPT_MAX // 2)
                width = 1
                if self.span.end_line == self.span.line and self.span.end_column:
                    width = max(1, self.span.end_column - self.span.column)
                shown = text[start:start + EXCERPT_MAX]
                lines.append("  " + ("..." if start else "") + shown
                             + ("..." if len(text) > start + EXCERPT_MAX else ""))
                width = min(width, max(1, len(shown) - (self.span.column - 1 - start)))
                lines.append("  " + " " * (self.span.column - 1 - start + (3 if start else 0))
                             + "^" * width)
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)

    def _render_traceback_(self) -> list[str]:
        """What IPython and Jupyter show instead of a traceback: the located message, the
        source line with its caret (when `source` holds the spec text: the API sets it),
        and the hint, as the command line prints them."""
        return self.format(self.source).split("\n")


class SpecError(GamespecError):
    """The spec (or a data file or an argument) is wrong: exit code 2."""

    exit_code = 2


class SolverError(GamespecError):
    """A solver could not finish (infeasible, unbounded, no convergence, limits): exit 3."""

    exit_code = 3
