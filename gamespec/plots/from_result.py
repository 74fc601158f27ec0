"""Drawing from a Result alone: the picture of one kind from the Result's figure data,
by the module that draws that kind. Never solves (gamespec.plots.plot_game solves first
when it has no Result; Game.plot does the same through gamespec.api)."""
from __future__ import annotations

import difflib
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gamespec.errors import SpecError
from gamespec.plots import style
from gamespec.plots.common import figure_data, figures_of, picture_format, save_figure
from gamespec.plots.kinds import KINDS, RESULT_KINDS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from gamespec.result import Result

# kind -> the module that draws it (imported when drawn: matplotlib loads on first use)
MODULES = {"best-response": "best_response", "leader": "leader", "channel": "channel",
           "distribution": "distribution", "trajectory": "trajectory",
           "payoff-table": "payoff_table", "logit-path": "logit_path", "shares": "shares"}


def plot_result(result: Result, kind: str | None = None, path: str | Path | None = None, *,
                dpi: int | None = None, **options: Any) -> Figure:
    """Draw `kind` (default: the result's first picture) from the result alone, in the
    publication style; write it to `path` (format from the suffix, PNG at `dpi`)."""
    check_kind(kind)
    if path is not None:
        picture_format(path)  # a bad suffix fails before any drawing
    kind = kind if kind is not None else default_kind(result)
    data = figure_data(result, kind)
    draw = importlib.import_module(f"gamespec.plots.{MODULES[kind]}").draw
    with style.context():
        fig = style.finish(draw(data, result, **{k: v for k, v in options.items()
                                                 if v is not None}))
    if path is not None:
        save_figure(fig, path, dpi=dpi)
    return fig


def default_kind(result: Result) -> str:
    """The picture `gamespec solve --plot` draws: the first one the solver recorded."""
    kinds = [k for k in figures_of(result) if k in RESULT_KINDS]
    if not kinds:
        raise SpecError(f"the {result.method} result has no picture to draw")
    return kinds[0]


def check_kind(kind: str | None) -> None:
    if kind is None or kind in RESULT_KINDS:
        return
    if kind in KINDS:  # a table kind
        raise SpecError("a regime plot draws a sweep table, not a spec",
                        hint="gamespec sweep FILE --grid ... --out table.csv, then "
                             "gamespec plot table.csv --kind regime --x COL --y COL --color COL")
    close = difflib.get_close_matches(str(kind), KINDS, n=1)
    raise SpecError(f"unknown plot kind `{kind}`",
                    hint=f"did you mean `{close[0]}`?" if close else "kinds: " + ", ".join(KINDS))
