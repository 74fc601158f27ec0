"""Tokens of a Gambit savefile (.efg): quoted labels, numbers, braces and bare symbols.

Each token keeps its 1-based line and column for located errors. Commas separate nothing
(Gambit writes them between payoffs) and are skipped. In a quoted label `\\"` is a quote
and `\\\\` a backslash; any other backslash is kept as written.
"""
from __future__ import annotations

import bisect
import math
import re
from fractions import Fraction

from gamespec.errors import Span, SpecError

LBRACE, RBRACE, TEXT, NUMBER, SYMBOL, EOF = "{", "}", "text", "number", "symbol", "eof"

_SPACE = re.compile(r"[\s,]*")
_NUMBER = re.compile(r"[+-]?(?:\d+/\d+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?=[\s,{}\"]|$)")
_SYMBOL = re.compile(r"[^\s,{}\"]+")


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_ESCAPE = re.compile(r'\\(["\\])')


class Token:
    """One token; its line and column are worked out only when asked (for an error)."""

    __slots__ = ("kind", "text", "pos", "_starts")

    def __init__(self, kind: str, text: str, pos: int, starts: list[int]) -> None:
        self.kind, self.text, self.pos, self._starts = kind, text, pos, starts

    @property
    def line(self) -> int:
        return bisect.bisect_right(self._starts, self.pos)

    @property
    def column(self) -> int:
        return self.pos - self._starts[self.line - 1] + 1


class Lexer:
    """The tokens of one file, read one at a time (`next`), with located errors."""

    def __init__(self, text: str, path: str) -> None:
        self.text, self.path, self.pos = text, path, 0
        self._pending: Token | None = None
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(self, pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, pos)
        return line, pos - self._starts[line - 1] + 1

    def error(self, message: str, token: Token | None = None, hint: str | None = None
              ) -> SpecError:
        """A located error at `token` (default: the current position)."""
        line, col = (token.line, token.column) if token else self.where(self.pos)
        return SpecError(f"EFG file: {message}", span=Span(self.path, line, col), hint=hint)

    def push_back(self, token: Token) -> None:
        """Make `token` the next one `next` returns (one token of look-ahead)."""
        self._pending = token

    def next(self) -> Token:
        if self._pending is not None:
            token, self._pending = self._pending, None
            return token
        self.pos = _SPACE.match(self.text, self.pos).end()
        start, text, starts = self.pos, self.text, self._starts
        if start >= len(text):
            return Token(EOF, "", start, starts)
        char = text[start]
        if char in "{}":
            self.pos += 1
            return Token(char, char, start, starts)
        if char == '"':
            return Token(TEXT, self._quoted(start), start, starts)
        m = _NUMBER.match(text, start)
        if m:
            self.pos = m.end()
            return Token(NUMBER, m.group(), start, starts)
        m = _SYMBOL.match(text, start)
        self.pos = m.end()
        return Token(SYMBOL, m.group(), start, starts)

    def _quoted(self, start: int) -> str:
        m = _QUOTED.match(self.text, start)
        if m:
            self.pos = m.end()
            body = m.group(1)
            return _ESCAPE.sub(r"\1", body) if "\\" in body else body
        line, col = self.where(start)
        raise SpecError("EFG file: unexpected end of file inside a quoted label",
                        span=Span(self.path, line, col))

    def number(self, token: Token) -> Fraction | float:
        """A number token's value: a Fraction (exact), or a float when written with an
        exponent."""
        try:
            if "e" in token.text.lower():
                value = float(token.text)
                if not math.isfinite(value):
                    raise ValueError
                return Fraction(value) if value.is_integer() else value
            return Fraction(token.text)
        except (ValueError, ZeroDivisionError, OverflowError):
            raise self.error(f"bad number {token.text!r}", token) from None

    def integer(self, token: Token, what: str) -> int:
        if token.kind != NUMBER or not re.fullmatch(r"\+?\d+", token.text):
            raise self.expected(f"{what} (a whole number)", token)
        return int(token.text)

    def expected(self, what: str, token: Token) -> SpecError:
        if token.kind == EOF:
            return self.error(f"unexpected end of file: expected {what}", token)
        shown = f'"{token.text}"' if token.kind == TEXT else token.text
        return self.error(f"expected {what}, found {shown}", token)

    def expect(self, kind: str, what: str) -> Token:
        token = self.next()
        if token.kind != kind:
            raise self.expected(what, token)
        return token


def quote(label: str) -> str:
    """A label as a Gambit quoted string (quotes and backslashes escaped, as Gambit writes)."""
    return '"' + label.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_number(value: Fraction | float) -> str:
    """A value as Gambit reads it back exactly: `a/b` for a Fraction; a float always with an
    exponent (so that this reader returns it as the same float)."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return f"{value.numerator}/{value.denominator}"
    if not math.isfinite(value):
        raise SpecError(f"cannot write {value} in an EFG file")
    text = repr(float(value))
    return text if "e" in text else f"{text}e0"
