"""Read tabular data files (CSV, TSV, whitespace columns, optionally gzipped) into a `Table`.

Every problem a user can cause is a located `SpecError`: a missing file, a missing column,
a ragged row (file:line), a cell that is not a finite number where one is needed.
"""
from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gamespec.data.file_format import WHITESPACE, RowFix
from gamespec.errors import Span, SpecError

__all__ = ["RowFix", "Table", "load_dataset", "load_table"]

_HEADER_SAMPLE = 50
_LINE_BREAKS = re.compile(r"\r*\n")


@dataclass(frozen=True)
class Table:
    """Named columns of equal length: float64 where every cell is a finite number, else str.

    `lines` holds the 1-based line of the file each row came from, so errors found later
    (a bad cell in a column a spec needs as numbers) can still name file and line.
    """

    name: str
    columns: dict[str, np.ndarray]
    source: str
    lines: np.ndarray | None = None
    notes: tuple[str, ...] = field(default=())
    units: dict[str, str] = field(default_factory=dict)  # column -> unit, when known ("km")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(self.columns)

    @property
    def n_rows(self) -> int:
        for values in self.columns.values():
            return len(values)
        return 0 if self.lines is None else len(self.lines)

    def __len__(self) -> int:
        return self.n_rows

    def line_of(self, row: int) -> int | None:
        """File line (1-based) of data row `row` (0-based), if known."""
        if self.lines is None or not 0 <= row < len(self.lines):
            return None
        return int(self.lines[row])

    def is_numeric(self, column: str) -> bool:
        return self.column(column).dtype == np.float64

    def column(self, column: str, *, span: Span | None = None) -> np.ndarray:
        """The column's values; an unknown name is a SpecError with a did-you-mean hint."""
        try:
            return self.columns[column]
        except KeyError:
            raise _missing_column(column, self.column_names, self.name, self.source, span) from None

    def numeric(self, column: str, *, span: Span | None = None) -> np.ndarray:
        """The column as float64; the first empty, NaN, infinite or non-numeric cell is an
        error naming file, line, 1-based data row and column."""
        values = self.column(column, span=span)
        if values.dtype == np.float64:
            return values
        out = np.empty(len(values), dtype=np.float64)
        for row, cell in enumerate(values):
            number, problem = _parse_number(cell)
            if problem is not None:
                raise self._bad_cell(column, row, problem, span)
            out[row] = number
        out.flags.writeable = False
        return out

    def _bad_cell(self, column: str, row: int, problem: str, span: Span | None) -> SpecError:
        line = self.line_of(row)
        where = f"{self.source}:{line}" if line is not None else self.source
        message = (
            f"{where}: column '{column}' of {self.name!r}, row {row + 1}: {problem}, "
            "where a finite number is needed"
        )
        if span is None and line is not None:
            span = Span(self.source, line, 1)
        return SpecError(
            message,
            span=span,
            hint="fix or remove that row of the data file, or use a column without missing values",
        )


def _parse_number(cell: object) -> tuple[float, str | None]:
    text = str(cell).strip()
    if not text:
        return 0.0, "empty cell"
    try:
        number = float(text)
    except ValueError:
        return 0.0, f"{text!r} is not a number"
    if not np.isfinite(number):
        return 0.0, f"{text!r} is not a finite number"
    return number, None


def _missing_column(
    name: str, available: Sequence[str], label: str, source: str, span: Span | None
) -> SpecError:
    close = difflib.get_close_matches(name, list(available), n=1)
    listing = ", ".join(available) if len(available) <= 40 else ", ".join(available[:40]) + ", ..."
    hint = f"did you mean '{close[0]}'? " if close else ""
    return SpecError(
        f"no column '{name}' in {label!r} ({source})",
        span=span,
        hint=f"{hint}available columns: {listing}",
    )


def _read_text(path: Path, span: Span | None) -> tuple[str, tuple[str, ...]]:
    """The file as text (gunzipped if needed), line breaks normalised to '\\n'."""
    from gamespec.file_limits import gunzip, read_bytes

    try:
        data = read_bytes(path, "data file", span)
    except FileNotFoundError:
        raise SpecError(
            f"data file not found: {path}",
            span=span,
            hint="paths in a spec are relative to the spec file; registered data sets are "
            "loaded by name (gamespec.data.registry.DATASETS)",
        ) from None
    except IsADirectoryError:
        raise SpecError(f"data path is a folder, not a file: {path}", span=span) from None
    except OSError as exc:
        raise SpecError(f"cannot read data file {path}: {exc.strerror}", span=span) from None
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data, path, "data file", span)
    notes: tuple[str, ...] = ()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        text = data.decode("latin-1")
        notes = (f"not UTF-8 (first bad byte on line {line}); read as Latin-1",)
    if "\r" in text:
        text = _LINE_BREAKS.sub("\n", text).replace("\r", "\n")
    return text, notes


def _sniff_delimiter(text: str) -> str:
    """The documented rule (language.md): the first non-blank line's comma, else tab, else
    runs of whitespace. Not csv.Sniffer: it raises "Could not determine delimiter" on
    three of the registered/mirrored data files (creditcard_small.csv, nba
    all_seasons.csv, synthetic_control.txt) and guesses by frequency, not by this rule."""
    for line in text.split("\n", 200)[:200]:
        if line.strip():
            if "," in line:
                return ","
            if "\t" in line:
                return "\t"
            return WHITESPACE
    return ","


def _split_rows(
    text: str, delimiter: str, fixes: dict[int, RowFix], notes: list[str], path: Path
) -> tuple[list[list[str]], list[int]]:
    """Rows of cells (blanks after a delimiter skipped) and the file line each starts on;
    blank lines are skipped and known-bad rows repaired."""
    rows: list[list[str]] = []
    lines: list[int] = []
    if delimiter == WHITESPACE:
        for number, line in enumerate(text.split("\n"), start=1):
            cells = line.split()
            if cells:
                rows.append(cells)
                lines.append(number)
    else:
        reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True
        )
        previous = 0
        for cells in _csv_rows(reader, path):
            number = previous + 1
            previous = reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            rows.append(cells)
            lines.append(number)
    for row, number in zip(rows, lines, strict=True):
        fix = fixes.get(number)
        if fix is not None and fix.applies(row):
            row.insert(fix.insert_at, fix.value)
            notes.append(f"line {number}: inserted {fix.value!r} as field {fix.insert_at + 1}: "
                         f"{fix.reason}")
    return rows, lines


def _csv_rows(reader, path: Path) -> Iterable[list[str]]:
    """The reader's rows; its errors (a field over the csv module's size limit, a NUL)
    become SpecErrors at the file's line."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num or 1
            raise SpecError(f"cannot read this CSV row ({exc})",
                            span=Span(str(path), line, 1),
                            hint="a field over 131,072 characters or a stray quote is "
                            "the usual cause") from None


def _is_number(cell: str) -> bool:
    try:
        return bool(np.isfinite(float(cell)))
    except ValueError:
        return False


def _split_columns(text: str, delimiter: str) -> tuple[list[list[str]], list[list[str]]] | None:
    """(the first rows, every column's cells) of a plain table read column-wise, or None
    when the text needs the row reader (quotes, blank lines, ragged rows, huge fields): a
    million-row file then costs its cells, not a list per row (~350 MB at 10^6 rows)."""
    if not text.strip() or '"' in text:
        return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if max(map(len, lines)) > _FAST_MAX_LINE:
        return None
    if delimiter == WHITESPACE:
        width = len(lines[0].split())
        if width == 0 or any(len(line.split()) != width for line in lines):
            return None
        cells = text.split()
    else:
        width = lines[0].count(delimiter) + 1
        if any(line.count(delimiter) != width - 1 or not line.strip() for line in lines):
            return None
        cells = delimiter.join(lines).split(delimiter)
        if width > 1:
            cells = [cell.lstrip(" ") for cell in cells]  # as skipinitialspace=True
    sample = [cells[k * width:(k + 1) * width] for k in range(min(len(lines),
                                                                   1 + _HEADER_SAMPLE))]
    return sample, [cells[j::width] for j in range(width)]


_FAST_MAX_LINE = 128 * 1024  # longer lines go through the row reader (its field limit)


def _looks_like_header(rows: list[list[str]]) -> bool:
    """A first row is a header when some column is text there but numbers below it (the
    documented rule; csv.Sniffer.has_header is another rule: it samples 1 kB and lets a
    text column vote by cell length)."""
    if len(rows) < 2:
        return False
    first, rest = rows[0], rows[1 : 1 + _HEADER_SAMPLE]
    for j, cell in enumerate(first):
        if _is_number(cell):
            continue
        below = [r[j] for r in rest if j < len(r) and r[j]]
        if below and all(_is_number(c) for c in below):
            return True
    return False


def _column_names(
    header_row: list[str] | None, width: int, column_names: Sequence[str] | None,
    path: Path, span: Span | None,
) -> list[str]:
    if column_names is not None:
        names = [str(n) for n in column_names]
        if len(names) != width:
            raise SpecError(
                f"{path}: {len(names)} column names given but the file has {width} columns",
                span=span,
                hint="give one name per column, in file order",
            )
    elif header_row is not None:
        names = [cell.strip() or f"column_{j + 1}" for j, cell in enumerate(header_row)]
    else:
        names = [f"column_{j + 1}" for j in range(width)]
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        if name in seen:
            raise SpecError(
                f"{path}: column name '{name}' appears twice (columns {seen[name] + 1} "
                f"and {j + 1})",
                span=span,
                hint="rename one of them, or pass column_names",
            )
        seen[name] = j
    return names


def _to_array(cells: Sequence[str]) -> np.ndarray:
    """float64 when every cell is a finite number, else an object array of stripped str."""
    try:
        values = np.array(cells, dtype=np.float64)
    except ValueError:
        values = None
    if values is None or not np.isfinite(values).all():
        values = np.array([cell.strip() for cell in cells], dtype=object)
    values.flags.writeable = False
    return values


def load_table(
    path: str | Path,
    *,
    delimiter: str | None = None,
    header: bool | None = None,
    column_names: Sequence[str] | None = None,
    columns: Iterable[str] | None = None,
    label: str | None = None,
    row_fixes: Iterable[RowFix] = (),
    span: Span | None = None,
) -> Table:
    """Read a delimited text file (`.gz` allowed) into a Table.

    delimiter: None = sniff the first line (comma, else tab, else runs of whitespace);
    "whitespace" or " " = runs of whitespace; any other single character = CSV with it.
    header: None = guess (a column that is text in the first row and numbers below);
    column_names: names to use (replacing the header line when header is True).
    columns: the subset to keep, in that order. label: the table's name in messages.
    span: where the spec asked for this file, to locate missing-file/column errors.
    """
    path = Path(path)
    label = label or path.stem
    text, decode_notes = _read_text(path, span)
    notes = list(decode_notes)
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
    elif delimiter == " ":
        delimiter = WHITESPACE
    elif delimiter != WHITESPACE and len(delimiter) != 1:
        raise SpecError(
            f"delimiter must be one character or 'whitespace', not {delimiter!r}", span=span
        )
    fixes = {fix.line: fix for fix in row_fixes}
    columnwise = None if fixes else _split_columns(text, delimiter)
    if columnwise is not None:
        return _table_from_columns(columnwise, header, column_names, columns, label, path,
                                   notes, span)
    rows, lines = _split_rows(text, delimiter, fixes, notes, path)
    if not rows:
        raise SpecError(f"data file is empty: {path}", span=span)
    if header is None:
        header = _looks_like_header(rows)
    header_row = rows[0] if header else None
    data_rows, data_lines = (rows[1:], lines[1:]) if header else (rows, lines)

    width = len(rows[0])
    for index, row in enumerate(data_rows):
        if len(row) != width:
            line = data_lines[index]
            basis = "the header line" if header else "the first row"
            raise SpecError(
                f"{path}:{line}: row {index + 1} has {len(row)} fields, expected {width} "
                f"(as in {basis})",
                span=Span(str(path), line, 1),
                hint="a field containing the delimiter must be quoted; otherwise fix the row",
            )
    names = _column_names(header_row, width, column_names, path, span)

    wanted = list(columns) if columns is not None else names
    index_of = {name: j for j, name in enumerate(names)}
    for name in wanted:
        if name not in index_of:
            raise _missing_column(name, names, label, str(path), span)

    transposed = list(zip(*data_rows, strict=True)) if data_rows else [() for _ in names]
    table_columns = {name: _to_array(transposed[index_of[name]]) for name in wanted}
    line_array = np.array(data_lines, dtype=np.int64)
    line_array.flags.writeable = False
    return Table(
        name=label, columns=table_columns, source=str(path), lines=line_array, notes=tuple(notes)
    )


def _table_from_columns(columnwise, header, column_names, columns, label, path, notes, span
                        ) -> Table:
    """`load_table`'s result from `_split_columns` (no blank lines: row k is line k + 1)."""
    sample, cells = columnwise
    if header is None:
        header = _looks_like_header(sample)
    width, start = len(cells), 1 if header else 0
    names = _column_names(sample[0] if header else None, width, column_names, path, span)
    wanted = list(columns) if columns is not None else names
    index_of = {name: j for j, name in enumerate(names)}
    for name in wanted:
        if name not in index_of:
            raise _missing_column(name, names, label, str(path), span)
    table_columns = {name: _to_array(cells[index_of[name]][start:]) for name in wanted}
    line_array = np.arange(start + 1, len(cells[0]) + 1, dtype=np.int64)
    line_array.flags.writeable = False
    return Table(name=label, columns=table_columns, source=str(path), lines=line_array,
                 notes=tuple(notes))


def load_dataset(
    name: str,
    *,
    mirror: str | Path | None = None,
    columns: Iterable[str] | None = None,
    span: Span | None = None,
) -> Table:
    """A registered real data set (see gamespec.data.registry), fetched and read with the
    format the registry records for it."""
    from gamespec.data import registry as data_registry

    entry = data_registry.get(name, span=span)
    path = data_registry.fetch(name, mirror=mirror, span=span)
    return load_table(
        path,
        delimiter=entry.delimiter,
        header=entry.header,
        column_names=entry.column_names,
        columns=columns,
        label=name,
        row_fixes=entry.row_fixes,
        span=span,
    )
