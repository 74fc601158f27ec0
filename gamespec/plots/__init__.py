"""Pictures of games and their answers (matplotlib, Agg; PNGs written atomically).

One module per kind of picture; each draws a Result's figure data
(`Result.extra["figures"][KIND]`, docs/results.md) and never solves, integrates or
evaluates the spec: the solvers sample what their pictures need when asked
(`figures = true`). `plot_game` solves first, through the one run path
(`gamespec.api.solve_model`), only when it is given no Result; `plot_result`
(gamespec.plots.from_result, which the API imports) draws from a Result alone. Figures are
`matplotlib.figure.Figure` objects (no pyplot, no global backend switch), so a notebook
shows the returned Figure and a script writes a PNG of a fixed pixel size.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from gamespec.plots.common import save_figure
from gamespec.plots.from_result import check_kind, default_kind, plot_result
from gamespec.plots.kinds import KINDS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from gamespec.result import Result

__all__ = ["KINDS", "default_kind", "is_table_path", "plot_game", "plot_regime",
           "plot_regime_file", "plot_result", "save_figure"]


def is_table_path(path: str | Path) -> bool:
    """A sweep table (.csv or .json), as opposed to a .game spec."""
    return Path(str(path)).suffix.lower() in (".csv", ".json")


def plot_game(model, kind: str | None = None, path: str | Path | None = None, *,
              result: Result | None = None, method: str | None = None, seed: int = 0,
              **options: Any) -> Figure:
    """Draw `kind` of the model's answer: `result`'s figure data, or (without a result)
    a solve with `figures = true` through the one run path, `gamespec.api.solve_model`,
    first. Writes the PNG to `path` when given; returns the matplotlib Figure. Options:
    `profile` and `series` (distribution)."""
    check_kind(kind)
    if result is None:
        from gamespec.api import solve_model

        result = solve_model(model, method, seed, options={"figures": True})
    return plot_result(result, kind, path, **options)


def plot_regime_file(path: str | Path, out: str | Path | None = None, **options: Any) -> Figure:
    """`gamespec plot TABLE --kind regime`: read a sweep table and draw it."""
    from gamespec.plots.regime import plot_regime_file as draw_file

    return draw_file(path, out, **options)


def plot_regime(rows: list[dict], **options: Any) -> Figure:
    """Which answer holds where, over the grid of a sweep (see gamespec.plots.regime)."""
    from gamespec.plots.regime import plot_regime as draw_rows

    return draw_rows(rows, **options)
