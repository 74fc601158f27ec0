"""The one publication style of every picture: font sizes, line widths, a colour-blind safe
palette (Okabe and Ito's) and colour maps (viridis, cividis), no offset notation on the
axes, fonts embedded as text in PDF and SVG, and a final pass that every figure gets.

Drawing and writing both happen inside `context()`: matplotlib reads its settings when an
artist is made and when a file is written, and the global settings are never changed."""
from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

# Okabe-Ito: distinguishable under the common colour-vision deficiencies
BLUE, ORANGE, GREEN, PINK, SKY, VERMILLION, YELLOW = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
ACCENT = (BLUE, ORANGE, GREEN, PINK, SKY, "#000000")  # series, in order
EQUILIBRIUM = VERMILLION  # the answer, in every picture
SEQUENTIAL = "viridis"  # numbers on a colour scale
PROBABILITY = "cividis"  # probabilities in [0, 1]
CHANNEL = "magma_r"  # a sparse matrix of probabilities: 0 is white

RC = {
    "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "figure.titlesize": 12,
    "xtick.labelsize": 9, "ytick.labelsize": 9, "legend.fontsize": 9,
    "legend.title_fontsize": 9, "legend.framealpha": 0.9,
    "lines.linewidth": 1.8, "lines.markersize": 6, "axes.linewidth": 0.8,
    "axes.grid": False, "grid.alpha": 0.3, "grid.linewidth": 0.6,
    "axes.formatter.useoffset": False, "axes.formatter.limits": (-4, 5),
    "axes.prop_cycle": None,  # set below (needs matplotlib's cycler)
    "image.cmap": SEQUENTIAL,
    "pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none",  # text stays text
    "svg.hashsalt": "gamespec",  # the same figure, the same file
    "savefig.facecolor": "white",
}


def rc() -> dict:
    from cycler import cycler

    return {**RC, "axes.prop_cycle": cycler(color=list(ACCENT))}


@contextlib.contextmanager
def context():
    """The publication style for the drawing (or writing) done inside."""
    import matplotlib

    with matplotlib.rc_context(rc()):
        yield


def plain(text: str) -> str:
    """A label as it reads in a picture: no Markdown backticks."""
    return text.replace("`", "")


def finish(fig: Figure) -> Figure:
    """The pass every figure gets: no Markdown backticks in any text, no offset notation,
    every axis labelled (an axis left without a label is a bug of its picture)."""
    from matplotlib.text import Text

    _wrap_suptitle(fig)
    for text in fig.findobj(Text):
        content = text.get_text()
        if "`" in content:
            text.set_text(plain(content))
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if hasattr(formatter, "set_useOffset"):
                formatter.set_useOffset(False)
    for _ in range(2):  # the constrained layout settles, then stays: every write of the
        fig.draw_without_rendering()  # figure, in any format, has the same layout and bytes
    if _fit_labels(fig):  # a label longer than its axes went onto more lines: settle again
        for _ in range(2):
            fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return fig


def _fit_labels(fig: Figure) -> bool:
    """Axis labels and titles longer than their axes (or reaching outside the figure: cut
    off in the file) go onto more lines; True if any changed."""
    renderer = fig._get_renderer()
    changed = False
    for ax in fig.axes:
        span = ax.get_position().transformed(fig.transFigure)
        for text, length in ((ax.yaxis.label, span.height), (ax.xaxis.label, span.width),
                             (ax.title, span.width)):
            content = text.get_text()
            if not text.get_visible() or not content.strip():
                continue
            box = text.get_window_extent(renderer)
            extent = box.height if text.get_rotation() % 180 == 90 else box.width
            if extent <= length + 1 and _inside(box, fig.bbox):
                continue
            longest = len(max(content.split("\n"), key=len))
            lines = wrap(content, 0.9 * longest * length / extent)
            if lines != content:
                text.set_text(lines)
                changed = True
    return changed


def _inside(box, frame) -> bool:
    return (box.x0 >= frame.x0 - 1 and box.y0 >= frame.y0 - 1 and box.x1 <= frame.x1 + 1
            and box.y1 <= frame.y1 + 1)


def wrap(text: str, chars: float) -> str:
    """`text` on lines of at most `chars` characters where it can: broken at spaces, and a
    longer name also after an underscore (where it still reads on)."""
    import re

    width = max(int(chars), 8)
    lines = []
    for line in text.split("\n"):
        current = ""
        for word in line.split():
            pieces = [word] if len(word) <= width else re.findall(r"[^_]*_|[^_]+$", word)
            for k, piece in enumerate(pieces):
                gap = " " if k == 0 and current else ""
                if current and len(current) + len(gap) + len(piece) > width:
                    lines.append(current)
                    current = piece
                else:
                    current += gap + piece
        lines.append(current)
    return "\n".join(lines)


def _wrap_suptitle(fig: Figure) -> None:
    """A figure title longer than the figure is wide goes onto more lines."""
    title = fig._suptitle
    if title is None:
        return
    chars = int(fig.get_size_inches()[0] * 72 / (0.6 * title.get_fontsize()))
    title.set_text(wrap(title.get_text(), chars))


def unlabelled_axes(fig: Figure) -> list[str]:
    """The axes of a figure with a visible axis but no label (tests call this)."""
    missing = []
    for k, ax in enumerate(fig.axes):
        if ax.get_label() == "<colorbar>" or not ax.axison:
            continue
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            shown = axis.get_visible() and any(t.get_visible() and t.get_text()
                                               for t in axis.get_ticklabels())
            if shown and not axis.get_label_text() and not _shared_label(ax, name):
                missing.append(f"axes {k} ({ax.get_title() or 'untitled'}): {name}")
    return missing


def _shared_label(ax, name: str) -> bool:
    group = ax.get_shared_x_axes() if name == "x" else ax.get_shared_y_axes()
    axis = (lambda a: a.xaxis) if name == "x" else (lambda a: a.yaxis)
    return any(axis(other).get_label_text() for other in group.get_siblings(ax))
