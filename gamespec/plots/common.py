"""What every picture shares: the figure, the colours, atomic writing (PNG, PDF, SVG), jump-aware
curves, and the figure data a Result holds (`Result.extra["figures"]`)."""
from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gamespec.errors import SpecError

if TYPE_CHECKING:  # pragma: no cover - matplotlib is imported when a picture is drawn
    from matplotlib.figure import Figure

    from gamespec.result import Result

DPI = 100
EQUILIBRIUM = "#d62728"  # the answer is drawn in red everywhere
ACCENT = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")


def figure(width: float, height: float) -> Figure:
    """A Figure of width x height inches (no pyplot, no global backend switch)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}


def save_figure(fig: Figure, path: str | Path) -> None:
    """Render the figure and write it atomically, in the format its suffix names (.png at
    DPI dots per inch, or the vector formats .pdf and .svg)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from gamespec.atomic_files import write_atomic_bytes

    suffix = Path(str(path)).suffix.lower()
    if suffix not in FORMATS:
        raise SpecError(f"cannot write a picture to {path}: unknown format "
                        f"{suffix or '(no suffix)'}",
                        hint="name the file .png, .pdf or .svg")
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=FORMATS[suffix], dpi=DPI)
    write_atomic_bytes(path, buffer.getvalue())


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
