"""Pictures of games and their answers (matplotlib, Agg; PNGs written atomically).

One module per kind of picture; each draws a Result's figure data
(`Result.extra["figures"][KIND]`, docs/results.md) and never solves, integrates or
evaluates the spec: the solvers sample what their pictures need when asked
(`figures = true`). `plot_game` solves first, through the one run path
(`gamespec.plan`, as `gamespec.api.solve_model` does), only when it is given no Result. Figures are
`matplotlib.figure.Figure` objects (no pyplot, no global backend switch), so a notebook
shows the returned Figure and a script writes a PNG of a fixed pixel size.
"""
from __future__ import annotations

import difflib
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gamespec.errors import SpecError
from gamespec.plots.common import figure_data, figures_of, save_png
from gamespec.plots.kinds import KINDS, RESULT_KINDS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from gamespec.result import Result

__all__ = ["KINDS", "default_kind", "is_table_path", "plot_game", "plot_regime",
           "plot_regime_file", "plot_result", "save_png"]

# kind -> the module that draws it (imported when drawn: matplotlib loads on first use)
MODULES = {"best-response": "best_response", "leader": "leader", "channel": "channel",
           "distribution": "distribution", "trajectory": "trajectory",
           "payoff-table": "payoff_table"}


def is_table_path(path: str | Path) -> bool:
    """A sweep table (.csv or .json), as opposed to a .game spec."""
    return Path(str(path)).suffix.lower() in (".csv", ".json")


def plot_game(model, kind: str | None = None, path: str | Path | None = None, *,
              result: Result | None = None, method: str | None = None, seed: int = 0,
              **options: Any) -> Figure:
    """Draw `kind` of the model's answer: `result`'s figure data, or (without a result)
    a solve with `figures = true` through the one run path (`gamespec.plan`) first. Writes the
    PNG to `path` when given; returns the matplotlib Figure. Options: `profile` and
    `series` (distribution)."""
    _check_kind(kind)
    if result is None:
        from gamespec.plan import build_plan, run_plan

        result = run_plan(model, build_plan(model, method, seed=seed,
                                            options={"figures": True}))
    return plot_result(result, kind, path, **options)


def plot_result(result: Result, kind: str | None = None, path: str | Path | None = None,
                **options: Any) -> Figure:
    """Draw `kind` (default: the result's first picture) from the result alone."""
    _check_kind(kind)
    kind = kind if kind is not None else default_kind(result)
    data = figure_data(result, kind)
    draw = importlib.import_module(f"gamespec.plots.{MODULES[kind]}").draw
    fig = draw(data, result, **{k: v for k, v in options.items() if v is not None})
    if path is not None:
        save_png(fig, path)
    return fig


def default_kind(result: Result) -> str:
    """The picture `gamespec solve --plot` draws: the first one the solver recorded."""
    kinds = [k for k in figures_of(result) if k in RESULT_KINDS]
    if not kinds:
        raise SpecError(f"the {result.method} result has no picture to draw")
    return kinds[0]


def _check_kind(kind: str | None) -> None:
    if kind is None or kind in RESULT_KINDS:
        return
    if kind in KINDS:  # a table kind
        raise SpecError("a regime plot draws a sweep table, not a spec",
                        hint="gamespec sweep FILE --grid ... --out table.csv, then "
                             "gamespec plot table.csv --kind regime --x COL --y COL --color COL")
    close = difflib.get_close_matches(str(kind), KINDS, n=1)
    raise SpecError(f"unknown plot kind `{kind}`",
                    hint=f"did you mean `{close[0]}`?" if close else "kinds: " + ", ".join(KINDS))


def plot_regime_file(path: str | Path, out: str | Path | None = None, **options: Any) -> Figure:
    """`gamespec plot TABLE --kind regime`: read a sweep table and draw it."""
    from gamespec.plots.regime import plot_regime_file as draw_file

    return draw_file(path, out, **options)


def plot_regime(rows: list[dict], **options: Any) -> Figure:
    """Which answer holds where, over the grid of a sweep (see gamespec.plots.regime)."""
    from gamespec.plots.regime import plot_regime as draw_rows

    return draw_rows(rows, **options)
