"""The rich pieces the terminal renderers share: a console writing to a string, labelled
lines that wrap under their text, and plain ASCII tables. rich is imported here only, on
use (it costs a tenth of a second of start-up)."""
from __future__ import annotations

import io
import os
import shutil
import sys

DEFAULT_WIDTH = 100
MIN_WIDTH = 40
INDENT = 2


def output_width(width: int | None = None) -> int:
    """`width`, else the terminal's when standard output is one, else 100 (a file or a pipe
    gets the same text wherever it runs: $COLUMNS is not read then); never below 40."""
    if width is None:
        try:
            tty = sys.stdout.isatty()
        except (AttributeError, ValueError):
            tty = False
        width = (shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns if tty
                 else DEFAULT_WIDTH) or DEFAULT_WIDTH
    return max(MIN_WIDTH, int(width))


def render(renderables: list, color: bool, width: int | None = None) -> str:
    """The renderables printed one after the other, as text (ANSI styles when `color`)."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=output_width(width), color_system="standard"
                      if color else None, force_terminal=color, no_color=bool(
                          os.environ.get("NO_COLOR")) or None, highlight=False,
                      markup=False, emoji=False, legacy_windows=False)
    for item in renderables:
        _fit(console, item)
        console.print(item, overflow="fold")
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n"))


def _fit(console, item) -> None:
    """A table whose numbers cannot all stay whole at this width folds them instead of
    losing columns (its columns' minimum widths are dropped)."""
    from rich.padding import Padding
    from rich.table import Table

    inner = item.renderable if isinstance(item, Padding) else item
    if not isinstance(inner, Table):
        return
    room = console.width - (item.left if isinstance(item, Padding) else 0)
    widest = getattr(inner, "widest", [1] * len(inner.columns))
    if sum(widest) + 4 * len(widest) > room:  # cells, padding, separators and a margin
        for column in inner.columns:
            column.min_width = None


def text(content: str, style: str = ""):
    """A line of plain text (never read as markup), in `style` when colour is on."""
    from rich.text import Text

    return Text(content, style=style or "")


def labelled(label: str, content, style: str = ""):
    """`label: content`, the content wrapping under itself (a hanging indent), so that the
    line still starts with `label:` for tools that grep it."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=0)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    body = content if not isinstance(content, str) else Text(content)
    grid.add_row(Text(f"{label}: ", style=style or ""), body)
    if style and isinstance(content, str):
        body.stylize(style)
    return grid


def indented(renderable, by: int = INDENT):
    """`renderable` moved right by `by` columns."""
    from rich.padding import Padding

    return Padding(renderable, (0, 0, 0, by))


def table(headers: list[str], rows: list[list[str]], *, right: set[int] = frozenset(),
          no_wrap: set[int] = frozenset()):
    """An ASCII table: a header row underlined with dashes, the columns `right` aligned to
    the right (numbers), cells wrapping (or folding) to fit the console's width."""
    from rich.box import Box
    from rich.table import Table

    dashes = Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)
    grid = Table(box=dashes, show_edge=False, pad_edge=False, padding=(0, 1),
                 header_style="bold", safe_box=True)
    for k, header in enumerate(headers):
        # a number is never broken: its column is at least as wide as its widest cell
        widest = max((len(row[k]) for row in rows if k < len(row)), default=0)
        grid.add_column(header, justify="right" if k in right else "left",
                        overflow="fold", no_wrap=k in no_wrap,
                        min_width=widest if k in right else None)
    grid.widest = [max([len(h), *(len(r[k]) for r in rows if k < len(r))]) if k in no_wrap
                   else max((len(r[k]) for r in rows if k < len(r)), default=1)
                   for k, h in enumerate(headers)]
    for row in rows:
        grid.add_row(*row)
    return grid
