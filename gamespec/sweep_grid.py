"""The grid of a sweep: `--grid NAME=START:STOP:COUNT` / `NAME=v1,v2` text, or the dict
`Game.sweep` takes, as GridAxis values (whole numbers kept as integers); the checks the
command line and `Game.sweep` share (grid names, the number of workers). Re-exported by
gamespec.sweep, which builds the points (`grid_points`) and runs them."""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from gamespec.errors import SpecError


@dataclass(frozen=True)
class GridAxis:
    name: str
    values: tuple[int | float, ...]  # whole numbers from whole-number text stay ints


def parse_grid(text: str) -> GridAxis:
    """NAME=START:STOP:COUNT (COUNT evenly spaced values, ends included) or NAME=v1,v2,...;
    whole numbers stay integers (T_hi=2:14:3 gives 2, 8, 14), so tables keep them so."""
    name, sep, rest = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise SpecError(f"--grid expects NAME=START:STOP:COUNT or NAME=v1,v2; got {text!r}")
    try:
        if ":" in rest:
            start, stop, count = rest.split(":")
            n = int(count)
            if n < 1:
                raise ValueError
            values = tuple(float(v) for v in np.linspace(float(start), float(stop), n))
            if _is_int(start) and _is_int(stop) and all(v.is_integer() for v in values):
                values = tuple(int(v) for v in values)
        else:
            values = tuple(int(v) if _is_int(v) else float(v) for v in rest.split(","))
    except ValueError:
        raise SpecError(f"--grid {name}: cannot read {rest!r}",
                        hint="START:STOP:COUNT with a whole COUNT >= 1, or v1,v2,...") from None
    if not all(np.isfinite(values)):
        raise SpecError(f"--grid {name}: values must be finite")
    return GridAxis(name, values)


def _is_int(text: str) -> bool:
    text = text.strip()
    return text.lstrip("+-").isdigit() and text.isascii()


def grid_axes(grid) -> list[GridAxis]:
    """The axes of a grid given in Python (`Game.sweep`): "NAME=START:STOP:COUNT" or
    "NAME=v1,v2" text (or a list of such), or a dict NAME -> (START, STOP, COUNT) as a tuple,
    a list (or range) of values, or one value. Each goes through `parse_grid`."""
    if isinstance(grid, str):
        return [parse_grid(grid)]
    if isinstance(grid, dict):
        return [parse_grid(f"{name}={_axis_text(name, spec)}") for name, spec in grid.items()]
    if isinstance(grid, (list, tuple)) and all(isinstance(g, str) for g in grid):
        return [parse_grid(g) for g in grid]
    raise SpecError(f"a grid is a dict NAME -> (START, STOP, COUNT) or values, or text "
                    f"NAME=START:STOP:COUNT; got {type(grid).__name__}")


def _axis_text(name: str, spec) -> str:
    def number(v) -> str:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
            raise SpecError(f"grid {name}: {v!r} is not a number")
        return str(int(v)) if isinstance(v, (int, np.integer)) else repr(float(v))

    if isinstance(spec, tuple):
        if len(spec) != 3:
            raise SpecError(f"grid {name}: a tuple is (START, STOP, COUNT), got {spec!r}",
                            hint="give the values as a list: [1, 2, 3]")
        return f"{number(spec[0])}:{number(spec[1])}:{number(spec[2])}"
    if isinstance(spec, (list, range, np.ndarray)):
        if len(spec) == 0:
            raise SpecError(f"grid {name}: no values")
        return ",".join(number(v) for v in spec)
    return number(spec)


def check_grid_names(axes: list[GridAxis], model) -> None:
    """Each grid axis names a scalar parameter of the spec, once."""
    import difflib

    seen: set[str] = set()
    for axis in axes:
        if axis.name in seen:
            raise SpecError(f"--grid {axis.name} is given twice",
                            hint="give one axis per parameter (NAME=v1,v2,... lists values)")
        seen.add(axis.name)
        param = model.params.get(axis.name)
        if param is None or param.index_sets:
            close = difflib.get_close_matches(axis.name, [n for n, p in model.params.items()
                                                          if not p.index_sets], n=1)
            raise SpecError(f"--grid {axis.name}: not a scalar parameter of the spec",
                            hint=f"did you mean `{close[0]}`?" if close else
                            "grid over a `param` of the spec")


def default_workers(workers: int | None) -> int:
    """How many local processes a sweep runs on: the count given (at least 1), else one
    per core (`gamespec sweep --workers` and `Game.sweep(workers=)` alike)."""
    if workers is not None and (isinstance(workers, bool) or int(workers) != workers
                                or workers < 1):
        raise SpecError(f"--workers must be at least 1, not {workers}")
    return int(workers) if workers is not None else (os.cpu_count() or 1)
