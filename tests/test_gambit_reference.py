"""The record/replay oracle of Gambit's answers (tests/oracles/gambit_reference.py): a call
missing from the store fails and names the command that rebuilds it, keys depend only on
the inputs, a live answer the store lacks or contradicts is a warning, the store stays small
and says which pygambit computed it."""
from __future__ import annotations

import json
import warnings
from fractions import Fraction

import pytest

from tests.oracles import gambit_reference as gambit

MATCHING_PENNIES = ([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])


def test_a_missing_reference_fails_and_names_the_regenerate_command(monkeypatch):
    monkeypatch.setattr(gambit, "LIVE", False)
    monkeypatch.setattr(gambit, "_stored", {})
    with pytest.raises(pytest.fail.Exception) as failed:
        gambit.solve(gambit.arrays(*MATCHING_PENNIES), "enummixed", rational=True)
    assert "stale" in str(failed.value) and gambit.REGENERATE in str(failed.value)


class FakeGambit:
    """Stands in for tests/oracles/gambit_compute.py: one fixed answer."""

    VERSION = "0.0-test"

    @staticmethod
    def solve(game, algorithm, options):
        return {"players": ["1", "2"], "strategies": [["1", "2"], ["1", "2"]],
                "equilibria": [{"payoffs": ["0", "0"], "profile": [["1/2", "1/2"]] * 2}]}


def test_a_live_answer_missing_from_or_unlike_the_store_is_a_warning(monkeypatch):
    monkeypatch.setattr(gambit, "LIVE", True)
    monkeypatch.setattr(gambit, "RECORD", False)
    monkeypatch.setattr(gambit, "compute", FakeGambit)
    monkeypatch.setattr(gambit, "_stored", {})
    game = gambit.arrays(*MATCHING_PENNIES)
    with pytest.warns(UserWarning, match="is missing from"):
        gambit.solve(game, "enummixed", rational=True)
    k = gambit.key("solve", (game, "enummixed", {"rational": True}))
    stale = FakeGambit.solve(game, "enummixed", {})
    stale["equilibria"][0]["payoffs"] = ["1", "-1"]
    monkeypatch.setattr(gambit, "_stored", {k: {"answer": stale}})
    with pytest.warns(UserWarning, match="differs from"):
        gambit.solve(game, "enummixed", rational=True)
    monkeypatch.setattr(gambit, "_stored", {k: {"answer": FakeGambit.solve(game, "", {})}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (eq,) = gambit.solve(game, "enummixed", rational=True).equilibria
    assert eq.profile == ((Fraction(1, 2),) * 2,) * 2


def test_keys_depend_on_values_not_on_their_types():
    same = [gambit.arrays(*MATCHING_PENNIES),
            gambit.arrays(*[[[float(v) for v in row] for row in t] for t in MATCHING_PENNIES]),
            gambit.arrays(*[[[Fraction(v) for v in row] for row in t] for t in MATCHING_PENNIES])]
    keys = {gambit.key("solve", (g, "enummixed", {"rational": True})) for g in same}
    assert len(keys) == 1
    other = gambit.arrays([[1, -1], [-1, 2]], MATCHING_PENNIES[1])
    assert gambit.key("solve", (other, "enummixed", {"rational": True})) not in keys
    assert gambit.arrays([[0.5, Fraction(1, 3)]])["arrays"] == [[[0.5, "1/3"]]]


def test_matching_pennies_is_answered_exactly():
    (eq,) = gambit.solve(gambit.arrays(*MATCHING_PENNIES), "enummixed", rational=True).equilibria
    assert eq.profile == ((Fraction(1, 2),) * 2,) * 2 and eq.payoffs == (0, 0)


def test_the_store_is_small_plain_and_says_which_pygambit_computed_it():
    assert gambit.STORE.stat().st_size < 2_000_000
    entries = json.loads(gambit.STORE.read_text())["entries"]
    assert entries and all(e["pygambit"] and e["function"] for e in entries.values())
