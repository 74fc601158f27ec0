"""The Figure every picture returns: a matplotlib Figure that Jupyter shows inline (its
`_repr_png_`) although no pyplot is involved, and that `save(path, dpi=None)` writes as
`gamespec.plots.save_figure` does (the format follows the suffix). Imports matplotlib:
imported only when a picture is drawn."""
from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure


class GameFigure(Figure):
    """A picture of gamespec (see the module docstring)."""

    def _repr_png_(self) -> bytes:
        from gamespec.plots.files import render

        return render(self, "png", self.dpi)

    def save(self, path: str | Path, *, dpi: int | None = None) -> None:
        from gamespec.plots.files import save_figure

        save_figure(self, path, dpi=dpi)

    def __repr__(self) -> str:
        width, height = self.get_size_inches()
        return f"<gamespec figure {width:g} x {height:g} in, {len(self.axes)} axes>"
