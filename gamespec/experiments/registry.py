"""The experiment plug-ins, by name: what `experiment NAME using PLUGIN { ... }` may use.

An experiment is what the language cannot say as a game to solve: a simulation study run
on data by `gamespec experiment FILE`, never by `solve`. Each plug-in is one module of
this package that defines `PLUGIN` (an `ExperimentPlugin`): its typed options (checked
with located errors before anything runs) and the function that runs it.
"""
from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gamespec.errors import Span, SpecError
from gamespec.model import DataRef, Experiment
from gamespec.solvers.options import KINDS, SolverOption, TableRef, validate_options

__all__ = ["KINDS", "PLUGINS", "ExperimentPlugin", "get_plugin", "validate_experiment"]

# plug-in name -> module of this package that defines PLUGIN (imported on demand)
PLUGINS: dict[str, str] = {"trimming_schemes": "trimming_schemes"}


@dataclass(frozen=True)
class ExperimentPlugin:
    """A plug-in: its name, a one-line summary, its options, and `run(model, options, seed)`
    returning an `ExperimentOutcome` (gamespec.experiments.outcome)."""

    name: str
    summary: str
    options: tuple[SolverOption, ...]  # typed as a method's (gamespec.solvers.options)
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


def validate_experiment(plugin: ExperimentPlugin, experiment: Experiment) -> dict[str, Any]:
    """Every declared option with its checked value (the default, possibly None, where not
    given), checked as a method's options are: located errors with did-you-mean hints."""
    given = {name: TableRef(value.name) if isinstance(value, DataRef) else value
             for name, value in experiment.options.items()}
    checked = validate_options(plugin.options, given, plugin.name, experiment.spans,
                               where="experiment option", owner="experiment plug-in",
                               span_key="{}", span=experiment.span)
    return {o.name: checked.get(o.name) for o in plugin.options}
