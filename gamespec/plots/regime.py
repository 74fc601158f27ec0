"""Which answer holds where: a column of a sweep table (`gamespec sweep --out`) over one
or two of its grid axes, a heat map for a number and one colour per value for labels.
The one implementation behind `gamespec plot TABLE --kind regime` and `sweep --plot`."""
from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gamespec.errors import SpecError
from gamespec.plots import style
from gamespec.plots.common import ACCENT, figure, picture_format, save_figure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

def plot_regime_file(table, out: str | Path | None = None, *, x: str | None = None,
                     y: str | None = None, color: str | None = None, dpi: int | None = None,
                     title: str | None = None) -> Figure:
    """The one regime picture, drawn by `gamespec plot TABLE --kind regime` and by
    `gamespec sweep --plot`: `table` is a sweep table's path (.csv or .json) or the sweep's
    rows (drawn as their CSV reads back, so both give the same picture). x and y default
    to the grid axes in their order (the columns before `method`); written to `out` in the
    format its suffix names (PNG at `dpi`)."""
    from gamespec.sweep_table import read_csv_text, read_table, to_csv

    if out is not None:
        picture_format(out)  # a bad suffix fails before anything is read
    if isinstance(table, (str, Path)):
        rows, title = read_table(str(table)), title or Path(str(table)).name
    else:
        rows = read_csv_text(to_csv(list(table)))
    with style.context():
        fig = style.finish(plot_regime(rows, x=x, y=y, color=color, title=title or "sweep"))
    if out is not None:
        save_figure(fig, out, dpi=dpi)
    return fig


def default_color(rows: list[dict], columns: list[str]) -> str:
    """The column drawn when none is named: the first strategy column holding labels
    (which answer holds where), else the first numeric value or strategy column, else the
    status."""
    def numeric(c):
        return all(_is_number(r.get(c)) for r in rows)

    labels = [c for c in columns if c.startswith("strategy:") and not numeric(c)]
    numbers = [c for c in columns if c.startswith(("value:", "strategy:")) and numeric(c)]
    return (labels or numbers or ["status"])[0]


def readable(column: str) -> str:
    """A column's name as an axis reads it: `value:firm` -> `value of firm`."""
    kind, _, rest = column.partition(":")
    words = {"value": "value of", "strategy": "strategy of", "report": "", "compare": "",
             "run": "", "time": "time:"}
    if rest and kind in words:
        return f"{words[kind]} {rest.replace(':', ' ')}".strip()
    return column


def plot_regime(rows: list[dict], *, x: str | None = None, y: str | None = None,
                color: str | None = None, title: str = "sweep") -> Figure:
    """Which answer holds where: `color` over the (x, y) grid of a sweep (a heat map for a
    number, one colour per value for labels), or over x alone (a curve, or labelled
    points); crosses mark points that are not certified."""
    from gamespec.sweep_table import columns_of

    if not rows:
        raise SpecError("the table has no rows")
    columns = columns_of(rows)
    axes = columns[:columns.index("method")] if "method" in columns else []
    x = _column(x, columns, axes[0] if axes else None, "--x")
    y = _column(y, columns, axes[1] if len(axes) > 1 and axes[1] != x else None, "--y",
                optional=True)
    color = _column(color, columns, default_color(rows, columns), "--color")
    xs = np.array([_as_float(r.get(x), x) for r in rows])
    values = [r.get(color) for r in rows]
    certified = np.array([r.get("certified", True) in (True, "True") for r in rows])
    fig = figure(7.8, 5.8)
    ax = fig.subplots()
    if y is None:
        _one_axis(ax, xs, values, color, certified)
    else:
        ys = np.array([_as_float(r.get(y), y) for r in rows])
        _two_axes(fig, ax, xs, ys, values, color, certified)
        ax.set_ylabel(readable(y))
    ax.set_xlabel(readable(x))
    ax.set_title(f"{readable(color)} ({title})")
    return fig


def _categories(values):
    categories = sorted({str(v) for v in values})
    return categories, np.array([categories.index(str(v)) for v in values], dtype=float)


def _one_axis(ax, xs, values, color, certified) -> None:
    order = np.argsort(xs, kind="stable")
    if all(_is_number(v) for v in values):
        data = np.array(values, dtype=float)
        ax.plot(xs[order], data[order], "o-", color=ACCENT[0], ms=4, label=readable(color))
        ax.set_ylabel(readable(color))
    else:
        categories, data = _categories(values)
        for k, name in enumerate(categories):
            at = data == k
            ax.plot(xs[at], data[at], "o", ms=8, color=ACCENT[k % len(ACCENT)], label=name)
        ax.set_yticks(range(len(categories)), categories)
        ax.set_ylim(-0.5, len(categories) - 0.5)
        ax.set_ylabel(readable(color))
    if (~certified).any():
        ax.plot(xs[~certified], data[~certified], "x", color="black", ms=9, mew=2,
                label="not certified")
        ax.legend(loc="best")
    ax.grid(alpha=0.3)


def _two_axes(fig, ax, xs, ys, values, color, certified) -> None:
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    numeric = all(_is_number(v) for v in values)
    if numeric:
        data, categories = np.array(values, dtype=float), []
        cmap, norm = style.SEQUENTIAL, None
    else:
        categories, data = _categories(values)
        cmap = ListedColormap([ACCENT[k % len(ACCENT)] for k in range(len(categories))])
        norm = BoundaryNorm(np.arange(len(categories) + 1) - 0.5, len(categories))
    ux, uy = np.unique(xs), np.unique(ys)
    if len(ux) * len(uy) == len(xs) and len(set(zip(xs, ys))) == len(xs):
        grid = np.full((len(uy), len(ux)), np.nan)
        grid[np.searchsorted(uy, ys), np.searchsorted(ux, xs)] = data
        mesh = ax.pcolormesh(ux, uy, grid, shading="nearest", cmap=cmap, norm=norm)
    else:
        mesh = ax.scatter(xs, ys, c=data, cmap=cmap, norm=norm, s=90, marker="s")
    ax.plot(xs[certified], ys[certified], ".", color="black", ms=3, alpha=0.6)
    marks = [Line2D([], [], ls="none", marker=".", color="black", label="grid point")]
    if (~certified).any():
        ax.plot(xs[~certified], ys[~certified], "x", color="black", ms=9, mew=2)
        marks.append(Line2D([], [], ls="none", marker="x", color="black", mew=2,
                            label="not certified"))
    if numeric:
        bar = fig.colorbar(mesh, ax=ax, label=readable(color))
        bar.formatter.set_useOffset(False)
        fig.legend(handles=marks, loc="outside lower center", ncols=len(marks))
    else:
        handles = [Patch(color=cmap(k), label=c) for k, c in enumerate(categories)]
        ax.legend(handles=handles + marks, title=readable(color), loc="upper left",
                  bbox_to_anchor=(1.01, 1))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _column(name, columns, default, flag, optional=False):
    if name is None:
        if default is None and not optional:
            raise SpecError(f"say which column to draw with {flag}",
                            hint="columns: " + ", ".join(columns))
        return default
    if name not in columns:
        close = difflib.get_close_matches(name, columns, n=1)
        raise SpecError(f"{flag}: the table has no column `{name}`",
                        hint=f"did you mean `{close[0]}`?" if close else
                        "columns: " + ", ".join(columns))
    return name


def _as_float(value, column: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SpecError(f"column `{column}` holds {value!r}, not a number") from None
    if not math.isfinite(number):
        raise SpecError(f"column `{column}` holds {value!r}, not a finite number")
    return number
