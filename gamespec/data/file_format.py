"""How a registered data file is laid out, beyond its delimiter character: the marker for
whitespace-separated columns and the documented repairs of known-bad rows (`RowFix`).
Shared by the registry (which records them) and the table reader (which applies them).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["WHITESPACE", "RowFix"]

WHITESPACE = "whitespace"


@dataclass(frozen=True)
class RowFix:
    """A documented repair of one known-bad row of a published file.

    Applied only when the row at `line` has exactly `expect_fields` fields and, for each
    `(index, text)` in `match`, field `index` equals `text`; otherwise the row is left as is
    (and is then reported as ragged like any other).
    """

    line: int
    expect_fields: int
    insert_at: int
    value: str
    reason: str
    match: tuple[tuple[int, str], ...] = ()

    def applies(self, row: Sequence[str]) -> bool:
        if len(row) != self.expect_fields:
            return False
        return all(0 <= i < len(row) and row[i].strip() == text for i, text in self.match)
