"""What every picture shares: the figure, the colours, atomic writing (PNG, PDF, SVG), jump-aware
curves, and the figure data a Result holds (`Result.extra["figures"]`)."""
from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gamespec.errors import SpecError
from gamespec.plots.style import ACCENT, EQUILIBRIUM  # noqa: F401  (the pictures' colours)

if TYPE_CHECKING:  # pragma: no cover - matplotlib is imported when a picture is drawn
    from matplotlib.figure import Figure

    from gamespec.result import Result

DPI = 100  # PNG dots per inch unless a dpi is given (--dpi); sizes are in inches
FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
# no creation date in the file: the same figure gives the same bytes
METADATA = {"pdf": {"CreationDate": None}, "svg": {"Date": None}, "png": {}}


def figure(width: float, height: float) -> Figure:
    """A Figure of width x height inches (no pyplot, no global backend switch) that Jupyter
    shows inline; draw on it inside `gamespec.plots.style.context()`."""
    from gamespec.plots.figure_class import GameFigure

    return GameFigure(figsize=(width, height), dpi=DPI, layout="constrained")


def picture_format(path: str | Path) -> str:
    """png, pdf or svg, from the file's suffix; any other suffix is a usage error (exit 2)."""
    suffix = Path(str(path)).suffix.lower()
    if suffix not in FORMATS:
        raise SpecError(f"cannot write a picture to {path}: unknown format "
                        f"{suffix or '(no suffix)'}; the format follows the file's suffix",
                        hint="name the file .png, .pdf or .svg")
    return FORMATS[suffix]


def check_dpi(dpi) -> int:
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 10 <= dpi <= 2400:
        raise SpecError(f"dpi must be a number from 10 to 2400, not {dpi!r}",
                        hint="e.g. --dpi 300 for print")
    return int(round(dpi))


def render(fig: Figure, fmt: str, dpi: float | None = None) -> bytes:
    """The figure's file content in `fmt` (png, pdf, svg), drawn in the publication style."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from gamespec.plots.style import context

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    with context():
        fig.savefig(buffer, format=fmt, dpi=dpi or DPI, metadata=METADATA[fmt])
    return buffer.getvalue()


def save_figure(fig: Figure, path: str | Path, *, dpi: int | None = None) -> None:
    """Write the figure atomically in the format its suffix names: .png (at `dpi` dots per
    inch, default DPI), .pdf or .svg (vector; `dpi` only sets the resolution of images
    inside). Any other suffix, or a dpi out of [10, 2400], is a usage error (exit 2)."""
    from gamespec.atomic_files import write_atomic_bytes

    fmt = picture_format(path)
    dpi = check_dpi(dpi) if dpi is not None else DPI
    write_atomic_bytes(path, render(fig, fmt, dpi))


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
