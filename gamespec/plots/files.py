"""Writing a picture: the format follows the file's suffix (PNG at a dpi, PDF, SVG), the
bytes are the same for the same figure, and the file is written atomically."""
from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from gamespec.errors import SpecError

if TYPE_CHECKING:  # pragma: no cover - matplotlib is imported when a picture is drawn
    from matplotlib.figure import Figure

DPI = 100  # PNG dots per inch unless a dpi is given (--dpi); sizes are in inches
FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
# no creation date in the file: the same figure gives the same bytes
METADATA = {"pdf": {"CreationDate": None}, "svg": {"Date": None}, "png": {}}


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
