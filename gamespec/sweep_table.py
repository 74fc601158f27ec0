"""Sweep tables: rows to CSV / JSON text (`gamespec sweep --out`) and back (`read_table`),
shared by gamespec.sweep, `Game.sweep` and the regime plot (gamespec.plots.regime).

One row per grid point, one plain value per cell: the grid's parameters (whole numbers as
integers), `value:PLAYER`, `strategy:PLAYER` (a pure choice, or `mixed`), and a
distribution spread over columns `strategy:PLAYER:ACTION` (or
`strategy:PLAYER:GIVEN:ACTION` for a conditioned one), numeric labels in numeric order;
never JSON text in a cell."""
from __future__ import annotations

import csv
import io
import json

import numpy as np

from gamespec.errors import SpecError

__all__ = ["columns_of", "read_csv_text", "read_table", "rows_to_dataframe", "strategy_cells",
           "to_csv", "to_json"]

MAX_CELLS_PER_STRATEGY = 24  # a larger distribution (a 30 x 30 channel) is left to --full
PROBABILITY_SHOWN = 1e-12  # a probability above this is in the support


def strategy_cells(player: str, strategy, actions: tuple | None = None) -> dict:
    """A player's strategy as row cells: a choice as `strategy:PLAYER` (a numeric label as
    its number); a distribution (or a conditioned one, or a choice per type) spread over
    `strategy:PLAYER:KEY[:KEY]` columns, numeric keys in numeric order, and for a
    distribution `strategy:PLAYER` too: its one choice when it is pure, else `mixed`; none
    when it has more than MAX_CELLS_PER_STRATEGY entries. `actions`: the player's strategy
    set; a choice or a distribution over it is spread over all its actions (a pure choice
    as 1 and 0), so every point of a sweep fills the same columns."""
    from gamespec.tidy_table import label

    spread = _over_actions(strategy, actions)
    if spread is not None:
        strategy = spread
    elif isinstance(strategy, bool) or isinstance(strategy, (int, float, str)):
        return {f"strategy:{player}": label(strategy)}
    if not isinstance(strategy, dict):
        return {}
    return _dict_cells(player, strategy)


def _over_actions(strategy, actions) -> dict | None:
    """A choice or a flat distribution as a distribution over every action, or None."""
    if not actions or len(actions) > MAX_CELLS_PER_STRATEGY or isinstance(strategy, bool):
        return None
    names = [str(a) for a in actions]
    if isinstance(strategy, (int, float, str)):
        return {a: 1.0 if a == str(strategy) else 0.0 for a in names} \
            if str(strategy) in names else None
    if isinstance(strategy, dict) and strategy and set(map(str, strategy)) <= set(names) \
            and not any(isinstance(v, dict) for v in strategy.values()):
        given = {str(k): v for k, v in strategy.items()}
        return {a: given.get(a, 0.0) for a in names}
    return None


def _dict_cells(player: str, strategy: dict) -> dict:
    from gamespec.tidy_table import label, ordered

    cells: dict = {}
    numbers = list(strategy.values())
    if numbers and all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                       and 0 <= v <= 1 for v in numbers) and abs(sum(numbers) - 1) <= 1e-9:
        support = [k for k, v in strategy.items() if v > PROBABILITY_SHOWN]
        cells[f"strategy:{player}"] = label(support[0]) if len(support) == 1 else "mixed"
    for key in ordered(strategy):
        inner = strategy[key]
        if isinstance(inner, dict):
            for action in ordered(inner):
                cells[f"strategy:{player}:{key}:{action}"] = _plain(inner[action])
        else:
            cells[f"strategy:{player}:{key}"] = _plain(inner)
        if len(cells) > MAX_CELLS_PER_STRATEGY:
            return {}
    return {k: v for k, v in cells.items() if isinstance(v, (bool, int, float, str))}


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def columns_of(rows: list[dict]) -> list[str]:
    """The columns in first-seen order, a column `A:B:C` right after its column `A:B` (or
    `A`): a distribution's cells beside the player's choice."""
    first: dict[str, int] = {}
    for row in rows:
        for key in row:
            first.setdefault(key, len(first))

    def family(name: str) -> str:
        parts = name.split(":")
        for k in range(len(parts) - 1, 1, -1):
            if ":".join(parts[:k]) in first:
                return ":".join(parts[:k])
        return name

    return sorted(first, key=lambda c: (first[family(c)], c != family(c), first[c]))


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
    whole numbers written without a point as ints, other numbers as floats, `certified`
    as a bool, other cells as text."""
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
    if value.lstrip("+-").isdigit() and value.isascii():
        return int(value)
    try:
        return float(value)
    except ValueError:
        return value


def full_rows(results: list[dict], points: list[dict]) -> list[dict]:
    """`sweep --full` results (each point's `solve --json` object, or an error object) as
    one long table: the point's parameters, then the result's tidy rows
    (gamespec.tidy_table), `status` and `reason` on the row of a point that failed."""
    from types import SimpleNamespace

    from gamespec.tidy_table import tidy_columns, tidy_rows

    found: list[tuple[dict, list[dict] | None, dict]] = []
    for point, result in zip(points, results):
        if result.get("status") == "error":
            found.append((point, None, result))
            continue
        view = SimpleNamespace(method=result.get("method", ""), extra=result,
                               strategies=result.get("strategies", {}),
                               values=result.get("values", {}))
        found.append((point, tidy_rows(view), result))
    columns = tidy_columns([row for _, tidy, _ in found for row in tidy or []])
    rows: list[dict] = []
    for point, tidy, result in found:
        if tidy is None:
            rows.append({**point, **dict.fromkeys(columns), "status": "error",
                         "reason": result.get("reason", "")})
        else:
            rows += [{**point, **{c: row.get(c) for c in columns}} for row in tidy]
    return rows


def rows_to_dataframe(rows: list[dict]):
    """Sweep rows (from run_sweep or read_table) as a pandas DataFrame, one row per grid
    point, columns in first-seen order (a column of whole numbers as integers). pandas is
    optional: imported here, on first use."""
    try:
        import pandas
    except ImportError:
        raise SpecError("sweep_dataframe() needs pandas, which gamespec does not install",
                        hint="pip install pandas") from None
    return pandas.DataFrame(list(rows), columns=columns_of(rows))
