"""Pictures of games and their answers (matplotlib, Agg; PNGs written atomically).

One module per kind of picture; each draws a Result's figure data
(`Result.extra["figures"][KIND]`, docs/results.md) and never solves, integrates or
evaluates the spec: the solvers sample what their pictures need when asked
(`figures = true`). `plot_game` solves first, through the one run path
(`gamespec.api.solve_model`), only when it is given no Result; `plot_result`
(gamespec.plots.from_result, which the API imports) draws from a Result alone. Figures are
matplotlib Figures (no pyplot, no global backend switch) that a notebook shows inline, drawn
in one publication style (gamespec.plots.style); a file's format follows its suffix (.png at
a chosen dpi, .pdf, .svg), written atomically.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from gamespec.plots.common import picture_format, save_figure
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
              dpi: int | None = None, **options: Any) -> Figure:
    """Draw `kind` of the model's answer: `result`'s figure data, or (without a result)
    a solve with `figures = true` through the one run path, `gamespec.api.solve_model`,
    first. Writes `path` when given (PNG, PDF or SVG as its suffix says; PNG at `dpi`);
    returns the Figure. Options: `profile` and `series` (distribution)."""
    check_kind(kind)
    if path is not None:
        picture_format(path)  # a bad suffix fails before the solve
    if result is None:
        from gamespec.api import solve_model

        result = solve_model(model, method, seed, options={"figures": True})
    return plot_result(result, kind, path, dpi=dpi, **options)


def plot_regime_file(table, out: str | Path | None = None, **options: Any) -> Figure:
    """`gamespec plot TABLE --kind regime` and `gamespec sweep --plot`: draw a sweep table
    (a .csv/.json path, or the sweep's rows); see gamespec.plots.regime."""
    from gamespec.plots.regime import plot_regime_file as draw_file

    return draw_file(table, out, **options)


def plot_regime(rows: list[dict], **options: Any) -> Figure:
    """Which answer holds where, over the grid of a sweep (see gamespec.plots.regime)."""
    from gamespec.plots.regime import plot_regime as draw_rows

    return draw_rows(rows, **options)
