"""Trimming update-rule dynamics (Fu et al. Section VI) on small bundled data."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_iris

from gamespec.errors import SpecError
from gamespec.stdlib import trimming as tr


@pytest.fixture(scope="module")
def iris() -> np.ndarray:
    return tr.standardize(load_iris().data)


def _play(data: np.ndarray, scheme: tr.Scheme, interval=(0.2, 0.5), rounds=10, reps=5,
          seed=0) -> tuple[tr.PlayOutcome, tr.StreamDraws]:
    scale = tr.PercentileScale.of(data)
    draws = tr.draw_stream(len(data), rounds, reps, interval, seed)
    return tr.play(scheme, scale.percentile(data), draws), draws


# --------------------------------------------------------------------------- percentiles
def test_percentiles_are_distance_ranks_and_trim_is_inclusive():
    data = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [-3.0, 0.0], [0.0, -4.0]])
    scale = tr.PercentileScale.of(data)
    assert np.allclose(scale.center, [-0.4, -0.4])
    order = np.argsort(np.linalg.norm(data - scale.center, axis=1))
    assert np.allclose(np.sort(scale.percentile(data)), [0.1, 0.3, 0.5, 0.7, 0.9])
    assert np.allclose(scale.percentile(data)[order], [0.1, 0.3, 0.5, 0.7, 0.9])
    assert tr._below(np.array([0.89, 0.9, 0.9 + 1e-12]), 0.9).tolist() == [True, False, False]


# --------------------------------------------------------------------------- schemes
def test_ostrich_keeps_every_point_and_all_poison(iris):
    outcome, draws = _play(iris, tr.ostrich())
    assert outcome.poison_kept.sum() == draws.poison_counts.sum() > 0
    assert np.all(outcome.honest_kept == 1)
    expected = draws.poison_counts.sum(axis=1) / (draws.poison_counts.sum(axis=1) + len(iris))
    assert np.allclose(outcome.untrimmed_poison_share(), expected)


def test_static_baselines(iris):
    random_poison, _ = _play(iris, tr.baseline_random(0.9))
    assert random_poison.poison_kept.sum() == 0  # all of [0.9, 1] is trimmed at 0.9
    ideal, draws = _play(iris, tr.baseline_static(0.9))
    assert ideal.poison_kept.sum() == draws.poison_counts.sum()  # Tth - 1% slips through
    assert np.allclose(ideal.honest_kept.sum(axis=1), 135)  # 90% of 150 iris points


def test_elastic_recurrence_first_rounds_by_hand():
    trims, injections = tr.elastic_sequences(0.9, 0.5, 5)
    assert np.allclose(trims, [0.87, 0.90, 0.8725, 0.88, 0.873125])
    assert np.allclose(injections, [0.91, 0.855, 0.87, 0.85625, 0.86])
    trims, injections = tr.elastic_sequences(0.97, 0.1, 3)
    assert np.allclose(trims, [0.94, 0.97, 0.9657])
    assert np.allclose(injections, [0.98, 0.937, 0.94])


def test_elastic_fixed_point_and_play_follow_the_recurrence(iris):
    t_star, a_star = tr.recurrence_fixed_point(*tr.elastic_updates(0.9, 0.5))
    assert t_star == pytest.approx(0.9 - 0.02 / 0.75)
    assert a_star == pytest.approx(0.87 - 0.01 / 0.75)
    outcome, _ = _play(iris, tr.elastic(0.9, 0.5), rounds=6)
    trims, injections = tr.elastic_sequences(0.9, 0.5, 6)
    assert np.allclose(outcome.history.trims, trims[None, :])
    assert np.allclose(outcome.history.injections, injections[None, :])


def test_sequence_rules_replay_numbers(iris):
    collector, adversary = tr.sequence_rules([0.95, 0.9], [0.99, 0.85])
    outcome, draws = _play(iris, tr.Scheme("seq", collector, adversary), rounds=2)
    assert np.allclose(outcome.history.trims, [[0.95, 0.9]])
    sent_round2 = draws.poison_counts[:, 1].sum()
    kept_round2 = outcome.poison_kept[:, 1, :].sum()
    assert kept_round2 == sent_round2 and outcome.poison_kept[:, 0, :].sum() == 0


def test_tit_for_tat_trigger_switches_to_hard_trim(iris):
    scheme = tr.Scheme("tft", tr.triggered_trim(0.94, 0.90), tr.point_injection(0.90),
                       tr.evading_share_trigger(expected=0.0, redundancy=0.05))
    outcome, draws = _play(iris, scheme, rounds=5, reps=3)
    first = (draws.poison_counts > 0).argmax(axis=1)  # first round with poison
    assert np.array_equal(outcome.history.trigger_round, first + 1)
    for rep in range(3):
        fired = outcome.history.trigger_round[rep]
        assert np.allclose(outcome.history.trims[rep, :fired], 0.94)
        assert np.allclose(outcome.history.trims[rep, fired:], 0.90)


# --------------------------------------------------------------------------- experiments
def test_same_seed_same_numbers_other_seed_other_numbers(iris):
    def run(seed: int) -> list[dict[str, float]]:
        result = tr.run_experiment(iris, 3, tr.paper_schemes(0.9), (0.05, 0.15), seed=seed)
        return [s.mean for s in result.summaries]

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_qualitative_ordering_of_schemes(iris):
    low = tr.run_experiment(iris, 3, tr.paper_schemes(0.9), (0.0, 0.01), seed=0).by_scheme()
    high = tr.run_experiment(iris, 3, tr.paper_schemes(0.9), (0.2, 0.5), seed=0).by_scheme()
    others = ["Baseline_0.9", "Baseline_static", "Titfortat", "Elastic_0.1", "Elastic_0.5"]
    # few poison values: not trimming is best (trimming only costs honest points)
    assert all(low["Ostrich"].mean["distance"] < low[s].mean["distance"] for s in others)
    # many: Ostrich is worst on both measures
    assert all(high["Ostrich"].mean["sse"] > high[s].mean["sse"] for s in others)
    assert all(high["Ostrich"].mean["distance"] > high[s].mean["distance"] for s in others)
    # Elastic's equilibrium poison sits deeper than the ideal attack on a static trim
    for k in ("Elastic_0.1", "Elastic_0.5"):
        assert high[k].mean["sse"] < high["Baseline_static"].mean["sse"]
    # at Tth = 0.9 every point of the [0.9, 1] random attack is trimmed
    assert high["Baseline_0.9"].mean["poison_share"] == 0


def test_table3_trend(iris):
    rows = tr.non_equilibrium_table(iris, [0.0, 0.5, 1.0], rounds=10, repetitions=20)
    assert rows[0].termination == 10  # a pure 90th-percentile adversary is expected: no trigger
    assert rows[0].titfortat_share > rows[1].titfortat_share > rows[2].titfortat_share
    assert rows[0].elastic_share > rows[1].elastic_share > rows[2].elastic_share
    assert rows[1].termination < 10


def test_table4_cost_falls_with_rounds():
    rows = tr.roundwise_cost_table(ks=(0.5, 0.1), rounds=(5, 10, 40, 50))
    for k in (0.5, 0.1):
        costs = [r.cost[k] for r in rows]
        assert costs == sorted(costs, reverse=True)
        assert rows[2].cost[k] * 40 == pytest.approx(rows[3].cost[k] * 50, rel=1e-6)
    # the recurrence contracts by k per round, so k = 0.1 settles faster (cheaper)
    assert rows[0].cost[0.1] < rows[0].cost[0.5]


def test_run_table_independent_of_processes(iris):
    sets = {"iris": (iris, 3)}
    kwargs = {"intervals": [(0.05, 0.15)], "tths": [0.9], "size": tr.Size(5, 3), "seed": 4}
    serial = tr.run_table(sets, n_jobs=1, **kwargs)
    parallel = tr.run_table(sets, n_jobs=2, **kwargs)
    assert [s.mean for s in serial[0].result.summaries] == \
        [s.mean for s in parallel[0].result.summaries]


def test_bad_inputs_are_spec_errors(iris):
    with pytest.raises(SpecError, match="attack ratio"):
        tr.draw_stream(10, 2, 1, (0.2, 1.0))
    with pytest.raises(SpecError, match="2-D"):
        tr.PercentileScale.of(np.arange(5.0))
    with pytest.raises(SpecError, match="clusters"):
        tr.ground_truth(iris, 500)
