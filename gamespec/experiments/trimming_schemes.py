"""Experiment plug-in `trimming_schemes`: a spec's update rules played as an online
trimming scheme against data poisoning, beside reference schemes, on data.

A spec whose `update` block gives a collector threshold series (default `T`) and an
adversary injection series (default `A`) as first-order rules

    T[i + 1] = f(T[i], A[i]),   A[i + 1] = g(T[i], A[i]),   initial T[1] = ..., A[1] = ...

is lowered to a `gamespec.stdlib.trimming.Scheme` (`recurrence_rules` with f and g
lambdified from the SymPy expressions the model builder made: never from strings) and
played beside the schemes the `schemes` option names, on the same stream draws
(`run_experiment`), with k-means SSE on the clean data, matched-centroid distance, the
share of honest points trimmed and the share of poison among the points kept. A scheme
name is an update profile of the spec (`update "NAME" over ...`, lowered the same way),
else a reference scheme of the standard library (`paper_schemes(tth)`: the one the
language cannot state is Baseline_0.9, whose poison points each take their own uniform
random percentile).

The data are a table of the spec (`data = TABLE`, e.g. `data points =
numeric_features("uci_synthetic_control")`): every numeric column but the label column is a
feature; the number of clusters defaults to the number of distinct labels.

Check: every rule scheme (the spec's rules and each profile) is replayed on the same draws
and its thresholds and injections, round by round and in every repetition, must equal the
series simulated from the same rules (`simulate_updates` of the dynamics method), to 1e-9 (the precision at which
trimming compares percentiles). The check is the outcome's certificate.
"""
from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import sympy

from gamespec.errors import SolverError, SpecError
from gamespec.experiments.outcome import ExperimentOutcome
from gamespec.experiments.registry import ExperimentPlugin
from gamespec.model import Model, UpdateRules
from gamespec.result import Certificate
from gamespec.solvers.options import SolverOption
from gamespec.stdlib import trimming as tr

__all__ = ["PLUGIN", "SCHEME_NAME", "SERIES_TOLERANCE", "run", "series_check",
           "spec_scheme", "spec_updates", "table_points"]

SCHEME_NAME = "Spec"
SERIES_TOLERANCE = 1e-9  # trimming compares percentiles rounded to 1e-9

_METRICS = (("sse", "sse"), ("centroid_distance", "distance"),
            ("trimmed_honest_share", "honest_trimmed"),
            ("untrimmed_poison_share", "poison_share"), ("termination_round", "termination"))
_DESCRIPTIONS = {
    "Ostrich": "no trimming; poison at the 99th percentile",
    "Baseline_0.9": "trim at Tth; poison uniform in the [90, 100] percentiles",
    "Baseline_static": "trim at Tth; poison at Tth - 1%",
    "Titfortat": "trim at Tth + 1% until triggered, then Tth - 3%; poison at Tth",
    "Elastic_0.1": "Elastic_k, k = 0.1",
    "Elastic_0.5": "Elastic_k, k = 0.5",
}

OPTIONS = (
    SolverOption("data", "data", None, "the table to cluster (numeric columns but "
                 "`label` are the features)", required=True),
    SolverOption("label", "str", "label", "the column holding each row's class (not a "
                 "feature; its distinct values give the default number of clusters)"),
    SolverOption("clusters", "int", None, "k of k-means (default: the number of "
                 "distinct labels)", low=1),
    SolverOption("threshold", "str", "T", "the update series the collector plays (its "
                 "trimming percentile)"),
    SolverOption("injection", "str", "A", "the update series the adversary plays (its "
                 "injection percentile)"),
    SolverOption("tth", "float", 0.9, "the reference schemes' threshold percentile",
                 low=0.0, high=1.0),
    SolverOption("attack_low", "float", 0.05, "the lowest attack ratio of a round",
                 low=0.0, high=1.0),
    SolverOption("attack_high", "float", 0.15, "the highest attack ratio of a round",
                 low=0.0, high=1.0),
    SolverOption("schemes", "str", None, "the schemes played beside the spec's rules, "
                 "in order: update profiles of the spec (update \"NAME\" over ...) or "
                 "library schemes (default: every update profile)"),
    SolverOption("rounds", "int", 10, "rounds of the stream (batches of the data)", low=1),
    SolverOption("repetitions", "int", 6, "repetitions (fresh stream draws)", low=1),
)


# ---------------------------------------------------------------------------- the data
def table_points(model: Model, name: str, label: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The table's feature matrix (its numeric columns but `label`, in order) and labels."""
    table = model.data[name]
    features = [c for c, v in table.columns.items() if c != label and v.dtype.kind in "fiu"]
    if not features:
        raise SpecError(f"data `{name}` has no numeric columns to cluster",
                        span=model.spans.get(name))
    points = np.column_stack([table.columns[c] for c in features]).astype(float)
    labels = table.columns.get(label)
    return points, labels


def _provenance(model: Model, name: str, points: np.ndarray) -> dict[str, Any]:
    table = model.data[name]
    notes = list(table.notes)
    return {"table": name, "source": table.source, "notes": notes,
            "rows": int(points.shape[0]), "features": int(points.shape[1]),
            "stand_in": any("STAND-IN" in note.upper() for note in notes)}


# ---------------------------------------------------------------------------- the scheme
def _rule_for(updates: UpdateRules, target: str) -> sympy.Expr:
    rules = [(at, value) for name, at, value in updates.rules if name == target]
    if len(rules) != 1:
        raise SpecError(f"the experiment needs exactly one update rule for `{target}`, "
                        f"found {len(rules)}")
    at, value = rules[0]
    index = updates.index
    if sympy.simplify(at - index - 1) != 0:
        raise SpecError(f"the rule for `{target}` must set {target}[{index} + 1], "
                        f"not {target}[{at}]",
                        hint="the experiment plays first-order rules: next round from this one")
    return value


def _initial_for(updates: UpdateRules, target: str, params: dict) -> tuple[int, float]:
    entries = [(at, value) for name, at, value in updates.initial if name == target]
    if len(entries) != 1:
        raise SpecError(f"the experiment needs one initial value of `{target}`, "
                        f"found {len(entries)}", hint=f"initial {target}[1] = ...")
    at, value = entries[0]
    return int(at.xreplace(params)), float(value.xreplace(params))


def spec_updates(
    model: Model, threshold: str = "T", injection: str = "A",
    updates: UpdateRules | None = None,
) -> tuple[float, float, tr.Recurrence, tr.Recurrence]:
    """(T(1), A(1), t_next, a_next) of the spec's update rules (or of one of its update
    profiles, `updates`), for `recurrence_rules`.

    t_next / a_next are NumPy functions of (T(i), A(i)) lambdified from the rules' SymPy
    expressions, with the spec's parameter values passed as exact floats.
    """
    updates = model.updates if updates is None else updates
    if updates is None:
        raise SpecError("the trimming experiment needs update rules",
                        hint="update over i in 1..20 { T[i + 1] = ...  A[i + 1] = ... }")
    if threshold == injection:
        raise SpecError("the threshold and injection series must differ")
    found = sorted({name for name, _, _ in updates.rules})
    for role, name in (("threshold", threshold), ("injection", injection)):
        if name not in found:
            raise SpecError(f"the {role} series `{name}` has no update rule (series with "
                            f"rules: {', '.join(found) or 'none'})",
                            hint=f'name it with the experiment option {role} = "..."')
    params = model.scalar_values()
    index = updates.index
    (t_at, t_first), (a_at, a_first) = (_initial_for(updates, threshold, params),
                                        _initial_for(updates, injection, params))
    start = int(updates.rounds.elements[0])
    if not t_at == a_at == start:
        raise SpecError(f"the initial values must be at the first round {start}, got "
                        f"{threshold}[{t_at}] and {injection}[{a_at}]")
    t_sym, a_sym = sympy.Dummy("T"), sympy.Dummy("A")
    series = {threshold: t_sym, injection: a_sym}
    param_syms = tuple(params)

    def lower(target: str) -> tr.Recurrence:
        value = _rule_for(updates, target)
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
                name: str = SCHEME_NAME, updates: UpdateRules | None = None) -> tr.Scheme:
    """The spec's update rules (or the update profile `updates`) as a Scheme (collector:
    threshold; adversary: injection)."""
    collector, adversary = tr.recurrence_rules(
        *spec_updates(model, threshold, injection, updates))
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
def _other_schemes(
    model: Model, options: Mapping[str, Any]
) -> tuple[list[tr.Scheme], dict[str, str], dict[str, UpdateRules]]:
    """The schemes played beside the spec's rules, in the order of the `schemes` option
    (default: every update profile of the spec): a name is the spec's update profile of
    that name, else the standard library's reference scheme (`paper_schemes(tth)`)."""
    library = {s.name: s for s in tr.paper_schemes(options["tth"])}
    names = list(model.update_profiles) if options["schemes"] is None else \
        [n for n in options["schemes"].replace(",", " ").split() if n]
    schemes, sources, profiles = [], {}, {}
    for name in names:
        if name in sources or name == SCHEME_NAME:
            raise SpecError(f"scheme `{name}` is named twice (or is the spec's own, "
                            f"`{SCHEME_NAME}`)")
        if name in model.update_profiles:
            profiles[name] = model.update_profiles[name]
            schemes.append(spec_scheme(model, options["threshold"], options["injection"],
                                       name, profiles[name]))
            sources[name] = f'the spec\'s update profile "{name}"'
        elif name in library:
            schemes.append(library[name])
            sources[name] = f"{_DESCRIPTIONS[name]} (standard library)"
        else:
            known = [*model.update_profiles, *library]
            close = difflib.get_close_matches(name, known, n=1)
            raise SpecError(f"unknown scheme `{name}`: neither an update profile of the "
                            "spec nor a library scheme", hint=(f"did you mean `{close[0]}`? "
                                                               if close else "")
                            + "schemes: " + ", ".join(known))
    return schemes, sources, profiles


def _row(summary: tr.Summary, truth_sse: float) -> dict[str, Any]:
    row = {key: summary.mean[name] for key, name in _METRICS}
    row["sse_ratio"] = summary.mean["sse"] / truth_sse if truth_sse > 0 else math.nan
    row["se"] = {key: summary.se[name] for key, name in _METRICS}
    return row


def run(model: Model, options: Mapping[str, Any], seed: int = 0) -> ExperimentOutcome:
    """The spec's scheme and the other schemes (`_other_schemes`) on the same draws."""
    from gamespec.solvers.dynamics.method import simulate_updates

    low, high = options["attack_low"], options["attack_high"]
    if not 0 <= low <= high < 1:
        raise SpecError(f"the attack ratios must satisfy 0 <= attack_low <= attack_high < 1, "
                        f"got [{low}, {high}]")
    if not 0 < options["tth"] < 1:
        raise SpecError(f"experiment option `tth` must lie in (0, 1), got {options['tth']}")
    threshold, injection = options["threshold"], options["injection"]
    scheme = spec_scheme(model, threshold, injection)
    others, sources, profiles = _other_schemes(model, options)
    points, labels = table_points(model, options["data"], options["label"])
    clusters = options["clusters"]
    if clusters is None:
        if labels is None:
            raise SpecError(f"data `{options['data']}` has no column `{options['label']}` "
                            "to count classes in", hint="set the experiment option "
                            "clusters = K, or label = \"COLUMN\"")
        clusters = len(np.unique(labels))
    rounds, repetitions = options["rounds"], options["repetitions"]
    if not rounds <= len(points):
        raise SpecError(f"need between 1 and {len(points)} rounds, got {rounds}")
    size = tr.Size(rounds=rounds, repetitions=repetitions)
    interval = (low, high)
    result = tr.run_experiment(points, clusters, [scheme, *others], interval, size=size,
                               seed=seed)
    # the same draws again (no clustering): each rule scheme as played, and the poison sent
    draws = tr.draw_stream(len(points), rounds, repetitions, interval, seed)
    honest_pct = tr.PercentileScale.of(points).percentile(points)
    checks = {}
    for played_scheme, updates in [(scheme, model.updates),
                                   *((s, profiles[s.name]) for s in others if s.name in profiles)]:
        series = simulate_updates(replace(model, updates=updates))
        checks[played_scheme.name] = series_check(
            tr.play(played_scheme, honest_pct, draws).history,
            list(series.get(threshold, [])), list(series.get(injection, [])))
    check = checks[SCHEME_NAME]
    worst = max(checks.values(), key=lambda c: (not c["matches"], c["max_deviation"]))
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
    statement = (
        f"the update rules for {threshold} (collector's trimming percentile) and {injection} "
        f"(adversary's injection percentile) played as a trimming scheme beside {len(others)} "
        f"other schemes ({len(profiles)} the spec's update profiles), on {repetitions} repetitions of a {rounds}-round stream of `{options['data']}` "
        f"poisoned at ratios in [{low:g}, {high:g}], common random numbers, seed {seed}; "
        f"metrics of k-means (k = {clusters}, warm-started at the clean data's centroids) on "
        "what each scheme kept: means and standard errors over repetitions")
    info = {
        "schemes": {SCHEME_NAME: f"the spec's update rules for {threshold} (collector) and "
                                 f"{injection} (adversary)", **sources},
        "metrics": "means over repetitions (se: standard errors); sse of the learned "
                   "centroids on the clean data, sse_ratio = sse / ground-truth sse",
        "clusters": clusters,
        "ground_truth_sse": result.truth.sse,
        "received_poison_share": received_share,
    }
    certificate = Certificate(
        "every rule scheme (the spec's rules and its update profiles) plays the series "
        "simulated from its rules", worst["max_deviation"], worst["matches"], SERIES_TOLERANCE,
        {"rounds_compared": check["rounds_compared"],
         "schemes_checked": {name: c["max_deviation"] for name, c in checks.items()}})
    return ExperimentOutcome(statement, table, _provenance(model, options["data"], points),
                             certificate, info)


PLUGIN = ExperimentPlugin(
    name="trimming_schemes",
    summary="update rules played as an online trimming scheme against poisoning, beside six "
            "reference schemes, with k-means metrics on data",
    options=OPTIONS,
    run=run,
)
