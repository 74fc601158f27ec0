"""Sweep tables: rows to CSV / JSON text (`gamespec sweep --out`) and back (`read_table`),
shared by gamespec.sweep and the regime plot (gamespec.plots.regime)."""
from __future__ import annotations

import csv
import io
import json

import numpy as np

from gamespec.errors import SpecError

__all__ = ["columns_of", "read_csv_text", "read_table", "rows_to_dataframe", "to_csv",
           "to_json"]


def columns_of(rows: list[dict]) -> list[str]:
    names: list[str] = []
    for row in rows:
        for key in row:
            if key not in names:
                names.append(key)
    return names


def to_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns_of(rows), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _cell(value):
    if isinstance(value, float):
        return repr(value)
    return value


def to_json(rows: list[dict]) -> str:
    def clean(v):
        if isinstance(v, float) and not np.isfinite(v):
            return str(v)
        return v

    return json.dumps([{k: clean(v) for k, v in row.items()} for row in rows], indent=1)


def read_table(path: str) -> list[dict]:
    """A sweep table written by `gamespec sweep --out` (.csv or .json) back as rows:
    numbers as floats, `certified` as a bool, other cells as text."""
    from pathlib import Path

    p = Path(path)
    if not p.is_file():
        raise SpecError(f"table not found: {path}")
    from gamespec.file_limits import read_bytes

    text = read_bytes(p, "table").decode("utf-8", errors="replace")
    if p.suffix.lower() == ".json":
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise SpecError(f"{path}: expected a list of rows (objects), as sweep --out writes")
        return [{k: _typed(v) for k, v in r.items()} for r in rows]
    return read_csv_text(text, path)


def read_csv_text(text: str, path: str = "the table") -> list[dict]:
    """Rows of a CSV sweep table, typed as `read_table` types them."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise SpecError(f"{path}: the table is empty")
    return [{k: _typed(v) for k, v in r.items() if k is not None} for r in reader]


def _typed(value):
    if not isinstance(value, str):
        return value
    if value in ("True", "False"):
        return value == "True"
    try:
        return float(value)
    except ValueError:
        return value


def rows_to_dataframe(rows: list[dict]):
    """Sweep rows (from run_sweep or read_table) as a pandas DataFrame, one row per grid
    point, columns in first-seen order. pandas is optional: imported here, on first use."""
    try:
        import pandas
    except ImportError:
        raise SpecError("sweep_dataframe() needs pandas, which gamespec does not install",
                        hint="pip install pandas") from None
    return pandas.DataFrame(list(rows), columns=columns_of(rows))
