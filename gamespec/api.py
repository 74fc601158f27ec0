"""The Python API: `gamespec.load(path)` / `gamespec.loads(text)` give a `Game`.

A `Game` is a thin facade over the Model (as Nashpy's `Game` is over its algorithm steps):
`.solve()` returns the frozen `Result`, `.derive()` the `Derivation` (with the backends'
derive hooks applied), `.info()` a frozen `GameInfo` (classification and methods:
gamespec.game_info), `.plot()` a matplotlib Figure, and `.sweep()` a DataFrame of
`gamespec sweep`'s rows. A spec error keeps its source text, so that IPython shows it
located (`GamespecError._render_traceback_`). The command line uses the same functions (`solve_model`,
`derive_model`, `game_info`), so both give the same answers. Every failure is a
`gamespec.errors.GamespecError` (SpecError: exit code 2, SolverError: 3); nothing here
calls sys.exit.
"""
from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gamespec.errors import GamespecError, SpecError
from gamespec.game_info import (  # noqa: F401  (re-exported: the API's info objects)
    ExperimentInfo,
    GameInfo,
    MethodInfo,
    UpdateProfileInfo,
    game_info,
)

if TYPE_CHECKING:  # pragma: no cover - imports for annotations only (keep import cheap)
    from gamespec.analysis import Classification
    from gamespec.derive import Derivation
    from gamespec.model import Model
    from gamespec.result import Result

__all__ = ["Game", "GameInfo", "MethodInfo", "derive_model", "game_info", "load", "loads",
           "parse_value", "solve_model"]


# ---------------------------------------------------------------------------- parameters
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def parse_value(name: str, value: Any, what: str = "--set") -> float:
    """A parameter override as a finite float: a number, or text such as "0.5" or "30%";
    `what` names the option in messages (`--set`, `--limit`)."""
    if isinstance(value, bool):
        raise SpecError(f"parameter {name}: {value!r} is not a number")
    if isinstance(value, str):
        text, scale = value.strip(), 1.0
        if text.endswith("%"):
            text, scale = text[:-1], 0.01
        if not _NUMBER.fullmatch(text):  # the language's syntax: no 1_000, no other digits
            raise SpecError(f"{what} {name}: {value!r} is not a number",
                            hint="write it as in a spec: 1000, -2.5, 1e-3 or 30%")
        number = float(text) * scale
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise SpecError(f"parameter {name}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise SpecError(f"{what} {name}: {value!r} is not a finite number")
    return number


def _overrides(params: Mapping[str, Any]) -> dict[str, float]:
    return {name: parse_value(name, value) for name, value in params.items()}


# ---------------------------------------------------------------------------- loading
@contextmanager
def _shown_with(source: str | None, path: str | Path | None = None):
    """An error raised inside keeps the text its span points into (`source` when the span
    is in the spec at `path`, else that file read again: a data file), so that IPython
    shows it located, with the caret (GamespecError._render_traceback_)."""
    try:
        yield
    except GamespecError as exc:
        if exc.source is None and exc.span is not None:
            same = path is not None and exc.span.path == str(path)
            exc.source = source if same and source is not None else _text_of(exc.span.path)
        raise


def _text_of(path) -> str | None:
    """The text of the file an error points into (the spec, a data file), read bounded;
    None when it cannot be read as UTF-8 text."""
    from gamespec.file_limits import read_bytes

    try:
        return read_bytes(path).decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError, GamespecError):
        return None


def load(path: str | Path, *, allow_data: tuple[str, ...] = (), data_mirror: str | None = None,
         **params: Any) -> Game:
    """Read a .game file; keyword arguments override its scalar parameters.

    >>> game = load("specs/prisoners_dilemma.game")          # doctest: +SKIP
    >>> load("specs/trimming_one_round.game", T_hi=20)        # doctest: +SKIP
    """
    from gamespec.language.loader import load_model

    start = time.perf_counter()
    with _shown_with(None, path):
        model = load_model(path, _overrides(params), tuple(allow_data), data_mirror)
    return Game(model, time.perf_counter() - start, tuple(allow_data), data_mirror)


def loads(text: str, *, path: str = "<string>", allow_data: tuple[str, ...] = (),
          data_mirror: str | None = None, **params: Any) -> Game:
    """Build a game from spec text. `path` names it in errors (and data paths in a
    `csv(...)` are relative to its folder)."""
    from gamespec.language.loader import model_from_string

    if not isinstance(text, str):
        raise SpecError(f"loads() takes the spec text as a str, got {type(text).__name__}",
                        hint="use gamespec.load(path) for a file")
    start = time.perf_counter()
    with _shown_with(text, path):
        model = model_from_string(text, path, _overrides(params), tuple(allow_data),
                                  data_mirror)
    return Game(model, time.perf_counter() - start, tuple(allow_data), data_mirror)


# ---------------------------------------------------------------------------- derive
def derive_model(model: Model, cls: Classification | None = None) -> Derivation:
    """The symbolic derivation, with the derive hook of every method that applies."""
    from gamespec.analysis import classify
    from gamespec.derive import derive
    from gamespec.solvers.registry import applicable

    derivation = derive(model)
    cls = cls if cls is not None else classify(model)
    for entry, ok, _ in applicable(model, cls):
        if ok and entry.derive is not None:
            entry.derive(model, cls, derivation)
    return derivation


# ---------------------------------------------------------------------------- solve
def solve_model(model: Model, method: str | None = None, seed: int | None = None,
                time_limit: float | None = None, options: Mapping[str, Any] | None = None,
                *, load_seconds: float | None = None, progress: bool = False) -> Result:
    """Plan, solve and certify through the one run path (`gamespec.plan`); the Result
    carries the plan's record (method, options, seed), timings, parameters and data
    provenance.

    Options: the method's defaults, then the spec's `solve using METHOD { ... }` options,
    then `options`, then `seed` and `time_limit`. An option the method does not declare is
    a SpecError. A certificate that did not pass is *not* an exception: check
    `result.certificate.ok` (the command line exits with 3 then).
    """
    from gamespec.plan import build_plan, run_plan

    plan = build_plan(model, method, seed=seed, time_limit=time_limit, options=options,
                      progress=progress)
    return run_plan(model, plan, load_seconds=load_seconds)


# ---------------------------------------------------------------------------- the facade
class Game:
    """A loaded game. `model` is the resolved Model; the methods run the pipeline on it."""

    def __init__(self, model: Model, load_seconds: float | None = None,
                 allow_data: tuple[str, ...] = (), data_mirror: str | None = None) -> None:
        self.model = model
        self._load_seconds = load_seconds
        self._allow_data = allow_data
        self._data_mirror = data_mirror

    @property
    def title(self) -> str:
        return self.model.title

    @property
    def players(self) -> tuple[str, ...]:
        return tuple(self.model.players)

    @property
    def params(self) -> dict[str, float | None]:
        """Scalar parameters and their values (None: a free symbol)."""
        return {p.name: p.value for p in self.model.params.values() if not p.index_sets}

    def with_params(self, **params: Any) -> Game:
        """The same spec rebuilt with other parameter values (earlier overrides kept)."""
        return loads(self.model.source, path=self.model.path, allow_data=self._allow_data,
                     data_mirror=self._data_mirror, **{**self.model.overrides, **params})

    def solve(self, method: str | None = None, seed: int | None = None,
              time_limit: float | None = None, **options: Any) -> Result:
        """Solve and certify (see `solve_model`); `method` as `gamespec solve --method`;
        keyword arguments are the method's options (`gamespec info` lists them)."""
        with self._located():
            return solve_model(self.model, method, seed, time_limit, options,
                               load_seconds=self._load_seconds)

    def derive(self) -> Derivation:
        """Payoffs, definitions, constraints and the methods' equilibrium conditions."""
        with self._located():
            return derive_model(self.model)

    def info(self) -> GameInfo:
        """The classification and the methods that apply."""
        return game_info(self.model)

    def plot(self, kind: str | None = None, path: str | Path | None = None, *,
             result: Result | None = None, method: str | None = None, seed: int | None = None,
             **options: Any):
        """A matplotlib Figure of `kind` (see gamespec.plots.KINDS; default: the first
        picture the method returns), drawn from `result` (solved with figures=True) or
        from a solve with figures=True first; written to `path` (atomically) when given, in
        the format its suffix names (.png, .pdf, .svg; `dpi=` for PNG), which is checked
        before solving. Options: `profile`, `series` (distribution), `dpi`."""
        from gamespec.plots.files import check_dpi, picture_format
        from gamespec.plots.from_result import check_kind, plot_result

        check_kind(kind)
        if path is not None:
            picture_format(path)
        if options.get("dpi") is not None:
            check_dpi(options["dpi"])
        if result is None:
            result = self.solve(method, seed, figures=True)
        return plot_result(result, kind, path, **options)

    def sweep(self, grid: Mapping | str | list, *, workers: int | None = None,
              scheduler: str | None = None, full: bool = False, method: str | None = None,
              seed: int | None = None, time_limit: float | None = None,
              progress: bool = False, **options: Any):
        """Solve at every point of a parameter grid, as `gamespec sweep` does (the same
        function, `gamespec.sweep.run_sweep`, and the same choice of backend: `scheduler`, a
        Dask address, else `workers` local processes, by default one per core), and return
        a pandas DataFrame: one row per point (the columns of `gamespec sweep --out t.csv`),
        or with `full=True` the long table of every point's result (its parameters, then
        the columns of `Result.to_dataframe()`, and `status`, `reason` for a point that
        failed). `grid`: {"T_hi": (2, 14, 3)} (START, STOP, COUNT), {"T_hi": [2, 8]} (the
        values), or text "T_hi=2:14:3" (a list of such for several axes). The game's own
        parameter overrides hold at every point; keyword arguments are the method's
        options."""
        from gamespec.plan import build_plan
        from gamespec.sweep import (
            check_grid_names,
            default_workers,
            grid_axes,
            grid_points,
            run_sweep,
        )
        from gamespec.sweep_table import full_rows, rows_to_dataframe

        with self._located():
            axes = grid_axes(grid)
            check_grid_names(axes, self.model)
            build_plan(self.model, method, seed=seed, time_limit=time_limit,
                       options=options)  # bad options fail once, located
            path = Path(self.model.path)
            where = str(path.resolve()) if path.is_file() else str(path)
            rows = run_sweep(where, axes, dict(self.model.overrides), method, dict(options),
                             workers=default_workers(workers), scheduler=scheduler,
                             progress=progress, seed=seed, time_limit=time_limit,
                             allow_data=self._allow_data, data_mirror=self._data_mirror,
                             full=full, source=self.model.source)
        if full:
            rows = full_rows(rows, grid_points(axes))
        return rows_to_dataframe(rows)

    @contextmanager
    def _located(self):
        with _shown_with(self.model.source, self.model.path):
            yield

    def __repr__(self) -> str:
        players = ", ".join(self.model.players) or "no players"
        return f"<gamespec.Game {self.model.title!r} ({players}) from {self.model.path}>"

    def _repr_markdown_(self) -> str:
        return self.info()._repr_markdown_()
