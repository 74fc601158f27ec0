"""Section VI of Fu et al. (online trimming vs poisoning) driven by a spec's update rules.

A spec whose `update` block gives a collector threshold series (default `T`) and an
adversary injection series (default `A`) as first-order rules

    T[i + 1] = f(T[i], A[i]),   A[i + 1] = g(T[i], A[i]),   initial T[1] = ..., A[1] = ...

is lowered to a `gamespec.stdlib.trimming.Scheme` (`recurrence_rules` with f and g
lambdified from the SymPy expressions the model builder made: never from strings) and
played beside the paper's six schemes (`paper_schemes(tth)`) on real data, on the same
stream draws (`run_experiment`), with the paper's metrics: k-means SSE on the clean data,
matched-centroid distance, the share of honest points trimmed and the share of poison
among the points kept.

It runs from `solve using dynamics { experiment = "trimming", ... }` (see `section_vi`
and specs/trimming.game for the options).  The data set is a registry name
(`gamespec.data.registry`); when it is not available locally (mirror or cache: nothing is
downloaded) scikit-learn's bundled digits set stands in and the result says so.  Every
data set is z-scored, as in benchmarks/trimming_table.py.

Consistency check: the spec's scheme is replayed on the same draws and its thresholds and
injections, round by round and in every repetition, must equal the series the `dynamics`
method simulated from the same rules (`simulate_updates`), to 1e-9 (the precision at which
trimming compares percentiles).  The check is part of the certificate.
"""
from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sympy

from gamespec.data import registry as data_registry
from gamespec.data.tables import load_dataset
from gamespec.errors import SolverError, SpecError
from gamespec.model import Model
from gamespec.result import Certificate
from gamespec.stdlib import trimming as tr

__all__ = [
    "CLASSES",
    "DEFAULT_INTERVAL",
    "LABEL_COLUMNS",
    "SCHEME_NAME",
    "SERIES_TOLERANCE",
    "STAND_IN",
    "ExperimentData",
    "ExperimentOptions",
    "SectionVI",
    "experiment_options",
    "load_experiment_data",
    "run_section_vi",
    "section_vi",
    "series_check",
    "spec_scheme",
    "spec_updates",
]

SCHEME_NAME = "Spec"
SERIES_TOLERANCE = 1e-9  # trimming compares percentiles rounded to 1e-9
DEFAULT_INTERVAL = (0.05, 0.15)  # the paper's middle attack-ratio interval
# Table II of the paper: clusters of the UCI sets (synthetic control has no label column:
# its six classes are the six blocks of 100 rows)
CLASSES: Mapping[str, int] = {"uci_synthetic_control": 6, "uci_vehicle": 4, "uci_letter": 26}
LABEL_COLUMNS: Mapping[str, str] = {"uci_vehicle": "class", "uci_letter": "letter"}
STAND_IN = "sklearn_digits"

_METRICS = (("sse", "sse"), ("centroid_distance", "distance"),
            ("trimmed_honest_share", "honest_trimmed"),
            ("untrimmed_poison_share", "poison_share"), ("termination_round", "termination"))
_DESCRIPTIONS = {
    "Ostrich": "no trimming; poison at the 99th percentile",
    "Baseline_0.9": "trim at Tth; poison uniform in the [90, 100] percentiles",
    "Baseline_static": "trim at Tth; poison at Tth - 1%",
    "Titfortat": "trim at Tth + 1% until triggered, then Tth - 3%; poison at Tth",
    "Elastic_0.1": "Elastic_k, k = 0.1 (stdlib)",
    "Elastic_0.5": "Elastic_k, k = 0.5 (stdlib)",
}


# ---------------------------------------------------------------------------- options
@dataclass(frozen=True)
class ExperimentOptions:
    """What to run; built from the solve options by `experiment_options`."""

    dataset: str = "uci_synthetic_control"
    clusters: int | None = None  # None: the data set's number of classes
    interval: tuple[float, float] = DEFAULT_INTERVAL
    size_name: str = "quick"
    size: tr.Size = tr.SIZES["quick"]
    tth: float = 0.9
    threshold: str = "T"
    injection: str = "A"
    seed: int = 0
    mirror: str | None = None


def _number(options: Mapping[str, Any], name: str, default):
    value = options.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"solve option `{name}` must be a number, got {value!r}")
    if not math.isfinite(value):
        raise SpecError(f"solve option `{name}` must be finite, got {value!r}")
    return value


def _whole(options: Mapping[str, Any], name: str, default: int | None, low: int) -> int | None:
    value = _number(options, name, default)
    if value is None:
        return None
    if float(value) != int(value) or int(value) < low:
        raise SpecError(f"solve option `{name}` must be a whole number >= {low}, got {value!r}")
    return int(value)


def _text(options: Mapping[str, Any], name: str, default: str) -> str:
    value = options.get(name, default)
    if not isinstance(value, str) or not value:
        raise SpecError(f"solve option `{name}` must be a string, got {value!r}",
                        hint=f'write {name} = "..." in the solve block')
    return value


def experiment_options(model: Model, options: Mapping[str, Any]) -> ExperimentOptions:
    """The experiment's options from the merged solve options (spec, then command line).

    experiment ("trimming"), dataset (registry name), clusters, attack_low, attack_high,
    size ("quick" | "paper"), rounds and repetitions (override the size's), tth (default:
    the spec's parameter `Tth` if it has one, else 0.9), threshold / injection (series
    names, default "T" / "A"), seed (the command line's --seed), data_mirror (a folder).
    """
    experiment = options.get("experiment")
    if experiment != "trimming":
        raise SpecError(f"unknown experiment {experiment!r}",
                        hint='the dynamics method runs experiment = "trimming"')
    size_name = _text(options, "size", "quick")
    if size_name not in tr.SIZES:
        raise SpecError(f"solve option `size` must be one of {', '.join(tr.SIZES)}, "
                        f"got {size_name!r}",
                        hint="for other sizes set the numeric options rounds and repetitions")
    base = tr.SIZES[size_name]
    size = tr.Size(rounds=_whole(options, "rounds", base.rounds, 1),
                   repetitions=_whole(options, "repetitions", base.repetitions, 1))
    low = float(_number(options, "attack_low", DEFAULT_INTERVAL[0]))
    high = float(_number(options, "attack_high", DEFAULT_INTERVAL[1]))
    if not 0 <= low <= high < 1:
        raise SpecError(f"the attack ratios must satisfy 0 <= attack_low <= attack_high < 1, "
                        f"got [{low}, {high}]")
    tth_param = model.params.get("Tth")
    default_tth = tth_param.value if tth_param is not None and tth_param.value is not None \
        else 0.9
    tth = float(_number(options, "tth", default_tth))
    if not 0 < tth < 1:
        raise SpecError(f"solve option `tth` must lie in (0, 1), got {tth}")
    mirror = options.get("data_mirror")
    return ExperimentOptions(
        dataset=_text(options, "dataset", "uci_synthetic_control"),
        clusters=_whole(options, "clusters", None, 1),
        interval=(low, high),
        size_name=next((n for n, s in tr.SIZES.items() if s == size), "custom"),
        size=size,
        tth=tth,
        threshold=_text(options, "threshold", "T"),
        injection=_text(options, "injection", "A"),
        seed=_whole(options, "seed", 0, 0),
        mirror=None if mirror is None else _text(options, "data_mirror", ""),
    )


# ---------------------------------------------------------------------------- data
@dataclass(frozen=True)
class ExperimentData:
    """The z-scored points the experiment runs on, and what they are."""

    name: str  # the registry name, or STAND_IN
    data: np.ndarray
    classes: int | None  # the data set's number of classes, when known
    source: str
    stand_in: bool


def load_experiment_data(name: str, mirror: str | Path | None = None) -> ExperimentData:
    """A registered data set's numeric columns (z-scored), or the bundled stand-in when the
    file is neither in the mirror nor in the download cache (nothing is downloaded)."""
    if data_registry.available(name, mirror):  # an unknown name is a SpecError here
        table = load_dataset(name, mirror=mirror)
        label = LABEL_COLUMNS.get(name)
        if label is None:
            text = [c for c, v in table.columns.items() if v.dtype.kind not in "fiu"]
            label = text[0] if len(text) == 1 else None
        features = [c for c, v in table.columns.items()
                    if c != label and v.dtype.kind in "fiu"]
        if not features:
            raise SpecError(f"data set '{name}' has no numeric columns to cluster")
        data = np.column_stack([table.columns[c] for c in features]).astype(float)
        classes = CLASSES.get(name)
        if classes is None and label is not None:
            classes = len(np.unique(table.columns[label]))
        source = (f"{name}: {table.n_rows} rows x {len(features)} numeric columns, z-scored "
                  f"({table.source})")
        return ExperimentData(name, tr.standardize(data), classes, source, False)
    from sklearn.datasets import load_digits

    digits = load_digits()
    source = (f"STAND-IN: scikit-learn's bundled digits set ({len(digits.data)} rows x "
              f"{digits.data.shape[1]} columns, z-scored), because '{name}' is not available "
              f"locally (set {data_registry.MIRROR_ENV} to the data mirror)")
    return ExperimentData(STAND_IN, tr.standardize(digits.data),
                          len(np.unique(digits.target)), source, True)


# ---------------------------------------------------------------------------- the scheme
def _rule_for(model: Model, target: str) -> sympy.Expr:
    rules = [(at, value) for name, at, value in model.updates.rules if name == target]
    if len(rules) != 1:
        raise SpecError(f"the experiment needs exactly one update rule for `{target}`, "
                        f"found {len(rules)}")
    at, value = rules[0]
    index = model.updates.index
    if sympy.simplify(at - index - 1) != 0:
        raise SpecError(f"the rule for `{target}` must set {target}[{index} + 1], "
                        f"not {target}[{at}]",
                        hint="the experiment plays first-order rules: next round from this one")
    return value


def _initial_for(model: Model, target: str, params: dict) -> tuple[int, float]:
    entries = [(at, value) for name, at, value in model.updates.initial if name == target]
    if len(entries) != 1:
        raise SpecError(f"the experiment needs one initial value of `{target}`, "
                        f"found {len(entries)}", hint=f"initial {target}[1] = ...")
    at, value = entries[0]
    return int(at.xreplace(params)), float(value.xreplace(params))


def spec_updates(
    model: Model, threshold: str = "T", injection: str = "A"
) -> tuple[float, float, tr.Recurrence, tr.Recurrence]:
    """(T(1), A(1), t_next, a_next) of the spec's update rules, for `recurrence_rules`.

    t_next / a_next are NumPy functions of (T(i), A(i)) lambdified from the rules' SymPy
    expressions, with the spec's parameter values passed as exact floats.
    """
    if model.updates is None:
        raise SpecError("the trimming experiment needs update rules",
                        hint="update over i in 1..20 { T[i + 1] = ...  A[i + 1] = ... }")
    if threshold == injection:
        raise SpecError("the threshold and injection series must differ")
    found = sorted({name for name, _, _ in model.updates.rules})
    for role, name in (("threshold", threshold), ("injection", injection)):
        if name not in found:
            raise SpecError(f"the {role} series `{name}` has no update rule (series with "
                            f"rules: {', '.join(found) or 'none'})",
                            hint=f'name it with the solve option {role} = "..."')
    params = model.scalar_values()
    index = model.updates.index
    (t_at, t_first), (a_at, a_first) = (_initial_for(model, threshold, params),
                                        _initial_for(model, injection, params))
    start = int(model.updates.rounds.elements[0])
    if not t_at == a_at == start:
        raise SpecError(f"the initial values must be at the first round {start}, got "
                        f"{threshold}[{t_at}] and {injection}[{a_at}]")
    t_sym, a_sym = sympy.Dummy("T"), sympy.Dummy("A")
    series = {threshold: t_sym, injection: a_sym}
    param_syms = tuple(params)

    def lower(target: str) -> tr.Recurrence:
        value = _rule_for(model, target)
        for item in value.atoms(sympy.Indexed):
            name = item.base.label.name
            if name not in series or len(item.indices) != 1 or \
                    sympy.simplify(item.indices[0] - index) != 0:
                raise SpecError(f"the rule for `{target}` may use only {threshold}[{index}] "
                                f"and {injection}[{index}], not {item}")
        expr = value.replace(lambda e: isinstance(e, sympy.Indexed),
                             lambda e: series[e.base.label.name])
        unknown = expr.free_symbols - {t_sym, a_sym, *param_syms}
        if unknown:
            names = ", ".join(sorted(str(s) for s in unknown))
            raise SpecError(f"the rule for `{target}` uses {names}, which the experiment "
                            "cannot play", hint="the rules may use the two series of this "
                            "round and parameters with values")
        func = sympy.lambdify((t_sym, a_sym, *param_syms), expr, modules="numpy")
        values = tuple(float(params[s]) for s in param_syms)
        return lambda t, a: func(t, a, *values)

    return t_first, a_first, lower(threshold), lower(injection)


def spec_scheme(model: Model, threshold: str = "T", injection: str = "A",
                name: str = SCHEME_NAME) -> tr.Scheme:
    """The spec's update rules as a Scheme (collector: threshold; adversary: injection)."""
    collector, adversary = tr.recurrence_rules(*spec_updates(model, threshold, injection))
    return tr.Scheme(name, collector, adversary)


def series_check(history: tr.History, trims: list[float], injections: list[float]) -> dict:
    """Do the played thresholds and mean injections equal the simulated series (every
    repetition, the rounds both have)?"""
    rounds = min(history.trims.shape[1], len(trims), len(injections))
    if rounds == 0:
        return {"matches": False, "max_deviation": math.inf, "rounds_compared": 0}
    deviation = max(float(np.max(np.abs(history.trims[:, :rounds] - np.asarray(trims[:rounds])))),
                    float(np.max(np.abs(history.injections[:, :rounds]
                                        - np.asarray(injections[:rounds])))))
    return {"matches": bool(deviation <= SERIES_TOLERANCE), "max_deviation": deviation,
            "rounds_compared": rounds}


# ---------------------------------------------------------------------------- the run
@dataclass(frozen=True)
class SectionVI:
    """The compare table, the run's description, and the certificate of the series check."""

    table: dict[str, dict[str, Any]]
    info: dict[str, Any]
    certificate: Certificate


def _row(summary: tr.Summary, truth_sse: float) -> dict[str, Any]:
    row = {key: summary.mean[name] for key, name in _METRICS}
    row["sse_ratio"] = summary.mean["sse"] / truth_sse if truth_sse > 0 else math.nan
    row["se"] = {key: summary.se[name] for key, name in _METRICS}
    return row


def run_section_vi(model: Model, opts: ExperimentOptions,
                   series: Mapping[str, list[float]] | None = None,
                   data: ExperimentData | None = None) -> SectionVI:
    """The spec's scheme and the paper's six on the same draws; `series` is what the
    dynamics method simulated (recomputed when not given)."""
    start = time.perf_counter()
    scheme = spec_scheme(model, opts.threshold, opts.injection)
    if series is None:
        from gamespec.solvers.dynamics.method import simulate_updates

        series = simulate_updates(model)
    data = data or load_experiment_data(opts.dataset, opts.mirror)
    clusters = opts.clusters if opts.clusters is not None else data.classes
    if clusters is None:
        raise SpecError(f"the number of classes of '{data.name}' is not known",
                        hint="set the solve option clusters = K")
    if not 1 <= opts.size.rounds <= len(data.data):
        raise SpecError(f"need between 1 and {len(data.data)} rounds, got {opts.size.rounds}")
    schemes = [scheme, *tr.paper_schemes(opts.tth)]
    result = tr.run_experiment(data.data, clusters, schemes, opts.interval, size=opts.size,
                               seed=opts.seed)
    # the same draws again (no clustering): the spec's series as played, and the poison sent
    draws = tr.draw_stream(len(data.data), opts.size.rounds, opts.size.repetitions,
                           opts.interval, opts.seed)
    honest_pct = tr.PercentileScale.of(data.data).percentile(data.data)
    played = tr.play(scheme, honest_pct, draws)
    check = series_check(played.history, list(series.get(opts.threshold, [])),
                         list(series.get(opts.injection, [])))
    poison = draws.poison_counts.sum(axis=1)
    honest = (draws.batches >= 0).sum(axis=(1, 2))
    received_share = float(np.mean(poison / np.maximum(poison + honest, 1)))

    table = {s.scheme: _row(s, result.truth.sse) for s in result.summaries}
    table[SCHEME_NAME].update(series_matches_dynamics=check["matches"],
                              series_max_deviation=check["max_deviation"],
                              series_rounds_compared=check["rounds_compared"])
    for name in table:
        if not all(math.isfinite(table[name][key]) for key, _ in _METRICS):
            raise SolverError(f"the experiment gave a non-finite metric for {name}")
    info = {
        "dataset": data.name,
        "labels": {
            "data": data.source,
            "stand_in": data.stand_in,
            "clusters": f"k = {clusters}" + (" (the data set's classes)"
                                             if opts.clusters is None else " (solve option)"),
            "schemes": {SCHEME_NAME: f"the spec's update rules for {opts.threshold} "
                                     f"(collector) and {opts.injection} (adversary)",
                        **_DESCRIPTIONS},
            "metrics": "means over repetitions (se: standard errors); sse of the learned "
                       "centroids on the clean data, sse_ratio = sse / ground-truth sse",
        },
        "size": {"name": opts.size_name, "rounds": opts.size.rounds,
                 "repetitions": opts.size.repetitions},
        "seconds": time.perf_counter() - start,
        "attack_interval": list(opts.interval),
        "tth": opts.tth,
        "clusters": clusters,
        "seed": opts.seed,
        "ground_truth_sse": result.truth.sse,
        "received_poison_share": received_share,
    }
    certificate = Certificate(
        "Section VI: the spec's scheme plays the series simulated from its update rules",
        check["max_deviation"], check["matches"], SERIES_TOLERANCE,
        {"section_vi_rounds_compared": check["rounds_compared"]})
    return SectionVI(table, info, certificate)


def section_vi(model: Model, options: Mapping[str, Any],
               series: Mapping[str, list[float]] | None = None) -> SectionVI:
    """`run_section_vi` with the options of `solve using dynamics { experiment = ... }`."""
    return run_section_vi(model, experiment_options(model, options), series)
