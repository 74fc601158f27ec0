"""Which answer holds where: a column of a sweep table (`gamespec sweep --out`) over one
or two of its grid axes, a heat map for a number and one colour per value for labels."""
from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gamespec.errors import SpecError
from gamespec.plots.common import ACCENT, figure, save_figure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

def plot_regime_file(path: str | Path, out: str | Path | None = None, *, x: str | None = None,
                     y: str | None = None, color: str | None = None) -> Figure:
    """`gamespec plot TABLE --kind regime`: read a sweep table and draw it."""
    from gamespec.sweep_table import read_table

    rows = read_table(str(path))
    fig = plot_regime(rows, x=x, y=y, color=color, title=Path(str(path)).name)
    if out is not None:
        save_figure(fig, out)
    return fig


def plot_regime(rows: list[dict], *, x: str | None = None, y: str | None = None,
                color: str | None = None, title: str = "sweep") -> Figure:
    """Which answer holds where: `color` over the (x, y) grid of a sweep (a heat map for a
    number, one colour per value for labels); crosses mark points that are not certified."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    from gamespec.sweep_table import columns_of

    if not rows:
        raise SpecError("the table has no rows")
    columns = columns_of(rows)
    axes = columns[:columns.index("method")] if "method" in columns else []
    x = _column(x, columns, axes[0] if axes else None, "--x")
    y = _column(y, columns, axes[1] if len(axes) > 1 and axes[1] != x else None, "--y",
                optional=True)
    default = next((c for c in columns if c.startswith("strategy:")),
                   next((c for c in columns if c.startswith("value:")), "status"))
    color = _column(color, columns, default, "--color")
    xs = np.array([_as_float(r.get(x), x) for r in rows])
    values = [r.get(color) for r in rows]
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    certified = np.array([r.get("certified", True) in (True, "True") for r in rows])
    fig = figure(7.8, 5.8)
    ax = fig.subplots()
    if numeric:
        data = np.array(values, dtype=float)
        categories: list = []
    else:
        categories = sorted({str(v) for v in values})
        data = np.array([categories.index(str(v)) for v in values], dtype=float)
    if numeric:
        cmap, norm = "viridis", None
    else:
        palette = [ACCENT[k % len(ACCENT)] for k in range(len(categories))]
        cmap = ListedColormap(palette)
        norm = BoundaryNorm(np.arange(len(categories) + 1) - 0.5, len(categories))
    if y is None:
        order = np.argsort(xs)
        if numeric:
            ax.plot(xs[order], data[order], "o-", color=ACCENT[0])
            ax.set_ylabel(color)
        else:
            ax.scatter(xs, data, c=data, cmap=cmap, norm=norm, s=60)
            ax.set_yticks(range(len(categories)), categories)
            ax.set_ylabel(color)
        ax.set_xlabel(x)
    else:
        ys = np.array([_as_float(r.get(y), y) for r in rows])
        ux, uy = np.unique(xs), np.unique(ys)
        if len(ux) * len(uy) == len(rows) and len(set(zip(xs, ys))) == len(rows):
            grid = np.full((len(uy), len(ux)), np.nan)
            grid[np.searchsorted(uy, ys), np.searchsorted(ux, xs)] = data
            mesh = ax.pcolormesh(ux, uy, grid, shading="nearest", cmap=cmap, norm=norm)
        else:
            mesh = ax.scatter(xs, ys, c=data, cmap=cmap, norm=norm, s=90, marker="s")
        if numeric:
            fig.colorbar(mesh, ax=ax, label=color)
        else:
            handles = [Patch(color=cmap(k), label=c) for k, c in enumerate(categories)]
            ax.legend(handles=handles, title=color, loc="upper left", bbox_to_anchor=(1.01, 1),
                      fontsize=9)
        ax.plot(xs[certified], ys[certified], ".", color="black", ms=3, alpha=0.6)
        if (~certified).any():
            ax.plot(xs[~certified], ys[~certified], "x", color="black", ms=9, mew=2)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
    over = f"{x} and {y}" if y is not None else x
    crosses = "; x: not certified" if (~certified).any() else ""
    ax.set_title(f"{color} over {over} ({title}; dots: grid points{crosses})", fontsize=11)
    return fig


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
