"""Section VI on data, driven by the spec's update rules (solvers/dynamics/trimming_experiment.py)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from gamespec.analysis import classify
from gamespec.api import solve_model
from gamespec.data import registry as data_registry
from gamespec.errors import SpecError
from gamespec.language.loader import load_model, model_from_string
from gamespec.solvers.dynamics import trimming_experiment as te
from gamespec.solvers.dynamics.method import simulate_updates, solve
from gamespec.stdlib import trimming as tr

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "specs" / "trimming.game"
SMALL = {"rounds": 4, "repetitions": 3}


def _mirror() -> Path | None:
    """The data mirror as tests/conftest.py finds it ($GAMESPEC_DATA_MIRROR, ../shared/data)."""
    env = os.environ.get(data_registry.MIRROR_ENV)
    for candidate in ([Path(env)] if env else []) + [REPO.parent / "shared" / "data"]:
        if (candidate / data_registry.get("uci_synthetic_control").path).is_file():
            return candidate
    return None


MIRROR = _mirror()
needs_mirror = pytest.mark.skipif(MIRROR is None, reason="data mirror not found: the "
                                  "scikit-learn stand-in is tested instead")


@pytest.fixture(scope="module")
def model():
    return load_model(SPEC)


@pytest.fixture(scope="module")
def data() -> te.ExperimentData:
    """The spec's data set from the mirror, or the stand-in when there is none."""
    return te.load_experiment_data("uci_synthetic_control", MIRROR)


def _run(model, data, **options) -> te.SectionVI:
    opts = te.experiment_options(model, {**model.solve_options, **SMALL, **options})
    return te.run_section_vi(model, opts, simulate_updates(model), data)


# ---------------------------------------------------------------------------- the solve
def test_spec_solves_with_the_experiment_certified(monkeypatch):
    if MIRROR is None:
        monkeypatch.delenv(data_registry.MIRROR_ENV, raising=False)
    else:
        monkeypatch.setenv(data_registry.MIRROR_ENV, str(MIRROR))
    model = load_model(SPEC, overrides={"rounds": 4, "repetitions": 3})  # params -> options
    result = solve_model(model, seed=3)
    assert result.status == "solved" and result.certificate.ok
    table, info = result.compare["section_vi"], result.extra["section_vi"]
    assert list(table) == [te.SCHEME_NAME, "Ostrich", "Baseline_0.9", "Baseline_static",
                           "Titfortat", "Elastic_0.1", "Elastic_0.5"]
    assert info["size"] == {"name": "custom", "rounds": 4, "repetitions": 3}
    assert info["seed"] == 3 and result.timing["section_vi"] > 0
    assert info["dataset"] == ("sklearn_digits" if MIRROR is None else "uci_synthetic_control")
    assert info["labels"]["stand_in"] is (MIRROR is None)
    spec_row = table[te.SCHEME_NAME]
    assert spec_row["series_matches_dynamics"] and spec_row["series_rounds_compared"] == 4
    for row in table.values():
        assert {"sse", "sse_ratio", "centroid_distance", "trimmed_honest_share",
                "untrimmed_poison_share", "se"} <= set(row)
    assert "Section VI" in result.certificate.kind
    result.to_json()  # JSON-safe


def test_solve_without_the_experiment_option_is_unchanged(model):
    result = solve(model, classify(model), {"solve_for": "delta"})
    assert result.compare == {} and "section_vi" not in result.extra


def test_spec_defaults_are_the_quick_size(model):
    opts = te.experiment_options(model, model.solve_options)
    assert opts.size == tr.SIZES["quick"] and opts.size_name == "quick"
    assert opts.dataset == "uci_synthetic_control" and opts.clusters is None
    assert (opts.threshold, opts.injection, opts.tth) == ("T", "A", 0.9)
    paper = load_model(SPEC, overrides={"rounds": 20, "repetitions": 100})
    opts = te.experiment_options(paper, paper.solve_options)
    assert opts.size == tr.SIZES["paper"] and opts.size_name == "paper"


# ---------------------------------------------------------------------------- the scheme
def test_spec_rules_lower_to_the_stdlib_elastic_recurrence(model):
    t1, a1, t_next, a_next = te.spec_updates(model)
    s1, b1, s_next, b_next = tr.elastic_updates(0.9, 0.5)
    assert (t1, a1) == pytest.approx((s1, b1), abs=1e-15)
    t, a = np.linspace(0.8, 1.0, 7), np.linspace(1.0, 0.8, 7)
    assert np.allclose(t_next(t, a), s_next(t, a), atol=1e-15)
    assert np.allclose(a_next(t, a), b_next(t, a), atol=1e-15)


def test_spec_elastic_reproduces_the_stdlib_elastic_summary_exactly(model, data):
    run = _run(model, data, seed=5)
    opts = te.experiment_options(model, {**model.solve_options, **SMALL, "seed": 5})
    k = data.classes
    stdlib = tr.run_experiment(data.data, k, [tr.elastic(0.9, 0.5)], opts.interval,
                               size=opts.size, seed=5).summaries[0]
    row = run.table[te.SCHEME_NAME]
    for key, name in te._METRICS:
        assert row[key] == stdlib.mean[name]
        assert row["se"][key] == stdlib.se[name] or np.isnan(stdlib.se[name])
    assert {key: row[key] for key, _ in te._METRICS} == \
        {key: run.table["Elastic_0.5"][key] for key, _ in te._METRICS}


def test_other_k_via_set_matches_elastic_0_1(data):
    model = load_model(SPEC, overrides={"k": 0.1})
    run = _run(model, data)
    for key, _ in te._METRICS:
        assert run.table[te.SCHEME_NAME][key] == run.table["Elastic_0.1"][key]
    assert run.table[te.SCHEME_NAME]["series_matches_dynamics"]


def test_ostrich_leaves_all_poison_untrimmed(model, data):
    run = _run(model, data)
    ostrich = run.table["Ostrich"]
    assert ostrich["trimmed_honest_share"] == 0.0
    assert ostrich["untrimmed_poison_share"] == pytest.approx(
        run.info["received_poison_share"], rel=1e-12)
    assert ostrich["untrimmed_poison_share"] > 0
    assert run.table["Baseline_0.9"]["untrimmed_poison_share"] == 0.0  # [0.9, 1] all trimmed
    opts = te.experiment_options(model, {**model.solve_options, **SMALL})
    draws = tr.draw_stream(len(data.data), opts.size.rounds, opts.size.repetitions,
                           opts.interval, opts.seed)
    pct = tr.PercentileScale.of(data.data).percentile(data.data)
    played = tr.play(tr.ostrich(), pct, draws)
    assert played.poison_kept.sum() == draws.poison_counts.sum() > 0


def test_deterministic_for_a_fixed_seed(model, data):
    first, second = _run(model, data, seed=2), _run(model, data, seed=2)
    assert first.table == second.table
    other = _run(model, data, seed=9)
    assert other.table["Ostrich"]["sse"] != first.table["Ostrich"]["sse"]


def test_series_check_catches_a_different_recurrence(model, data):
    series = simulate_updates(model)
    wrong = {"T": [x + 0.01 for x in series["T"]], "A": series["A"]}
    opts = te.experiment_options(model, {**model.solve_options, **SMALL})
    run = te.run_section_vi(model, opts, wrong, data)
    assert not run.certificate.ok
    assert run.table[te.SCHEME_NAME]["series_max_deviation"] == pytest.approx(0.01)


# ---------------------------------------------------------------------------- data
@needs_mirror
def test_registry_data_set_is_read_with_its_classes():
    loaded = te.load_experiment_data("uci_synthetic_control", MIRROR)
    assert not loaded.stand_in and loaded.data.shape == (600, 60) and loaded.classes == 6
    assert np.allclose(loaded.data.mean(axis=0), 0, atol=1e-9)
    vehicle = te.load_experiment_data("uci_vehicle", MIRROR)
    assert vehicle.data.shape == (846, 18) and vehicle.classes == 4


def test_fallback_to_the_bundled_stand_in(monkeypatch, tmp_path):
    monkeypatch.delenv(data_registry.MIRROR_ENV, raising=False)
    monkeypatch.setattr(data_registry, "_cache_dir", lambda: tmp_path)  # nothing cached
    loaded = te.load_experiment_data("uci_synthetic_control")
    assert loaded.stand_in and loaded.name == te.STAND_IN and loaded.classes == 10
    assert "STAND-IN" in loaded.source and loaded.data.shape == (1797, 64)
    model = load_model(SPEC)
    run = te.section_vi(model, {**model.solve_options, **SMALL})
    assert run.info["dataset"] == te.STAND_IN and run.info["labels"]["stand_in"]
    assert run.certificate.ok and run.info["clusters"] == 10


def test_unknown_data_set_is_a_spec_error(model):
    with pytest.raises(SpecError, match="unknown data set"):
        te.section_vi(model, {**model.solve_options, "dataset": "uci_synthetic_contrl"})


# ---------------------------------------------------------------------------- options
@pytest.mark.parametrize(("options", "message"), [
    ({"size": "huge"}, "size"),
    ({"repetitions": 2.5}, "whole number"),
    ({"attack_low": 0.5, "attack_high": 0.2}, "attack ratios"),
    ({"experiment": "poisoning"}, "unknown experiment"),
    ({"threshold": 3}, "string"),
])
def test_bad_options(model, options, message):
    with pytest.raises(SpecError, match=message):
        te.experiment_options(model, {**model.solve_options, **options})


def test_series_names_come_from_the_options(data):
    text = """
param Tth = 0.9
update over i in 1..10 {
  C[i + 1] = Tth + 0.5 * (P[i] - Tth - 1%)
  P[i + 1] = Tth - 3% + 0.5 * (C[i] - Tth)
  initial C[1] = Tth - 3%, P[1] = Tth + 1%
}
solve using dynamics { experiment = "trimming", threshold = "C", injection = "P" }
"""
    model = model_from_string(text, "t.game")
    run = _run(model, data)
    assert run.certificate.ok
    assert run.table[te.SCHEME_NAME]["sse"] == run.table["Elastic_0.5"]["sse"]
    with pytest.raises(SpecError, match="threshold series `T` has no update rule"):
        te.spec_scheme(model)


def test_rules_the_experiment_cannot_play_are_errors():
    text = """
param Tth = 0.9
update over i in 2..10 {
  T[i + 1] = T[i - 1]
  A[i + 1] = A[i]
  initial T[1] = 0.9, T[2] = 0.9, A[2] = 0.9
}
"""
    model = model_from_string(text, "t.game")
    with pytest.raises(SpecError):
        te.spec_updates(model)
    text = """
update over i in 1..10 {
  T[i + 1] = 0.9 + 0.001 * i
  A[i + 1] = A[i]
  initial T[1] = 0.9, A[1] = 0.9
}
"""
    with pytest.raises(SpecError, match="cannot play"):
        te.spec_updates(model_from_string(text, "t.game"))
