"""Progress of a long run on standard error: a rich bar with the count, the rate, the time
elapsed and the time left, only when standard error is a terminal (nothing otherwise, so
logs and pipes get no control characters).

    with Progress(len(points), "sweep", unit="points") as bar:
        for point in points:
            ...
            bar.advance()

`total=None`: a run of unknown length (a spinner, the count, the rate and the elapsed time);
`bar.note(text)` shows a short status beside it (`pass 3, 12 switches`)."""
from __future__ import annotations

import sys


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Progress:
    """A context manager; `advance(n)` counts `n` more done."""

    def __init__(self, total: int | None, label: str, *, unit: str = "",
                 stream=None, enabled: bool = True) -> None:
        self.total, self.label, self.unit = total, label, unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and _is_terminal(self.stream)
        self.done = 0
        self._bar = self._task = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._bar = _rich_bar(self.stream, self.total, self.unit)
            self._task = self._bar.add_task(self.label, total=self.total, note="")
            self._bar.start()
        return self

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def note(self, text: str) -> None:
        """A short status shown after the bar (replaced by the next note)."""
        if self._bar is not None:
            self._bar.update(self._task, note=text)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()  # the last state stays on screen, then a new line
            self._bar = None


def _rich_bar(stream, total: int | None, unit: str):
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress
    from rich.table import Column
    from rich.text import Text

    class Rate(ProgressColumn):
        """Items per second (rich's own speed column counts bytes)."""

        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            shown = "-" if speed is None else f"{speed:,.0f}" if speed >= 100 else f"{speed:.2g}"
            return Text(f"{shown} {unit or 'it'}/s", style="progress.data.speed", no_wrap=True)

    console = Console(file=stream, highlight=False)
    columns = [TextColumn("{task.description}")]
    if total is None:
        columns += [SpinnerColumn(), TextColumn("{task.completed:,.0f} " + (unit or ""))]
    else:
        columns += [BarColumn(bar_width=None), MofNCompleteColumn(), TextColumn(unit)]
    columns += [Rate(table_column=Column(no_wrap=True, min_width=len(unit or "it") + 8)),
                TextColumn("elapsed"), TimeElapsedColumn()]
    if total is not None:
        columns += [TextColumn("left"), TimeRemainingColumn()]
    columns.append(TextColumn("{task.fields[note]}"))
    # the bar takes the width the other columns leave (they fit an 80-column terminal)
    return RichProgress(*columns, console=console, transient=False, refresh_per_second=8,
                        expand=total is not None)
