"""The long table of a Result (gamespec.notebook_tables.tidy_rows, Result.to_dataframe and
Result.to_csv): one row per player x action, plain cells, numeric keys in numeric order,
checked against closed forms and an independent solver on each method family."""
from __future__ import annotations

import csv
import io
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import gamespec
from gamespec.notebook_tables import tidy_rows

SPECS = Path(__file__).resolve().parents[1] / "specs"


def _csv_rows(result) -> list[dict]:
    text = result.to_csv()
    assert "{" not in text and "[" not in text.split("\n", 1)[1]  # no JSON, no dict text
    return list(csv.DictReader(io.StringIO(text)))


def test_bimatrix_equilibria_match_nashpy_row_by_row():
    nashpy = pytest.importorskip("nashpy")
    result = gamespec.load(SPECS / "battle_of_the_sexes.game").solve(method="enumerate_mixed")
    rows = tidy_rows(result)
    found = {}
    for row in rows:
        found.setdefault(row["equilibrium"], {}).setdefault(row["player"], {})[
            row["action"]] = row["probability"]
    # the oracle: the same bimatrix (Opera/Football: 3,2 / 0,0 / 0,0 / 2,3) by nashpy
    game = nashpy.Game(np.array([[3, 0], [0, 2]]), np.array([[2, 0], [0, 3]]))
    expected = sorted(tuple(np.round(np.concatenate(eq), 9))
                      for eq in game.support_enumeration())
    got = sorted(tuple(np.round([eq["alice"].get(a, 0.0) for a in ("Opera", "Football")]
                                + [eq["bob"].get(a, 0.0) for a in ("Opera", "Football")], 9))
                 for eq in found.values())
    assert got == expected
    mixed = [r for r in rows if r["probability"] not in (1.0,)]
    assert {(r["player"], r["action"], r["exact_probability"]) for r in mixed} == {
        ("alice", "Opera", "3/5"), ("alice", "Football", "2/5"),
        ("bob", "Opera", "2/5"), ("bob", "Football", "3/5")}
    assert {r["exact_value"] for r in mixed} == {"6/5"}  # 3 * 2/5 = 2 * 3/5
    frame = result.to_dataframe()
    assert frame["equilibrium"].dtype.kind == "i" and frame["probability"].dtype.kind == "f"


def test_lp_channel_of_location_privacy_is_one_row_per_region_pair(mirror):
    result = gamespec.load(SPECS / "location_privacy.game",
                           data_mirror=str(mirror)).solve(method="lp")
    rows = tidy_rows(result)
    for player, channel in result.strategies.items():
        mine = [r for r in rows if r["player"] == player]
        # the rows are the channel, entry for entry, with the regions as integers
        assert {(r["given"], r["action"]): r["probability"] for r in mine} == {
            (int(g), int(a)): p for g, row in channel.items() for a, p in row.items()}
        givens = list(dict.fromkeys(r["given"] for r in mine))
        assert givens == sorted(givens) and len(givens) == len(channel)  # 1, 2, ..., 10
        for given in givens:  # each row of the channel is a distribution
            assert sum(r["probability"] for r in mine if r["given"] == given) == \
                pytest.approx(1.0, abs=1e-9)
        assert {r["value"] for r in mine} == {result.values[player]}
    table = _csv_rows(result)
    assert list(table[0]) == ["player", "given", "action", "probability", "value"]
    firsts = [int(r["given"]) for r in table if r["player"] == table[0]["player"]]
    assert firsts == sorted(firsts) and 10 in firsts  # not "1", "10", "2"
    frame = result.to_dataframe()
    matrix = frame[frame.player == table[0]["player"]].pivot(
        index="given", columns="action", values="probability").fillna(0.0)
    assert list(matrix.index) == sorted(matrix.index) and matrix.shape[0] == 30
    assert np.allclose(matrix.sum(axis=1), 1.0)


def test_continuous_equilibrium_is_its_number_with_the_exact_text():
    result = gamespec.load(SPECS / "cournot.game").solve()
    rows = tidy_rows(result)
    a, b, c = 10, 1, 1  # the spec's parameters; q* = (a - c) / 3b, profit b q*^2
    assert [(r["player"], r["action"], r["exact_action"]) for r in rows] == [
        ("firm1", pytest.approx((a - c) / (3 * b)), "3"),
        ("firm2", pytest.approx((a - c) / (3 * b)), "3")]
    assert [r["value"] for r in rows] == [pytest.approx(b * 3.0 ** 2)] * 2
    assert _csv_rows(result)[0]["exact_value"] == "9"


def test_population_shares_are_probability_rows():
    result = gamespec.load(SPECS / "hawk_dove_population.game").solve()
    rows = tidy_rows(result)
    v, c = 4, 6  # the evolutionarily stable share of hawks is V / C
    assert [(r["action"], r["exact_probability"]) for r in rows] == [
        ("Hawk", str(Fraction(v, c))), ("Dove", str(1 - Fraction(v, c)))]
    assert rows[0]["probability"] == pytest.approx(v / c)


def test_tree_behaviour_rows_per_information_set_and_kuhn_value():
    result = gamespec.load(SPECS / "kuhn_poker.game").solve()
    rows = tidy_rows(result)
    alice = [r for r in rows if r["player"] == "alice"]
    assert {r["exact_value"] for r in alice} == {"-1/18"}  # Kuhn's value to the first player
    by_set: dict = {}
    for r in rows:
        by_set.setdefault((r["player"], r["given"]), []).append(r["probability"])
    assert all(sum(p) == pytest.approx(1.0) for p in by_set.values())
    assert len(by_set) == sum(len(s) for s in result.strategies.values())


def test_types_and_phases_are_given_rows():
    result = gamespec.load(SPECS / "security_game.game").solve()
    attacker = [r for r in tidy_rows(result) if r["player"] == "attacker"]
    assert {(r["given"], r["action"]) for r in attacker} == set(
        result.strategies["attacker"].items())
    for r in attacker:  # a type's value, from the result's `attacker[Type]` entry
        assert r["value"] == result.values[f"attacker[{r['given']}]"]
    repeated = gamespec.load(SPECS / "repeated_prisoners_dilemma.game").solve()
    assert [(r["player"], r["given"], r["action"]) for r in tidy_rows(repeated)] == [
        ("row", "path", "Cooperate"), ("row", "punishment", "Defect"),
        ("col", "path", "Cooperate"), ("col", "punishment", "Defect")]


def test_numeric_labels_are_numbers_sorted_numerically():
    game = gamespec.loads('''
game "Pick"
player a { choose x in {10, 2, 1} }
player b { choose y in {10, 2, 1} }
payoff a = if x == y then 1 else 0
zero_sum
''')
    result = game.solve(method="lp")
    assert list(result.strategies["a"]) == ["10", "2", "1"]  # as the spec lists them
    rows = tidy_rows(result)
    assert [r["action"] for r in rows if r["player"] == "a"] == [1, 2, 10]
    assert all(r["probability"] == pytest.approx(1 / 3) for r in rows)  # matching: 1/n
    assert [r["value"] for r in rows] == [pytest.approx(1 / 3)] * 3 + [pytest.approx(-1 / 3)] * 3


def test_an_empty_answer_is_an_empty_table():
    result = gamespec.load(SPECS / "matching_pennies.game").solve(method="enumerate")
    assert tidy_rows(result) == []
    assert result.to_csv() == "player,action,probability,value\n"
