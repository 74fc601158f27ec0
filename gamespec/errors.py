"""User-facing errors: every one carries a source location, a message and an exit code.

Exit codes (DESIGN.md): 2 = bad spec or bad arguments, 3 = the solver could not finish.
"""
from __future__ import annotations

from dataclasses import dataclass


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
            src_lines = source.splitlines()
            if 1 <= self.span.line <= len(src_lines):
                text = src_lines[self.span.line - 1].expandtabs(1)
                lines.append(f"  {text}")
                width = 1
                if self.span.end_line == self.span.line and self.span.end_column:
                    width = max(1, self.span.end_column - self.span.column)
                lines.append("  " + " " * (self.span.column - 1) + "^" * width)
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


class SpecError(GamespecError):
    """The spec (or a data file or an argument) is wrong: exit code 2."""

    exit_code = 2


class SolverError(GamespecError):
    """A solver could not finish (infeasible, unbounded, no convergence, limits): exit 3."""

    exit_code = 3
