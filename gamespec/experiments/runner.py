"""Run one `experiment` statement of a model through its plug-in."""
from __future__ import annotations

import difflib
import time

from gamespec.errors import GamespecError, Span, SpecError
from gamespec.experiments.outcome import ExperimentRecord
from gamespec.experiments.registry import get_plugin, validate_experiment
from gamespec.model import Experiment, Model


def select_experiment(model: Model, name: str | None = None) -> Experiment:
    """The experiment called `name`, or the spec's only one."""
    where = Span(model.path, 1, 1)
    if not model.experiments:
        raise SpecError("this spec has no `experiment` statement", span=where,
                        hint="experiment NAME using PLUGIN { ... } (docs/language.md)")
    if name is None:
        if len(model.experiments) > 1:
            raise SpecError("this spec has several experiments: "
                            + ", ".join(model.experiments), span=where,
                            hint="choose one with --name NAME")
        return next(iter(model.experiments.values()))
    if name not in model.experiments:
        close = difflib.get_close_matches(name, list(model.experiments), n=1)
        raise SpecError(f"--name {name}: no experiment `{name}` in this spec", span=where,
                        hint=f"did you mean `{close[0]}`?" if close
                        else "experiments: " + ", ".join(model.experiments))
    return model.experiments[name]


def run_experiment(model: Model, name: str | None = None, seed: int = 0,
                   load_seconds: float = 0.0) -> ExperimentRecord:
    """Check the experiment's options against its plug-in, run it, and record the run."""
    experiment = select_experiment(model, name)
    plugin = get_plugin(experiment.plugin, experiment.span)
    options = validate_experiment(plugin, experiment)
    if seed < 0:
        raise SpecError(f"--seed must be >= 0, not {seed}")
    start = time.perf_counter()
    try:
        outcome = plugin.run(model, options, seed)
    except GamespecError as exc:  # what the plug-in finds wrong is located at the statement
        raise exc.located(experiment.span) from None
    seconds = time.perf_counter() - start
    parameters = {p.name: p.value for p in model.params.values()
                  if not p.index_sets and p.value is not None}
    return ExperimentRecord(
        game=model.title, spec=model.path, spec_sha256=model.sha256,
        experiment=experiment.name, plugin=plugin.name, options=options, seed=seed,
        parameters=parameters, outcome=outcome,
        timing={"load": load_seconds, "run": seconds, "total": load_seconds + seconds})
