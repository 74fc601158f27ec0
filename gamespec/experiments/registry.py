"""The experiment plug-ins, by name: what `experiment NAME using PLUGIN { ... }` may use.

An experiment is what the language cannot say as a game to solve: a simulation study run
on data by `gamespec experiment FILE`, never by `solve`. Each plug-in is one module of
this package that defines `PLUGIN` (an `ExperimentPlugin`): its typed options (checked
with located errors before anything runs) and the function that runs it.
"""
from __future__ import annotations

import difflib
import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gamespec.errors import Span, SpecError
from gamespec.model import DataRef, Experiment

# plug-in name -> module of this package that defines PLUGIN (imported on demand)
PLUGINS: dict[str, str] = {"trimming_schemes": "trimming_schemes"}
KINDS = {"int": "a whole number", "float": "a number", "str": "a string",
         "data": "the name of a data table (data NAME = ...)"}


@dataclass(frozen=True)
class ExperimentOption:
    """One option: `kind` is "int", "float", "str" or "data"; numbers may be bounded."""

    name: str
    kind: str
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    required: bool = False

    def describe(self) -> str:
        """`name (type; default): doc` in one line."""
        default = "required" if self.required else \
            "none" if self.default is None else repr(self.default)
        bounds = ", ".join(b for b in (
            None if self.low is None else f">= {self.low:g}",
            None if self.high is None else f"<= {self.high:g}") if b)
        shape = KINDS[self.kind] + (f", {bounds}" if bounds else "")
        return f"{self.name} ({shape}; default {default}): {self.doc}"

    def check(self, value: Any, span: Span | None) -> Any:
        """The value in this option's type, or a located SpecError."""
        problem = f"experiment option `{self.name}` must be {KINDS[self.kind]}, not {value!r}"
        if self.kind == "data":
            if not isinstance(value, DataRef):
                raise SpecError(problem, span=span, hint=f"write {self.name} = TABLE, with "
                                "TABLE declared by a `data` statement")
            return value.name
        if self.kind == "str":
            if not isinstance(value, str) or not value:
                raise SpecError(problem, span=span, hint=f'write {self.name} = "..."')
            return value
        if isinstance(value, (bool, str, DataRef)) or not math.isfinite(float(value)):
            raise SpecError(problem, span=span)
        if self.kind == "int":
            if float(value) != int(value):
                raise SpecError(problem, span=span)
            value = int(value)
        else:
            value = float(value)
        if (self.low is not None and value < self.low) or \
                (self.high is not None and value > self.high):
            raise SpecError(f"experiment option `{self.name}` must lie in "
                            f"[{'-inf' if self.low is None else f'{self.low:g}'}, "
                            f"{'inf' if self.high is None else f'{self.high:g}'}], "
                            f"not {value:g}", span=span)
        return value


@dataclass(frozen=True)
class ExperimentPlugin:
    """A plug-in: its name, a one-line summary, its options, and `run(model, options, seed)`
    returning an `ExperimentOutcome` (gamespec.experiments.outcome)."""

    name: str
    summary: str
    options: tuple[ExperimentOption, ...]
    run: Callable[..., Any]


def get_plugin(name: str, span: Span | None = None) -> ExperimentPlugin:
    """The plug-in registered under `name`; an unknown name is a located error with a hint."""
    module = PLUGINS.get(name)
    if module is None:
        close = difflib.get_close_matches(name, list(PLUGINS), n=1)
        hint = (f"did you mean `{close[0]}`? " if close else "") + \
            "experiment plug-ins: " + ", ".join(PLUGINS)
        raise SpecError(f"unknown experiment plug-in `{name}`", span=span, hint=hint)
    return importlib.import_module(f"gamespec.experiments.{module}").PLUGIN


def validate_options(plugin: ExperimentPlugin, experiment: Experiment) -> dict[str, Any]:
    """Every declared option with its checked value (the default where not given)."""
    by_name = {o.name: o for o in plugin.options}
    for name in experiment.options:
        if name not in by_name:
            close = difflib.get_close_matches(name, list(by_name), n=1)
            hint = (f"did you mean `{close[0]}`? " if close else "") + \
                f"options of `{plugin.name}`: " + ", ".join(by_name)
            raise SpecError(f"`{name}` is not an option of experiment plug-in `{plugin.name}`",
                            span=experiment.spans.get(name, experiment.span), hint=hint)
    for option in plugin.options:
        if option.required and option.name not in experiment.options:
            raise SpecError(f"experiment plug-in `{plugin.name}` needs the option "
                            f"`{option.name}`", span=experiment.span,
                            hint=option.describe())
    return {o.name: o.check(experiment.options[o.name], experiment.spans.get(o.name))
            if o.name in experiment.options else o.default for o in plugin.options}
