"""What every picture shares: the figure, the colours, jump-aware curves, and the figure
data a Result holds (`Result.extra["figures"]`); writing files is gamespec.plots.files."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gamespec.errors import SpecError
from gamespec.plots.style import ACCENT, EQUILIBRIUM  # noqa: F401  (the pictures' colours)

if TYPE_CHECKING:  # pragma: no cover - matplotlib is imported when a picture is drawn
    from matplotlib.figure import Figure

    from gamespec.result import Result

from gamespec.plots.files import DPI, picture_format, save_figure  # noqa: F401


def figure(width: float, height: float) -> Figure:
    """A Figure of width x height inches (no pyplot, no global backend switch) that Jupyter
    shows inline; draw on it inside `gamespec.plots.style.context()`."""
    from gamespec.plots.figure_class import GameFigure

    return GameFigure(figsize=(width, height), dpi=DPI, layout="constrained")


def figures_of(result: Result) -> dict:
    """The result's figure data; a result solved without `figures = true` has none."""
    figures = result.extra.get("figures")
    if not isinstance(figures, dict) and result.extra.get("tree_equilibria") is not None:
        raise SpecError(f"the {result.method} method draws no picture: game trees have none "
                        "yet", hint="`gamespec export FILE --format efg` opens the tree in "
                        "Gambit's viewer")
    if not isinstance(figures, dict):
        raise SpecError(f"the {result.method} result holds no figure data",
                        hint="solve with the option figures=True (game.solve(figures=True), "
                             "or `gamespec solve FILE --plot PNG`), or let the plot solve")
    return figures


def figure_data(result: Result, kind: str) -> dict:
    """The data of one picture, or a SpecError naming the pictures the result has."""
    figures = figures_of(result)
    data = figures.get(kind)
    if data is None:
        why = figures.get("unavailable", {}).get(kind)
        has = ", ".join(k for k in figures if k != "unavailable") or "none"
        raise SpecError(f"the {result.method} result has no {kind} picture"
                        + (f": {why}" if why else ""),
                        hint=f"pictures of this result: {has}")
    return data


def curve(ax, xs, ys, scale_x: float, scale_y: float, **style) -> None:
    """Plot a curve without drawing across its jumps (steps of more than 5% of the
    scale in x or y; a scale of 0 ignores that axis); points cut off on both sides are
    drawn as dots."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    with np.errstate(invalid="ignore"):
        jump = np.zeros(max(xs.size - 1, 0), dtype=bool)
        for values, scale in ((xs, scale_x), (ys, scale_y)):
            if scale:  # a scale of 0: never a jump along this axis
                jump |= np.abs(np.diff(values)) > 0.05 * scale
    at = np.nonzero(jump)[0] + 1
    (line,) = ax.plot(np.insert(xs, at, np.nan), np.insert(ys, at, np.nan), **style)
    cut = np.zeros(xs.size + 1, dtype=bool)
    cut[at] = True
    cut[0] = cut[-1] = True
    alone = cut[:-1] & cut[1:] & np.isfinite(ys)
    if alone.any():
        ax.plot(xs[alone], ys[alone], "o", ms=4, color=line.get_color())


def floats(values) -> np.ndarray:
    """A list from the figure data as a float array (JSON's "nan" strings back to NaN)."""
    return np.array([float(v) for v in values], dtype=float)
