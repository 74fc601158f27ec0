"""The trimming_schemes experiment plug-in (gamespec/experiments/trimming_schemes.py): the
spec's update rules played as a trimming scheme beside the reference schemes, on data."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from gamespec.api import solve_model
from gamespec.data import registry as data_registry
from gamespec.errors import SpecError
from gamespec.experiments import trimming_schemes as ts
from gamespec.experiments.runner import run_experiment
from gamespec.language.loader import load_model, model_from_string
from gamespec.solvers.dynamics import method as dynamics
from gamespec.stdlib import trimming as tr

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "specs" / "trimming.game"
SMALL = {"rounds": 4, "repetitions": 3}
ROWS = [ts.SCHEME_NAME, "Ostrich", "Baseline_0.9", "Baseline_static", "Titfortat",
        "Elastic_0.1", "Elastic_0.5"]
METRICS = [key for key, _ in ts._METRICS]


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


def _model(**overrides):
    return load_model(SPEC, overrides={**SMALL, **overrides},
                      data_mirror=None if MIRROR is None else str(MIRROR))


@pytest.fixture(scope="module")
def model():
    return _model()


@pytest.fixture(scope="module")
def record(model):
    return run_experiment(model, seed=0)


def _points(model):
    return ts.table_points(model, "points", "label")[0]


# ---------------------------------------------------------------------------- the run
def test_spec_experiment_runs_certified(record):
    out = record.outcome
    assert record.experiment == "section_vi" and record.plugin == "trimming_schemes"
    assert list(out.table) == ROWS and out.certificate.ok and record.status == "done"
    assert record.options["rounds"] == 4 and record.options["repetitions"] == 3
    spec_row = out.table[ts.SCHEME_NAME]
    assert spec_row["series_matches_dynamics"] and spec_row["series_rounds_compared"] == 4
    for row in out.table.values():
        assert {*METRICS, "sse_ratio", "se"} <= set(row)
    assert out.data["stand_in"] is (MIRROR is None)
    assert out.data["rows"] == (1797 if MIRROR is None else 600)
    assert "k = " in out.statement and "4-round stream" in out.statement
    record.to_json()  # JSON-safe


def test_solve_no_longer_runs_the_experiment(model):
    result = solve_model(model)
    assert result.compare == {} and "section_vi" not in result.extra
    assert "Section VI" not in result.certificate.kind and result.certificate.ok


def test_spec_defaults_are_the_quick_size():
    experiment = load_model(SPEC).experiments["section_vi"]
    assert experiment.plugin == "trimming_schemes"
    assert (experiment.options["rounds"], experiment.options["repetitions"]) == (10, 6)
    assert (experiment.options["threshold"], experiment.options["injection"]) == ("T", "A")
    assert experiment.options["tth"] == 0.9
    paper = load_model(SPEC, overrides={"rounds": 20, "repetitions": 100})
    assert paper.experiments["section_vi"].options["repetitions"] == 100


# ---------------------------------------------------------------------------- the scheme
def test_spec_rules_lower_to_the_stdlib_elastic_recurrence(model):
    t1, a1, t_next, a_next = ts.spec_updates(model)
    s1, b1, s_next, b_next = tr.elastic_updates(0.9, 0.5)
    assert (t1, a1) == pytest.approx((s1, b1), abs=1e-15)
    t, a = np.linspace(0.8, 1.0, 7), np.linspace(1.0, 0.8, 7)
    assert np.allclose(t_next(t, a), s_next(t, a), atol=1e-15)
    assert np.allclose(a_next(t, a), b_next(t, a), atol=1e-15)


def test_spec_elastic_reproduces_the_stdlib_elastic_summary_exactly(model):
    out = run_experiment(model, seed=5).outcome
    clusters = out.info["clusters"]
    stdlib = tr.run_experiment(_points(model), clusters, [tr.elastic(0.9, 0.5)], (0.05, 0.15),
                               size=tr.Size(**SMALL), seed=5).summaries[0]
    row = out.table[ts.SCHEME_NAME]
    for key, name in ts._METRICS:
        assert row[key] == stdlib.mean[name]
        assert row["se"][key] == stdlib.se[name] or np.isnan(stdlib.se[name])
    assert {k: row[k] for k in METRICS} == {k: out.table["Elastic_0.5"][k] for k in METRICS}


def test_the_spec_profiles_reproduce_the_library_schemes_exactly(tmp_path):
    """Five of the paper's six schemes are update profiles in the spec; without them the
    same names fall back to the standard library's schemes: the same table, number for
    number."""
    text = SPEC.read_text(encoding="utf-8")
    library_only = text[:text.index("# The paper's schemes (Section VI-B)")]
    path = tmp_path / "library_only.game"
    path.write_text(library_only, encoding="utf-8")
    stage = SPEC.with_name("trimming_one_round.game")  # its `stage` statement reads this
    (tmp_path / stage.name).write_text(stage.read_text(encoding="utf-8"), encoding="utf-8")
    model = load_model(path, overrides=SMALL, data_mirror=None if MIRROR is None else str(MIRROR))
    assert model.update_profiles == {}
    library = run_experiment(model).outcome
    spec = run_experiment(_model()).outcome
    assert list(spec.table) == list(library.table) == ROWS
    assert spec.table == library.table
    assert set(spec.certificate.details["schemes_checked"]) == set(ROWS) - {"Baseline_0.9"}
    assert set(library.certificate.details["schemes_checked"]) == {ts.SCHEME_NAME}


def test_other_k_via_set_matches_elastic_0_1():
    out = run_experiment(_model(k=0.1)).outcome
    for key in METRICS:
        assert out.table[ts.SCHEME_NAME][key] == out.table["Elastic_0.1"][key]
    assert out.table[ts.SCHEME_NAME]["series_matches_dynamics"]


def test_ostrich_leaves_all_poison_untrimmed(model, record):
    out = record.outcome
    ostrich = out.table["Ostrich"]
    assert ostrich["trimmed_honest_share"] == 0.0
    assert ostrich["untrimmed_poison_share"] == pytest.approx(
        out.info["received_poison_share"], rel=1e-12)
    assert ostrich["untrimmed_poison_share"] > 0
    assert out.table["Baseline_0.9"]["untrimmed_poison_share"] == 0.0  # [0.9, 1] all trimmed
    points = _points(model)
    draws = tr.draw_stream(len(points), 4, 3, (0.05, 0.15), 0)
    played = tr.play(tr.ostrich(), tr.PercentileScale.of(points).percentile(points), draws)
    assert played.poison_kept.sum() == draws.poison_counts.sum() > 0


def test_deterministic_for_a_fixed_seed(model, record):
    again = run_experiment(model, seed=0)
    assert again.outcome.table == record.outcome.table
    other = run_experiment(model, seed=9)
    assert other.outcome.table["Ostrich"]["sse"] != record.outcome.table["Ostrich"]["sse"]


def test_series_check_catches_a_different_recurrence(model, monkeypatch):
    series = dynamics.simulate_updates(model)
    wrong = {"T": [x + 0.01 for x in series["T"]], "A": series["A"]}
    monkeypatch.setattr(dynamics, "simulate_updates", lambda m: wrong)
    out = run_experiment(model).outcome
    assert not out.certificate.ok
    assert out.table[ts.SCHEME_NAME]["series_max_deviation"] == pytest.approx(0.01)


# ---------------------------------------------------------------------------- data
@needs_mirror
def test_registry_data_set_is_read_with_its_classes(model):
    table = model.data["points"]
    points, labels = ts.table_points(model, "points", "label")
    assert points.shape == (600, 60) and len(np.unique(labels)) == 6
    assert np.allclose(points.mean(axis=0), 0, atol=1e-9)
    assert list(np.bincount(labels.astype(int))[1:]) == [100] * 6
    assert "STAND-IN" not in " ".join(table.notes)
    vehicle = model_from_string('data v = numeric_features("uci_vehicle")', "v.game",
                                data_mirror=str(MIRROR))
    points, labels = ts.table_points(vehicle, "v", "label")
    assert points.shape == (846, 18) and len(np.unique(labels)) == 4


def test_fallback_to_the_bundled_stand_in(monkeypatch, tmp_path):
    monkeypatch.delenv(data_registry.MIRROR_ENV, raising=False)
    monkeypatch.setattr(data_registry, "_cache_dir", lambda: tmp_path)  # nothing cached
    model = load_model(SPEC, overrides=SMALL)
    out = run_experiment(model).outcome
    assert out.data["stand_in"] and out.data["source"] == "sklearn_digits"
    assert "STAND-IN" in out.data["notes"][0] and out.data["rows"] == 1797
    assert out.certificate.ok and out.info["clusters"] == 10


def test_unknown_data_set_is_a_located_error():
    with pytest.raises(SpecError, match="unknown data set") as err:
        model_from_string('data v = numeric_features("uci_synthetic_contrl")', "v.game")
    assert err.value.span is not None and err.value.span.line == 1


# ---------------------------------------------------------------------------- options
BASE = """
param Tth = 0.9
data points = numeric_features("uci_synthetic_control")
update over i in 1..10 {
  T[i + 1] = Tth + 0.5 * (A[i] - Tth - 1%)
  A[i + 1] = Tth - 3% + 0.5 * (T[i] - Tth)
  initial T[1] = Tth - 3%, A[1] = Tth + 1%
}
"""


@pytest.mark.parametrize(("options", "message"), [
    ("data = points, repetitions = 2.5", "whole number"),
    ("data = points, attack_low = 0.5, attack_high = 0.2", "attack ratios"),
    ("data = points, threshold = 3", "string"),
    ("data = points, tth = 1.5", r"\[0, 1\]"),
    ("data = 3", "name of a data table"),
    ("rounds = 3", "needs the option `data`"),
])
def test_bad_options(options, message):
    model = model_from_string(BASE + f"experiment e using trimming_schemes {{ {options} }}",
                              "t.game", data_mirror=None if MIRROR is None else str(MIRROR))
    with pytest.raises(SpecError, match=message):
        run_experiment(model)


def test_series_names_come_from_the_options():
    text = BASE.replace("T[", "C[").replace("A[", "P[") + \
        'experiment e using trimming_schemes { data = points, threshold = "C", ' \
        'injection = "P", rounds = 4, repetitions = 3, schemes = "Elastic_0.5" }'
    model = model_from_string(text, "t.game", data_mirror=None if MIRROR is None
                              else str(MIRROR))
    out = run_experiment(model).outcome
    assert out.certificate.ok
    assert out.table[ts.SCHEME_NAME]["sse"] == out.table["Elastic_0.5"]["sse"]
    with pytest.raises(SpecError, match="threshold series `T` has no update rule"):
        ts.spec_scheme(model)


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
        ts.spec_updates(model)
    text = """
update over i in 1..10 {
  T[i + 1] = 0.9 + 0.001 * i
  A[i + 1] = A[i]
  initial T[1] = 0.9, A[1] = 0.9
}
"""
    with pytest.raises(SpecError, match="cannot play"):
        ts.spec_updates(model_from_string(text, "t.game"))


# ---------------------------------------------------------------------------- update profiles
def test_named_update_blocks_are_profiles_that_solve_leaves_alone():
    text = """
param c = 0.4
update over i in 1..3 {
  T[i + 1] = T[i]
  initial T[1] = 0.9
}
update "Half.way" over i in 1..2 {
  T[i + 1] = c
  initial T[1] = 0.5
}
"""
    model = model_from_string(text, "p.game")
    assert [t for t, _, _ in model.updates.rules] == ["T"]
    assert list(model.update_profiles) == ["Half.way"]
    result = solve_model(model)
    assert result.strategies["T"] == [0.9, 0.9, 0.9, 0.9]  # the unnamed block only
    profile_only = model_from_string(text[text.index('update "'):].replace("c", "0.4"),
                                     "q.game")
    assert profile_only.updates is None and "Half.way" in profile_only.update_profiles
    with pytest.raises(SpecError, match='a second update profile named "Half.way"') as err:
        model_from_string(text + text[text.index('update "'):], "r.game")
    assert err.value.span.line == 11  # the second block

