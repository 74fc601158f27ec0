"""Prose with formulas in it, for derivation labels and notes.

`MathText` is a `str` (its value is the plain text, the formulas printed as specs are
written), so every existing use of a label or note as text keeps working; the LaTeX
renderer reads its `parts` and sets the formulas as mathematics.
"""
from __future__ import annotations

from gamespec.language.spec_printer import spec_str


class MathText(str):
    """Text parts (str) and formula parts (SymPy objects), in reading order."""

    parts: tuple

    def __new__(cls, *parts, plain: str | None = None):
        if plain is None:
            plain = "".join(p if isinstance(p, str) else spec_str(p) for p in parts)
        obj = super().__new__(cls, plain)
        obj.parts = tuple(parts)
        return obj

    def __reduce__(self):
        return (_rebuild, (str(self), self.parts))


def _rebuild(plain: str, parts: tuple) -> MathText:
    return MathText(*parts, plain=plain)
